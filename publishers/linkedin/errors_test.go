package linkedin

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
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// One case per row of classify's table.
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c := New(Options{Now: func() time.Time { return now }})
	dup := `{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808","errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},"status":422}`
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
		code       string
		retryAfter time.Duration
	}{
		{"401 expired", 401, nil, `{"status":401,"serviceErrorCode":65601,"code":"EXPIRED_ACCESS_TOKEN","message":"The token used in the request has expired"}`, opCreatePost, publishers.KindAuthExpired, "reconnect the channel", "EXPIRED_ACCESS_TOKEN", 0},
		{"403 missing permission", 403, nil, `{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions to access: partnerApiPostsExternal.CREATE.20260701"}`, opCreatePost, publishers.KindPermanent, "Not enough permissions to access: partnerApiPostsExternal.CREATE", "ACCESS_DENIED", 0},
		{"403 without body", 403, nil, ``, opRead, publishers.KindPermanent, "lacks a permission", "", 0},
		{"404", 404, nil, `{"status":404,"message":"Not Found"}`, opRead, publishers.KindPermanent, "not found on LinkedIn", "", 0},
		{"422 duplicate", 422, nil, dup, opCreatePost, publishers.KindPermanent, "duplicate of one already published (urn:li:share:7141138937766391808)", CodeDuplicatePost, 0},
		{"422 validation", 422, nil, `{"status":422,"code":"FIELD_MISSING","message":"/commentary :: field is required but not found and has no default value"}`, opCreatePost, publishers.KindPermanent, "/commentary :: field is required", "FIELD_MISSING", 0},
		{"400 bad request", 400, nil, `{"status":400,"code":"ILLEGAL_ARGUMENT","message":"Invalid query parameters passed to request"}`, opRead, publishers.KindPermanent, "Invalid query parameters", "ILLEGAL_ARGUMENT", 0},
		{"426 version sunset", 426, nil, `{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 202401 is not active"}`, opCreatePost, publishers.KindPermanent, "no longer serves API version " + DefaultVersion, "NONEXISTENT_VERSION", 0},
		{"408", 408, nil, ``, opCreatePost, publishers.KindRetryable, "timed out", "", 0},
		{"429 without headers", 429, nil, `{"status":429,"serviceErrorCode":101,"message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}`, opCreatePost, publishers.KindRateLimited, "gives no reset time", "101", defaultRateLimitWait},
		{"429 with a proxy's Retry-After", 429, h("Retry-After", "120"), ``, opRead, publishers.KindRateLimited, "2m0s", "", 2 * time.Minute},
		{"502 after a create", 502, nil, `<html>Bad Gateway</html>`, opCreatePost, publishers.KindUnknown, "may have been published", "", 0},
		{"504 after a create", 504, nil, ``, opCreatePost, publishers.KindUnknown, "may have been published", "", 0},
		{"502 on a read", 502, nil, `<html>Bad Gateway</html>`, opRead, publishers.KindRetryable, "temporary problem", "", 0},
		{"500", 500, nil, `{"status":500,"message":"Internal Server Error"}`, opCreatePost, publishers.KindRetryable, "Internal Server Error", "", 0},
		{"503 with Retry-After", 503, h("Retry-After", "30"), ``, opWrite, publishers.KindRetryable, "temporary problem", "", 30 * time.Second},
		{"other 4xx", 409, nil, `{"status":409,"message":"Conflict on the resource"}`, opWrite, publishers.KindPermanent, "Conflict on the resource", "", 0},
		{"unexpected status", 302, nil, ``, opRead, publishers.KindRetryable, "unexpected answer", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hd := tc.header
			if hd == nil {
				hd = http.Header{}
			}
			e := c.classify(tc.status, hd, []byte(tc.body), tc.op)
			if e.Kind != tc.kind || e.Status != tc.status || e.Network != Name || e.Code != tc.code {
				t.Errorf("classify = %+v, want kind %s code %q", e, tc.kind, tc.code)
			}
			if !strings.Contains(e.Message, tc.message) || strings.Contains(e.Message, "<html>") || strings.Contains(e.Message, "Exception") {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.message)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", e.RetryAfter, tc.retryAfter)
			}
		})
	}
}

// The same rows end to end: the fake answers, Publish classifies.
func TestPublishErrorsFromLinkedIn(t *testing.T) {
	cases := []struct {
		name  string
		fault linkedintest.Fault
		kind  publishers.Kind
		code  string
	}{
		{"expired", linkedintest.Expired(), publishers.KindAuthExpired, "EXPIRED_ACCESS_TOKEN"},
		{"forbidden", linkedintest.Forbidden(""), publishers.KindPermanent, "ACCESS_DENIED"},
		{"duplicate", linkedintest.Duplicate("urn:li:share:1"), publishers.KindPermanent, CodeDuplicatePost},
		{"rate limited", linkedintest.RateLimited(), publishers.KindRateLimited, "TOO_MANY_REQUESTS"},
		{"500", linkedintest.ServerError(500), publishers.KindRetryable, ""},
		{"503", linkedintest.ServerError(503), publishers.KindRetryable, ""},
		{"502", linkedintest.ServerError(502), publishers.KindUnknown, ""},
		{"504", linkedintest.ServerError(504), publishers.KindUnknown, ""},
	}
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.Inject(1, tc.fault.On(http.MethodPost, "/rest/posts"))
			_, err := c.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: "x " + tc.name})
			pe := pubtest.WantKind(t, err, tc.kind)
			if pe.Status != tc.fault.Status || pe.Code != tc.code {
				t.Errorf("error %+v", pe)
			}
			if tc.kind == publishers.KindRateLimited && pe.RetryAfter != defaultRateLimitWait {
				t.Errorf("retry after %s", pe.RetryAfter)
			}
		})
	}
	// LinkedIn's own duplicate check, without injection.
	creds := orgCreds(srv, 1002)
	if _, err := c.Publish(context.Background(), creds, publishers.Post{Text: "said twice"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Publish(context.Background(), creds, publishers.Post{Text: "said twice"})
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); pe.Code != CodeDuplicatePost || !strings.Contains(pe.Message, "urn:li:share:") {
		t.Errorf("duplicate: %+v", pe)
	}
	// A revoked token, and a version LinkedIn has sunset.
	revoked := orgCreds(srv, 1001)
	srv.RevokeToken(revoked.AccessToken)
	_, err = c.Publish(context.Background(), revoked, publishers.Post{Text: "revoked"})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)
	old := testClient(t, srv, func(o *Options) { o.Version = "202401" })
	_, err = old.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: "old version"})
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); pe.Status != http.StatusUpgradeRequired || pe.Code != "NONEXISTENT_VERSION" {
		t.Errorf("sunset version: %+v", pe)
	}
}

func TestTransportErrorKinds(t *testing.T) {
	timeout := &url.Error{Op: "Post", URL: "https://api.linkedin.com/rest/posts", Err: context.DeadlineExceeded}
	reset := &url.Error{Op: "Post", URL: "https://api.linkedin.com/rest/posts", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	cases := []struct {
		name  string
		err   error
		op    op
		wrote bool
		kind  publishers.Kind
	}{
		{"create, timeout after writing", timeout, opCreatePost, true, publishers.KindUnknown},
		{"create, reset after writing", reset, opCreatePost, true, publishers.KindUnknown},
		{"create, failed before writing", reset, opCreatePost, false, publishers.KindRetryable},
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

func TestTokenEndpointErrors(t *testing.T) {
	srv := linkedintest.NewServer(t)
	ctx := context.Background()
	// A wrong secret is a configuration problem, said plainly and without the secret.
	bad := testClient(t, srv, func(o *Options) { o.App.ClientSecret = "wrong-secret-value" })
	in := startOAuth()
	authURL, pending, _ := bad.BeginOAuth(ctx, in)
	back, _ := srv.Authorize(authURL)
	u, _ := url.Parse(back)
	_, _, err := bad.CompleteOAuth(ctx, in, pending, u.Query().Get("code"))
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "invalid_client" || !strings.Contains(pe.Message, "HERALD_LINKEDIN_CLIENT_SECRET") || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("invalid client: %+v", pe)
	}
	// The token endpoint failing or throttling is not the person's fault.
	c := testClient(t, srv)
	for _, f := range []linkedintest.Fault{linkedintest.ServerError(503), linkedintest.RateLimited()} {
		srv.Inject(1, f.On(http.MethodPost, "/oauth/v2/accessToken"))
		_, _, err := c.CompleteOAuth(ctx, in, pending, "code")
		if k := publishers.KindOf(err); k != publishers.KindRetryable && k != publishers.KindRateLimited {
			t.Errorf("%d: kind %s", f.Status, k)
		}
	}
}

// A Retry-After date (from a proxy: LinkedIn documents none) is measured from the answer's Date,
// so a clock that differs from the proxy's does not change the wait.
func TestRetryAfterDateIsMeasuredFromTheAnswer(t *testing.T) {
	herald := time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC) // ten minutes ahead of the proxy
	c := New(Options{Now: func() time.Time { return herald }})
	h := http.Header{}
	h.Set("Date", "Sun, 01 Mar 2026 12:00:00 GMT")
	h.Set("Retry-After", "Sun, 01 Mar 2026 12:00:30 GMT")
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		if e := c.classify(status, h, nil, opRead); e.RetryAfter != 30*time.Second {
			t.Errorf("HTTP %d: retry after %s, want 30s", status, e.RetryAfter)
		}
	}
}
