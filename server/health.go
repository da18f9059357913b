package server

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// healthz says the process is alive; it touches nothing else.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.cfg.Version})
}

// readyz says whether this instance should receive traffic: the database answers, every
// migration is applied, and every extra check registered in Config.Ready passes.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	ready := true
	if err := s.store.Ping(ctx); err != nil {
		checks["database"] = "unreachable"
		ready = false
	} else {
		checks["database"] = "ok"
		switch n, err := s.store.PendingMigrations(ctx); {
		case err != nil:
			checks["migrations"] = "unknown"
			ready = false
		case n > 0:
			checks["migrations"] = "pending"
			ready = false
		default:
			checks["migrations"] = "ok"
		}
	}
	names := make([]string, 0, len(s.cfg.Ready))
	for n := range s.cfg.Ready {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := s.cfg.Ready[n](ctx); err != nil {
			checks[n] = err.Error()
			ready = false
		} else {
			checks[n] = "ok"
		}
	}
	status := http.StatusOK
	state := "ready"
	if !ready {
		status, state = http.StatusServiceUnavailable, "not_ready"
	}
	c.JSON(status, gin.H{"status": state, "checks": checks})
}

// registerDBMetrics exposes the connection pool's state.
func (s *Server) registerDBMetrics() {
	s.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "herald_db_open_connections", Help: "Open database connections.",
	}, func() float64 {
		db, err := s.store.SQL()
		if err != nil {
			return 0
		}
		return float64(db.Stats().OpenConnections)
	}))
}
