// Package scheduler runs Herald's background jobs on gocron v2. Every herald process that runs
// jobs (`herald serve` and `herald worker`) registers itself in the workers table and keeps a
// heartbeat there, so operators and /readyz can see which workers are alive. The database, not
// this process's memory, is the source of truth for what is due.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

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
	// Clock drives gocron; tests inject a fake one. Defaults to the real clock.
	Clock clockwork.Clock
	Log   *slog.Logger
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
	return &Scheduler{store: st, opt: opt, id: id, cron: cron, log: opt.Log.With("worker_id", id)}, nil
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
	return nil
}

// Shutdown stops scheduling new runs, waits for running jobs, and marks the worker stopped.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	err := s.cron.Shutdown()
	if e := s.store.StopWorker(ctx, s.id); e != nil && err == nil {
		err = e
	}
	s.log.Info("scheduler stopped")
	return err
}

// gocronLogger adapts slog to gocron's logger interface.
type gocronLogger struct{ l *slog.Logger }

func (g gocronLogger) Debug(msg string, args ...any) { g.l.Debug(msg, args...) }
func (g gocronLogger) Error(msg string, args ...any) { g.l.Error(msg, args...) }
func (g gocronLogger) Info(msg string, args ...any)  { g.l.Debug(msg, args...) }
func (g gocronLogger) Warn(msg string, args ...any)  { g.l.Warn(msg, args...) }
