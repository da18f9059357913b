package threadstest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// answer is one response, decoded.
type answer struct {
	status int
	body   map[string]any
	header http.Header
}

func (a answer) graph() (code, subcode int, msg string) {
	e, _ := a.body["error"].(map[string]any)
	if e == nil {
		return 0, 0, ""
	}
	c, _ := e["code"].(float64)
	sc, _ := e["error_subcode"].(float64)
	m, _ := e["message"].(string)
	return int(c), int(sc), m
}

func do(t *testing.T, method, u, token string, form url.Values) answer {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		u += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return answer{status: resp.StatusCode, body: m, header: resp.Header}
}

// fake starts a server on a fixed clock that refuses bad requests without failing the test, so
// refusals can be asserted.
func fake(t *testing.T) (*Server, *time.Time) {
	s := NewServer(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.SetNow(func() time.Time { return now })
	s.AllowBadRequests()
	return s, &now
}

func (s *Server) api(path string) string { return s.URL + "/" + Version + path }

// Each request that breaks the documented API is refused with Graph's code 100 and recorded.
func TestRefusesWhatThreadsRefuses(t *testing.T) {
	s, _ := fake(t)
	tok := s.NewToken(TokenOptions{Age: 48 * time.Hour})
	post := func(form url.Values) answer { return do(t, http.MethodPost, s.api("/me/threads"), tok, form) }
	cases := []struct {
		name string
		form url.Values
		msg  string
	}{
		{"unknown parameter", url.Values{"media_type": {"TEXT"}, "text": {"x"}, "caption": {"x"}}, "caption is not a valid parameter"},
		{"no media_type", url.Values{"text": {"x"}}, "media_type is required"},
		{"unknown media_type", url.Values{"media_type": {"REEL"}, "text": {"x"}}, "must be one of"},
		{"TEXT without text", url.Values{"media_type": {"TEXT"}}, "text is required"},
		{"TEXT with image_url", url.Values{"media_type": {"TEXT"}, "text": {"x"}, "image_url": {"https://a.example/i.jpg"}}, "image_url is not allowed"},
		{"IMAGE without image_url", url.Values{"media_type": {"IMAGE"}, "text": {"x"}}, "image_url is required"},
		{"IMAGE with video_url", url.Values{"media_type": {"IMAGE"}, "image_url": {"https://a.example/i.jpg"}, "video_url": {"https://a.example/v.mp4"}}, "video_url is not allowed"},
		{"IMAGE with a relative URL", url.Values{"media_type": {"IMAGE"}, "image_url": {"/i.jpg"}}, "valid URL"},
		{"VIDEO without video_url", url.Values{"media_type": {"VIDEO"}}, "video_url is required"},
		{"CAROUSEL without children", url.Values{"media_type": {"CAROUSEL"}, "text": {"x"}}, "children is required"},
		{"CAROUSEL of unknown children", url.Values{"media_type": {"CAROUSEL"}, "children": {"1,2"}}, "carousel item containers"},
		{"TEXT as a carousel item", url.Values{"media_type": {"TEXT"}, "text": {"x"}, "is_carousel_item": {"true"}}, "IMAGE or a VIDEO"},
		{"reply to an unknown post", url.Values{"media_type": {"TEXT"}, "text": {"x"}, "reply_to_id": {"123"}}, "reply_to_id"},
		{"a documented parameter the fake does not simulate", url.Values{"media_type": {"TEXT"}, "text": {"x"}, "poll_attachment": {"{}"}}, "does not simulate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Violations())
			a := post(tc.form)
			code, _, msg := a.graph()
			if a.status != 400 || code != 100 || !strings.Contains(msg, tc.msg) {
				t.Errorf("answer %d %v", a.status, a.body)
			}
			if len(s.Violations()) != before+1 {
				t.Errorf("not recorded as a violation: %v", s.Violations())
			}
		})
	}
	if s.ContainersCreated() != 0 {
		t.Errorf("%d containers were created from bad requests", s.ContainersCreated())
	}

	// Too long a text is refused (emojis count their UTF-8 bytes), but it is the person's
	// content, not a client bug.
	before := len(s.Violations())
	a := post(url.Values{"media_type": {"TEXT"}, "text": {strings.Repeat("a", 497) + "😀"}})
	if code, _, msg := a.graph(); code != 100 || !strings.Contains(msg, "at most 500 characters") || len(s.Violations()) != before {
		t.Errorf("long text: %d %v", a.status, a.body)
	}
	if a := post(url.Values{"media_type": {"TEXT"}, "text": {strings.Repeat("a", 496) + "😀"}}); a.status != 200 {
		t.Errorf("500 counted characters refused: %v", a.body)
	}

	// A field a node does not have.
	a = do(t, http.MethodGet, s.api("/me"), tok, url.Values{"fields": {"id,followers"}})
	if code, _, msg := a.graph(); code != 100 || !strings.Contains(msg, "nonexisting field (followers)") {
		t.Errorf("unknown field: %v", a.body)
	}
	// An endpoint Threads does not have.
	if code, _, _ := do(t, http.MethodGet, s.api("/me/feed"), tok, nil).graph(); code != 2500 {
		t.Error("an unknown path was served")
	}
}

// A bad request fails the test that sent it unless it allowed them.
func TestViolationsFailTheTest(t *testing.T) {
	inner := &testing.T{}
	ft := &fakeT{T: inner}
	s := NewServer(ft)
	tok := s.NewToken(TokenOptions{})
	do(t, http.MethodPost, s.api("/me/threads"), tok, url.Values{"media_type": {"IMAGE"}})
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "image_url is required") {
		t.Errorf("errors %q", ft.errors)
	}
	s.Close()
}

type fakeT struct {
	*testing.T
	errors []string
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Helper()        {}
func (f *fakeT) Cleanup(func()) {}

func TestOAuthFlowRules(t *testing.T) {
	s, now := fake(t)
	redirect := "https://herald.example/callback"
	s.RegisterRedirectURI(redirect)
	verifier := "a-verifier-that-is-long-enough-for-pkce-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	authorize := func(extra url.Values) url.Values {
		q := url.Values{"client_id": {s.AppID()}, "redirect_uri": {redirect}, "scope": {"threads_basic,threads_content_publish"},
			"response_type": {"code"}, "state": {"st"}}
		for k, v := range extra {
			q[k] = v
		}
		back, err := s.Authorize(s.AuthorizeURL() + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(back)
		if u.Fragment != "_" || u.Query().Get("state") != "st" {
			t.Errorf("redirect %s", back)
		}
		return u.Query()
	}
	exchange := func(code, verifier string) answer {
		f := url.Values{"client_id": {s.AppID()}, "client_secret": {s.AppSecret()}, "grant_type": {"authorization_code"},
			"redirect_uri": {redirect}, "code": {code}}
		if verifier != "" {
			f.Set("code_verifier", verifier)
		}
		return do(t, http.MethodPost, s.URL+"/oauth/access_token", "", f)
	}

	// PKCE is verified when the authorization carried a challenge.
	code := authorize(url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}).Get("code")
	if _, _, msg := exchange(code, "wrong").graph(); !strings.Contains(msg, "code_verifier") {
		t.Errorf("a wrong verifier: %s", msg)
	}
	if _, _, msg := exchange(code, "").graph(); !strings.Contains(msg, "code_verifier") {
		t.Errorf("no verifier: %s", msg)
	}
	a := exchange(code, verifier)
	short, _ := a.body["access_token"].(string)
	if a.status != 200 || short == "" {
		t.Fatalf("exchange %v", a.body)
	}
	// Codes are single-use.
	if _, sub, _ := exchange(code, verifier).graph(); sub != 36009 {
		t.Errorf("a reused code: subcode %d", sub)
	}
	// Codes expire.
	late := authorize(nil).Get("code")
	*now = now.Add(CodeTTL + time.Second)
	if _, sub, _ := exchange(late, "").graph(); sub != 36007 {
		t.Errorf("an expired code: subcode %d", sub)
	}
	// A redirect URI that is not registered is refused in the window itself.
	if _, err := s.Authorize(s.AuthorizeURL() + "?" + url.Values{"client_id": {s.AppID()}, "redirect_uri": {"https://evil.example/"},
		"scope": {"threads_basic"}, "response_type": {"code"}}.Encode()); err == nil {
		t.Error("an unregistered redirect URI was accepted")
	}

	// The long-lived exchange takes a short-lived token and the app secret.
	fresh := authorize(nil).Get("code")
	short, _ = exchange(fresh, "").body["access_token"].(string)
	if code, _, _ := do(t, http.MethodGet, s.URL+"/access_token", "", url.Values{"grant_type": {"th_exchange_token"}, "client_secret": {"nope"}, "access_token": {short}}).graph(); code != 1 {
		t.Errorf("a wrong secret: code %d", code)
	}
	a = do(t, http.MethodGet, s.URL+"/access_token", "", url.Values{"grant_type": {"th_exchange_token"}, "client_secret": {s.AppSecret()}, "access_token": {short}})
	long, _ := a.body["access_token"].(string)
	if ttl, _ := a.body["expires_in"].(float64); long == "" || time.Duration(ttl)*time.Second != LongLivedTTL {
		t.Fatalf("long-lived exchange %v", a.body)
	}
	// Short-lived tokens last an hour.
	*now = now.Add(ShortLivedTTL)
	if code, sub, _ := do(t, http.MethodGet, s.api("/me"), short, nil).graph(); code != 190 || sub != 463 {
		t.Errorf("an hour-old short-lived token: %d/%d", code, sub)
	}

	// Refreshing: not before 24 hours, not after expiry; the old token keeps working.
	refresh := func(tok string) answer {
		return do(t, http.MethodGet, s.URL+"/refresh_access_token", "", url.Values{"grant_type": {"th_refresh_token"}, "access_token": {tok}})
	}
	if _, _, msg := refresh(long).graph(); !strings.Contains(msg, "24 hours") {
		t.Errorf("a young token was refreshed: %s", msg)
	}
	*now = now.Add(MinRefreshAge)
	a = refresh(long)
	next, _ := a.body["access_token"].(string)
	if next == "" || next == long || !s.TokenExpiry(next).Equal(now.Add(LongLivedTTL)) {
		t.Errorf("refresh %v", a.body)
	}
	if a := do(t, http.MethodGet, s.api("/me"), long, nil); a.status != 200 {
		t.Errorf("the refreshed-away token stopped working: %v", a.body)
	}
	*now = now.Add(LongLivedTTL)
	if code, sub, _ := refresh(next).graph(); code != 190 || sub != 463 {
		t.Errorf("an expired token was refreshed: %d/%d", code, sub)
	}
}

func TestPermissionsAreChecked(t *testing.T) {
	s, _ := fake(t)
	basic := s.NewToken(TokenOptions{Scopes: []string{"threads_basic"}})
	if code, _, _ := do(t, http.MethodPost, s.api("/me/threads"), basic, url.Values{"media_type": {"TEXT"}, "text": {"x"}}).graph(); code != 10 {
		t.Errorf("publishing without threads_content_publish: code %d", code)
	}
	publish := s.NewToken(TokenOptions{Scopes: []string{"threads_basic", "threads_content_publish"}})
	root := s.AddPost(PostSeed{Text: "root", At: s.clock()})
	if code, _, _ := do(t, http.MethodPost, s.api("/me/threads"), publish, url.Values{"media_type": {"TEXT"}, "text": {"x"}, "reply_to_id": {root.ID}}).graph(); code != 10 {
		t.Errorf("replying without threads_manage_replies: code %d", code)
	}
	if code, _, _ := do(t, http.MethodGet, s.api("/"+root.ID+"/insights"), publish, url.Values{"metric": {"likes"}}).graph(); code != 10 {
		t.Errorf("insights without threads_manage_insights: code %d", code)
	}
	if code, _, _ := do(t, http.MethodGet, s.api("/me"), "", nil).graph(); code != 104 {
		t.Errorf("no token: code %d", code)
	}
}

func TestContainersAndPublishing(t *testing.T) {
	s, now := fake(t)
	tok := s.NewToken(TokenOptions{Age: 48 * time.Hour})
	s.SetProcessingDelay("VIDEO", time.Minute)
	create := func(form url.Values) string {
		a := do(t, http.MethodPost, s.api("/me/threads"), tok, form)
		id, _ := a.body["id"].(string)
		if id == "" {
			t.Fatalf("create %v", a.body)
		}
		return id
	}
	status := func(id string) string {
		a := do(t, http.MethodGet, s.api("/"+id), tok, url.Values{"fields": {"status,error_message"}})
		st, _ := a.body["status"].(string)
		return st
	}
	publish := func(id string) answer {
		return do(t, http.MethodPost, s.api("/"+s.UserID()+"/threads_publish"), tok, url.Values{"creation_id": {id}})
	}
	v := create(url.Values{"media_type": {"VIDEO"}, "video_url": {"https://a.example/v.mp4"}, "text": {"v"}})
	if status(v) != "IN_PROGRESS" {
		t.Errorf("status %s", status(v))
	}
	if code, sub, _ := publish(v).graph(); code != 24 || sub != 4279009 {
		t.Errorf("publishing a container in progress: %d/%d", code, sub)
	}
	*now = now.Add(time.Minute)
	if status(v) != "FINISHED" {
		t.Errorf("status %s", status(v))
	}
	a := publish(v)
	id, _ := a.body["id"].(string)
	if id == "" || status(v) != "PUBLISHED" || s.CreatedWithText("v") != 1 {
		t.Fatalf("publish %v", a.body)
	}
	if code, _, msg := publish(v).graph(); code != 100 || !strings.Contains(msg, "already been published") || s.CreatedWithText("v") != 1 {
		t.Errorf("publishing twice: %d %s", code, msg)
	}
	// The post reads back with its permalink and timestamp.
	a = do(t, http.MethodGet, s.api("/"+id), tok, url.Values{"fields": {"permalink,timestamp,media_type"}})
	if a.body["media_type"] != "VIDEO" || !strings.HasPrefix(a.body["permalink"].(string), "https://www.threads.net/@herald.test/post/") ||
		a.body["timestamp"] != "2026-03-02T10:01:00+0000" {
		t.Errorf("post %v", a.body)
	}

	// Carousels: 2 to 20 items; the carousel waits for its items.
	item := func(u string) string {
		return create(url.Values{"media_type": {"VIDEO"}, "video_url": {u}, "is_carousel_item": {"true"}})
	}
	one := item("https://a.example/1.mp4")
	if code, _, _ := do(t, http.MethodPost, s.api("/me/threads"), tok, url.Values{"media_type": {"CAROUSEL"}, "children": {one}}).graph(); code != 100 {
		t.Error("a carousel of one item was accepted")
	}
	car := create(url.Values{"media_type": {"CAROUSEL"}, "children": {one + "," + item("https://a.example/2.mp4")}})
	if status(car) != "IN_PROGRESS" {
		t.Errorf("carousel status %s while its items process", status(car))
	}
	if code, _, _ := publish(one).graph(); code != 100 {
		t.Error("a carousel item was published on its own")
	}

	// ERROR injection.
	s.FailContainers(ContainerFailure{MediaType: "IMAGE", Status: "ERROR", ErrorMessage: "UNKNOWN"})
	bad := create(url.Values{"media_type": {"IMAGE"}, "image_url": {"https://a.example/i.jpg"}})
	if a := do(t, http.MethodGet, s.api("/"+bad), tok, url.Values{"fields": {"status,error_message"}}); a.body["status"] != "ERROR" || a.body["error_message"] != "UNKNOWN" {
		t.Errorf("failed container %v", a.body)
	}

	// Containers expire after 24 hours unpublished.
	old := create(url.Values{"media_type": {"TEXT"}, "text": {"old"}})
	*now = now.Add(ContainerTTL)
	if status(old) != "EXPIRED" {
		t.Errorf("status %s after a day", status(old))
	}
}

func TestQuotaAndListing(t *testing.T) {
	s, now := fake(t)
	tok := s.NewToken(TokenOptions{Age: 48 * time.Hour})
	s.SetQuota(2, 5)
	for i, ago := range []time.Duration{30 * time.Hour, 2 * time.Hour, time.Hour} {
		s.AddPost(PostSeed{Text: "p" + string(rune('0'+i)), At: now.Add(-ago)})
	}
	a := do(t, http.MethodGet, s.api("/me/threads_publishing_limit"), tok, url.Values{"fields": {"quota_usage,config,reply_quota_usage,reply_config"}})
	data, _ := a.body["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("limit %v", a.body)
	}
	entry := data[0].(map[string]any)
	if entry["quota_usage"] != 2.0 || entry["reply_quota_usage"] != 0.0 ||
		entry["config"].(map[string]any)["quota_total"] != 2.0 || entry["config"].(map[string]any)["quota_duration"] != 86400.0 {
		t.Errorf("limit %v", entry)
	}
	// threads_publish enforces it.
	id, _ := do(t, http.MethodPost, s.api("/me/threads"), tok, url.Values{"media_type": {"TEXT"}, "text": {"over"}}).body["id"].(string)
	if code, _, _ := do(t, http.MethodPost, s.api("/me/threads_publish"), tok, url.Values{"creation_id": {id}}).graph(); code != 4 {
		t.Errorf("publishing over the quota: code %d", code)
	}

	// The list: newest first, bounded by since, paged with cursors.
	page := do(t, http.MethodGet, s.api("/me/threads"), tok, url.Values{"fields": {"id,text,timestamp"}, "since": {"1772420400"}, "limit": {"1"}}) // 2026-03-02 03:00 UTC
	items, _ := page.body["data"].([]any)
	paging, _ := page.body["paging"].(map[string]any)
	if len(items) != 1 || items[0].(map[string]any)["text"] != "p2" || paging["next"] == nil {
		t.Fatalf("page %v", page.body)
	}
	after := paging["cursors"].(map[string]any)["after"].(string)
	page = do(t, http.MethodGet, s.api("/me/threads"), tok, url.Values{"fields": {"id,text"}, "since": {"1772420400"}, "limit": {"1"}, "after": {after}})
	items, _ = page.body["data"].([]any)
	paging, _ = page.body["paging"].(map[string]any)
	if len(items) != 1 || items[0].(map[string]any)["text"] != "p1" || paging["next"] != nil {
		t.Errorf("second page %v", page.body)
	}
	for _, bad := range []url.Values{{"since": {"1600000000"}}, {"limit": {"101"}}, {"since": {"1772420400"}, "until": {"1772420000"}}} {
		if code, _, _ := do(t, http.MethodGet, s.api("/me/threads"), tok, bad).graph(); code != 100 {
			t.Errorf("%v was accepted", bad)
		}
	}
}

func TestFaults(t *testing.T) {
	s, _ := fake(t)
	tok := s.NewToken(TokenOptions{})
	f := ServerError(503)
	f.Skip = 1
	s.Inject(1, f.On(EndpointUser))
	if a := do(t, http.MethodGet, s.api("/me"), tok, nil); a.status != 200 {
		t.Errorf("the first request was not skipped: %v", a.body)
	}
	if a := do(t, http.MethodGet, s.api("/me"), tok, nil); a.status != 503 || a.body["error"].(map[string]any)["is_transient"] != true {
		t.Errorf("fault %d %v", a.status, a.body)
	}
	if a := do(t, http.MethodGet, s.api("/me"), tok, nil); a.status != 200 {
		t.Errorf("the fault applied twice: %v", a.body)
	}
	s.Inject(1, RateLimited(5))
	if a := do(t, http.MethodGet, s.api("/me"), tok, nil); !strings.Contains(a.header.Get("X-Business-Use-Case-Usage"), `"estimated_time_to_regain_access":5`) {
		t.Errorf("rate limit headers %v", a.header)
	}
	if s.Requests(EndpointUser) != 4 {
		t.Errorf("counted %d requests", s.Requests(EndpointUser))
	}
}
