package mastodon

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

// One case per row of classify's table.
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	date := "Sun, 01 Mar 2026 12:00:00 GMT"
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Set(kv[i], kv[i+1])
		}
		return hd
	}
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
		{"401 revoked token", 401, nil, `{"error":"The access token was revoked"}`, opCreateStatus, publishers.KindAuthExpired, "revoked or has expired; reconnect", 0, ""},
		{"403 forbidden", 403, nil, `{"error":"Your login is currently disabled"}`, opCreateStatus, publishers.KindPermanent, "Your login is currently disabled", 0, ""},
		{"403 without body", 403, nil, ``, opRead, publishers.KindPermanent, "does not allow", 0, ""},
		{"404 on statuses", 404, nil, `{"error":"Record not found"}`, opCreateStatus, publishers.KindPermanent, "no longer exists", 0, ""},
		{"410 gone", 410, nil, ``, opRead, publishers.KindPermanent, "gone", 0, ""},
		{"413 too large", 413, nil, `<html>413</html>`, opWrite, publishers.KindPermanent, "larger than", 0, ""},
		{"422 validation", 422, nil, `{"error":"Validation failed: Text can't be blank"}`, opCreateStatus, publishers.KindPermanent, "Validation failed: Text can't be blank", 0, ""},
		{"408 request timeout", 408, nil, ``, opCreateStatus, publishers.KindRetryable, "timed out", 0, ""},
		{"429 reset relative to Date", 429, h("Date", date, "X-RateLimit-Reset", "2026-03-01T12:01:30.019685Z"), `{"error":"Too many requests"}`, opRead, publishers.KindRateLimited, "rate limited", 90*time.Second + 19685*time.Microsecond, ""},
		{"429 reset relative to now without Date", 429, h("X-RateLimit-Reset", "2026-03-01T12:05:00.000000Z"), ``, opCreateStatus, publishers.KindRateLimited, "try again in 5m0s", 5 * time.Minute, ""},
		{"429 Date differs from Herald's clock", 429, h("Date", "Sun, 01 Mar 2026 11:00:00 GMT", "X-RateLimit-Reset", "2026-03-01T11:00:20Z"), ``, opRead, publishers.KindRateLimited, "", 20 * time.Second, ""},
		{"429 reset already past", 429, h("Date", date, "X-RateLimit-Reset", "2026-03-01T11:59:00Z"), ``, opRead, publishers.KindRateLimited, "", time.Second, ""},
		{"429 Retry-After only", 429, h("Retry-After", "17"), ``, opRead, publishers.KindRateLimited, "", 17 * time.Second, ""},
		{"429 no headers", 429, nil, ``, opRead, publishers.KindRateLimited, "", defaultRetryAfter, ""},
		{"502 after a create", 502, nil, `<html>Bad Gateway</html>`, opCreateStatus, publishers.KindUnknown, "may have been published", 0, ""},
		{"504 after a create", 504, nil, ``, opCreateStatus, publishers.KindUnknown, "may have been published", 0, ""},
		{"502 on a read", 502, nil, `<html>Bad Gateway</html>`, opRead, publishers.KindRetryable, "temporary problem", 0, ""},
		{"500", 500, nil, `{"error":"Internal Server Error"}`, opCreateStatus, publishers.KindRetryable, "Internal Server Error", 0, ""},
		{"503 with Retry-After", 503, h("Retry-After", "120"), `{"error":"Unavailable"}`, opCreateStatus, publishers.KindRetryable, "Unavailable", 2 * time.Minute, ""},
		{"other 4xx", 400, nil, `{"error":"invalid_request","error_description":"Missing param"}`, opWrite, publishers.KindPermanent, "Missing param (invalid_request)", 0, "invalid_request"},
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

// The same rows end to end: the fake answers, Publish classifies.
func TestPublishErrorsFromTheInstance(t *testing.T) {
	cases := []struct {
		fault mastodontest.Fault
		kind  publishers.Kind
	}{
		{mastodontest.Revoked(), publishers.KindAuthExpired},
		{mastodontest.Fault{Status: 403, Error: "This action is not allowed"}, publishers.KindPermanent},
		{mastodontest.Fault{Status: 404, Error: "Record not found"}, publishers.KindPermanent},
		{mastodontest.Fault{Status: 422, Error: "Validation failed: Text can't be blank"}, publishers.KindPermanent},
		{mastodontest.RateLimited(time.Minute), publishers.KindRateLimited},
		{mastodontest.ServerError(500), publishers.KindRetryable},
		{mastodontest.ServerError(503), publishers.KindRetryable},
		{mastodontest.ServerError(502), publishers.KindUnknown},
		{mastodontest.ServerError(504), publishers.KindUnknown},
	}
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	for _, tc := range cases {
		t.Run(http.StatusText(tc.fault.Status), func(t *testing.T) {
			srv.Inject(1, tc.fault.On(http.MethodPost, "/api/v1/statuses"))
			_, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k-" + http.StatusText(tc.fault.Status), Text: "x"})
			pe := pubtest.WantKind(t, err, tc.kind)
			if pe.Status != tc.fault.Status {
				t.Errorf("status %d", pe.Status)
			}
			if tc.fault.Error != "" && tc.fault.Status != 401 && tc.fault.Status != 404 && !strings.Contains(pe.Message, tc.fault.Error) {
				t.Errorf("message %q lacks the instance's %q", pe.Message, tc.fault.Error)
			}
		})
	}
}

// A timeout once the request was written: unknown for the create (the post may exist),
// retryable for reads (repeating them is harmless). publishers.KindOf must agree.
func TestTimeoutsAfterWriting(t *testing.T) {
	srv := mastodontest.NewServer(t)
	creds := credsFor(srv, srv.NewToken(""))
	id := srv.AddStatus("s", time.Now()).ID
	srv.SetLatency(time.Second)
	c := testClient(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })

	_, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k", Text: "slow"})
	pubtest.WantKind(t, err, publishers.KindUnknown)
	_, err = c.Metrics(context.Background(), creds, []string{id})
	pubtest.WantKind(t, err, publishers.KindRetryable)
}

func TestTransportErrorKinds(t *testing.T) {
	timeout := &url.Error{Op: "Post", URL: "https://m.example/api/v1/statuses", Err: context.DeadlineExceeded}
	reset := &url.Error{Op: "Post", URL: "https://m.example/api/v1/statuses", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	cases := []struct {
		name  string
		err   error
		op    op
		wrote bool
		kind  publishers.Kind
	}{
		{"create, timeout after writing", timeout, opCreateStatus, true, publishers.KindUnknown},
		{"create, reset after writing", reset, opCreateStatus, true, publishers.KindUnknown},
		{"create, failed before writing", reset, opCreateStatus, false, publishers.KindRetryable},
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

func TestParseReset(t *testing.T) {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Time{
		"2026-03-01T12:05:00.019685Z": time.Date(2026, 3, 1, 12, 5, 0, 19685000, time.UTC),
		"2026-03-01T13:05:00+01:00":   time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC),
		"1772366700":                  time.Unix(1772366700, 0),
		"90":                          base.Add(90 * time.Second),
	}
	for in, want := range cases {
		got, ok := parseReset(in, base)
		if !ok || !got.Equal(want) {
			t.Errorf("parseReset(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "-5", "2026-03-01"} {
		if _, ok := parseReset(in, base); ok {
			t.Errorf("parseReset(%q) accepted", in)
		}
	}
}
