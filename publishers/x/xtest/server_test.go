package xtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
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

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %s", a.status, a.body)
	}
	return m
}

func do(t *testing.T, method, u, token, contentType string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
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
	return answer{resp.StatusCode, resp.Header, b}
}

func TestSpecLoads(t *testing.T) {
	sp, err := loadSpec()
	if err != nil {
		t.Fatalf("the X API description does not load: %v", err)
	}
	for _, route := range []string{"POST /2/tweets", "GET /2/tweets", "GET /2/users/me", "GET /2/users/{id}/tweets"} {
		method, path, _ := strings.Cut(route, " ")
		op, _ := sp.find(method, strings.ReplaceAll(path, "{id}", "1"))
		if op == nil {
			t.Errorf("%s is not in the description", route)
			continue
		}
		if len(op.scopes) == 0 {
			t.Errorf("%s has no OAuth 2.0 scopes", route)
		}
	}
	if op, _ := sp.find("POST", "/2/tweets"); op != nil && !slices.Equal(op.scopes, []string{"tweet.read", "tweet.write", "users.read"}) {
		t.Errorf("POST /2/tweets scopes %v", op.scopes)
	}
}

// Requests that break X's description are refused with X's 400 and fail the test.
func TestSpecBreakingRequestsAreRefused(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	tok := s.NewToken("").Access
	cases := []struct {
		name, method, path, body string
		want                     string // in the recorded failure
	}{
		{"unknown property in a post", "POST", "/2/tweets", `{"text":"hi","status":"hi"}`, "body.status is not a property X accepts here"},
		{"media without media_ids", "POST", "/2/tweets", `{"text":"hi","media":{}}`, "body.media.media_ids is required"},
		{"five media ids", "POST", "/2/tweets", `{"media":{"media_ids":["1","2","3","4","5"]}}`, "body.media.media_ids has 5 items, more than 4"},
		{"reply id not an id", "POST", "/2/tweets", `{"text":"hi","reply":{"in_reply_to_tweet_id":"abc"}}`, `body.reply.in_reply_to_tweet_id "abc" does not match`},
		{"text not a string", "POST", "/2/tweets", `{"text":42}`, "body.text must be a string"},
		{"no body", "POST", "/2/tweets", ``, "the required request body is missing"},
		{"lookup without ids", "GET", "/2/tweets?tweet.fields=public_metrics", ``, `required query parameter "ids" is missing`},
		{"lookup of 101 ids", "GET", "/2/tweets?ids=" + strings.Repeat("1,", 100) + "1", ``, "has 101 items, more than 100"},
		{"unknown tweet field", "GET", "/2/tweets?ids=1&tweet.fields=public_metrics,likes", ``, "must be one of"},
		{"unknown query parameter", "GET", "/2/tweets?ids=1&fields=public_metrics", ``, `query parameter "fields" is not described`},
		{"max_results below 5", "GET", "/2/users/1/tweets?max_results=1", ``, "is less than 5"},
		{"start_time not a date-time", "GET", "/2/users/1/tweets?start_time=yesterday", ``, "is not a date-time"},
		{"user id not an id", "GET", "/2/users/me1/tweets", ``, `"me1" does not match`},
		{"undescribed method", "DELETE", "/2/users/me", ``, "method DELETE is not described for /2/users/me"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(rec.errors())
			ct := ""
			if tc.body != "" {
				ct = "application/json"
			}
			a := do(t, tc.method, s.URL+tc.path, tok, ct, []byte(tc.body))
			if a.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", a.status, a.body)
			}
			if m := a.json(t); m["title"] != "Invalid Request" || m["type"] != "https://api.twitter.com/2/problems/invalid-request" {
				t.Errorf("body %s", a.body)
			}
			got := strings.Join(rec.errors()[before:], "\n")
			if !strings.Contains(got, tc.want) {
				t.Errorf("recorded %q, want %q", got, tc.want)
			}
		})
	}
	if s.Requests("POST", "/2/tweets") == 0 || len(s.Tweets()) != 0 {
		t.Errorf("a refused request created a post: %+v", s.Tweets())
	}

	// A path X documents nowhere.
	before := len(rec.errors())
	if a := do(t, "GET", s.URL+"/2/no_such_thing", tok, "", nil); a.status != http.StatusNotFound {
		t.Errorf("unknown path: %d", a.status)
	}
	if got := strings.Join(rec.errors()[before:], "\n"); !strings.Contains(got, "GET /2/no_such_thing is neither in X's API description") {
		t.Errorf("recorded %q", got)
	}
}

func TestDescribedRequestsPass(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	tok := s.NewToken("").Access
	id := s.AddTweet("seed", time.Now(), 0).ID
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/2/users/me?user.fields=profile_image_url,created_at", ""},
		{"POST", "/2/tweets", `{"text":"hello","reply":{"in_reply_to_tweet_id":"` + id + `"}}`},
		{"GET", "/2/tweets?ids=" + id + ",1&tweet.fields=public_metrics,created_at", ""},
		{"GET", "/2/users/" + s.UserID() + "/tweets?max_results=100&exclude=replies,retweets&start_time=2026-01-01T00:00:00Z&tweet.fields=created_at,attachments,referenced_tweets", ""},
	} {
		ct := ""
		if r.body != "" {
			ct = "application/json"
		}
		if a := do(t, r.method, s.URL+r.path, tok, ct, []byte(r.body)); a.status >= 300 {
			t.Errorf("%s %s: %d %s", r.method, r.path, a.status, a.body)
		}
	}
	if errs := rec.errors(); len(errs) > 0 {
		t.Errorf("described requests were flagged:\n%s", strings.Join(errs, "\n"))
	}
}

func TestTokensAndScopes(t *testing.T) {
	s := NewServer(t)
	a := do(t, "GET", s.URL+"/2/users/me", "", "", nil)
	if m := a.json(t); a.status != 401 || m["title"] != "Unauthorized" || m["type"] != "about:blank" {
		t.Errorf("no token: %d %s", a.status, a.body)
	}
	// POST /2/tweets needs tweet.read, tweet.write and users.read (X's description).
	readOnly := s.NewToken("tweet.read users.read").Access
	if a := do(t, "POST", s.URL+"/2/tweets", readOnly, "application/json", []byte(`{"text":"x"}`)); a.status != 403 || !strings.Contains(string(a.body), "tweet.write") {
		t.Errorf("without tweet.write: %d %s", a.status, a.body)
	}
	// The media upload needs media.write (X's documentation).
	noMedia := s.NewToken("tweet.read tweet.write users.read").Access
	if a := do(t, "POST", s.URL+"/2/media/upload/initialize", noMedia, "application/json", []byte(`{"media_type":"image/png","total_bytes":1}`)); a.status != 403 {
		t.Errorf("without media.write: %d %s", a.status, a.body)
	}
	full := s.NewToken("")
	s.ExpireToken(full.Access)
	if a := do(t, "GET", s.URL+"/2/users/me", full.Access, "", nil); a.status != 401 {
		t.Errorf("expired token: %d", a.status)
	}
}

func TestEveryAPIAnswerCarriesRateLimitHeaders(t *testing.T) {
	s := NewServer(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.SetNow(func() time.Time { return now })
	tok := s.NewToken("").Access
	for i := range 3 {
		a := do(t, "GET", s.URL+"/2/users/me", tok, "", nil)
		if a.header.Get("x-rate-limit-limit") != "75" || a.header.Get("x-rate-limit-remaining") != fmt.Sprint(74-i) ||
			a.header.Get("x-rate-limit-reset") != fmt.Sprint(now.Add(RateWindow).Unix()) || a.header.Get("Date") != "Sun, 01 Mar 2026 12:00:00 UTC" {
			t.Errorf("headers %v", a.header)
		}
	}
	// The window is per endpoint.
	if a := do(t, "GET", s.URL+"/2/tweets?ids=1", tok, "", nil); a.header.Get("x-rate-limit-remaining") != "899" {
		t.Errorf("GET /2/tweets remaining %s", a.header.Get("x-rate-limit-remaining"))
	}
	s.SetRateLimit("GET /2/users/me", 1)
	do(t, "GET", s.URL+"/2/users/me", tok, "", nil)
	a := do(t, "GET", s.URL+"/2/users/me", tok, "", nil)
	if m := a.json(t); a.status != 429 || a.header.Get("x-rate-limit-remaining") != "0" || m["title"] != "Too Many Requests" {
		t.Errorf("over the limit: %d %v %s", a.status, a.header, a.body)
	}

	// Creating posts counts towards the daily cap.
	a = do(t, "POST", s.URL+"/2/tweets", tok, "application/json", []byte(`{"text":"one"}`))
	if a.status != 201 || a.header.Get("x-user-limit-24hour-limit") != "100" || a.header.Get("x-user-limit-24hour-remaining") != "99" ||
		a.header.Get("x-user-limit-24hour-reset") != fmt.Sprint(now.Add(24*time.Hour).Unix()) {
		t.Errorf("create: %d %v", a.status, a.header)
	}
	s.SetDailyLimit(1)
	a = do(t, "POST", s.URL+"/2/tweets", tok, "application/json", []byte(`{"text":"two"}`))
	if a.status != 429 || a.header.Get("x-user-limit-24hour-remaining") != "0" {
		t.Errorf("over the daily cap: %d %v", a.status, a.header)
	}
	s.Inject(1, DailyCapReached(time.Hour))
	a = do(t, "POST", s.URL+"/2/tweets", tok, "application/json", []byte(`{"text":"three"}`))
	if a.status != 429 || a.header.Get("x-user-limit-24hour-reset") != fmt.Sprint(now.Add(time.Hour).Unix()) {
		t.Errorf("injected daily cap: %d %v", a.status, a.header)
	}
}

func TestCreateTweetChecksWhatXChecks(t *testing.T) {
	s := NewServer(t)
	tok := s.NewToken("").Access
	post := func(body string) answer {
		return do(t, "POST", s.URL+"/2/tweets", tok, "application/json", []byte(body))
	}

	a := post(`{"text":"Hi & bye https://example.com/a"}`)
	m := a.json(t)
	data, _ := m["data"].(map[string]any)
	if a.status != 201 || !strings.HasPrefix(fmt.Sprint(data["text"]), "Hi &amp; bye https://t.co/") || data["id"] == "" {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	for body, want := range map[string]string{
		`{"text":"Hi & bye https://example.com/a"}`: "duplicate content",
		`{"text":" "}`: "text is required",
		`{"text":"` + strings.Repeat("a", 281) + `"}`:                    "too long",
		`{"text":"x","reply":{"in_reply_to_tweet_id":"42"}}`:             "deleted or not visible",
		`{"text":"x","media":{"media_ids":["1234"]}}`:                    "media IDs are invalid",
		`{"text":"x","poll":{"options":["a","b"],"duration_minutes":5}}`: "does not simulate",
	} {
		a := post(body)
		if a.status < 400 || !strings.Contains(string(a.body), want) {
			t.Errorf("%.40s: %d %s, want %q", body, a.status, a.body, want)
		}
	}
	if n := s.CreatedWithText("Hi & bye https://example.com/a"); n != 1 {
		t.Errorf("created %d times", n)
	}
}

func TestTokenEndpoint(t *testing.T) {
	s := NewServer(t)
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	challenge := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" // RFC 7636 appendix B
	authorize := func() string {
		q := url.Values{"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {DefaultCallback},
			"scope": {DefaultScopes}, "state": {"st"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		back, err := s.Authorize(s.URL + "/i/oauth2/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(back)
		return u.Query().Get("code")
	}
	exchange := func(form url.Values, basic bool) answer {
		req, _ := http.NewRequest("POST", s.URL+"/2/oauth2/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header, b}
	}
	codeForm := func(code, v string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {DefaultCallback}, "code_verifier": {v}}
	}

	// A confidential client must use Basic.
	code := authorize()
	if a := exchange(codeForm(code, verifier), false); a.status != 401 || a.json(t)["error"] != "unauthorized_client" {
		t.Errorf("without Basic: %d %s", a.status, a.body)
	}
	// A wrong verifier spends the code.
	code = authorize()
	if a := exchange(codeForm(code, "wrong-verifier-wrong-verifier-wrong-verifier"), true); a.status != 400 || a.json(t)["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %d %s", a.status, a.body)
	}
	if a := exchange(codeForm(code, verifier), true); a.status != 400 {
		t.Errorf("code used twice: %d %s", a.status, a.body)
	}
	// The right one.
	code = authorize()
	a := exchange(codeForm(code, verifier), true)
	m := a.json(t)
	if a.status != 200 || m["token_type"] != "bearer" || m["expires_in"] != float64(7200) || m["refresh_token"] == nil || m["scope"] != DefaultScopes {
		t.Fatalf("exchange: %d %s", a.status, a.body)
	}
	refresh := m["refresh_token"].(string)
	// Refresh tokens rotate: the used one is refused afterwards.
	a = exchange(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, true)
	next := a.json(t)["refresh_token"]
	if a.status != 200 || next == nil || next == refresh {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	if a := exchange(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, true); a.status != 400 || a.json(t)["error"] != "invalid_grant" {
		t.Errorf("reused refresh token: %d %s", a.status, a.body)
	}
	// Codes expire after 30 seconds.
	code = authorize()
	later := time.Now().Add(CodeTTL + time.Second)
	s.SetNow(func() time.Time { return later })
	if a := exchange(codeForm(code, verifier), true); a.status != 400 {
		t.Errorf("expired code: %d %s", a.status, a.body)
	}
}

func TestAuthorizePage(t *testing.T) {
	s := NewServer(t)
	base := url.Values{"response_type": {"code"}, "client_id": {DefaultClientID}, "redirect_uri": {DefaultCallback},
		"scope": {DefaultScopes}, "state": {"st"}, "code_challenge": {"c"}, "code_challenge_method": {"S256"}}
	with := func(k, v string) string {
		q := url.Values{}
		for kk, vv := range base {
			q[kk] = vv
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return s.URL + "/i/oauth2/authorize?" + q.Encode()
	}
	for _, u := range []string{with("client_id", "unknown"), with("redirect_uri", "https://evil.example/cb"), with("state", "")} {
		if _, err := s.Authorize(u); err == nil {
			t.Errorf("%s was not refused with an error page", u)
		}
	}
	for k, v := range map[string]string{"scope": "tweet.read nonsense", "code_challenge_method": "", "response_type": "token"} {
		back, err := s.Authorize(with(k, v))
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := url.Parse(back); u.Query().Get("error") == "" || u.Query().Get("code") != "" || u.Query().Get("state") != "st" {
			t.Errorf("%s=%q: %s", k, v, back)
		}
	}
}

func TestMediaUpload(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	s.SetMediaProcessing(2)
	tok := s.NewToken("").Access
	a := do(t, "POST", s.URL+"/2/media/upload/initialize", tok, "application/json", []byte(`{"media_type":"video/mp4","total_bytes":10,"media_category":"tweet_video"}`))
	data, _ := a.json(t)["data"].(map[string]any)
	id, _ := data["id"].(string)
	if a.status != 200 || id == "" || data["media_key"] != "7_"+id {
		t.Fatalf("initialize: %d %s", a.status, a.body)
	}
	appendChunk := func(seg string, chunk []byte, extra ...string) answer {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("segment_index", seg)
		for _, f := range extra {
			_ = w.WriteField(f, "x")
		}
		p, _ := w.CreateFormFile("media", "blob")
		_, _ = p.Write(chunk)
		_ = w.Close()
		return do(t, "POST", s.URL+"/2/media/upload/"+id+"/append", tok, w.FormDataContentType(), buf.Bytes())
	}
	if a := appendChunk("0", []byte("12345")); a.status != 200 {
		t.Fatalf("append 0: %d %s", a.status, a.body)
	}
	if a := do(t, "POST", s.URL+"/2/media/upload/"+id+"/finalize", tok, "", nil); a.status != 400 || !strings.Contains(string(a.body), "size mismatch") {
		t.Errorf("finalize early: %d %s", a.status, a.body)
	}
	if a := appendChunk("1000", []byte("67890")); a.status != 400 {
		t.Errorf("segment 1000: %d", a.status)
	}
	appendChunk("1", []byte("67890"))
	a = do(t, "POST", s.URL+"/2/media/upload/"+id+"/finalize", tok, "", nil)
	if info := a.json(t)["data"].(map[string]any)["processing_info"].(map[string]any); a.status != 200 || info["state"] != "pending" || info["check_after_secs"] != float64(1) {
		t.Fatalf("finalize: %d %s", a.status, a.body)
	}
	states := []string{}
	for range 2 {
		a := do(t, "GET", s.URL+"/2/media/upload?command=STATUS&media_id="+id, tok, "", nil)
		states = append(states, fmt.Sprint(a.json(t)["data"].(map[string]any)["processing_info"].(map[string]any)["state"]))
	}
	if strings.Join(states, ",") != "in_progress,succeeded" {
		t.Errorf("states %v", states)
	}
	if errs := rec.errors(); len(errs) > 0 {
		t.Errorf("documented requests were flagged: %v", errs)
	}

	// What the documentation does not describe is refused and flagged.
	for _, r := range []struct{ method, path, ct, body string }{
		{"POST", "/2/media/upload/initialize", "application/json", `{"media_type":"video/mp4","total_bytes":10,"command":"INIT"}`},
		{"POST", "/2/media/upload/initialize", "application/x-www-form-urlencoded", `command=INIT&media_type=video/mp4`},
		{"GET", "/2/media/upload?media_id=" + id, "", ""},
		{"POST", "/2/media/metadata", "application/json", `{"media_id":"` + id + `","alt_text":{"text":"x"}}`},
	} {
		before := len(rec.errors())
		if a := do(t, r.method, s.URL+r.path, tok, r.ct, []byte(r.body)); a.status != 400 {
			t.Errorf("%s %s %s: %d %s", r.method, r.path, r.body, a.status, a.body)
		}
		if len(rec.errors()) == before {
			t.Errorf("%s %s %s was not flagged", r.method, r.path, r.body)
		}
	}
	if a := appendChunk("2", []byte("x"), "command"); a.status != 400 {
		t.Errorf("append with command: %d", a.status)
	}
}

func TestNewServerFailsWithoutTheDescription(t *testing.T) {
	if _, err := parseSpec([]byte("openapi: 3.0.0\npaths: {}\n")); err == nil {
		t.Error("a description without paths was accepted")
	}
	if _, err := parseSpec([]byte("{not yaml: [")); err == nil {
		t.Error("a broken description was accepted")
	}
}
