package mastodon

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

func TestRateLimitHeadersAreRecordedOnEveryAnswer(t *testing.T) {
	serverNow := time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC)
	heraldNow := serverNow.Add(time.Hour) // Herald's clock is an hour off the instance's
	srv := mastodontest.NewServer(t)
	srv.SetNow(func() time.Time { return serverNow })
	c := testClient(t, func(o *Options) { o.Now = func() time.Time { return heraldNow } })
	token := srv.NewToken("")
	creds := credsFor(srv, token)

	if _, ok := c.RateLimit(srv.URL, token); ok {
		t.Fatal("a rate limit before any request")
	}
	if _, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k", Text: "one"}); err != nil {
		t.Fatal(err)
	}
	st, ok := c.RateLimit(srv.URL+"/", token)
	if !ok {
		t.Fatal("no rate limit recorded after a successful publish")
	}
	// The instance's window ends at 12:05 its time, four minutes after its Date.
	if st.Limit != 300 || st.Remaining != 299 || !st.Reset.Equal(heraldNow.Add(4*time.Minute)) || !st.ObservedAt.Equal(heraldNow) {
		t.Errorf("rate limit %+v", st)
	}
	if st.Wait(heraldNow) != 0 {
		t.Errorf("wait %s with requests remaining", st.Wait(heraldNow))
	}

	// A 429: recorded too, and the error says how long to wait.
	srv.Inject(1, mastodontest.RateLimited(90*time.Second))
	_, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k2", Text: "two"})
	pe := pubtest.WantKind(t, err, publishers.KindRateLimited)
	if pe.RetryAfter != 90*time.Second {
		t.Errorf("retry after %s, want 90s", pe.RetryAfter)
	}
	st, _ = c.RateLimit(srv.URL, token)
	if st.Remaining != 0 || st.Wait(heraldNow) != 90*time.Second {
		t.Errorf("after the 429: %+v, wait %s", st, st.Wait(heraldNow))
	}

	// Tokens are kept apart; unauthenticated calls (app registration) count under "".
	if _, ok := c.RateLimit(srv.URL, "another token"); ok {
		t.Error("another token shares the record")
	}
	in := startOAuth()
	in.Instance = srv.URL
	if _, _, err := c.BeginOAuth(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.RateLimit(srv.URL, ""); !ok {
		t.Error("app registration's headers were not recorded")
	}
}
