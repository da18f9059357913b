package x

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/x/xtest"
)

// Every answer's rate-limit headers are recorded per token and endpoint, on Herald's clock.
func TestRateLimitHeadersAreRecorded(t *testing.T) {
	srv := xtest.NewServer(t)
	xNow := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv.SetNow(func() time.Time { return xNow })
	hereNow := xNow.Add(-30 * time.Second) // Herald's clock runs 30 s behind X's
	c := testClient(t, srv, func(o *Options) { o.Now = func() time.Time { return hereNow } })
	tok := srv.NewToken("")
	creds := credsFor(srv, tok)
	creds.Expiry = hereNow.Add(time.Hour)

	if _, err := c.Publish(context.Background(), creds, publishers.Post{Text: "one", Media: []publishers.Media{image(10, "")}}); err != nil {
		t.Fatal(err)
	}
	st, ok := c.RateLimit(tok.Access, "POST /2/tweets")
	if !ok || st.Limit != 100 || st.Remaining != 99 || !st.Reset.Equal(hereNow.Add(xtest.RateWindow)) || !st.ObservedAt.Equal(hereNow) {
		t.Errorf("POST /2/tweets window %+v, %v", st, ok)
	}
	if st, ok := c.RateLimit(tok.Access, "POST /2/media/upload/:id/append"); !ok || st.Remaining != st.Limit-1 {
		t.Errorf("append window %+v, %v", st, ok)
	}
	if _, ok := c.RateLimit("another token", "POST /2/tweets"); ok {
		t.Error("another token shares the window")
	}
	q, ok := c.PostQuota(tok.Access)
	if !ok || q.Limit != xtest.DefaultDailyLimit || q.Remaining != xtest.DefaultDailyLimit-1 || !q.ResetAt.Equal(hereNow.Add(24*time.Hour)) {
		t.Errorf("quota %+v, %v", q, ok)
	}

	// An exhausted window: Wait says how long to hold the next request.
	srv.SetRateLimit("GET /2/tweets", 1)
	if _, err := c.Metrics(context.Background(), creds, []string{"1"}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.RateLimit(tok.Access, "GET /2/tweets")
	if st.Remaining != 0 || st.Wait(hereNow) != xtest.RateWindow || st.Wait(hereNow.Add(xtest.RateWindow)) != 0 {
		t.Errorf("exhausted window %+v, wait %s", st, st.Wait(hereNow))
	}
	_, err := c.Metrics(context.Background(), creds, []string{"1"})
	if pe := pubtest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter != xtest.RateWindow {
		t.Errorf("retry after %s", pe.RetryAfter)
	}
}

func TestEndpointOf(t *testing.T) {
	cases := map[[2]string]string{
		{http.MethodPost, "/2/tweets"}:                            "POST /2/tweets",
		{http.MethodGet, "/2/users/1588432706581143553/tweets"}:   "GET /2/users/:id/tweets",
		{http.MethodPost, "/2/media/upload/1146654567674/append"}: "POST /2/media/upload/:id/append",
		{http.MethodGet, "/2/users/me"}:                           "GET /2/users/me",
	}
	for in, want := range cases {
		if got := endpointOf(in[0], in[1]); got != want {
			t.Errorf("endpointOf(%v) = %q, want %q", in, got, want)
		}
	}
}

// Records of tokens no longer in use are dropped about a day after their last answer: X renews a
// channel's token every two hours, and the records must not pile up for as long as Herald runs.
func TestRateLimitRecordsExpire(t *testing.T) {
	r := newRateLimits()
	h := http.Header{}
	for k, v := range map[string]string{hRemaining: "5", hLimit: "10", hUserDayLimit: "17", hUserDayRemaining: "16"} {
		h.Set(k, v)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r.observe("old", "POST /2/tweets", h, t0)
	r.observe("current", "POST /2/tweets", h, t0.Add(recordTTL-time.Minute))
	if _, ok := r.window("old", "POST /2/tweets"); !ok {
		t.Fatal("a record younger than a day was dropped")
	}
	// The next sweep comes at most sweepEvery after the last one.
	r.observe("current", "POST /2/tweets", h, t0.Add(recordTTL-time.Minute+sweepEvery))
	if _, ok := r.window("old", "POST /2/tweets"); ok {
		t.Error("the old token's window is still recorded")
	}
	if _, ok := r.quota("old"); ok {
		t.Error("the old token's quota is still recorded")
	}
	if _, ok := r.window("current", "POST /2/tweets"); !ok {
		t.Error("the current token's window was dropped")
	}
	if q, ok := r.quota("current"); !ok || q.Limit != 17 || q.Remaining != 16 {
		t.Errorf("the current token's quota: %+v, %v", q, ok)
	}
	if len(r.windows) != 1 || len(r.quotas) != 1 {
		t.Errorf("%d windows and %d quotas kept, want 1 each", len(r.windows), len(r.quotas))
	}
}
