package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

// The exactly-once scenario: onceTargets targets (oncePosts posts to oncePerPost channels each) due
// at the same instant, published by onceWorkers `herald worker` processes sharing one MySQL.
// Every channel is an account on a Mastodon instance of its own, so that each account holds few
// enough statuses (50) for FindPublished to read its whole history and give a definite answer
// when a worker dies mid-publish.
const (
	onceTargets  = 5000
	onceChannels = 100
	oncePerPost  = 5
	oncePosts    = onceTargets / oncePerPost
	onceWorkers  = 3
	// onceKills is how many times the chaos run kills a worker while targets are still waiting.
	onceKills = 5
)

// TestExactlyOnceAcrossWorkers runs three worker processes on MySQL against fake Mastodon
// instances that count statuses per Idempotency-Key: every target must be published exactly once.
// Then it does the same while killing workers with SIGKILL mid-publish, against instances that
// ignore the Idempotency-Key and answer slowly: no target may be published twice, and each must
// end published, or unconfirmed with a reason.
func TestExactlyOnceAcrossWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds herald and runs worker processes; skipped with -short")
	}
	if storetest.MySQLDSN() == "" && !storetest.MySQLRequired() {
		t.Skip("TEST_MYSQL_DSN not set")
	}
	bin := buildHerald(t)

	t.Run("three workers", func(t *testing.T) {
		w := newOnceWorld(t, bin, func(*mastodontest.Server, int) {})
		if err := w.pool.StartN(context.Background(), w.st, onceWorkers); err != nil {
			t.Fatal(err)
		}
		w.waitFinal(2*time.Minute, nil)
		w.checkExactlyOnce()
	})

	t.Run("workers killed mid-publish", func(t *testing.T) {
		w := newOnceWorld(t, bin, func(f *mastodontest.Server, i int) {
			// The worst case: a server that ignores the key, so only Herald's own care prevents a
			// duplicate, and slow enough answers that kills land on publishes in flight.
			f.SetHonourIdempotency(false)
			f.SetLatency(100*time.Millisecond + time.Duration(i*37%101)*time.Millisecond)
		})
		if err := w.pool.StartN(context.Background(), w.st, onceWorkers); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
		kills := 0
		var next time.Time
		w.waitFinal(3*time.Minute, func(counts map[string]int) {
			if kills >= onceKills || time.Now().Before(next) || counts[store.TargetPublished] < 250 || counts[store.TargetPending]+counts[store.TargetPublishing] < 1000 {
				return
			}
			w.killOne(rng.IntN(onceWorkers))
			kills++
			next = time.Now().Add(time.Second + time.Duration(rng.Int64N(int64(time.Second))))
		})
		if kills < 3 {
			t.Fatalf("only %d worker(s) were killed while targets were waiting: the run did not test crashes", kills)
		}
		w.checkNoneDuplicatedNoneLost(kills)
	})
}

// TestBenchSchedulerMySQL runs `herald bench scheduler` small, to check that it works and reports
// every figure; BENCHMARKS.md records the full-size run.
func TestBenchSchedulerMySQL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds herald and runs worker processes; skipped with -short")
	}
	dsn := storetest.MySQLDSN()
	if dsn == "" {
		if storetest.MySQLRequired() {
			t.Fatal("HERALD_REQUIRE_MYSQL is set but TEST_MYSQL_DSN is empty")
		}
		t.Skip("TEST_MYSQL_DSN not set")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("TEST_MYSQL_DSN: %v", err)
	}
	cfg.DBName = fmt.Sprintf("%s_sched_%d", store.BenchDatabasePrefix, time.Now().UnixNano())
	url := cfg.FormatDSN()
	loc, err := store.ParseURL(url, "")
	if err != nil {
		t.Fatal(err)
	}
	// The command drops its database itself; this covers a run that failed half-way.
	t.Cleanup(func() { _ = store.DropBenchDatabase(context.Background(), loc) })
	args := []string{"bench", "scheduler", "--database-url", url, "--worker-binary", buildHerald(t),
		"--burst", "300", "--workers", "1,2", "--channels", "50", "--spread", "3000", "--claims", "5", "--run-for", "3s", "--latency", "20ms"}
	var out, errs bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(""), &out, &errs); code != 0 {
		t.Fatalf("herald %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out.String(), errs.String())
	}
	s := out.String()
	if !strings.Contains(s, "database: MariaDB") && !strings.Contains(s, "database: MySQL") {
		t.Errorf("output does not name the database:\n%s", s)
	}
	for _, want := range []string{"300/300", "query (SELECT … FOR UPDATE SKIP LOCKED), nothing due", "whole claim (store.ClaimDue: lock, begin posts, load), 100 due", "one worker for 3s",
		"burst, 1 worker(s): p99 lateness", "burst, 2 worker(s): p99 lateness", "spread, 3000 targets: worker RSS", "spread, 3000 targets: claim query p99"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

// buildHerald builds this command for the test's worker processes.
func buildHerald(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "herald")
	start := time.Now()
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built herald in %s", time.Since(start).Round(100*time.Millisecond))
	return bin
}

// onceWorld is one run: a fresh MySQL database seeded through the workflow, one fake instance per
// channel, and a worker pool on that database.
type onceWorld struct {
	t     *testing.T
	st    *store.Store
	db    *sql.DB
	world *benchWorld
	fakes map[int64]*mastodontest.Server // by channel id
	pool  *workerPool
	due   time.Time
}

// newOnceWorld seeds a fresh database and prepares (without starting) the workers. setup
// configures the i-th fake instance.
func newOnceWorld(t *testing.T, bin string, setup func(f *mastodontest.Server, i int)) *onceWorld {
	t.Helper()
	ctx := context.Background()
	loc := storetest.Fresh(t, store.MySQL)
	// The seeding store's clock stands still, so every post can be scheduled for the same instant
	// just after it however long seeding takes: by the time the workers start, all are due.
	frozen := time.Now().UTC().Truncate(time.Second)
	st, err := store.Open(ctx, loc, store.Options{Now: func() time.Time { return frozen }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	db, err := st.SQL()
	if err != nil {
		t.Fatal(err)
	}
	keySpec, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.ParseKeyring(keySpec)
	if err != nil {
		t.Fatal(err)
	}

	fakes := make([]*mastodontest.Server, onceChannels)
	for i := range fakes {
		f := mastodontest.NewServer(t)
		// Mastodon allows 300 requests per 5 minutes per token; each account here posts 50 times
		// in a few seconds, plus reconciliation reads. The limit is not under test.
		f.SetRateLimit(1<<30, time.Hour)
		setup(f, i)
		fakes[i] = f
	}
	world, err := newBenchWorld(ctx, st, keys, onceChannels, func(i int) publishers.Credentials {
		return publishers.Credentials{AccessToken: fakes[i].NewToken(""),
			Extra: map[string]string{"instance": fakes[i].URL, "account_id": fakes[i].AccountID()}}
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &onceWorld{t: t, st: st, db: db, world: world, fakes: map[int64]*mastodontest.Server{}, due: frozen.Add(time.Second)}
	for i, id := range world.channelIDs {
		w.fakes[id] = fakes[i]
	}

	start := time.Now()
	w.seed(ctx)
	t.Logf("seeded %d posts × %d channels through the workflow in %s, all due at %s",
		oncePosts, oncePerPost, time.Since(start).Round(100*time.Millisecond), w.due.Format(time.TimeOnly))

	dir := t.TempDir()
	// The workers publish a few dozen posts at a time, as on a modest installation: enough to
	// overlap, and slow enough that the crashes below land while thousands of targets wait
	// (at the default of 256 at a time they are all claimed within seconds).
	env := append(workerEnv(loc.DSN, keySpec, dir), "HERALD_CONCURRENCY=32", "HERALD_PER_NETWORK=16")
	w.pool = newWorkerPool(bin, env, dir)
	// Registered after the fakes and the database, so it runs before they go away.
	t.Cleanup(func() {
		if err := w.pool.Stop(40 * time.Second); err != nil {
			t.Errorf("stopping the workers: %v", err)
		}
		if t.Failed() {
			t.Logf("worker logs:\n%s", w.pool.Logs(15))
		} else if errs := w.pool.Grep("level=ERROR"); len(errs) > 0 {
			// Not failures of this test (its checks passed) but worth a look.
			t.Logf("%d error(s) in the worker logs, the first:\n%s", len(errs), strings.Join(errs[:min(len(errs), 10)], "\n"))
		}
	})
	return w
}

// seed writes the posts as people do: created, submitted (approved at once under a policy that
// needs no approval) and scheduled, each through the store's workflow, several at a time.
func (w *onceWorld) seed(ctx context.Context) {
	owner := store.Actor{UserID: w.world.ownerID, Label: "Owner"}
	pol := workflow.Policy{RequiredApprovals: 0}
	errs := make(chan error, oncePosts)
	var wg sync.WaitGroup
	const parallel = 6
	for g := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := g; p < oncePosts; p += parallel {
				in := store.PostInput{Title: fmt.Sprintf("Post %d", p+1),
					// Unique text: FindPublished recognises a post by what it says.
					Body: fmt.Sprintf("Exactly-once post %d of %d: one status per channel, never two.", p+1, oncePosts)}
				for j := range oncePerPost {
					in.Targets = append(in.Targets, store.TargetInput{ChannelID: w.world.channelIDs[(p*oncePerPost+j)%onceChannels]})
				}
				post, err := w.st.CreatePost(ctx, w.world.workspaceID, owner, in, nil, "UTC")
				if err == nil {
					_, _, err = w.st.ApplyPostAction(ctx, w.world.workspaceID, post.ID, store.PostAction{
						Action: workflow.Submit, Actor: owner, Role: workflow.Owner, Policy: pol})
				}
				if err == nil {
					_, _, err = w.st.ApplyPostAction(ctx, w.world.workspaceID, post.ID, store.PostAction{
						Action: workflow.Schedule, Actor: owner, Role: workflow.Owner, Policy: pol, ScheduledAt: &w.due, TimeZone: "UTC"})
				}
				if err != nil {
					errs <- fmt.Errorf("post %d: %w", p+1, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		w.t.Fatal(err)
	}
	counts, err := w.st.BenchTargetCounts(ctx, w.world.workspaceID)
	if err != nil {
		w.t.Fatal(err)
	}
	var due int
	if err := w.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM targets WHERE workspace_id = ? AND status = ? AND due_at = ?",
		w.world.workspaceID, store.TargetPending, w.due).Scan(&due); err != nil {
		w.t.Fatal(err)
	}
	if counts[store.TargetPending] != onceTargets || due != onceTargets {
		w.t.Fatalf("seeded %v, %d due at %s; want %d pending targets all due then", counts, due, w.due, onceTargets)
	}
}

// waitFinal polls until no target is pending or publishing, calling tick (when not nil) with the
// counts by status every 100 ms.
func (w *onceWorld) waitFinal(timeout time.Duration, tick func(counts map[string]int)) {
	w.t.Helper()
	ctx := context.Background()
	start := time.Now()
	deadline := start.Add(timeout)
	report := start.Add(10 * time.Second)
	for {
		counts, err := w.st.BenchTargetCounts(ctx, w.world.workspaceID)
		if err != nil {
			w.t.Fatal(err)
		}
		if time.Now().After(report) {
			w.t.Logf("after %s: %v", time.Since(start).Round(time.Second), counts)
			report = report.Add(10 * time.Second)
		}
		if counts[store.TargetPending]+counts[store.TargetPublishing]+counts[store.TargetHeld] == 0 {
			w.t.Logf("every target final after %s: %v", time.Since(start).Round(100*time.Millisecond), counts)
			return
		}
		if err := w.pool.Alive(); err != nil {
			w.t.Fatal(err)
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("targets still waiting after %s: %v", timeout, counts)
		}
		if tick != nil {
			tick(counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// killOne kills the worker in slot with SIGKILL, lets its leases expire, and starts a new worker
// in its place.
//
// The leases are expired by hand: the scheduler's lease is two minutes and `herald worker` has no
// setting to shorten it, so waiting for it would make the test several minutes long. The worker is
// dead, so the only change is the time reconciliation starts; what it then does is the
// scheduler's own (reconcileExpired, FindPublished, retry or unconfirmed).
func (w *onceWorld) killOne(slot int) {
	w.t.Helper()
	ctx := context.Background()
	pid, err := w.pool.Kill(slot)
	if err != nil {
		w.t.Fatal(err)
	}
	workers, err := w.st.Workers(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		w.t.Fatal(err)
	}
	id := ""
	var seen time.Time
	for _, wk := range workers {
		if wk.PID == pid && wk.StoppedAt == nil && wk.HeartbeatAt.After(seen) {
			id, seen = wk.ID, wk.HeartbeatAt
		}
	}
	expired := int64(0)
	if id != "" {
		expired = w.expireLeases(ctx, id)
	}
	newPID, err := w.pool.Start(slot)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Logf("killed worker %d (pid %d, %s) holding %d target(s); started pid %d", slot, pid, id, expired, newPID)
}

// expireLeases dates back the leases a dead worker held, so that reconciliation takes them over
// at its next run. The rows are read without locks and updated by id, so the update locks only
// them; a deadlock with the workers' transactions is retried, as MySQL asks.
func (w *onceWorld) expireLeases(ctx context.Context, workerID string) int64 {
	w.t.Helper()
	for attempt := 1; ; attempt++ {
		n, err := func() (int64, error) {
			// The worker's own leases, and those its reconciliation took over (under a name that
			// starts with the worker's id).
			rows, err := w.db.QueryContext(ctx, "SELECT id FROM targets WHERE workspace_id = ? AND status = ? AND (lease_owner = ? OR lease_owner LIKE ?)",
				w.world.workspaceID, store.TargetPublishing, workerID, workerID+"/%")
			if err != nil {
				return 0, err
			}
			var ids []any
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return 0, err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil || len(ids) == 0 {
				return 0, err
			}
			args := append([]any{time.Now().UTC().Add(-time.Minute).Truncate(time.Microsecond), store.TargetPublishing, workerID, workerID + "/%"}, ids...)
			res, err := w.db.ExecContext(ctx, "UPDATE targets SET lease_expires_at = ? WHERE status = ? AND (lease_owner = ? OR lease_owner LIKE ?) AND id IN (?"+
				strings.Repeat(",?", len(ids)-1)+")", args...)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		}()
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1213 && attempt < 5 {
			continue
		}
		if err != nil {
			w.t.Fatalf("expiring the leases of %s: %v", workerID, err)
		}
		return n
	}
}

// onceTarget is a target as the checks read it.
type onceTarget struct {
	id, postID, channelID int64
	key, status, external string
	lastError             string
	attempts              int
}

func (w *onceWorld) targets() []onceTarget {
	w.t.Helper()
	rows, err := w.db.Query(`SELECT id, post_id, channel_id, idempotency_key, status, external_id, COALESCE(last_error, ''), attempts
		FROM targets WHERE workspace_id = ? ORDER BY id`, w.world.workspaceID)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []onceTarget
	for rows.Next() {
		var t onceTarget
		if err := rows.Scan(&t.id, &t.postID, &t.channelID, &t.key, &t.status, &t.external, &t.lastError, &t.attempts); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	if len(out) != onceTargets {
		w.t.Fatalf("%d targets, want %d", len(out), onceTargets)
	}
	return out
}

// statusesByKey returns, per channel, the statuses its instance holds by Idempotency-Key, and
// how many statuses all instances hold.
func (w *onceWorld) statusesByKey() (map[int64]map[string][]mastodontest.Status, int) {
	out := map[int64]map[string][]mastodontest.Status{}
	total := 0
	for ch, f := range w.fakes {
		m := map[string][]mastodontest.Status{}
		for _, st := range f.Statuses() {
			m[st.IdempotencyKey] = append(m[st.IdempotencyKey], st)
			total++
		}
		out[ch] = m
	}
	return out, total
}

// postCounts counts the workspace's posts by status.
func (w *onceWorld) postCounts() map[string]int {
	w.t.Helper()
	rows, err := w.db.Query("SELECT status, COUNT(*) FROM posts WHERE workspace_id = ? GROUP BY status", w.world.workspaceID)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			w.t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

// checkExactlyOnce asserts that every target is published, as the one status its instance created
// with its key, and that every post is published.
func (w *onceWorld) checkExactlyOnce() {
	t := w.t
	byKey, total := w.statusesByKey()
	bad := 0
	for _, tg := range w.targets() {
		f, got := w.fakes[tg.channelID], byKey[tg.channelID][tg.key]
		n := f.CreatedWithKey(tg.key)
		switch {
		case tg.status != store.TargetPublished:
			t.Errorf("target %d is %s (%s), want published", tg.id, tg.status, tg.lastError)
		case n != 1 || len(got) != 1:
			t.Errorf("target %d (key %s): the instance created %d statuses with its key, want exactly 1", tg.id, tg.key, n)
		case got[0].ID != tg.external:
			t.Errorf("target %d records status %q, but the instance created %q with its key", tg.id, tg.external, got[0].ID)
		default:
			continue
		}
		if bad++; bad >= 20 {
			t.Fatal("too many failures")
		}
	}
	if total != onceTargets {
		t.Errorf("the instances hold %d statuses, want %d", total, onceTargets)
	}
	if pc := w.postCounts(); pc[string(workflow.Published)] != oncePosts {
		t.Errorf("posts by status %v, want all %d published", pc, oncePosts)
	}
}

// checkNoneDuplicatedNoneLost asserts that no key created more than one status, that every
// published target is the one status of its key, and that every other target is unconfirmed with
// a reason; and that every post has settled.
func (w *onceWorld) checkNoneDuplicatedNoneLost(kills int) {
	t := w.t
	byKey, total := w.statusesByKey()
	counts := map[string]int{}
	retried, unconfirmedButPosted := 0, 0
	bad := 0
	for _, tg := range w.targets() {
		counts[tg.status]++
		if tg.attempts > 1 {
			retried++
		}
		got := byKey[tg.channelID][tg.key]
		n := w.fakes[tg.channelID].CreatedWithKey(tg.key)
		switch {
		case n > 1 || len(got) > 1:
			t.Errorf("target %d (key %s) was published %d times", tg.id, tg.key, n)
		case tg.status == store.TargetPublished && (n != 1 || len(got) != 1):
			t.Errorf("target %d is published but its instance holds %d statuses with its key", tg.id, n)
		case tg.status == store.TargetPublished && got[0].ID != tg.external:
			t.Errorf("target %d records status %q, but the instance created %q with its key", tg.id, tg.external, got[0].ID)
		case tg.status == store.TargetPublished:
			continue
		case tg.status == store.TargetUnconfirmed && tg.lastError == "":
			t.Errorf("target %d is unconfirmed without a reason", tg.id)
		case tg.status == store.TargetUnconfirmed:
			unconfirmedButPosted += n
			continue
		default:
			t.Errorf("target %d ended %s (%s), want published or unconfirmed", tg.id, tg.status, tg.lastError)
		}
		if bad++; bad >= 20 {
			t.Fatal("too many failures")
		}
	}
	pc := w.postCounts()
	for _, s := range []workflow.Status{workflow.Scheduled, workflow.Publishing} {
		if pc[string(s)] > 0 {
			t.Errorf("posts by status %v: %d still %s", pc, pc[string(s)], s)
		}
	}
	t.Logf("%d kills: targets %v (%d attempted more than once; %d unconfirmed ones did reach the network); %d statuses; posts %v",
		kills, counts, retried, unconfirmedButPosted, total, pc)
}
