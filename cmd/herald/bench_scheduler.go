package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

const benchSchedulerUsage = `Usage: herald bench scheduler --database-url mysql://root@127.0.0.1:3306/herald_bench_scheduler [flags]

Measures the scheduler as it runs in production: "herald worker" processes (this binary) claim
from one MySQL or MariaDB database and publish to a fake Mastodon-compatible network served by this
process, which answers each new status after --latency. Two scenarios, recorded in BENCHMARKS.md:

  burst   --burst targets due at the same instant on --channels channels (--per-post per post),
          published by each worker count of --workers in turn, on a fresh database each time.
          Reported: lateness (published_at minus the due time: p50, p99, max), throughput, each
          worker's peak RSS (VmHWM), and whether the network received every target exactly once.
  spread  --spread targets due uniformly over the next --spread-days days, from an hour ahead so
          that none falls due during the run. Reported: the claim transaction (store.ClaimDue, 100
          at most) p50/p99 over --claims runs with nothing due, then with some due; and one
          worker's RSS, sampled every second for --run-for while it publishes a small due batch
          on top of that backlog.

The database --database-url names is DROPPED AND RECREATED (its name must start with
"herald_bench") and dropped again at the end unless --keep. HERALD_DATABASE_URL is ignored: a
benchmark never touches the configured database. The exit code is 1 when a target was lost or
published twice; missing a goal is reported, not an error.

Flags:
`

// schedBenchConfig holds the flags of `herald bench scheduler`.
type schedBenchConfig struct {
	DatabaseURL string
	Burst       int
	Workers     []int
	Channels    int
	PerPost     int
	Latency     time.Duration
	Spread      int
	SpreadDays  int
	Claims      int
	RunFor      time.Duration
	// Concurrency and PerNetwork are the workers' HERALD_CONCURRENCY and HERALD_PER_NETWORK.
	Concurrency int
	PerNetwork  int
	// TLS serves the fake network over HTTPS with HTTP/2, as real networks are served.
	TLS  bool
	Keep bool
	// WorkerBinary is the herald binary the workers run (this one when empty; tests give one).
	WorkerBinary string
}

// Goals of the scheduler benchmark (the requirement BENCHMARKS.md records).
const (
	goalBurstP99   = time.Second
	goalIdleRSSKB  = 150_000_000 / 1024 // 150 MB, in the kB /proc reports
	goalClaimQuery = 5 * time.Millisecond
)

func cmdBenchScheduler(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench scheduler", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := schedBenchConfig{}
	workers := "1,3"
	fs.StringVar(&c.DatabaseURL, "database-url", "", "MySQL/MariaDB database to benchmark, named herald_bench… (required; dropped and recreated)")
	fs.IntVar(&c.Burst, "burst", 10_000, "targets due at the same instant (0 skips the burst)")
	fs.StringVar(&workers, "workers", workers, "worker counts to run the burst with, comma-separated")
	fs.IntVar(&c.Channels, "channels", 10_000, "channels the targets are spread over (one account publishes one post at a time, so a burst on few channels is bounded by latency × posts per channel)")
	fs.IntVar(&c.Concurrency, "concurrency", 1700, "each worker's HERALD_CONCURRENCY: network calls in flight at once (it claims up to twice as many)")
	fs.BoolVar(&c.TLS, "tls", false, "serve the fake network over HTTPS with HTTP/2, as real networks are (default: plain HTTP/1.1, a connection per request in flight)")
	fs.IntVar(&c.PerNetwork, "per-network", 0, "each worker's HERALD_PER_NETWORK (default: --concurrency)")
	fs.IntVar(&c.PerPost, "per-post", 4, "targets (channels) per post")
	fs.DurationVar(&c.Latency, "latency", 100*time.Millisecond, "the fake network's answer time for a new status")
	fs.IntVar(&c.Spread, "spread", 1_000_000, "targets spread over the next --spread-days days (0 skips the spread)")
	fs.IntVar(&c.SpreadDays, "spread-days", 30, "days the spread targets are due over")
	fs.IntVar(&c.Claims, "claims", 100, "claim transactions timed with nothing due, and again with some due")
	fs.DurationVar(&c.RunFor, "run-for", time.Minute, "how long the spread's worker runs while its RSS is sampled")
	fs.BoolVar(&c.Keep, "keep", false, "keep the database afterwards")
	fs.StringVar(&c.WorkerBinary, "worker-binary", "", "herald binary the workers run (default: this one)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), benchSchedulerUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, f := range strings.Split(workers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 32 {
			return fmt.Errorf("--workers: %q is not a worker count between 1 and 32", f)
		}
		c.Workers = append(c.Workers, n)
	}
	switch {
	case c.DatabaseURL == "":
		return errors.New("--database-url is required: a MySQL or MariaDB database named herald_bench…, which is dropped and recreated")
	case c.Burst < 0 || c.Spread < 0 || c.Channels < 1 || c.PerPost < 1 || c.PerPost > c.Channels || c.SpreadDays < 1 || c.Claims < 1:
		return errors.New("--burst and --spread must not be negative; --channels, --per-post (at most --channels), --spread-days and --claims must be positive")
	case c.Latency < 0 || c.RunFor <= 0:
		return errors.New("--latency must not be negative and --run-for must be positive")
	case c.Concurrency < 1 || c.Concurrency > 10000 || c.PerNetwork < 0 || c.PerNetwork > 10000:
		return errors.New("--concurrency must be 1 to 10000 and --per-network 0 to 10000")
	}
	if c.PerNetwork == 0 {
		c.PerNetwork = c.Concurrency
	}
	return benchScheduler(ctx, c, stdout)
}

// schedBench is one run of `herald bench scheduler`: its database, network, key and workers' binary.
type schedBench struct {
	c       schedBenchConfig
	out     io.Writer
	loc     store.Location
	bin     string
	net     *benchNetwork
	keySpec string
	keys    *secrets.Keyring
	logDir  string
	// failures are lost or duplicated targets: they make the command fail.
	failures []string
}

func benchScheduler(ctx context.Context, c schedBenchConfig, out io.Writer) error {
	loc, err := store.ParseURL(c.DatabaseURL, "")
	if err != nil {
		return err
	}
	if loc.Dialect != store.MySQL {
		return errors.New("the scheduler benchmark runs several workers on one database: --database-url must name a MySQL or MariaDB database")
	}
	// Refuse a database not named for benchmarks before starting anything.
	if err := store.RecreateBenchDatabase(ctx, loc); err != nil {
		return err
	}
	if !c.Keep {
		defer func() {
			if err := store.DropBenchDatabase(context.Background(), loc); err != nil {
				fmt.Fprintf(out, "could not drop %s: %v\n", loc.Redacted(), err)
			}
		}()
	}
	bin := c.WorkerBinary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("find this binary to run workers: %w", err)
		}
	}
	spec, err := secrets.GenerateKey()
	if err != nil {
		return err
	}
	keys, err := secrets.ParseKeyring(spec)
	if err != nil {
		return err
	}
	logDir, err := os.MkdirTemp("", "herald-bench-scheduler-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(logDir)
	tlsDir := ""
	if c.TLS {
		tlsDir = logDir
	}
	network, err := startBenchNetwork(c.Latency, tlsDir)
	if err != nil {
		return err
	}
	defer network.Close()
	b := &schedBench{c: c, out: out, loc: loc, bin: bin, net: network, keySpec: spec, keys: keys, logDir: logDir}

	st, err := b.freshStore(ctx)
	if err != nil {
		return err
	}
	version, err := st.ServerVersion(ctx)
	st.Close()
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "herald bench scheduler")
	fmt.Fprintf(out, "machine:  %s/%s, %d CPUs, %s%s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), loadAverage())
	fmt.Fprintf(out, "database: %s (%s)\n", version, loc.Redacted())
	fmt.Fprintf(out, "network:  fake Mastodon API on %s, %s per new status; workers: %s worker (default scheduler options)\n",
		network.URL, c.Latency, bin)

	var summary []string
	if c.Burst > 0 {
		fmt.Fprintf(out, "\nburst: %d targets due at the same instant, %d channels, %d targets per post; workers with HERALD_CONCURRENCY=%d HERALD_PER_NETWORK=%d\n",
			c.Burst, c.Channels, c.PerPost, c.Concurrency, c.PerNetwork)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "workers\tpublished\tp50 late\tp99 late\tmax late\tthroughput\tpeak RSS (max of workers)\tworkers' CPU\tduplicates\t")
		var rows []burstResult
		for _, n := range c.Workers {
			r, err := b.burst(ctx, n)
			if err != nil {
				return fmt.Errorf("burst with %d worker(s): %w", n, err)
			}
			rows = append(rows, r)
			fmt.Fprintf(tw, "%d\t%d/%d\t%s\t%s\t%s\t%.0f/s\t%s\t%.1f s\t%d\t\n", n, r.published, c.Burst, secs(r.late.p50), secs(r.late.p99),
				secs(r.late.max), r.throughput, mib(slices.Max(r.peakKB)), r.cpu.Seconds(), r.duplicates)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, r := range rows {
			verdict := "met"
			if r.late.p99 >= goalBurstP99 {
				verdict = "MISSED"
			}
			summary = append(summary, fmt.Sprintf("burst, %d worker(s): p99 lateness %s (goal under %s: %s), %.0f targets/s, peak RSS %s",
				r.workers, secs(r.late.p99), secs(goalBurstP99), verdict, r.throughput, mib(slices.Max(r.peakKB))))
		}
	}
	if c.Spread > 0 {
		r, err := b.spread(ctx)
		if err != nil {
			return fmt.Errorf("spread: %w", err)
		}
		rss, claim := "met", "met"
		if r.maxRSSKB >= goalIdleRSSKB {
			rss = "MISSED"
		}
		if r.queryIdle.p99 >= goalClaimQuery || r.queryDue.p99 >= goalClaimQuery {
			claim = "MISSED"
		}
		summary = append(summary,
			fmt.Sprintf("spread, %d targets: worker RSS at most %s, peak %s (goal under 150 MB: %s)", c.Spread, mib(r.maxRSSKB), mib(r.peakKB), rss),
			fmt.Sprintf("spread, %d targets: claim query p99 %s with nothing due, %s with 100 due (goal under %s: %s); whole claim p99 %s and %s",
				c.Spread, ms(r.queryIdle.p99), ms(r.queryDue.p99), ms(goalClaimQuery), claim, ms(r.idle.p99), ms(r.due.p99)))
	}
	fmt.Fprintln(out)
	for _, s := range summary {
		fmt.Fprintln(out, s)
	}
	if len(b.failures) > 0 {
		return fmt.Errorf("targets lost or published twice: %s", strings.Join(b.failures, "; "))
	}
	return nil
}

// freshStore empties the benchmark database and migrates it.
func (b *schedBench) freshStore(ctx context.Context) (*store.Store, error) {
	if err := store.RecreateBenchDatabase(ctx, b.loc); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, b.loc, store.Options{MaxOpenConns: 8})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx, nil); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// pool returns a worker pool on the benchmark database.
func (b *schedBench) pool() *workerPool {
	env := append(workerEnv(b.loc.DSN, b.keySpec, b.logDir),
		"HERALD_CONCURRENCY="+strconv.Itoa(b.c.Concurrency), "HERALD_PER_NETWORK="+strconv.Itoa(b.c.PerNetwork))
	if b.net.CertFile != "" {
		// Go reads extra trusted roots from SSL_CERT_FILE: the workers trust the network's
		// certificate, and nothing else changes in them.
		env = append(env, "SSL_CERT_FILE="+b.net.CertFile)
	}
	return newWorkerPool(b.bin, env, b.logDir)
}

// burstResult is one burst run.
type burstResult struct {
	workers    int
	published  int
	late       percentiles
	throughput float64
	peakKB     []int64
	cpu        time.Duration
	duplicates int
}

// burst seeds c.Burst targets, starts n workers, makes every target due at one instant a few
// seconds ahead, and waits until all are published.
func (b *schedBench) burst(ctx context.Context, n int) (burstResult, error) {
	res := burstResult{workers: n}
	st, err := b.freshStore(ctx)
	if err != nil {
		return res, err
	}
	defer st.Close()
	b.net.Reset()
	w, err := newBenchWorld(ctx, st, b.keys, b.c.Channels, func(i int) publishers.Credentials {
		return benchNetworkCredentials(b.net.URL, i)
	})
	if err != nil {
		return res, err
	}
	db, err := st.SQL()
	if err != nil {
		return res, err
	}
	// Seeded far ahead, so the workers start on a database with nothing due; the due time is set
	// once they run, which is what makes "due at the same instant" exact.
	parked := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Millisecond)
	if err := benchSeedTargets(ctx, db, w, b.c.Burst, b.c.PerPost, func(int) time.Time { return parked }, nil); err != nil {
		return res, err
	}
	pool := b.pool()
	defer pool.Stop(10 * time.Second)
	if err := pool.StartN(ctx, st, n); err != nil {
		return res, err
	}
	due := time.Now().UTC().Add(3 * time.Second).Truncate(time.Millisecond)
	if _, err := st.BenchMoveDue(ctx, due, w.workspaceID); err != nil {
		return res, err
	}
	// The slowest conceivable run publishes one status per channel at a time, and at most
	// --per-network at a time per worker; three times that, plus a minute, is a hang.
	perChannel := (b.c.Burst + b.c.Channels - 1) / b.c.Channels
	waves := max(perChannel, b.c.Burst/(b.c.PerNetwork*n)+1)
	expect := time.Duration(waves) * max(b.c.Latency, 10*time.Millisecond)
	deadline := due.Add(3*expect + time.Minute)
	for {
		counts, err := st.BenchTargetCounts(ctx, w.workspaceID)
		if err != nil {
			return res, err
		}
		if counts[store.TargetPending]+counts[store.TargetPublishing] == 0 {
			break
		}
		if err := pool.Alive(); err != nil {
			return res, err
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("not done by %s: %v", deadline.Format(time.TimeOnly), counts)
		}
		pool.SampleMemory()
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	pool.SampleMemory()
	res.peakKB, res.cpu = pool.PeakKB(), pool.CPU()
	if err := pool.Stop(40 * time.Second); err != nil {
		return res, err
	}

	published, err := benchPublishedTimes(ctx, db, w.workspaceID)
	if err != nil {
		return res, err
	}
	res.published = len(published)
	var late []time.Duration
	var last time.Time
	for _, p := range published {
		late = append(late, p.Sub(due))
		if p.After(last) {
			last = p
		}
	}
	if len(late) > 0 {
		res.late = summarize(late)
		res.throughput = float64(len(late)) / last.Sub(due).Seconds()
	}
	created, dups := b.net.Created()
	res.duplicates = dups
	if res.published != b.c.Burst || created != b.c.Burst || dups > 0 {
		b.failures = append(b.failures, fmt.Sprintf("burst with %d worker(s): %d of %d targets published, the network created %d statuses, %d keys more than once",
			n, res.published, b.c.Burst, created, dups))
	}
	return res, nil
}

// spreadResult is the spread run.
type spreadResult struct {
	idle, due percentiles
	// queryIdle and queryDue time the claim's locking read alone (the claim query).
	queryIdle, queryDue percentiles
	maxRSSKB            int64
	peakKB              int64
}

// spread seeds c.Spread targets over the coming days, times the claim transaction with nothing
// due and with some due, then runs one worker over that backlog and samples its memory.
func (b *schedBench) spread(ctx context.Context) (spreadResult, error) {
	var res spreadResult
	st, err := b.freshStore(ctx)
	if err != nil {
		return res, err
	}
	defer st.Close()
	b.net.Reset()
	out := b.out
	w, err := newBenchWorld(ctx, st, b.keys, b.c.Channels, func(i int) publishers.Credentials {
		return benchNetworkCredentials(b.net.URL, i)
	})
	if err != nil {
		return res, err
	}
	db, err := st.SQL()
	if err != nil {
		return res, err
	}
	now := time.Now().UTC()
	posts := (b.c.Spread + b.c.PerPost - 1) / b.c.PerPost
	span := time.Duration(b.c.SpreadDays) * 24 * time.Hour
	fmt.Fprintf(out, "\nspread: %d targets due over the next %d days, %d channels, %d targets per post\n", b.c.Spread, b.c.SpreadDays, b.c.Channels, b.c.PerPost)
	began := time.Now()
	nextPct := 10
	err = benchSeedTargets(ctx, db, w, b.c.Spread, b.c.PerPost, func(i int) time.Time {
		// Posts are due evenly from an hour ahead (nothing falls due while seeding and measuring) to
		// the end of the span, at whole seconds.
		return now.Add(time.Hour + time.Duration(int64(span-time.Hour)/int64(posts)*int64(i))).Truncate(time.Second)
	}, func(done int) {
		if pct := done * 100 / b.c.Spread; pct >= nextPct {
			fmt.Fprintf(out, "  %3d%%  %d/%d targets  %s\n", pct, done, b.c.Spread, time.Since(began).Round(100*time.Millisecond))
			nextPct = pct/10*10 + 10
		}
	})
	if err != nil {
		return res, err
	}
	if _, err := db.ExecContext(ctx, "ANALYZE TABLE posts, targets"); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "seeded in %s\n", time.Since(began).Round(100*time.Millisecond))

	// The claim as a worker runs it: a transaction that selects up to 100 due targets with FOR
	// UPDATE SKIP LOCKED, locks their posts the same way, marks both publishing, and reads the
	// channels and workspaces publishing needs. Its lease is long, so the worker started later
	// leaves the claimed rows alone.
	claim := func(wantDue bool) (percentiles, error) {
		var d []time.Duration
		for range b.c.Claims {
			start := time.Now()
			ids, err := st.ClaimDue(ctx, "bench-claim", time.Now().UTC(), 0, 24*time.Hour, 100)
			if err != nil {
				return percentiles{}, err
			}
			d = append(d, time.Since(start))
			if wantDue != (len(ids) > 0) {
				return percentiles{}, fmt.Errorf("a claim took %d targets, expected due ones: %v", len(ids), wantDue)
			}
		}
		return summarize(d), nil
	}
	// The claim query alone: the locking read a claim starts with, in a transaction at READ
	// COMMITTED as the store runs it, rolled back so the same rows stay due for the next run.
	query := func(wantDue bool) (percentiles, error) {
		var d []time.Duration
		for range b.c.Claims {
			start := time.Now()
			tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
			if err != nil {
				return percentiles{}, err
			}
			rows, err := tx.QueryContext(ctx, "SELECT id FROM targets WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT 100 FOR UPDATE SKIP LOCKED",
				store.TargetPending, time.Now().UTC().Truncate(time.Microsecond))
			n := 0
			for err == nil && rows.Next() {
				n++
			}
			if rows != nil {
				rows.Close()
			}
			_ = tx.Rollback()
			if err != nil {
				return percentiles{}, err
			}
			d = append(d, time.Since(start))
			if wantDue != (n > 0) {
				return percentiles{}, fmt.Errorf("the claim query found %d targets, expected due ones: %v", n, wantDue)
			}
		}
		return summarize(d), nil
	}
	if res.queryIdle, err = query(false); err != nil {
		return res, err
	}
	if res.idle, err = claim(false); err != nil {
		return res, err
	}
	// Enough due targets for every timed claim to take a full batch, plus a few thousand left for
	// the worker to publish while its memory is sampled.
	leftover := 2000
	dueNow := time.Now().UTC().Add(-time.Minute)
	if err := benchSeedTargets(ctx, db, w, b.c.Claims*100+leftover, b.c.PerPost, func(i int) time.Time {
		return dueNow.Add(time.Duration(i) * time.Millisecond)
	}, nil); err != nil {
		return res, err
	}
	if res.queryDue, err = query(true); err != nil {
		return res, err
	}
	if res.due, err = claim(true); err != nil {
		return res, err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "claim, limit 100\truns\tp50\tp99\tmax\t")
	fmt.Fprintf(tw, "query (SELECT … FOR UPDATE SKIP LOCKED), nothing due\t%d\t%s\t%s\t%s\t\n", b.c.Claims, ms(res.queryIdle.p50), ms(res.queryIdle.p99), ms(res.queryIdle.max))
	fmt.Fprintf(tw, "query (SELECT … FOR UPDATE SKIP LOCKED), 100 due\t%d\t%s\t%s\t%s\t\n", b.c.Claims, ms(res.queryDue.p50), ms(res.queryDue.p99), ms(res.queryDue.max))
	fmt.Fprintf(tw, "whole claim (store.ClaimDue), nothing due\t%d\t%s\t%s\t%s\t\n", b.c.Claims, ms(res.idle.p50), ms(res.idle.p99), ms(res.idle.max))
	fmt.Fprintf(tw, "whole claim (store.ClaimDue: lock, begin posts, load), 100 due\t%d\t%s\t%s\t%s\t\n", b.c.Claims, ms(res.due.p50), ms(res.due.p99), ms(res.due.max))
	if err := tw.Flush(); err != nil {
		return res, err
	}

	pool := b.pool()
	defer pool.Stop(10 * time.Second)
	if err := pool.StartN(ctx, st, 1); err != nil {
		return res, err
	}
	end := time.Now().Add(b.c.RunFor)
	var samples []int64
	for time.Now().Before(end) {
		if err := pool.Alive(); err != nil {
			return res, err
		}
		if rss := pool.SampleMemory(); len(rss) == 1 {
			samples = append(samples, rss[0])
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	res.peakKB = slices.Max(pool.PeakKB())
	if err := pool.Stop(40 * time.Second); err != nil {
		return res, err
	}
	if len(samples) > 0 {
		res.maxRSSKB = slices.Max(samples)
	}
	counts, err := st.BenchTargetCounts(ctx, w.workspaceID)
	if err != nil {
		return res, err
	}
	created, dups := b.net.Created()
	fmt.Fprintf(out, "one worker for %s over the backlog: RSS sampled %d times, at most %s, median %s; peak (VmHWM) %s; it published %d of the %d left due (network: %d created, %d duplicates)\n",
		b.c.RunFor, len(samples), mib(res.maxRSSKB), mib(median(samples)), mib(res.peakKB), counts[store.TargetPublished], leftover, created, dups)
	if dups > 0 || created != counts[store.TargetPublished] {
		b.failures = append(b.failures, fmt.Sprintf("spread: %d published, the network created %d statuses, %d keys more than once", counts[store.TargetPublished], created, dups))
	}
	return res, nil
}

func median(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// secs formats a duration in seconds with three decimals.
func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// mib formats kilobytes (as /proc reports them) in MiB.
func mib(kb int64) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

// benchWorld is a seeded workspace: its owner and its Mastodon channels, in creation order.
type benchWorld struct {
	workspaceID int64
	ownerID     int64
	channelIDs  []int64
}

// newBenchWorld creates a user, a workspace that needs no approval, and n connected Mastodon
// channels whose credentials, creds(i) for the i-th, are sealed as the server seals them.
func newBenchWorld(ctx context.Context, st *store.Store, keys *secrets.Keyring, n int, creds func(i int) publishers.Credentials) (*benchWorld, error) {
	u := &store.User{Email: fmt.Sprintf("bench-%s@bench.herald.local", uuid.NewString()[:8]), Name: "Bench owner"}
	if err := st.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	owner := store.Actor{UserID: u.ID, Label: "Bench owner"}
	ws := &store.Workspace{Name: "Scheduler bench", TimeZone: "UTC", RequiredApprovals: 0, GracePeriodSeconds: 3600}
	if err := st.CreateWorkspace(ctx, ws, u.ID, owner); err != nil {
		return nil, err
	}
	w := &benchWorld{workspaceID: ws.ID, ownerID: u.ID}
	for i := range n {
		cr := creds(i)
		c := &store.Channel{WorkspaceID: ws.ID, Network: "mastodon", Name: fmt.Sprintf("Bench channel %d", i+1),
			Handle: fmt.Sprintf("@bench%d", i+1), TimeZone: "UTC", Status: store.ChannelConnected}
		seal := func(id int64) (string, string, error) {
			raw, err := json.Marshal(cr)
			if err != nil {
				return "", "", err
			}
			sealed, err := keys.Seal(raw, scheduler.ChannelAAD(id))
			return sealed, keys.PrimaryID(), err
		}
		if err := st.CreateChannel(ctx, c, seal, owner); err != nil {
			return nil, err
		}
		w.channelIDs = append(w.channelIDs, c.ID)
	}
	return w, nil
}

// benchSeedTargets writes n targets of scheduled posts straight into the tables with multi-row
// INSERTs: the workflow (CreatePost, submit, schedule) takes several transactions per post, hours
// for a million. Each post goes to perPost consecutive channels, round the workspace's channels;
// its targets are pending and due at due(post index), exactly as scheduling leaves them. Post ids
// are given explicitly, so targets can name them without reading them back.
//
// This belongs in the store (server/store/bulk.go) next to BulkSeedCalendar, so that only the
// store knows the tables; it is here until it moves there.
func benchSeedTargets(ctx context.Context, db *sql.DB, w *benchWorld, n, perPost int, due func(post int) time.Time, progress func(done int)) error {
	var firstID int64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM posts").Scan(&firstID); err != nil {
		return err
	}
	var channelBase int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM targets WHERE workspace_id = ?", w.workspaceID).Scan(&channelBase); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	const rows = 1000    // rows per INSERT
	const perTx = 10_000 // targets per transaction
	posts := (n + perPost - 1) / perPost
	done := 0
	for p0 := 0; p0 < posts; p0 += perTx / perPost {
		p1 := min(posts, p0+perTx/perPost)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var postRows, targetRows [][]any
		for p := p0; p < p1; p++ {
			id := firstID + int64(p)
			at := due(p).UTC()
			postRows = append(postRows, []any{id, w.workspaceID, w.ownerID, fmt.Sprintf("Bench post %d", id),
				fmt.Sprintf("Bench post %d, scheduled for %s.", id, at.Format(time.RFC3339)), string(workflow.Scheduled), 1, at, "UTC", now, now})
			for j := 0; j < perPost && p*perPost+j < n; j++ {
				ch := w.channelIDs[(channelBase+p*perPost+j)%len(w.channelIDs)]
				targetRows = append(targetRows, []any{w.workspaceID, id, ch, store.TargetPending, uuid.NewString(), at, now, now})
			}
		}
		err = insertRows(ctx, tx, "INSERT INTO posts (id, workspace_id, author_id, title, body, status, revision, scheduled_at, time_zone, created_at, updated_at) VALUES ", postRows, rows)
		if err == nil {
			err = insertRows(ctx, tx, "INSERT INTO targets (workspace_id, post_id, channel_id, status, idempotency_key, due_at, created_at, updated_at) VALUES ", targetRows, rows)
		}
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		done += len(targetRows)
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// insertRows writes rows with statements of at most per rows each.
func insertRows(ctx context.Context, tx *sql.Tx, head string, rows [][]any, per int) error {
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for i, r := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			q.WriteString(strings.Repeat("?,", len(r)-1))
			q.WriteString("?)")
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// benchPublishedTimes returns the published_at of the workspace's published targets.
func benchPublishedTimes(ctx context.Context, db *sql.DB, workspaceID int64) ([]time.Time, error) {
	rows, err := db.QueryContext(ctx, "SELECT published_at FROM targets WHERE workspace_id = ? AND status = ?", workspaceID, store.TargetPublished)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// workerEnv is the environment of a worker process: this one's without any HERALD_* variable (a
// HERALD_DATABASE_URL_FILE would win over the URL given) but HERALD_CPU_PROFILE, plus the
// database, the key, quiet logs, and a data directory of its own.
func workerEnv(dsn, keySpec, dataDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HERALD_") || strings.HasPrefix(kv, "HERALD_CPU_PROFILE=") {
			env = append(env, kv)
		}
	}
	// The fake networks listen on 127.0.0.1, which Herald refuses to reach unless allowed.
	return append(env, "HERALD_DATABASE_URL="+dsn, "HERALD_SECRET_KEY="+keySpec, "HERALD_LOG_LEVEL=warn",
		"HERALD_DATA_DIR="+dataDir, "HERALD_ALLOW_PRIVATE_NETWORKS=1")
}

// workerPool runs `herald worker` processes against one database, for the scheduler benchmark and
// the exactly-once test: it starts them, kills one abruptly (SIGKILL, as a crash or the OOM killer
// would) and restarts it, reads their memory from /proc, and stops them all. Each slot holds one
// process at a time; its output goes to a log file per run.
type workerPool struct {
	bin    string
	env    []string
	logDir string

	mu    sync.Mutex
	slots []*workerProc
	runs  int
}

// workerProc is one worker process.
type workerProc struct {
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error
	// killed is set before a deliberate SIGKILL; peakKB is the highest VmHWM read, and cpu the
	// CPU time (user and system) last read.
	killed bool
	peakKB int64
	cpu    time.Duration
}

func newWorkerPool(bin string, env []string, logDir string) *workerPool {
	return &workerPool{bin: bin, env: env, logDir: logDir}
}

// Start starts a worker in slot, which must be empty or hold a process that has exited.
func (p *workerPool) Start(slot int) (pid int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.slots) <= slot {
		p.slots = append(p.slots, nil)
	}
	if w := p.slots[slot]; w != nil && !w.hasExited() {
		return 0, fmt.Errorf("worker slot %d is still running (pid %d)", slot, w.cmd.Process.Pid)
	}
	p.runs++
	logPath := filepath.Join(p.logDir, fmt.Sprintf("worker-%d-run-%d.log", slot, p.runs))
	f, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(p.bin, "worker")
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return 0, fmt.Errorf("start %s worker: %w", p.bin, err)
	}
	w := &workerProc{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		w.waitErr = cmd.Wait()
		f.Close()
		close(w.exited)
	}()
	p.slots[slot] = w
	return cmd.Process.Pid, nil
}

// StartN starts n workers in slots 0…n−1, one after the other: each is started once the one
// before has written its first heartbeat. Started at the same moment, two workers' first
// heartbeats can deadlock in MySQL (store.Heartbeat updates a row that does not exist yet, taking
// a gap lock, then inserts it), and the loser exits.
func (p *workerPool) StartN(ctx context.Context, st *store.Store, n int) error {
	for i := range n {
		if _, err := p.Start(i); err != nil {
			return err
		}
		if err := p.WaitReady(ctx, st, time.Minute); err != nil {
			return err
		}
	}
	return nil
}

func (w *workerProc) hasExited() bool {
	select {
	case <-w.exited:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL to the worker in slot and waits until it is gone; it returns its pid.
func (p *workerPool) Kill(slot int) (int, error) {
	p.mu.Lock()
	w := p.slots[slot]
	p.mu.Unlock()
	if w == nil || w.hasExited() {
		return 0, fmt.Errorf("worker slot %d is not running", slot)
	}
	p.sample(w)
	p.mu.Lock()
	w.killed = true
	p.mu.Unlock()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return 0, err
	}
	<-w.exited
	return w.cmd.Process.Pid, nil
}

// PIDs returns the pids of the running workers.
func (p *workerPool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, w := range p.slots {
		if w != nil && !w.hasExited() {
			out = append(out, w.cmd.Process.Pid)
		}
	}
	return out
}

// WaitReady waits until every running worker has written its first heartbeat, which it does once
// its database is migrated and just before its jobs start.
func (p *workerPool) WaitReady(ctx context.Context, st *store.Store, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		want := map[int]bool{}
		for _, pid := range p.PIDs() {
			want[pid] = true
		}
		ws, err := st.Workers(ctx, time.Now().Add(-time.Hour))
		if err != nil {
			return err
		}
		for _, w := range ws {
			if w.StoppedAt == nil {
				delete(want, w.PID)
			}
		}
		if len(want) == 0 {
			return nil
		}
		if err := p.Alive(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("workers %v did not start within %s", want, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Alive returns an error, with the end of its log, when a worker exited without being told to.
func (p *workerPool) Alive() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.slots {
		if w != nil && !w.killed && w.hasExited() {
			return fmt.Errorf("worker %d (pid %d) exited: %v\n%s", i, w.cmd.Process.Pid, w.waitErr, logTail(w.logPath, 20))
		}
	}
	return nil
}

// SampleMemory reads each running worker's VmRSS, in kB, and records its VmHWM (peak RSS).
func (p *workerPool) SampleMemory() []int64 {
	p.mu.Lock()
	slots := slices.Clone(p.slots)
	p.mu.Unlock()
	var out []int64
	for _, w := range slots {
		if w != nil && !w.hasExited() {
			if rss := p.sample(w); rss > 0 {
				out = append(out, rss)
			}
		}
	}
	return out
}

func (p *workerPool) sample(w *workerProc) int64 {
	rss, hwm, err := procMemory(w.cmd.Process.Pid)
	if err != nil {
		return 0
	}
	cpu, cerr := procCPU(w.cmd.Process.Pid)
	p.mu.Lock()
	w.peakKB = max(w.peakKB, hwm)
	if cerr == nil {
		w.cpu = max(w.cpu, cpu)
	}
	p.mu.Unlock()
	return rss
}

// CPU returns the CPU time the workers used, as last sampled.
func (p *workerPool) CPU() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var total time.Duration
	for _, w := range p.slots {
		if w != nil {
			total += w.cpu
		}
	}
	return total
}

// PeakKB returns the highest VmHWM read of each worker run so far, in kB.
func (p *workerPool) PeakKB() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []int64{0}
	for _, w := range p.slots {
		if w != nil {
			out = append(out, w.peakKB)
		}
	}
	return out
}

// Stop sends SIGTERM to every running worker and waits for them to finish their in-flight work and
// exit; one still running after timeout is killed. It returns an error when a worker did not
// exit cleanly.
func (p *workerPool) Stop(timeout time.Duration) error {
	p.mu.Lock()
	slots := slices.Clone(p.slots)
	p.mu.Unlock()
	var running []*workerProc
	for _, w := range slots {
		if w != nil && !w.hasExited() {
			p.sample(w)
			_ = w.cmd.Process.Signal(syscall.SIGTERM)
			running = append(running, w)
		}
	}
	deadline := time.After(timeout)
	var errs []error
	for _, w := range running {
		select {
		case <-w.exited:
			if w.waitErr != nil {
				errs = append(errs, fmt.Errorf("worker pid %d: %v\n%s", w.cmd.Process.Pid, w.waitErr, logTail(w.logPath, 20)))
			}
		case <-deadline:
			_ = w.cmd.Process.Signal(syscall.SIGKILL)
			<-w.exited
			errs = append(errs, fmt.Errorf("worker pid %d did not stop within %s of SIGTERM", w.cmd.Process.Pid, timeout))
		}
	}
	return errors.Join(errs...)
}

// Logs returns the end of every worker log, for a failure message.
func (p *workerPool) Logs(lines int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	paths, _ := filepath.Glob(filepath.Join(p.logDir, "worker-*.log"))
	var b strings.Builder
	for _, path := range paths {
		if t := logTail(path, lines); t != "" {
			fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(path), t)
		}
	}
	return b.String()
}

// Grep returns the lines of the worker logs that contain substr.
func (p *workerPool) Grep(substr string) []string {
	paths, _ := filepath.Glob(filepath.Join(p.logDir, "worker-*.log"))
	var out []string
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, substr) {
				out = append(out, filepath.Base(path)+": "+line)
			}
		}
	}
	return out
}

// logTail returns the last n lines of a file.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// procMemory reads a process's resident set size and its peak (VmRSS, VmHWM) in kB from
// /proc/<pid>/status.
func procMemory(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%d/status %s: %w", pid, name, err)
		}
		if name == "VmRSS" {
			rss = kb
		} else {
			hwm = kb
		}
	}
	if rss == 0 && hwm == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no memory figures (the process has exited)", pid)
	}
	return rss, hwm, sc.Err()
}

// procCPU reads the CPU time (user and system) a process has used from /proc/<pid>/stat, whose
// clock ticks are 1/100 s on Linux (USER_HZ).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields after its closing one.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// benchNetworkCredentials are the credentials of the i-th channel on the benchmark's network: a
// token of its own, which the network treats as an account of its own.
func benchNetworkCredentials(instance string, i int) publishers.Credentials {
	return publishers.Credentials{AccessToken: fmt.Sprintf("bench-token-%d", i+1),
		Extra: map[string]string{"instance": instance, "account_id": fmt.Sprintf("bench-%d", i+1)}}
}

// benchNetwork is a fake Mastodon instance for the benchmark: the part of the client API the
// publisher uses to post and to look for a post (POST /api/v1/statuses,
// GET /api/v1/accounts/:id/statuses, verify_credentials), with every bearer token an account of
// its own. A new status is answered after the configured latency; repeated Idempotency-Keys are
// counted rather than deduplicated, so a duplicate publish shows. The tests use the
// spec-checked fake in publishers/mastodon/mastodontest instead; that one needs a testing.TB.
type benchNetwork struct {
	URL string
	// CertFile is the network's certificate when it serves HTTPS ("" for plain HTTP).
	CertFile string
	latency  time.Duration
	srv      *http.Server

	mu       sync.Mutex
	seq      int64
	statuses map[string][]benchStatus // by token, oldest first
	byKey    map[string]int
	created  int
}

type benchStatus struct {
	ID        string     `json:"id"`
	CreatedAt string     `json:"created_at"`
	URL       string     `json:"url"`
	URI       string     `json:"uri"`
	Content   string     `json:"content"`
	Reblog    *struct{}  `json:"reblog"`
	InReplyTo *string    `json:"in_reply_to_id"`
	Media     []struct{} `json:"media_attachments"`
}

// startBenchNetwork serves the fake network on 127.0.0.1. With tlsDir it serves HTTPS, HTTP/2
// included as real networks do, with a certificate made for the run and written to tlsDir
// (CertFile), which the workers are told to trust.
func startBenchNetwork(latency time.Duration, tlsDir string) (*benchNetwork, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n := &benchNetwork{URL: "http://" + ln.Addr().String(), latency: latency}
	var keyFile string
	if tlsDir != "" {
		if n.CertFile, keyFile, err = benchCertificate(tlsDir); err != nil {
			ln.Close()
			return nil, err
		}
		n.URL = "https://" + ln.Addr().String()
	}
	n.Reset()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/statuses", n.createStatus)
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", func(w http.ResponseWriter, r *http.Request) {
		benchJSON(w, http.StatusOK, map[string]string{"id": bearerToken(r), "username": "bench", "acct": "bench"})
	})
	mux.HandleFunc("GET /api/v1/accounts/{id}/statuses", n.accountStatuses)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		benchJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
	})
	n.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if tlsDir != "" {
		// Real networks allow hundreds of concurrent streams per HTTP/2 connection.
		n.srv.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: 1000}
		go func() { _ = n.srv.ServeTLS(ln, n.CertFile, keyFile) }()
		return n, nil
	}
	go func() { _ = n.srv.Serve(ln) }()
	return n, nil
}

// benchCertificate makes a self-signed certificate for 127.0.0.1 and writes it and its key to
// dir, returning their paths.
func benchCertificate(dir string) (certFile, keyFile string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "herald bench network"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	certFile, keyFile = filepath.Join(dir, "network.pem"), filepath.Join(dir, "network.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return "", "", err
	}
	return certFile, keyFile, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600)
}

// Close stops the network.
func (n *benchNetwork) Close() { _ = n.srv.Close() }

// Reset forgets every status.
func (n *benchNetwork) Reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.statuses, n.byKey, n.created = map[string][]benchStatus{}, map[string]int{}, 0
}

// Created returns how many statuses were created and how many idempotency keys created more than one.
func (n *benchNetwork) Created() (created, duplicateKeys int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.byKey {
		if c > 1 {
			duplicateKeys++
		}
	}
	return n.created, duplicateKeys
}

func bearerToken(r *http.Request) string {
	return strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
}

func benchJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (n *benchNetwork) createStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(b, &body) != nil || strings.TrimSpace(body.Status) == "" {
		benchJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Validation failed: Text can't be blank"})
		return
	}
	token := bearerToken(r)
	if token == "" {
		benchJSON(w, http.StatusUnauthorized, map[string]string{"error": "The access token is invalid"})
		return
	}
	if n.latency > 0 {
		t := time.NewTimer(n.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client gave up before the status was created
		}
	}
	now := time.Now().UTC()
	n.mu.Lock()
	n.seq++
	id := strconv.FormatInt(now.UnixMilli()<<16|(n.seq&0xffff), 10)
	st := benchStatus{ID: id, CreatedAt: now.Format("2006-01-02T15:04:05.000Z"), URL: n.URL + "/@bench/" + id,
		URI: n.URL + "/users/bench/statuses/" + id, Content: "<p>" + html.EscapeString(body.Status) + "</p>", Media: []struct{}{}}
	n.statuses[token] = append(n.statuses[token], st)
	n.created++
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		n.byKey[key]++
	}
	n.mu.Unlock()
	benchJSON(w, http.StatusOK, st)
}

// accountStatuses serves the token's statuses newest first, with limit (40 at most) and max_id.
func (n *benchNetwork) accountStatuses(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 40 {
		limit = 20
	}
	maxID, _ := strconv.ParseInt(r.URL.Query().Get("max_id"), 10, 64)
	n.mu.Lock()
	all := n.statuses[bearerToken(r)]
	out := []benchStatus{}
	for i := len(all) - 1; i >= 0 && len(out) < limit; i-- {
		id, _ := strconv.ParseInt(all[i].ID, 10, 64)
		if maxID == 0 || id < maxID {
			out = append(out, all[i])
		}
	}
	n.mu.Unlock()
	benchJSON(w, http.StatusOK, out)
}
