package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPagesRenderAndEscape(t *testing.T) {
	e := newEnv(t)
	// The account name comes from the consent form, the text from a Herald user: both hostile.
	creds, _ := e.connect(`<img src=x onerror=alert(1)> Roasters`)
	res := e.publish(creds, "k1", `<script>alert("hi")</script> & welcome`)
	e.clk.Add(3 * time.Hour)
	newer := e.publish(creds, "k2", "Second post")

	index := e.get(e.base + "/sandbox/")
	if index.status != http.StatusOK {
		t.Fatalf("index: %d", index.status)
	}
	for _, s := range []string{
		"Sandbox — not a real network",
		"&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; &amp; welcome",
		"&lt;img src=x onerror=alert(1)&gt; Roasters",
		"@imgsrcxonerroralert1roas",
		"3 hours ago", "just now", "likes", "impressions",
	} {
		if !strings.Contains(index.body, s) {
			t.Errorf("index lacks %q", s)
		}
	}
	for _, s := range []string{"<script>", "<img src=x"} {
		if strings.Contains(index.body, s) {
			t.Errorf("index contains unescaped %q", s)
		}
	}
	if i, j := strings.Index(index.body, "Second post"), strings.Index(index.body, "welcome"); i < 0 || j < 0 || i > j {
		t.Error("posts are not newest first")
	}
	h := index.header
	if h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("headers = %v", h)
	}

	u, _ := url.Parse(res.URL)
	post := e.get(res.URL)
	if post.status != http.StatusOK || !strings.Contains(post.body, "&lt;script&gt;") || strings.Contains(post.body, "<script>") {
		t.Errorf("post page %s: %d", u.Path, post.status)
	}
	if !strings.Contains(post.body, "likes") || strings.Contains(post.body, "Second post") {
		t.Error("post page shows the wrong post")
	}
	if acct := e.get(e.base + "/sandbox/@imgsrcxonerroralert1roas"); acct.status != http.StatusOK || !strings.Contains(acct.body, "Second post") {
		t.Errorf("account page: %d", acct.status)
	}

	for _, path := range []string{
		"/sandbox/@someoneelse/" + res.ExternalID, // wrong handle
		"/sandbox/@imgsrcxonerroralert1roas/999",  // unknown id
		"/sandbox/@imgsrcxonerroralert1roas/abc",  // not an id
		"/sandbox/imgsrcxonerroralert1roas/" + newer.ExternalID,
		"/sandbox/@nobody",
		"/sandbox/nothing/here/at/all",
	} {
		if r := e.get(e.base + path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
}

func TestEmptyIndex(t *testing.T) {
	n := New(Options{Logger: quiet})
	rec := httptest.NewRecorder()
	n.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sandbox/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "No accounts yet") {
		t.Errorf("empty index: %d %s", rec.Code, rec.Body)
	}
}

func TestSwitchesForm(t *testing.T) {
	e := newEnv(t)
	e.connect("Herald Coffee")
	page := e.get(e.base + "/sandbox/switches")
	for _, s := range []string{`action="/sandbox/switches"`, `name="rate_limit"`, `name="timeout_after_accept"`, `<option value="heraldcoffee">`, "All switches are off"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("switches page lacks %q", s)
		}
	}

	form := url.Values{"scope": {""}, "rate_limit": {"2"}, "server_error": {"1"}, "action": {"set"}}
	// Cross-site, opaque, or unlabelled posts are refused and change nothing.
	for _, h := range [][]string{
		nil,
		{"Origin", "https://evil.example"},
		{"Origin", "null"},
		{"Referer", "https://evil.example/sandbox/switches"},
		{"Origin", strings.Replace(e.base, "127.0.0.1", "localhost", 1)}, // another name for the same server
	} {
		r := e.post("/sandbox/switches", form, h...)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "Form refused") {
			t.Errorf("POST with %v: %d", h, r.status)
		}
	}
	if e.n.FailureCount("", RateLimit) != 0 {
		t.Fatal("a refused form changed a switch")
	}

	r := e.post("/sandbox/switches", form, "Origin", e.base)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sandbox/switches?saved=1" {
		t.Fatalf("same-origin POST: %d %v", r.status, r.header)
	}
	if e.n.FailureCount("", RateLimit) != 2 || e.n.FailureCount("", ServerError) != 1 || e.n.FailureCount("", Reject) != 0 {
		t.Error("switches not set")
	}
	page = e.get(e.base + "/sandbox/switches?saved=1")
	if !strings.Contains(page.body, "Saved.") || !strings.Contains(page.body, "<td>Rate limit</td><td>2</td>") {
		t.Errorf("switches page after saving:\n%s", page.body)
	}
	if index := e.get(e.base + "/sandbox/"); !strings.Contains(index.body, "Failure switches are on") {
		t.Error("the index does not warn about switches")
	}

	// One account, via Referer.
	r = e.post("/sandbox/switches", url.Values{"scope": {"heraldcoffee"}, "reject": {"3"}}, "Referer", e.base+"/sandbox/switches")
	if r.status != http.StatusSeeOther || e.n.FailureCount("heraldcoffee", Reject) != 3 {
		t.Errorf("account switch: %d", r.status)
	}
	if page := e.get(e.base + "/sandbox/switches?scope=heraldcoffee"); !strings.Contains(page.body, `<option value="heraldcoffee" selected>`) {
		t.Error("scope not preselected")
	}

	for _, bad := range []url.Values{{"rate_limit": {"-1"}}, {"rate_limit": {"lots"}}, {"rate_limit": {"5000"}}, {"scope": {"nobody"}, "reject": {"1"}}} {
		if r := e.post("/sandbox/switches", bad, "Origin", e.base); r.status != http.StatusBadRequest {
			t.Errorf("POST %v: %d, want 400", bad, r.status)
		}
	}

	if r := e.post("/sandbox/switches", url.Values{"action": {"clear"}}, "Origin", e.base); r.status != http.StatusSeeOther {
		t.Errorf("clear: %d", r.status)
	}
	if e.n.FailureCount("", RateLimit) != 0 || e.n.FailureCount("heraldcoffee", Reject) != 0 {
		t.Error("clear left switches on")
	}
}

func TestOriginOf(t *testing.T) {
	for raw, want := range map[string]string{
		"http://localhost:8080/x":    "http://localhost:8080",
		"HTTP://LocalHost:80/":       "http://localhost",
		"https://herald.example:443": "https://herald.example",
		"http://[::1]:8080":          "http://[::1]:8080",
	} {
		u, _ := url.Parse(raw)
		if got := originOf(u); got != want {
			t.Errorf("originOf(%s) = %s, want %s", raw, got, want)
		}
	}
}

func TestSlugHandle(t *testing.T) {
	for in, want := range map[string]string{
		"Herald Coffee (sandbox)": "heraldcoffee",
		"@heraldcafe":             "heraldcafe",
		"Herald Café Straße":      "heraldcafestrasse",
		"  ":                      "sandboxuser",
		"🙂":                       "sandboxuser",
		"A very long account name that keeps going": "averylongaccountnamethat",
	} {
		if got := slugHandle(in); got != want {
			t.Errorf("slugHandle(%q) = %q, want %q", in, got, want)
		}
	}
}
