// Package server is Herald's HTTP layer: the Gin router, middleware, and one handler file per
// resource of the JSON API under /api/v1. Handlers are thin: decode, validate, call the store,
// respond. Permissions are checked in middleware (workspace membership, minimum role) and, for
// posts, by the workflow package.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/voice/rewrite"
)

// Config tunes the server. Zero values get sensible defaults.
type Config struct {
	// PublicURL is where people reach Herald (e.g. https://herald.example.com); an https URL makes
	// session cookies Secure. Used for invitation links.
	PublicURL string
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes caps media uploads (default DefaultMaxUploadBytes, 100 MiB; images are
	// also capped at 16 MiB).
	MaxUploadBytes int64
	// SessionTTL is how long an idle browser session lasts (default 14 days).
	SessionTTL time.Duration
	// PasswordParams are the argon2id costs (default auth.DefaultParams; tests use cheaper ones).
	PasswordParams *auth.Params
	// Version is reported by /healthz.
	Version string
	// UI serves the web app for paths outside the API; nil serves nothing there.
	UI http.Handler
	// Registry holds the networks channels can connect to and publish on.
	Registry *publishers.Registry
	// Wake tells this process's scheduler that something became due (optional).
	Wake func()
	// Sandbox serves the sandbox network's pages under /sandbox/ (nil: off).
	Sandbox http.Handler
	// Metrics is the Prometheus registry behind /metrics (nil: a new one), shared with the
	// scheduler when both run in one process.
	Metrics *prometheus.Registry
	// Ready adds checks to /readyz (e.g. the scheduler's); each returns an error when not ready.
	Ready map[string]func(context.Context) error
	// Rewrite, when set, offers "rewrite in the brand's voice" through an OpenAI-compatible
	// model server (HERALD_LLM_BASE_URL); nil hides the feature.
	Rewrite *rewrite.Client
	// TrustedProxies lists the reverse proxies (IP addresses or CIDR ranges) whose
	// X-Forwarded-For and X-Real-IP headers are believed. Empty trusts none: the client is the
	// address the connection comes from, so no client can choose its own address (and dodge the
	// per-address sign-in throttle) by sending those headers.
	TrustedProxies []string
}

// Server holds the handlers' dependencies.
type Server struct {
	store   *store.Store
	keys    *secrets.Keyring
	log     *slog.Logger
	cfg     Config
	now     func() time.Time
	pwd     auth.Params
	emailRL *auth.Limiter
	ipRL    *auth.Limiter
	// clientRL throttles client review pages per link and per address; clientBadRL throttles
	// wrong or dead tokens per address; rewriteRL limits model calls per user.
	clientRL    *auth.Limiter
	clientBadRL *auth.Limiter
	rewriteRL   *auth.Limiter
	reg         *prometheus.Registry
	engine      *gin.Engine
	routes      []route
}

// New builds the server and its routes.
func New(st *store.Store, keys *secrets.Keyring, log *slog.Logger, cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 14 * 24 * time.Hour
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: st, keys: keys, log: log, cfg: cfg, now: st.Now, pwd: auth.DefaultParams}
	if cfg.PasswordParams != nil {
		s.pwd = *cfg.PasswordParams
	}
	// Sign-in throttles: per account, to stop guessing one password; per address, to stop one
	// client spraying many accounts.
	s.emailRL = auth.NewLimiter(10, 15*time.Minute, s.now)
	s.ipRL = auth.NewLimiter(50, 15*time.Minute, s.now)
	s.clientRL = auth.NewLimiter(clientLinkRateLimit, time.Minute, s.now)
	s.clientBadRL = auth.NewLimiter(20, 15*time.Minute, s.now)
	s.rewriteRL = auth.NewLimiter(30, time.Hour, s.now)
	s.reg = cfg.Metrics
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.registerDBMetrics()
	s.engine = s.buildRouter(newHTTPMetrics(s.reg))
	return s
}

// Handler is the HTTP handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Registry is the Prometheus registry behind /metrics, for other components' series.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

func (s *Server) buildRouter(m *httpMetrics) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Gin believes forwarding headers from any peer unless told otherwise.
	if err := e.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		s.log.Error("invalid trusted proxies; trusting none", "err", err)
		_ = e.SetTrustedProxies(nil)
	}
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(withRequestID(), accessLog(s.log), s.recoverer(), m.middleware(), securityHeaders(), limitBody(s.cfg.MaxBodyBytes, int64(s.maxUpload())))
	e.NoRoute(func(c *gin.Context) {
		if s.cfg.UI != nil && c.Request.Method == http.MethodGet && !isAPIPath(c.Request.URL.Path) {
			s.cfg.UI.ServeHTTP(c.Writer, c.Request)
			return
		}
		s.fail(c, apiErr(http.StatusNotFound, "not_found", "No such endpoint."))
	})
	e.NoMethod(func(c *gin.Context) {
		s.fail(c, apiErr(http.StatusMethodNotAllowed, "method_not_allowed", "This endpoint does not accept "+c.Request.Method+"."))
	})
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
	e.GET("/api/openapi.json", s.openapi)
	if s.cfg.Sandbox != nil {
		e.Any("/sandbox/*path", gin.WrapH(s.cfg.Sandbox))
	}
	// Uploaded media, public by unguessable URL (see media.go).
	e.GET("/media/:file", s.serveMedia)
	e.GET("/media/:file/thumb", s.serveMediaThumb)
	// Client review pages: HTML for people without an account, outside the JSON API.
	e.GET(clientPathPrefix+":token", s.clientPageGet)
	e.POST(clientPathPrefix+":token/posts/:pid", s.clientPagePost)
	s.routes = s.apiRoutes()
	s.mount(e)
	return e
}

func isAPIPath(p string) bool {
	return p == "/api" || len(p) >= 5 && p[:5] == "/api/"
}
