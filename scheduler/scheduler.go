// Package scheduler runs Herald's background jobs on gocron v2. Every herald process that runs
// jobs (`herald serve` and `herald worker`) registers itself in the workers table and keeps a
// heartbeat there, so operators and /readyz can see which workers are alive. The database, not
// this process's memory, is the source of truth for what is due.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
)

// Options configure a Scheduler.
type Options struct {
	// Kind is "serve" or "worker", shown in the workers table.
	Kind string
	// Version is the herald version, shown in the workers table.
	Version string
	// HeartbeatEvery is how often the worker row is refreshed (default 10 s).
	HeartbeatEvery time.Duration
	// Clock drives gocron and every time decision; tests inject a fake one. Defaults to the real
	// clock. The store must be opened with the same clock (store.Options.Now).
	Clock clockwork.Clock
	Log   *slog.Logger

	// Registry holds the networks this process publishes to; nil runs only the heartbeat.
	Registry *publishers.Registry
	// Keys opens channel credentials.
	Keys *secrets.Keyring
	// Metrics registers the scheduler's Prometheus series (nil: a private registry).
	Metrics prometheus.Registerer
	// LoadMedia returns an attachment's bytes (default: HTTP GET of its URL).
	LoadMedia func(context.Context, store.Media) ([]byte, error)

	// PollInterval is the dispatch job's period; inside it the dispatcher sleeps until the next
	// due target, so posts are not late by up to an interval (default 5 s).
	PollInterval time.Duration
	// Lease bounds how long a claimed target may stay "publishing" before reconciliation takes
	// it over (default 2 min); PublishTimeout must be well below it (default 45 s).
	Lease          time.Duration
	PublishTimeout time.Duration
	// ReconcileDelay is how long after an unknown outcome (a timeout after sending) Herald waits
	// before asking the network whether the post exists (default 20 s).
	ReconcileDelay time.Duration
	// Concurrency bounds network calls in flight in this process (default 256); PerNetwork
	// bounds them per network (default 64), so that one slow network cannot take every slot.
	// One channel publishes one post at a time.
	Concurrency int
	PerNetwork  int
	// Lookahead is how long before their due time targets are claimed (default 3 s; negative:
	// not before they are due). The claim does the database work of publishing (checking the
	// post is still scheduled, freezing its content, taking the lease) ahead of time, so that
	// at the due instant only the network calls remain; from the claim on, the post can no
	// longer be edited or unscheduled.
	Lookahead time.Duration
	// MaxClaimed bounds the targets this process holds at once, claimed and not yet through
	// their network call (default 2 × Concurrency), so that one worker does not take a whole burst that several
	// could share, and a worker that crashes leaves few publishes for reconciliation to check.
	MaxClaimed int
	// ClaimBatch caps one claim (default 250).
	ClaimBatch int
	// FinishBatch caps how many outcomes one transaction records (default 200).
	FinishBatch int
	// MaxAttempts, BackoffBase and BackoffMax shape retries (defaults 5, 30 s, 30 min).
	MaxAttempts int
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// ReconcileEvery, MetricsEvery, RefreshEvery, DeliverEvery are the other jobs' periods.
	ReconcileEvery time.Duration
	MetricsEvery   time.Duration
	RefreshEvery   time.Duration
	DeliverEvery   time.Duration
	// DeadlineEvery is how often approval deadlines are swept: reminders to approvers, and
	// notices for posts not approved in time (default 1 min).
	DeadlineEvery time.Duration
	// Notifier delivers notifications by webhook and email (nil: in-app only).
	Notifier Notifier
	// AlarmAfter raises an alarm when a due target stays unclaimed this long (default 30 s).
	AlarmAfter time.Duration
}

// Scheduler owns the gocron scheduler and this process's worker identity.
type Scheduler struct {
	store *store.Store
	opt   Options
	id    string
	cron  gocron.Scheduler
	log   *slog.Logger

	mu            sync.Mutex
	lastHeartbeat time.Time
	lastErr       error
	lastClaim     time.Time
	lastAlarm     time.Time

	wake      chan struct{}
	slots     chan struct{}
	inflight  sync.WaitGroup
	chanLocks map[int64]*channelState
	netSlots  map[string]chan struct{}
	metrics   *schedMetrics
	// claimed counts targets claimed and not yet through their network call; inflight counts
	// those whose outcome is not yet recorded. stopping closes when Shutdown begins.
	claimed      atomic.Int64
	stopping     chan struct{}
	stopOnce     sync.Once
	finishQ      chan finishing
	closeQ       sync.Once
	finisherOnce sync.Once
	finisherDone chan struct{}
}

// New prepares a scheduler; Start runs it.
func New(st *store.Store, opt Options) (*Scheduler, error) {
	if opt.HeartbeatEvery <= 0 {
		opt.HeartbeatEvery = 10 * time.Second
	}
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opt.PollInterval, 5*time.Second)
	def(&opt.Lease, 2*time.Minute)
	def(&opt.PublishTimeout, 45*time.Second)
	def(&opt.ReconcileDelay, 20*time.Second)
	def(&opt.BackoffBase, 30*time.Second)
	def(&opt.BackoffMax, 30*time.Minute)
	def(&opt.ReconcileEvery, 15*time.Second)
	def(&opt.MetricsEvery, time.Minute)
	def(&opt.RefreshEvery, time.Minute)
	def(&opt.DeliverEvery, 10*time.Second)
	def(&opt.DeadlineEvery, time.Minute)
	def(&opt.AlarmAfter, 30*time.Second)
	if opt.Concurrency <= 0 {
		opt.Concurrency = 256
	}
	if opt.PerNetwork <= 0 {
		opt.PerNetwork = 64
	}
	if opt.ClaimBatch <= 0 {
		opt.ClaimBatch = 250
	}
	switch {
	case opt.Lookahead == 0:
		opt.Lookahead = 3 * time.Second
	case opt.Lookahead < 0:
		opt.Lookahead = 0
	}
	if opt.MaxClaimed <= 0 {
		opt.MaxClaimed = 2 * opt.Concurrency
	}
	if opt.FinishBatch <= 0 {
		opt.FinishBatch = 200
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 5
	}
	if opt.LoadMedia == nil {
		opt.LoadMedia = HTTPMedia(&http.Client{Timeout: 60 * time.Second})
	}
	if opt.Metrics == nil {
		opt.Metrics = prometheus.NewRegistry()
	}
	host, _ := os.Hostname()
	if len(host) > 30 {
		host = host[:30]
	}
	id := fmt.Sprintf("%s-%d-%s", host, os.Getpid(), uuid.NewString()[:8])
	cron, err := gocron.NewScheduler(gocron.WithClock(opt.Clock), gocron.WithLocation(time.UTC),
		gocron.WithLogger(gocronLogger{opt.Log}))
	if err != nil {
		return nil, err
	}
	sc := &Scheduler{store: st, opt: opt, id: id, cron: cron, log: opt.Log.With("worker_id", id),
		wake: make(chan struct{}, 1), slots: make(chan struct{}, opt.Concurrency),
		chanLocks: map[int64]*channelState{}, netSlots: map[string]chan struct{}{},
		stopping: make(chan struct{}), finishQ: make(chan finishing, opt.MaxClaimed), finisherDone: make(chan struct{})}
	sc.metrics = newSchedMetrics(opt.Metrics, sc)
	return sc, nil
}

// ID is this worker's id in the workers table.
func (s *Scheduler) ID() string { return s.id }

// Start writes the first heartbeat (so a broken database fails start-up loudly) and starts the
// jobs.
func (s *Scheduler) Start(ctx context.Context) error {
	if err := s.heartbeat(ctx); err != nil {
		return fmt.Errorf("first heartbeat: %w", err)
	}
	// Singleton mode: a slow heartbeat is never run twice at once; the next run is skipped.
	_, err := s.cron.NewJob(gocron.DurationJob(s.opt.HeartbeatEvery),
		gocron.NewTask(func(ctx context.Context) {
			if err := s.heartbeat(ctx); err != nil {
				s.log.Warn("heartbeat failed", "err", err)
			}
		}),
		gocron.WithName("heartbeat"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return err
	}
	if s.opt.Registry != nil {
		jobs := []struct {
			name  string
			every time.Duration
			fn    func(context.Context)
		}{
			{"dispatch", s.opt.PollInterval, s.dispatchLoop},
			{"reconcile", s.opt.ReconcileEvery, s.reconcileExpired},
			{"engagement", s.opt.MetricsEvery, s.collectMetrics},
			{"token-refresh", s.opt.RefreshEvery, s.refreshTokens},
			{"notify", s.opt.DeliverEvery, s.deliverNotifications},
			{"health", 5 * time.Second, s.checkHealth},
			{"approval-deadlines", s.opt.DeadlineEvery, s.sweepDeadlines},
		}
		for _, j := range jobs {
			if _, err := s.cron.NewJob(gocron.DurationJob(j.every), gocron.NewTask(j.fn),
				gocron.WithName(j.name), gocron.WithSingletonMode(gocron.LimitModeReschedule),
				gocron.WithStartAt(gocron.WithStartImmediately())); err != nil {
				return err
			}
		}
	}
	s.cron.Start()
	s.log.Info("scheduler started", "kind", s.opt.Kind)
	return nil
}

func (s *Scheduler) heartbeat(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	w := &store.Worker{ID: s.id, Kind: s.opt.Kind, PID: os.Getpid(), Version: s.opt.Version}
	w.Hostname, _ = os.Hostname()
	err := s.store.Heartbeat(ctx, w)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = err
	if err == nil {
		s.lastHeartbeat = time.Now()
	}
	return err
}

// Ready reports an error when the last heartbeat failed or is too old; /readyz uses it.
func (s *Scheduler) Ready(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastErr != nil {
		return fmt.Errorf("heartbeat failing")
	}
	if time.Since(s.lastHeartbeat) > 3*s.opt.HeartbeatEvery {
		return fmt.Errorf("heartbeat stale")
	}
	if s.opt.Registry != nil && !s.lastClaim.IsZero() && s.now().Sub(s.lastClaim) > 3*s.opt.PollInterval+10*time.Second {
		return fmt.Errorf("claims stalled since %s", s.lastClaim.Format(time.RFC3339))
	}
	return nil
}

// Shutdown stops scheduling new runs, gives back claimed targets not yet due, waits for running
// jobs and in-flight publishes (their outcomes are recorded), and marks the worker stopped.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stopping) })
	err := s.cron.Shutdown()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		// Every outcome is recorded: the finisher has nothing left to do. (A second Shutdown
		// finds the queue closed already.)
		s.closeQ.Do(func() { close(s.finishQ) })
		s.finisherOnce.Do(func() { close(s.finisherDone) })
		<-s.finisherDone
	case <-ctx.Done():
		s.log.Warn("shutdown: publishes still in flight; their leases will be reconciled")
	}
	if e := s.store.StopWorker(ctx, s.id); e != nil && err == nil {
		err = e
	}
	s.log.Info("scheduler stopped")
	return err
}

func (s *Scheduler) now() time.Time { return s.opt.Clock.Now().UTC() }

func (s *Scheduler) setLastClaim(t time.Time) {
	s.mu.Lock()
	s.lastClaim = t
	s.mu.Unlock()
}

// gocronLogger adapts slog to gocron's logger interface.
type gocronLogger struct{ l *slog.Logger }

func (g gocronLogger) Debug(msg string, args ...any) { g.l.Debug(msg, args...) }
func (g gocronLogger) Error(msg string, args ...any) { g.l.Error(msg, args...) }
func (g gocronLogger) Info(msg string, args ...any)  { g.l.Debug(msg, args...) }
func (g gocronLogger) Warn(msg string, args ...any)  { g.l.Warn(msg, args...) }
