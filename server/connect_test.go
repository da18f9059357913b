package server

// Connecting networks that need more than one step: a form (a bot token and a chat), a sign-in
// that reaches several accounts to choose from, and a network not set up yet. The networks here
// are in-process stand-ins for remote ones, in the shapes the publisher contract describes.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// standInNetwork implements the Publisher methods the connect flows never call.
type standInNetwork struct{ meta publishers.Meta }

func (n *standInNetwork) Meta() publishers.Meta { return n.meta }
func (n *standInNetwork) Publish(context.Context, *publishers.Credentials, publishers.Post) (publishers.Published, error) {
	return publishers.Published{}, errors.New("not used")
}
func (n *standInNetwork) Metrics(context.Context, *publishers.Credentials, []string) (map[string]publishers.Metrics, error) {
	return nil, errors.New("not used")
}
func (n *standInNetwork) FindPublished(context.Context, *publishers.Credentials, publishers.Post) (*publishers.Published, error) {
	return nil, errors.New("not used")
}
func (n *standInNetwork) Refresh(_ context.Context, c *publishers.Credentials) (*publishers.Credentials, bool, error) {
	return c, false, nil
}

// formNet connects with a bot token and a chat, like Telegram.
type formNet struct{ standInNetwork }

func (n *formNet) ConnectForm(_ context.Context, v map[string]string) (*publishers.Credentials, publishers.Account, error) {
	if v["token"] != "123:good" {
		return nil, publishers.Account{}, &publishers.FieldError{Field: "token", Message: "The network does not know this bot token."}
	}
	if v["chat"] != "@brand" {
		return nil, publishers.Account{}, &publishers.FieldError{Field: "chat", Message: "Add the bot to the channel as an administrator."}
	}
	return &publishers.Credentials{AccessToken: v["token"], Extra: map[string]string{"chat": v["chat"]}},
		publishers.Account{ExternalID: "-100200", Name: "Brand channel", Handle: "@brand"}, nil
}

// pagesNet is an OAuth network where one sign-in reaches several pages, like Facebook.
type pagesNet struct {
	standInNetwork
	pages []publishers.Choice
}

func (n *pagesNet) BeginOAuth(_ context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	return "https://pages.example/dialog?state=" + url.QueryEscape(in.State), nil, nil
}

func (n *pagesNet) CompleteOAuth(_ context.Context, _ publishers.OAuthStart, _ map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	if code != "ok" {
		return nil, publishers.Account{}, publishers.Errorf("pages", publishers.KindPermanent, 400, "The code is not valid.")
	}
	return &publishers.Credentials{AccessToken: "user-token"}, publishers.Account{ExternalID: "user-1", Name: "A person"}, nil
}

func (n *pagesNet) Choices(_ context.Context, c *publishers.Credentials) ([]publishers.Choice, error) {
	if c.AccessToken != "user-token" {
		return nil, errors.New("the user token was not kept")
	}
	return n.pages, nil
}

func (n *pagesNet) Choose(_ context.Context, c *publishers.Credentials, id string) (*publishers.Credentials, publishers.Account, error) {
	for _, p := range n.pages {
		if p.ID == id {
			return &publishers.Credentials{AccessToken: "page-token-" + id}, publishers.Account{ExternalID: p.ID, Name: p.Name}, nil
		}
	}
	return nil, publishers.Account{}, publishers.Errorf("pages", publishers.KindPermanent, 403, "No access to that page.")
}

func connectNetworks() *publishers.Registry {
	rules, _ := content.ForNetwork("telegram")
	form := &formNet{standInNetwork{publishers.Meta{Name: "formnet", DisplayName: "Form network", Connect: publishers.ConnectForm, Rules: rules,
		Form: []publishers.FormField{{Name: "token", Label: "Bot token", Secret: true}, {Name: "chat", Label: "Chat"}, {Name: "topic", Label: "Topic", Optional: true}}}}}
	three := &pagesNet{standInNetwork{publishers.Meta{Name: "pagesnet", DisplayName: "Pages", Connect: publishers.ConnectOAuth2}},
		[]publishers.Choice{{ID: "p1", Name: "Brand FR", Kind: "page"}, {ID: "p2", Name: "Brand EN", Kind: "page"}, {ID: "p3", Name: "Brand Jobs", Kind: "page"}}}
	one := &pagesNet{standInNetwork{publishers.Meta{Name: "onepage", DisplayName: "One page", Connect: publishers.ConnectOAuth2}},
		[]publishers.Choice{{ID: "solo", Name: "The only page", Kind: "page"}}}
	unset := &pagesNet{standInNetwork{publishers.Meta{Name: "unset", DisplayName: "Unset", Connect: publishers.ConnectOAuth2,
		Setup: "Set HERALD_UNSET_CLIENT_ID; register " + publishers.CallbackPlaceholder + " as the redirect URL."}}, nil}
	return publishers.NewRegistry(form, three, one, unset)
}

// oauthRoundTrip starts a connect as admin's browser session and follows the network's redirect
// back to Herald's callback with code; it returns where Herald sends the browser.
func oauthRoundTrip(t *testing.T, e *testEnv, w *seeded, network, code string, body any) *url.URL {
	t.Helper()
	admin := w.user(workflow.Admin)
	sess := e.sessionOf(t, admin)
	r := e.do(t, apiCall{Method: "POST", Path: wsPath(w, "/connect/"+network), Session: sess, Body: body})
	r.want(t, http.StatusOK)
	var start struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	r.decode(t, &start)
	au, err := url.Parse(start.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	cb := e.do(t, apiCall{Method: "GET", Path: "/api/v1/connect/" + network + "/callback?code=" + code + "&state=" + url.QueryEscape(au.Query().Get("state")), Session: sess})
	cb.want(t, http.StatusSeeOther)
	loc, err := url.Parse(cb.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	frag, err := url.Parse(loc.Fragment) // "/channels?choose=…"
	if err != nil {
		t.Fatal(err)
	}
	return frag
}

func TestConnectFormsChoicesAndSetup(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		e.restartWith(t, func(c *Config) { c.Registry = connectNetworks() })
		admin, editor := e.A.user(workflow.Admin), e.A.user(workflow.Editor)

		t.Run("networks list forms and setup help", func(t *testing.T) {
			var nets struct {
				Items []struct {
					Name, Connect, Setup string
					Form                 []publishers.FormField
				}
			}
			e.get(t, admin, "/api/v1/networks").want(t, http.StatusOK).decode(t, &nets)
			seen := 0
			for _, n := range nets.Items {
				switch n.Name {
				case "formnet":
					seen++
					if n.Connect != "form" || len(n.Form) != 3 || !n.Form[0].Secret {
						t.Errorf("formnet: %+v", n)
					}
				case "unset":
					seen++
					if want := "register http://herald.test/api/v1/connect/unset/callback as"; !strings.Contains(n.Setup, want) {
						t.Errorf("setup %q does not contain %q", n.Setup, want)
					}
				}
			}
			if seen != 2 {
				t.Errorf("networks: %+v", nets.Items)
			}
		})

		t.Run("a network not set up refuses to connect and says how", func(t *testing.T) {
			r := e.post(t, admin, wsPath(e.A, "/connect/unset"), map[string]any{})
			if env := r.wantErr(t, http.StatusConflict, "network_not_configured"); !strings.Contains(env.Message, "HERALD_UNSET_CLIENT_ID") {
				t.Errorf("message %q", env.Message)
			}
		})

		t.Run("form connect", func(t *testing.T) {
			path := wsPath(e.A, "/connect/formnet")
			r := e.post(t, admin, path, map[string]any{"values": map[string]string{"token": "123:good"}})
			if env := r.wantErr(t, http.StatusUnprocessableEntity, "validation_failed"); env.Fields["values.chat"] == "" {
				t.Errorf("fields %v", env.Fields)
			}
			r = e.post(t, admin, path, map[string]any{"values": map[string]string{"token": "123:good", "chat": "@brand", "colour": "red"}})
			if env := r.wantErr(t, http.StatusUnprocessableEntity, "validation_failed"); env.Fields["values.colour"] == "" {
				t.Errorf("fields %v", env.Fields)
			}
			r = e.post(t, admin, path, map[string]any{"values": map[string]string{"token": "123:bad", "chat": "@brand"}})
			if env := r.wantErr(t, http.StatusUnprocessableEntity, "validation_failed"); !strings.Contains(env.Fields["values.token"], "does not know") {
				t.Errorf("fields %v", env.Fields)
			}
			e.post(t, editor, path, map[string]any{"values": map[string]string{"token": "123:good", "chat": "@brand"}}).wantErr(t, http.StatusForbidden, "forbidden")
			r = e.post(t, admin, path, map[string]any{"values": map[string]string{"token": " 123:good ", "chat": "@brand"}}).want(t, http.StatusCreated)
			if strings.Contains(string(r.Body), "123:good") {
				t.Errorf("the bot token came back: %s", r.Body)
			}
			var ch channelView
			r.decode(t, &ch)
			if ch.Network != "formnet" || ch.Name != "Brand channel" || !ch.HasCredentials || ch.Status != "connected" {
				t.Errorf("channel %+v", ch)
			}
		})

		t.Run("a sign-in reaching several pages: choose two", func(t *testing.T) {
			frag := oauthRoundTrip(t, e, e.A, "pagesnet", "ok", map[string]any{})
			key := frag.Query().Get("choose")
			if frag.Path != "/channels" || key == "" || frag.Query().Get("network") != "pagesnet" {
				t.Fatalf("redirected to %s", frag)
			}
			choices := wsPath(e.A, "/connect/pagesnet/choices?key="+url.QueryEscape(key))
			var list struct{ Items []publishers.Choice }
			e.get(t, admin, choices).want(t, http.StatusOK).decode(t, &list)
			if len(list.Items) != 3 || list.Items[0].Name != "Brand FR" {
				t.Fatalf("choices %+v", list.Items)
			}
			// Someone else, even an owner of the workspace, cannot see or take this person's choice.
			e.get(t, e.A.user(workflow.Owner), choices).wantErr(t, http.StatusNotFound, "choice_not_found")
			e.get(t, e.B.user(workflow.Admin), wsPath(e.B, "/connect/pagesnet/choices?key="+url.QueryEscape(key))).wantErr(t, http.StatusNotFound, "choice_not_found")

			choose := wsPath(e.A, "/connect/pagesnet/choose")
			e.post(t, admin, choose, map[string]any{"key": key, "ids": []string{"p1", "nope"}}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
			e.post(t, admin, choose, map[string]any{"key": key, "ids": []string{}}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
			var made struct{ Items []channelView }
			e.post(t, admin, choose, map[string]any{"key": key, "ids": []string{"p1", "p3"}}).want(t, http.StatusCreated).decode(t, &made)
			if len(made.Items) != 2 || made.Items[0].Name != "Brand FR" || made.Items[1].Name != "Brand Jobs" || !made.Items[1].HasCredentials {
				t.Fatalf("channels %+v", made.Items)
			}
			// The choice is made once.
			e.post(t, admin, choose, map[string]any{"key": key, "ids": []string{"p2"}}).wantErr(t, http.StatusNotFound, "choice_not_found")
			e.get(t, admin, choices).wantErr(t, http.StatusNotFound, "choice_not_found")

			// Reconnecting one of them picks it again without asking.
			frag = oauthRoundTrip(t, e, e.A, "pagesnet", "ok", map[string]any{"channel_id": made.Items[1].ID})
			if frag.Query().Get("connected") != idStr(made.Items[1].ID) {
				t.Fatalf("reconnect redirected to %s", frag)
			}
		})

		t.Run("a sign-in reaching one page connects it at once", func(t *testing.T) {
			frag := oauthRoundTrip(t, e, e.A, "onepage", "ok", map[string]any{})
			if frag.Query().Get("connected") == "" {
				t.Fatalf("redirected to %s", frag)
			}
		})

		t.Run("a refused code is reported", func(t *testing.T) {
			frag := oauthRoundTrip(t, e, e.A, "pagesnet", "bad", map[string]any{})
			if !strings.Contains(frag.Query().Get("connect_error"), "The code is not valid.") {
				t.Fatalf("redirected to %s", frag)
			}
		})
	})
}

// freshChoice keeps a choice of two pages for u in ws, as the OAuth callback does, and returns
// its key.
func (e *testEnv) freshChoice(t testing.TB, w *seeded, u *testUser, network string) string {
	t.Helper()
	key := publishers.NewState()
	hash := auth.HashToken(key)
	raw, _ := json.Marshal(pendingChoice{Credentials: publishers.Credentials{AccessToken: "user-token"},
		Choices: []publishers.Choice{{ID: "p1", Name: "Page one"}, {ID: "p2", Name: "Page two"}}})
	sealed, err := e.Keys.Seal(raw, choiceAAD(hash))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SaveOAuthState(testCtx, &store.OAuthState{StateHash: hash, WorkspaceID: w.WS.ID, UserID: u.ID, Network: network,
		Sealed: sealed, ExpiresAt: e.Clock.Now().Add(choiceTTL)}); err != nil {
		t.Fatal(err)
	}
	return key
}
