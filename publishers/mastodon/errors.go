package mastodon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// apiError is Mastodon's error body: {"error":"…","error_description":"…"}. The description is
// set by the OAuth endpoints only.
type apiError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// defaultRetryAfter is the wait when a 429 carries no usable reset time: Mastodon's windows
// are five minutes long, and a minute is a fair first guess.
const defaultRetryAfter = time.Minute

// classify is the one table from an instance's HTTP error answer to a publishers.Error. now is
// Herald's clock, used for the retry-after of a 429 when the answer has no Date header.
//
//	status             kind                     message
//	401                AuthExpired              the token was revoked or expired; reconnect
//	403                Permanent                the instance's text, or "not allowed"
//	404                Permanent                not found (the status, attachment or account is gone)
//	410                Permanent                the account is gone from the instance
//	413                Permanent                the attachment is too large for the instance
//	422                Permanent                the instance's text ("Validation failed: …")
//	408                Retryable                the instance timed out reading the request
//	429                RateLimited              RetryAfter = X-RateLimit-Reset − Date (or − now)
//	502, 504 (create)  Unknown                  a proxy gave up waiting: the status may exist
//	5xx                Retryable                (RetryAfter from Retry-After when given)
//	other 4xx          Permanent                the instance's text
//	anything else      Retryable                an unexpected answer
//
// Callers handle the statuses that are not failures for them first (a 206 while an upload is
// processed, a 404 for a status whose metrics are asked for).
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
		e.Message = "the access token was revoked or has expired; reconnect the Mastodon account"
	case status == http.StatusForbidden:
		e.Kind = publishers.KindPermanent
		e.Message = with("the Mastodon server does not allow this for the account")
	case status == http.StatusNotFound:
		e.Kind = publishers.KindPermanent
		e.Message = "not found on the Mastodon server: the status, attachment or account no longer exists"
	case status == http.StatusGone:
		e.Kind = publishers.KindPermanent
		e.Message = with("the account is gone from the Mastodon server")
	case status == http.StatusRequestEntityTooLarge:
		e.Kind = publishers.KindPermanent
		e.Message = "the attachment is larger than the Mastodon server accepts"
	case status == http.StatusUnprocessableEntity:
		e.Kind = publishers.KindPermanent
		e.Message = with("the Mastodon server rejected the post")
	case status == http.StatusRequestTimeout:
		e.Kind = publishers.KindRetryable
		e.Message = "the Mastodon server timed out reading the request"
	case status == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = retryAfter(header, now)
		e.Message = fmt.Sprintf("rate limited by the Mastodon server; try again in %s", e.RetryAfter.Round(time.Second))
	case (status == http.StatusBadGateway || status == http.StatusGatewayTimeout) && o == opCreateStatus:
		// A proxy in front of the instance stopped waiting; the instance may still have
		// created the status.
		e.Kind = publishers.KindUnknown
		e.Message = "the Mastodon server's gateway timed out after the post was sent, so it may have been published; Herald will check before trying again"
	case status >= 500 && status <= 599:
		e.Kind = publishers.KindRetryable
		e.Message = with("the Mastodon server had a temporary problem")
		if d, ok := httpapi.RetryAfter(header, now); ok {
			e.RetryAfter = d
		}
	case status >= 400 && status <= 499:
		e.Kind = publishers.KindPermanent
		e.Message = with(fmt.Sprintf("the Mastodon server refused the request (HTTP %d)", status))
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("unexpected answer from the Mastodon server (HTTP %d)", status)
	}
	return e
}

// errorText returns the error text of a Mastodon error body, made safe to show (one line,
// bounded), and the OAuth error code when the body is an RFC 6749 error. Bodies that are not
// Mastodon JSON (a proxy's HTML page) give nothing.
func errorText(body []byte) (text, code string) {
	var ae apiError
	if json.Unmarshal(body, &ae) != nil || ae.Error == "" {
		return "", ""
	}
	text = ae.Error
	if ae.Description != "" {
		// An OAuth error: the code is machine-readable, the description is for people.
		code = ae.Error
		text = ae.Description + " (" + ae.Error + ")"
	}
	return httpapi.Clean(text), code
}

// retryAfter is how long a 429 asks to wait: X-RateLimit-Reset (an ISO 8601 time) minus the
// answer's Date, so a server clock that differs from Herald's does not matter; now stands in
// for Date when it is missing. Retry-After is used when there is no reset time.
func retryAfter(header http.Header, now time.Time) time.Duration {
	base := now
	if d, err := http.ParseTime(header.Get("Date")); err == nil {
		base = d
	}
	if reset, ok := parseReset(header.Get("X-RateLimit-Reset"), base); ok {
		d := reset.Sub(base)
		if d < time.Second {
			// The window has just rolled over; a short pause is enough.
			d = time.Second
		}
		return d
	}
	if d, ok := httpapi.RetryAfter(header, now); ok {
		return d
	}
	return defaultRetryAfter
}

// parseReset reads X-RateLimit-Reset: an ISO 8601 time on Mastodon; some compatible servers
// send epoch seconds, or seconds from base.
func parseReset(v string, base time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if t, ok := parseTime(v); ok {
		return t, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	if n > 1_000_000_000 {
		return time.Unix(n, 0), true
	}
	return base.Add(time.Duration(n) * time.Second), true
}

// transportError classifies a request that got no answer (see httpapi.Network.TransportError):
// unknown once a create-status request was written, retryable otherwise.
func transportError(err error, o op, wrote bool) *publishers.Error {
	return api.TransportError(err, o == opCreateStatus, wrote)
}
