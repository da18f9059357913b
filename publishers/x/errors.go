package x

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/heraldhq/herald/publishers"
)

// problem is X's error body. API errors are RFC 7807 problem objects ({title, detail, type,
// status}), often with an "errors" array naming what was wrong (a 400's invalid parameters); a
// few older paths answer {"errors":[{"code","message"}]}; the OAuth endpoints answer RFC 6749
// {"error","error_description"}.
type problem struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
	Status int    `json:"status"`
	Errors []struct {
		Message string `json:"message"`
		Detail  string `json:"detail"`
		Title   string `json:"title"`
	} `json:"errors"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// Defaults for waits X's headers do not give.
const (
	// defaultRetryAfter: X's request windows are 15 minutes long.
	defaultRetryAfter = 15 * time.Minute
	// defaultCapWait: a 24-hour or monthly cap without a reset time is retried the next day.
	defaultCapWait = 24 * time.Hour
)

// classify is the one table from X's HTTP error answers to a publishers.Error. now is Herald's
// clock, used for retry-after times when the answer has no Date header.
//
//	status            condition                               kind          message
//	401               (renewed once by the caller first)      AuthExpired   the token is no longer accepted; reconnect
//	403               detail says "duplicate content"         Permanent     "X refused a duplicate post" and X's detail
//	403               any other                               Permanent     X's detail ("not allowed" without one)
//	400               -                                       Permanent     X's detail and the errors it lists
//	404               -                                       Permanent     not found (the post, reply target or upload is gone)
//	413               -                                       Permanent     the attachment is too large
//	429               x-user-limit-24hour-remaining is 0      RateLimited   the account's daily post cap; RetryAfter to its reset
//	429               x-app-limit-24hour-remaining is 0       RateLimited   the app's daily post cap; RetryAfter to its reset
//	429               type …/usage-capped                     RateLimited   the project's monthly cap; RetryAfter to x-rate-limit-reset or a day
//	429               any other                               RateLimited   RetryAfter = x-rate-limit-reset − Date (Retry-After, else 15 min)
//	502, 504          on a create                             Unknown       a gateway gave up waiting: the post may exist
//	5xx               any other                               Retryable     (RetryAfter from Retry-After when given)
//	other 4xx         -                                       Permanent     X's detail
//	anything else     -                                       Retryable     an unexpected answer
//
// A failure without an answer is classified by transportError: unknown once a create request was
// written, retryable otherwise.
func classify(status int, header http.Header, body []byte, o op, now time.Time) *publishers.Error {
	text, code := errorText(body)
	e := &publishers.Error{Network: Name, Status: status, Code: code}
	with := func(fallback string) string {
		if text != "" {
			return text
		}
		return fallback
	}
	switch {
	case status == http.StatusUnauthorized:
		e.Kind = publishers.KindAuthExpired
		e.Message = "X no longer accepts this channel's access token (it was revoked, or it expired and could not be renewed); reconnect the X account"
	case status == http.StatusForbidden && strings.Contains(strings.ToLower(text), "duplicate"):
		e.Kind = publishers.KindPermanent
		e.Code = "duplicate"
		e.Message = "X refused a duplicate post: this account recently posted the same text (X said: " + text + ")"
	case status == http.StatusForbidden:
		e.Kind = publishers.KindPermanent
		e.Message = with("X does not allow this for the account")
	case status == http.StatusBadRequest:
		e.Kind = publishers.KindPermanent
		e.Message = with("X refused the request as invalid")
	case status == http.StatusNotFound:
		e.Kind = publishers.KindPermanent
		e.Message = with("not found on X: the post, the post replied to or the upload no longer exists")
	case status == http.StatusRequestEntityTooLarge:
		e.Kind = publishers.KindPermanent
		e.Message = "the attachment is larger than X accepts"
	case status == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		rateLimited(e, header, code, now)
	case (status == http.StatusBadGateway || status == http.StatusGatewayTimeout) && o == opCreate:
		// A gateway in front of X stopped waiting; X may still have created the post.
		e.Kind = publishers.KindUnknown
		e.Message = "X's gateway timed out after the post was sent, so it may have been published; Herald will check before trying again"
	case status >= 500 && status <= 599:
		e.Kind = publishers.KindRetryable
		e.Message = with("X had a temporary problem")
		if d, ok := retryAfterHeader(header, now); ok {
			e.RetryAfter = d
		}
	case status >= 400 && status <= 499:
		e.Kind = publishers.KindPermanent
		e.Message = with(fmt.Sprintf("X refused the request (HTTP %d)", status))
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("unexpected answer from X (HTTP %d)", status)
	}
	return e
}

// rateLimited fills in a 429: which limit was hit and how long to wait for it.
func rateLimited(e *publishers.Error, header http.Header, code string, now time.Time) {
	until := func(d time.Duration) string {
		return now.Add(d).UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	switch {
	case headerInt(header, hUserDayRemaining) == 0:
		e.Code = "daily_post_cap"
		e.RetryAfter = resetWait(header, hUserDayReset, now, defaultCapWait)
		e.Message = "X's daily post limit for this account's API tier is reached; Herald retries after " + until(e.RetryAfter)
	case headerInt(header, hAppDayRemaining) == 0:
		e.Code = "app_daily_post_cap"
		e.RetryAfter = resetWait(header, hAppDayReset, now, defaultCapWait)
		e.Message = "X's daily post limit for Herald's X app (shared by every connected account) is reached; Herald retries after " + until(e.RetryAfter)
	case code == "usage-capped":
		e.RetryAfter = resetWait(header, hReset, now, defaultCapWait)
		e.Message = "the monthly usage cap of Herald's X developer project is reached; raise the project's tier in the X developer portal. Herald retries after " + until(e.RetryAfter)
	default:
		e.RetryAfter = resetWait(header, hReset, now, 0)
		if e.RetryAfter == 0 {
			if d, ok := retryAfterHeader(header, now); ok {
				e.RetryAfter = d
			} else {
				e.RetryAfter = defaultRetryAfter
			}
		}
		e.Message = fmt.Sprintf("rate limited by X; try again in %s", e.RetryAfter.Round(time.Second))
	}
}

// headerInt reads an integer header; -1 when it is missing or not a number.
func headerInt(h http.Header, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	if err != nil {
		return -1
	}
	return n
}

// resetWait is how long until the epoch-seconds reset time in header name, measured from the
// answer's Date (so a difference between X's clock and Herald's does not matter; now stands in
// when Date is missing); at least a second once the reset has passed. def when the header is
// missing.
func resetWait(h http.Header, name string, now time.Time, def time.Duration) time.Duration {
	reset, ok := epochHeader(h, name)
	if !ok {
		return def
	}
	d := reset.Sub(answerTime(h, now))
	if d < time.Second {
		d = time.Second
	}
	return d
}

// epochHeader reads a header holding epoch seconds.
func epochHeader(h http.Header, name string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(h.Get(name)), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// answerTime is the answer's Date, or now without one. X writes its Date with "UTC" where HTTP
// says "GMT", which http.ParseTime does not take.
func answerTime(h http.Header, now time.Time) time.Time {
	v := h.Get("Date")
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	if t, err := time.Parse(time.RFC1123, v); err == nil {
		return t
	}
	return now
}

// retryAfterHeader reads a Retry-After header: seconds or an HTTP date.
func retryAfterHeader(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(answerTime(h, now)); d > 0 {
			return d, true
		}
		return time.Second, true
	}
	return 0, false
}

// errorText returns the explanation in an X error body, made safe to show (one line, bounded),
// and a code: the problem type's last path segment ("invalid-request", "usage-capped"), or the
// OAuth error code. Bodies that are not X JSON (a proxy's HTML page) give nothing.
func errorText(body []byte) (text, code string) {
	var p problem
	if json.Unmarshal(body, &p) != nil {
		return "", ""
	}
	if p.Error != "" {
		code = clean(p.Error)
		if p.ErrorDescription != "" {
			return clean(p.ErrorDescription + " (" + p.Error + ")"), code
		}
		return code, code
	}
	if p.Type != "" && p.Type != "about:blank" {
		if u, err := url.Parse(p.Type); err == nil {
			code = clean(u.Path[strings.LastIndexByte(u.Path, '/')+1:])
		}
	}
	text = p.Detail
	if text == "" {
		text = p.Title
	}
	var details []string
	for _, e := range p.Errors {
		m := e.Message
		if m == "" {
			m = e.Detail
		}
		if m == "" {
			m = e.Title
		}
		if m != "" && m != text && len(details) < 3 {
			details = append(details, m)
		}
	}
	switch {
	case text == "" && len(details) > 0:
		text = strings.Join(details, "; ")
	case len(details) > 0:
		text += " (" + strings.Join(details, "; ") + ")"
	}
	return clean(text), code
}

// clean makes a server-supplied string fit for a one-line message.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// transportError classifies a request that got no answer. Once a create request was written, X
// may have created the post: the outcome is unknown. Everything else (any failure before the
// request was written, any failure of a repeatable request) is retryable. The error keeps the
// cause; net/http's errors name the method and URL, which carry no secret.
func transportError(err error, o op, wrote bool) *publishers.Error {
	if o == opCreate && wrote {
		return &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: "the connection to X was lost after the post was sent, so it may have been published; Herald will check before trying again",
			Err:     err}
	}
	return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
		Message: "could not reach X (" + transportReason(err) + ")", Err: err}
}

// transportReason names a transport failure without the URL.
func transportReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out"
		}
		err = ue.Err
	}
	return clean(err.Error())
}

// unknown turns a failure of FindPublished into "cannot tell", keeping the cause (and its
// retry-after) so the scheduler can still see, by unwrapping, that the channel needs
// reconnecting or is rate limited.
func unknown(err error, msg string) error {
	e := &publishers.Error{Kind: publishers.KindUnknown, Network: Name, Message: msg, Err: err}
	var pe *publishers.Error
	if errors.As(err, &pe) {
		e.Status = pe.Status
		e.RetryAfter = pe.RetryAfter
		if pe.Message != "" {
			e.Message = msg + ": " + pe.Message
		}
	}
	return e
}
