package mastodontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder stands in for a test so the fake's own failures can be asserted.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

func do(t *testing.T, method, url, token, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func requireSpec(t *testing.T, s *Server) {
	t.Helper()
	if !s.SpecChecked() {
		t.Skip("the Mastodon API description is not available")
	}
}

func TestSpecCheckerFlagsRequestsTheDescriptionLacks(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	requireSpec(t, s)

	do(t, http.MethodGet, s.URL+"/api/v1/no_such_thing", "", "", nil)
	do(t, http.MethodPatch, s.URL+"/api/v1/statuses", "", "", nil)
	do(t, http.MethodGet, s.URL+"/oauth/authorize?response_type=code", "", "", nil)
	do(t, http.MethodPost, s.URL+"/api/v1/apps", "", "application/json", []byte(`{"client_name":"x"}`))

	got := strings.Join(rec.errors(), "\n")
	for _, want := range []string{
		"GET /api/v1/no_such_thing is not in the Mastodon API description",
		"method PATCH is not described for /api/v1/statuses",
		`required query parameter "client_id" is missing`,
		`required query parameter "redirect_uri" is missing`,
		"required body parameters are missing: redirect_uris",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("checker output lacks %q:\n%s", want, got)
		}
	}
}

func TestSpecCheckerAcceptsDescribedRequests(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	requireSpec(t, s)
	token := s.NewToken("")
	do(t, http.MethodGet, s.URL+"/api/v1/accounts/verify_credentials", token, "", nil)
	do(t, http.MethodGet, s.URL+"/api/v1/accounts/"+s.AccountID()+"/statuses?limit=40", token, "", nil)
	do(t, http.MethodPost, s.URL+"/api/v1/statuses", token, "application/json", []byte(`{"status":"hello","visibility":"public"}`))
	do(t, http.MethodGet, s.URL+"/api/v2/instance", "", "", nil)
	if errs := rec.errors(); len(errs) > 0 {
		t.Errorf("checker flagged described requests:\n%s", strings.Join(errs, "\n"))
	}
}

// The scopes the fake enforces are the ones the description gives.
func TestRouteScopesMatchTheDescription(t *testing.T) {
	sp, _, err := loadSpec()
	if err != nil {
		t.Skip("the Mastodon API description is not available")
	}
	for route, scopes := range routeScopes {
		method, path, _ := strings.Cut(route, " ")
		op, _ := sp.find(method, strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "1"), "verify_credentials", "verify_credentials"))
		if op == nil {
			t.Errorf("%s is not in the description", route)
			continue
		}
		if !slices.Equal(slices.Sorted(slices.Values(op.scopes)), slices.Sorted(slices.Values(scopes))) {
			t.Errorf("%s: fake enforces %v, description says %v", route, scopes, op.scopes)
		}
	}
}

func TestCreateStatusValidatesTheBody(t *testing.T) {
	s := NewServer(t)
	token := s.NewToken("")
	cases := []struct {
		name, body string
		status     int
		errorText  string
	}{
		{"blank", `{"status":"  "}`, 422, "Validation failed: Text can't be blank"},
		{"unknown field", `{"status":"hi","media_ids[]":["1"]}`, 422, "not a parameter"},
		{"bad visibility", `{"status":"hi","visibility":"everyone"}`, 422, "Validation failed"},
		{"wrong type", `{"status":"hi","sensitive":"yes"}`, 422, "Validation failed"},
		{"too long", `{"status":"` + strings.Repeat("a", 501) + `"}`, 422, "character limit of 500"},
		{"reply to nothing", `{"status":"hi","in_reply_to_id":"42"}`, 404, "Record not found"},
		{"fine", `{"status":"hi","visibility":"public","language":"en"}`, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "wrong type" && !s.SpecChecked() {
				t.Skip("type checks need the API description")
			}
			resp, body := do(t, http.MethodPost, s.URL+"/api/v1/statuses", token, "application/json", []byte(tc.body))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			var e struct{ Error string }
			_ = json.Unmarshal(body, &e)
			if !strings.Contains(e.Error, tc.errorText) {
				t.Errorf("error %q does not contain %q", e.Error, tc.errorText)
			}
		})
	}
}

func TestEveryAnswerCarriesRateLimitHeaders(t *testing.T) {
	s := NewServer(&recorder{TB: t}) // the unknown path below is flagged on purpose
	s.SetNow(func() time.Time { return time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC) })
	token := s.NewToken("")
	for _, path := range []string{"/api/v1/accounts/verify_credentials", "/api/v1/statuses/404", "/nope"} {
		resp, _ := do(t, http.MethodGet, s.URL+path, token, "", nil)
		if resp.Header.Get("X-RateLimit-Limit") != "300" || resp.Header.Get("X-RateLimit-Remaining") == "" ||
			resp.Header.Get("X-RateLimit-Reset") != "2026-03-01T12:05:00.000000Z" {
			t.Errorf("%s: rate-limit headers %v", path, resp.Header)
		}
	}
	resp, _ := do(t, http.MethodGet, s.URL+"/api/v1/accounts/verify_credentials", token, "", nil)
	if got := resp.Header.Get("X-RateLimit-Remaining"); got != "296" {
		t.Errorf("remaining after 4 requests = %s, want 296", got)
	}

	s.Inject(1, RateLimited(90*time.Second))
	resp, _ = do(t, http.MethodGet, s.URL+"/api/v1/accounts/verify_credentials", token, "", nil)
	if resp.StatusCode != 429 || resp.Header.Get("X-RateLimit-Reset") != "2026-03-01T12:02:30.000000Z" ||
		resp.Header.Get("Date") != "Sun, 01 Mar 2026 12:01:00 GMT" {
		t.Errorf("429: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestScopesAreEnforced(t *testing.T) {
	s := NewServer(t)
	token := s.NewToken("write:statuses")
	resp, _ := do(t, http.MethodGet, s.URL+"/api/v1/accounts/verify_credentials", token, "", nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("verify_credentials without read: %d, want 403", resp.StatusCode)
	}
	s.RevokeToken(token)
	resp, body := do(t, http.MethodPost, s.URL+"/api/v1/statuses", token, "application/json", []byte(`{"status":"x"}`))
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "revoked") {
		t.Errorf("revoked token: %d %s", resp.StatusCode, body)
	}
}

func TestRenderContentKeepsTheVisibleText(t *testing.T) {
	got := renderContent("https://m.example", "Hi @bob@other.example & #Go\n\nsee https://example.com/a/very/long/path/that/goes/on/and/on.")
	for _, want := range []string{
		`<p>Hi <span class="h-card" translate="no"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span> &amp; <a href="https://m.example/tags/go" class="mention hashtag" rel="tag">#<span>Go</span></a></p>`,
		`<span class="invisible">https://</span><span class="ellipsis">example.com/a/very/long/path/t</span><span class="invisible">hat/goes/on/and/on</span></a>.</p>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %s\nlacks %s", got, want)
		}
	}
}
