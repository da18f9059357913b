package scheduler

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// The tests in this file drive the dispatcher by hand, under a fake clock shared by the store and
// the scheduler: dispatch() runs one claim pass and waits for its publishes, so every assertion
// sees settled state and nothing depends on real time.

func TestDuePostIsPublishedAtItsTimeAndNotBefore(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		due := t0.Add(10 * time.Minute)
		p := e.schedule("Hello from Herald", due, ch)

		e.advance(10*time.Minute - time.Second)
		if n := e.dispatch(nil); n != 0 {
			t.Fatalf("claimed %d targets a second before they were due", n)
		}
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetPending, attempts: 0, due: due, noErr: true})
		e.calls(tg, 0)

		e.advance(time.Second)
		if n := e.dispatch(nil); n != 1 {
			t.Fatalf("claimed %d targets at their due time, want 1", n)
		}
		tg = e.target(p, ch)
		e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
		e.calls(tg, 1)
		e.postStatus(p, workflow.Published)
		got, ok := e.net.isPublished(tg.IdempotencyKey)
		if !ok || tg.ExternalID != got.ExternalID || tg.ExternalURL != got.URL || tg.ExternalURL == "" {
			t.Errorf("external id/url %q %q, network has %+v", tg.ExternalID, tg.ExternalURL, got)
		}
		if tg.PublishedAt == nil || !tg.PublishedAt.Equal(due) {
			t.Errorf("published_at %v, want %v", tg.PublishedAt, due)
		}
		if tg.NextMetricsAt == nil || !tg.NextMetricsAt.Equal(due.Add(15*time.Minute)) || tg.MetricsStep != 0 {
			t.Errorf("metrics schedule %v step %d, want %v step 0", tg.NextMetricsAt, tg.MetricsStep, due.Add(15*time.Minute))
		}
		if n := e.dispatch(nil); n != 0 {
			t.Errorf("a published target was claimed again (%d)", n)
		}
		e.notified(store.NotifyFailed, 0)
	})
}

func TestOneChannelRefusesPostIsPartiallyPublished(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		a, b := e.channel("a"), e.channel("b")
		const refusal = "Text is too long for this instance (500 characters at most)."
		e.net.then("token-b", fail(publishers.KindPermanent, refusal))
		p := e.schedule("Launch day", t0.Add(time.Minute), a, b)
		e.advance(time.Minute)
		if n := e.dispatch(nil); n != 2 {
			t.Fatalf("claimed %d, want 2", n)
		}
		ta, tb := e.target(p, a), e.target(p, b)
		e.check(ta, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
		e.check(tb, want{status: store.TargetFailed, attempts: 1, noDue: true, errHas: []string{"Test network refused the post", refusal}})
		if tb.ErrorKind != "permanent" {
			t.Errorf("error kind %q", tb.ErrorKind)
		}
		e.calls(ta, 1)
		e.calls(tb, 1)
		e.postStatus(p, workflow.PartiallyPublished)
		ns := e.notified(store.NotifyFailed, 1, refusal)
		if len(ns) == 1 && (ns[0].TargetID == nil || *ns[0].TargetID != tb.ID || ns[0].PostID == nil || *ns[0].PostID != p.ID) {
			t.Errorf("notification does not point at the failed target: %+v", ns[0])
		}
	})
}

func TestRetryableFailureBacksOffThenFails(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		const outage = "The server is overloaded; try again later."
		for range 5 {
			e.net.then("token-main", fail(publishers.KindRetryable, outage))
		}
		p := e.schedule("Hello", t0.Add(time.Minute), ch)
		e.advance(time.Minute)
		for attempt := 1; attempt < 5; attempt++ {
			if n := e.dispatch(nil); n != 1 {
				t.Fatalf("attempt %d: claimed %d", attempt, n)
			}
			tg := e.target(p, ch)
			base := 30 * time.Second << (attempt - 1)
			if tg.DueAt == nil {
				t.Fatalf("attempt %d: no retry planned", attempt)
			}
			wait := tg.DueAt.Sub(e.now())
			if wait < base*8/10-time.Microsecond || wait > base*12/10 {
				t.Errorf("attempt %d: retry in %v, want %v ± 20%%", attempt, wait, base)
			}
			e.check(tg, want{status: store.TargetPending, attempts: attempt,
				errHas: []string{outage, "Attempt " + strconv.Itoa(attempt) + " of 5 failed", "Herald retries at"}})
			e.postStatus(p, workflow.Publishing)
			// Not before the backoff has passed.
			e.advance(wait - time.Second)
			if n := e.dispatch(nil); n != 0 {
				t.Fatalf("attempt %d: retried %v early", attempt, time.Second)
			}
			e.advance(time.Second)
		}
		if n := e.dispatch(nil); n != 1 {
			t.Fatalf("last attempt: claimed %d", n)
		}
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetFailed, attempts: 5, noDue: true, errHas: []string{"Failed after 5 attempts", outage}})
		e.calls(tg, 5)
		e.postStatus(p, workflow.Failed)
		e.notified(store.NotifyFailed, 1, outage)
		if n := e.dispatch(nil); n != 0 {
			t.Errorf("a failed target was claimed again")
		}
	})
}

func TestRateLimitWaitsWithoutSpendingAttempts(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		const limited = "Too many requests: 300 posts per 3 hours."
		e.net.then("token-main", step{kind: publishers.KindRateLimited, msg: limited, retryAfter: 90 * time.Second})
		due := t0.Add(time.Minute)
		// Two posts due together are claimed in one batch: the one published second must see the
		// limit the first one hit, although its channel was loaded before.
		p1 := e.schedule("first", due, ch)
		p2 := e.schedule("second", due, ch)
		p3 := e.schedule("third", due.Add(30*time.Second), ch)
		e.advance(time.Minute)
		if n := e.dispatch(nil); n != 2 {
			t.Fatalf("claimed %d, want 2", n)
		}
		until := due.Add(90 * time.Second)
		t1, t2 := e.target(p1, ch), e.target(p2, ch)
		if got := e.net.totalCalls(); got != 1 {
			t.Errorf("%d publish calls during a rate limit, want 1 (the one that hit it)", got)
		}
		hit, waited := t1, t2
		if e.net.publishCalls(t2.IdempotencyKey) == 1 {
			hit, waited = t2, t1
		}
		e.check(hit, want{status: store.TargetPending, attempts: 0, due: until, errHas: []string{limited, "Herald retries after " + until.Format(time.RFC3339)}})
		e.check(waited, want{status: store.TargetPending, attempts: 0, due: until, errHas: []string{"rate limit", until.Format(time.RFC3339)}})
		if hit.ErrorKind != "rate_limited" || waited.ErrorKind != "rate_limited" {
			t.Errorf("error kinds %q %q", hit.ErrorKind, waited.ErrorKind)
		}
		if c := e.reload(ch); c.RateLimitedUntil == nil || !c.RateLimitedUntil.Equal(until) {
			t.Errorf("channel rate_limited_until %v, want %v", c.RateLimitedUntil, until)
		}

		// A target that becomes due inside the window is put back without asking the network.
		e.advance(30 * time.Second)
		if n := e.dispatch(nil); n != 1 {
			t.Fatalf("claimed %d, want the third post", n)
		}
		t3 := e.target(p3, ch)
		e.check(t3, want{status: store.TargetPending, attempts: 0, due: until, errHas: []string{"rate limit"}})
		e.calls(t3, 0)

		e.advance(60 * time.Second)
		if n := e.dispatch(nil); n != 3 {
			t.Fatalf("claimed %d after the window, want 3", n)
		}
		for _, p := range []*store.Post{p1, p2, p3} {
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
			e.postStatus(p, workflow.Published)
			if _, ok := e.net.isPublished(tg.IdempotencyKey); !ok {
				t.Errorf("post %d is not on the network", p.ID)
			}
		}
		e.calls(e.target(p3, ch), 1)
		if got := e.net.totalCalls(); got != 4 {
			t.Errorf("%d publish calls, want 4", got)
		}
		e.notified(store.NotifyFailed, 0)
	})
}

func TestExpiredAuthHoldsChannelUntilReconnect(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch, other := e.channel("main"), e.channel("other")
		const revoked = "The access token was revoked."
		e.net.then("token-main", fail(publishers.KindAuthExpired, revoked))
		due := t0.Add(time.Minute)
		p1 := e.schedule("first", due, ch)
		p2 := e.schedule("second", due, ch)
		po := e.schedule("elsewhere", due, other)
		e.advance(time.Minute)
		if n := e.dispatch(nil); n != 3 {
			t.Fatalf("claimed %d, want 3", n)
		}
		t1, t2 := e.target(p1, ch), e.target(p2, ch)
		if got := e.net.publishCalls(t1.IdempotencyKey) + e.net.publishCalls(t2.IdempotencyKey); got != 1 {
			t.Errorf("%d calls on a channel whose token was revoked, want 1", got)
		}
		for _, tg := range []store.Target{t1, t2} {
			e.check(tg, want{status: store.TargetHeld, attempts: 0, due: due, errHas: []string{"reconnect"}})
		}
		hit := t1
		if e.net.publishCalls(t2.IdempotencyKey) == 1 {
			hit = t2
		}
		e.check(hit, want{status: store.TargetHeld, attempts: 0, due: due, errHas: []string{revoked, "waits until the channel is reconnected"}})
		e.check(e.target(po, other), want{status: store.TargetPublished, attempts: 1, noDue: true})
		e.postStatus(po, workflow.Published)
		c := e.reload(ch)
		if c.Status != store.ChannelNeedsReconnect || c.StatusReason != revoked {
			t.Errorf("channel %s (%q), want needs_reconnect", c.Status, c.StatusReason)
		}
		e.notified(store.NotifyNeedsReconnect, 1, "main", revoked)

		// A post due later on the same channel is held without a call.
		p3 := e.schedule("third", e.now().Add(time.Minute), ch)
		e.advance(time.Minute)
		if n := e.dispatch(nil); n != 1 {
			t.Fatalf("claimed %d, want 1", n)
		}
		t3 := e.target(p3, ch)
		e.check(t3, want{status: store.TargetHeld, attempts: 0, errHas: []string{"reconnect"}})
		e.calls(t3, 0)
		e.notified(store.NotifyNeedsReconnect, 1)

		fresh := publishers.Credentials{AccessToken: "token-main-2", RefreshToken: "refresh-main-2"}
		if err := e.st.Reconnect(ctx, e.ws.ID, ch.ID, e.sealFor(ch.ID, fresh), e.keys.PrimaryID(), nil, e.owner); err != nil {
			t.Fatal(err)
		}
		if n := e.dispatch(nil); n != 3 {
			t.Fatalf("claimed %d after reconnect, want 3", n)
		}
		for _, p := range []*store.Post{p1, p2, p3} {
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
			e.postStatus(p, workflow.Published)
			want := 1
			if tg.ID == hit.ID {
				want = 2
			}
			e.calls(tg, want)
		}
	})
}

func TestGracePeriodAfterDowntime(t *testing.T) {
	t.Parallel()
	t.Run("within grace", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			p := e.schedule("late but fine", t0.Add(time.Minute), ch)
			e.advance(31 * time.Minute) // Herald was down; the post is 30 min late
			if n := e.dispatch(nil); n != 1 {
				t.Fatalf("claimed %d", n)
			}
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
			e.calls(tg, 1)
			e.postStatus(p, workflow.Published)
			e.notified(store.NotifyMissed, 0)
		})
	})
	t.Run("beyond grace", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			due := t0.Add(time.Minute)
			p := e.schedule("too late", due, ch)
			e.advance(2*time.Hour + time.Minute)
			if n := e.dispatch(nil); n != 1 {
				t.Fatalf("claimed %d", n)
			}
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetMissed, attempts: 1, noDue: true,
				errHas: []string{"Not published", due.Format(time.RFC3339), "Reschedule it or publish it now"}})
			e.calls(tg, 0)
			e.notified(store.NotifyMissed, 1, due.Format(time.RFC3339))
			// Every target ended without going out: the post failed, and says so.
			e.postStatus(p, workflow.Failed)

			if err := e.st.ResolveTarget(ctx, e.ws.ID, p.ID, tg.ID, store.ResolveRetry, "", e.owner); err != nil {
				t.Fatal(err)
			}
			e.check(e.target(p, ch), want{status: store.TargetPending, attempts: 0, due: e.now(), noErr: true})
			if n := e.dispatch(nil); n != 1 {
				t.Fatalf("claimed %d after retry", n)
			}
			tg = e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
			e.calls(tg, 1)
			e.postStatus(p, workflow.Published)
		})
	})
}

func TestUnknownOutcomeIsReconciledNotRepeated(t *testing.T) {
	t.Parallel()
	const dropped = "The connection was reset after the request was sent."
	t.Run("found", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			e.net.then("token-main", step{kind: publishers.KindUnknown, msg: dropped, accept: true})
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			e.dispatch(nil)
			e.awaitReconcile(p, ch)
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
			got, _ := e.net.isPublished(tg.IdempotencyKey)
			if tg.ExternalURL != got.URL || got.URL == "" {
				t.Errorf("external url %q, network has %q", tg.ExternalURL, got.URL)
			}
			e.calls(tg, 1)
			e.postStatus(p, workflow.Published)
			e.notified(store.NotifyUnconfirmed, 0)
		})
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			e.net.then("token-main", step{kind: publishers.KindUnknown, msg: dropped})
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			e.dispatch(nil)
			e.awaitReconcile(p, ch)
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPending, attempts: 1,
				errHas: []string{"The network did not receive the post", dropped, "Attempt 1 of 5 failed"}})
			if tg.DueAt == nil || tg.DueAt.Sub(e.now()) < 24*time.Second || tg.DueAt.Sub(e.now()) > 36*time.Second {
				t.Fatalf("retry at %v, want about 30 s from %v", tg.DueAt, e.now())
			}
			if _, ok := e.net.isPublished(tg.IdempotencyKey); ok {
				t.Fatal("the fake accepted a post it was scripted to lose")
			}
			e.advance(tg.DueAt.Sub(e.now()) + time.Microsecond)
			e.dispatch(nil)
			tg = e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 2, noDue: true, noErr: true})
			e.calls(tg, 2) // one lost before reaching the network, one that went out
			if _, ok := e.net.isPublished(tg.IdempotencyKey); !ok {
				t.Error("not on the network")
			}
			e.postStatus(p, workflow.Published)
		})
	})
	t.Run("cannot tell", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			e.net.then("token-main", step{kind: publishers.KindUnknown, msg: dropped, accept: true})
			e.net.findThen(findUnknown)
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			e.dispatch(nil)
			e.awaitReconcile(p, ch)
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetUnconfirmed, attempts: 1, noDue: true,
				errHas: []string{"cannot tell whether the post was published", dropped, "the search service is unavailable"}})
			e.calls(tg, 1)
			e.notified(store.NotifyUnconfirmed, 1, "cannot tell", dropped)
			// Nothing retries an unconfirmed target by itself.
			e.advance(time.Hour)
			if n := e.dispatch(nil); n != 0 {
				t.Fatalf("an unconfirmed target was claimed again")
			}
			e.postStatus(p, workflow.Failed)

			const url = "https://testnet.example/@acme/found-by-hand"
			if err := e.st.ResolveTarget(ctx, e.ws.ID, p.ID, tg.ID, store.ResolvePublished, url, e.owner); err != nil {
				t.Fatal(err)
			}
			tg = e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noErr: true})
			if tg.ExternalURL != url {
				t.Errorf("external url %q", tg.ExternalURL)
			}
			e.postStatus(p, workflow.Published)
			e.calls(tg, 1)
		})
	})
}

func TestCrashedWorkerIsReconciled(t *testing.T) {
	t.Parallel()
	// claimAndCrash claims the post's target as worker A, starts publishing it, and stops there
	// as if the process died; reached says whether A's call got to the network.
	claimAndCrash := func(t *testing.T, e *env, p *store.Post, reached bool) int64 {
		t.Helper()
		work, err := e.st.ClaimDue(ctx, "worker-A", e.now(), 0, e.s.opt.Lease, 10)
		if err != nil || len(work) != 1 {
			t.Fatalf("claim: %v %v", work, err)
		}
		if reached {
			e.net.accept(e.post(p.ID).Targets[0].IdempotencyKey)
		}
		return work[0].Target.ID
	}
	lateFinish := func(t *testing.T, e *env, id int64) {
		t.Helper()
		err := e.st.FinishTarget(ctx, id, "worker-A", store.Outcome{Status: store.TargetFailed, Error: "A's stale verdict"})
		if !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("worker A's late finish: %v, want ErrLeaseLost", err)
		}
	}

	t.Run("found", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			id := claimAndCrash(t, e, p, true)

			// Within the lease nobody takes over.
			e.advance(time.Minute)
			e.s.reconcileExpired(ctx)
			if tg := e.target(p, ch); tg.Status != store.TargetPublishing || tg.LeaseOwner != "worker-A" {
				t.Fatalf("taken over inside the lease: %s by %q", tg.Status, tg.LeaseOwner)
			}

			e.advance(e.s.opt.Lease)
			e.s.reconcileExpired(ctx)
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
			got, _ := e.net.isPublished(tg.IdempotencyKey)
			if tg.ExternalURL != got.URL {
				t.Errorf("external url %q, network has %q", tg.ExternalURL, got.URL)
			}
			e.calls(tg, 0) // worker B asked, it did not post
			e.postStatus(p, workflow.Published)

			lateFinish(t, e, id)
			e.check(e.target(p, ch), want{status: store.TargetPublished, attempts: 1, noErr: true})
			e.postStatus(p, workflow.Published)
		})
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			id := claimAndCrash(t, e, p, false)
			e.advance(e.s.opt.Lease + time.Second)
			e.s.reconcileExpired(ctx)
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPending, attempts: 1, errHas: []string{"stopped before recording the result"}})
			lateFinish(t, e, id)
			e.advance(tg.DueAt.Sub(e.now()) + time.Microsecond)
			e.dispatch(nil)
			tg = e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 2, noDue: true, noErr: true})
			e.calls(tg, 1)
			e.postStatus(p, workflow.Published)
		})
	})
	t.Run("cannot tell", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			id := claimAndCrash(t, e, p, true)
			e.net.findThen(findUnknown)
			e.advance(e.s.opt.Lease + time.Second)
			e.s.reconcileExpired(ctx)
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetUnconfirmed, attempts: 1, noDue: true,
				errHas: []string{"cannot tell whether the post was published", "stopped before recording the result"}})
			e.notified(store.NotifyUnconfirmed, 1, "cannot tell")
			e.calls(tg, 0)
			lateFinish(t, e, id)
			e.check(e.target(p, ch), want{status: store.TargetUnconfirmed, attempts: 1})
		})
	})
}

func TestClaimReleasesTargetsOfPostsThatLeftTheSchedule(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		p := e.schedule("Hello", t0.Add(time.Minute), ch)
		// A race the store's own writes never leave behind, made by hand: the post went back to
		// approved while its target still waits to be due.
		db, err := e.st.SQL()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("UPDATE posts SET status = ? WHERE id = ?", string(workflow.Approved), p.ID); err != nil {
			t.Fatal(err)
		}
		e.advance(time.Minute)
		if n := e.dispatch(nil); n != 0 {
			t.Fatalf("claimed %d targets of a post off the schedule", n)
		}
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetPending, attempts: 0, noDue: true, noErr: true})
		if tg.LeaseOwner != "" || tg.LeaseExpiresAt != nil {
			t.Errorf("lease left behind: %q %v", tg.LeaseOwner, tg.LeaseExpiresAt)
		}
		e.calls(tg, 0)
		e.postStatus(p, workflow.Approved)
		e.advance(time.Hour)
		if n := e.dispatch(nil); n != 0 {
			t.Errorf("an unscheduled post was claimed")
		}
	})
}

// TestClaimAheadFreezesThePostAndPublishesAtItsTime: a worker claims a target a few seconds
// before it is due, so its database work is done by then; the post is publishing from the claim
// on (no edit can slip in), and the network is called at the due time, not before.
func TestClaimAheadFreezesThePostAndPublishesAtItsTime(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		s := e.newScheduler(func(o *Options) { o.Lookahead = 3 * time.Second })
		ch := e.channel("main")
		due := t0.Add(time.Minute)
		p := e.schedule("Hello", due, ch)
		e.advance(time.Minute - 2*time.Second)
		if n, err := s.dispatchOnce(ctx); err != nil || n != 1 {
			t.Fatalf("claim ahead: %d %v", n, err)
		}
		e.postStatus(p, workflow.Publishing)
		_, _, err := e.st.ApplyPostAction(ctx, e.ws.ID, p.ID, store.PostAction{Action: workflow.Unschedule, Actor: e.owner, Role: workflow.Owner})
		if !errors.Is(err, workflow.ErrInvalidTransition) {
			t.Errorf("unscheduling a post being published: %v, want an invalid transition", err)
		}
		// The publish waits on the clock for the due time.
		if err := e.fake.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		e.calls(e.target(p, ch), 0)
		e.advance(2 * time.Second)
		s.inflight.Wait()
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
		if tg.PublishedAt == nil || tg.PublishedAt.Before(due) {
			t.Errorf("published at %v, before it was due at %v", tg.PublishedAt, due)
		}
		e.calls(tg, 1)
		e.postStatus(p, workflow.Published)
	})
}

// TestShutdownGivesBackTargetsNotYetDue: a worker that stops between claiming ahead and the due
// time gives its targets back, so another worker publishes them on time instead of waiting for
// the lease to run out.
func TestShutdownGivesBackTargetsNotYetDue(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		a := e.newScheduler(func(o *Options) { o.Lookahead = 3 * time.Second })
		ch := e.channel("main")
		due := t0.Add(time.Minute)
		p := e.schedule("Hello", due, ch)
		e.advance(time.Minute - 2*time.Second)
		if n, err := a.dispatchOnce(ctx); err != nil || n != 1 {
			t.Fatalf("claim ahead: %d %v", n, err)
		}
		if err := e.fake.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if err := a.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetPending, attempts: 0, due: due, noErr: true})
		e.postStatus(p, workflow.Scheduled)
		e.advance(2 * time.Second)
		if n := e.dispatch(nil); n != 1 {
			t.Fatalf("another worker claimed %d", n)
		}
		tg = e.target(p, ch)
		e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
		e.calls(tg, 1)
	})
}

func TestPausedChannelHoldsUntilResumed(t *testing.T) {
	t.Parallel()
	eachDialect(t, t0, func(t *testing.T, e *env) {
		ch := e.channel("main")
		paused, resumed := true, false
		if _, err := e.st.UpdateChannel(ctx, e.ws.ID, ch.ID, store.ChannelUpdate{Paused: &paused}, e.owner); err != nil {
			t.Fatal(err)
		}
		due := t0.Add(time.Minute)
		p := e.schedule("Hello", due, ch)
		e.advance(time.Minute)
		if n := e.dispatch(nil); n != 1 {
			t.Fatalf("claimed %d", n)
		}
		tg := e.target(p, ch)
		e.check(tg, want{status: store.TargetHeld, attempts: 0, due: due, errHas: []string{"paused", "resumed"}})
		e.calls(tg, 0)
		e.advance(10 * time.Minute)
		if n := e.dispatch(nil); n != 0 {
			t.Fatalf("a held target was claimed")
		}

		if _, err := e.st.UpdateChannel(ctx, e.ws.ID, ch.ID, store.ChannelUpdate{Paused: &resumed}, e.owner); err != nil {
			t.Fatal(err)
		}
		if n, err := e.st.ReleaseHeld(ctx, e.ws.ID, ch.ID); err != nil || n != 1 {
			t.Fatalf("release: %d %v", n, err)
		}
		if n := e.dispatch(nil); n != 1 {
			t.Fatalf("claimed %d after resume", n)
		}
		tg = e.target(p, ch)
		e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
		e.calls(tg, 1)
		e.postStatus(p, workflow.Published)
	})
}

// TestPublishWaitingForItsChannelIsNotDuplicated covers a target claimed by this worker that
// waits for its channel (one publish at a time per account) while its lease runs down.
func TestPublishWaitingForItsChannelIsNotDuplicated(t *testing.T) {
	t.Parallel()
	// claimBehindBusyChannel claims the post's target as this worker and starts its publish,
	// which queues behind the channel's lock (held by the caller until release is called).
	claimBehindBusyChannel := func(t *testing.T, e *env, ch *store.Channel) (release func(), done chan struct{}) {
		t.Helper()
		lock := e.s.channel(ch.ID)
		lock.Lock()
		work, err := e.st.ClaimDue(ctx, e.s.id, e.now(), 0, e.s.opt.Lease, 10)
		if err != nil || len(work) != 1 {
			t.Fatalf("claim %v %v", work, err)
		}
		e.s.claimed.Add(1)
		e.s.inflight.Add(1)
		done = make(chan struct{})
		go func() { defer close(done); e.s.publish(ctx, work[0], 0, nil); e.s.inflight.Wait() }()
		return lock.Unlock, done
	}
	// finishRetries publishes whatever is due until nothing is, for up to an hour of fake time.
	finishRetries := func(e *env) {
		for range 60 {
			e.advance(time.Minute)
			e.dispatch(nil)
		}
	}

	t.Run("reconciled by this same worker while queued", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			release, done := claimBehindBusyChannel(t, e, ch)
			// The lease runs out in the queue; this worker's own reconciliation takes the target
			// over, and while it asks the network, the queued publish gets the channel.
			e.advance(e.s.opt.Lease + time.Second)
			started := make(chan struct{}, 1)
			resume := make(chan struct{})
			e.net.onPublish = func(publishers.Post) { started <- struct{}{}; <-resume }
			e.net.onFind = func() {
				release()
				select {
				case <-started: // it publishes: the race this guards against
				case <-done: // it found the lease gone and stepped back
				}
			}
			e.s.reconcileExpired(ctx)
			close(resume)
			<-done
			e.net.onPublish, e.net.onFind = nil, nil
			finishRetries(e)
			tg := e.target(p, ch)
			// The reconciliation counted one attempt (it could not know the call never happened).
			e.check(tg, want{status: store.TargetPublished, attempts: 2, noDue: true, noErr: true})
			e.calls(tg, 1)
			e.postStatus(p, workflow.Published)
		})
	})
	t.Run("lease renewed when publishing begins", func(t *testing.T) {
		t.Parallel()
		eachDialect(t, t0, func(t *testing.T, e *env) {
			ch := e.channel("main")
			p := e.schedule("Hello", t0.Add(time.Minute), ch)
			e.advance(time.Minute)
			release, done := claimBehindBusyChannel(t, e, ch)
			// Most of the lease goes by in the queue; the network call then takes 30 s, during
			// which a reconciliation pass runs (here, or on another worker).
			e.advance(e.s.opt.Lease - 10*time.Second)
			other := e.newScheduler(nil)
			e.net.onPublish = func(publishers.Post) {
				e.advance(30 * time.Second)
				other.reconcileExpired(ctx)
				e.s.reconcileExpired(ctx)
			}
			release()
			<-done
			e.net.onPublish = nil
			tg := e.target(p, ch)
			e.check(tg, want{status: store.TargetPublished, attempts: 1, noDue: true, noErr: true})
			e.calls(tg, 1)
			finishRetries(e)
			e.calls(e.target(p, ch), 1)
			e.postStatus(p, workflow.Published)
		})
	})
}

// awaitReconcile checks that an unknown outcome leaves the target publishing, unowned, and not
// asked about before ReconcileDelay; then lets the delay pass and runs the reconcile job.
func (e *env) awaitReconcile(p *store.Post, ch *store.Channel) {
	e.t.Helper()
	tg := e.target(p, ch)
	if tg.Status != store.TargetPublishing || tg.LeaseOwner != "" || tg.LeaseExpiresAt == nil {
		e.t.Fatalf("after an unknown outcome: status %s owner %q lease %v", tg.Status, tg.LeaseOwner, tg.LeaseExpiresAt)
	}
	if d := tg.LeaseExpiresAt.Sub(e.now()); d < 19*time.Second || d > 21*time.Second {
		e.t.Fatalf("reconciliation in %v, want the 20 s ReconcileDelay", d)
	}
	e.s.reconcileExpired(ctx)
	if tg = e.target(p, ch); tg.Status != store.TargetPublishing {
		e.t.Fatalf("reconciled before the delay: %s", tg.Status)
	}
	e.advance(21 * time.Second)
	e.s.reconcileExpired(ctx)
}
