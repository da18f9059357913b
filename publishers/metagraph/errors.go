package metagraph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// GraphError is the body of a Graph API error:
// {"error":{"message","type","code","error_subcode","is_transient","error_user_title","error_user_msg","fbtrace_id"}}.
// A classified publishers.Error wraps it, so callers can look at the code with errors.As.
type GraphError struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode"`
	IsTransient bool   `json:"is_transient"`
	UserTitle   string `json:"error_user_title"`
	UserMessage string `json:"error_user_msg"`
	FBTraceID   string `json:"fbtrace_id"`
}

func (e *GraphError) Error() string {
	s := fmt.Sprintf("graph error %d", e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf("/%d", e.Subcode)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.FBTraceID != "" {
		s += " (fbtrace_id " + e.FBTraceID + ")"
	}
	return s
}

// parseGraphError reads a Graph error body; ok is false for anything else (a proxy's page).
func parseGraphError(body []byte) (*GraphError, bool) {
	var env struct {
		Error *GraphError `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || env.Error == nil || (env.Error.Code == 0 && env.Error.Message == "") {
		return nil, false
	}
	return env.Error, true
}

// CodeOf returns the Graph error code and subcode behind err, if it is a Graph error.
func CodeOf(err error) (code, subcode int, ok bool) {
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.Code, ge.Subcode, true
	}
	return 0, 0, false
}

// Default waits for rate limits whose answer does not say how long access is lost.
const (
	// DefaultRateLimitWait is for the platform and Business Use Case limits, which Meta counts
	// over a rolling hour: a quarter of it is a fair first wait.
	DefaultRateLimitWait = 15 * time.Minute
	// DefaultPublishingLimitWait is for Instagram's 24-hour publishing limit (code 9).
	DefaultPublishingLimitWait = time.Hour
	// notReadyWait is for an Instagram container that is not ready to publish (code 9007).
	notReadyWait = 30 * time.Second
)

// authReasons names the subcodes of error 190 (an access token Graph no longer accepts).
var authReasons = map[int]string{
	458: "Herald's app was removed from the account",
	459: "the account must log in to Facebook to pass a security checkpoint",
	460: "the password was changed",
	463: "the access token expired",
	464: "the account is unconfirmed",
	467: "the access token is no longer valid (the person logged out or revoked access)",
	492: "the person no longer has a role on the Page",
}

// Classify is the one table from a Graph error answer to a publishers.Error, for both networks.
// secrets are scrubbed from the network's message (the call's token, the app secret).
//
//	code (subcode)                          kind         notes
//	190 (458, 459, 460, 463, 464, 467, 492), 102   AuthExpired  the reason by subcode; reconnect
//	4 (2207051)                             Permanent    Instagram's spam restriction, not a rate limit
//	4, 17, 32, 613, 80001–80014             RateLimited  RetryAfter = estimated_time_to_regain_access
//	                                                     from X-Business-Use-Case-Usage / X-Page-Usage /
//	                                                     X-App-Usage, else Retry-After, else 15 min
//	9 (2207042)                             RateLimited  Instagram's 24-hour publishing limit; 1 h default
//	368                                     Permanent    temporarily blocked for policy reasons
//	506                                     Permanent    a duplicate of a recent post
//	10, 200–299                             Permanent    a permission is missing; the message says which
//	9007 (2207027)                          Retryable    an Instagram container not ready yet (30 s)
//	is_transient = true                     Retryable
//	1, 2, -1, -2                            Retryable    Graph's unknown or temporary errors
//	100 and any other code                  Permanent    Graph's message
//	no Graph body: 502, 504 after a create  Unknown      a proxy gave up; the post may exist
//	no Graph body: 429                      RateLimited  Retry-After or 15 min
//	no Graph body: 5xx, 408                 Retryable
//	no Graph body: other                    Permanent / Retryable (non-4xx)
func (c *Client) Classify(status int, header http.Header, body []byte, op Op, secrets []string) *publishers.Error {
	if ge, ok := parseGraphError(body); ok {
		return c.classifyGraph(status, header, ge, op, secrets)
	}
	name := c.cfg.DisplayName
	e := &publishers.Error{Network: c.cfg.Network, Status: status}
	switch {
	case (status == http.StatusBadGateway || status == http.StatusGatewayTimeout) && op == OpCreate:
		e.Kind = publishers.KindUnknown
		e.Message = name + "'s gateway timed out after the post was sent, so it may have been published; Herald will check before trying again"
	case status == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = rateLimitWait(header, 0, c.cfg.Now())
		e.Message = fmt.Sprintf("%s is rate limiting Herald; try again in %s", name, roundWait(e.RetryAfter))
	case status >= 500 || status == http.StatusRequestTimeout:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("%s had a temporary problem (HTTP %d)", name, status)
	case status >= 400:
		e.Kind = publishers.KindPermanent
		e.Message = fmt.Sprintf("%s refused the request (HTTP %d)", name, status)
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("unexpected answer from %s (HTTP %d)", name, status)
	}
	return e
}

func (c *Client) classifyGraph(status int, header http.Header, ge *GraphError, op Op, secrets []string) *publishers.Error {
	name := c.cfg.DisplayName
	text := ge.UserMessage
	if text == "" {
		text = ge.Message
	}
	// Scrub before clean: clean may cut a long message in the middle of a secret.
	text = httpapi.Clean(scrubText(text, secrets))
	// The GraphError travels with the classified error (errors.As): its texts are scrubbed too.
	ge.Message, ge.UserMessage, ge.UserTitle = httpapi.Clean(scrubText(ge.Message, secrets)), httpapi.Clean(scrubText(ge.UserMessage, secrets)), httpapi.Clean(scrubText(ge.UserTitle, secrets))
	code := strconv.Itoa(ge.Code)
	if ge.Subcode != 0 {
		code += "/" + strconv.Itoa(ge.Subcode)
	}
	e := &publishers.Error{Network: c.cfg.Network, Status: status, Code: code, Err: ge}
	with := func(s string) string {
		if text == "" {
			return s
		}
		return s + ": " + text
	}
	switch {
	case ge.Code == 190 || ge.Code == 102:
		e.Kind = publishers.KindAuthExpired
		why := authReasons[ge.Subcode]
		if why == "" {
			why = "the access token is no longer valid"
		}
		e.Message = fmt.Sprintf("%s no longer accepts this channel's access (%s); reconnect the account", name, why)
	case ge.Code == 4 && ge.Subcode == 2207051:
		e.Kind = publishers.KindPermanent
		e.Message = with(name + " restricted this action to protect its community (it looked like spam)")
	case ge.Code == 4 || ge.Code == 17 || ge.Code == 32 || ge.Code == 613 || (ge.Code >= 80001 && ge.Code <= 80014):
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = rateLimitWait(header, DefaultRateLimitWait, c.cfg.Now())
		e.Message = fmt.Sprintf("%s is rate limiting requests (%s); try again in %s", name, limitName(ge), roundWait(e.RetryAfter))
	case ge.Code == 9 && ge.Subcode == 2207042:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = rateLimitWait(header, DefaultPublishingLimitWait, c.cfg.Now())
		e.Message = fmt.Sprintf("%s's limit of posts published through the API in 24 hours is reached; try again in %s", name, roundWait(e.RetryAfter))
	case ge.Code == 368:
		e.Kind = publishers.KindPermanent
		e.Message = with(name + " has temporarily blocked this account from posting for policy reasons")
	case ge.Code == 506:
		e.Kind = publishers.KindPermanent
		e.Message = with(name + " refused a duplicate of a post made moments ago")
	case ge.Code == 10 || (ge.Code >= 200 && ge.Code <= 299):
		e.Kind = publishers.KindPermanent
		e.Message = with(name + " says Herald lacks a permission for this; reconnect the account and grant every permission asked for")
	case ge.Code == 9007 && (ge.Subcode == 2207027 || ge.Subcode == 0):
		e.Kind = publishers.KindRetryable
		e.RetryAfter = notReadyWait
		e.Message = with(name + " has not finished processing the media")
	case ge.IsTransient || ge.Code == 1 || ge.Code == 2 || ge.Code == -1 || ge.Code == -2:
		e.Kind = publishers.KindRetryable
		e.Message = with(name + " had a temporary problem")
	default:
		e.Kind = publishers.KindPermanent
		e.Message = with(name + " refused the request")
	}
	return e
}

// limitName says which limit a rate-limit code is.
func limitName(ge *GraphError) string {
	switch {
	case ge.Code == 4:
		return "the app's request limit"
	case ge.Code == 17:
		return "the account's request limit"
	case ge.Code == 32:
		return "the Page's request limit"
	case ge.Code == 613:
		return "a limit on calls within a short time"
	default:
		return "the Business Use Case limit"
	}
}

// rateLimitWait is how long a rate-limited answer asks to wait: the longest
// estimated_time_to_regain_access in the usage headers, else Retry-After, else def.
func rateLimitWait(header http.Header, def time.Duration, now time.Time) time.Duration {
	if u, ok := ParseUsage(header); ok {
		if d := u.RegainAfter(); d > 0 {
			return d
		}
	}
	if d, ok := httpapi.RetryAfter(header, now); ok && d > 0 {
		return d
	}
	if def <= 0 {
		def = DefaultRateLimitWait
	}
	return def
}

// scrubText replaces every secret in s.
func scrubText(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 8 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
