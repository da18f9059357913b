package scheduler

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// publishAll schedules n posts on each channel, all due at due, advances the clock to it and
// publishes them with the scheduler.
func (e *env) publishAll(n int, due time.Time, chans ...*store.Channel) []*store.Post {
	e.t.Helper()
	var posts []*store.Post
	for i := range n {
		posts = append(posts, e.schedule(fmt.Sprintf("post %d", i), due, chans...))
	}
	e.advance(due.Sub(e.now()))
	for e.dispatch(nil) > 0 {
	}
	for _, p := range posts {
		e.postStatus(p, workflow.Published)
	}
	return posts
}

func TestEngagementIsReadOnSchedule(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		due := t0.Add(time.Minute)
		p := e.publishAll(1, due, ch)[0]
		tg := e.target(p, ch)
		likes, reposts := int64(12), int64(3)
		e.net.mu.Lock()
		e.net.metrics[tg.ExternalID] = publishers.Metrics{Likes: &likes, Reposts: &reposts}
		e.net.mu.Unlock()

		e.advance(15*time.Minute - time.Second)
		e.s.collectMetrics(ctx)
		if e.net.metricsCalls != 0 {
			t.Fatalf("engagement read before its time")
		}
		e.advance(time.Second)
		e.s.collectMetrics(ctx)
		snaps, err := e.st.Snapshots(ctx, e.ws.ID, p.ID)
		if err != nil || len(snaps) != 1 {
			t.Fatalf("snapshots %+v %v", snaps, err)
		}
		s := snaps[0]
		if s.TargetID != tg.ID || s.Likes == nil || *s.Likes != 12 || s.Reposts == nil || *s.Reposts != 3 || s.Replies != nil || !s.TakenAt.Equal(e.now()) {
			t.Errorf("snapshot %+v", s)
		}
		tg = e.target(p, ch)
		if tg.NextMetricsAt == nil || !tg.NextMetricsAt.Equal(due.Add(time.Hour)) || tg.MetricsStep != 1 {
			t.Errorf("next reading %v step %d, want %v step 1", tg.NextMetricsAt, tg.MetricsStep, due.Add(time.Hour))
		}
		e.s.collectMetrics(ctx)
		if snaps, _ := e.st.Snapshots(ctx, e.ws.ID, p.ID); len(snaps) != 1 || e.net.metricsCalls != 1 {
			t.Errorf("read again within the step: %d snapshots, %d calls", len(snaps), e.net.metricsCalls)
		}
		e.advance(45 * time.Minute)
		e.s.collectMetrics(ctx)
		if snaps, _ := e.st.Snapshots(ctx, e.ws.ID, p.ID); len(snaps) != 2 {
			t.Errorf("%d snapshots at +1 h, want 2", len(snaps))
		}
		if tg = e.target(p, ch); tg.MetricsStep != 2 || !tg.NextMetricsAt.Equal(due.Add(6*time.Hour)) {
			t.Errorf("next reading %v step %d, want +6 h step 2", tg.NextMetricsAt, tg.MetricsStep)
		}
	})
}

func TestClaimMetricsNeverHandsOutATargetTwicePerStep(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		chans := []*store.Channel{e.channel("a"), e.channel("b"), e.channel("c"), e.channel("d")}
		due := t0.Add(time.Minute)
		e.publishAll(5, due, chans...) // 20 published targets
		for step, at := range []time.Duration{15 * time.Minute, time.Hour} {
			e.advance(due.Add(at).Sub(e.now()))
			seen := map[int64]int{}
			var mu sync.Mutex
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for range 3 {
						ts, err := e.st.ClaimMetrics(ctx, e.now(), 7)
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						for _, tg := range ts {
							seen[tg.ID]++
							if tg.MetricsStep != step {
								t.Errorf("target %d handed out at step %d, want %d", tg.ID, tg.MetricsStep, step)
							}
						}
						mu.Unlock()
					}
				}()
			}
			close(start)
			wg.Wait()
			if len(seen) != 20 {
				t.Errorf("step %d: %d targets handed out, want 20", step, len(seen))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("step %d: target %d handed out %d times", step, id, n)
				}
			}
		}
	})
}

func TestTokenRefreshRunsOnceAcrossWorkers(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		expiring := t0.Add(5 * time.Minute)
		ch := e.channel("main", func(c *store.Channel, cr *publishers.Credentials) {
			c.TokenExpiresAt, cr.Expiry = &expiring, expiring
		})
		later := t0.Add(2 * time.Hour)
		e.channel("later", func(c *store.Channel, cr *publishers.Credentials) {
			c.TokenExpiresAt, cr.Expiry = &later, later
		})
		e.net.refreshDelay = 50 * time.Millisecond
		other := e.newScheduler(nil)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, s := range []*Scheduler{e.s, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				s.refreshTokens(ctx)
			}()
		}
		close(start)
		wg.Wait()
		if n := e.net.refreshCalls.Load(); n != 1 {
			t.Fatalf("Refresh called %d times, want once", n)
		}

		c := e.reload(ch)
		if c.Credentials == nil || strings.Contains(*c.Credentials, "refreshed") {
			t.Fatalf("credentials not saved sealed: %v", c.Credentials)
		}
		raw, err := e.keys.Open(*c.Credentials, ChannelAAD(ch.ID))
		if err != nil {
			t.Fatal(err)
		}
		var got publishers.Credentials
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		want := publishers.Credentials{AccessToken: "token-main-refreshed", RefreshToken: "refresh-main-rotated", Expiry: t0.Add(2 * time.Hour)}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("saved credentials %+v, want %+v", got, want)
		}
		if c.TokenExpiresAt == nil || !c.TokenExpiresAt.Equal(want.Expiry) || c.CredentialsKeyID != e.keys.PrimaryID() {
			t.Errorf("token expiry %v key %q", c.TokenExpiresAt, c.CredentialsKeyID)
		}
		if c.Status != store.ChannelConnected {
			t.Errorf("channel %s", c.Status)
		}

		// Refreshed, the channel is no longer due; a minute on, nothing is refreshed again.
		e.advance(2 * time.Minute)
		e.s.refreshTokens(ctx)
		other.refreshTokens(ctx)
		if n := e.net.refreshCalls.Load(); n != 1 {
			t.Errorf("Refresh called %d times after the refresh, want 1", n)
		}
	})
}

func TestAlarmWhenDuePostsAreNotClaimed(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		e.schedule("Hello", t0.Add(time.Minute), ch)
		e.advance(time.Minute + 10*time.Second)
		e.s.checkHealth(ctx)
		e.notified(store.NotifyAlarm, 0)

		e.advance(21 * time.Second) // 31 s unclaimed
		for range 3 {
			e.s.checkHealth(ctx)
			e.advance(5 * time.Second)
		}
		e.notified(store.NotifyAlarm, 1, "1 target(s)", t0.Add(time.Minute).Format(time.RFC3339), "Check that a Herald worker is running")
		e.advance(5 * time.Minute)
		e.s.checkHealth(ctx)
		e.notified(store.NotifyAlarm, 1)

		// Once claimed, nothing is waiting and no alarm is raised, however long after.
		e.dispatch(nil)
		e.advance(time.Hour)
		e.s.checkHealth(ctx)
		e.notified(store.NotifyAlarm, 1)
	})
}

// TestConcurrentWorkersPublishEachTargetOnce runs two schedulers (two worker ids) on one store,
// claiming at the same time: on MySQL they take disjoint sets with SKIP LOCKED, on SQLite the
// immediate transactions serialise them. Either way each target is published exactly once.
func TestConcurrentWorkersPublishEachTargetOnce(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		var chans []*store.Channel
		for i := range 5 {
			chans = append(chans, e.channel(fmt.Sprintf("ch%d", i)))
		}
		due := t0.Add(time.Minute)
		var posts []*store.Post
		for i := range 40 {
			posts = append(posts, e.schedule(fmt.Sprintf("post %d", i), due, chans...))
		}
		e.advance(time.Minute)
		e.net.latency = time.Millisecond
		workers := []*Scheduler{e.s, e.newScheduler(nil)}
		claimed := make([]int, len(workers))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, s := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for {
					n, err := s.dispatchOnce(ctx)
					if err != nil {
						t.Errorf("worker %d: %v", i, err)
						return
					}
					claimed[i] += n
					if n > 0 {
						continue
					}
					s.inflight.Wait()
					left, _, err := e.st.DueBacklog(ctx, e.now())
					if err != nil {
						t.Errorf("backlog: %v", err)
						return
					}
					if left == 0 {
						return
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, s := range workers {
			s.inflight.Wait()
		}
		t.Logf("claims per worker: %v", claimed)
		if claimed[0]+claimed[1] != 200 {
			t.Errorf("%d claims in all, want 200", claimed[0]+claimed[1])
		}
		for _, p := range posts {
			e.postStatus(p, workflow.Published)
			for _, tg := range e.post(p.ID).Targets {
				e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
				e.calls(tg, 1)
			}
		}
		if n := e.net.totalCalls(); n != 200 {
			t.Errorf("%d publish calls, want 200", n)
		}
	})
}

// TestTokenRefreshDuringASlowPass covers a refresh pass that takes a while (each refresh is a
// network call): the lease on a channel further down the list must run from when it is taken,
// and the credentials refreshed must be the ones stored when it is taken, not those read when the
// pass began. Refresh tokens often rotate: refreshing twice, or with a token another worker
// already used, signs the account out.
func TestTokenRefreshDuringASlowPass(t *testing.T) {
	t.Parallel()
	setup := func(e *env) (x, y *store.Channel) {
		expX, expY := t0.Add(5*time.Minute), t0.Add(6*time.Minute)
		x = e.channel("x", func(c *store.Channel, cr *publishers.Credentials) { c.TokenExpiresAt, cr.Expiry = &expX, expX })
		y = e.channel("y", func(c *store.Channel, cr *publishers.Credentials) { c.TokenExpiresAt, cr.Expiry = &expY, expY })
		return x, y
	}
	refreshesOf := func(e *env, name string) []string {
		e.net.mu.Lock()
		defer e.net.mu.Unlock()
		var out []string
		for _, rt := range e.net.refreshedWith {
			if strings.HasPrefix(rt, "refresh-"+name) {
				out = append(out, rt)
			}
		}
		return out
	}
	t.Run("lease runs from when it is taken", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			_, _ = setup(e)
			other := e.newScheduler(nil)
			reentered := false
			e.net.onRefresh = func(c *publishers.Credentials) {
				switch c.AccessToken {
				case "token-x":
					e.advance(2 * time.Minute) // the first refresh of the pass is slow
				case "token-y":
					if !reentered {
						// While this worker refreshes y, another worker runs its pass.
						reentered = true
						other.refreshTokens(ctx)
					}
				}
			}
			e.s.refreshTokens(ctx)
			if got := refreshesOf(e, "y"); len(got) != 1 {
				t.Errorf("y refreshed %d times (%v), want once", len(got), got)
			}
			if got := refreshesOf(e, "x"); len(got) != 1 {
				t.Errorf("x refreshed %d times (%v), want once", len(got), got)
			}
		})
	})
	t.Run("credentials read when the lease is taken", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			_, y := setup(e)
			other := e.newScheduler(nil)
			e.net.onRefresh = func(c *publishers.Credentials) {
				if c.AccessToken == "token-x" {
					// While this worker refreshes x, another one refreshes y (x's lease keeps it
					// off x), then time passes beyond that worker's lease on y.
					e.net.onRefresh = nil
					other.refreshTokens(ctx)
					e.advance(2 * time.Minute)
				}
			}
			e.s.refreshTokens(ctx)
			if got := refreshesOf(e, "y"); len(got) != 1 {
				t.Errorf("y refreshed with %v, want once with its original token", got)
			}
			raw, err := e.keys.Open(*e.reload(y).Credentials, ChannelAAD(y.ID))
			if err != nil {
				t.Fatal(err)
			}
			var got publishers.Credentials
			_ = json.Unmarshal(raw, &got)
			if got.RefreshToken != "refresh-y-rotated" {
				t.Errorf("y's stored refresh token is %q, want the one rotated once", got.RefreshToken)
			}
		})
	})
}

func TestWarnsWhenATokenExpiresBeforeAScheduledPost(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		exp := t0.Add(2 * time.Hour)
		// A channel whose token cannot be renewed (no refresh token) and expires in 2 h.
		ch := e.channel("li", func(c *store.Channel, cr *publishers.Credentials) {
			c.TokenExpiresAt = &exp
			cr.RefreshToken = ""
			cr.Expiry = exp
		})
		e.schedule("Later", t0.Add(3*time.Hour), ch)
		e.s.warnExpiringTokens(ctx)
		e.s.warnExpiringTokens(ctx) // once, not once per pass
		e.notified(store.NotifyTokenExpiring, 1, "Reconnect the channel", ch.Name)
		// A renewable channel is refreshed instead, without a warning.
		ch2 := e.channel("masto", func(c *store.Channel, cr *publishers.Credentials) { c.TokenExpiresAt = &exp })
		e.schedule("Later too", t0.Add(3*time.Hour), ch2)
		e.s.warnExpiringTokens(ctx)
		e.notified(store.NotifyTokenExpiring, 1)
	})
}
