package metagraphtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/metagraph"
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

type graphErrBody struct {
	Error struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		FBTraceID string `json:"fbtrace_id"`
		ErrorData struct {
			Blame [][]string `json:"blame_field_specs"`
		} `json:"error_data"`
	} `json:"error"`
}

func call(t *testing.T, s *Server, method, path, token string, params url.Values) (int, []byte, http.Header) {
	t.Helper()
	u := s.URL + "/" + metagraph.DefaultVersion + path
	var body io.Reader
	if method == http.MethodGet {
		if len(params) > 0 {
			u += "?" + params.Encode()
		}
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodGet {
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
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func decodeErr(t *testing.T, b []byte) graphErrBody {
	t.Helper()
	var e graphErrBody
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == 0 {
		t.Fatalf("not a Graph error: %s", b)
	}
	if e.Error.FBTraceID == "" || e.Error.Type == "" {
		t.Errorf("the error lacks Graph's type or fbtrace_id: %s", b)
	}
	return e
}

func TestSpecsLoadWithTheHandWrittenNodesNamed(t *testing.T) {
	s := NewServer(t)
	if got := s.Spec().HandWritten(); !slices.Equal(got, []string{"AdVideo", "PermissionStatus", "User"}) {
		t.Errorf("hand-written nodes %v", got)
	}
	for _, typ := range requiredNodes {
		if s.Spec().nodes[typ].handWritten {
			t.Errorf("%s should come from Meta's spec file", typ)
		}
	}
}

// The fake refuses what Meta's node specs do not describe, with Graph's error 100, and the test
// that sent it fails.
func TestRefusesRequestsTheSpecsDoNotDescribe(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	pg := s.AddPage("Herald Bakery", "heraldbakery", "heraldbakery")
	tok := s.PageToken(pg.ID)
	s.mu.Lock()
	mediaID := s.newID()
	s.media[mediaID] = &media{id: mediaID, igID: pg.IGUserID, mediaType: "IMAGE", productType: "FEED", shortcode: "Cabcdefgh", ts: time.Now()}
	s.kinds[mediaID] = "IGMedia"
	s.mu.Unlock()

	cases := []struct {
		name, method, path string
		params             url.Values
		message, blame     string
	}{
		{"unknown parameter", "POST", "/" + pg.ID + "/feed", url.Values{"mesage": {"typo"}}, "(#100) Invalid parameter", "mesage"},
		{"wrong type", "POST", "/" + pg.ID + "/feed", url.Values{"message": {"x"}, "published": {"maybe"}}, "must be a boolean", "published"},
		{"list of maps not JSON", "POST", "/" + pg.IGUserID + "/media", url.Values{"image_url": {"https://cdn.example.com/a.jpg"}, "user_tags": {"alice"}}, "must be a JSON array of objects", "user_tags"},
		{"required parameter missing", "POST", "/" + pg.IGUserID + "/media_publish", url.Values{}, "The parameter creation_id is required", "creation_id"},
		{"unsigned int", "POST", "/" + pg.IGUserID + "/media_publish", url.Values{"creation_id": {"abc"}}, "must be a non-negative integer", "creation_id"},
		{"enum value", "GET", "/" + mediaID + "/insights", url.Values{"metric": {"views,bogus"}}, "shadowigmediainsights_metric_enum_param", "metric"},
		{"enum required", "GET", "/" + mediaID + "/insights", url.Values{}, "The parameter metric is required", "metric"},
		{"unknown field", "GET", "/" + pg.ID, url.Values{"fields": {"id,nonsense"}}, "Tried accessing nonexisting field (nonsense) on node type (Page)", "nonsense"},
		{"unknown nested field", "GET", "/me/accounts", url.Values{"fields": {"id,instagram_business_account{id,bogus}"}}, "(bogus) on node type (IGUser)", "bogus"},
		{"unknown edge", "GET", "/" + pg.ID + "/nonsense", nil, "Tried accessing nonexisting field (nonsense) on node type (Page)", "nonsense"},
		{"modifier not of the edge", "GET", "/" + pg.ID + "/published_posts", url.Values{"fields": {"comments.bogus(1)"}}, "Invalid parameter bogus", "bogus"},
		{"POST to an edge the node lacks", "POST", "/" + pg.ID + "/media", url.Values{"caption": {"x"}}, "Unsupported post request", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := tok
			if strings.HasPrefix(tc.path, "/me/") {
				token = s.NewUserToken(true)
			}
			status, b, _ := call(t, s, tc.method, tc.path, token, tc.params)
			if status != http.StatusBadRequest {
				t.Errorf("status %d: %s", status, b)
			}
			e := decodeErr(t, b)
			if e.Error.Code != 100 || !strings.Contains(e.Error.Message, tc.message) {
				t.Errorf("error %+v, want code 100 with %q", e.Error, tc.message)
			}
			if tc.blame != "" && (len(e.Error.ErrorData.Blame) == 0 || e.Error.ErrorData.Blame[0][0] != tc.blame) {
				t.Errorf("blame %v, want %s", e.Error.ErrorData.Blame, tc.blame)
			}
		})
	}
	if n := len(rec.errors()); n != len(cases) {
		t.Errorf("the test was failed %d times, want %d:\n%s", n, len(cases), strings.Join(rec.errors(), "\n"))
	}
	if len(s.Refusals()) != len(cases) {
		t.Errorf("refusals: %v", s.Refusals())
	}
	if n := s.CreatedWithMessage("typo"); n != 0 {
		t.Errorf("a refused request created a post")
	}
}

// Requests the specs describe pass without a refusal.
func TestAcceptsDescribedRequests(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	pg := s.AddPage("Herald Bakery", "heraldbakery", "heraldbakery")
	tok := s.PageToken(pg.ID)
	user := s.NewUserToken(true)
	steps := []struct {
		method, path, token string
		params              url.Values
	}{
		{"GET", "/me", user, url.Values{"fields": {"id,name"}}},
		{"GET", "/me/permissions", user, nil},
		{"GET", "/me/accounts", user, url.Values{"fields": {"id,name,username,link,access_token,instagram_business_account{id,username,name,profile_picture_url}"}, "limit": {"100"}}},
		{"POST", "/" + pg.ID + "/feed", tok, url.Values{"message": {"hello"}, "link": {"https://example.com/a"}}},
		{"GET", "/" + pg.ID + "/published_posts", tok, url.Values{"fields": {"id,message,created_time,permalink_url"}, "since": {"1700000000"}, "limit": {"100"}}},
		{"POST", "/" + pg.IGUserID + "/media", tok, url.Values{"image_url": {"https://cdn.example.com/a.jpg"}, "caption": {"cap"}, "alt_text": {"alt"}}},
		{"GET", "/" + pg.IGUserID + "/content_publishing_limit", tok, url.Values{"fields": {"config,quota_usage"}}},
		{"GET", "/" + pg.IGUserID + "/media", tok, url.Values{"fields": {"id,caption,timestamp,permalink"}, "limit": {"50"}}},
	}
	for _, st := range steps {
		status, b, h := call(t, s, st.method, st.path, st.token, st.params)
		if status != http.StatusOK {
			t.Errorf("%s %s: %d %s", st.method, st.path, status, b)
		}
		if h.Get("X-App-Usage") == "" {
			t.Errorf("%s %s: no X-App-Usage", st.method, st.path)
		}
	}
	if errs := rec.errors(); len(errs) > 0 {
		t.Errorf("described requests were refused:\n%s", strings.Join(errs, "\n"))
	}
}

func TestGraphErrorsHaveGraphsShape(t *testing.T) {
	s := NewServer(t)
	pg := s.AddPage("P", "", "")
	tok := s.PageToken(pg.ID)
	s.RevokeToken(tok)
	_, b, h := call(t, s, "GET", "/"+pg.ID, tok, nil)
	e := decodeErr(t, b)
	if e.Error.Code != 190 || e.Error.Subcode != 460 || e.Error.Type != "OAuthException" || h.Get("WWW-Authenticate") == "" {
		t.Errorf("revoked token: %s", b)
	}
	s.Inject(1, RateLimited(80001, 7*time.Minute).On("POST", "feed"))
	_, b, h = call(t, s, "POST", "/"+pg.ID+"/feed", s.PageToken(pg.ID), url.Values{"message": {"x"}})
	if e := decodeErr(t, b); e.Error.Code != 80001 {
		t.Errorf("rate limit: %s", b)
	}
	u, ok := metagraph.ParseUsage(h)
	if !ok || u.RegainAfter() != 7*time.Minute {
		t.Errorf("usage %+v from %v", u, h)
	}
}

func TestDialogRequiresPKCEAndTheExchangeChecksTheVerifier(t *testing.T) {
	s := NewServer(t)
	s.RegisterRedirectURI("https://herald.example/cb")
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {DefaultAppID}, "redirect_uri": {"https://herald.example/cb"}, "state": {"st"},
		"scope": {"pages_show_list"}, "response_type": {"code"}}
	if _, err := s.Authorize(s.URL + "/" + metagraph.DefaultVersion + "/dialog/oauth?" + q.Encode()); err == nil {
		t.Fatal("the dialog accepted a request without PKCE")
	}
	q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
	q.Set("code_challenge_method", "S256")
	back, err := s.Authorize(s.URL + "/" + metagraph.DefaultVersion + "/dialog/oauth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	bu, _ := url.Parse(back)
	code := bu.Query().Get("code")
	if bu.Query().Get("state") != "st" || code == "" {
		t.Fatalf("redirect %s", back)
	}
	ex := url.Values{"client_id": {DefaultAppID}, "client_secret": {s.App().ClientSecret}, "redirect_uri": {"https://herald.example/cb"},
		"code": {code}, "code_verifier": {strings.Repeat("w", 50)}}
	_, b, _ := call(t, s, "POST", "/oauth/access_token", "", ex)
	if e := decodeErr(t, b); e.Error.Code != 100 || !strings.Contains(e.Error.Message, "verifier") {
		t.Errorf("wrong verifier: %s", b)
	}
	ex.Set("code_verifier", verifier)
	status, b, _ := call(t, s, "POST", "/oauth/access_token", "", ex)
	if status != http.StatusOK || !strings.Contains(string(b), "access_token") {
		t.Errorf("right verifier: %d %s", status, b)
	}
	_, b, _ = call(t, s, "POST", "/oauth/access_token", "", ex)
	if e := decodeErr(t, b); e.Error.Subcode != 36009 {
		t.Errorf("reused code: %s", b)
	}
}
