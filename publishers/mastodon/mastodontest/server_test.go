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
	_, b := do(t, http.MethodPost, s.URL+"/api/v1/statuses", token, "application/json", []byte(`{"status":"hello","visibility":"public"}`))
	var st struct{ ID string }
	_ = json.Unmarshal(b, &st)
	do(t, http.MethodPost, s.URL+"/api/v1/statuses", token, "application/json", []byte(`{"status":"again","visibility":"public","in_reply_to_id":"`+st.ID+`"}`))
	do(t, http.MethodGet, s.URL+"/api/v1/statuses/"+st.ID+"/context", token, "", nil)
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

// postStatus creates a status through the API and returns its id.
func postStatus(t *testing.T, s *Server, token, body string) (int, string) {
	t.Helper()
	resp, b := do(t, http.MethodPost, s.URL+"/api/v1/statuses", token, "application/json", []byte(body))
	var st struct{ ID string }
	_ = json.Unmarshal(b, &st)
	return resp.StatusCode, st.ID
}

// A reply chain: each reply points at its parent, the context lists it as Mastodon does, and a
// fault aimed at the n-th status of a chain hits that one only.
func TestRepliesContextAndPartFaults(t *testing.T) {
	s := NewServer(t)
	token := s.NewToken("")
	s.Inject(1, Fault{Status: http.StatusUnprocessableEntity, Error: "Validation failed: part 3 refused"}.OnPart(3))

	code, root := postStatus(t, s, token, `{"status":"1/3","visibility":"public"}`)
	if code != 200 {
		t.Fatalf("root: %d", code)
	}
	code, second := postStatus(t, s, token, `{"status":"2/3","visibility":"public","in_reply_to_id":"`+root+`"}`)
	if code != 200 {
		t.Fatalf("part 2: %d", code)
	}
	// Another status that replies to nothing, and a second reply to the root: neither is the
	// third status of a chain.
	if code, _ := postStatus(t, s, token, `{"status":"unrelated"}`); code != 200 {
		t.Fatalf("unrelated: %d", code)
	}
	if code, _ := postStatus(t, s, token, `{"status":"another reply","in_reply_to_id":"`+root+`"}`); code != 200 {
		t.Fatalf("second reply to the root: %d", code)
	}
	if code, _ := postStatus(t, s, token, `{"status":"3/3","in_reply_to_id":"`+second+`"}`); code != http.StatusUnprocessableEntity {
		t.Fatalf("part 3 under the fault: %d, want 422", code)
	}
	code, third := postStatus(t, s, token, `{"status":"3/3","in_reply_to_id":"`+second+`"}`)
	if code != 200 {
		t.Fatalf("part 3 once the fault is used up: %d", code)
	}
	if st, _ := s.Status(third); st.InReplyToID != second {
		t.Fatalf("part 3 replies to %q", st.InReplyToID)
	}
	if r := s.Replies(root); len(r) != 2 || r[0].ID != second || r[1].Text != "another reply" {
		t.Fatalf("replies to the root: %+v", r)
	}

	var ctx struct {
		Ancestors, Descendants []struct {
			ID          string  `json:"id"`
			InReplyToID *string `json:"in_reply_to_id"`
			Content     string  `json:"content"`
		}
	}
	resp, b := do(t, http.MethodGet, s.URL+"/api/v1/statuses/"+second+"/context", token, "", nil)
	if err := json.Unmarshal(b, &ctx); resp.StatusCode != 200 || err != nil {
		t.Fatalf("context: %d %s", resp.StatusCode, b)
	}
	if len(ctx.Ancestors) != 1 || ctx.Ancestors[0].ID != root || len(ctx.Descendants) != 1 || ctx.Descendants[0].ID != third ||
		*ctx.Descendants[0].InReplyToID != second {
		t.Errorf("context of part 2: %s", b)
	}
	resp, b = do(t, http.MethodGet, s.URL+"/api/v1/statuses/"+root+"/context", token, "", nil)
	ctx.Ancestors, ctx.Descendants = nil, nil
	if err := json.Unmarshal(b, &ctx); resp.StatusCode != 200 || err != nil {
		t.Fatalf("context of the root: %d %s", resp.StatusCode, b)
	}
	var order []string
	for _, d := range ctx.Descendants {
		order = append(order, d.Content)
	}
	// Depth first: part 2, its reply, then the root's other reply.
	if want := "<p>2/3</p>,<p>3/3</p>,<p>another reply</p>"; strings.Join(order, ",") != want || len(ctx.Ancestors) != 0 {
		t.Errorf("context of the root: %v, want %s", order, want)
	}
	if resp, _ := do(t, http.MethodGet, s.URL+"/api/v1/statuses/404/context", token, "", nil); resp.StatusCode != 404 {
		t.Errorf("context of an unknown status: %d", resp.StatusCode)
	}
}
