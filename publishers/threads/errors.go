package threads

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// graphError is Meta's error object (Graph errors: {"error":{"message","type","code",
// "error_subcode","error_user_title","error_user_msg","fbtrace_id"}}), plus is_transient, which
// Graph sets on errors worth retrying.
type graphError struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode"`
	UserTitle   string `json:"error_user_title"`
	UserMsg     string `json:"error_user_msg"`
	IsTransient bool   `json:"is_transient"`
	TraceID     string `json:"fbtrace_id"`
}

// parseError reads an error body. Besides Graph's shape, the Threads OAuth endpoints have been
// seen answering a flat {"error_type","code","error_message"} or {"error_message","error_code"}
// (Instagram-style; "code" there is the HTTP status, not an error code). ok is false when the
// body is none of these (a proxy's HTML page).
func parseError(body []byte) (graphError, bool) {
	var v struct {
		Error        json.RawMessage `json:"error"`
		ErrorType    string          `json:"error_type"`
		ErrorMessage string          `json:"error_message"`
		ErrorCode    int             `json:"error_code"`
	}
	if json.Unmarshal(body, &v) != nil {
		return graphError{}, false
	}
	var g graphError
	if len(v.Error) > 0 && json.Unmarshal(v.Error, &g) == nil && (g.Message != "" || g.Code != 0) {
		return g, true
	}
	if v.ErrorMessage != "" || v.ErrorCode != 0 {
		return graphError{Message: v.ErrorMessage, Type: v.ErrorType, Code: v.ErrorCode}, true
	}
	return graphError{}, false
}

// text is the error's explanation for people: error_user_msg (written for people, in the
// request's locale) when Meta gave one, otherwise message.
func (g graphError) text() string {
	if s := httpapi.Clean(g.UserMsg); s != "" {
		return s
	}
	return httpapi.Clean(g.Message)
}

// codeString is "code" or "code/subcode", for publishers.Error.Code.
func (g graphError) codeString() string {
	if g.Code == 0 {
		return ""
	}
	s := strconv.Itoa(g.Code)
	if g.Subcode != 0 {
		s += "/" + strconv.Itoa(g.Subcode)
	}
	return s
}

// Graph error codes (Graph errors, "Error Codes"; Threads answers with the same codes).
const (
	codeUnknown         = 1   // API Unknown: possibly a temporary issue; retry
	codeService         = 2   // API Service: temporary downtime; retry
	codeMethod          = 3   // API Method: a capability or permission issue
	codeTooManyCalls    = 4   // API Too Many Calls (app throttling)
	codeUserTooMany     = 17  // API User Too Many Calls
	codePermission      = 10  // API Permission Denied
	codeNotFound        = 24  // the requested resource does not exist (seen on threads_publish)
	codePageThrottled   = 32  // page-level throttling
	codeInvalidParam    = 100 // invalid parameter
	codeSession         = 102 // API Session: the login status or token is invalid
	codeAccessToken     = 190 // access token expired or invalid
	codeAppLimit        = 341 // application limit reached
	codePolicyBlock     = 368 // temporarily blocked for policy violations
	codeDuplicate       = 506 // duplicate post
	codeCustomRateLimit = 613 // calls to this API exceeded the rate limit

	// subcodeNotReady is threads_publish's answer for a container Threads has not finished
	// preparing ("Media Not Found: The media with id … cannot be found"), as integrators report
	// it (postiz-app pull request 2047); Meta's pages do not list it. Nothing was published.
	subcodeNotReady = 4279009
)

// defaultRetryAfter is the wait after throttling that names no time: Graph's own limits are
// rolling windows of an hour (Threads' call budget is a rolling 24 hours), and a quarter of an
// hour is a fair first wait.
const defaultRetryAfter = 15 * time.Minute

// classify is the one table from a Threads error answer to a publishers.Error. It reads the
// Graph error code first and falls back on the HTTP status when the body is not Graph JSON.
//
//	answer                                     kind         message
//	190, 102 (any subcode)                     AuthExpired  the token expired or was revoked (subcode explained); reconnect
//	4, 17, 32, 613, 341, or HTTP 429           RateLimited  RetryAfter from Retry-After or X-Business-Use-Case-Usage, else 15 min
//	10, 3, 200–299                             Permanent    Threads' message: a permission is missing
//	100                                        Permanent    Threads' message (a parameter Threads refused)
//	368                                        Permanent    Threads' message (blocked for policy reasons)
//	506                                        Permanent    Threads' message (duplicate post)
//	24 with subcode 4279009 on threads_publish Retryable    Threads had not finished preparing the post
//	is_transient: true                         Retryable    Threads' message
//	1, 2                                       Retryable    Threads' message (RetryAfter from Retry-After)
//	HTTP 502, 504 without Graph JSON, publish  Unknown      a gateway gave up waiting: the post may exist
//	HTTP 5xx                                   Retryable    Threads' message or "a temporary problem"
//	HTTP 401 without Graph JSON                AuthExpired  reconnect
//	other Graph codes, other 4xx               Permanent    Threads' message or "refused (HTTP n)"
//	anything else                              Retryable    an unexpected answer
func classify(status int, header http.Header, body []byte, o op, now time.Time) *publishers.Error {
	g, isGraph := parseError(body)
	text := g.text()
	e := &publishers.Error{Network: Name, Status: status, Code: g.codeString()}
	with := func(fallback string) string {
		if text != "" {
			return text
		}
		return fallback
	}
	code := g.Code
	switch {
	case code == codeAccessToken || code == codeSession:
		e.Kind = publishers.KindAuthExpired
		e.Message = "Threads no longer accepts Herald's access to this account (" + tokenReason(g.Subcode) + "). Reconnect the Threads account."
	case code == codeTooManyCalls || code == codeUserTooMany || code == codePageThrottled ||
		code == codeCustomRateLimit || code == codeAppLimit || (code == 0 && status == http.StatusTooManyRequests):
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = retryAfter(header, now)
		e.Message = fmt.Sprintf("Threads is limiting Herald's requests (%s); Herald will try again in %s.",
			with("too many calls"), roundWait(e.RetryAfter))
	case code == codePermission || code == codeMethod || (code >= 200 && code <= 299):
		e.Kind = publishers.KindPermanent
		e.Message = "Threads did not allow this: " + with("permission denied") +
			". The account may not have granted Herald every permission it asks for; reconnecting asks again."
	case code == codeInvalidParam:
		e.Kind = publishers.KindPermanent
		// Meta's own words ("Param text must be at most 500 characters long."): the scheduler
		// already says that the network refused the post.
		e.Message = with("Threads did not accept one of the post's parameters.")
	case code == codePolicyBlock:
		e.Kind = publishers.KindPermanent
		e.Message = "Threads has temporarily blocked this account from posting for policy reasons: " + with("blocked")
	case code == codeDuplicate:
		e.Kind = publishers.KindPermanent
		e.Message = "Threads refused a duplicate post: " + with("the same post was just published")
	case code == codeNotFound && g.Subcode == subcodeNotReady && o == opPublish:
		e.Kind = publishers.KindRetryable
		e.Message = "Threads had not finished preparing the post; Herald will try again."
	case isGraph && g.IsTransient:
		e.Kind = publishers.KindRetryable
		e.Message = with("Threads had a temporary problem")
	case code == codeUnknown || code == codeService:
		e.Kind = publishers.KindRetryable
		e.Message = with("Threads had a temporary problem")
		if d, ok := httpapi.RetryAfter(header, now); ok {
			e.RetryAfter = d
		}
	case !isGraph && o == opPublish && (status == http.StatusBadGateway || status == http.StatusGatewayTimeout):
		// A gateway in front of Threads stopped waiting; Threads may still have published.
		e.Kind = publishers.KindUnknown
		e.Message = "Threads' gateway timed out after the post was sent, so it may have been published; Herald will check before trying again."
	case status >= 500 && status <= 599:
		e.Kind = publishers.KindRetryable
		e.Message = with("Threads had a temporary problem")
		if d, ok := httpapi.RetryAfter(header, now); ok {
			e.RetryAfter = d
		}
	case !isGraph && status == http.StatusUnauthorized:
		e.Kind = publishers.KindAuthExpired
		e.Message = "Threads no longer accepts Herald's access to this account. Reconnect the Threads account."
	case isGraph || (status >= 400 && status <= 499):
		e.Kind = publishers.KindPermanent
		e.Message = with(fmt.Sprintf("Threads refused the request (HTTP %d)", status))
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("Threads gave an unexpected answer (HTTP %d).", status)
	}
	return e
}

// tokenReason explains an OAuthException subcode (Graph errors, "Authentication Error
// Subcodes") in plain words.
func tokenReason(subcode int) string {
	switch subcode {
	case 458:
		return "the app was removed from the account"
	case 459, 464:
		return "the account must sign in to Threads to confirm something"
	case 460:
		return "the account's password changed"
	case 463:
		return "the access token expired"
	case 467:
		return "the access token is no longer valid"
	case 492:
		return "the account's role changed"
	}
	return "the access token expired or was revoked"
}

// roundWait shows a wait to the second, or to the minute when it is long.
func roundWait(d time.Duration) string {
	if d >= 2*time.Minute {
		return d.Round(time.Minute).String()
	}
	return d.Round(time.Second).String()
}

// retryAfter is how long throttling asks to wait: Retry-After when sent, otherwise the longest
// estimated_time_to_regain_access of Meta's usage headers (X-Business-Use-Case-Usage; Rate
// Limits, "Business Use Case Rate Limits"), otherwise defaultRetryAfter. Meta's Threads pages
// name no header.
func retryAfter(header http.Header, now time.Time) time.Duration {
	if d, ok := httpapi.RetryAfter(header, now); ok {
		return d
	}
	if u, ok := metagraph.ParseUsage(header); ok && u.RegainAfter() > 0 {
		return u.RegainAfter()
	}
	return defaultRetryAfter
}

// transportError classifies a request that got no answer (see httpapi.Network.TransportError):
// unknown once threads_publish was written, retryable otherwise.
func transportError(err error, o op, wrote bool) *publishers.Error {
	return api.TransportError(err, o == opPublish, wrote)
}
