package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// One case per row of classify's table.
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		status     int
		header     http.Header
		env        apiResponse
		op         op
		kind       publishers.Kind
		message    string
		retryAfter time.Duration
	}{
		{"429 with Retry-After", 429, http.Header{"Retry-After": {"17"}}, apiResponse{Error: "ratelimited"}, opSend, publishers.KindRateLimited, "17s", 17 * time.Second},
		{"ratelimited without header", 200, nil, apiResponse{Error: "ratelimited"}, opRead, publishers.KindRateLimited, "30s", defaultRetryAfter},
		{"webhook rate_limited", 429, http.Header{"Retry-After": {"1"}}, apiResponse{Error: "rate_limited"}, opSend, publishers.KindRateLimited, "1s", time.Second},
		{"invalid_auth", 200, nil, apiResponse{Error: "invalid_auth"}, opSend, publishers.KindAuthExpired, "reconnect", 0},
		{"account_inactive", 200, nil, apiResponse{Error: "account_inactive"}, opSend, publishers.KindAuthExpired, "deactivated", 0},
		{"token_revoked", 200, nil, apiResponse{Error: "token_revoked"}, opSend, publishers.KindAuthExpired, "uninstalled", 0},
		{"webhook no_service", 404, nil, apiResponse{Error: "no_service"}, opSend, publishers.KindAuthExpired, "removed or disabled", 0},
		{"missing_scope", 200, nil, apiResponse{Error: "missing_scope", Needed: "reactions:read"}, opRead, publishers.KindAuthExpired, "reactions:read", 0},
		{"channel_not_found", 200, nil, apiResponse{Error: "channel_not_found"}, opSend, publishers.KindPermanent, "cannot find the channel", 0},
		{"not_in_channel", 200, nil, apiResponse{Error: "not_in_channel"}, opSend, publishers.KindPermanent, "/invite", 0},
		{"msg_too_long", 200, nil, apiResponse{Error: "msg_too_long"}, opSend, publishers.KindPermanent, "too long", 0},
		{"webhook channel_is_archived", 410, nil, apiResponse{Error: "channel_is_archived"}, opSend, publishers.KindPermanent, "archived", 0},
		{"internal_error after a send", 200, nil, apiResponse{Error: "internal_error"}, opSend, publishers.KindUnknown, "may have been published", 0},
		{"fatal_error on a read", 200, nil, apiResponse{Error: "fatal_error"}, opRead, publishers.KindRetryable, "temporary", 0},
		{"502 after a send", 502, nil, apiResponse{}, opSend, publishers.KindUnknown, "may have been published", 0},
		{"503", 503, http.Header{"Retry-After": {"9"}}, apiResponse{}, opSend, publishers.KindRetryable, "temporary", 9 * time.Second},
		{"other code", 200, nil, apiResponse{Error: "cant_update_message"}, opSend, publishers.KindPermanent, "Slack refused the post (cant update message)", 0},
		{"unreadable answer", 302, nil, apiResponse{}, opRead, publishers.KindRetryable, "unexpected answer", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			e := classify(tc.status, h, tc.env, tc.op, now)
			if e.Kind != tc.kind || e.Code != tc.env.Error || e.Network != Name {
				t.Errorf("classify = %+v, want %s", e, tc.kind)
			}
			if !strings.Contains(e.Message, tc.message) {
				t.Errorf("message %q lacks %q", e.Message, tc.message)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", e.RetryAfter, tc.retryAfter)
			}
		})
	}
	if webhookCode([]byte("no_text\n")) != "no_text" || webhookCode([]byte("<html>oops</html>")) != "" {
		t.Error("webhookCode")
	}
}
