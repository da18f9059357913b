package discord

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// apiError is Discord's error body (https://discord.com/developers/docs/reference#error-messages):
// {"code":50035,"message":"Invalid Form Body","errors":{…}}, and for a 429
// {"message":"You are being rate limited.","retry_after":1.234,"global":false}.
type apiError struct {
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	Errors     json.RawMessage `json:"errors"`
	RetryAfter float64         `json:"retry_after"`
	Global     bool            `json:"global"`
}

// JSON error codes Herald acts on (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
const (
	codeUnknownChannel      = 10003
	codeUnknownWebhook      = 10015
	codeInvalidWebhookToken = 50027
	codeEmptyMessage        = 50006
	codeInvalidFormBody     = 50035
	codeEntityTooLarge      = 40005
)

const msgWebhookGone = "the Discord webhook was deleted (or its channel was); create a new webhook in the channel's settings and reconnect the channel with its URL"

// defaultRetryAfter is the wait for a 429 that says nothing of how long.
const defaultRetryAfter = 5 * time.Second

// classify is the one table from Discord's error answer to a publishers.Error.
//
//	status / code                                  kind          message
//	429, global or X-RateLimit-Scope global         RateLimited   Discord's global limit; RetryAfter = the longest of retry_after, Retry-After, X-RateLimit-Reset-After
//	429 (per route, "user" or "shared" scope)       RateLimited   this webhook's limit; RetryAfter likewise
//	401 (50027 Invalid Webhook Token)               AuthExpired   the webhook's token no longer works; reconnect
//	404 10015 Unknown Webhook, 10003 Unknown Channel AuthExpired  the webhook or its channel was deleted; reconnect
//	403 (50013 Missing Permissions, 50001 …)         Permanent     Discord's message
//	400 50035 Invalid Form Body                     Permanent     each field's reason ("content: Must be 2000 or fewer in length.")
//	400 50006 Cannot send an empty message          Permanent     Discord's message
//	413, 40005 Request entity too large             Permanent     the attachments are too large for the server
//	502, 504 after an execution                     Unknown       a gateway gave up waiting: it may be posted
//	5xx                                             Retryable     Discord had a temporary problem
//	other 4xx                                       Permanent     Discord's message
//	anything else                                   Retryable     an unexpected answer
func classify(status int, header http.Header, body []byte, o op, now time.Time) *publishers.Error {
	var ae apiError
	_ = json.Unmarshal(body, &ae)
	e := &publishers.Error{Network: Name, Status: status}
	if ae.Code != 0 {
		e.Code = strconv.Itoa(ae.Code)
	}
	msg := httpapi.Clean(ae.Message)
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = rateLimitWait(header, ae, now)
		scope := strings.ToLower(header.Get("X-RateLimit-Scope"))
		if ae.Global || scope == "global" || strings.EqualFold(header.Get("X-RateLimit-Global"), "true") {
			e.Code = "global"
			e.Message = fmt.Sprintf("Discord's global rate limit was reached; try again in %s", e.RetryAfter.Round(time.Second))
		} else {
			e.Code = "route"
			if scope == "shared" {
				e.Code = "shared"
			}
			e.Message = fmt.Sprintf("Discord's rate limit for this webhook was reached; try again in %s", e.RetryAfter.Round(time.Second))
		}
	case status == http.StatusUnauthorized || ae.Code == codeInvalidWebhookToken:
		e.Kind = publishers.KindAuthExpired
		e.Message = "Discord no longer accepts the webhook's token (the webhook was reset or deleted); reconnect the channel with the webhook's current URL"
	case ae.Code == codeUnknownWebhook || ae.Code == codeUnknownChannel:
		e.Kind = publishers.KindAuthExpired
		e.Message = msgWebhookGone
	case ae.Code == codeInvalidFormBody:
		e.Kind = publishers.KindPermanent
		e.Message = "Discord refused the post: " + formErrors(ae.Errors, msg)
	case status == http.StatusRequestEntityTooLarge || ae.Code == codeEntityTooLarge:
		e.Kind = publishers.KindPermanent
		e.Message = "the attachments are larger than this Discord server accepts"
	case (status == http.StatusBadGateway || status == http.StatusGatewayTimeout) && o == opExecute:
		e.Kind = publishers.KindUnknown
		e.Message = "Discord's gateway timed out after the post was sent, so it may have been published; check the channel"
	case status >= 500 && status <= 599:
		e.Kind = publishers.KindRetryable
		e.Message = "Discord had a temporary problem"
		if d, ok := httpapi.RetryAfter(header, now); ok {
			e.RetryAfter = d
		}
	case status >= 400 && status <= 499:
		e.Kind = publishers.KindPermanent
		if msg == "" {
			msg = fmt.Sprintf("HTTP %d", status)
		}
		e.Message = "Discord refused the post: " + msg
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("unexpected answer from Discord (HTTP %d)", status)
	}
	return e
}

// rateLimitWait is the longest of the waits a 429 gives: the body's retry_after (seconds with
// a fraction), Retry-After and X-RateLimit-Reset-After. Taking the longest errs on the side of
// not being banned for repeated 429s.
func rateLimitWait(header http.Header, ae apiError, now time.Time) time.Duration {
	var d time.Duration
	if ae.RetryAfter > 0 && ae.RetryAfter < 1e7 {
		d = time.Duration(math.Ceil(ae.RetryAfter * float64(time.Second)))
	}
	if h, ok := httpapi.RetryAfter(header, now); ok && h > d {
		d = h
	}
	if h, ok := httpapi.Seconds(header.Get("X-RateLimit-Reset-After")); ok && h > d {
		d = h
	}
	if d <= 0 {
		d = defaultRetryAfter
	}
	return d
}

// formErrors flattens Discord's nested "errors" object of a 50035 answer into
// "content: Must be 2000 or fewer in length.; embeds.0.title: …". fallback is used when there is
// nothing to flatten.
func formErrors(raw json.RawMessage, fallback string) string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if list, ok := m["_errors"].([]any); ok {
			for _, item := range list {
				if im, ok := item.(map[string]any); ok {
					if s, ok := im["message"].(string); ok && s != "" {
						if path == "" {
							out = append(out, s)
						} else {
							out = append(out, path+": "+s)
						}
					}
				}
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			if k != "_errors" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walk(p, m[k])
		}
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		walk("", v)
	}
	if len(out) == 0 {
		if fallback == "" {
			return "the message is not valid"
		}
		return fallback
	}
	return httpapi.Clean(strings.Join(out, "; "))
}

// api names Discord in the errors httpapi builds. A webhook cannot read the channel's messages,
// so FindPublished cannot tell whether a post exists: a person is asked to check.
var api = httpapi.Network{Name: Name, Display: "Discord", Unfindable: true}

// transportError classifies a call that got no answer: once an execution was written, Discord
// may have posted it (unknown); a request that could not be built is permanent; anything else is
// retryable.
func transportError(f *httpapi.Failure, o op) *publishers.Error { return api.Failed(f, o == opExecute) }

// badAnswer reports a 2xx answer Herald could not read.
func badAnswer(o op, err error) *publishers.Error { return api.BadAnswer(o == opExecute, err) }
