package scheduler

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

var ctx = context.Background()

// t0 is where every fake clock starts: a Monday morning, far from any DST change.
var t0 = time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC)

// env is one scheduler test world: a fresh migrated store and a scheduler sharing a fake clock, a
// scriptable network, a key ring, and a workspace with an owner.
type env struct {
	t     *testing.T
	st    *store.Store
	clock clockwork.Clock
	// fake is the clock when it is a fake one (every test but the real-loop one).
	fake  *clockwork.FakeClock
	keys  *secrets.Keyring
	net   *fakeNet
	reg   *publishers.Registry
	ws    *store.Workspace
	owner store.Actor
	s     *Scheduler
}

// eachDialect runs fn once per dialect under test (SQLite always, MySQL with TEST_MYSQL_DSN),
// each in a fresh world whose clock starts at start.
func eachDialect(t *testing.T, start time.Time, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, d, start))
		})
	}
}

func newEnv(t *testing.T, d store.Dialect, start time.Time) *env {
	t.Helper()
	fake := clockwork.NewFakeClockAt(start)
	e := newEnvWithClock(t, d, fake)
	e.fake = fake
	return e
}

// newEnvWithClock makes a world on any clock; the store and the scheduler share it.
func newEnvWithClock(t *testing.T, d store.Dialect, clock clockwork.Clock) *env {
	t.Helper()
	e := &env{t: t, clock: clock, net: newFakeNet(clock)}
	e.st = storetest.Open(t, d, clock.Now)
	spec, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if e.keys, err = secrets.ParseKeyring(spec); err != nil {
		t.Fatal(err)
	}
	e.reg = publishers.NewRegistry(e.net)
	u := &store.User{Email: "owner@example.com", Name: "Owner"}
	if err := e.st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	e.owner = store.Actor{UserID: u.ID, Label: "Owner"}
	e.ws = &store.Workspace{Name: "Acme", TimeZone: "Europe/Paris", GracePeriodSeconds: 3600}
	if err := e.st.CreateWorkspace(ctx, e.ws, u.ID, e.owner); err != nil {
		t.Fatal(err)
	}
	e.s = e.newScheduler(nil)
	return e
}

// newScheduler makes another scheduler (another worker id) on the same store and clock.
func (e *env) newScheduler(mod func(*Options)) *Scheduler {
	e.t.Helper()
	// No claiming ahead unless a test asks for it: the tests step a fake clock and expect a
	// dispatch to take exactly what is due.
	opt := Options{Kind: "worker", Clock: e.clock, Registry: e.reg, Keys: e.keys, Log: testLogger(e.t), Lookahead: -1,
		LoadMedia: func(context.Context, store.Media) ([]byte, error) { return []byte("img"), nil }}
	if mod != nil {
		mod(&opt)
	}
	s, err := New(e.st, opt)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = s.cron.Shutdown() })
	return s
}

// creds are the credentials a channel named name is created with; the access token names the
// channel, so the fake network's script can tell channels apart.
func creds(name string) publishers.Credentials {
	return publishers.Credentials{AccessToken: "token-" + name, RefreshToken: "refresh-" + name}
}

// channel creates a connected channel with sealed credentials, the way the server does.
func (e *env) channel(name string, mod ...func(*store.Channel, *publishers.Credentials)) *store.Channel {
	e.t.Helper()
	c := &store.Channel{WorkspaceID: e.ws.ID, Network: testNetwork, Name: name, Handle: "@" + name, ExternalID: "acct-" + name,
		TimeZone: "UTC", Status: store.ChannelConnected}
	cr := creds(name)
	for _, m := range mod {
		m(c, &cr)
	}
	seal := func(id int64) (string, string, error) {
		raw, err := json.Marshal(cr)
		if err != nil {
			return "", "", err
		}
		sealed, err := e.keys.Seal(raw, ChannelAAD(id))
		return sealed, e.keys.PrimaryID(), err
	}
	if err := e.st.CreateChannel(ctx, c, seal, e.owner); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// sealFor seals credentials for channel id, as the server does on (re)connect.
func (e *env) sealFor(id int64, c publishers.Credentials) string {
	e.t.Helper()
	raw, _ := json.Marshal(c)
	sealed, err := e.keys.Seal(raw, ChannelAAD(id))
	if err != nil {
		e.t.Fatal(err)
	}
	return sealed
}

// schedule writes a post for the channels and takes it through the real workflow (draft →
// submitted, auto-approved under a policy of no required approvals → scheduled at at), so the
// targets' due_at is set by the store as in production.
func (e *env) schedule(body string, at time.Time, chans ...*store.Channel) *store.Post {
	e.t.Helper()
	in := store.PostInput{Body: body}
	for _, c := range chans {
		in.Targets = append(in.Targets, store.TargetInput{ChannelID: c.ID})
	}
	p, err := e.st.CreatePost(ctx, e.ws.ID, e.owner, in, nil, "Europe/Paris")
	if err != nil {
		e.t.Fatal(err)
	}
	pol := workflow.Policy{RequiredApprovals: 0}
	for _, act := range []store.PostAction{
		{Action: workflow.Submit, Actor: e.owner, Role: workflow.Owner, Policy: pol},
		{Action: workflow.Schedule, Actor: e.owner, Role: workflow.Owner, Policy: pol, ScheduledAt: &at, TimeZone: "Europe/Paris"},
	} {
		if p, _, err = e.st.ApplyPostAction(ctx, e.ws.ID, p.ID, act); err != nil {
			e.t.Fatalf("%s: %v", act.Action, err)
		}
	}
	if p.Status != string(workflow.Scheduled) {
		e.t.Fatalf("post is %s, want scheduled", p.Status)
	}
	for _, tg := range p.Targets {
		if tg.DueAt == nil || !near(*tg.DueAt, at, time.Microsecond) {
			e.t.Fatalf("target due_at %v, want %v", tg.DueAt, at)
		}
	}
	return p
}

// dispatch runs one claim pass of s (the scheduler itself when nil) and waits until every
// publish it started has recorded its outcome. It returns how many targets were claimed.
func (e *env) dispatch(s *Scheduler) int {
	e.t.Helper()
	if s == nil {
		s = e.s
	}
	n, err := s.dispatchOnce(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	s.inflight.Wait()
	return n
}

func (e *env) advance(d time.Duration) {
	e.t.Helper()
	if e.fake == nil {
		e.t.Fatal("advance needs a fake clock")
	}
	e.fake.Advance(d)
}

// now is the shared clock's time.
func (e *env) now() time.Time { return e.clock.Now().UTC() }

func (e *env) post(id int64) *store.Post {
	e.t.Helper()
	p, err := e.st.Post(ctx, e.ws.ID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// target returns the post's target on channel c, as stored now.
func (e *env) target(p *store.Post, c *store.Channel) store.Target {
	e.t.Helper()
	for _, tg := range e.post(p.ID).Targets {
		if tg.ChannelID == c.ID {
			return tg
		}
	}
	e.t.Fatalf("post %d has no target on channel %d", p.ID, c.ID)
	return store.Target{}
}

// reload reads channel c as stored now.
func (e *env) reload(c *store.Channel) *store.Channel {
	e.t.Helper()
	c, err := e.st.ChannelByID(ctx, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// notifications lists the workspace's notifications of kind, oldest first.
func (e *env) notifications(kind string) []store.Notification {
	e.t.Helper()
	ns, _, err := e.st.Notifications(ctx, e.ws.ID, false, 0, 200)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Notification
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].Kind == kind {
			out = append(out, ns[i])
		}
	}
	return out
}

// want is what a test expects of one target; zero fields are not checked unless named in the
// check's flags.
type want struct {
	status   string
	attempts int
	// due is the expected due_at; noDue expects NULL.
	due   time.Time
	noDue bool
	// errHas lists words the last error must contain; noErr expects none.
	errHas []string
	noErr  bool
}

func (e *env) check(tg store.Target, w want) {
	e.t.Helper()
	if tg.Status != w.status {
		e.t.Errorf("target %d: status %s, want %s (last error: %s)", tg.ID, tg.Status, w.status, deref(tg.LastError))
	}
	if tg.Attempts != w.attempts {
		e.t.Errorf("target %d: attempts %d, want %d", tg.ID, tg.Attempts, w.attempts)
	}
	switch {
	case w.noDue && tg.DueAt != nil:
		e.t.Errorf("target %d: due_at %v, want none", tg.ID, tg.DueAt)
	case !w.due.IsZero() && (tg.DueAt == nil || !near(*tg.DueAt, w.due, time.Millisecond)):
		e.t.Errorf("target %d: due_at %v, want %v", tg.ID, tg.DueAt, w.due)
	}
	if w.noErr && tg.LastError != nil {
		e.t.Errorf("target %d: last error %q, want none", tg.ID, *tg.LastError)
	}
	for _, s := range w.errHas {
		if !strings.Contains(deref(tg.LastError), s) {
			e.t.Errorf("target %d: last error %q does not say %q", tg.ID, deref(tg.LastError), s)
		}
	}
}

func (e *env) postStatus(p *store.Post, want workflow.Status) {
	e.t.Helper()
	if got := e.post(p.ID).Status; got != string(want) {
		e.t.Errorf("post %d is %s, want %s", p.ID, got, want)
	}
}

// calls asserts how many times the network was asked to publish the target.
func (e *env) calls(tg store.Target, n int) {
	e.t.Helper()
	if got := e.net.publishCalls(tg.IdempotencyKey); got != n {
		e.t.Errorf("target %d: %d publish calls, want %d", tg.ID, got, n)
	}
}

// notified asserts exactly n notifications of kind, each saying every one of words.
func (e *env) notified(kind string, n int, words ...string) []store.Notification {
	e.t.Helper()
	ns := e.notifications(kind)
	if len(ns) != n {
		e.t.Errorf("%d %q notifications, want %d: %+v", len(ns), kind, n, ns)
		return ns
	}
	for _, nt := range ns {
		for _, w := range words {
			if !strings.Contains(nt.Message, w) {
				e.t.Errorf("%s notification %q does not say %q", kind, nt.Message, w)
			}
		}
	}
	return ns
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func near(a, b time.Time, tol time.Duration) bool {
	d := a.Sub(b)
	return d <= tol && d >= -tol
}

// testLogger sends the scheduler's warnings and errors to the test's log, so a failure shows
// what the scheduler saw (a failed save, a lost lease).
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
