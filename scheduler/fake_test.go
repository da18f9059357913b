package scheduler

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/heraldhq/herald/publishers"
)

// testNetwork is the fake network's registry name.
const testNetwork = "testnet"

// step is one scripted answer to a Publish call. The zero step succeeds.
type step struct {
	// kind, when set, makes the call fail with a *publishers.Error of that kind.
	kind       publishers.Kind
	msg        string
	retryAfter time.Duration
	// accept makes the network create the post before failing: the "request reached the network
	// but the answer was lost" case behind KindUnknown.
	accept bool
	// warnings and quota come back with a successful publish.
	warnings []string
	quota    *publishers.Quota
}

func fail(kind publishers.Kind, msg string) step { return step{kind: kind, msg: msg} }

// Answers the fake gives FindPublished.
type findAnswer int

const (
	// findTruth answers from what the network really holds (the default).
	findTruth findAnswer = iota
	// findNotFound says for sure the post does not exist.
	findNotFound
	// findUnknown says the network cannot tell.
	findUnknown
)

// fakeNet is a scriptable network. Publish answers are scripted per channel (by the access token
// of the credentials passed in), one step per call; an empty script succeeds. Every Publish call
// is recorded by idempotency key, and posts the network accepted are remembered, so FindPublished
// can answer truthfully and tests can count publications exactly.
type fakeNet struct {
	clock   clockwork.Clock
	latency time.Duration

	mu        sync.Mutex
	script    map[string][]step // by access token
	finds     []findAnswer
	calls     map[string]int // Publish calls by idempotency key
	accepted  map[string]publishers.Published
	findCalls int
	seq       int
	// metrics answers Metrics: counters per external id (absent ids are unknown to the network).
	metrics      map[string]publishers.Metrics
	metricsCalls int
	metricsIDs   [][]string

	// onPublish and onFind, when set, run at the start of Publish and FindPublished (outside the
	// fake's lock), so a test can interleave other work with a call in flight.
	onPublish func(p publishers.Post)
	onFind    func()

	// publishTimeout, refreshAhead and renewsItself are the network's hints in Meta.
	publishTimeout time.Duration
	refreshAhead   time.Duration
	renewsItself   bool
	threads        bool
	// posts lists what Publish was asked to publish, in order.
	posts []publishers.Post
	// deadlines lists how long each Publish call was given (its context's deadline from now).
	deadlines []time.Duration

	refreshCalls atomic.Int32
	// refreshDelay widens the window in which two refreshes could race.
	refreshDelay time.Duration
	// onRefresh, when set, runs at the start of every Refresh call (outside the fake's lock), so
	// a test can make things happen while a refresh is in flight.
	onRefresh func(creds *publishers.Credentials)
	// refreshedWith lists the refresh tokens Refresh was called with, in order.
	refreshedWith []string
}

var _ publishers.Publisher = (*fakeNet)(nil)

func newFakeNet(clock clockwork.Clock) *fakeNet {
	return &fakeNet{clock: clock, script: map[string][]step{}, calls: map[string]int{},
		accepted: map[string]publishers.Published{}, metrics: map[string]publishers.Metrics{}}
}

func (f *fakeNet) Meta() publishers.Meta {
	return publishers.Meta{Name: testNetwork, DisplayName: "Test network", Connect: publishers.ConnectPassword,
		Capabilities:   publishers.Capabilities{FindPublished: true, Threads: f.threads, Metrics: []string{"likes", "reposts"}},
		PublishTimeout: f.publishTimeout, RefreshAhead: f.refreshAhead, RenewsWithoutRefreshToken: f.renewsItself}
}

// then scripts the next Publish answers for the channel using token.
func (f *fakeNet) then(token string, steps ...step) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[token] = append(f.script[token], steps...)
}

// findThen scripts the next FindPublished answers.
func (f *fakeNet) findThen(a ...findAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finds = append(f.finds, a...)
}

func (f *fakeNet) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	f.mu.Lock()
	hook := f.onPublish
	f.mu.Unlock()
	if hook != nil {
		hook(p)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := ctx.Deadline(); ok {
		f.deadlines = append(f.deadlines, time.Until(d))
	}
	f.calls[p.IdempotencyKey]++
	f.posts = append(f.posts, p)
	var st step
	if q := f.script[creds.AccessToken]; len(q) > 0 {
		st, f.script[creds.AccessToken] = q[0], q[1:]
	}
	if st.kind == 0 || st.accept {
		if _, dup := f.accepted[p.IdempotencyKey]; dup {
			// A real network honouring the key would refuse; the tests assert this never happens.
			return publishers.Published{}, publishers.Errorf(testNetwork, publishers.KindPermanent, 409, "duplicate post %s", p.IdempotencyKey)
		}
		f.seq++
		f.accepted[p.IdempotencyKey] = publishers.Published{ExternalID: fmt.Sprintf("ext-%d", f.seq),
			URL: fmt.Sprintf("https://testnet.example/@acme/%d", f.seq), PublishedAt: f.clock.Now().UTC()}
	}
	if st.kind == 0 {
		res := f.accepted[p.IdempotencyKey]
		res.Warnings, res.Quota = st.warnings, st.quota
		return res, nil
	}
	return publishers.Published{}, &publishers.Error{Kind: st.kind, Network: testNetwork, Message: st.msg, RetryAfter: st.retryAfter}
}

func (f *fakeNet) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	f.mu.Lock()
	hook := f.onFind
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.findCalls++
	a := findTruth
	if len(f.finds) > 0 {
		a, f.finds = f.finds[0], f.finds[1:]
	}
	switch a {
	case findNotFound:
		return nil, nil
	case findUnknown:
		return nil, publishers.Errorf(testNetwork, publishers.KindUnknown, 503, "the search service is unavailable")
	}
	if got, ok := f.accepted[p.IdempotencyKey]; ok {
		return &got, nil
	}
	return nil, nil
}

func (f *fakeNet) Metrics(ctx context.Context, creds *publishers.Credentials, ids []string) (map[string]publishers.Metrics, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.metricsCalls++
	f.metricsIDs = append(f.metricsIDs, append([]string(nil), ids...))
	out := map[string]publishers.Metrics{}
	for _, id := range ids {
		if m, ok := f.metrics[id]; ok {
			out[id] = m
		}
	}
	return out, nil
}

func (f *fakeNet) Refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	f.refreshCalls.Add(1)
	f.mu.Lock()
	f.refreshedWith = append(f.refreshedWith, creds.RefreshToken)
	hook := f.onRefresh
	f.mu.Unlock()
	if hook != nil {
		hook(creds)
	}
	if f.refreshDelay > 0 {
		time.Sleep(f.refreshDelay)
	}
	fresh := *creds
	fresh.AccessToken = creds.AccessToken + "-refreshed"
	fresh.RefreshToken = creds.RefreshToken + "-rotated"
	fresh.Expiry = f.clock.Now().UTC().Add(2 * time.Hour)
	return &fresh, true, nil
}

// publishCalls is how many times Publish was called for key.
func (f *fakeNet) publishCalls(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[key]
}

// totalCalls counts every Publish call.
func (f *fakeNet) totalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// isPublished reports whether the network holds a post for key.
func (f *fakeNet) isPublished(key string) (publishers.Published, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.accepted[key]
	return p, ok
}

// accept makes the network hold a post for key, as if a worker's call had reached it.
func (f *fakeNet) accept(key string) publishers.Published {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	p := publishers.Published{ExternalID: fmt.Sprintf("ext-%d", f.seq),
		URL: fmt.Sprintf("https://testnet.example/@acme/%d", f.seq), PublishedAt: f.clock.Now().UTC()}
	f.accepted[key] = p
	return p
}
