package x

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/x/xtest"
)

// One case (at least) per row of classify's table.
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	date := "Sun, 01 Mar 2026 12:00:00 UTC" // X writes UTC where HTTP says GMT
	epoch := func(d time.Duration) string { return itoa(now.Add(d).Unix()) }
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Set(kv[i], kv[i+1])
		}
		return hd
	}
	const (
		unauthorized = `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`
		duplicate    = `{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}`
		forbidden    = `{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}`
		invalid      = `{"errors":[{"parameters":{"media.media_ids":["1"]},"message":"Your media IDs are invalid."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`
		tooMany      = `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`
		usageCapped  = `{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}`
		unavailable  = `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`
		legacy       = `{"errors":[{"code":34,"message":"Sorry, that page does not exist"}]}`
	)
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		op         op
		kind       publishers.Kind
		message    string // contained in Message
		retryAfter time.Duration
		code       string
	}{
		{"401", 401, nil, unauthorized, opCreate, publishers.KindAuthExpired, "reconnect the X account", 0, ""},
		{"403 duplicate content", 403, nil, duplicate, opCreate, publishers.KindPermanent, "X refused a duplicate post", 0, "duplicate"},
		{"403 other", 403, nil, forbidden, opCreate, publishers.KindPermanent, "You are not permitted to perform this action.", 0, ""},
		{"403 without body", 403, nil, ``, opRead, publishers.KindPermanent, "does not allow", 0, ""},
		{"400 invalid request", 400, nil, invalid, opCreate, publishers.KindPermanent, "One or more parameters to your request was invalid. (Your media IDs are invalid.)", 0, "invalid-request"},
		{"404", 404, nil, legacy, opRead, publishers.KindPermanent, "Sorry, that page does not exist", 0, ""},
		{"413", 413, nil, `<html>413</html>`, opWrite, publishers.KindPermanent, "larger than X accepts", 0, ""},
		{"429 daily post cap", 429, h("Date", date, hUserDayLimit, "100", hUserDayRemaining, "0", hUserDayReset, epoch(5*time.Hour), hRemaining, "99", hReset, epoch(time.Minute)), tooMany, opCreate,
			publishers.KindRateLimited, "X's daily post limit for this account's API tier is reached; Herald retries after 2026-03-01T17:00:00Z", 5 * time.Hour, "daily_post_cap"},
		{"429 app daily cap", 429, h("Date", date, hAppDayRemaining, "0", hAppDayReset, epoch(2*time.Hour)), tooMany, opCreate,
			publishers.KindRateLimited, "Herald's X app", 2 * time.Hour, "app_daily_post_cap"},
		{"429 monthly usage cap", 429, h("Date", date), usageCapped, opRead, publishers.KindRateLimited, "monthly usage cap", defaultCapWait, "usage-capped"},
		{"429 window, reset relative to Date", 429, h("Date", date, hLimit, "100", hRemaining, "0", hReset, epoch(90*time.Second)), tooMany, opCreate,
			publishers.KindRateLimited, "try again in 1m30s", 90 * time.Second, ""},
		{"429 window, X's clock differs", 429, h("Date", "Sun, 01 Mar 2026 11:00:00 UTC", hRemaining, "0", hReset, itoa(now.Add(-time.Hour+20*time.Second).Unix())), tooMany, opRead,
			publishers.KindRateLimited, "", 20 * time.Second, ""},
		{"429 window, reset already past", 429, h("Date", date, hRemaining, "0", hReset, epoch(-time.Minute)), tooMany, opRead, publishers.KindRateLimited, "", time.Second, ""},
		{"429 Retry-After only", 429, h("Retry-After", "17"), tooMany, opRead, publishers.KindRateLimited, "", 17 * time.Second, ""},
		{"429 no headers", 429, nil, tooMany, opRead, publishers.KindRateLimited, "", defaultRetryAfter, ""},
		{"502 after a create", 502, nil, `<html>Bad Gateway</html>`, opCreate, publishers.KindUnknown, "may have been published", 0, ""},
		{"504 after a create", 504, nil, ``, opCreate, publishers.KindUnknown, "may have been published", 0, ""},
		{"502 on a read", 502, nil, `<html>Bad Gateway</html>`, opRead, publishers.KindRetryable, "temporary problem", 0, ""},
		{"503 with Retry-After", 503, h("Retry-After", "120"), unavailable, opCreate, publishers.KindRetryable, "Service Unavailable", 2 * time.Minute, ""},
		{"500", 500, nil, ``, opCreate, publishers.KindRetryable, "temporary problem", 0, ""},
		{"other 4xx", 409, nil, `{"title":"Conflict","detail":"Conflict with the resource","type":"https://api.twitter.com/2/problems/conflict"}`, opWrite, publishers.KindPermanent, "Conflict with the resource", 0, "conflict"},
		{"unexpected status", 302, nil, ``, opRead, publishers.KindRetryable, "unexpected answer", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hd := tc.header
			if hd == nil {
				hd = http.Header{}
			}
			e := classify(tc.status, hd, []byte(tc.body), tc.op, now)
			if e.Kind != tc.kind || e.Status != tc.status || e.Network != Name || e.Code != tc.code {
				t.Errorf("classify = %+v, want kind %s code %q", e, tc.kind, tc.code)
			}
			if !strings.Contains(e.Message, tc.message) || strings.Contains(e.Message, "<html>") {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.message)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", e.RetryAfter, tc.retryAfter)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The rows end to end: the fake answers POST /2/tweets, Publish classifies.
func TestPublishErrorsFromX(t *testing.T) {
	cases := []struct {
		name    string
		fault   xtest.Fault
		kind    publishers.Kind
		message string
	}{
		{"401 without a refresh token", xtest.Unauthorized(), publishers.KindAuthExpired, "reconnect"},
		{"403", xtest.Forbidden("You are not permitted to perform this action."), publishers.KindPermanent, "You are not permitted to perform this action."},
		{"400", xtest.Fault{Status: 400, Title: "Invalid Request", Detail: "One or more parameters to your request was invalid.", Type: "https://api.twitter.com/2/problems/invalid-request"}, publishers.KindPermanent, "One or more parameters"},
		{"404", xtest.Fault{Status: 404, Detail: "Could not find the resource."}, publishers.KindPermanent, "Could not find"},
		{"429 window", xtest.RateLimited(2 * time.Minute), publishers.KindRateLimited, "rate limited by X"},
		{"429 daily cap", xtest.DailyCapReached(3 * time.Hour), publishers.KindRateLimited, "X's daily post limit for this account's API tier is reached; Herald retries after"},
		{"500", xtest.ServerError(500), publishers.KindRetryable, "Internal Server Error"},
		{"503", xtest.ServerError(503), publishers.KindRetryable, "Service Unavailable"},
		{"502", xtest.ServerError(502), publishers.KindUnknown, "may have been published"},
		{"504", xtest.ServerError(504), publishers.KindUnknown, "may have been published"},
	}
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	tok := srv.NewToken("tweet.read tweet.write users.read media.write") // no offline.access: no refresh token
	creds := credsFor(srv, tok)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.Inject(1, tc.fault.On(http.MethodPost, "/2/tweets"))
			_, err := c.Publish(context.Background(), creds, publishers.Post{Text: "post " + tc.name})
			pe := pubtest.WantKind(t, err, tc.kind)
			if pe.Status != tc.fault.Status || !strings.Contains(pe.Message, tc.message) {
				t.Errorf("error %+v", pe)
			}
			switch tc.name {
			case "429 window":
				if pe.RetryAfter != 2*time.Minute {
					t.Errorf("retry after %s", pe.RetryAfter)
				}
			case "429 daily cap":
				if pe.RetryAfter != 3*time.Hour {
					t.Errorf("retry after %s", pe.RetryAfter)
				}
			}
		})
	}
	// 403 for duplicate content, as X answers a repeated text by itself.
	if _, err := c.Publish(context.Background(), creds, publishers.Post{Text: "said once"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Publish(context.Background(), creds, publishers.Post{Text: "said once"})
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); pe.Code != "duplicate" || !strings.HasPrefix(pe.Message, "X refused a duplicate post") {
		t.Errorf("duplicate: %+v", pe)
	}
	if srv.CreatedWithText("said once") != 1 {
		t.Errorf("created %d times", srv.CreatedWithText("said once"))
	}
}

// A timeout once the create was written is unknown (the post may exist); for reads, retryable.
func TestTimeoutsAfterSending(t *testing.T) {
	srv := xtest.NewServer(t)
	creds := newCreds(srv)
	id := srv.AddTweet("s", time.Now(), 0).ID
	srv.SetLatency(time.Second)
	c := testClient(t, srv, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })
	_, err := c.Publish(context.Background(), creds, publishers.Post{Text: "slow"})
	pubtest.WantKind(t, err, publishers.KindUnknown)
	_, err = c.Metrics(context.Background(), creds, []string{id})
	pubtest.WantKind(t, err, publishers.KindRetryable)
}

// A 401 renews the token once and sends the request again; the renewed credentials are written
// into creds for the scheduler to save.
func TestUnauthorizedRenewsTheTokenOnce(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	creds := newCreds(srv)
	before := *creds
	srv.ExpireToken(creds.AccessToken) // X says so before the stored expiry does
	pub, err := c.Publish(context.Background(), creds, publishers.Post{Text: "after a 401"})
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessToken == before.AccessToken || creds.RefreshToken == before.RefreshToken || creds.Get(ExtraUserID) != srv.UserID() {
		t.Errorf("credentials not renewed in place: %+v", creds)
	}
	if before.Extra[ExtraUserID] != srv.UserID() {
		t.Error("the caller's copy of the old credentials changed")
	}
	if n := srv.CreatedWithText("after a 401"); n != 1 || pub.ExternalID == "" {
		t.Errorf("created %d times", n)
	}
	if n := srv.Requests(http.MethodPost, "/2/tweets"); n != 2 {
		t.Errorf("%d create requests, want 2 (401, then the retry)", n)
	}

	// A second 401 after renewing is not retried again.
	srv.Inject(2, xtest.Unauthorized().On(http.MethodPost, "/2/tweets"))
	_, err = c.Publish(context.Background(), creds, publishers.Post{Text: "401 twice"})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)
	if g := srv.TokenGrants(); len(g) != 2 {
		t.Errorf("%d refreshes, want 2 (one per publish)", len(g))
	}

	// A refresh token X refuses: reconnect.
	srv.RevokeToken(creds.AccessToken)
	_, err = c.Publish(context.Background(), creds, publishers.Post{Text: "revoked"})
	if pe := pubtest.WantKind(t, err, publishers.KindAuthExpired); pe.Code != "invalid_grant" {
		t.Errorf("error %+v", pe)
	}
}

// A token past its stored expiry is renewed before the request, which costs no 401.
func TestExpiredTokenIsRenewedBeforeSending(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	creds := newCreds(srv)
	srv.ExpireToken(creds.AccessToken)
	creds.Expiry = time.Now().Add(-time.Minute)
	if _, err := c.Publish(context.Background(), creds, publishers.Post{Text: "fresh token"}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests(http.MethodPost, "/2/tweets"); n != 1 {
		t.Errorf("%d create requests, want 1", n)
	}
	if !creds.Expiry.After(time.Now().Add(time.Hour)) {
		t.Errorf("expiry %s", creds.Expiry)
	}
}

// A create the fake accepted and never answered is unknown, and FindPublished then finds it:
// no second post.
func TestTimeoutAfterAcceptIsUnknownAndFound(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.Inject(1, xtest.AcceptThenHang())
	c := testClient(t, srv, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	creds := newCreds(srv)
	p := publishers.Post{Text: "Did this go out? https://herald.example/a?b=1&c=2", ScheduledAt: time.Now(), Media: []publishers.Media{image(10, "")}}
	_, err := c.Publish(context.Background(), creds, p)
	pubtest.WantKind(t, err, publishers.KindUnknown)

	found, err := c.FindPublished(context.Background(), creds, p)
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	tweets := srv.Tweets()
	if len(tweets) != 1 || found.ExternalID != tweets[0].ID || found.URL != postURL(srv.Username(), tweets[0].ID) {
		t.Errorf("found %+v, fake has %+v", found, tweets)
	}
	if srv.CreatedWithText(p.Text) != 1 {
		t.Errorf("created %d times", srv.CreatedWithText(p.Text))
	}
}

// A connection dropped after the post was accepted is unknown too, and the transport must not
// send the create again on its own.
func TestConnectionDropAfterAcceptIsNotReplayed(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	creds := newCreds(srv)
	if _, err := c.Publish(context.Background(), creds, publishers.Post{Text: "warm-up"}); err != nil {
		t.Fatal(err) // a kept-alive connection the next request reuses
	}
	srv.Inject(1, xtest.AcceptThenDrop())
	_, err := c.Publish(context.Background(), creds, publishers.Post{Text: "dropped answer"})
	pubtest.WantKind(t, err, publishers.KindUnknown)
	if n := srv.CreatedWithText("dropped answer"); n != 1 {
		t.Errorf("created %d times", n)
	}
}

func TestUnreachableXIsRetryable(t *testing.T) {
	srv := xtest.NewServer(t)
	creds := newCreds(srv)
	c := testClient(t, srv)
	srv.Close()
	_, err := c.Publish(context.Background(), creds, publishers.Post{Text: "x"})
	pubtest.WantKind(t, err, publishers.KindRetryable)
}

func TestTransportErrorKinds(t *testing.T) {
	timeout := &url.Error{Op: "Post", URL: "https://api.x.com/2/tweets", Err: context.DeadlineExceeded}
	reset := &url.Error{Op: "Post", URL: "https://api.x.com/2/tweets", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	cases := []struct {
		name  string
		err   error
		op    op
		wrote bool
		kind  publishers.Kind
	}{
		{"create, timeout after writing", timeout, opCreate, true, publishers.KindUnknown},
		{"create, reset after writing", reset, opCreate, true, publishers.KindUnknown},
		{"create, failed before writing", reset, opCreate, false, publishers.KindRetryable},
		{"read, timeout after writing", timeout, opRead, true, publishers.KindRetryable},
		{"upload, reset after writing", reset, opWrite, true, publishers.KindRetryable},
	}
	for _, tc := range cases {
		err := error(transportError(tc.err, tc.op, tc.wrote))
		if got := publishers.KindOf(err); got != tc.kind {
			t.Errorf("%s: kind %s, want %s", tc.name, got, tc.kind)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: the cause is not kept", tc.name)
		}
	}
}

func TestErrorText(t *testing.T) {
	cases := map[string][2]string{
		`{"error":"invalid_grant","error_description":"Value passed for the token was invalid."}`: {"Value passed for the token was invalid. (invalid_grant)", "invalid_grant"},
		`{"errors":[{"message":"a"},{"message":"b"}]}`:                                            {"a; b", ""},
		`{"title":"Forbidden","type":"about:blank"}`:                                              {"Forbidden", ""},
		`<html>`: {"", ""},
		`{"detail":"line\nbreak` + strings.Repeat("x", 400) + `"}`: {"line break" + strings.Repeat("x", 290) + "…", ""},
	}
	for body, want := range cases {
		text, code := errorText([]byte(body))
		if text != want[0] || code != want[1] {
			t.Errorf("errorText(%.40q) = %q, %q; want %q, %q", body, text, code, want[0], want[1])
		}
	}
}
