package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
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

// A request that cannot be built is Invalid and was never written; a URL without secrets is
// kept as it is when there is nothing to redact.
func TestDoInvalidAndUnredacted(t *testing.T) {
	_, f := Do(context.Background(), http.DefaultClient, Request{Method: "BAD METHOD", URL: "http://h.example/"}, 1<<10, nil)
	if f == nil || !f.Invalid || f.Wrote {
		t.Errorf("invalid request: %+v", f)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, f = Do(context.Background(), http.DefaultClient, Request{Method: http.MethodGet, URL: srv.URL + "/path"}, 1<<10, nil)
	var ue *url.Error
	if f == nil || f.Invalid || !errors.As(f.Err, &ue) || ue.URL != srv.URL+"/path" {
		t.Errorf("refused connection without redaction: %+v", f)
	}
}

func TestRetryAfterAt(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		" 7 ":                           7 * time.Second,
		"Thu, 01 Jan 2026 00:00:40 GMT": 30 * time.Second,
		"Thu, 01 Jan 2026 00:00:05 GMT": time.Second, // already past
	} {
		if got, ok := RetryAfterAt(in, base); !ok || got != want {
			t.Errorf("RetryAfterAt(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "later", "-3"} {
		if _, ok := RetryAfterAt(in, base); ok {
			t.Errorf("RetryAfterAt(%q) accepted", in)
		}
	}
}

// The shared wording: unknown only for a create that was written, permanent for a request that
// could not be built, and the cause kept.
func TestNetworkErrors(t *testing.T) {
	n := Network{Name: "x", Display: "X"}
	cause := &url.Error{Op: "Post", URL: "https://api.x.com/2/tweets", Err: context.DeadlineExceeded}
	cases := []struct {
		name string
		err  error
		kind string
		msg  string
	}{
		{"create written", n.TransportError(cause, true, true), "unknown", "the connection to X was lost after the post was sent, so it may have been published; Herald will check before trying again"},
		{"create not written", n.TransportError(cause, true, false), "retryable", "could not reach X (timed out)"},
		{"read written", n.TransportError(cause, false, true), "retryable", "could not reach X (timed out)"},
		{"invalid", n.Failed(&Failure{Invalid: true, Wrote: true, Err: cause}, true), "permanent", "the request to X could not be built"},
		{"failure written", n.Failed(&Failure{Wrote: true, Reason: "connection reset", Err: cause}, true), "unknown", "the connection to X was lost after the post was sent, so it may have been published; Herald will check before trying again"},
		{"failure of a read", n.Failed(&Failure{Wrote: true, Reason: "connection reset", Err: cause}, false), "retryable", "could not reach X (connection reset)"},
		{"bad answer to a create", n.BadAnswer(true, errors.New("eof")), "unknown", "X accepted the post but its answer could not be read; Herald will check whether it was published"},
		{"bad answer", n.BadAnswer(false, errors.New("eof")), "retryable", "X's answer could not be read"},
	}
	for _, tc := range cases {
		var pe *publishers.Error
		if !errors.As(tc.err, &pe) || pe.Kind.String() != tc.kind || pe.Message != tc.msg || pe.Network != "x" || pe.Err == nil {
			t.Errorf("%s: %+v", tc.name, tc.err)
		}
	}
	if err := n.TransportError(cause, true, true); !errors.Is(err, cause) {
		t.Error("the cause is not kept")
	}
	// A publisher that cannot look a post up asks a person to check instead.
	u := Network{Name: "telegram", Display: "Telegram", Unfindable: true}
	for _, err := range []*publishers.Error{u.Failed(&Failure{Wrote: true, Err: cause}, true), u.BadAnswer(true, errors.New("eof"))} {
		if err.Kind != publishers.KindUnknown || !strings.HasSuffix(err.Message, "; check the channel") || strings.Contains(err.Message, "Herald will") {
			t.Errorf("unfindable: %+v", err)
		}
	}
}

func TestJSONHeader(t *testing.T) {
	h := JSONHeader("Herald", "application/json", "tok")
	if h.Get("Accept") != "application/json" || h.Get("User-Agent") != "Herald" || h.Get("Content-Type") != "application/json" || h.Get("Authorization") != "Bearer tok" {
		t.Errorf("header %v", h)
	}
	h = JSONHeader("Herald", "", "")
	if _, ok := h["Content-Type"]; ok {
		t.Errorf("empty content type sent: %v", h)
	}
	if _, ok := h["Authorization"]; ok {
		t.Errorf("empty token sent: %v", h)
	}
}

// Observe sees every answer with its request, keeps the given client's settings and leaves
// that client alone.
func TestObserve(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", r.URL.Path)
	}))
	defer srv.Close()
	given := &http.Client{Timeout: 5 * time.Second}
	var seen []string
	c := Observe(given, time.Minute, func(req *http.Request, resp *http.Response) {
		seen = append(seen, req.URL.Path+"="+resp.Header.Get("X-Seen"))
	})
	if given.Transport != nil || c.Timeout != 5*time.Second {
		t.Fatalf("given client changed (%v) or timeout lost (%s)", given.Transport, c.Timeout)
	}
	resp, err := c.Get(srv.URL + "/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(seen) != 1 || seen[0] != "/a=/a" {
		t.Errorf("seen %v", seen)
	}
	if d := Observe(nil, time.Minute, func(*http.Request, *http.Response) {}); d.Timeout != time.Minute {
		t.Errorf("default timeout %s", d.Timeout)
	}
}

func TestTokenFailure(t *testing.T) {
	re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400, Header: http.Header{"Retry-After": {"3"}}},
		Body: []byte(`{"error":"invalid_grant"}`), ErrorCode: "invalid\ngrant"}
	r, noAnswer := TokenFailure(fmt.Errorf("oauth2: %w", re))
	if r == nil || noAnswer || r.Status != 400 || r.Header.Get("Retry-After") != "3" || r.Code != "invalid grant" || string(r.Body) != `{"error":"invalid_grant"}` {
		t.Errorf("refusal %+v, %v", r, noAnswer)
	}
	if r, noAnswer := TokenFailure(&url.Error{Op: "Post", URL: "https://h.example/token", Err: errors.New("refused")}); r != nil || !noAnswer {
		t.Errorf("transport failure: %+v, %v", r, noAnswer)
	}
	if r, noAnswer := TokenFailure(errors.New("oauth2: server response missing access_token")); r != nil || noAnswer {
		t.Errorf("unreadable answer: %+v, %v", r, noAnswer)
	}
}
