package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock, safe for the concurrent test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 30, 0, 59, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustAllow(t *testing.T, l *Limiter, key string) {
	t.Helper()
	if ok, retry := l.Allow(key); !ok {
		t.Fatalf("Allow(%q) refused, retryAfter %v; want allowed", key, retry)
	}
}

func mustRefuse(t *testing.T, l *Limiter, key string, wantRetry time.Duration) {
	t.Helper()
	ok, retry := l.Allow(key)
	if ok {
		t.Fatalf("Allow(%q) allowed; want refused with retryAfter %v", key, wantRetry)
	}
	if retry != wantRetry {
		t.Fatalf("Allow(%q) retryAfter = %v, want %v", key, retry, wantRetry)
	}
}

func TestLimiterLimitAndRetryAfter(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(3, 15*time.Minute, clock.Now)

	mustAllow(t, l, "addr:192.0.2.1")
	clock.Advance(time.Minute)
	mustAllow(t, l, "addr:192.0.2.1")
	clock.Advance(time.Minute)
	mustAllow(t, l, "addr:192.0.2.1")

	// The oldest attempt, two minutes ago, frees its place in 13 minutes.
	mustRefuse(t, l, "addr:192.0.2.1", 13*time.Minute)
	clock.Advance(12*time.Minute + 59*time.Second)
	mustRefuse(t, l, "addr:192.0.2.1", time.Second)

	// Exactly one window after the first attempt it no longer counts.
	clock.Advance(time.Second)
	mustAllow(t, l, "addr:192.0.2.1")
	// That slot is used again; the next frees when the second attempt
	// (made at +1m) expires at +16m, one minute from now.
	mustRefuse(t, l, "addr:192.0.2.1", time.Minute)
}

func TestLimiterRefusalsAreNotRecorded(t *testing.T) {
	// If refusals counted, hammering would push the lockout back forever
	// and retryAfter would be a lie.
	clock := newFakeClock()
	l := NewLimiter(2, time.Minute, clock.Now)
	mustAllow(t, l, "k")
	mustAllow(t, l, "k")
	for range 50 {
		clock.Advance(time.Second)
		if ok, _ := l.Allow("k"); ok {
			t.Fatal("allowed while over the limit")
		}
	}
	clock.Advance(10 * time.Second) // 60s after the first two attempts
	mustAllow(t, l, "k")
	mustAllow(t, l, "k")
}

func TestLimiterSlidingNotFixed(t *testing.T) {
	// A fixed window would allow 2×max around a boundary; a sliding one
	// never allows more than max in any window-long span.
	clock := newFakeClock()
	l := NewLimiter(5, time.Minute, clock.Now)
	clock.Advance(59 * time.Second)
	for range 5 {
		mustAllow(t, l, "k")
	}
	clock.Advance(2 * time.Second) // past any minute boundary
	mustRefuse(t, l, "k", 58*time.Second)
}

func TestLimiterWindowPasses(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(1, time.Hour, clock.Now)
	mustAllow(t, l, "k")
	mustRefuse(t, l, "k", time.Hour)
	clock.Advance(time.Hour)
	mustAllow(t, l, "k")
	clock.Advance(24 * time.Hour)
	mustAllow(t, l, "k")
}

func TestLimiterKeysIndependent(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(2, time.Minute, clock.Now)
	mustAllow(t, l, "account:1")
	mustAllow(t, l, "account:1")
	mustRefuse(t, l, "account:1", time.Minute)
	mustAllow(t, l, "account:2")
	mustAllow(t, l, "addr:192.0.2.1")
	mustAllow(t, l, "")
	mustRefuse(t, l, "account:1", time.Minute)
}

func TestLimiterReset(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(2, time.Minute, clock.Now)
	mustAllow(t, l, "account:1")
	mustAllow(t, l, "account:1")
	mustAllow(t, l, "addr:x")
	mustRefuse(t, l, "account:1", time.Minute)
	l.Reset("account:1")
	mustAllow(t, l, "account:1")
	mustAllow(t, l, "account:1")
	mustRefuse(t, l, "account:1", time.Minute)
	l.Reset("never-seen") // must not panic
	mustAllow(t, l, "addr:x")
	mustRefuse(t, l, "addr:x", time.Minute)
}

func TestLimiterSweepsExpiredKeys(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(3, time.Minute, clock.Now)
	for i := range 1000 {
		mustAllow(t, l, fmt.Sprintf("addr:%d", i))
	}
	if n := keyCount(l); n != 1000 {
		t.Fatalf("tracking %d keys, want 1000", n)
	}
	clock.Advance(time.Minute)
	mustAllow(t, l, "addr:new")
	if n := keyCount(l); n != 1 {
		t.Errorf("after a window, tracking %d keys, want 1 (expired keys swept)", n)
	}
}

func TestLimiterKeepsAtMostMaxTimestamps(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(3, time.Minute, clock.Now)
	for range 10_000 {
		l.Allow("k")
		clock.Advance(time.Second)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if hits := l.hits["k"]; len(hits) > 3 || cap(hits) > 8 {
		t.Errorf("key holds len %d cap %d timestamps, want at most max", len(hits), cap(hits))
	}
}

func TestLimiterKeyCap(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(2, time.Minute, clock.Now)
	l.maxKeys = 100

	mustAllow(t, l, "account:victim")
	mustAllow(t, l, "account:victim")
	for i := range 99 {
		clock.Advance(100 * time.Millisecond)
		mustAllow(t, l, fmt.Sprintf("addr:%d", i))
	}
	if n := keyCount(l); n != 100 {
		t.Fatalf("tracking %d keys, want 100", n)
	}

	// Full: a new key is refused until the earliest key expires, and the
	// victim's counter is not evicted to make room.
	clock.Advance(100 * time.Millisecond) // 10s after the victim's attempts
	mustRefuse(t, l, "addr:flood", 50*time.Second)
	mustRefuse(t, l, "account:victim", 50*time.Second)
	for i := range 1000 {
		if ok, _ := l.Allow(fmt.Sprintf("addr:flood-%d", i)); ok {
			t.Fatal("new key admitted while full")
		}
	}
	if n := keyCount(l); n > 100 {
		t.Fatalf("tracking %d keys, cap is 100", n)
	}

	// Existing keys keep working while full.
	mustAllow(t, l, "addr:5")

	// Reset frees a place at once.
	l.Reset("addr:0")
	mustAllow(t, l, "addr:flood")

	// Once the victim's attempts expire, its place is reclaimed.
	clock.Advance(50 * time.Second)
	mustAllow(t, l, "addr:flood-2")
	if n := keyCount(l); n > 100 {
		t.Fatalf("tracking %d keys, cap is 100", n)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clock := newFakeClock()
	const max = 50
	l := NewLimiter(max, time.Minute, clock.Now)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed = map[string]int{}
	)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				key := fmt.Sprintf("k%d", (g+i)%4)
				if ok, _ := l.Allow(key); ok {
					mu.Lock()
					allowed[key]++
					mu.Unlock()
				}
				if i%50 == 0 {
					l.Reset(fmt.Sprintf("other%d", g))
				}
			}
		})
	}
	wg.Wait()
	for key, n := range allowed {
		if n != max {
			t.Errorf("key %s allowed %d times, want exactly %d", key, n, max)
		}
	}
	if len(allowed) != 4 {
		t.Errorf("%d keys saw allowed attempts, want 4", len(allowed))
	}
}

func TestNewLimiterPanics(t *testing.T) {
	for _, tt := range []struct {
		max    int
		window time.Duration
	}{{0, time.Minute}, {-1, time.Minute}, {1, 0}, {1, -time.Second}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLimiter(%d, %v) did not panic", tt.max, tt.window)
				}
			}()
			NewLimiter(tt.max, tt.window, nil)
		}()
	}
	l := NewLimiter(1, time.Minute, nil) // nil clock means time.Now
	if ok, _ := l.Allow("k"); !ok {
		t.Error("first attempt refused with the real clock")
	}
}

func keyCount(l *Limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hits)
}
