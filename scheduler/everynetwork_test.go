package scheduler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/bluesky"
	"github.com/heraldhq/herald/publishers/bluesky/blueskytest"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/discord"
	"github.com/heraldhq/herald/publishers/discord/discordtest"
	"github.com/heraldhq/herald/publishers/egress"
	"github.com/heraldhq/herald/publishers/facebook"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/publishers/mastodon"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/slack"
	"github.com/heraldhq/herald/publishers/slack/slacktest"
	"github.com/heraldhq/herald/publishers/telegram"
	"github.com/heraldhq/herald/publishers/telegram/telegramtest"
	"github.com/heraldhq/herald/publishers/threads"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
	"github.com/heraldhq/herald/publishers/x"
	"github.com/heraldhq/herald/publishers/x/xtest"
	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

// This file runs the real scheduler (claims, leases, publishing goroutines, the batching
// finisher) on a real store against every network's spec-faithful fake, through each network's
// real publisher: BenchmarkPublishEveryNetwork measures it, TestPublishEveryNetwork keeps every
// network's publish path in the suite. BENCHMARKS.md ("Every network's publish path") says how to
// run it and what it measured.

var (
	netbenchLatency = flag.Duration("netbench.latency", 100*time.Millisecond,
		"BenchmarkPublishEveryNetwork: answer time of the fakes that can delay their answers (Mastodon, X and Threads delay every API call by it)")
	netbenchPerChannel = flag.Int("netbench.per-channel", 5,
		"BenchmarkPublishEveryNetwork: posts per channel; a run has as many workspaces, each with one channel per network, as its posts need")
	netbenchConcurrency = flag.Int("netbench.concurrency", 0,
		"BenchmarkPublishEveryNetwork: the scheduler's Concurrency, as HERALD_CONCURRENCY sets it (0: its default, 64)")
	netbenchPerNetwork = flag.Int("netbench.per-network", 0,
		"BenchmarkPublishEveryNetwork: the scheduler's PerNetwork, as HERALD_PER_NETWORK sets it (0: its default, 32)")
)

// BenchmarkPublishEveryNetwork publishes b.N posts due at one instant through the scheduler, one
// sub-benchmark per network (each post has one target) and one, "all", where each post goes to
// every network at once (eleven targets a post). Every run is on a fresh database (SQLite, and
// MySQL when TEST_MYSQL_DSN is set) with fresh fakes. Posts are spread over workspaces of one
// channel per network, -netbench.per-channel posts to a channel.
//
// Reported, besides ns/op (the wall time below divided by b.N): targets; wall-s, from the due
// instant to the last outcome recorded (the latest updated_at of the targets); publishes/s,
// targets over wall-s; p50-late-ms and p99-late-ms, the targets' published_at minus the due
// instant. Every target must end published, and each fake's own count of the posts created with a
// target's text must be exactly one: anything else fails the benchmark. Run it with a fixed size:
//
//	go test ./scheduler -run '^$' -bench PublishEveryNetwork -benchtime 200x
func BenchmarkPublishEveryNetwork(b *testing.B) {
	opt := runOptions{perChannel: *netbenchPerChannel, latency: *netbenchLatency,
		concurrency: *netbenchConcurrency, perNetwork: *netbenchPerNetwork}
	if opt.perChannel < 1 {
		b.Fatal("-netbench.per-channel must be at least 1")
	}
	var all []string
	for _, n := range everyNetwork {
		all = append(all, n.name)
	}
	for _, label := range append(slices.Clone(all), "all") {
		set := []string{label}
		if label == "all" {
			set = all
		}
		b.Run(label, func(b *testing.B) {
			for _, d := range storetest.Dialects() {
				b.Run(string(d), func(b *testing.B) {
					b.StopTimer()
					o := opt
					o.onDue, o.onDone = b.StartTimer, b.StopTimer
					res := runEveryNetwork(b, d, set, b.N, o)
					b.ReportMetric(res.wall.Seconds()*1e9/float64(b.N), "ns/op")
					b.ReportMetric(float64(res.targets), "targets")
					b.ReportMetric(res.wall.Seconds(), "wall-s")
					b.ReportMetric(float64(res.targets)/res.wall.Seconds(), "publishes/s")
					b.ReportMetric(msOf(percentile(res.late, 50)), "p50-late-ms")
					b.ReportMetric(msOf(percentile(res.late, 99)), "p99-late-ms")
					b.Log(strings.Join(set, "+") + ", " + res.summary())
				})
			}
		})
	}
}

// TestPublishEveryNetwork publishes a few posts to every network at once, through the scheduler
// and each network's publisher and fake, and checks that every target was published exactly once
// (by the fake's own count) and on time. It takes a few seconds: the posts are due two seconds
// after the scheduler starts.
func TestPublishEveryNetwork(t *testing.T) {
	var names []string
	for _, n := range everyNetwork {
		names = append(names, n.name)
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			// Four posts, two channels (workspaces) per network: each channel publishes two, one of
			// them with an image (Instagram: both), and Slack goes out once by bot, once by webhook.
			res := runEveryNetwork(t, d, names, 4, runOptions{perChannel: 2, latency: 20 * time.Millisecond})
			if res.targets != 4*len(names) {
				t.Errorf("%d targets, want %d", res.targets, 4*len(names))
			}
			// Lateness on a loaded machine is not this test's business (the benchmark measures
			// it); a post many seconds late means the dispatcher did not start at the due time.
			bound := 10 * time.Second
			for _, n := range names {
				if late := percentile(res.byNetwork[n], 100); late > bound {
					t.Errorf("%s: a target published %s after its due time", n, late)
				}
			}
			t.Log(res.table())
		})
	}
}

// The checks of a run can fail: a post the network refused and a post created twice are both
// reported, by the same code that checks the benchmark's and the test's runs.
func TestPublishEveryNetworkSeesRefusalsAndDuplicates(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runEveryNetwork(rec, store.SQLite, []string{mastodon.Name, sandbox.Name}, 2, runOptions{perChannel: 2,
			setup: func(p map[string]publishers.Publisher) {
				p[sandbox.Name].(*sandbox.Network).SetFailure(sandbox.Reject, 1)
			},
			meddle: func(again func(string, int)) { again(mastodon.Name, 1) },
		})
	}()
	<-done
	got := strings.Join(rec.errors(), "\n")
	for _, want := range []string{"sandbox: target", "is failed after 1 attempt(s)", "1 of 4 targets were not published",
		`mastodon created 2 posts with the text "Bench post 2 `} {
		if !strings.Contains(got, want) {
			t.Errorf("the run's errors do not say %q:\n%s", want, got)
		}
	}
	if n := len(rec.errors()); n != 3 {
		t.Errorf("%d errors, want the 3 above:\n%s", n, got)
	}
}

// recordingTB records a run's failures instead of failing the test; a fatal one ends the run's
// goroutine, as testing does.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recordingTB) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *recordingTB) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

// runOptions shape one run.
type runOptions struct {
	perChannel int
	latency    time.Duration
	// concurrency and perNetwork are the scheduler's options (0: its defaults).
	concurrency, perNetwork int
	// onDue and onDone, when set, are called at the due instant and once every outcome is
	// recorded (a benchmark's StartTimer and StopTimer).
	onDue, onDone func()
	// setup, when set, is called with the publishers once the channels are connected; meddle,
	// once the burst is over, with a function that publishes post i's text again on a network
	// (through its publisher, with the channel's credentials, under a key of its own): both for
	// the test that proves the checks see a refused post and a duplicate.
	setup  func(map[string]publishers.Publisher)
	meddle func(again func(network string, post int))
}

// runResult is what one run measured.
type runResult struct {
	networks []string
	targets  int
	// wall is from the due instant to the last outcome recorded.
	wall time.Duration
	// late holds each target's published_at minus the due instant; byNetwork splits it.
	late      []time.Duration
	byNetwork map[string][]time.Duration
	latency   map[string]time.Duration
	// wholeSeconds marks the networks whose published_at has no fraction of a second (see
	// fakeNet.wholeSeconds).
	wholeSeconds map[string]bool
	dialect      store.Dialect
}

// summary is the run in one line (a benchmark's log keeps ten lines for all its runs): its
// totals and, with several networks, each one's lateness p50/p99 in milliseconds.
func (r runResult) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d targets on %s: wall %.3f s, %.0f publishes/s, lateness p50 %.0f ms, p99 %.0f ms",
		r.targets, r.dialect, r.wall.Seconds(), float64(r.targets)/r.wall.Seconds(), msOf(percentile(r.late, 50)), msOf(percentile(r.late, 99)))
	if len(r.networks) > 1 {
		b.WriteString("; p50/p99 by network:")
		for i, n := range r.networks {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %s %.0f/%.0f", sep, n, msOf(percentile(r.byNetwork[n], 50)), msOf(percentile(r.byNetwork[n], 99)))
		}
	}
	return b.String()
}

// table is the run with a line per network.
func (r runResult) table() string {
	var b strings.Builder
	b.WriteString(r.summary())
	for _, n := range r.networks {
		l := r.byNetwork[n]
		note := ""
		if r.wholeSeconds[n] {
			note = " (published_at in whole seconds: lateness floored)"
		}
		fmt.Fprintf(&b, "\n  %-10s %4d targets, fake latency %-6s lateness p50 %5.0f ms, p99 %5.0f ms, max %5.0f ms%s",
			n, len(l), r.latency[n], msOf(percentile(l, 50)), msOf(percentile(l, 99)), msOf(percentile(l, 100)), note)
	}
	return b.String()
}

// runEveryNetwork publishes posts posts, each to one channel of every network in names, due at
// one instant, and checks the outcome; it fails tb when a target was not published exactly once.
func runEveryNetwork(tb testing.TB, d store.Dialect, names []string, posts int, o runOptions) runResult {
	tb.Helper()
	ctx := context.Background()
	res := runResult{networks: names, dialect: d, byNetwork: map[string][]time.Duration{}, latency: map[string]time.Duration{},
		wholeSeconds: map[string]bool{}}
	workspaces := (posts + o.perChannel - 1) / o.perChannel
	log := slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r := &netRun{tb: tb, posts: posts, workspaces: workspaces, log: log,
		// The client production publishers share (cmd/herald), allowed to reach the fakes on
		// 127.0.0.1 as HERALD_ALLOW_PRIVATE_NETWORKS allows.
		hc: egress.Client(true, 2*time.Minute)}

	st := storetest.Open(tb, d, nil)
	spec, err := secrets.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := secrets.ParseKeyring(spec)
	if err != nil {
		tb.Fatal(err)
	}
	u := &store.User{Email: "owner@bench.herald.example", Name: "Bench owner"}
	if err := st.CreateUser(ctx, u); err != nil {
		tb.Fatal(err)
	}
	owner := store.Actor{UserID: u.ID, Label: "Bench owner"}

	nets := make([]*fakeNet, len(names))
	pubs := make([]publishers.Publisher, len(names))
	for i, name := range names {
		nets[i] = startNetwork(r, name)
		pubs[i] = nets[i].pub
		res.wholeSeconds[name] = nets[i].wholeSeconds
	}
	// Workspace j has one channel per network, connected the way a person connects it.
	wsIDs := make([]int64, workspaces)
	channels := make([][]int64, workspaces)
	connected := make([][]*publishers.Credentials, workspaces)
	network := map[int64]string{}
	for j := range workspaces {
		ws := &store.Workspace{Name: fmt.Sprintf("Bench workspace %d", j+1), TimeZone: "UTC", GracePeriodSeconds: 3600}
		if err := st.CreateWorkspace(ctx, ws, u.ID, owner); err != nil {
			tb.Fatal(err)
		}
		wsIDs[j] = ws.ID
		for _, n := range nets {
			creds, acct, err := n.connect(ctx, j)
			if err != nil {
				tb.Fatalf("%s: connecting workspace %d's channel: %v", n.name, j+1, err)
			}
			id := createChannel(tb, st, keys, ws.ID, owner, n.name, creds, acct)
			channels[j] = append(channels[j], id)
			connected[j] = append(connected[j], creds)
			network[id] = n.name
		}
	}
	for _, n := range nets {
		if n.connected != nil {
			n.connected()
		}
		if n.slow != nil {
			n.slow(o.latency)
			res.latency[n.name] = o.latency
		}
	}
	if o.setup != nil {
		byName := map[string]publishers.Publisher{}
		for _, n := range nets {
			byName[n.name] = n.pub
		}
		o.setup(byName)
	}

	// Every post goes through the workflow (created, submitted, auto-approved under a policy of
	// no approvals, scheduled) as the harness and the server take it, to an hour ahead; once the
	// scheduler runs, all are made due at one instant in one statement.
	parked := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	pol := workflow.Policy{RequiredApprovals: 0}
	texts := make([]string, posts)
	postText := map[int64]string{}
	for i := range posts {
		j := i % workspaces
		texts[i] = fmt.Sprintf("Bench post %d (%d of %d, %s): each network's publish path, due at one instant.", i+1, i+1, posts, d)
		in := store.PostInput{Body: texts[i]}
		for k, n := range nets {
			in.Targets = append(in.Targets, store.TargetInput{ChannelID: channels[j][k], Media: n.media(i/workspaces, j)})
		}
		p, err := st.CreatePost(ctx, wsIDs[j], owner, in, nil, "UTC")
		if err != nil {
			tb.Fatal(err)
		}
		postText[p.ID] = texts[i]
		for _, act := range []store.PostAction{
			{Action: workflow.Submit, Actor: owner, Role: workflow.Owner, Policy: pol},
			{Action: workflow.Schedule, Actor: owner, Role: workflow.Owner, Policy: pol, ScheduledAt: &parked, TimeZone: "UTC"},
		} {
			if p, _, err = st.ApplyPostAction(ctx, wsIDs[j], p.ID, act); err != nil {
				tb.Fatalf("post %d: %s: %v", i+1, act.Action, err)
			}
		}
	}

	// The scheduler as `herald worker` runs it, with its default options (but for the limits the
	// flags set), except for the media's bytes: they come from memory instead of an HTTP GET of
	// their URL (see benchImage).
	s, err := scheduler.New(st, scheduler.Options{Kind: "worker", Registry: publishers.NewRegistry(pubs...), Keys: keys, Log: log,
		Concurrency: o.concurrency, PerNetwork: o.perNetwork,
		LoadMedia: func(context.Context, store.Media) ([]byte, error) { return benchJPEG, nil }})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := s.Shutdown(sctx); err != nil {
			tb.Errorf("scheduler shutdown: %v", err)
		}
	}
	defer stop()

	total := posts * len(nets)
	due := time.Now().UTC().Add(2 * time.Second).Truncate(time.Millisecond)
	if moved, err := st.BenchMoveDue(ctx, due, wsIDs...); err != nil || moved != int64(total) {
		tb.Fatalf("moving %d targets to %s: %d moved, %v", total, due.Format(time.RFC3339Nano), moved, err)
	}
	s.Wake()
	time.Sleep(time.Until(due))
	if o.onDue != nil {
		o.onDue()
	}
	// A hang guard, not a goal: far more than the slowest run this could be.
	deadline := due.Add(2*time.Minute + time.Duration(total)*100*time.Millisecond)
	for {
		counts, err := st.BenchTargetCounts(ctx, wsIDs...)
		if err != nil {
			tb.Fatal(err)
		}
		if counts[store.TargetPending]+counts[store.TargetPublishing] == 0 {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not done by %s: %v", deadline.Format(time.TimeOnly), counts)
		}
		time.Sleep(25 * time.Millisecond)
	}
	if o.onDone != nil {
		o.onDone()
	}
	stop()
	if o.meddle != nil {
		o.meddle(func(network string, i int) {
			for k, n := range nets {
				if n.name == network {
					post := publishers.Post{IdempotencyKey: fmt.Sprintf("again-%d", i), Text: texts[i], ScheduledAt: due}
					if _, err := n.pub.Publish(ctx, connected[i%workspaces][k], post); err != nil {
						tb.Errorf("%s: publishing post %d again: %v", network, i+1, err)
					}
				}
			}
		})
	}

	targets, err := st.BenchTargets(ctx, wsIDs...)
	if err != nil {
		tb.Fatal(err)
	}
	res.targets = len(targets)
	if res.targets != total {
		tb.Fatalf("%d targets in the database, want %d", res.targets, total)
	}
	var last time.Time
	want := map[string]map[string]int{}      // network → text → targets
	wantMedia := map[string]map[string]int{} // network → text → attachments
	failed := 0
	for _, tg := range targets {
		n := network[tg.ChannelID]
		if tg.UpdatedAt.After(last) {
			last = tg.UpdatedAt
		}
		if tg.Status != store.TargetPublished || tg.PublishedAt == nil {
			if failed++; failed <= 10 {
				tb.Errorf("%s: target %d is %s after %d attempt(s): %s", n, tg.ID, tg.Status, tg.Attempts, deref(tg.LastError))
			}
			continue
		}
		if tg.Attempts != 1 {
			tb.Errorf("%s: target %d took %d attempts", n, tg.ID, tg.Attempts)
		}
		late := tg.PublishedAt.Sub(due)
		res.late = append(res.late, late)
		res.byNetwork[n] = append(res.byNetwork[n], late)
		if want[n] == nil {
			want[n], wantMedia[n] = map[string]int{}, map[string]int{}
		}
		want[n][postText[tg.PostID]]++
		wantMedia[n][postText[tg.PostID]] += len(tg.Media)
	}
	if failed > 0 {
		tb.Errorf("%d of %d targets were not published", failed, total)
	}
	// Exactly once, as each network counts it: a post created twice shows as a text created
	// twice, a lost one as none.
	for _, n := range nets {
		created := 0
		for _, text := range texts {
			got, w := n.created(text), want[n.name][text]
			if got != w {
				tb.Errorf("%s created %d posts with the text %q, want %d", n.name, got, text, w)
			}
			created += got
		}
		if n.held == nil {
			continue
		}
		// Nothing else was created, and the attachments arrived.
		held := n.held()
		if len(held) != created {
			tb.Errorf("%s holds %d posts, want the %d the scheduler published", n.name, len(held), created)
		}
		media := map[string]int{}
		for _, h := range held {
			media[h.text] += h.media
		}
		for _, text := range texts {
			if media[text] != wantMedia[n.name][text] {
				tb.Errorf("%s holds %d attachments on the posts %q, want %d", n.name, media[text], text, wantMedia[n.name][text])
			}
		}
	}
	res.wall = last.Sub(due)
	return res
}

// createChannel stores a connected channel with its sealed credentials, as the server does at the
// end of a connect.
func createChannel(tb testing.TB, st *store.Store, keys *secrets.Keyring, wsID int64, owner store.Actor, network string,
	creds *publishers.Credentials, acct publishers.Account) int64 {
	tb.Helper()
	raw, err := json.Marshal(creds)
	if err != nil {
		tb.Fatal(err)
	}
	name := acct.Name
	if name == "" {
		name = acct.Handle
	}
	ch := &store.Channel{WorkspaceID: wsID, Network: network, Name: name, Handle: acct.Handle, AvatarURL: acct.AvatarURL,
		ExternalID: acct.ExternalID, TimeZone: "UTC", Status: store.ChannelConnected}
	if !creds.Expiry.IsZero() {
		exp := creds.Expiry
		ch.TokenExpiresAt = &exp
	}
	seal := func(id int64) (string, string, error) { return scheduler.SealCredentials(keys, id, raw) }
	if err := st.CreateChannel(context.Background(), ch, seal, owner); err != nil {
		tb.Fatal(err)
	}
	return ch.ID
}

// fakeNet is one network in a run: its real publisher pointed at its fake, and what the run asks
// of the fake.
type fakeNet struct {
	name string
	pub  publishers.Publisher
	// connect connects workspace j's channel the way a person does (OAuth through the fake's
	// consent, an app password, or the connect form's values) and returns what the server seals.
	connect func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error)
	// created is the fake's own count of the posts created with text.
	created func(text string) int
	// held, when not nil, lists every post the fake holds.
	held func() []heldPost
	// media is what the round-th post on workspace j's channel carries.
	media func(round, j int) []store.Media
	// slow sets the fake's answer time; nil when it has no such switch.
	slow func(time.Duration)
	// connected, when set, is called once every channel is connected.
	connected func()
	// wholeSeconds says the network dates a post to the second (Telegram's date, Instagram's and
	// Threads' timestamp; Slack's ts, whose fraction the fake makes a sequence number, for posts
	// by bot): the published_at Herald records is floored to the second, and so is the lateness
	// measured from it.
	wholeSeconds bool
}

// heldPost is a post as a fake holds it: its text and how many attachments it carries.
type heldPost struct {
	text  string
	media int
}

// netRun holds what the networks of one run share.
type netRun struct {
	tb                testing.TB
	hc                *http.Client
	log               *slog.Logger
	posts, workspaces int

	// meta is the Meta Graph fake, shared by Facebook and Instagram as they share Meta's API; its
	// Pages (one per workspace, each with an Instagram account) are made with it.
	meta  *metagraphtest.Server
	pages []metagraphtest.PageInfo
}

// metaGraph starts the Meta fake on first use.
func (r *netRun) metaGraph() *metagraphtest.Server {
	if r.meta == nil {
		r.meta = metagraphtest.NewServer(r.tb)
		for _, n := range []string{facebook.Name, instagram.Name} {
			r.meta.RegisterRedirectURI(callbackURL(n))
		}
		for j := range r.workspaces {
			r.pages = append(r.pages, r.meta.AddPage(fmt.Sprintf("Bench Page %d", j+1), fmt.Sprintf("benchpage%d", j+1), fmt.Sprintf("benchpage%d.ig", j+1)))
		}
	}
	return r.meta
}

// everyNetwork lists the networks in the order runs report them.
var everyNetwork = []struct {
	name  string
	start func(*netRun) *fakeNet
}{
	{mastodon.Name, startMastodon},
	{bluesky.Name, startBluesky},
	{x.Name, startX},
	{linkedin.Name, startLinkedIn},
	{facebook.Name, startFacebook},
	{instagram.Name, startInstagram},
	{threads.Name, startThreads},
	{telegram.Name, startTelegram},
	{discord.Name, startDiscord},
	{slack.Name, startSlack},
	{sandbox.Name, startSandbox},
}

func startNetwork(r *netRun, name string) *fakeNet {
	r.tb.Helper()
	for _, n := range everyNetwork {
		if n.name == name {
			f := n.start(r)
			f.name = name
			return f
		}
	}
	r.tb.Fatalf("no network %q", name)
	return nil
}

func startMastodon(r *netRun) *fakeNet {
	srv := mastodontest.NewServer(r.tb)
	// Every workspace registers its app and signs in from 127.0.0.1, which Mastodon limits to 300
	// requests per 5 minutes per address: connecting a few hundred channels from one address in
	// seconds is the benchmark's doing, not a person's, so the limit comes back only once they are
	// connected (each channel's token has its own 300 for the burst).
	srv.SetRateLimit(1_000_000, mastodontest.DefaultRateWindow)
	c := mastodon.New(mastodon.Options{HTTPClient: r.hc, Logger: r.log})
	return &fakeNet{pub: c,
		connected: func() { srv.SetRateLimit(mastodontest.DefaultRateLimit, mastodontest.DefaultRateWindow) },
		connect: func(ctx context.Context, _ int) (*publishers.Credentials, publishers.Account, error) {
			in := oauthStart(mastodon.Name)
			in.Instance = srv.URL
			return oauthConnect(ctx, mastodon.Name, c, in, srv.Authorize)
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			for _, st := range srv.Statuses() {
				out = append(out, heldPost{st.Text, len(st.MediaIDs)})
			}
			return out
		},
		media: halfWithImage,
		slow:  srv.SetLatency,
	}
}

func startBluesky(r *netRun) *fakeNet {
	srv := blueskytest.NewServer(r.tb, blueskytest.Options{})
	c := bluesky.New(bluesky.Options{HTTPClient: r.hc, PDS: srv.URL, Logger: r.log})
	return &fakeNet{pub: c,
		// The fake hosts one account: every workspace connects it with its app password.
		connect: func(ctx context.Context, _ int) (*publishers.Credentials, publishers.Account, error) {
			return c.ConnectPassword(ctx, publishers.PasswordLogin{Identifier: srv.Handle, Password: srv.Password})
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			for _, rec := range srv.Records() {
				text, _ := rec.Value["text"].(string)
				embed, _ := rec.Value["embed"].(map[string]any)
				images, _ := embed["images"].([]any)
				out = append(out, heldPost{text, len(images)})
			}
			return out
		},
		media: halfWithImage,
	}
}

func startX(r *netRun) *fakeNet {
	srv := xtest.NewServer(r.tb)
	// The fake holds one account, which every workspace connects: its 24-hour post cap (100, X's
	// Basic tier) is raised above the run's posts, or the quota would hold the channels after 100.
	srv.SetDailyLimit(max(xtest.DefaultDailyLimit, 2*r.posts+100))
	c := x.New(x.Options{App: publishers.AppCredentials{ClientID: xtest.DefaultClientID, ClientSecret: xtest.DefaultClientSecret},
		APIBaseURL: srv.URL, AuthBaseURL: srv.URL, UploadBaseURL: srv.URL, HTTPClient: r.hc, Logger: r.log})
	return &fakeNet{pub: c,
		connect: func(ctx context.Context, _ int) (*publishers.Credentials, publishers.Account, error) {
			in := oauthStart(x.Name)
			in.RedirectURL = xtest.DefaultCallback
			return oauthConnect(ctx, x.Name, c, in, srv.Authorize)
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			for _, tw := range srv.Tweets() {
				out = append(out, heldPost{tw.Text, len(tw.MediaIDs)})
			}
			return out
		},
		media: halfWithImage,
		slow:  srv.SetLatency,
	}
}

func startLinkedIn(r *netRun) *fakeNet {
	srv := linkedintest.NewServer(r.tb)
	srv.AllowRedirect(callbackURL(linkedin.Name))
	// Workspace 1 posts as the member, the others as a page (organization) the member administers.
	for j := 1; j < r.workspaces; j++ {
		srv.AddOrganization(linkedintest.Organization{ID: int64(70_000_000 + j), Name: fmt.Sprintf("Bench Page %d", j+1),
			VanityName: fmt.Sprintf("bench-page-%d", j+1)}, "ADMINISTRATOR")
	}
	c := linkedin.New(linkedin.Options{App: publishers.AppCredentials{ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret()},
		AuthURL: srv.URL, APIURL: srv.URL, HTTPClient: r.hc, Logger: r.log})
	return &fakeNet{pub: c,
		connect: func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error) {
			member, _, err := oauthConnect(ctx, linkedin.Name, c, oauthStart(linkedin.Name), srv.Authorize)
			if err != nil {
				return nil, publishers.Account{}, err
			}
			choice := linkedin.MemberChoice
			if j > 0 {
				choice = linkedintest.OrganizationURN(int64(70_000_000 + j))
			}
			return c.Choose(ctx, member, choice)
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			for _, p := range srv.Posts() {
				media := 0
				if p.Content != nil {
					media = 1
				}
				out = append(out, heldPost{p.Text, media})
			}
			return out
		},
		media: halfWithImage,
	}
}

func startFacebook(r *netRun) *fakeNet {
	meta := r.metaGraph()
	c := facebook.New(facebook.Options{App: meta.App(), GraphURL: meta.URL, DialogURL: meta.URL, HTTPClient: r.hc, Logger: r.log})
	return &fakeNet{pub: c,
		connect: func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error) {
			user, _, err := oauthConnect(ctx, facebook.Name, c, oauthStart(facebook.Name), meta.Authorize)
			if err != nil {
				return nil, publishers.Account{}, err
			}
			return c.Choose(ctx, user, r.pages[j].ID)
		},
		created: meta.CreatedWithMessage,
		held: func() (out []heldPost) {
			for _, pg := range r.pages {
				for _, p := range meta.Posts(pg.ID) {
					out = append(out, heldPost{p.Message, len(p.PhotoIDs)})
				}
			}
			return out
		},
		// Photos by URL: Facebook fetches a public one itself (the URL is a placeholder the fake
		// takes as public); the others upload bytes.
		media: halfWithImage,
	}
}

func startInstagram(r *netRun) *fakeNet {
	meta := r.metaGraph()
	c := instagram.New(instagram.Options{App: meta.App(), GraphURL: meta.URL, DialogURL: meta.URL, HTTPClient: r.hc, Logger: r.log})
	return &fakeNet{pub: c, wholeSeconds: true,
		connect: func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error) {
			user, _, err := oauthConnect(ctx, instagram.Name, c, oauthStart(instagram.Name), meta.Authorize)
			if err != nil {
				return nil, publishers.Account{}, err
			}
			return c.Choose(ctx, user, r.pages[j].IGUserID)
		},
		created: meta.CreatedWithCaption,
		// Every Instagram post needs an image, given by a public https URL that Instagram would
		// download (see benchImage).
		media: func(round, _ int) []store.Media { return []store.Media{benchImage(round)} },
	}
}

func startThreads(r *netRun) *fakeNet {
	srv := threadstest.NewServer(r.tb)
	srv.RegisterRedirectURI(callbackURL(threads.Name))
	// One account, connected by every workspace: its 250 posts a day are raised above the run's.
	srv.SetQuota(max(threads.PostQuota, 2*r.posts+100), 1000)
	c := threads.New(threads.Options{App: publishers.AppCredentials{ClientID: srv.AppID(), ClientSecret: srv.AppSecret()},
		GraphURL: srv.URL, AuthorizeURL: srv.AuthorizeURL(), HTTPClient: r.hc, Logger: r.log})
	return &fakeNet{pub: c, wholeSeconds: true,
		connect: func(ctx context.Context, _ int) (*publishers.Credentials, publishers.Account, error) {
			return oauthConnect(ctx, threads.Name, c, oauthStart(threads.Name), srv.Authorize)
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			for _, p := range srv.Posts() {
				media := 0
				if p.MediaType == "IMAGE" {
					media = 1
				}
				out = append(out, heldPost{p.Text, media})
			}
			return out
		},
		// Images by URL, which Threads downloads itself (see benchImage).
		media: halfWithImage,
		slow:  srv.SetLatency,
	}
}

func startTelegram(r *netRun) *fakeNet {
	srv := telegramtest.NewServer(r.tb)
	c := telegram.New(telegram.Options{HTTPClient: r.hc, APIURL: srv.URL, Logger: r.log})
	var mu sync.Mutex
	var chats []int64
	return &fakeNet{pub: c, wholeSeconds: true,
		// Each workspace has its bot, an administrator of its channel; the form takes the bot's
		// token and the channel's @name.
		connect: func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error) {
			bot := srv.AddBot(fmt.Sprintf("herald_bench_%d_bot", j+1))
			username := fmt.Sprintf("heraldbench%d", j+1)
			chat := srv.AddChat("channel", fmt.Sprintf("Bench channel %d", j+1), username)
			srv.SetMember(chat, bot.ID, telegramtest.Admin)
			mu.Lock()
			chats = append(chats, chat)
			mu.Unlock()
			return c.ConnectForm(ctx, map[string]string{telegram.FieldToken: bot.Token, telegram.FieldChat: "@" + username})
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			mu.Lock()
			defer mu.Unlock()
			for _, ch := range chats {
				for _, m := range srv.Messages(ch) {
					media := 0
					if m.Kind == "photo" {
						media = 1
					}
					out = append(out, heldPost{m.Text, media})
				}
			}
			return out
		},
		media: halfWithImage,
	}
}

func startDiscord(r *netRun) *fakeNet {
	srv := discordtest.NewServer(r.tb)
	c := discord.New(discord.Options{HTTPClient: r.hc, APIURL: srv.APIURL(), Logger: r.log})
	var mu sync.Mutex
	var hooks []string
	return &fakeNet{pub: c,
		// Each workspace pastes its channel's webhook URL, as Discord shows it.
		connect: func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error) {
			hook := srv.AddWebhook(fmt.Sprintf("Herald bench %d", j+1))
			mu.Lock()
			hooks = append(hooks, hook.ID)
			mu.Unlock()
			return c.ConnectForm(ctx, map[string]string{discord.FieldWebhookURL: "https://discord.com/api/webhooks/" + hook.ID + "/" + hook.Token})
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			mu.Lock()
			defer mu.Unlock()
			for _, h := range hooks {
				for _, m := range srv.Messages(h) {
					out = append(out, heldPost{m.Content, len(m.Attachments)})
				}
			}
			return out
		},
		media: halfWithImage,
	}
}

func startSlack(r *netRun) *fakeNet {
	srv := slacktest.NewServer(r.tb)
	c := slack.New(slack.Options{HTTPClient: r.hc, APIURL: srv.APIURL(), HooksURL: srv.HooksURL(), Logger: r.log})
	var mu sync.Mutex
	var chans []string
	return &fakeNet{pub: c, wholeSeconds: true,
		// Both ways Slack connects: odd workspaces with the app's bot token and a channel, even
		// ones with an incoming webhook's URL.
		connect: func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error) {
			bot := srv.AddBot(fmt.Sprintf("herald-bench-%d", j+1))
			ch := srv.AddChannel(fmt.Sprintf("bench-%d", j+1), false, bot.UserID)
			mu.Lock()
			chans = append(chans, ch.ID)
			mu.Unlock()
			if j%2 == 0 {
				return c.ConnectForm(ctx, map[string]string{slack.FieldBotToken: bot.Token, slack.FieldChannel: ch.ID})
			}
			return c.ConnectForm(ctx, map[string]string{slack.FieldWebhookURL: "https://hooks.slack.com" + srv.AddHook(ch.ID)})
		},
		created: srv.CreatedWithText,
		held: func() (out []heldPost) {
			mu.Lock()
			defer mu.Unlock()
			for _, ch := range chans {
				for _, m := range srv.Messages(ch) {
					out = append(out, heldPost{m.Text, len(m.Files)})
				}
			}
			return out
		},
		// A webhook posts text only: images go to the bot channels.
		media: func(round, j int) []store.Media {
			if j%2 == 1 {
				return nil
			}
			return halfWithImage(round, j)
		},
	}
}

func startSandbox(r *netRun) *fakeNet {
	// In-process, as `herald serve` runs it; its consent page is served by its handler directly.
	n := sandbox.New(sandbox.Options{BaseURL: "https://herald.bench.example", Logger: r.log})
	return &fakeNet{pub: n,
		connect: func(ctx context.Context, j int) (*publishers.Credentials, publishers.Account, error) {
			in := oauthStart(sandbox.Name)
			in.RedirectURL = n.BaseURL() + "/api/v1/connect/sandbox/callback"
			return oauthConnect(ctx, sandbox.Name, n, in, func(authURL string) (string, error) {
				return sandboxConsent(n, authURL, fmt.Sprintf("Bench account %d", j+1))
			})
		},
		created: n.CreatedWithText,
		media:   halfWithImage,
	}
}

// sandboxConsent plays the person on the sandbox's consent page: it loads the page, then posts
// "allow" with an account name from the page's origin, and returns where the sandbox redirects.
func sandboxConsent(n *sandbox.Network, authURL, account string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	rec := httptest.NewRecorder()
	n.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.RequestURI(), nil))
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("sandbox consent page: %d", rec.Code)
	}
	form := u.Query()
	form.Set("account_name", account)
	form.Set("decision", "allow")
	req := httptest.NewRequest(http.MethodPost, "/sandbox/oauth/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", n.BaseURL())
	rec = httptest.NewRecorder()
	n.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		return "", fmt.Errorf("sandbox consent: %d %s", rec.Code, rec.Body.String())
	}
	return rec.Header().Get("Location"), nil
}

// callbackURL is Herald's OAuth callback for a network.
func callbackURL(network string) string {
	return "https://herald.example/api/v1/connect/" + network + "/callback"
}

func oauthStart(network string) publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: callbackURL(network), State: publishers.NewState(), Verifier: publishers.NewVerifier()}
}

// oauthConnect runs a connect as the server does: the authorization URL (state and S256
// challenge), the person's consent on the fake (authorize returns the redirect to Herald's
// callback), the state checked, and the code exchanged with the verifier.
func oauthConnect(ctx context.Context, network string, c publishers.OAuthConnector, in publishers.OAuthStart,
	authorize func(string) (string, error)) (*publishers.Credentials, publishers.Account, error) {
	authURL, pending, err := c.BeginOAuth(ctx, in)
	if err != nil {
		return nil, publishers.Account{}, fmt.Errorf("BeginOAuth: %w", err)
	}
	back, err := authorize(authURL)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	u, err := url.Parse(back)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return nil, publishers.Account{}, fmt.Errorf("consent refused: %s %s", e, q.Get("error_description"))
	}
	if err := publishers.CheckState(network, in.State, q.Get("state")); err != nil {
		return nil, publishers.Account{}, err
	}
	return c.CompleteOAuth(ctx, in, pending, q.Get("code"))
}

// halfWithImage attaches an image to every other post of a channel (its second, fourth…).
func halfWithImage(round, _ int) []store.Media {
	if round%2 == 0 {
		return nil
	}
	return []store.Media{benchImage(round)}
}

// benchImage is an attachment as Herald stores it. Its URL is where Instagram, Threads and
// Facebook (which download media themselves) would fetch it: an https address on a public-looking
// name, which publishers.PublicURLProblem accepts and the fakes take without fetching. The networks
// that upload bytes get them from the scheduler's LoadMedia, which serves benchJPEG from memory.
func benchImage(n int) store.Media {
	return store.Media{URL: fmt.Sprintf("https://media.herald.example/bench/%d.jpg", n), Kind: string(content.KindImage),
		MIME: "image/jpeg", SizeBytes: int64(len(benchJPEG)), AltText: "A grey test card, attached by the scheduler benchmark."}
}

// benchJPEG is a small real JPEG, so that networks which look at the bytes find an image.
var benchJPEG = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: 128, B: uint8(y * 5), A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// percentile is the p-th percentile (nearest rank) of d; 0 when d is empty.
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// tbWriter sends the scheduler's and publishers' warnings to the test's log.
type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
