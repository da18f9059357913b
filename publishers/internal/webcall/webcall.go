// Package webcall is one HTTP exchange with a network's API, for the publishers whose secrets
// travel in the request URL (a Telegram bot token in the path, a Discord or Slack webhook URL).
//
// It does three things every such publisher needs and must not get wrong:
//
//   - it tells whether a request was written before it failed, so a publisher can report an
//     unknown outcome (the post may exist) instead of a retryable one;
//   - it stops net/http from replaying a request that would post twice;
//   - it never lets the URL reach an error: net/http's *url.Error names the URL, so a failure
//     keeps a copy whose URL went through the caller's redaction.
package webcall

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
)

// Request is one call.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Once marks a request whose repetition may publish twice (send a message, execute a
	// webhook): net/http must not replay it on a dropped kept-alive connection.
	Once bool
}

// Response is an answer, read in full (up to the limit given to Do).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Failure is a request that got no (complete) answer.
type Failure struct {
	// Wrote is true when the request had been written before the failure: the network may
	// have acted on it.
	Wrote bool
	// Timeout is true when the failure was a timeout (of the client or of the context).
	Timeout bool
	// Reason names the failure in a few words, without the URL ("timed out", "connection
	// refused").
	Reason string
	// Err is the cause with the URL redacted.
	Err error
}

func (f *Failure) Error() string { return f.Reason }
func (f *Failure) Unwrap() error { return f.Err }

// Do sends r with client and reads at most maxBody bytes of the answer. redact rewrites a URL
// for errors (it must hide every secret in it). A failure to build the request is reported
// with Wrote false.
func Do(ctx context.Context, client *http.Client, r Request, maxBody int64, redact func(string) string) (*Response, *Failure) {
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, &Failure{Reason: "the request could not be built", Err: Redacted(err, redact)}
	}
	if r.Once {
		// Without GetBody the transport cannot re-send the request by itself after a dropped
		// connection: the network may already have posted it.
		req.GetBody = nil
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, failure(err, wrote.Load(), redact)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// The network answered, so it received the request.
		return nil, failure(err, true, redact)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

func failure(err error, wrote bool, redact func(string) string) *Failure {
	f := &Failure{Wrote: wrote, Err: Redacted(err, redact)}
	var ne interface{ Timeout() bool }
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		f.Timeout = true
		f.Reason = "timed out"
		return f
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	f.Reason = Clean(Redact(err.Error(), redact))
	return f
}

// Redacted returns err with the URL of any *url.Error in it rewritten by redact. The chain
// below the *url.Error is kept (so errors.Is still finds context.DeadlineExceeded); net/http's
// lower errors name hosts and addresses, never paths or queries.
func Redacted(err error, redact func(string) string) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: ue.Err}
}

// Redact applies redact to every http(s) URL in s.
func Redact(s string, redact func(string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "http://")
		if j := strings.Index(s, "https://"); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := strings.IndexFunc(s[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '\'' })
		if end < 0 {
			end = len(s) - i
		}
		b.WriteString(s[:i])
		b.WriteString(redact(s[i : i+end]))
		s = s[i+end:]
	}
}

// Clean makes a network-supplied string fit for a one-line message: control characters become
// spaces, runs of white space one space, and it is cut at 300 characters.
func Clean(s string) string {
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

// Seconds reads a number of seconds that may have a fraction ("1.337", "30"), as Discord's
// X-RateLimit-Reset-After and the Retry-After headers give them. ok is false for anything
// else, including negative numbers.
func Seconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e7 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// RetryAfter reads a Retry-After header: seconds, or an HTTP date (measured from the answer's
// Date header when it has one, else from now).
func RetryAfter(header http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(header.Get("Retry-After"))
	if d, ok := Seconds(v); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		base := now
		if d, err := http.ParseTime(header.Get("Date")); err == nil {
			base = d
		}
		if d := t.Sub(base); d > 0 {
			return d, true
		}
		return time.Second, true
	}
	return 0, false
}
