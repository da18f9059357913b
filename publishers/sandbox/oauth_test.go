package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

func TestMeta(t *testing.T) {
	n := New(Options{Logger: quiet})
	m := n.Meta()
	if m.Name != "sandbox" || m.DisplayName != "Sandbox (demo network)" || !m.Sandbox || m.Connect != publishers.ConnectOAuth2 {
		t.Errorf("meta = %+v", m)
	}
	c := m.Capabilities
	if len(c.MediaKinds) != 1 || c.MediaKinds[0] != "image" || !c.FirstComment || !c.Idempotency || !c.FindPublished || !c.Threads {
		t.Errorf("capabilities = %+v", c)
	}
	if got := strings.Join(c.Metrics, ","); got != "likes,reposts,replies,quotes,impressions,clicks" {
		t.Errorf("metrics = %s", got)
	}
	if m.Rules.Network != "sandbox" || m.Rules.MaxLength != 500 || !m.Rules.FirstComment {
		t.Errorf("rules = %+v", m.Rules)
	}
	var _ publishers.OAuthConnector = n
}

func TestOAuthRoundTrip(t *testing.T) {
	e := newEnv(t)
	in := e.start()
	authURL, pending, err := e.n.BeginOAuth(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("pending = %v, want nothing", pending)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != e.base+"/sandbox/oauth/authorize" {
		t.Errorf("auth URL = %s", got)
	}
	want := map[string]string{
		"client_id": "herald-sandbox", "redirect_uri": in.RedirectURL, "state": in.State, "response_type": "code",
		"code_challenge": oauth2.S256ChallengeFromVerifier(in.Verifier), "code_challenge_method": "S256",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}

	page := e.get(authURL)
	for _, s := range []string{"Sandbox — a pretend network for trying Herald", "Connect as:", `value="Herald Coffee (sandbox)"`, ">Allow<", ">Deny<", "Sandbox — not a real network"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("consent page lacks %q", s)
		}
	}
	if page.header.Get("Cache-Control") != "no-store" || !strings.Contains(page.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("consent page headers = %v", page.header)
	}

	loc := e.authorize(in, "Herald Coffee (sandbox)", "allow")
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != in.RedirectURL {
		t.Errorf("redirected to %s", got)
	}
	if loc.Query().Get("state") != in.State {
		t.Errorf("state = %q, want it echoed", loc.Query().Get("state"))
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", loc)
	}
	creds, acct, err := e.n.CompleteOAuth(context.Background(), in, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Handle != "@heraldcoffee" || acct.Name != "Herald Coffee (sandbox)" || acct.ExternalID != "sbx-heraldcoffee" || acct.URL != e.base+"/sandbox/@heraldcoffee" {
		t.Errorf("account = %+v", acct)
	}
	if creds.AccessToken == "" || creds.RefreshToken == "" || creds.Get("handle") != "heraldcoffee" {
		t.Errorf("creds = %+v", creds)
	}
	if want := e.clk.Now().Add(time.Hour); !creds.Expiry.Equal(want) {
		t.Errorf("expiry = %v, want %v (the sandbox's clock plus expires_in)", creds.Expiry, want)
	}

	// The token works on the API; a made-up one does not.
	req, _ := http.NewRequest(http.MethodGet, e.base+"/sandbox/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+creds.AccessToken)
	me := e.do(req)
	var body meResponse
	if err := json.Unmarshal([]byte(me.body), &body); err != nil || me.status != 200 || body.Handle != "heraldcoffee" {
		t.Errorf("/api/me = %d %s", me.status, me.body)
	}
	req.Header.Set("Authorization", "Bearer nope")
	if r := e.do(req); r.status != http.StatusUnauthorized {
		t.Errorf("/api/me with a bad token = %d", r.status)
	}

	// The code was used up.
	if _, _, err := e.n.CompleteOAuth(context.Background(), in, nil, code); err == nil {
		t.Error("a code was accepted twice")
	}

	// Connecting again with the same name is the same account.
	_, again := e.connect("herald coffee")
	if again.ExternalID != acct.ExternalID {
		t.Errorf("reconnect gave %+v", again)
	}
}

func TestOAuthWrongVerifier(t *testing.T) {
	e := newEnv(t)
	in := e.start()
	code := e.authorize(in, "Herald Coffee", "allow").Query().Get("code")
	wrong := in
	wrong.Verifier = oauth2.GenerateVerifier()
	_, _, err := e.n.CompleteOAuth(context.Background(), wrong, nil, code)
	if err == nil {
		t.Fatal("a wrong PKCE verifier was accepted")
	}
	pe := kindOf(t, err)
	if pe.Kind != publishers.KindPermanent || pe.Code != "invalid_grant" || pe.Status != http.StatusBadRequest || !strings.Contains(pe.Message, "code_challenge") {
		t.Errorf("error = %+v", pe)
	}
	// A failed exchange uses the code up: the right verifier cannot rescue it.
	if _, _, err := e.n.CompleteOAuth(context.Background(), in, nil, code); err == nil {
		t.Error("the code survived a failed exchange")
	}

	// The token endpoint, spoken to directly.
	in = e.start()
	code = e.authorize(in, "Herald Coffee", "allow").Query().Get("code")
	tok := func(form url.Values) response { return e.post("/sandbox/oauth/token", form) }
	if r := tok(url.Values{"grant_type": {"authorization_code"}, "client_id": {"someone-else"}, "code": {code}}); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "invalid_client") {
		t.Errorf("unknown client: %d %s", r.status, r.body)
	}
	r := tok(url.Values{"grant_type": {"authorization_code"}, "client_id": {ClientID}, "code": {code}, "redirect_uri": {in.RedirectURL}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "invalid_grant") || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("missing verifier: %d %s", r.status, r.body)
	}
	if r := tok(url.Values{"grant_type": {"password"}, "client_id": {ClientID}}); !strings.Contains(r.body, "unsupported_grant_type") {
		t.Errorf("password grant: %d %s", r.status, r.body)
	}
}

func TestOAuthRedirectURIMustMatch(t *testing.T) {
	e := newEnv(t)
	in := e.start()
	code := e.authorize(in, "Herald Coffee", "allow").Query().Get("code")
	other := in
	other.RedirectURL = e.base + "/elsewhere"
	_, _, err := e.n.CompleteOAuth(context.Background(), other, nil, code)
	if err == nil || !strings.Contains(err.Error(), "redirect_uri") {
		t.Errorf("err = %v, want a redirect_uri mismatch", err)
	}
}

func TestOAuthCodeExpires(t *testing.T) {
	e := newEnv(t)
	in := e.start()
	code := e.authorize(in, "Herald Coffee", "allow").Query().Get("code")
	e.clk.Add(11 * time.Minute)
	_, _, err := e.n.CompleteOAuth(context.Background(), in, nil, code)
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("err = %v, want an expired code", err)
	}
}

func TestOAuthDeny(t *testing.T) {
	e := newEnv(t)
	in := e.start()
	loc := e.authorize(in, "Herald Coffee", "deny")
	q := loc.Query()
	if q.Get("error") != "access_denied" || q.Get("state") != in.State || q.Get("code") != "" {
		t.Errorf("deny redirect = %s", loc)
	}
}

func TestAuthorizeValidation(t *testing.T) {
	e := newEnv(t)
	in := e.start()
	authURL, _, _ := e.n.BeginOAuth(context.Background(), in)
	good, _ := url.Parse(authURL)
	tests := []struct {
		name   string
		change func(q url.Values)
		status int
		error  string // the error sent back to the redirect URI; "" for an error page
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "evil") }, http.StatusBadRequest, ""},
		{"foreign redirect", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, http.StatusBadRequest, ""},
		{"relative redirect", func(q url.Values) { q.Set("redirect_uri", "/cb") }, http.StatusBadRequest, ""},
		{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, http.StatusFound, "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, http.StatusFound, "invalid_request"},
		{"short challenge", func(q url.Values) { q.Set("code_challenge", "abc") }, http.StatusFound, "invalid_request"},
		{"implicit flow", func(q url.Values) { q.Set("response_type", "token") }, http.StatusFound, "unsupported_response_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := *good
			q := u.Query()
			tt.change(q)
			u.RawQuery = q.Encode()
			r := e.get(u.String())
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			loc := r.header.Get("Location")
			if tt.error == "" {
				if loc != "" {
					t.Errorf("redirected to %s; an invalid client or redirect URI must not redirect", loc)
				}
				return
			}
			lu, _ := url.Parse(loc)
			if lu.Query().Get("error") != tt.error || lu.Query().Get("state") != in.State {
				t.Errorf("redirect = %s", loc)
			}
		})
	}
}

func TestConsentCSRF(t *testing.T) {
	e := newEnv(t)
	in := e.start()
	authURL, _, _ := e.n.BeginOAuth(context.Background(), in)
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("account_name", "Mallory")
	form.Set("decision", "allow")
	for _, h := range [][]string{nil, {"Origin", "https://evil.example"}, {"Origin", "null"}, {"Referer", "https://evil.example/page"}} {
		if r := e.post("/sandbox/oauth/authorize", form, h...); r.status != http.StatusForbidden || r.header.Get("Location") != "" {
			t.Errorf("POST with %v: %d, want 403", h, r.status)
		}
	}
	if r := e.post("/sandbox/oauth/authorize", form, "Referer", e.base+"/sandbox/oauth/authorize?x=1"); r.status != http.StatusSeeOther {
		t.Errorf("same-origin Referer: %d %s", r.status, r.body)
	}
}

// TestInProcessTransport connects and refreshes with the default client, which talks to the
// handler without a socket: BaseURL need not even resolve.
func TestInProcessTransport(t *testing.T) {
	clk := newClock()
	n := New(Options{Now: clk.Now, BaseURL: "https://herald.invalid", Logger: quiet})
	in := publishers.OAuthStart{RedirectURL: "https://herald.invalid/callback", State: "st", Verifier: oauth2.GenerateVerifier()}
	authURL, _, err := n.BeginOAuth(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("decision", "allow")
	form.Set("account_name", "Café Herald")
	req := httptest.NewRequest(http.MethodPost, "https://herald.invalid/sandbox/oauth/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://herald.invalid")
	rec := httptest.NewRecorder()
	n.Handler().ServeHTTP(rec, req)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	creds, acct, err := n.CompleteOAuth(context.Background(), in, nil, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if acct.Handle != "@cafeherald" || acct.Name != "Café Herald" {
		t.Errorf("account = %+v", acct)
	}
	clk.Add(58 * time.Minute)
	fresh, changed, err := n.Refresh(context.Background(), creds)
	if err != nil || !changed || fresh.AccessToken == creds.AccessToken || fresh.RefreshToken == creds.RefreshToken {
		t.Fatalf("Refresh = %+v, %v, %v", fresh, changed, err)
	}
}

func TestBeginOAuthNeedsStateAndVerifier(t *testing.T) {
	n := New(Options{Logger: quiet})
	for _, in := range []publishers.OAuthStart{
		{RedirectURL: "http://localhost:8080/cb", State: "s"},
		{RedirectURL: "http://localhost:8080/cb", Verifier: oauth2.GenerateVerifier()},
		{State: "s", Verifier: oauth2.GenerateVerifier()},
	} {
		if _, _, err := n.BeginOAuth(context.Background(), in); err == nil {
			t.Errorf("BeginOAuth(%+v) succeeded", in)
		}
	}
}
