package telegram

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// defaultRetryAfter is the wait for a 429 that says nothing of how long: Telegram's limits are
// per second and per minute, so a minute is safe.
const defaultRetryAfter = time.Minute

// The messages that say a channel needs a person's attention. They name no token.
const (
	msgTokenRevoked = "Telegram no longer accepts the bot's token (it was revoked or regenerated in @BotFather); reconnect the channel with the bot's current token"
	msgBotRemoved   = "the bot was removed from the chat; add it back as an administrator allowed to post messages, then reconnect the channel"
	msgNoRights     = "the bot is no longer allowed to post in the chat; make it an administrator with the right to post messages, then reconnect the channel"
	msgMigrated     = "the group was upgraded to a supergroup and has a new id; reconnect the channel"
)

// classify is the one table from a Bot API error answer to a publishers.Error. status is the
// HTTP status; ar is the decoded body (zero when the body was not the Bot API's JSON, such as
// a proxy's error page). The Bot API sets error_code to the HTTP status and starts description
// with the status text ("Bad Request: chat not found").
//
//	error_code / description                              kind          message
//	429 (parameters.retry_after)                          RateLimited   RetryAfter = retry_after s (Retry-After header, else 1 min)
//	401 Unauthorized                                      AuthExpired   the token was revoked; reconnect
//	404 Not Found (a malformed or deleted token)          AuthExpired   the token was revoked; reconnect
//	403 "bot was kicked", "bot is not a member"           AuthExpired   the bot was removed from the chat
//	400/403 "not enough rights", "need administrator      AuthExpired   the bot may no longer post
//	    rights", "have no rights", CHAT_WRITE_FORBIDDEN
//	400 with parameters.migrate_to_chat_id                AuthExpired   the group became a supergroup
//	400 "chat not found"                                  Permanent     Telegram cannot find the chat
//	400 "message is too long", "caption is too long"      Permanent     too long for Telegram
//	other 400, 403, 409, 413 and other 4xx                Permanent     Telegram's description, in plain words
//	502, 504 after a send                                 Unknown       a gateway gave up waiting: it may be posted
//	5xx                                                   Retryable     Telegram had a temporary problem
//	anything else                                         Retryable     an unexpected answer
func classify(status int, header http.Header, ar apiResponse, o op, now time.Time) *publishers.Error {
	code := ar.ErrorCode
	if code == 0 {
		code = status
	}
	desc := httpapi.Clean(ar.Description)
	lower := strings.ToLower(desc)
	e := &publishers.Error{Network: Name, Status: code, Code: desc}
	switch {
	case code == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = defaultRetryAfter
		if ar.Parameters != nil && ar.Parameters.RetryAfter > 0 {
			e.RetryAfter = time.Duration(ar.Parameters.RetryAfter) * time.Second
		} else if d, ok := httpapi.RetryAfter(header, now); ok {
			e.RetryAfter = d
		}
		e.Message = fmt.Sprintf("Telegram limits how fast a bot may post; try again in %s", e.RetryAfter.Round(time.Second))
	case code == http.StatusUnauthorized || code == http.StatusNotFound:
		e.Kind = publishers.KindAuthExpired
		e.Message = msgTokenRevoked
	case strings.Contains(lower, "bot was kicked") || strings.Contains(lower, "bot is not a member") ||
		strings.Contains(lower, "bot was blocked"):
		e.Kind = publishers.KindAuthExpired
		e.Message = msgBotRemoved
	case strings.Contains(lower, "not enough rights") || strings.Contains(lower, "need administrator rights") ||
		strings.Contains(lower, "have no rights") || strings.Contains(lower, "chat_write_forbidden"):
		e.Kind = publishers.KindAuthExpired
		e.Message = msgNoRights
	case ar.Parameters != nil && ar.Parameters.MigrateToChatID != 0:
		e.Kind = publishers.KindAuthExpired
		e.Message = msgMigrated
	case strings.Contains(lower, "chat not found"):
		e.Kind = publishers.KindPermanent
		e.Message = "Telegram cannot find the chat: it was deleted, or the bot can no longer see it"
	case strings.Contains(lower, "caption is too long"):
		e.Kind = publishers.KindPermanent
		e.Message = "the text is too long for a Telegram caption (1,024 characters with an attachment)"
	case strings.Contains(lower, "message is too long"):
		e.Kind = publishers.KindPermanent
		e.Message = "the text is too long for a Telegram message (4,096 characters)"
	case (code == http.StatusBadGateway || code == http.StatusGatewayTimeout) && o == opSend:
		e.Kind = publishers.KindUnknown
		e.Message = "Telegram's gateway timed out after the post was sent, so it may have been published; check the channel"
	case code >= 500 && code <= 599:
		e.Kind = publishers.KindRetryable
		e.Message = "Telegram had a temporary problem"
		if d, ok := httpapi.RetryAfter(header, now); ok {
			e.RetryAfter = d
		}
	case code >= 400 && code <= 499:
		e.Kind = publishers.KindPermanent
		e.Message = plain(desc, code)
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("unexpected answer from Telegram (HTTP %d)", status)
	}
	return e
}

// plain turns a Bot API description into a sentence for people: "Bad Request: message text is
// empty" becomes "Telegram refused the post: message text is empty".
func plain(desc string, code int) string {
	for _, prefix := range []string{"Bad Request: ", "Forbidden: ", "Conflict: ", "Request Entity Too Large: "} {
		desc = strings.TrimPrefix(desc, prefix)
	}
	if desc == "" {
		return fmt.Sprintf("Telegram refused the post (error %d)", code)
	}
	return "Telegram refused the post: " + desc
}

// api names Telegram in the errors httpapi builds. A bot cannot read a chat's past messages,
// so FindPublished cannot tell whether a post exists: a person is asked to check.
var api = httpapi.Network{Name: Name, Display: "Telegram", Unfindable: true}

// transportError classifies a call that got no answer: once a send was written, Telegram may
// have posted it (unknown); a request that could not be built is permanent; anything else is
// retryable.
func transportError(f *httpapi.Failure, o op) *publishers.Error { return api.Failed(f, o == opSend) }

// badAnswer reports a success answer Herald could not read. After a send the message exists
// but its id is unknown.
func badAnswer(o op, err error) *publishers.Error { return api.BadAnswer(o == opSend, err) }
