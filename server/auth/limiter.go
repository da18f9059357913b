package auth

import (
	"fmt"
	"sync"
	"time"
)

// defaultMaxKeys caps how many keys a Limiter tracks. Sign-in traffic on a
// self-hosted instance touches a few hundred keys per window; tens of
// thousands means someone is spraying addresses or email names, and the cap
// keeps that from turning into unbounded memory (about 20 MB at this cap
// with a limit of 10 attempts).
const defaultMaxKeys = 1 << 16

// Limiter throttles attempts per key, such as "account:<user id>" and
// "addr:<client IP>" for sign-in (use the /64 prefix for IPv6 clients, since
// one host controls a whole /64). It is in memory, so each server process
// throttles on its own; that is enough to make online password guessing
// impractical, which is its job.
//
// It uses a sliding-window log: it keeps the times of the allowed attempts
// in the last window for each key, and allows a new attempt only while fewer
// than max are in it. Unlike a fixed window it never allows a burst of
// 2×max across a window boundary, and unlike a token bucket the limit reads
// exactly as configured ("5 attempts per 15 minutes"). The cost is up to max
// timestamps per key, which is small for sign-in limits.
//
// Memory stays bounded: a key's expired attempts are dropped whenever the
// key is used, all keys are swept at most once per window, and at most
// 65,536 keys are tracked. When that many keys are active, attempts for new
// keys are refused until one expires: failing closed keeps a flood of
// addresses from evicting the counter of the account under attack.
//
// A Limiter is safe for concurrent use.
type Limiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	maxKeys   int
	hits      map[string][]time.Time // oldest first; only allowed attempts
	lastSweep time.Time
	fullUntil time.Time // while full, when the first key will expire
}

// NewLimiter returns a Limiter that allows max attempts per key in any
// window-long interval. now is the clock, injected so tests control time;
// nil means time.Now. It panics if max or window is not positive, as that is
// a programming error rather than something to handle at run time.
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	if max < 1 {
		panic(fmt.Sprintf("auth: NewLimiter: max must be positive, got %d", max))
	}
	if window <= 0 {
		panic(fmt.Sprintf("auth: NewLimiter: window must be positive, got %v", window))
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		max:     max,
		window:  window,
		now:     now,
		maxKeys: defaultMaxKeys,
		hits:    make(map[string][]time.Time),
	}
}

// Allow records one attempt for key and reports whether it is allowed. When
// it is not, retryAfter says how long until it will be (suitable for a
// Retry-After header), and the refused attempt is not recorded: otherwise a
// user who keeps retrying would keep pushing the lockout back, and an
// attacker could keep an account locked indefinitely at no cost.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()

	if now.Sub(l.lastSweep) >= l.window {
		l.sweep(now)
	}
	hits, tracked := l.hits[key]
	hits = l.expire(hits, now)
	if len(hits) >= l.max {
		l.hits[key] = hits
		return false, hits[0].Add(l.window).Sub(now)
	}
	if !tracked && len(l.hits) >= l.maxKeys {
		if !now.Before(l.fullUntil) {
			// Sweeping every time would cost O(keys) per attempt during a
			// flood; fullUntil limits it to once per expiry.
			l.sweep(now)
		}
		if len(l.hits) >= l.maxKeys {
			return false, l.fullUntil.Sub(now)
		}
	}
	l.hits[key] = append(hits, now)
	return true, 0
}

// Reset forgets key's attempts, e.g. the account key after a successful
// sign-in, so that a user's earlier typos do not count against them later.
// Do not reset the address key on success: an attacker with one valid
// account could otherwise clear their address's counter at will.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hits, key)
}

// expire drops the attempts that have left the window. An attempt made at t
// counts while now < t+window. It reuses the slice so a key never holds more
// than max timestamps of backing array.
func (l *Limiter) expire(hits []time.Time, now time.Time) []time.Time {
	n := 0
	for n < len(hits) && !now.Before(hits[n].Add(l.window)) {
		n++
	}
	if n == 0 {
		return hits
	}
	return append(hits[:0], hits[n:]...)
}

// sweep expires every key, deletes keys with no attempts left, and notes
// when the next key will expire in case the map is still full.
func (l *Limiter) sweep(now time.Time) {
	l.lastSweep = now
	l.fullUntil = now.Add(l.window)
	for key, hits := range l.hits {
		hits = l.expire(hits, now)
		if len(hits) == 0 {
			delete(l.hits, key)
			continue
		}
		l.hits[key] = hits
		if free := hits[len(hits)-1].Add(l.window); free.Before(l.fullUntil) {
			l.fullUntil = free
		}
	}
}
