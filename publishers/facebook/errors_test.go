package facebook

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

// The error table's rows end to end: the fake answers as Graph does, Publish classifies.
// (metagraph's TestClassifyTable has one case per row with every detail.)
func TestPublishErrorsFromGraph(t *testing.T) {
	cases := []struct {
		name       string
		fault      metagraphtest.Fault
		kind       publishers.Kind
		retryAfter time.Duration
		message    string
	}{
		{"190 expired", metagraphtest.Expired(), publishers.KindAuthExpired, 0, "expired"},
		{"190 password changed", metagraphtest.AuthError(460), publishers.KindAuthExpired, 0, "password"},
		{"4 with BUC estimate", metagraphtest.RateLimited(4, 7*time.Minute), publishers.KindRateLimited, 7 * time.Minute, "rate limiting"},
		{"17 with X-App-Usage estimate", func() metagraphtest.Fault {
			f := metagraphtest.RateLimited(17, 3*time.Minute)
			f.Header = "app"
			return f
		}(), publishers.KindRateLimited, 3 * time.Minute, ""},
		{"32 with X-Page-Usage estimate", func() metagraphtest.Fault {
			f := metagraphtest.RateLimited(32, 2*time.Minute)
			f.Header = "page"
			return f
		}(), publishers.KindRateLimited, 2 * time.Minute, ""},
		{"613 without estimate", metagraphtest.RateLimited(613, 0), publishers.KindRateLimited, 15 * time.Minute, ""},
		{"80001 BUC", metagraphtest.RateLimited(80001, 19*time.Minute), publishers.KindRateLimited, 19 * time.Minute, ""},
		{"368 policy", metagraphtest.PolicyBlocked(), publishers.KindPermanent, 0, "policy reasons"},
		{"200 permission", metagraphtest.PermissionMissing(), publishers.KindPermanent, 0, "pages_manage_posts"},
		{"100 invalid", metagraphtest.InvalidParameter("(#100) Invalid parameter"), publishers.KindPermanent, 0, "Invalid parameter"},
		{"1 unknown", metagraphtest.ServerError(500), publishers.KindRetryable, 0, "temporary"},
		{"2 unavailable", metagraphtest.ServerError(503), publishers.KindRetryable, 0, "temporary"},
		{"is_transient", metagraphtest.Transient(), publishers.KindRetryable, 0, "temporary"},
		{"502 proxy after the post was sent", metagraphtest.ServerError(502), publishers.KindUnknown, 0, "may have been published"},
		{"504 proxy after the post was sent", metagraphtest.ServerError(504), publishers.KindUnknown, 0, "may have been published"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Inject(1, tc.fault.On(http.MethodPost, "feed"))
			_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "x " + tc.name})
			pe := publishertest.WantKind(t, err, tc.kind)
			if pe.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", pe.RetryAfter, tc.retryAfter)
			}
			if !strings.Contains(pe.Message, tc.message) {
				t.Errorf("message %q lacks %q", pe.Message, tc.message)
			}
		})
	}
}

// A post Graph created but never answered for: unknown, then FindPublished finds the one post
// and nothing is posted twice.
func TestAcceptThenHangIsReconciled(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	e.srv.Inject(1, metagraphtest.AcceptThenHang(http.MethodPost, "feed"))
	post := publishers.Post{Text: "Exactly once, please", ScheduledAt: e.clk.Now()}
	_, err := e.c.Publish(context.Background(), e.creds, post)
	publishertest.WantKind(t, err, publishers.KindUnknown)
	found, err := e.c.FindPublished(context.Background(), e.creds, post)
	if err != nil || found == nil {
		t.Fatalf("found %+v %v", found, err)
	}
	if n := e.srv.CreatedWithMessage("Exactly once, please"); n != 1 {
		t.Errorf("created %d times", n)
	}
	// The same for a photo post: the create is never replayed.
	e.srv.Inject(1, metagraphtest.AcceptThenHang(http.MethodPost, "photos"))
	_, err = e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "photo once", Media: []publishers.Media{image("b", "", "")}})
	publishertest.WantKind(t, err, publishers.KindUnknown)
	if n := e.srv.CreatedWithMessage("photo once"); n != 1 {
		t.Errorf("photo post created %d times", n)
	}
}

// After Graph said access returns in 7 minutes, calls with that token wait without spending a
// request; after the wait they go through.
func TestThrottledTokenWaitsWithoutCalling(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject(1, metagraphtest.RateLimited(80001, 7*time.Minute).On(http.MethodPost, "feed"))
	ctx := context.Background()
	_, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "first"})
	publishertest.WantKind(t, err, publishers.KindRateLimited)
	path := "/" + e.page.ID + "/feed"
	before := e.srv.Requests(http.MethodPost, path)
	e.clk.Advance(2 * time.Minute)
	_, err = e.c.Publish(ctx, e.creds, publishers.Post{Text: "second"})
	if pe := publishertest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter != 5*time.Minute {
		t.Errorf("retry after %s", pe.RetryAfter)
	}
	if e.srv.Requests(http.MethodPost, path) != before {
		t.Error("a throttled token still called Graph")
	}
	e.clk.Advance(6 * time.Minute)
	if _, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "third"}); err != nil {
		t.Fatal(err)
	}
	if u, ok := e.c.Graph().Usage(e.creds.AccessToken); !ok || u.Business == nil || u.App == nil {
		t.Errorf("usage %+v", u)
	}
}
