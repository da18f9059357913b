package instagram

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/metagraph"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

// clock is a settable clock shared by the client (Now and Sleep) and the fake, so waiting for a
// container to be processed takes no real time.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

func (c *clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

type env struct {
	srv   *metagraphtest.Server
	c     *Client
	page  metagraphtest.PageInfo
	creds *publishers.Credentials
	clk   *clock
}

func newEnv(t *testing.T, mod ...func(*Options)) *env {
	t.Helper()
	srv := metagraphtest.NewServer(t)
	clk := newClock()
	srv.SetNow(clk.Now)
	pg := srv.AddPage("Herald Bakery", "heraldbakery", "heraldbakery")
	return &env{srv: srv, c: testClient(srv, clk, mod...), page: pg, clk: clk, creds: igCreds(srv, pg)}
}

func testClient(srv *metagraphtest.Server, clk *clock, mod ...func(*Options)) *Client {
	opts := Options{
		App:        srv.App(),
		GraphURL:   srv.URL,
		DialogURL:  srv.URL,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Now:        clk.Now,
		Sleep:      clk.Sleep,
	}
	for _, m := range mod {
		m(&opts)
	}
	return New(opts)
}

// igCreds are a connected Instagram channel's credentials, as Choose returns them.
func igCreds(srv *metagraphtest.Server, pg metagraphtest.PageInfo) *publishers.Credentials {
	return &publishers.Credentials{
		AccessToken: srv.PageToken(pg.ID),
		Extra: map[string]string{
			metagraph.ExtraKind: metagraph.KindInstagram, metagraph.ExtraIGUserID: pg.IGUserID,
			metagraph.ExtraPageID: pg.ID, metagraph.ExtraUsername: pg.IGUsername,
		},
	}
}

func wantKind(t *testing.T, err error, kind publishers.Kind) *publishers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", kind)
	}
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *publishers.Error", err, err)
	}
	if got := publishers.KindOf(err); got != kind {
		t.Fatalf("kind %s, want %s: %v", got, kind, err)
	}
	return pe
}

func image(u, alt string) publishers.Media {
	return publishers.Media{Kind: content.KindImage, MIME: "image/jpeg", AltText: alt, URL: u,
		Open: func(context.Context) ([]byte, error) { return []byte("jpeg"), nil }}
}

func videoMedia(u string) publishers.Media {
	return publishers.Media{Kind: content.KindVideo, MIME: "video/mp4", URL: u,
		Open: func(context.Context) ([]byte, error) { return []byte("mp4"), nil }}
}
