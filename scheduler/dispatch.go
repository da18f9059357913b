package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
)

// dispatchLoop runs inside the singleton "dispatch" job: it claims what is due (or falls due
// within Lookahead), hands it to the publishing goroutines, and until the job's interval ends
// sleeps exactly until the next claim is worth making, re-reading the database at least once a
// second, so a post goes out within about a second of its time even when another process
// scheduled it.
func (s *Scheduler) dispatchLoop(ctx context.Context) {
	// Stop a little before the job's next run is due. gocron skips a run that fires while the
	// previous one is still going (singleton mode, LimitModeReschedule), and a loop running for
	// the whole interval always ends just after the next firing, so every other run was skipped:
	// a whole interval without a dispatcher, and posts due in it up to an interval late.
	end := s.now().Add(s.opt.PollInterval - min(s.opt.PollInterval/10, 250*time.Millisecond))
	for ctx.Err() == nil && !s.isStopping() {
		n, err := s.dispatchOnce(ctx)
		if err != nil {
			// A claim cut short because the job's context ended (gocron cancels it at shutdown)
			// took nothing and is no failure.
			if ctx.Err() == nil {
				s.log.Warn("claim failed", "err", err)
			}
			return
		}
		if n > 0 && s.room() > 0 {
			continue // a full batch: more may be due
		}
		now := s.now()
		if !now.Before(end) {
			return
		}
		wait := end.Sub(now)
		if wait > time.Second {
			wait = time.Second
		}
		if next, err := s.store.NextDue(ctx); err == nil && next != nil {
			if d := next.Add(-s.opt.Lookahead).Sub(now); d < wait {
				wait = max(d, 0)
			}
		}
		if wait <= 0 {
			if s.room() > 0 {
				continue
			}
			// Work is due but this process holds as much as it may: wait for a network call to end
			// (which wakes the loop) instead of asking the database again in a tight loop.
			wait = min(end.Sub(now), time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stopping:
			return
		case <-s.wake:
		case <-s.opt.Clock.After(wait):
		}
	}
}

// Wake makes the dispatcher look for due work now (e.g. after "publish now" in this process).
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// room is how many more targets this process may claim: claimed targets wait for their time,
// their channel and a publishing slot, and each holds a lease while it waits. Outcomes waiting to
// be recorded do not count (the finisher's queue, as long as MaxClaimed, holds them back).
func (s *Scheduler) room() int { return s.opt.MaxClaimed - int(s.claimed.Load()) }

func (s *Scheduler) isStopping() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}

// dispatchOnce claims up to a batch of targets due now or within Lookahead, and starts, for each
// due instant among them, a goroutine that waits for that instant and then publishes them.
func (s *Scheduler) dispatchOnce(ctx context.Context) (int, error) {
	limit := min(s.room(), s.opt.ClaimBatch)
	if limit <= 0 {
		return 0, nil
	}
	now := s.now()
	work, err := s.store.ClaimDue(ctx, s.id, now, s.opt.Lookahead, s.opt.Lease, limit)
	s.metrics.claims.Inc()
	s.setLastClaim(now)
	if err != nil || len(work) == 0 {
		return 0, err
	}
	s.claimed.Add(int64(len(work)))
	s.inflight.Add(len(work))
	// Targets claimed together that fall due together go out together: one timer and one read
	// of their channels per instant, not one per target.
	var group []store.Work
	for i, w := range work {
		group = append(group, w)
		if i+1 < len(work) && dueOf(work[i+1]).Equal(dueOf(w)) {
			continue
		}
		go s.publishAt(context.WithoutCancel(ctx), dueOf(w), group)
		group = nil
	}
	return len(work), nil
}

func dueOf(w store.Work) time.Time {
	if w.Target.DueAt == nil {
		return time.Time{}
	}
	return *w.Target.DueAt
}

// publishAt waits until due, re-reads the channels of group (a pause, a reconnect or a rate
// limit may have happened since the claim) and publishes each target in its own goroutine. When
// the process stops before due, the targets are given back for another worker to publish on time.
func (s *Scheduler) publishAt(ctx context.Context, due time.Time, group []store.Work) {
	preps := make([]*prepared, len(group))
	for i := range group {
		if pub, ok := s.opt.Registry.Get(group[i].Channel.Network); ok {
			preps[i] = s.prepare(group[i], &group[i].Channel, pub)
		}
	}
	if d := due.Sub(s.now()); d > 0 {
		select {
		case <-s.opt.Clock.After(d):
		case <-s.stopping:
			ids := make([]int64, len(group))
			for i, w := range group {
				ids[i] = w.Target.ID
			}
			if err := s.store.ReleaseClaimed(ctx, s.id, ids); err != nil {
				s.log.Warn("giving back claimed targets failed; their leases will be reconciled", "err", err)
			}
			s.dropped(len(group))
			return
		}
	}
	ids := make([]int64, 0, len(group))
	seen := make([]uint64, len(group))
	for i, w := range group {
		ids = append(ids, w.Target.ChannelID)
		seen[i] = s.channel(w.Target.ChannelID).gen.Load()
	}
	if fresh, err := s.store.ChannelsByID(ctx, ids); err == nil {
		for i := range group {
			if ch, ok := fresh[group[i].Target.ChannelID]; ok {
				group[i].Channel = ch
			}
		}
	} else {
		s.log.Warn("re-reading channels failed; using the ones read at claim time", "err", err)
	}
	for i, w := range group {
		go s.publish(ctx, w, seen[i], preps[i])
	}
}

// dropped accounts for claimed targets that end without an outcome to record here.
func (s *Scheduler) dropped(n int) {
	s.released(n)
	s.recorded(n)
}

// released accounts for claimed targets whose network work is over (their outcome may still wait
// to be recorded): they make room for more claims.
func (s *Scheduler) released(n int) {
	s.claimed.Add(-int64(n))
	s.Wake()
}

// recorded accounts for claimed targets that are settled: their outcome is in the database, or
// there is none to write here.
func (s *Scheduler) recorded(n int) {
	for range n {
		s.inflight.Done()
	}
}

// channelState serialises publishing per channel (one account's posts go out one at a time, in
// order, and rate limits are respected per account). gen counts the publishes that ended on the
// channel: a publish whose copy of the channel was read before the latest of them reads it again.
type channelState struct {
	sync.Mutex
	gen atomic.Uint64
}

func (s *Scheduler) channel(id int64) *channelState {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.chanLocks[id]
	if !ok {
		m = &channelState{}
		m.gen.Store(1)
		s.chanLocks[id] = m
	}
	return m
}

func (s *Scheduler) networkSlot(name string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.netSlots[name]
	if !ok {
		c = make(chan struct{}, s.opt.PerNetwork)
		s.netSlots[name] = c
	}
	return c
}

// publish takes one claimed target to an outcome: published, retry later, held, failed,
// missed, or unconfirmed. It never calls the network twice for one attempt, and after an unknown
// outcome it asks the network (FindPublished) rather than posting again. The outcome is recorded
// by the finisher, batched with others. seen is the channel's generation when w.Channel was read
// (0 when unknown); prep, when not nil, is what was prepared for it while it waited.
func (s *Scheduler) publish(ctx context.Context, w store.Work, seen uint64, prep *prepared) {
	t := w.Target
	lock := s.channel(t.ChannelID)
	lock.Lock()
	defer func() { lock.gen.Add(1); lock.Unlock() }()
	finish := func(out store.Outcome) { s.finish(w, out) }
	ch := w.Channel
	if lock.gen.Load() != seen {
		// A publish that held this channel's lock since it was read may have hit a rate limit,
		// lost the account's authorisation or refreshed its credentials (a rotating refresh token
		// makes the old ones useless): decide on the channel as it is now.
		if cur, err := s.store.ChannelByID(ctx, t.ChannelID); err == nil {
			ch = *cur
		} else {
			s.log.Warn("re-reading the channel failed; using the one read before", "channel", t.ChannelID, "err", err)
		}
	}
	now := s.now()
	pub, known := s.opt.Registry.Get(ch.Network)
	timeout := s.opt.PublishTimeout
	if known {
		timeout = max(timeout, pub.Meta().PublishTimeout)
	}
	// The lease must outlast the network call: a target that waited long for its channel, or
	// one on a network whose publishing takes minutes, renews its lease before calling, so that
	// reconciliation (here or on another worker) cannot decide, and retry, a publish still in
	// flight. If reconciliation already took it over, this publish steps back.
	if need := timeout + 15*time.Second; t.LeaseExpiresAt != nil && t.LeaseExpiresAt.Sub(now) < need {
		if err := s.store.RenewLease(ctx, t.ID, s.id, now.Add(max(s.opt.Lease, 2*need))); err != nil {
			if !errors.Is(err, store.ErrLeaseLost) {
				s.log.Error("renewing a lease failed; reconciliation decides", "target", t.ID, "err", err)
			}
			s.dropped(1)
			return
		}
	}
	switch {
	case ch.Paused:
		finish(store.Outcome{Status: store.TargetHeld, DueAt: t.DueAt, Refund: true, Error: "The channel is paused; the post waits until it is resumed."})
		return
	case ch.Status != store.ChannelConnected:
		finish(store.Outcome{Status: store.TargetHeld, DueAt: t.DueAt, Refund: true, Error: "The channel needs reconnecting; the post waits until it is reconnected."})
		return
	case ch.RateLimitedUntil != nil && ch.RateLimitedUntil.After(now):
		finish(store.Outcome{Status: store.TargetPending, DueAt: ch.RateLimitedUntil, Refund: true, ErrorKind: publishers.KindRateLimited.String(),
			Error: "Waiting for the network's rate limit to reset at " + ch.RateLimitedUntil.UTC().Format(time.RFC3339) + "."})
		return
	}
	grace := time.Duration(w.Workspace.GracePeriodSeconds) * time.Second
	if t.Attempts <= 1 && t.DueAt != nil && now.Sub(*t.DueAt) > grace {
		msg := fmt.Sprintf("Not published: it was due at %s and is now more than %s late (Herald was not running, or the channel was paused or disconnected until now). Reschedule it or publish it now.",
			t.DueAt.UTC().Format(time.RFC3339), grace)
		finish(store.Outcome{Status: store.TargetMissed, Error: msg, Notify: &store.Notification{Kind: store.NotifyMissed, Message: msg}})
		return
	}
	if !known {
		msg := "Herald cannot publish to " + ch.Network + " in this installation (the network is not enabled)."
		finish(store.Outcome{Status: store.TargetHeld, DueAt: t.DueAt, Refund: true, Error: msg})
		return
	}
	if prep == nil || !prep.from(&ch) {
		prep = s.prepare(w, &ch, pub)
	}
	if prep.credErr != nil {
		msg := "The channel's credentials could not be read (was HERALD_SECRET_KEY changed?). Reconnect the channel."
		_ = s.store.MarkChannel(ctx, ch.ID, store.ChannelNeedsReconnect, msg)
		finish(store.Outcome{Status: store.TargetHeld, DueAt: t.DueAt, Refund: true, Error: msg})
		return
	}
	creds, p := prep.creds, prep.post
	if problem := prep.problem; problem != "" {
		finish(store.Outcome{Status: store.TargetFailed, Error: problem, ErrorKind: publishers.KindPermanent.String(),
			Notify: &store.Notification{Kind: store.NotifyFailed, Message: problem}})
		return
	}
	// The network's slot first: a publish waiting for its own busy network must not hold one of
	// the process's slots meanwhile, or a slow network would keep every other one waiting.
	slot := s.networkSlot(ch.Network)
	slot <- struct{}{}
	s.slots <- struct{}{}
	before := cloneCredentials(creds)
	start := s.now()
	if t.DueAt != nil {
		s.metrics.lateness.Observe(max(start.Sub(*t.DueAt), 0).Seconds())
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	res, perr := pub.Publish(pctx, creds, p)
	cancel()
	<-slot
	<-s.slots
	s.saveCredentialsIfChanged(ctx, &ch, &before, creds)
	if perr == nil {
		finish(s.published(ctx, &ch, res))
		return
	}
	finish(s.classify(ctx, pub, &ch, creds, p, t, perr))
}

// prepared is what publishing a target needs that does not depend on the due instant: worked out
// while the target waits for it, so that at the due instant only the network call remains.
type prepared struct {
	// sealed and network are the channel's credentials and network it was prepared with: a
	// channel reconnected in the meantime is prepared again.
	sealed, network string
	creds           *publishers.Credentials
	credErr         error
	post            publishers.Post
	// problem is why the post cannot go out on this network (its rules, or a thread where the
	// network takes none).
	problem string
}

// from reports whether p was prepared with ch's credentials and network.
func (p *prepared) from(ch *store.Channel) bool {
	sealed := ""
	if ch.Credentials != nil {
		sealed = *ch.Credentials
	}
	return p.sealed == sealed && p.network == ch.Network
}

// prepare opens the channel's credentials and builds the post for its network.
func (s *Scheduler) prepare(w store.Work, ch *store.Channel, pub publishers.Publisher) *prepared {
	p := &prepared{network: ch.Network}
	if ch.Credentials != nil {
		p.sealed = *ch.Credentials
	}
	p.creds, p.credErr = s.openCredentials(ch)
	meta := pub.Meta()
	p.post, p.problem = s.buildPost(&w.Post, &w.Target, meta.Rules)
	if p.problem == "" && len(p.post.Thread) > 0 && !meta.Capabilities.Threads {
		p.problem = meta.DisplayName + " does not publish threads in Herald yet: publish the later parts as separate posts."
	}
	return p
}

// classify turns a publish error into the target's next state.
func (s *Scheduler) classify(ctx context.Context, pub publishers.Publisher, ch *store.Channel, creds *publishers.Credentials, p publishers.Post, t store.Target, perr error) store.Outcome {
	now := s.now()
	kind := publishers.KindOf(perr)
	msg := publishers.Message(perr)
	switch kind {
	case publishers.KindRateLimited:
		wait := time.Minute
		var pe *publishers.Error
		if errors.As(perr, &pe) && pe.RetryAfter > 0 {
			wait = pe.RetryAfter
		}
		until := now.Add(wait)
		_ = s.store.SetRateLimit(ctx, ch.ID, until)
		return store.Outcome{Status: store.TargetPending, DueAt: &until, Refund: true, ErrorKind: kind.String(),
			Error: msg + " Herald retries after " + until.UTC().Format(time.RFC3339) + "."}
	case publishers.KindAuthExpired:
		_ = s.store.MarkChannel(ctx, ch.ID, store.ChannelNeedsReconnect, msg)
		return store.Outcome{Status: store.TargetHeld, DueAt: t.DueAt, Refund: true, ErrorKind: kind.String(),
			Error: msg + " The post waits until the channel is reconnected."}
	case publishers.KindPermanent:
		m := pub.Meta().DisplayName + " refused the post: " + msg
		return store.Outcome{Status: store.TargetFailed, ErrorKind: kind.String(), Error: m,
			Notify: &store.Notification{Kind: store.NotifyFailed, Message: m}}
	case publishers.KindUnknown:
		// The network may still be creating the post: asking at once could get "not found" for a
		// post about to appear, and a retry would then duplicate it on servers that ignore
		// idempotency keys. The target stays publishing, unowned, until ReconcileDelay has
		// passed; the reconcile job then asks the network.
		at := now.Add(s.opt.ReconcileDelay)
		return store.Outcome{Status: store.TargetPublishing, DueAt: &at, ErrorKind: kind.String(),
			Error: msg + " Herald will check with the network whether it arrived."}
	}
	return s.retryOrFail(t, kind, msg)
}

// retryOrFail backs off exponentially with jitter, up to MaxAttempts.
func (s *Scheduler) retryOrFail(t store.Target, kind publishers.Kind, msg string) store.Outcome {
	if t.Attempts >= s.opt.MaxAttempts {
		m := fmt.Sprintf("Failed after %d attempts: %s", t.Attempts, msg)
		return store.Outcome{Status: store.TargetFailed, ErrorKind: kind.String(), Error: m,
			Notify: &store.Notification{Kind: store.NotifyFailed, Message: m}}
	}
	next := s.now().Add(s.backoff(t.Attempts))
	return store.Outcome{Status: store.TargetPending, DueAt: &next, ErrorKind: kind.String(),
		Error: fmt.Sprintf("%s Attempt %d of %d failed; Herald retries at %s.", msg, t.Attempts, s.opt.MaxAttempts, next.UTC().Format(time.RFC3339))}
}

// backoff is base·2^(attempt−1), capped, with ±20% jitter so retries of many targets spread out.
func (s *Scheduler) backoff(attempt int) time.Duration {
	d := s.opt.BackoffBase << max(attempt-1, 0)
	if d > s.opt.BackoffMax || d <= 0 {
		d = s.opt.BackoffMax
	}
	j := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * j)
}

// reconcile decides an attempt whose outcome is unknown: found → published; definitely absent →
// retry (no duplicate is possible); cannot tell → unconfirmed, for a person to decide.
func (s *Scheduler) reconcile(ctx context.Context, pub publishers.Publisher, ch *store.Channel, creds *publishers.Credentials, p publishers.Post, t store.Target, why string) store.Outcome {
	if !pub.Meta().Capabilities.FindPublished {
		m := "Herald cannot tell whether the post was published (" + why + "). Check the channel and mark it published, or retry."
		return store.Outcome{Status: store.TargetUnconfirmed, ErrorKind: publishers.KindUnknown.String(), Error: m,
			Notify: &store.Notification{Kind: store.NotifyUnconfirmed, Message: m}}
	}
	fctx, cancel := context.WithTimeout(ctx, s.opt.PublishTimeout)
	found, err := pub.FindPublished(fctx, creds, p)
	cancel()
	switch {
	case err == nil && found != nil:
		return s.published(ctx, ch, *found)
	case err == nil:
		return s.retryOrFail(t, publishers.KindRetryable, "The network did not receive the post ("+why+").")
	}
	m := "Herald cannot tell whether the post was published (" + why + "; checking failed: " + publishers.Message(err) + "). Check the channel and mark it published, or retry."
	return store.Outcome{Status: store.TargetUnconfirmed, ErrorKind: publishers.KindUnknown.String(), Error: m,
		Notify: &store.Notification{Kind: store.NotifyUnconfirmed, Message: m}}
}

// reconcileExpired takes over targets whose worker died mid-publish and settles each one, asking
// the network about several at once, and goes on while expired leases remain: a worker that died
// holding many targets should not leave them waiting for one pass every ReconcileEvery.
func (s *Scheduler) reconcileExpired(ctx context.Context) {
	// Take the leases over under a name of our own, not this worker's: a publish of this same
	// process may still be waiting for its channel under the old lease, and must then find the
	// lease gone (ErrLeaseLost) instead of taking it for its own and publishing while the outcome
	// is being decided here.
	owner := s.id + "/reconcile"
	for ctx.Err() == nil && !s.isStopping() {
		ids, err := s.store.ExpiredLeases(ctx, owner, s.now(), s.opt.Lease, 100)
		if err != nil || len(ids) == 0 {
			if err != nil {
				s.log.Warn("reading expired leases failed", "err", err)
			}
			return
		}
		work, err := s.store.LoadWork(ctx, ids)
		if err != nil {
			s.log.Warn("loading expired leases failed", "err", err)
			return
		}
		sem := make(chan struct{}, max(4, s.opt.PerNetwork))
		var wg sync.WaitGroup
		for _, w := range work {
			sem <- struct{}{}
			wg.Add(1)
			go func(w store.Work) {
				defer func() { <-sem; wg.Done() }()
				out := s.reconcileOne(ctx, w)
				// The network has been asked; its answer is recorded even when shutdown has begun.
				if err := s.store.FinishTarget(context.WithoutCancel(ctx), w.Target.ID, owner, out); err != nil && !errors.Is(err, store.ErrLeaseLost) {
					s.log.Error("saving reconciliation failed", "target", w.Target.ID, "err", err)
				}
				s.metrics.outcomes.WithLabelValues(w.Channel.Network, out.Status).Inc()
			}(w)
		}
		wg.Wait()
	}
}

func (s *Scheduler) reconcileOne(ctx context.Context, w store.Work) store.Outcome {
	why := "the worker publishing it stopped before recording the result"
	if w.Target.ErrorKind == publishers.KindUnknown.String() && w.Target.LastError != nil {
		why = strings.TrimSuffix(*w.Target.LastError, " Herald will check with the network whether it arrived.")
	}
	pub, ok := s.opt.Registry.Get(w.Channel.Network)
	if !ok {
		m := "Herald cannot tell whether the post was published (" + why + "). Check the channel and mark it published, or retry."
		return store.Outcome{Status: store.TargetUnconfirmed, Error: m, Notify: &store.Notification{Kind: store.NotifyUnconfirmed, Message: m}}
	}
	creds, err := s.openCredentials(&w.Channel)
	if err != nil {
		m := "Herald cannot tell whether the post was published (" + why + ", and the channel's credentials cannot be read)."
		return store.Outcome{Status: store.TargetUnconfirmed, Error: m, Notify: &store.Notification{Kind: store.NotifyUnconfirmed, Message: m}}
	}
	p, _ := s.buildPost(&w.Post, &w.Target, pub.Meta().Rules)
	return s.reconcile(ctx, pub, &w.Channel, creds, p, w.Target, why)
}

func (s *Scheduler) openCredentials(ch *store.Channel) (*publishers.Credentials, error) {
	if ch.Credentials == nil || *ch.Credentials == "" {
		return nil, errors.New("no credentials")
	}
	raw, err := s.opt.Keys.Open(*ch.Credentials, ChannelAAD(ch.ID))
	if err != nil {
		return nil, err
	}
	var c publishers.Credentials
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// ChannelAAD binds a channel's sealed credentials to its id; the server seals with the same.
func ChannelAAD(id int64) []byte { return []byte("herald:channel:" + strconv.FormatInt(id, 10)) }

// SealCredentials seals a channel's credentials (JSON) under the primary key, bound to the
// channel, and returns the sealed text with the key id to store beside it.
func SealCredentials(keys *secrets.Keyring, channelID int64, raw []byte) (sealed, keyID string, err error) {
	sealed, err = keys.Seal(raw, ChannelAAD(channelID))
	return sealed, keys.PrimaryID(), err
}

func (s *Scheduler) saveCredentialsIfChanged(ctx context.Context, ch *store.Channel, before, after *publishers.Credentials) {
	if sameCredentials(before, after) {
		return
	}
	b, err := json.Marshal(after)
	if err != nil {
		s.log.Error("encoding refreshed credentials failed", "channel", ch.ID, "err", err)
		return
	}
	sealed, kid, err := SealCredentials(s.opt.Keys, ch.ID, b)
	if err != nil {
		s.log.Error("sealing refreshed credentials failed", "channel", ch.ID, "err", err)
		return
	}
	var exp *time.Time
	if !after.Expiry.IsZero() {
		e := after.Expiry
		exp = &e
	}
	if err := s.store.SaveCredentials(ctx, ch.ID, sealed, kid, exp); err != nil {
		s.log.Error("saving refreshed credentials failed", "channel", ch.ID, "err", err)
	}
}

// buildPost assembles the network post from the post and its target, and checks the network's
// content rules one last time (rules can change between approval and publication).
func (s *Scheduler) buildPost(post *store.Post, t *store.Target, rules content.Rules) (publishers.Post, string) {
	text := post.Body
	if t.TextOverride != nil && *t.TextOverride != "" {
		text = *t.TextOverride
	}
	p := publishers.Post{IdempotencyKey: t.IdempotencyKey, Text: text}
	if post.ScheduledAt != nil {
		p.ScheduledAt = *post.ScheduledAt
	}
	if t.DueAt != nil && (p.ScheduledAt.IsZero() || t.DueAt.Before(p.ScheduledAt)) {
		p.ScheduledAt = *t.DueAt
	}
	if t.FirstComment != nil {
		p.FirstComment = *t.FirstComment
	}
	cc := content.Content{Text: text, FirstComment: p.FirstComment}
	p.Media, cc.Media = s.media(t.Media)
	for _, part := range post.Thread {
		pm, cm := s.media(part.Media)
		p.Thread = append(p.Thread, publishers.ThreadPart{Text: part.Text, Media: pm})
		cc.Thread = append(cc.Thread, content.Part{Text: part.Text, Media: cm})
	}
	if rules.Network != "" {
		if r := content.Check(rules, cc); !r.OK {
			for _, pr := range r.Problems {
				if pr.Severity == "error" {
					return p, pr.Message
				}
			}
		}
	}
	return p, ""
}

// media turns stored attachments into what a publisher uploads and what the rules check.
func (s *Scheduler) media(in []store.Media) ([]publishers.Media, []content.Media) {
	var pm []publishers.Media
	var cm []content.Media
	for _, m := range in {
		pm = append(pm, publishers.Media{Kind: content.MediaKind(m.Kind), MIME: m.MIME, AltText: m.AltText, Size: m.SizeBytes, URL: m.URL,
			Open: func(ctx context.Context) ([]byte, error) { return s.opt.LoadMedia(ctx, m) }})
		cm = append(cm, content.Media{Kind: content.MediaKind(m.Kind), MIME: m.MIME, SizeBytes: m.SizeBytes, AltText: m.AltText})
	}
	return pm, cm
}

// HTTPMedia loads an attachment from its http(s) URL with client, at most 100 MB. Give it a
// client that refuses private addresses (package egress): the URL came from a person.
func HTTPMedia(client *http.Client) func(context.Context, store.Media) ([]byte, error) {
	return func(ctx context.Context, m store.Media) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("media %s: HTTP %d", m.URL, resp.StatusCode)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 100<<20))
	}
}

// cloneCredentials copies c deeply enough that a publisher changing c (its Extra map included)
// leaves the copy as it was.
func cloneCredentials(c *publishers.Credentials) publishers.Credentials {
	out := *c
	out.Extra = maps.Clone(c.Extra)
	return out
}

// sameCredentials reports whether a publish left the credentials as they were.
func sameCredentials(a, b *publishers.Credentials) bool {
	return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken && a.Expiry.Equal(b.Expiry) && maps.Equal(a.Extra, b.Extra)
}
