package scheduler

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
)

// TestRealLoopPublishesOnTimeInsideThePollInterval runs the real gocron jobs on the real clock
// with a 5 s poll interval and checks that posts go out within a second of their time, not up to
// an interval late: the dispatcher sleeps until the next due target inside each run. One post is
// due 1.5 s after start (inside the first run), the other 5.5 s after (inside the second run, so
// a run skipped because the previous one had not finished would show up as 4.5 s of delay).
//
// Lateness is measured from the target's published_at (the fake network's clock at publication)
// to its due time. The bound is 1 s, or 1.5 s under the race detector, whose slowdown is not
// something the scheduler controls.
func TestRealLoopPublishesOnTimeInsideThePollInterval(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 6 s of real time")
	}
	bound := time.Second
	if raceEnabled {
		bound = 1500 * time.Millisecond
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnvWithClock(t, d, clockwork.NewRealClock())
			s := e.newScheduler(func(o *Options) { o.PollInterval = 5 * time.Second })
			ch := e.channel("main")
			start := time.Now()
			dues := []time.Time{start.Add(1500 * time.Millisecond), start.Add(5500 * time.Millisecond)}
			var posts []*store.Post
			for _, due := range dues {
				posts = append(posts, e.schedule("on time", due, ch))
			}
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer func() {
				sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				if err := s.Shutdown(sctx); err != nil {
					t.Errorf("shutdown: %v", err)
				}
			}()
			deadline := dues[1].Add(10 * time.Second)
			for i, p := range posts {
				var tg store.Target
				for {
					tg = e.target(p, ch)
					if tg.Status != store.TargetPending && tg.Status != store.TargetPublishing || time.Now().After(deadline) {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				if tg.Status != store.TargetPublished || tg.PublishedAt == nil {
					t.Fatalf("post %d: %s (%s)", i, tg.Status, deref(tg.LastError))
				}
				due := dues[i].UTC().Truncate(time.Microsecond)
				late := tg.PublishedAt.Sub(due)
				t.Logf("post %d: published %v after its time", i, late)
				if late < 0 {
					t.Errorf("post %d published %v early", i, -late)
				}
				if late > bound {
					t.Errorf("post %d published %v late, want under %v", i, late, bound)
				}
				e.calls(tg, 1)
			}
		})
	}
}

// A claim cut short because the process is stopping (gocron cancels the running job's context at
// shutdown) took nothing and is no failure: it must not be logged as one, or a worker warns of a
// failed claim whenever it stops while claiming. A claim that fails for another reason still
// warns.
func TestClaimCutShortByShutdownIsNotAWarning(t *testing.T) {
	e := newEnv(t, store.SQLite, t0)
	var logs syncBuffer
	warnings := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := e.newScheduler(func(o *Options) { o.Log = warnings })
	ch := e.channel("main")
	p := e.schedule("due now", t0.Add(time.Minute), ch)
	e.advance(time.Minute)
	s.dispatchLoop(&endingContext{Context: ctx, done: closedChan()})
	if tg := e.target(p, ch); tg.Status != store.TargetPending {
		t.Errorf("the cut-short claim took the target: %s", tg.Status)
	}
	if got := logs.String(); strings.Contains(got, "claim failed") {
		t.Errorf("a claim ended by shutdown was logged as a failure:\n%s", got)
	}

	broken := storetest.Open(t, store.SQLite, e.clock.Now)
	b, err := New(broken, Options{Kind: "worker", Clock: e.clock, Registry: e.reg, Keys: e.keys, Log: warnings, Lookahead: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.cron.Shutdown() })
	_ = broken.Close()
	b.dispatchLoop(ctx)
	if got := logs.String(); !strings.Contains(got, "claim failed") {
		t.Errorf("a claim on a closed database was not logged:\n%s", got)
	}
}

// endingContext ends just after the dispatcher's first look at it: its Done channel is closed,
// and Err answers nil once, then context.Canceled, as the context of a job gocron cancels while
// it runs.
type endingContext struct {
	context.Context
	done   chan struct{}
	looked atomic.Int32
}

func (c *endingContext) Done() <-chan struct{} { return c.done }

func (c *endingContext) Err() error {
	if c.looked.Add(1) == 1 {
		return nil
	}
	return context.Canceled
}

func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// syncBuffer is a bytes.Buffer safe for the scheduler's goroutines to log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
