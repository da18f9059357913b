// Package httpapi is the client side of one HTTP exchange with a network's API, shared by the
// publishers that speak to a JSON (or form) API over HTTP.
//
// It does what every such publisher needs and must not get wrong:
//
//   - it tells whether a request was written before it failed, so a publisher can report an
//     unknown outcome (the post may exist) instead of a retryable one;
//   - it stops net/http from replaying a request that would post twice;
//   - it reads at most a bounded answer;
//   - it never lets a secret in a URL reach an error: net/http's *url.Error names the URL, so a
//     failure keeps a copy whose URL went through the caller's redaction (for the publishers
//     whose secrets travel in the URL: a Telegram bot token, a Discord or Slack webhook).
//
// Around the exchange it holds what those publishers did alike: Network turns a failed exchange
// or an unreadable answer into a classified publishers.Error in the words they share; RetryAfter
// and Seconds read the waits a network asks for; Clean makes a network's text fit a message;
// Observe lets a client see every answer's rate-limit headers; TokenFailure reads a failure of
// the oauth2 package's token exchange. Each network's table of HTTP answers, its error bodies
// and its wording of what only it does stay in its package.
package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
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
	// Invalid is true when the request could not even be built (a malformed URL or method):
	// nothing was sent, and sending it again would fail the same way.
	Invalid bool
	// Err is the cause with the URL redacted.
	Err error
}

func (f *Failure) Error() string { return f.Reason }
func (f *Failure) Unwrap() error { return f.Err }

// Do sends r with client and reads at most maxBody bytes of the answer. redact rewrites a URL
// for errors (it must hide every secret in it); nil means the URL carries no secret. A failure
// to build the request is reported with Invalid true.
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
		return nil, &Failure{Invalid: true, Reason: "the request could not be built", Err: Redacted(err, redact)}
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
	f := &Failure{Wrote: wrote, Timeout: timedOut(err), Err: Redacted(err, redact)}
	f.Reason = reason(err, redact)
	return f
}

func timedOut(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// Reason names a transport failure in a few words, without the URL net/http's errors carry:
// "timed out", or the cause below the *url.Error ("dial tcp 127.0.0.1:1: connect: connection
// refused"), on one line.
func Reason(err error) string { return reason(err, nil) }

func reason(err error, redact func(string) string) string {
	if timedOut(err) {
		return "timed out"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return Clean(Redact(err.Error(), redact))
}

// Redacted returns err with the URL of any *url.Error in it rewritten by redact (err itself
// when redact is nil). The chain below the *url.Error is kept (so errors.Is still finds
// context.DeadlineExceeded); net/http's lower errors name hosts and addresses, never paths or
// queries.
func Redacted(err error, redact func(string) string) error {
	var ue *url.Error
	if redact == nil || !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: ue.Err}
}

// Redact applies redact to every http(s) URL in s (s itself when redact is nil).
func Redact(s string, redact func(string) string) string {
	if redact == nil {
		return s
	}
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
