package threads

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
)

// clock is a fake clock shared by the client and the fake: Sleep advances it at once, so
// container waits take no real time and are measured on the injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)} }

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
	c.Advance(d)
	return nil
}

// env is a client connected to a fake Threads, both on one fake clock.
type env struct {
	srv   *threadstest.Server
	clock *clock
	c     *Client
}

// newEnv starts a fake and a client for it; mod adjusts the client's options.
func newEnv(t *testing.T, mod ...func(*Options)) *env {
	t.Helper()
	srv := threadstest.NewServer(t)
	clk := newClock()
	srv.SetNow(clk.Now)
	opts := Options{
		App:          publishers.AppCredentials{ClientID: srv.AppID(), ClientSecret: srv.AppSecret()},
		HTTPClient:   &http.Client{Timeout: 5 * time.Second},
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:          clk.Now,
		Sleep:        clk.Sleep,
		GraphURL:     srv.URL,
		AuthorizeURL: srv.AuthorizeURL(),
	}
	for _, m := range mod {
		m(&opts)
	}
	return &env{srv: srv, clock: clk, c: New(opts)}
}

// creds are a connected channel's credentials for a long-lived token issued age ago, as
// CompleteOAuth stores them.
func (e *env) creds(age time.Duration) *publishers.Credentials {
	tok := e.srv.NewToken(threadstest.TokenOptions{Age: age})
	return &publishers.Credentials{
		AccessToken: tok,
		Expiry:      e.srv.TokenExpiry(tok),
		Extra: map[string]string{
			ExtraUserID:        e.srv.UserID(),
			ExtraUsername:      e.srv.Username(),
			ExtraTokenIssuedAt: e.clock.Now().Add(-age).Format(time.RFC3339),
		},
	}
}

func image(name, alt string) publishers.Media {
	return publishers.Media{Kind: content.KindImage, MIME: "image/jpeg", AltText: alt,
		URL: "https://media.herald.example/m/" + name + ".jpg"}
}

func video(name string) publishers.Media {
	return publishers.Media{Kind: content.KindVideo, MIME: "video/mp4", Seconds: 12,
		URL: "https://media.herald.example/m/" + name + ".mp4"}
}

// requestsTotal counts every request the fake received.
func requestsTotal(srv *threadstest.Server) int {
	n := 0
	for _, e := range []string{threadstest.EndpointAuthorize, threadstest.EndpointToken, threadstest.EndpointExchange,
		threadstest.EndpointRefresh, threadstest.EndpointUser, threadstest.EndpointCreate, threadstest.EndpointPublish,
		threadstest.EndpointContainer, threadstest.EndpointMedia, threadstest.EndpointList, threadstest.EndpointLimit,
		threadstest.EndpointInsights, threadstest.EndpointReplies} {
		n += srv.Requests(e)
	}
	return n
}
