package instagram

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/metagraph"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

// newClock is the clock a test starts with, shared by the client and the fake.
func newClock() *publishertest.Clock {
	return publishertest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
}

type env struct {
	srv   *metagraphtest.Server
	c     *Client
	page  metagraphtest.PageInfo
	creds *publishers.Credentials
	clk   *publishertest.Clock
}

func newEnv(t *testing.T, mod ...func(*Options)) *env {
	t.Helper()
	srv := metagraphtest.NewServer(t)
	clk := newClock()
	srv.SetNow(clk.Now)
	pg := srv.AddPage("Herald Bakery", "heraldbakery", "heraldbakery")
	return &env{srv: srv, c: testClient(srv, clk, mod...), page: pg, clk: clk, creds: igCreds(srv, pg)}
}

func testClient(srv *metagraphtest.Server, clk *publishertest.Clock, mod ...func(*Options)) *Client {
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

func image(u, alt string) publishers.Media {
	return publishers.Media{Kind: content.KindImage, MIME: "image/jpeg", AltText: alt, URL: u,
		Open: func(context.Context) ([]byte, error) { return []byte("jpeg"), nil }}
}

func videoMedia(u string) publishers.Media {
	return publishers.Media{Kind: content.KindVideo, MIME: "video/mp4", URL: u,
		Open: func(context.Context) ([]byte, error) { return []byte("mp4"), nil }}
}
