package scheduler

// What networks tell the scheduler beyond success or failure: warnings about what failed after a
// post was created, posting allowances, how long publishing takes, when tokens should be renewed.

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

func TestWarningsAfterPublishingReachPeople(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		e.net.then("token-main", step{warnings: []string{"the first comment was refused (too long)."}})
		p := e.schedule("Hello", t0.Add(time.Minute), ch)
		e.advance(time.Minute)
		e.dispatch(nil)
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, errHas: []string{"Published, but the first comment was refused"}})
		if tg.ErrorKind != "warning" {
			t.Errorf("error kind %q, want warning", tg.ErrorKind)
		}
		e.notified(store.NotifyWarning, 1, "main", "first comment was refused")
		e.postStatus(p, workflow.Published)
	})
}

func TestPostingAllowanceWarnsThenHoldsTheChannel(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		reset := t0.Add(10 * time.Hour)
		e.net.then("token-main",
			step{quota: &publishers.Quota{Limit: 100, Remaining: 50, ResetAt: reset}},
			step{quota: &publishers.Quota{Limit: 100, Remaining: 9, ResetAt: reset}},
			step{quota: &publishers.Quota{Limit: 100, Remaining: 8, ResetAt: reset}},
			step{quota: &publishers.Quota{Limit: 100, Remaining: 0, ResetAt: reset}})
		var posts []*store.Post
		for i := range 5 {
			posts = append(posts, e.schedule("Post "+string(rune('A'+i)), t0.Add(time.Duration(i+1)*time.Minute), ch))
		}
		for range 4 {
			e.advance(time.Minute)
			e.dispatch(nil)
		}
		// Plenty left: nothing said. A tenth left: said once, not at every post. None left: said.
		e.notified(store.NotifyQuotaLow, 1, "9 of its 100 posts left")
		e.notified(store.NotifyQuotaExhausted, 1, "used all 100 posts", reset.Format(time.RFC3339))
		if c := e.reload(ch); c.RateLimitedUntil == nil || !c.RateLimitedUntil.Equal(reset) {
			t.Errorf("channel rate_limited_until %v, want the reset %v", c.RateLimitedUntil, reset)
		}
		// The fifth post waits for the reset without being sent to be refused.
		e.advance(time.Minute)
		e.dispatch(nil)
		last := e.target(posts[4], ch)
		e.check(last, want{status: store.TargetPending, attempts: 0, due: reset, errHas: []string{"rate limit"}})
		e.calls(last, 0)
	})
}

func TestNetworkThatPublishesSlowlyGetsTimeAndALongerLease(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		e.net.publishTimeout = 6 * time.Minute
		ch := e.channel("main")
		p := e.schedule("A video", t0.Add(time.Minute), ch)
		var leaseLeft time.Duration
		e.net.onPublish = func(publishers.Post) {
			if tg := e.target(p, ch); tg.LeaseExpiresAt != nil {
				leaseLeft = tg.LeaseExpiresAt.Sub(e.now())
			}
		}
		e.advance(time.Minute)
		e.dispatch(nil)
		e.net.onPublish = nil
		if len(e.net.deadlines) != 1 || e.net.deadlines[0] < 5*time.Minute {
			t.Errorf("publish given %v, want the network's 6 minutes", e.net.deadlines)
		}
		// The lease must outlast the call, or reconciliation could retry a publish in flight.
		if leaseLeft < 6*time.Minute {
			t.Errorf("lease left during the call: %v, want more than the 6-minute timeout", leaseLeft)
		}
		e.check(e.target(p, ch), want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
	})
}

func TestTokensRenewedAsEarlyAsTheNetworkAsks(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		inThreeDays := t0.Add(72 * time.Hour)
		// A long-lived token renewed by the network itself, without a refresh token.
		ch := e.channel("threads", func(c *store.Channel, cr *publishers.Credentials) {
			c.TokenExpiresAt, cr.Expiry, cr.RefreshToken = &inThreeDays, inThreeDays, ""
		})
		e.schedule("In four days", t0.Add(96*time.Hour), ch)
		e.s.refreshTokens(ctx)
		if n := e.net.refreshCalls.Load(); n != 0 {
			t.Fatalf("refreshed %d times three days ahead with the default 15 minutes", n)
		}
		e.notified(store.NotifyTokenExpiring, 1, "Reconnect the channel")

		e.net.refreshAhead, e.net.renewsItself = 7*24*time.Hour, true
		e.s.refreshTokens(ctx)
		if n := e.net.refreshCalls.Load(); n != 1 {
			t.Fatalf("refreshed %d times, want once when the network asks for a week ahead", n)
		}
		if c := e.reload(ch); c.TokenExpiresAt == nil || !c.TokenExpiresAt.After(inThreeDays.Add(-72*time.Hour)) {
			t.Errorf("token expiry after the refresh: %v", c.TokenExpiresAt)
		}
		// No reconnect warning for a token the network renews by itself.
		later := t0.Add(48 * time.Hour)
		ch2 := e.channel("threads2", func(c *store.Channel, cr *publishers.Credentials) {
			c.TokenExpiresAt, cr.Expiry, cr.RefreshToken = &later, later, ""
		})
		e.net.refreshAhead = time.Hour // not due for renewal yet
		e.schedule("In three days", t0.Add(72*time.Hour), ch2)
		e.s.warnExpiringTokens(ctx)
		e.notified(store.NotifyTokenExpiring, 1)
	})
}

func TestThreadsGoToNetworksThatTakeThem(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		threaded := func(body string, at time.Time) *store.Post {
			p := e.schedule(body, at, ch)
			db, err := e.st.SQL()
			if err != nil {
				t.Fatal(err)
			}
			// The API stores the parts with the post (server tests cover that path).
			if _, err := db.Exec("UPDATE posts SET thread = ? WHERE id = ?", `[{"text":"2/2 the rest","media":[{"url":"https://cdn.example/a.jpg","kind":"image","alt_text":"a cup"}]}]`, p.ID); err != nil {
				t.Fatal(err)
			}
			return p
		}
		p := threaded("1/2 Hello", t0.Add(time.Minute))
		e.advance(time.Minute)
		e.dispatch(nil)
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetFailed, attempts: 1, noDue: true, errHas: []string{"does not publish threads"}})
		e.calls(tg, 0)

		e.net.threads = true
		p2 := threaded("1/2 Hello again", t0.Add(2*time.Minute))
		e.advance(time.Minute)
		e.dispatch(nil)
		e.check(e.target(p2, ch), want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
		sent := e.net.posts[len(e.net.posts)-1]
		if len(sent.Thread) != 1 || sent.Thread[0].Text != "2/2 the rest" || len(sent.Thread[0].Media) != 1 ||
			sent.Thread[0].Media[0].URL != "https://cdn.example/a.jpg" || sent.Thread[0].Media[0].AltText != "a cup" {
			t.Errorf("thread sent: %+v", sent.Thread)
		}
	})
}
