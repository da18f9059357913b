package metagraph

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
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

func graphBody(code, subcode int, msg string, transient bool) string {
	b := `{"error":{"message":"` + msg + `","type":"OAuthException","code":` + strconv.Itoa(code)
	if subcode != 0 {
		b += `,"error_subcode":` + strconv.Itoa(subcode)
	}
	if transient {
		b += `,"is_transient":true`
	}
	return b + `,"fbtrace_id":"AbCdEf"}}`
}

// One case per row of Classify's table.
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := New(Config{Network: "facebook", DisplayName: "Facebook", Now: func() time.Time { return now }})
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Set(kv[i], kv[i+1])
		}
		return hd
	}
	buc := h("X-Business-Use-Case-Usage", `{"1122":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":19}]}`)
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		op         Op
		kind       publishers.Kind
		message    string
		retryAfter time.Duration
		code       string
	}{
		{"190 expired", 400, nil, graphBody(190, 463, "Error validating access token: Session has expired", false), OpCreate, publishers.KindAuthExpired, "the access token expired", 0, "190/463"},
		{"190 app removed", 400, nil, graphBody(190, 458, "x", false), OpRead, publishers.KindAuthExpired, "app was removed", 0, "190/458"},
		{"190 password changed", 400, nil, graphBody(190, 460, "x", false), OpRead, publishers.KindAuthExpired, "password was changed", 0, "190/460"},
		{"190 invalid session", 400, nil, graphBody(190, 467, "x", false), OpRead, publishers.KindAuthExpired, "logged out or revoked", 0, "190/467"},
		{"190 without subcode", 400, nil, graphBody(190, 0, "Invalid OAuth access token", false), OpRead, publishers.KindAuthExpired, "reconnect", 0, "190"},
		{"102 session key", 400, nil, graphBody(102, 0, "Session key invalid", false), OpRead, publishers.KindAuthExpired, "reconnect", 0, "102"},
		{"4 spam restriction", 400, nil, graphBody(4, 2207051, "We restrict certain activity", false), OpCreate, publishers.KindPermanent, "spam", 0, "4/2207051"},
		{"4 app limit with BUC estimate", 400, buc, graphBody(4, 0, "(#4) Application request limit reached", true), OpCreate, publishers.KindRateLimited, "app's request limit", 19 * time.Minute, "4"},
		{"17 user limit without estimate", 400, nil, graphBody(17, 0, "(#17) User request limit reached", false), OpRead, publishers.KindRateLimited, "account's request limit", DefaultRateLimitWait, "17"},
		{"32 page limit with X-Page-Usage", 403, h("X-Page-Usage", `{"call_count":100,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":5}`), graphBody(32, 0, "(#32) Page request limit reached", false), OpRead, publishers.KindRateLimited, "Page's request limit", 5 * time.Minute, "32"},
		{"613 with Retry-After", 400, h("Retry-After", "90"), graphBody(613, 0, "(#613) Calls to this api have exceeded the rate limit.", false), OpRead, publishers.KindRateLimited, "short time", 90 * time.Second, "613"},
		{"80001 BUC", 400, buc, graphBody(80001, 0, "There have been too many calls to this Page", false), OpCreate, publishers.KindRateLimited, "Business Use Case", 19 * time.Minute, "80001"},
		{"80014 BUC", 400, nil, graphBody(80014, 0, "too many calls", false), OpRead, publishers.KindRateLimited, "", DefaultRateLimitWait, "80014"},
		{"9 Instagram publishing limit", 400, nil, graphBody(9, 2207042, "(#9) Application request limit reached", false), OpCreate, publishers.KindRateLimited, "24 hours", DefaultPublishingLimitWait, "9/2207042"},
		{"368 policy block", 400, nil, graphBody(368, 1390008, "You have been temporarily blocked", false), OpCreate, publishers.KindPermanent, "temporarily blocked this account from posting for policy reasons", 0, "368/1390008"},
		{"506 duplicate", 400, nil, graphBody(506, 0, "Duplicate status message", false), OpCreate, publishers.KindPermanent, "duplicate", 0, "506"},
		{"10 permission", 403, nil, graphBody(10, 0, "(#10) Application does not have permission for this action", false), OpCreate, publishers.KindPermanent, "lacks a permission", 0, "10"},
		{"200 permission", 403, nil, graphBody(200, 0, "(#200) Requires pages_manage_posts permission", false), OpCreate, publishers.KindPermanent, "pages_manage_posts", 0, "200"},
		{"299 permission", 403, nil, graphBody(299, 0, "(#299) Requires permission", false), OpRead, publishers.KindPermanent, "lacks a permission", 0, "299"},
		{"100 invalid parameter", 400, nil, graphBody(100, 0, "(#100) Invalid parameter", false), OpCreate, publishers.KindPermanent, "(#100) Invalid parameter", 0, "100"},
		{"9007 not ready", 400, nil, graphBody(9007, 2207027, "Media ID is not available", false), OpCreate, publishers.KindRetryable, "not finished processing", 30 * time.Second, "9007/2207027"},
		{"is_transient", 400, nil, graphBody(100, 0, "temporary glitch", true), OpCreate, publishers.KindRetryable, "temporary problem", 0, "100"},
		{"1 unknown error", 500, nil, graphBody(1, 0, "An unknown error has occurred.", false), OpCreate, publishers.KindRetryable, "temporary problem", 0, "1"},
		{"2 service unavailable", 503, nil, graphBody(2, 0, "Service temporarily unavailable", false), OpCreate, publishers.KindRetryable, "temporary problem", 0, "2"},
		{"-1 Instagram server error", 400, nil, graphBody(-1, 2207001, "Instagram server error", false), OpWrite, publishers.KindRetryable, "temporary problem", 0, "-1/2207001"},
		{"-2 Instagram download timeout", 400, nil, graphBody(-2, 2207003, "It takes too long to download the media", false), OpWrite, publishers.KindRetryable, "temporary problem", 0, "-2/2207003"},
		{"user message preferred", 400, nil, `{"error":{"message":"The image size is too large.","type":"OAuthException","code":36000,"error_subcode":2207004,"error_user_msg":"The image is too large to download. It should be less than 8 MiB.","fbtrace_id":"x"}}`, OpWrite, publishers.KindPermanent, "less than 8 MiB", 0, "36000/2207004"},
		{"502 proxy page after a create", 502, nil, `<html>Bad Gateway</html>`, OpCreate, publishers.KindUnknown, "may have been published", 0, ""},
		{"504 proxy page after a create", 504, nil, ``, OpCreate, publishers.KindUnknown, "may have been published", 0, ""},
		{"502 proxy page on a read", 502, nil, `<html>Bad Gateway</html>`, OpRead, publishers.KindRetryable, "temporary problem", 0, ""},
		{"500 without Graph body", 500, nil, `oops`, OpCreate, publishers.KindRetryable, "temporary problem", 0, ""},
		{"429 without Graph body", 429, h("Retry-After", "30"), ``, OpRead, publishers.KindRateLimited, "rate limiting", 30 * time.Second, ""},
		{"other 4xx without Graph body", 404, nil, `not found`, OpRead, publishers.KindPermanent, "HTTP 404", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hd := tc.header
			if hd == nil {
				hd = http.Header{}
			}
			e := c.Classify(tc.status, hd, []byte(tc.body), tc.op, nil)
			if e.Kind != tc.kind || e.Status != tc.status || e.Network != "facebook" || e.Code != tc.code {
				t.Errorf("Classify = %+v, want kind %s code %q", e, tc.kind, tc.code)
			}
			if !strings.Contains(e.Message, tc.message) || strings.Contains(e.Message, "<html>") {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.message)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", e.RetryAfter, tc.retryAfter)
			}
			if code, _, ok := CodeOf(e); strings.HasPrefix(tc.body, "{") && (!ok || code == 0) {
				t.Errorf("the Graph error is not kept for errors.As")
			}
		})
	}
}

// A token or secret Graph echoes never reaches the message, even when the message is cut.
func TestClassifyScrubsSecrets(t *testing.T) {
	c := New(Config{Network: "facebook", DisplayName: "Facebook", App: publishers.AppCredentials{ClientID: "1", ClientSecret: "app-secret-value"}})
	token := "EAAB" + strings.Repeat("x", 200)
	msg := strings.Repeat("long text ", 25) + "token " + token + " secret app-secret-value"
	e := c.Classify(400, http.Header{}, []byte(graphBody(100, 0, msg, false)), OpRead, c.scrub(Call{Token: token}))
	for _, s := range []string{token, token[:40], "app-secret-value"} {
		if strings.Contains(e.Message, s) || strings.Contains(e.Error(), s) {
			t.Errorf("a secret reached the error: %q", e.Error())
		}
	}
}

func TestTransportErrorKinds(t *testing.T) {
	c := New(Config{Network: "instagram", DisplayName: "Instagram"})
	timeout := &url.Error{Op: "Post", URL: "https://graph.facebook.com/v26.0/1/media_publish", Err: context.DeadlineExceeded}
	reset := &url.Error{Op: "Post", URL: "https://graph.facebook.com/v26.0/1/feed", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	cases := []struct {
		name  string
		err   error
		op    Op
		wrote bool
		kind  publishers.Kind
	}{
		{"create, timeout after sending", timeout, OpCreate, true, publishers.KindUnknown},
		{"create, reset after sending", reset, OpCreate, true, publishers.KindUnknown},
		{"create, failed before sending", reset, OpCreate, false, publishers.KindRetryable},
		{"container, timeout after sending", timeout, OpWrite, true, publishers.KindRetryable},
		{"read, timeout after sending", timeout, OpRead, true, publishers.KindRetryable},
	}
	for _, tc := range cases {
		err := error(c.failed(&httpapi.Failure{Wrote: tc.wrote, Reason: httpapi.Reason(tc.err), Err: tc.err}, tc.op))
		if got := publishers.KindOf(err); got != tc.kind {
			t.Errorf("%s: kind %s, want %s", tc.name, got, tc.kind)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: the cause is not kept", tc.name)
		}
	}
}

func TestParseUsage(t *testing.T) {
	h := http.Header{}
	h.Set("X-App-Usage", `{"call_count":28,"total_time":25,"total_cputime":25}`)
	h.Set("X-Business-Use-Case-Usage", `{"112130216863063":[{"type":"pages","call_count":95,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":0}],"17841400000":[{"type":"instagram","call_count":5,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":3}]}`)
	h.Set("X-Page-Usage", `{"call_count":12,"total_cputime":3,"total_time":4}`)
	u, ok := ParseUsage(h)
	if !ok || u.App == nil || u.App.CallCount != 28 || u.Page == nil || u.Page.TotalTime != 4 || len(u.Business) != 2 {
		t.Fatalf("usage %+v", u)
	}
	if u.Max() != 95 || u.RegainAfter() != 3*time.Minute {
		t.Errorf("max %v regain %v", u.Max(), u.RegainAfter())
	}
	if u.Business[0].ObjectID != "112130216863063" || u.Business[0].Type != "pages" {
		t.Errorf("business %+v", u.Business)
	}
	if _, ok := ParseUsage(http.Header{"X-App-Usage": {"not json"}}); ok {
		t.Error("garbage parsed")
	}
}

func TestNormalizeVersion(t *testing.T) {
	for in, want := range map[string]string{"v26.0": "v26.0", "23.0": "v23.0", " v24.0 ": "v24.0"} {
		if got, ok := NormalizeVersion(in); !ok || got != want {
			t.Errorf("NormalizeVersion(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "v26", "latest", "v26.0/me"} {
		if _, ok := NormalizeVersion(in); ok {
			t.Errorf("NormalizeVersion(%q) accepted", in)
		}
	}
}

// A version that is not Graph's is refused before anything is sent, the login dialog included,
// rather than calling an unintended address.
func TestInvalidVersionRefusesEveryCall(t *testing.T) {
	c := New(Config{Network: "facebook", DisplayName: "Facebook", Version: "latest", GraphURL: "http://127.0.0.1:1"})
	err := c.Get(context.Background(), "tok", "/me", nil, nil)
	if publishers.KindOf(err) != publishers.KindPermanent || !strings.Contains(publishers.Message(err), `"latest"`) {
		t.Errorf("call: %v", err)
	}
	_, err = c.AuthURL(publishers.OAuthStart{RedirectURL: "https://herald.example/cb", State: "s", Verifier: "v"}, FacebookScopes, "")
	if publishers.KindOf(err) != publishers.KindPermanent || !strings.Contains(publishers.Message(err), `"latest"`) {
		t.Errorf("AuthURL: %v", err)
	}
}
