package x

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// The rate-limit headers X sends. The x-rate-limit-* trio describes the endpoint's 15-minute
// window for the token (or the app); the x-user-limit-24hour-* trio, on POST /2/tweets, the
// account's 24-hour post cap of the app's API tier; the x-app-limit-24hour-* trio the same cap
// for the whole app. Resets are epoch seconds.
const (
	hLimit            = "x-rate-limit-limit"
	hRemaining        = "x-rate-limit-remaining"
	hReset            = "x-rate-limit-reset"
	hUserDayLimit     = "x-user-limit-24hour-limit"
	hUserDayRemaining = "x-user-limit-24hour-remaining"
	hUserDayReset     = "x-user-limit-24hour-reset"
	hAppDayRemaining  = "x-app-limit-24hour-remaining"
	hAppDayReset      = "x-app-limit-24hour-reset"
)

// RateLimitStatus is what X last said about one endpoint's request window for a token.
type RateLimitStatus struct {
	// Limit is x-rate-limit-limit: requests allowed in the window.
	Limit int
	// Remaining is x-rate-limit-remaining: requests left in the window.
	Remaining int
	// Reset is when the window ends, on Herald's clock (X's reset shifted by the difference
	// between its Date header and Herald's clock).
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

// RateLimit returns the rate-limit headers last seen for an endpoint ("POST /2/tweets",
// "GET /2/users/:id/tweets": numeric path segments read ":id") on answers to requests made with
// token. ok is false when nothing was seen yet. The scheduler can use it to pace a channel
// instead of spending a request on a 429.
func (c *Client) RateLimit(token, endpoint string) (status RateLimitStatus, ok bool) {
	return c.limits.window(token, endpoint)
}

// PostQuota returns the account's 24-hour post cap as X last reported it for token (on a post
// creation), or false when it has not reported one yet.
func (c *Client) PostQuota(token string) (publishers.Quota, bool) {
	return c.limits.quota(token)
}

// rateLimits holds the last rate-limit headers seen per token and endpoint, and the last post
// cap per token. Tokens are kept only as SHA-256 hashes, so the maps cannot leak them.
//
// Records older than recordTTL are dropped (at most once per sweepEvery): X replaces a channel's
// access token every two hours, so without that the maps would grow by a few entries per
// channel and renewal for as long as Herald runs.
type rateLimits struct {
	mu      sync.Mutex
	windows map[windowKey]RateLimitStatus
	quotas  map[[sha256.Size]byte]quotaSeen
	swept   time.Time // when stale records were last dropped
}

// quotaSeen is a post cap and when Herald saw it.
type quotaSeen struct {
	quota publishers.Quota
	at    time.Time
}

// recordTTL is how long a record is kept after the answer that carried it: a day, X's longest
// window (the 24-hour post cap). A token in use gets a fresh record with every answer.
const recordTTL = 24 * time.Hour

// sweepEvery is how often observe looks for stale records.
const sweepEvery = time.Hour

type windowKey struct {
	token    [sha256.Size]byte
	endpoint string
}

func newRateLimits() *rateLimits {
	return &rateLimits{windows: map[windowKey]RateLimitStatus{}, quotas: map[[sha256.Size]byte]quotaSeen{}}
}

func (r *rateLimits) window(token, endpoint string) (RateLimitStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.windows[windowKey{sha256.Sum256([]byte(token)), endpoint}]
	return s, ok
}

func (r *rateLimits) quota(token string) (publishers.Quota, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	q, ok := r.quotas[sha256.Sum256([]byte(token))]
	return q.quota, ok
}

// observe records an answer's headers.
func (r *rateLimits) observe(token, endpoint string, h http.Header, now time.Time) {
	key := sha256.Sum256([]byte(token))
	w, wok := windowFrom(h, now)
	q, qok := quotaFrom(h, now)
	if !wok && !qok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if wok {
		r.windows[windowKey{key, endpoint}] = w
	}
	if qok {
		r.quotas[key] = quotaSeen{quota: q, at: now}
	}
	r.sweepLocked(now)
}

// sweepLocked drops the records older than recordTTL, once per sweepEvery. Callers hold mu.
func (r *rateLimits) sweepLocked(now time.Time) {
	if now.Sub(r.swept) < sweepEvery {
		return
	}
	r.swept = now
	for k, w := range r.windows {
		if now.Sub(w.ObservedAt) > recordTTL {
			delete(r.windows, k)
		}
	}
	for k, q := range r.quotas {
		if now.Sub(q.at) > recordTTL {
			delete(r.quotas, k)
		}
	}
}

// windowFrom reads x-rate-limit-*; false without x-rate-limit-remaining.
func windowFrom(h http.Header, now time.Time) (RateLimitStatus, bool) {
	remaining := headerInt(h, hRemaining)
	if remaining < 0 {
		return RateLimitStatus{}, false
	}
	s := RateLimitStatus{Remaining: remaining, Limit: max(headerInt(h, hLimit), 0), ObservedAt: now}
	if reset, ok := epochHeader(h, hReset); ok {
		s.Reset = now.Add(reset.Sub(answerTime(h, now)))
	}
	return s, true
}

// quotaFrom reads x-user-limit-24hour-*; false without its limit and remaining.
func quotaFrom(h http.Header, now time.Time) (publishers.Quota, bool) {
	limit, remaining := headerInt(h, hUserDayLimit), headerInt(h, hUserDayRemaining)
	if limit < 0 || remaining < 0 {
		return publishers.Quota{}, false
	}
	q := publishers.Quota{Limit: limit, Remaining: remaining}
	if reset, ok := epochHeader(h, hUserDayReset); ok {
		q.ResetAt = now.Add(reset.Sub(answerTime(h, now))).UTC().Truncate(time.Second)
	}
	return q, true
}

// endpointOf names a request's endpoint the way RateLimit takes it: numeric path segments (post,
// user and media ids) become ":id".
func endpointOf(method, path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if i > 1 && s != "" && strings.Trim(s, "0123456789") == "" { // segs[1] is the version, "2"
			segs[i] = ":id"
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// record returns the function the client's transport calls with every answer (see
// httpapi.Observe), including those to requests the oauth2 package makes (the token
// exchange): it records the answer's rate-limit headers under the request's bearer token and
// endpoint.
func (r *rateLimits) record(now func() time.Time) func(*http.Request, *http.Response) {
	return func(req *http.Request, resp *http.Response) {
		// Requests without a bearer token (the token endpoint, with Basic client
		// authentication) are recorded under the empty token.
		token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		if !ok {
			token = ""
		}
		r.observe(token, endpointOf(req.Method, req.URL.Path), resp.Header, now())
	}
}
