package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/server/store"
)

type schedMetrics struct {
	claims   prometheus.Counter
	lateness prometheus.Histogram
	outcomes *prometheus.CounterVec
	backlog  prometheus.Gauge
}

func newSchedMetrics(reg prometheus.Registerer, s *Scheduler) *schedMetrics {
	m := &schedMetrics{
		claims: prometheus.NewCounter(prometheus.CounterOpts{Name: "herald_scheduler_claims_total", Help: "Claim queries run."}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "herald_scheduler_lateness_seconds",
			Help:    "How late targets were claimed, relative to their due time.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300}}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "herald_publish_outcomes_total",
			Help: "Publish attempts by network and resulting target status."}, []string{"network", "status"}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{Name: "herald_scheduler_due_unclaimed",
			Help: "Targets due now or earlier and not yet claimed."}),
	}
	last := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "herald_scheduler_last_claim_timestamp_seconds",
		Help: "When this worker last ran the claim query (Unix time)."}, func() float64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.lastClaim.IsZero() {
			return 0
		}
		return float64(s.lastClaim.UnixNano()) / 1e9
	})
	for _, c := range []prometheus.Collector{m.claims, m.lateness, m.outcomes, m.backlog, last} {
		if err := reg.Register(c); err != nil {
			// Two schedulers in one process (tests) share a registry: keep the first's series.
			continue
		}
	}
	return m
}

// checkHealth updates the backlog gauge and raises an alarm when a due target has waited
// unclaimed longer than AlarmAfter: every worker may be down or stuck.
func (s *Scheduler) checkHealth(ctx context.Context) {
	now := s.now()
	n, oldest, err := s.store.DueBacklog(ctx, now)
	if err != nil {
		return
	}
	s.metrics.backlog.Set(float64(n))
	if oldest == nil || now.Sub(*oldest) < s.opt.AlarmAfter {
		return
	}
	// A burst larger than the workers can publish at once leaves targets due for a while even
	// though work is flowing; that is lateness (see the lateness histogram), not a stall. The
	// alarm is for a stall: nothing is being published at all.
	if busy, err := s.store.PublishingNow(ctx, now); err != nil || busy {
		return
	}
	s.mu.Lock()
	recent := now.Sub(s.lastAlarm) < 10*time.Minute
	if !recent {
		s.lastAlarm = now
	}
	s.mu.Unlock()
	if recent {
		return
	}
	s.log.Error("due posts are not being claimed", "due_unclaimed", n, "oldest_due", oldest)
	ws, err := s.store.WorkspacesWithDue(ctx, now.Add(-s.opt.AlarmAfter))
	if err != nil {
		return
	}
	for _, w := range ws {
		_ = s.store.CreateNotification(ctx, &store.Notification{WorkspaceID: w, Kind: store.NotifyAlarm,
			Message: fmt.Sprintf("Scheduled posts are waiting: %d target(s) due since %s have not been picked up. Check that a Herald worker is running.", n, oldest.UTC().Format(time.RFC3339))})
	}
}
