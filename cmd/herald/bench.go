package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald/server/store"
)

const benchUsage = `Usage: herald bench calendar [flags]

Measures the calendar query (store.Calendar) for one calendar month in a workspace holding
--posts posts with --targets targets each, as recorded in BENCHMARKS.md. It creates a fresh
database, migrates it, seeds it, runs --queries queries for random months of the seeded span, and
prints p50/p95/p99/max for the query alone and for the query plus JSON encoding of its result,
unfiltered and filtered by status, by label and by channel. The exit code is 1 when a store-query
p95 exceeds --max-p95, so the command can serve as a check.

The database:
  (no --database-url)  a new SQLite file in a temporary directory, deleted afterwards
  --database-url mysql://root@127.0.0.1:3306/herald_bench  (or root@tcp(127.0.0.1:3306)/herald_bench)
                       the MySQL database is DROPPED AND RECREATED, so its name must start with
                       "herald_bench"; it is dropped again afterwards unless --keep
  --database-url sqlite:///path/bench.db  the file must not exist yet; it is kept

HERALD_DATABASE_URL is deliberately ignored: a benchmark never touches the configured database.

Flags:
`

// benchConfig holds the flags of `herald bench calendar`.
type benchConfig struct {
	DatabaseURL string
	Posts       int
	Targets     int
	Queries     int
	Warmup      int
	Months      int
	Seed        uint64
	Keep        bool
	MaxP95      time.Duration
}

// cmdBench runs the reproducible benchmarks recorded in BENCHMARKS.md.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "scheduler" {
		return cmdBenchScheduler(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "calendar" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, benchUsage)
			return nil
		}
		return errors.New("usage: herald bench calendar|scheduler [flags] (see herald bench calendar -h, herald bench scheduler -h)")
	}
	fs := flag.NewFlagSet("bench calendar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c benchConfig
	fs.StringVar(&c.DatabaseURL, "database-url", "", "database to benchmark (default: a temporary SQLite file); a MySQL database must be named herald_bench…")
	fs.IntVar(&c.Posts, "posts", 100_000, "posts in the measured workspace")
	fs.IntVar(&c.Targets, "targets", 3, "targets (channels) per post")
	fs.IntVar(&c.Queries, "queries", 200, "measured queries per variant")
	fs.IntVar(&c.Warmup, "warmup", 20, "unmeasured rounds (one query of each variant) before measuring")
	fs.IntVar(&c.Months, "months", 24, "months the posts are spread over, centred on now")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the generated data and of the months queried")
	fs.BoolVar(&c.Keep, "keep", false, "keep the database afterwards (to EXPLAIN or rerun queries)")
	fs.DurationVar(&c.MaxP95, "max-p95", 20*time.Millisecond, "fail when a store-query p95 exceeds this")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), benchUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.Posts <= 0 || c.Targets <= 0 || c.Queries <= 0 || c.Months <= 0 || c.Warmup < 0 {
		return errors.New("--posts, --targets, --queries and --months must be positive")
	}
	return benchCalendar(ctx, c, stdout)
}

// benchDatabase prepares an empty database for the benchmark and says how to clean it up.
func benchDatabase(ctx context.Context, c benchConfig, out io.Writer) (store.Location, func(), error) {
	if c.DatabaseURL == "" {
		dir, err := os.MkdirTemp("", "herald-bench-")
		if err != nil {
			return store.Location{}, nil, err
		}
		loc, err := store.ParseURL("sqlite://"+filepath.Join(dir, "bench.db"), "")
		if err != nil {
			return loc, nil, err
		}
		cleanup := func() { _ = os.RemoveAll(dir) }
		if c.Keep {
			cleanup = func() { fmt.Fprintf(out, "kept %s\n", loc.Path) }
		}
		return loc, cleanup, nil
	}
	loc, err := store.ParseURL(c.DatabaseURL, "")
	if err != nil {
		return loc, nil, err
	}
	switch loc.Dialect {
	case store.SQLite:
		if _, err := os.Stat(loc.Path); !errors.Is(err, os.ErrNotExist) {
			return loc, nil, fmt.Errorf("%s already exists: the benchmark needs a new SQLite file", loc.Path)
		}
		return loc, func() { fmt.Fprintf(out, "kept %s\n", loc.Path) }, nil
	case store.MySQL:
		if err := store.RecreateBenchDatabase(ctx, loc); err != nil {
			return loc, nil, err
		}
		cleanup := func() {
			if err := store.DropBenchDatabase(context.Background(), loc); err != nil {
				fmt.Fprintf(out, "could not drop %s: %v\n", loc.Redacted(), err)
			}
		}
		if c.Keep {
			cleanup = func() { fmt.Fprintf(out, "kept %s\n", loc.Redacted()) }
		}
		return loc, cleanup, nil
	}
	return loc, nil, fmt.Errorf("unsupported dialect %s", loc.Dialect)
}

// benchVariant is one kind of calendar query, measured separately.
type benchVariant struct {
	name string
	// query fills in the filters; months are the months it may ask for.
	query  func(rng *rand.Rand, q *store.CalendarQuery)
	months []time.Time
}

// benchSample is one measured query.
type benchSample struct {
	query, withJSON time.Duration
	posts           int
	jsonBytes       int
	truncated       bool
}

func benchCalendar(ctx context.Context, c benchConfig, out io.Writer) error {
	loc, cleanup, err := benchDatabase(ctx, c, out)
	if err != nil {
		return err
	}
	defer cleanup()
	st, err := store.Open(ctx, loc, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, nil); err != nil {
		return err
	}
	version, err := st.ServerVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "herald bench calendar")
	fmt.Fprintf(out, "machine:  %s/%s, %d CPUs, %s%s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), loadAverage())
	fmt.Fprintf(out, "database: %s (%s)\n", version, loc.Redacted())

	now := time.Now().UTC()
	noise := c.Posts / 10
	fmt.Fprintf(out, "seeding:  %d posts × %d targets over %d months, plus a noise workspace of %d posts\n",
		c.Posts, c.Targets, c.Months, noise)
	began := time.Now()
	nextPct := 10
	seeded, err := st.BulkSeedCalendar(ctx, store.BulkSpec{
		Posts: c.Posts, TargetsPerPost: c.Targets, Months: c.Months, NoisePercent: 10, Now: now, Seed: c.Seed,
	}, func(done, total int) {
		if pct := done * 100 / total; pct >= nextPct {
			fmt.Fprintf(out, "  %3d%%  %d/%d posts  %s\n", pct, done, total, time.Since(began).Round(100*time.Millisecond))
			nextPct = pct/10*10 + 10
		}
	})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(out, "seeded:   workspace %d: %d posts, %d targets, %d labels in %s\n",
		seeded.WorkspaceID, seeded.Posts, seeded.Targets, seeded.PostLabels, time.Since(began).Round(100*time.Millisecond))

	var all, future []time.Time
	for m := seeded.From; m.Before(seeded.To); m = m.AddDate(0, 1, 0) {
		all = append(all, m)
		// Scheduled posts exist only in the future, so the status filter asks for months that have
		// some; a month with none would be a trivially fast query that flatters the figure.
		if !m.AddDate(0, 1, 0).Before(now) {
			future = append(future, m)
		}
	}
	if len(future) == 0 {
		future = all
	}
	variants := []benchVariant{
		{name: "calendar month", months: all, query: func(*rand.Rand, *store.CalendarQuery) {}},
		{name: "status=scheduled", months: future, query: func(_ *rand.Rand, q *store.CalendarQuery) { q.Statuses = []string{"scheduled"} }},
		{name: "one label", months: all, query: func(r *rand.Rand, q *store.CalendarQuery) {
			q.Labels = []string{seeded.Labels[r.IntN(len(seeded.Labels))]}
		}},
		{name: "one channel", months: all, query: func(r *rand.Rand, q *store.CalendarQuery) {
			q.ChannelIDs = []int64{seeded.ChannelIDs[r.IntN(len(seeded.ChannelIDs))]}
		}},
	}
	fmt.Fprintf(out, "queries:  %d per variant after %d warm-up rounds, variants taking turns, each for one whole calendar month in UTC (1st 00:00 to next 1st), chosen at random among the %d seeded (%s to %s)\n",
		c.Queries, c.Warmup, len(all), seeded.From.Format("2006-01"), seeded.To.AddDate(0, -1, 0).Format("2006-01"))
	fmt.Fprintln(out, "          times are wall time in this process: the store call (SQL and scanning into structs), then the same plus json.Marshal of the posts")

	rng := rand.New(rand.NewPCG(c.Seed, 2))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "variant\tmeasure\tposts/query\tJSON KiB\ttruncated\tp50\tp95\tp99\tmax\t")
	// The variants take turns, one query each per round, so a burst of other work on the machine
	// lands on all of them alike instead of on whichever variant happened to be running.
	samples := make([][]benchSample, len(variants))
	for i := range c.Warmup + c.Queries {
		for vi, v := range variants {
			m := v.months[rng.IntN(len(v.months))]
			q := store.CalendarQuery{WorkspaceID: seeded.WorkspaceID, From: m, To: m.AddDate(0, 1, 0)}
			v.query(rng, &q)
			s, err := benchOne(ctx, st, q)
			if err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			if i >= c.Warmup {
				samples[vi] = append(samples[vi], s)
			}
		}
	}
	var over, summary []string
	for vi, v := range variants {
		posts, bytes, truncated := 0, 0, 0
		var qd, jd []time.Duration
		for _, s := range samples[vi] {
			posts += s.posts
			bytes += s.jsonBytes
			if s.truncated {
				truncated++
			}
			qd, jd = append(qd, s.query), append(jd, s.withJSON)
		}
		n := float64(len(samples[vi]))
		avg, kb := float64(posts)/n, float64(bytes)/n/1024
		qs, js := summarize(qd), summarize(jd)
		fmt.Fprintf(tw, "%s\tstore\t%.0f\t%.0f\t%d\t%s\t%s\t%s\t%s\t\n", v.name, avg, kb, truncated, ms(qs.p50), ms(qs.p95), ms(qs.p99), ms(qs.max))
		fmt.Fprintf(tw, "%s\tstore+JSON\t%.0f\t%.0f\t%d\t%s\t%s\t%s\t%s\t\n", v.name, avg, kb, truncated, ms(js.p50), ms(js.p95), ms(js.p99), ms(js.max))
		if qs.p95 > c.MaxP95 {
			over = append(over, fmt.Sprintf("%s p95 %s", v.name, ms(qs.p95)))
		}
		summary = append(summary, fmt.Sprintf("p95 %-17s store %9s   store+JSON %9s", v.name+":", ms(qs.p95), ms(js.p95)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if la := loadAverage(); la != "" {
		fmt.Fprintf(out, "after the queries: %s\n", strings.TrimPrefix(la, ", "))
	}
	for _, line := range summary {
		fmt.Fprintln(out, line)
	}
	if len(over) > 0 {
		return fmt.Errorf("calendar query over the %s p95 target: %s", ms(c.MaxP95), strings.Join(over, "; "))
	}
	fmt.Fprintf(out, "ok: every store-query p95 is within the %s target\n", ms(c.MaxP95))
	return nil
}

// benchOne runs one calendar query, timing the store call alone and with the JSON encoding the API
// does after it.
func benchOne(ctx context.Context, st *store.Store, q store.CalendarQuery) (benchSample, error) {
	start := time.Now()
	posts, truncated, err := st.Calendar(ctx, q)
	if err != nil {
		return benchSample{}, err
	}
	queried := time.Since(start)
	b, err := json.Marshal(posts)
	if err != nil {
		return benchSample{}, err
	}
	encoded := time.Since(start)
	return benchSample{query: queried, withJSON: encoded, posts: len(posts), jsonBytes: len(b), truncated: truncated}, nil
}

type percentiles struct{ p50, p95, p99, max time.Duration }

// summarize returns nearest-rank percentiles.
func summarize(d []time.Duration) percentiles {
	s := slices.Clone(d)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return percentiles{p50: rank(0.50), p95: rank(0.95), p99: rank(0.99), max: s[len(s)-1]}
}

// ms formats a duration in milliseconds with two decimals, so columns compare at a glance.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// loadAverage reports the Linux load average, because other work on the machine inflates wall
// times: figures taken with a load above the CPU count are not comparable with quiet ones.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return fmt.Sprintf(", load average %s %s %s", f[0], f[1], f[2])
}
