package mastodon

import (
	"crypto/sha256"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimitStatus is what an instance last said about a token's rate limit, from the
// X-RateLimit-* headers of its most recent answer. Mastodon reports the limit closest to being
// hit among those that apply (300 requests per 5 minutes per account by default; media uploads
// and some writes have their own), so Remaining is the number that matters for pacing.
type RateLimitStatus struct {
	// Limit is X-RateLimit-Limit (0 when the instance did not send it).
	Limit int
	// Remaining is X-RateLimit-Remaining: requests left in the current window.
	Remaining int
	// Reset is when the window ends, on Herald's clock: the instance's X-RateLimit-Reset is
	// shifted by the difference between its Date header and Herald's clock, so a server whose
	// clock is off does not mislead the pacing. Zero when the instance did not send it.
	Reset time.Time
	// ObservedAt is when Herald saw the answer.
	ObservedAt time.Time
}

// Wait is how long to hold the next request at now: until Reset when nothing remains, else 0.
func (s RateLimitStatus) Wait(now time.Time) time.Duration {
	if s.Remaining > 0 || s.Reset.IsZero() || !s.Reset.After(now) {
		return 0
	}
	return s.Reset.Sub(now)
}

// RateLimit returns the rate-limit headers last seen on any answer to requests made with token
// on instance (the instance as stored in a channel's credentials, e.g. "https://mastodon.social";
// scheme-less and trailing-slash forms are accepted). Unauthenticated requests (app
// registration) are recorded under the empty token. ok is false when nothing was seen yet.
//
// The scheduler can use it to pace a channel: when Remaining is 0, wait until Reset (see Wait)
// instead of spending a request on a 429.
func (c *Client) RateLimit(instance, token string) (status RateLimitStatus, ok bool) {
	inst, err := normalizeInstance(instance)
	if err != nil {
		return RateLimitStatus{}, false
	}
	return c.limits.get(inst, token)
}

// rateLimits holds the last rate-limit headers seen per instance and token. The token is kept
// only as a SHA-256 hash, so the map cannot leak it.
type rateLimits struct {
	mu sync.Mutex
	m  map[rateKey]RateLimitStatus
}

type rateKey struct {
	instance string
	token    [sha256.Size]byte
}

func newRateLimits() *rateLimits { return &rateLimits{m: map[rateKey]RateLimitStatus{}} }

func (r *rateLimits) get(instance, token string) (RateLimitStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.m[rateKey{instance, sha256.Sum256([]byte(token))}]
	return s, ok
}

// observe records an answer's headers; answers without X-RateLimit-Remaining change nothing.
func (r *rateLimits) observe(instance, token string, h http.Header, now time.Time) {
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err != nil {
		return
	}
	s := RateLimitStatus{Remaining: remaining, ObservedAt: now}
	if n, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit"))); err == nil {
		s.Limit = n
	}
	base := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		base = d
	}
	if reset, ok := parseReset(h.Get("X-RateLimit-Reset"), base); ok {
		s.Reset = now.Add(reset.Sub(base))
	}
	r.mu.Lock()
	r.m[rateKey{instance, sha256.Sum256([]byte(token))}] = s
	r.mu.Unlock()
}

// record returns the function the client's transport calls with every answer (see
// httpapi.Observe), including those to requests the oauth2 package makes (the token
// exchange): it records the answer's rate-limit headers under the instance and the request's
// bearer token.
func (r *rateLimits) record(now func() time.Time) func(*http.Request, *http.Response) {
	return func(req *http.Request, resp *http.Response) {
		instance := strings.ToLower(req.URL.Scheme) + "://" + strings.ToLower(req.URL.Host)
		token, _ := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		r.observe(instance, token, resp.Header, now())
	}
}
