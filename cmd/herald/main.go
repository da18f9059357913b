// Command herald is Herald's single binary: the server (API, UI and scheduler), a scheduler-only
// worker, database migrations, user administration and benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/frontend"
	"github.com/heraldhq/herald/publishers/egress"
	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/voice/rewrite"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Herald: content calendar and multi-network publishing scheduler.

Usage:
  herald serve [--demo] [flags]     run the API, the web UI and the scheduler
  herald worker [flags]             run only the scheduler (several may share one MySQL)
  herald migrate up|status [flags]  apply or list database migrations
  herald user create --email E --name N [--workspace ID --role R] [flags]
  herald user set-password --email E [flags]
  herald bench calendar [flags]     measure the calendar query (see BENCHMARKS.md)
  herald bench scheduler [flags]    measure publishing lateness, throughput and RSS on MySQL
  herald secret-key                 print a new key for HERALD_SECRET_KEY
  herald version

Passwords are read from standard input (one line), never from flags.
Run "herald <command> -h" for the flags; every flag has a HERALD_* variable.
`

// run is main without the process: it returns the exit code, so tests can drive the CLI.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr, true)
	case "worker":
		err = cmdServe(ctx, args[1:], stdout, stderr, false)
	case "migrate":
		err = cmdMigrate(ctx, args[1:], stdout, stderr)
	case "user":
		err = cmdUser(ctx, args[1:], stdin, stdout, stderr)
	case "bench":
		err = cmdBench(ctx, args[1:], stdout, stderr)
	case "secret-key":
		var k string
		if k, err = secrets.GenerateKey(); err == nil {
			fmt.Fprintln(stdout, k)
		}
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "herald", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "herald: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "herald:", err)
		return 1
	}
	return 0
}

func newLogger(c *config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if strings.EqualFold(c.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore connects and applies pending migrations, reporting each one.
func openStore(ctx context.Context, c *config, log *slog.Logger) (*store.Store, store.Location, error) {
	loc, err := c.location()
	if err != nil {
		return nil, loc, err
	}
	st, err := store.Open(ctx, loc, store.Options{Logger: log})
	if err != nil {
		return nil, loc, err
	}
	n, err := st.Migrate(ctx, func(m store.Migration) {
		log.Info("applying migration", "version", m.Version, "name", m.Name)
	})
	if err != nil {
		st.Close()
		return nil, loc, err
	}
	if n > 0 {
		log.Info("database migrated", "applied", n)
	}
	return st, loc, nil
}

// cmdServe runs `herald serve` (withHTTP) or `herald worker`. On SIGTERM or Ctrl-C it stops
// accepting connections, lets in-flight requests finish (up to 30 s), stops the scheduler after
// its running jobs end, and closes the database: nothing is cut half-way.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, withHTTP bool) error {
	name := "serve"
	if !withHTTP {
		name = "worker"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	// HERALD_CPU_PROFILE names a file for a CPU profile of the whole run (for `herald bench
	// scheduler` investigations); it is written when the process stops.
	if path := os.Getenv("HERALD_CPU_PROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	st, loc, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, note, err := c.keyring(loc)
	if err != nil {
		return err
	}
	if note != "" {
		log.Warn(note)
	}
	log.Info("database ready", "database", loc.Redacted())

	registry, sb, err := buildRegistry(c, log, withHTTP)
	if err != nil {
		return err
	}
	metrics := prometheus.NewRegistry()
	notifier, err := buildNotifier(c, keys)
	if err != nil {
		return err
	}
	sched, err := scheduler.New(st, scheduler.Options{Kind: name, Version: version, Log: log,
		Registry: registry, Keys: keys, Metrics: metrics, Notifier: notifier,
		LoadMedia:   mediaLoader(st, scheduler.HTTPMedia(egress.Client(c.AllowPrivate, time.Minute))),
		Concurrency: c.Concurrency, PerNetwork: c.PerNetwork})
	if err != nil {
		return err
	}
	if err := sched.Start(ctx); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := sched.Shutdown(sctx); err != nil {
			log.Warn("scheduler shutdown", "err", err)
		}
	}()

	if !withHTTP {
		log.Info("worker running; stop with Ctrl-C or SIGTERM", "worker_id", sched.ID())
		<-ctx.Done()
		log.Info("worker stopping")
		return nil
	}

	if c.Demo {
		if err := seedDemo(ctx, st, keys, stdout, c.PublicURL); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	cfg := server.Config{
		PublicURL: c.PublicURL, Version: version, UI: frontend.Handler(uiConfig(c, registry)), Registry: registry, Wake: sched.Wake, Metrics: metrics,
		TrustedProxies: c.TrustedProxies,
		Ready:          map[string]func(context.Context) error{"scheduler": sched.Ready},
	}
	if sb != nil {
		cfg.Sandbox = sb.Handler()
		log.Info("sandbox network enabled", "pages", c.PublicURL+"/sandbox/")
	}
	if c.LLMBaseURL != "" {
		rw, err := rewrite.New(rewrite.Options{BaseURL: c.LLMBaseURL, APIKey: c.LLMAPIKey, Model: c.LLMModel})
		if err != nil {
			return err
		}
		cfg.Rewrite = rw
		log.Info("rewrite in the brand's voice enabled", "model", rw.Model())
	}
	srv := server.New(st, keys, log, cfg)
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("herald is listening", "url", c.PublicURL, "addr", ln.Addr().String(), "version", version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("http server stopped")
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return errors.New("usage: herald migrate up|status [flags]")
	}
	fs := flag.NewFlagSet("migrate "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	loc, err := c.location()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, loc, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "up" {
		n, err := st.Migrate(ctx, func(m store.Migration) {
			fmt.Fprintf(stdout, "applying %04d_%s\n", m.Version, m.Name)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d migration(s) applied; schema is current\n", loc.Redacted(), n)
		return nil
	}
	list, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	pending := 0
	for _, m := range list {
		state := "pending"
		if m.AppliedAt != nil {
			state = "applied " + m.AppliedAt.Format(time.RFC3339)
		} else {
			pending++
		}
		fmt.Fprintf(stdout, "%04d  %-36s %s\n", m.Version, m.Name, state)
	}
	fmt.Fprintf(stdout, "%d applied, %d pending (%s)\n", len(list)-pending, pending, loc.Redacted())
	return nil
}
