package threads

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
)

func graphBody(code, subcode int, msg string, extra ...string) string {
	s := fmt.Sprintf(`{"error":{"message":%q,"type":"OAuthException","code":%d`, msg, code)
	if subcode != 0 {
		s += fmt.Sprintf(`,"error_subcode":%d`, subcode)
	}
	for _, e := range extra {
		s += "," + e
	}
	return s + `,"fbtrace_id":"AbCdEf"}}`
}

// One case per row of classify's table (and per code of the rows that list several).
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Set(kv[i], kv[i+1])
		}
		return hd
	}
	buc := `{"25058283170449231":[{"type":"threads","call_count":100,"estimated_time_to_regain_access":42}]}`
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		op         op
		kind       publishers.Kind
		message    string
		retryAfter time.Duration
		code       string
	}{
		{"190 expired", 400, nil, graphBody(190, 463, "Error validating access token: Session has expired."), opPublish, publishers.KindAuthExpired, "the access token expired", 0, "190/463"},
		{"190 password changed", 400, nil, graphBody(190, 460, "Error validating access token"), opRead, publishers.KindAuthExpired, "password changed", 0, "190/460"},
		{"190 without subcode", 400, nil, graphBody(190, 0, "Invalid OAuth access token"), opWrite, publishers.KindAuthExpired, "Reconnect the Threads account", 0, "190"},
		{"102 session", 400, nil, graphBody(102, 0, "Session key invalid"), opRead, publishers.KindAuthExpired, "Reconnect", 0, "102"},
		{"4 with BUC header", 400, h("X-Business-Use-Case-Usage", buc), graphBody(4, 0, "(#4) Application request limit reached"), opWrite, publishers.KindRateLimited, "Application request limit reached", 42 * time.Minute, "4"},
		{"17 with Retry-After", 400, h("Retry-After", "90"), graphBody(17, 0, "(#17) User request limit reached"), opRead, publishers.KindRateLimited, "try again in 1m30s", 90 * time.Second, "17"},
		{"32 page throttled", 400, nil, graphBody(32, 0, "(#32) Page request limit reached"), opRead, publishers.KindRateLimited, "", defaultRetryAfter, "32"},
		{"613 custom rate limit", 400, nil, graphBody(613, 0, "(#613) Calls to this api have exceeded the rate limit."), opPublish, publishers.KindRateLimited, "exceeded the rate limit", defaultRetryAfter, "613"},
		{"341 app limit", 400, nil, graphBody(341, 0, "(#341) Application limit reached"), opRead, publishers.KindRateLimited, "", defaultRetryAfter, "341"},
		{"429 without Graph JSON", 429, h("Retry-After", "5"), `Too Many Requests`, opRead, publishers.KindRateLimited, "", 5 * time.Second, ""},
		{"10 permission", 400, nil, graphBody(10, 0, "(#10) Application does not have permission for this action"), opWrite, publishers.KindPermanent, "does not have permission", 0, "10"},
		{"3 method", 400, nil, graphBody(3, 0, "(#3) Application does not have the capability to make this API call."), opRead, publishers.KindPermanent, "capability", 0, "3"},
		{"200 permission", 403, nil, graphBody(200, 0, "(#200) Requires threads_content_publish permission"), opWrite, publishers.KindPermanent, "Requires threads_content_publish", 0, "200"},
		{"100 invalid parameter", 400, nil, graphBody(100, 0, "(#100) Param text must be at most 500 characters long."), opWrite, publishers.KindPermanent, "(#100) Param text must be at most 500 characters long.", 0, "100"},
		{"100 with a user message", 400, nil, graphBody(100, 2207003, "Invalid parameter", `"error_user_msg":"The image could not be downloaded."`), opWrite, publishers.KindPermanent, "The image could not be downloaded.", 0, "100/2207003"},
		{"368 policy block", 400, nil, graphBody(368, 0, "The action attempted has been deemed abusive or is otherwise disallowed"), opPublish, publishers.KindPermanent, "policy", 0, "368"},
		{"506 duplicate", 400, nil, graphBody(506, 0, "Duplicate status message"), opPublish, publishers.KindPermanent, "Duplicate", 0, "506"},
		{"24/4279009 not ready on publish", 400, nil, graphBody(24, 4279009, "The requested resource does not exist"), opPublish, publishers.KindRetryable, "had not finished preparing", 0, "24/4279009"},
		{"24/4279009 elsewhere", 400, nil, graphBody(24, 4279009, "The requested resource does not exist"), opRead, publishers.KindPermanent, "does not exist", 0, "24/4279009"},
		{"is_transient", 400, nil, graphBody(9004, 0, "Temporary failure", `"is_transient":true`), opWrite, publishers.KindRetryable, "Temporary failure", 0, "9004"},
		{"1 unknown", 500, nil, graphBody(1, 0, "An unknown error occurred"), opPublish, publishers.KindRetryable, "An unknown error occurred", 0, "1"},
		{"2 service with Retry-After", 503, h("Retry-After", "120"), graphBody(2, 0, "Service temporarily unavailable"), opRead, publishers.KindRetryable, "Service temporarily unavailable", 2 * time.Minute, "2"},
		{"502 page after publish", 502, nil, `<html>Bad Gateway</html>`, opPublish, publishers.KindUnknown, "may have been published", 0, ""},
		{"504 page after publish", 504, nil, ``, opPublish, publishers.KindUnknown, "may have been published", 0, ""},
		{"502 page on a read", 502, nil, `<html>Bad Gateway</html>`, opRead, publishers.KindRetryable, "temporary problem", 0, ""},
		{"500 page", 500, nil, `oops`, opPublish, publishers.KindRetryable, "temporary problem", 0, ""},
		{"401 without Graph JSON", 401, nil, ``, opRead, publishers.KindAuthExpired, "Reconnect", 0, ""},
		{"other Graph code", 400, nil, graphBody(2500, 0, "Unknown path components: /x"), opRead, publishers.KindPermanent, "Unknown path components", 0, "2500"},
		{"other 4xx without Graph JSON", 404, nil, `Not Found`, opRead, publishers.KindPermanent, "HTTP 404", 0, ""},
		{"flat OAuth error", 400, nil, `{"error_type":"OAuthException","code":400,"error_message":"Invalid platform app"}`, opWrite, publishers.KindPermanent, "Invalid platform app", 0, ""},
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
			if !strings.Contains(e.Message, tc.message) || strings.Contains(e.Message, "<html>") || strings.Contains(e.Message, "fbtrace") {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.message)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", e.RetryAfter, tc.retryAfter)
			}
		})
	}
}

// The same rows end to end: the fake answers, Publish classifies.
func TestPublishErrorsFromThreads(t *testing.T) {
	cases := []struct {
		name  string
		fault threadstest.Fault
		kind  publishers.Kind
		check func(t *testing.T, pe *publishers.Error)
	}{
		{"token expired on create", threadstest.TokenExpired().On(threadstest.EndpointCreate), publishers.KindAuthExpired, nil},
		{"rate limited on the quota read", threadstest.RateLimited(7).On(threadstest.EndpointLimit), publishers.KindRateLimited,
			func(t *testing.T, pe *publishers.Error) {
				if pe.RetryAfter != 7*time.Minute {
					t.Errorf("retry after %s", pe.RetryAfter)
				}
			}},
		{"rate limited on publish", threadstest.RateLimited(1).On(threadstest.EndpointPublish), publishers.KindRateLimited, nil},
		{"5xx on create", threadstest.ServerError(503).On(threadstest.EndpointCreate), publishers.KindRetryable, nil},
		{"5xx on publish, not published", threadstest.ServerError(500).On(threadstest.EndpointPublish), publishers.KindRetryable, nil},
		{"invalid parameter", threadstest.GraphError(400, 100, 0, "(#100) Param text must be at most 500 characters long.").On(threadstest.EndpointCreate), publishers.KindPermanent,
			func(t *testing.T, pe *publishers.Error) {
				if pe.Message != "(#100) Param text must be at most 500 characters long." {
					t.Errorf("message %q", pe.Message)
				}
			}},
		{"permission", threadstest.GraphError(400, 10, 0, "(#10) Application does not have permission for this action").On(threadstest.EndpointPublish), publishers.KindPermanent, nil},
		{"gateway timeout on publish", threadstest.Gateway(504).On(threadstest.EndpointPublish), publishers.KindUnknown, nil},
		{"gateway page on create", threadstest.Gateway(502).On(threadstest.EndpointCreate), publishers.KindRetryable, nil},
		{"code 1 on the status read", threadstest.GraphError(500, 1, 0, "An unknown error occurred").On(threadstest.EndpointContainer), publishers.KindRetryable, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Inject(1, tc.fault)
			_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "x " + tc.name})
			pe := pubtest.WantKind(t, err, tc.kind)
			if tc.check != nil {
				tc.check(t, pe)
			}
		})
	}
}

func TestTransportErrorKinds(t *testing.T) {
	timeout := &url.Error{Op: "Post", URL: "https://graph.threads.net/v1.0/1/threads_publish", Err: context.DeadlineExceeded}
	reset := &url.Error{Op: "Post", URL: "https://graph.threads.net/v1.0/1/threads_publish", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	cases := []struct {
		name  string
		err   error
		op    op
		wrote bool
		kind  publishers.Kind
	}{
		{"publish, timeout after writing", timeout, opPublish, true, publishers.KindUnknown},
		{"publish, reset after writing", reset, opPublish, true, publishers.KindUnknown},
		{"publish, failed before writing", reset, opPublish, false, publishers.KindRetryable},
		{"container, timeout after writing", timeout, opWrite, true, publishers.KindRetryable},
		{"read, reset after writing", reset, opRead, true, publishers.KindRetryable},
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

func TestRedactCutsQueries(t *testing.T) {
	err := redact(&url.Error{Op: "Get", URL: "https://graph.threads.net/refresh_access_token?grant_type=th_refresh_token&access_token=SECRET", Err: errors.New("boom")})
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "/refresh_access_token") {
		t.Errorf("redacted %q", err)
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2023-10-17T05:42:03+0000":  time.Date(2023, 10, 17, 5, 42, 3, 0, time.UTC),
		"2023-10-17T07:42:03+0200":  time.Date(2023, 10, 17, 5, 42, 3, 0, time.UTC),
		"2023-10-17T05:42:03.5Z":    time.Date(2023, 10, 17, 5, 42, 3, 5e8, time.UTC),
		"2023-10-17T05:42:03+00:00": time.Date(2023, 10, 17, 5, 42, 3, 0, time.UTC),
	} {
		if got, ok := parseTime(in); !ok || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := parseTime("yesterday"); ok {
		t.Error("parsed nonsense")
	}
}
