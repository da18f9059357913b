package linkedintest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// do sends a request to the fake with the member's token and the given headers.
func do(t *testing.T, s *Server, method, path, body string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.NewToken("", 0))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func versionHeaders(version string) map[string]string {
	return map[string]string{"LinkedIn-Version": version, "X-Restli-Protocol-Version": "2.0.0"}
}

const goodPost = `{"author":"urn:li:organization:1001","commentary":"hello","visibility":"PUBLIC",
	"distribution":{"feedDistribution":"MAIN_FEED","targetEntities":[],"thirdPartyDistributionChannels":[]},
	"lifecycleState":"PUBLISHED","isReshareDisabledByAuthor":false}`

func currentVersion(s *Server) string { return s.clock().UTC().Format("200601") }

func TestRestCallsNeedTheVersionAndRestliHeaders(t *testing.T) {
	s := NewServer(t)
	cases := []struct {
		name   string
		header map[string]string
		status int
		code   string
	}{
		{"no LinkedIn-Version", map[string]string{"X-Restli-Protocol-Version": "2.0.0"}, 400, "VERSION_MISSING"},
		{"a sunset version", versionHeaders("202401"), 426, "NONEXISTENT_VERSION"},
		{"a version from the future", versionHeaders(s.clock().AddDate(0, 2, 0).Format("200601")), 426, "NONEXISTENT_VERSION"},
		{"not YYYYMM", versionHeaders("2026-07"), 426, "NONEXISTENT_VERSION"},
		{"no X-Restli-Protocol-Version", map[string]string{"LinkedIn-Version": currentVersion(s)}, 400, "ILLEGAL_ARGUMENT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, s, http.MethodPost, "/rest/posts", goodPost, tc.header)
			if status != tc.status || body["code"] != tc.code || body["status"] != float64(tc.status) || body["message"] == "" {
				t.Errorf("answer %d %v", status, body)
			}
		})
	}
	if n := len(s.Posts()); n != 0 {
		t.Errorf("%d posts were created by refused requests", n)
	}
	status, _ := do(t, s, http.MethodPost, "/rest/posts", goodPost, versionHeaders(currentVersion(s)))
	if status != http.StatusCreated {
		t.Errorf("a well-formed post got %d", status)
	}
	// The patch form of a version is accepted too, and userinfo (not versioned) needs neither.
	if status, _ := do(t, s, http.MethodGet, "/rest/organizationAcls?q=roleAssignee", "", versionHeaders(currentVersion(s)+".01")); status != 200 {
		t.Errorf("patch version: %d", status)
	}
	if status, _ := do(t, s, http.MethodGet, "/v2/userinfo", "", nil); status != 200 {
		t.Errorf("userinfo: %d", status)
	}
}

func TestPostsAreCheckedAgainstTheSchema(t *testing.T) {
	s := NewServer(t)
	h := versionHeaders(currentVersion(s))
	cases := map[string]struct {
		body   string
		status int
	}{
		"unknown field":      {strings.Replace(goodPost, `"visibility"`, `"colour":"red","visibility"`, 1), 422},
		"no author":          {strings.Replace(goodPost, `"author":"urn:li:organization:1001",`, "", 1), 422},
		"no commentary":      {strings.Replace(goodPost, `"commentary":"hello",`, "", 1), 422},
		"no distribution":    {`{"author":"urn:li:organization:1001","commentary":"x","visibility":"PUBLIC","lifecycleState":"PUBLISHED"}`, 422},
		"bad visibility":     {strings.Replace(goodPost, `"PUBLIC"`, `"EVERYONE"`, 1), 422},
		"not the member's":   {strings.Replace(goodPost, "urn:li:organization:1001", "urn:li:organization:1003", 1), 403},
		"someone else":       {strings.Replace(goodPost, "urn:li:organization:1001", "urn:li:person:someone", 1), 403},
		"unknown image":      {strings.Replace(goodPost, `"lifecycleState"`, `"content":{"media":{"id":"urn:li:image:nope"}},"lifecycleState"`, 1), 422},
		"one-image multi":    {strings.Replace(goodPost, `"lifecycleState"`, `"content":{"multiImage":{"images":[{"id":"urn:li:image:a"}]}},"lifecycleState"`, 1), 422},
		"article sans title": {strings.Replace(goodPost, `"lifecycleState"`, `"content":{"article":{"source":"https://x.example"}},"lifecycleState"`, 1), 422},
	}
	for name, tc := range cases {
		if status, body := do(t, s, http.MethodPost, "/rest/posts", tc.body, h); status != tc.status || body["message"] == "" {
			t.Errorf("%s: %d %v", name, status, body)
		}
	}
	if n := len(s.Posts()); n != 0 {
		t.Errorf("%d posts were created by refused requests", n)
	}
}

// Unescaped reserved characters cut the commentary short, as LinkedIn does silently.
func TestCommentaryIsParsedAsLittleText(t *testing.T) {
	cases := map[string]struct {
		text     string
		complete bool
	}{
		`plain text`:                              {"plain text", true},
		`Launch (finally)`:                        {"Launch ", false},
		`Launch \(finally\)`:                      {"Launch (finally)", true},
		`#hashtag and {hashtag|\#|Template}`:      {"#hashtag and #Template", true},
		`hi @[Acme](urn:li:organization:1) there`: {"hi Acme there", true},
		`a_b`:        {"a", false},
		`C# rocks`:   {"C", false},
		`back\slash`: {"back", false},
	}
	for in, want := range cases {
		text, complete := renderLittle(in)
		if text != want.text || complete != want.complete {
			t.Errorf("renderLittle(%q) = %q, %v; want %q, %v", in, text, complete, want.text, want.complete)
		}
	}
	s := NewServer(t)
	status, _ := do(t, s, http.MethodPost, "/rest/posts", strings.Replace(goodPost, `"hello"`, `"Hello (world)"`, 1), versionHeaders(currentVersion(s)))
	if status != http.StatusCreated || s.Posts()[0].Text != "Hello " {
		t.Errorf("%d %+v", status, s.Posts())
	}
}

func TestResourceKeysMustBeEncoded(t *testing.T) {
	s := NewServer(t)
	h := versionHeaders(currentVersion(s))
	if status, _ := do(t, s, http.MethodGet, "/rest/videos/urn:li:video:1", "", h); status != http.StatusBadRequest {
		t.Errorf("unencoded key: %d", status)
	}
	if status, _ := do(t, s, http.MethodGet, "/rest/videos/urn%3Ali%3Avideo%3A1", "", h); status != http.StatusNotFound {
		t.Errorf("encoded key of an unknown video: %d", status)
	}
}

func TestTokensExpireAfterSixtyDays(t *testing.T) {
	s := NewServer(t)
	now := time.Now()
	s.SetNow(func() time.Time { return now })
	tok := s.NewToken("", 0)
	now = now.Add(TokenTTL)
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 401 || body["code"] != "EXPIRED_ACCESS_TOKEN" {
		t.Errorf("%d %v", resp.StatusCode, body)
	}
}
