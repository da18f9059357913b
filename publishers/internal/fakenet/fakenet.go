// Package fakenet is the scaffolding the fake networks (mastodontest, xtest, linkedintest,
// threadstest, metagraphtest, discordtest, slacktest, telegramtest) share: the test server that
// releases withheld answers when it closes (and plays the person at an authorization page), the
// queue of injected faults, the record of requests that broke a network's documented API, the
// PKCE check, and a few request helpers.
//
// What a fake checks and how it answers stays in the fake: this package decides nothing about a
// network's API. It only holds what every fake did the same way.
package fakenet

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is an httptest.Server that, when it closes, also releases the handlers that withhold
// an answer (Hang). A fake embeds it.
type Server struct {
	*httptest.Server

	closing   chan struct{}
	closeOnce sync.Once
}

// Start serves h on a new httptest.Server, closed when the test ends.
func Start(t testing.TB, h http.Handler) *Server {
	s := &Server{Server: httptest.NewServer(h), closing: make(chan struct{})}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing the handlers that hold a request (Hang).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.Server.Close()
	})
}

// Closing is closed when the server closes.
func (s *Server) Closing() <-chan struct{} { return s.closing }

// Hang withholds the answer to r until the client gives up or the server closes: after the fake
// carried the request out, the client sees a timeout although the post exists.
func (s *Server) Hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
}

// Visit requests a URL on the server as a browser would, without following a redirect: it
// returns the Location of a 302 (an authorization page sending the browser back to the client
// with a code or an error), or else the answer's status and body. A URL on another host is
// refused.
func (s *Server) Visit(rawURL string) (location string, status int, body []byte, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", 0, nil, err
	}
	if u.Scheme+"://"+u.Host != s.URL {
		return "", 0, nil, fmt.Errorf("the URL is not on this server (%s)", u.Host)
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(rawURL)
	if err != nil {
		return "", 0, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		return resp.Header.Get("Location"), resp.StatusCode, nil, nil
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return "", resp.StatusCode, body, err
}

// Drop closes the connection under w without an answer: after the fake carried the request
// out, the client sees a reset connection although the post exists. It reports false when the
// connection cannot be taken over (HTTP/2), and the handler must answer some other way.
func Drop(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// Faults are the faults injected into a fake: each applies to the next n requests it matches,
// after letting the first skip of them through. A Faults is safe for concurrent use; its zero
// value is empty.
type Faults[F any] struct {
	mu    sync.Mutex
	slots []*slot[F]
}

type slot[F any] struct {
	f       F
	n, skip int
}

// Add queues f for the next n requests it matches, after skip of them went through untouched.
func (q *Faults[F]) Add(n, skip int, f F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.slots = append(q.slots, &slot[F]{f: f, n: n, skip: skip})
}

// Take consumes the first queued fault that matches a request (match says whether it does) and
// returns a copy of it, or nil when none matches. Faults are tried in the order they were
// added.
func (q *Faults[F]) Take(match func(f *F) bool) *F {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, sl := range q.slots {
		if sl.n <= 0 || !match(&sl.f) {
			continue
		}
		if sl.skip > 0 {
			sl.skip--
			continue
		}
		sl.n--
		f := sl.f
		return &f
	}
	return nil
}

// Violations records the requests that broke a network's documented API. Unless the test said
// it expects some, each one fails the test when it ends. Safe for concurrent use.
type Violations struct {
	mu       sync.Mutex
	list     []string
	expected bool
}

// Check makes every violation recorded fail t when the test ends, each line prefixed by
// prefix ("discordtest: a request broke Discord's documented API: "), unless Expect was
// called. Call it before Start: cleanups run last first, so the check then runs after the
// server closed and every request it was serving has finished.
func (v *Violations) Check(t testing.TB, prefix string) {
	t.Cleanup(func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		if v.expected {
			return
		}
		for _, s := range v.list {
			t.Errorf("%s%s", prefix, s)
		}
	})
}

// Add records a violation.
func (v *Violations) Add(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.list = append(v.list, fmt.Sprintf(format, args...))
}

// Expect says the test breaks the API on purpose: violations no longer fail it.
func (v *Violations) Expect() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.expected = true
}

// List returns the violations recorded so far.
func (v *Violations) List() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.list...)
}

// ReadBody reads at most limit bytes of a request's body and puts them back for the handler.
func ReadBody(r *http.Request, limit int64) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, limit))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// Bearer is the token of an "Authorization: Bearer" header ("" without one).
func Bearer(r *http.Request) string {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(v)
}

// RandomString is n random bytes, base64url without padding: tokens, codes and secrets.
func RandomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// PKCEMatches reports whether verifier is the PKCE code verifier of an S256 challenge
// (RFC 7636): base64url, without padding, of its SHA-256. An empty verifier never matches.
func PKCEMatches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	return verifier != "" && base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}

// IDLess orders decimal ids (snowflakes, sequence numbers) by value: a shorter id is smaller.
func IDLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
