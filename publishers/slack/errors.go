package slack

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// defaultRetryAfter is the wait for a rate limit without Retry-After: Slack's tiers are per
// minute.
const defaultRetryAfter = 30 * time.Second

// errorWords are Slack's error codes in plain words, for the people who scheduled the post.
var errorWords = map[string]string{
	"channel_not_found":           "Slack cannot find the channel: it was deleted, or the app cannot see it",
	"not_in_channel":              "the Slack app is not a member of the channel; invite it with /invite @your-app",
	"is_archived":                 "the Slack channel is archived",
	"channel_is_archived":         "the Slack channel is archived",
	"msg_too_long":                "the text is too long for Slack",
	"no_text":                     "Slack needs text for this message",
	"invalid_payload":             "Slack could not read the message Herald sent",
	"action_prohibited":           "the workspace's administrators do not allow this webhook to post here",
	"restricted_action":           "the workspace does not allow the app to post in this channel",
	"user_not_found":              "Slack cannot find the user the message is addressed to",
	"too_many_attachments":        "too many attachments for one Slack message",
	"file_uploads_disabled":       "the workspace has turned off file uploads",
	"file_upload_size_restricted": "the attachment is larger than the workspace allows",
	"alt_txt_too_large":           "an attachment's alt text is longer than Slack's 1,000 characters",
}

// authErrors mean the token or the webhook no longer works: a person must reconnect the channel.
var authErrors = map[string]string{
	"invalid_auth":      "Slack does not accept the bot token any more",
	"not_authed":        "no bot token was sent to Slack",
	"account_inactive":  "the Slack app's bot was deactivated or the workspace was deleted",
	"token_revoked":     "the bot token was revoked (the app was uninstalled)",
	"token_expired":     "the bot token has expired",
	"no_permission":     "the bot token is not allowed to do this",
	"invalid_token":     "Slack does not accept the webhook any more",
	"no_service":        "the incoming webhook was removed or disabled",
	"no_team":           "the webhook's workspace no longer exists",
	"team_disabled":     "the Slack workspace was disabled",
	"ekm_access_denied": "the workspace's administrators suspended posting",
}

// transientErrors are Slack's own failures. Slack documents that after internal_error and
// fatal_error "it's possible some aspect of the operation succeeded", so after a send they mean
// an unknown outcome, never a blind retry.
var transientErrors = map[string]bool{
	"internal_error": true, "fatal_error": true, "rollup_error": true, "service_unavailable": true, "request_timeout": true,
}

// codeShape is what a Slack error code looks like (webhooks answer it as plain text).
var codeShape = regexp.MustCompile(`^[a-z][a-z0-9_]{1,60}$`)

// classify is the one table from a Slack answer, of the Web API ({"ok":false,"error":…}, mostly
// with HTTP 200) or of an incoming webhook (the code as plain text with a 4xx/5xx status), to a
// publishers.Error.
//
//	answer                                                     kind          message
//	HTTP 429, or ratelimited / rate_limited                     RateLimited   RetryAfter from Retry-After (30 s without)
//	invalid_auth, not_authed, account_inactive, token_revoked,  AuthExpired   the token or webhook no longer works; reconnect
//	  token_expired, no_permission, invalid_token, no_service,
//	  no_team, team_disabled, ekm_access_denied
//	missing_scope                                               AuthExpired   the app lacks the scope Slack names; add it, reinstall, reconnect
//	channel_not_found, not_in_channel, is_archived,             Permanent     in plain words (errorWords)
//	  channel_is_archived, msg_too_long, no_text,
//	  invalid_payload, action_prohibited, restricted_action, …
//	internal_error, fatal_error, rollup_error, … after a send   Unknown       it may be posted; Herald checks
//	the same on any other call                                  Retryable     Slack had a temporary problem
//	HTTP 502, 504 after a send                                  Unknown       a gateway gave up waiting: it may be posted
//	HTTP 5xx                                                    Retryable     Slack had a temporary problem
//	any other error code                                        Permanent     "Slack refused the post (code)"
//	anything else (an unreadable answer)                        Retryable     an unexpected answer
func classify(status int, header http.Header, env apiResponse, o op, now time.Time) *publishers.Error {
	code := env.Error
	e := &publishers.Error{Network: Name, Status: status, Code: code}
	switch {
	case status == http.StatusTooManyRequests || code == "ratelimited" || code == "rate_limited":
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = defaultRetryAfter
		if d, ok := httpapi.RetryAfter(header, now); ok && d > 0 {
			e.RetryAfter = d
		}
		e.Message = fmt.Sprintf("Slack limits how often the app may post; try again in %s", e.RetryAfter.Round(time.Second))
	case authErrors[code] != "":
		e.Kind = publishers.KindAuthExpired
		e.Message = authErrors[code] + "; reconnect the Slack channel"
	case code == "missing_scope":
		e.Kind = publishers.KindAuthExpired
		needed := httpapi.Clean(env.Needed)
		if needed == "" {
			needed = "a permission it needs"
		}
		e.Message = "the Slack app lacks the scope " + needed + "; add it under OAuth & Permissions, reinstall the app and reconnect the channel"
	case errorWords[code] != "":
		e.Kind = publishers.KindPermanent
		e.Message = errorWords[code]
	case transientErrors[code] && o == opSend:
		e.Kind = publishers.KindUnknown
		e.Message = "Slack failed while posting (" + code + ") and says part of it may have happened, so the post may have been published; Herald will check before trying again"
	case transientErrors[code]:
		e.Kind = publishers.KindRetryable
		e.Message = "Slack had a temporary problem (" + code + ")"
	case (status == http.StatusBadGateway || status == http.StatusGatewayTimeout) && o == opSend:
		e.Kind = publishers.KindUnknown
		e.Message = "Slack's gateway timed out after the post was sent, so it may have been published; Herald will check before trying again"
	case status >= 500 && status <= 599:
		e.Kind = publishers.KindRetryable
		e.Message = "Slack had a temporary problem"
		if d, ok := httpapi.RetryAfter(header, now); ok {
			e.RetryAfter = d
		}
	case code != "":
		e.Kind = publishers.KindPermanent
		e.Message = "Slack refused the post (" + strings.ReplaceAll(httpapi.Clean(code), "_", " ") + ")"
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("unexpected answer from Slack (HTTP %d)", status)
	}
	return e
}

// webhookCode reads a webhook's plain-text answer as an error code ("" when it is not one).
func webhookCode(body []byte) string {
	s := strings.TrimSpace(string(body))
	if codeShape.MatchString(s) {
		return s
	}
	return ""
}

// api names Slack in the errors httpapi builds for bot-token calls, whose posts FindPublished
// can look up; hookAPI for incoming webhooks, whose posts it cannot (a person is asked to check).
var (
	api     = httpapi.Network{Name: Name, Display: "Slack"}
	hookAPI = httpapi.Network{Name: Name, Display: "Slack", Unfindable: true}
)

// transportError classifies a Web API call that got no answer: once a send was written, Slack
// may have posted it (unknown); a request that could not be built is permanent; anything else
// is retryable.
func transportError(f *httpapi.Failure, o op) *publishers.Error { return api.Failed(f, o == opSend) }

// badAnswer reports a success Herald could not read: after a send, the post exists but its
// timestamp is unknown (see httpapi.Network.BadAnswer).
func badAnswer(o op, err error) *publishers.Error { return api.BadAnswer(o == opSend, err) }
