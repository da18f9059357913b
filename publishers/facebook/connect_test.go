package facebook

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
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

const callback = "https://herald.example/api/v1/connect/facebook/callback"

func startOAuth() publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: callback, State: publishers.NewState(), Verifier: publishers.NewVerifier()}
}

// connect runs the whole sign-in against the fake and returns the user credentials.
func connect(t *testing.T, e *env, in publishers.OAuthStart) (*publishers.Credentials, publishers.Account) {
	t.Helper()
	ctx := context.Background()
	authURL, pending, err := e.c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	back, err := e.srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	bu, _ := url.Parse(back)
	if err := publishers.CheckState(Name, in.State, bu.Query().Get("state")); err != nil {
		t.Fatal(err)
	}
	creds, acct, err := e.c.CompleteOAuth(ctx, in, pending, bu.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return creds, acct
}

// The full connect: the dialog URL carries state, the permissions and the S256 challenge; the
// fake checks the verifier at the exchange; the short-lived token is exchanged for a long-lived
// one; the Pages are listed; the chosen Page's token keeps working long after the user token
// would have expired.
func TestConnectRoundTripWithPKCEAndLongLivedToken(t *testing.T) {
	e := newEnv(t)
	second := e.srv.AddPage("Herald Books", "", "")
	e.srv.RegisterRedirectURI(callback)
	ctx := context.Background()
	in := startOAuth()

	authURL, pending, err := e.c.BeginOAuth(ctx, in)
	if err != nil || pending != nil {
		t.Fatalf("BeginOAuth: %v %v", err, pending)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	sum := sha256.Sum256([]byte(in.Verifier))
	switch {
	case u.Path != "/"+metagraph.DefaultVersion+"/dialog/oauth":
		t.Errorf("dialog path %s", u.Path)
	case q.Get("client_id") != e.srv.App().ClientID || q.Get("redirect_uri") != callback || q.Get("state") != in.State:
		t.Errorf("dialog query %v", q)
	case q.Get("code_challenge") != base64.RawURLEncoding.EncodeToString(sum[:]) || q.Get("code_challenge_method") != "S256":
		t.Errorf("PKCE missing: %v", q)
	case q.Get("scope") != strings.Join(metagraph.FacebookScopes, " "):
		t.Errorf("scope %q", q.Get("scope"))
	case strings.Contains(authURL, e.srv.App().ClientSecret):
		t.Error("the app secret is in the dialog URL")
	}

	creds, acct := connect(t, e, in)
	if creds.Get(metagraph.ExtraKind) != metagraph.KindUser || acct.ExternalID != e.srv.UserID() || acct.Name != e.srv.UserName() {
		t.Errorf("user credentials %+v, account %+v", creds.Extra, acct)
	}
	if got := creds.Expiry.Sub(e.clk.Now()); got < 59*24*time.Hour {
		t.Errorf("the token lasts %s: the long-lived exchange did not happen", got)
	}
	if n := e.srv.Requests(http.MethodPost, "/oauth/access_token"); n != 2 {
		t.Errorf("%d token requests, want the code exchange and fb_exchange_token", n)
	}

	// Three hours on, a short-lived token would be dead; the long-lived one lists the Pages.
	e.clk.Advance(3 * time.Hour)
	choices, err := e.c.Choices(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	if len(choices) != 2 || choices[0].ID != e.page.ID || choices[0].Handle != "@heraldbakery" || choices[0].Kind != "page" || choices[1].ID != second.ID {
		t.Fatalf("choices %+v", choices)
	}
	pageCreds, page, err := e.c.Choose(ctx, creds, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if page.ExternalID != second.ID || page.Name != "Herald Books" || page.URL == "" ||
		pageCreds.Get(metagraph.ExtraPageID) != second.ID || pageCreds.Get(metagraph.ExtraKind) != metagraph.KindPage ||
		!pageCreds.Expiry.IsZero() || pageCreds.AccessToken == creds.AccessToken {
		t.Errorf("chosen %+v %+v", page, pageCreds)
	}
	if want := e.srv.URL + "/" + second.ID + "/picture"; page.AvatarURL != want || choices[1].AvatarURL != want {
		t.Errorf("avatar %q and %q, want %q", page.AvatarURL, choices[1].AvatarURL, want)
	}

	// The Page token outlives the user token's 60 days.
	e.clk.Advance(90 * 24 * time.Hour)
	pub, err := e.c.Publish(ctx, pageCreds, publishers.Post{Text: "after 90 days", ScheduledAt: e.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := e.srv.Post(pub.ExternalID); !ok || p.PageID != second.ID {
		t.Errorf("post %+v", p)
	}
	if _, changed, err := e.c.Refresh(ctx, pageCreds); changed || err != nil {
		t.Errorf("Refresh changed %v %v", changed, err)
	}
}

func TestConnectRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("wrong verifier", func(t *testing.T) {
		e := newEnv(t)
		e.srv.RegisterRedirectURI(callback)
		in := startOAuth()
		authURL, _, _ := e.c.BeginOAuth(ctx, in)
		back, err := e.srv.Authorize(authURL)
		if err != nil {
			t.Fatal(err)
		}
		bu, _ := url.Parse(back)
		wrong := in
		wrong.Verifier = publishers.NewVerifier()
		_, _, err = e.c.CompleteOAuth(ctx, wrong, nil, bu.Query().Get("code"))
		pe := publishertest.WantKind(t, err, publishers.KindPermanent)
		if !strings.Contains(pe.Message, "start connecting again") {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("declined permission", func(t *testing.T) {
		e := newEnv(t)
		e.srv.RegisterRedirectURI(callback)
		e.srv.SetDeclinedPermissions("pages_manage_posts")
		in := startOAuth()
		authURL, _, _ := e.c.BeginOAuth(ctx, in)
		back, _ := e.srv.Authorize(authURL)
		bu, _ := url.Parse(back)
		_, _, err := e.c.CompleteOAuth(ctx, in, nil, bu.Query().Get("code"))
		pe := publishertest.WantKind(t, err, publishers.KindPermanent)
		if !strings.Contains(pe.Message, "pages_manage_posts") {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("person cancels", func(t *testing.T) {
		e := newEnv(t)
		e.srv.RegisterRedirectURI(callback)
		e.srv.SetDenyConsent(true)
		in := startOAuth()
		authURL, _, _ := e.c.BeginOAuth(ctx, in)
		back, _ := e.srv.Authorize(authURL)
		bu, _ := url.Parse(back)
		if bu.Query().Get("error") != "access_denied" || bu.Query().Get("code") != "" || bu.Query().Get("state") != in.State {
			t.Errorf("redirect %s", back)
		}
	})
	t.Run("unregistered redirect", func(t *testing.T) {
		e := newEnv(t)
		authURL, _, _ := e.c.BeginOAuth(ctx, startOAuth())
		if _, err := e.srv.Authorize(authURL); err == nil {
			t.Error("the dialog accepted a redirect URI the app did not register")
		}
	})
	t.Run("state mismatch", func(t *testing.T) {
		publishertest.WantKind(t, publishers.CheckState(Name, "expected", "other"), publishers.KindPermanent)
	})
	t.Run("wrong app secret", func(t *testing.T) {
		e := newEnv(t)
		e.srv.RegisterRedirectURI(callback)
		c := testClient(e.srv, e.clk, func(o *Options) { o.App.ClientSecret = "not-the-secret" })
		in := startOAuth()
		authURL, _, _ := c.BeginOAuth(ctx, in)
		back, _ := e.srv.Authorize(authURL)
		bu, _ := url.Parse(back)
		_, _, err := c.CompleteOAuth(ctx, in, nil, bu.Query().Get("code"))
		pe := publishertest.WantKind(t, err, publishers.KindPermanent)
		if !strings.Contains(pe.Message, "HERALD_FACEBOOK_CLIENT_SECRET") || strings.Contains(pe.Message, "not-the-secret") {
			t.Errorf("message %q", pe.Message)
		}
	})
}

// Without the Meta app's credentials, Meta().Setup explains how to create it and connecting is
// refused with the same text.
func TestSetupWithoutApp(t *testing.T) {
	c := New(Options{})
	setup := c.Meta().Setup
	for _, want := range []string{"Business", "Facebook Login for Business", "Instagram", publishers.CallbackPlaceholder,
		"HERALD_FACEBOOK_CLIENT_ID", "HERALD_FACEBOOK_CLIENT_SECRET", "App Review", "pages_manage_posts"} {
		if !strings.Contains(setup, want) {
			t.Errorf("Setup lacks %q:\n%s", want, setup)
		}
	}
	_, _, err := c.BeginOAuth(context.Background(), startOAuth())
	pe := publishertest.WantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, callback) || strings.Contains(pe.Message, publishers.CallbackPlaceholder) {
		t.Errorf("BeginOAuth message %q", pe.Message)
	}
	_, _, err = c.CompleteOAuth(context.Background(), startOAuth(), nil, "code")
	if pe := publishertest.WantKind(t, err, publishers.KindPermanent); pe.Code != "not_configured" || pe.Network != Name || !strings.Contains(pe.Message, callback) {
		t.Errorf("CompleteOAuth refusal %+v", pe)
	}
	if New(Options{App: publishers.AppCredentials{ClientID: "1", ClientSecret: "s"}}).Meta().Setup != "" {
		t.Error("Setup shown although the app is configured")
	}
}

func TestChoicesAndChooseRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	user := &publishers.Credentials{AccessToken: e.srv.NewUserToken(true), Extra: map[string]string{metagraph.ExtraKind: metagraph.KindUser}}
	if _, _, err := e.c.Choose(ctx, user, "999"); err == nil {
		t.Error("Choose accepted a Page the sign-in does not reach")
	}
	if _, err := e.c.Choices(ctx, e.creds); err == nil {
		t.Error("Choices accepted a Page's credentials")
	}
	none := metagraphtest.NewServer(t)
	c := testClient(none, e.clk)
	_, err := c.Choices(ctx, &publishers.Credentials{AccessToken: none.NewUserToken(true)})
	if pe := publishertest.WantKind(t, err, publishers.KindPermanent); pe.Code != "no_pages" {
		t.Errorf("code %q", pe.Code)
	}
	// A user's credentials cannot publish: a Page must be chosen first.
	_, err = e.c.Publish(ctx, user, publishers.Post{Text: "x"})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
}
