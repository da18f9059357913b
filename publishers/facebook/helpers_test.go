package facebook

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

// env is a fake Graph API with one Page, a client for it, and the Page's credentials.
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
	pg := srv.AddPage("Herald Bakery", "heraldbakery", "")
	c := testClient(srv, clk, mod...)
	return &env{srv: srv, c: c, page: pg, clk: clk, creds: pageCreds(srv, pg)}
}

func testClient(srv *metagraphtest.Server, clk *publishertest.Clock, mod ...func(*Options)) *Client {
	opts := Options{
		App:        srv.App(),
		GraphURL:   srv.URL,
		DialogURL:  srv.URL,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Now:        clk.Now,
	}
	for _, m := range mod {
		m(&opts)
	}
	return New(opts)
}

// pageCreds are a connected Page channel's credentials, as Choose returns them.
func pageCreds(srv *metagraphtest.Server, pg metagraphtest.PageInfo) *publishers.Credentials {
	return &publishers.Credentials{
		AccessToken: srv.PageToken(pg.ID),
		Extra: map[string]string{
			metagraph.ExtraKind: metagraph.KindPage, metagraph.ExtraPageID: pg.ID, metagraph.ExtraUserID: srv.UserID(),
		},
	}
}

func image(data, alt, u string) publishers.Media {
	return publishers.Media{
		Kind: content.KindImage, MIME: "image/jpeg", AltText: alt, Size: int64(len(data)), URL: u,
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil },
	}
}

func videoMedia(data, u string) publishers.Media {
	return publishers.Media{
		Kind: content.KindVideo, MIME: "video/mp4", Size: int64(len(data)), URL: u,
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil },
	}
}
