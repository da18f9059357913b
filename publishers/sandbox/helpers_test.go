package sandbox

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is a sandbox served over real HTTP by an httptest server, with a browser that does not
// follow redirects (so tests can read them).
type env struct {
	t       *testing.T
	n       *Network
	clk     *clock
	base    string
	browser *http.Client
}

func newEnv(t *testing.T, mods ...func(*Options)) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	clk := newClock()
	opts := Options{Now: clk.Now, BaseURL: base + "/", HTTPClient: &http.Client{Timeout: 10 * time.Second}, Logger: quiet}
	for _, m := range mods {
		m(&opts)
	}
	n := New(opts)
	srv.Config.Handler = n.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{t: t, n: n, clk: clk, base: base, browser: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	resp, err := e.browser.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (e *env) get(rawURL string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

// post sends a form as a browser would; headers such as Origin are given as pairs.
func (e *env) post(path string, form url.Values, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

// start begins an OAuth attempt as Herald would.
func (e *env) start() publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: e.base + "/api/v1/channels/oauth/callback", State: publishers.NewState(), Verifier: oauth2.GenerateVerifier()}
}

// authorize walks the browser through the consent page and returns where the sandbox sent it.
func (e *env) authorize(in publishers.OAuthStart, name, decision string) *url.URL {
	e.t.Helper()
	authURL, _, err := e.n.BeginOAuth(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	page := e.get(authURL)
	if page.status != http.StatusOK {
		e.t.Fatalf("consent page: %d %s", page.status, page.body)
	}
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("account_name", name)
	form.Set("decision", decision)
	resp := e.post("/sandbox/oauth/authorize", form, "Origin", e.base)
	if resp.status != http.StatusSeeOther {
		e.t.Fatalf("consent POST: %d %s", resp.status, resp.body)
	}
	loc, err := url.Parse(resp.header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	return loc
}

// connect runs the whole OAuth flow and returns the channel's credentials.
func (e *env) connect(name string) (*publishers.Credentials, publishers.Account) {
	e.t.Helper()
	in := e.start()
	loc := e.authorize(in, name, "allow")
	creds, acct, err := e.n.CompleteOAuth(context.Background(), in, nil, loc.Query().Get("code"))
	if err != nil {
		e.t.Fatalf("CompleteOAuth: %v", err)
	}
	return creds, acct
}

// publish publishes text under key and fails the test on error.
func (e *env) publish(creds *publishers.Credentials, key, text string) publishers.Published {
	e.t.Helper()
	res, err := e.n.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: key, Text: text})
	if err != nil {
		e.t.Fatalf("Publish(%q): %v", text, err)
	}
	return res
}

// kindOf returns the classified kind of err, failing the test when it is not a *publishers.Error.
func kindOf(t *testing.T, err error) *publishers.Error {
	t.Helper()
	pe, ok := err.(*publishers.Error)
	if !ok {
		t.Fatalf("error %v (%T) is not a *publishers.Error", err, err)
	}
	if pe.Network != Name {
		t.Errorf("error network = %q", pe.Network)
	}
	return pe
}
