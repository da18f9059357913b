package webcall

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func hide(string) string { return "<url>" }

func TestRedact(t *testing.T) {
	in := `Post "https://h.example/secret/x": dial; then http://a/b and "https://c/d"`
	if got := Redact(in, hide); got != `Post "<url>": dial; then <url> and "<url>"` {
		t.Errorf("Redact = %q", got)
	}
	err := Redacted(&url.Error{Op: "Post", URL: "https://h.example/secret", Err: context.DeadlineExceeded}, hide)
	if strings.Contains(err.Error(), "secret") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Redacted = %v", err)
	}
}

func TestSecondsAndRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{"1.5": 1500 * time.Millisecond, "30": 30 * time.Second, "0": 0} {
		if got, ok := Seconds(in); !ok || got != want {
			t.Errorf("Seconds(%q) = %s, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-1", "soon", "1e99"} {
		if _, ok := Seconds(in); ok {
			t.Errorf("Seconds(%q) accepted", in)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {"Thu, 01 Jan 2026 00:00:40 GMT"}, "Date": {"Thu, 01 Jan 2026 00:00:10 GMT"}}
	if d, ok := RetryAfter(h, now); !ok || d != 30*time.Second {
		t.Errorf("RetryAfter(date) = %s, %v", d, ok)
	}
	if _, ok := RetryAfter(http.Header{}, now); ok {
		t.Error("RetryAfter without a header")
	}
}

// Do reports whether the request was written, and a request marked Once is not replayed.
func TestDoFailures(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	c := &http.Client{Timeout: 100 * time.Millisecond}
	_, f := Do(context.Background(), c, Request{Method: http.MethodPost, URL: srv.URL + "/secret", Body: []byte("x"), Once: true}, 1<<10, hide)
	if f == nil || !f.Wrote || !f.Timeout || f.Reason != "timed out" || strings.Contains(f.Err.Error(), "secret") {
		t.Errorf("failure %+v", f)
	}
	close(hang)
	srv.Close()
	_, f = Do(context.Background(), c, Request{Method: http.MethodGet, URL: srv.URL + "/secret"}, 1<<10, hide)
	if f == nil || f.Wrote || f.Timeout || strings.Contains(f.Reason, "secret") || strings.Contains(f.Err.Error(), "secret") {
		t.Errorf("refused connection: %+v", f)
	}
}
