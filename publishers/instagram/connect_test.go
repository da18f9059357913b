package instagram

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/metagraph"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

const callback = "https://herald.example/api/v1/connect/instagram/callback"

func startOAuth() publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: callback, State: publishers.NewState(), Verifier: publishers.NewVerifier()}
}

// Connect through Facebook Login, then choose among the Instagram accounts linked to the Pages:
// a Page without one is not offered; the chosen account's credentials are the linked Page's
// token with the Instagram and Page ids.
func TestConnectAndChooseInstagramAccount(t *testing.T) {
	e := newEnv(t)
	e.srv.AddPage("Page without Instagram", "", "")
	second := e.srv.AddPage("Herald Books", "heraldbooks", "heraldbooks.ig")
	e.srv.RegisterRedirectURI(callback)
	ctx := context.Background()
	in := startOAuth()
	authURL, pending, err := e.c.BeginOAuth(ctx, in)
	if err != nil || pending != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	if u.Query().Get("scope") != strings.Join(metagraph.InstagramScopes, " ") || u.Query().Get("code_challenge_method") != "S256" {
		t.Errorf("dialog query %v", u.Query())
	}
	back, err := e.srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	bu, _ := url.Parse(back)
	user, acct, err := e.c.CompleteOAuth(ctx, in, nil, bu.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if acct.ExternalID != e.srv.UserID() || user.Expiry.Sub(e.clk.Now()) < 59*24*time.Hour {
		t.Errorf("account %+v, expiry %s", acct, user.Expiry)
	}
	if n := e.srv.Requests(http.MethodPost, "/oauth/access_token"); n != 2 {
		t.Errorf("%d token requests", n)
	}

	choices, err := e.c.Choices(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if len(choices) != 2 || choices[0].ID != e.page.IGUserID || choices[0].Handle != "@heraldbakery" ||
		choices[1].ID != second.IGUserID || choices[1].Kind != "instagram_professional" || choices[1].AvatarURL == "" {
		t.Fatalf("choices %+v", choices)
	}
	creds, chosen, err := e.c.Choose(ctx, user, second.IGUserID)
	if err != nil {
		t.Fatal(err)
	}
	if chosen.ExternalID != second.IGUserID || chosen.Handle != "@heraldbooks.ig" || chosen.URL != "https://www.instagram.com/heraldbooks.ig/" ||
		creds.Get(metagraph.ExtraIGUserID) != second.IGUserID || creds.Get(metagraph.ExtraPageID) != second.ID ||
		creds.Get(metagraph.ExtraKind) != metagraph.KindInstagram || !creds.Expiry.IsZero() {
		t.Errorf("chosen %+v %+v", chosen, creds.Extra)
	}
	e.clk.Advance(70 * 24 * time.Hour)
	pub, err := e.c.Publish(ctx, creds, publishers.Post{Text: "via the chosen account", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := e.srv.Media(pub.ExternalID); m.IGUserID != second.IGUserID {
		t.Errorf("published on %s", m.IGUserID)
	}
	if _, _, err := e.c.Choose(ctx, user, "12345"); err == nil {
		t.Error("Choose accepted an account no Page links")
	}
}

func TestNoLinkedInstagramAccount(t *testing.T) {
	srv := metagraphtest.NewServer(t)
	srv.AddPage("Only a Page", "", "")
	c := testClient(srv, newClock())
	_, err := c.Choices(context.Background(), &publishers.Credentials{AccessToken: srv.NewUserToken(true)})
	pe := publishertest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "no_instagram_accounts" || !strings.Contains(pe.Message, "professional") {
		t.Errorf("%+v", pe)
	}
}

func TestSetupWithoutApp(t *testing.T) {
	c := New(Options{})
	if s := c.Meta().Setup; !strings.Contains(s, "HERALD_FACEBOOK_CLIENT_ID") || !strings.Contains(s, "instagram_content_publish") {
		t.Errorf("Setup %q", s)
	}
	_, _, err := c.BeginOAuth(context.Background(), startOAuth())
	if pe := publishertest.WantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, callback) || pe.Code != "not_configured" || pe.Network != Name {
		t.Errorf("refusal %+v", pe)
	}
}
