package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// The XRPC methods Herald calls.
const (
	nsidCreateSession  = "com.atproto.server.createSession"
	nsidRefreshSession = "com.atproto.server.refreshSession"
	nsidResolveHandle  = "com.atproto.identity.resolveHandle"
	nsidUploadBlob     = "com.atproto.repo.uploadBlob"
	nsidCreateRecord   = "com.atproto.repo.createRecord"
	nsidGetRecord      = "com.atproto.repo.getRecord"
	nsidGetPosts       = "app.bsky.feed.getPosts"
	nsidGetProfile     = "app.bsky.actor.getProfile"
)

// maxResponseBytes bounds what Herald reads from any XRPC response. The largest answer it asks
// for is 25 post views, far below this.
const maxResponseBytes = 8 << 20

// call describes one XRPC request.
type call struct {
	nsid string
	// post marks a procedure (HTTP POST); queries are GETs.
	post   bool
	base   string // the server's origin, e.g. https://bsky.social
	params url.Values
	// body is sent as JSON; raw, with rawType, is sent as it is (uploadBlob).
	body    any
	raw     []byte
	rawType string
	// token is the bearer token, if any.
	token string
	// proxy is the atproto-proxy header: the service the PDS forwards the call to.
	proxy string
	// account names whose rate-limit budget the call spends: a DID, or the identifier a person
	// typed for createSession.
	account string
	// unsafe marks a call whose lost answer leaves its effect unknown (createRecord): a
	// timeout after the request was written is KindUnknown rather than KindRetryable.
	unsafe bool
	// secrets are strings that must never appear in an error message (the app password, the
	// tokens); they are replaced should a server echo them.
	secrets []string
}

// xrpcError is the body of every XRPC error response.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// do sends one XRPC request and decodes a 2xx answer into out (when out is not nil). Every
// failure is a *publishers.Error classified by classify; do never retries.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	if err := c.paced(cl); err != nil {
		return err
	}
	u := strings.TrimRight(cl.base, "/") + "/xrpc/" + cl.nsid
	if len(cl.params) > 0 {
		u += "?" + cl.params.Encode()
	}
	method := http.MethodGet
	var body io.Reader
	ctype := ""
	if cl.post {
		method = http.MethodPost
		switch {
		case cl.raw != nil:
			body, ctype = bytes.NewReader(cl.raw), cl.rawType
		case cl.body != nil:
			b, err := json.Marshal(cl.body)
			if err != nil {
				return &publishers.Error{Network: Name, Kind: publishers.KindPermanent, Message: "Herald could not encode the request", Err: err}
			}
			body, ctype = bytes.NewReader(b), "application/json"
		}
	}
	// WroteRequest tells a request that never left (a refused connection: safe to retry) from one
	// the server may have acted on (a timeout while waiting for the answer).
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, u, body)
	if err != nil {
		return &publishers.Error{Network: Name, Kind: publishers.KindPermanent,
			Message: "the Bluesky server address is not a valid URL; reconnect the channel", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}
	if cl.proxy != "" {
		req.Header.Set("atproto-proxy", cl.proxy)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(cl, wrote.Load(), err)
	}
	defer resp.Body.Close()
	c.noteRateLimit(cl, resp.Header)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return transportError(cl, true, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			kind := publishers.KindRetryable
			if cl.unsafe {
				// The server said yes but Herald cannot read what it created.
				kind = publishers.KindUnknown
			}
			return &publishers.Error{Network: Name, Kind: kind, Status: resp.StatusCode,
				Message: "Bluesky sent an answer Herald could not read (" + cl.nsid + ")", Err: err}
		}
		return nil
	}
	var xe xrpcError
	_ = json.Unmarshal(data, &xe)
	xe.Message = redact(xe.Message, cl.secrets)
	xe.Error = redact(xe.Error, cl.secrets)
	return classify(resp.StatusCode, xe, resp.Header, c.now())
}

// transportError classifies a request that got no HTTP answer. Nothing the transport reports
// holds a token (they travel in headers, which errors do not print), so err is kept as the cause.
func transportError(cl call, wrote bool, err error) *publishers.Error {
	e := &publishers.Error{Network: Name, Err: err}
	switch {
	case !wrote:
		e.Kind = publishers.KindRetryable
		e.Message = "could not reach the Bluesky server (" + cl.nsid + "): " + shortCause(err)
	case cl.unsafe:
		e.Kind = publishers.KindUnknown
		e.Message = "Bluesky did not answer after the post was sent; it may have been created (" + shortCause(err) + ")"
	default:
		e.Kind = publishers.KindRetryable
		e.Message = "Bluesky did not answer (" + cl.nsid + "): " + shortCause(err)
	}
	return e
}

// shortCause names a transport failure without the URL that *url.Error repeats.
func shortCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "timed out"
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return "timed out"
	}
	return err.Error()
}

// Error codes Bluesky uses that decide a class on their own, whatever the HTTP status.
const (
	codeExpiredToken   = "ExpiredToken"
	codeInvalidToken   = "InvalidToken"
	codeRateLimit      = "RateLimitExceeded"
	codeRecordNotFound = "RecordNotFound"
	codeAuthFactor     = "AuthFactorTokenRequired"
)

// authCodes are the error codes that mean the session is no good: the channel must be
// reconnected. ExpiredToken is among them because it only reaches a caller when refreshing did
// not help.
var authCodes = map[string]bool{
	codeExpiredToken:     true,
	codeInvalidToken:     true,
	"AuthRequired":       true,
	"AuthMissing":        true,
	"AccountTakedown":    true,
	"AccountDeactivated": true,
}

// classify is the one table that maps an XRPC error answer to a class:
//
//	status / error code                         class
//	any ExpiredToken (400)                      AuthExpired; callers refresh and retry once first
//	401, or InvalidToken, AuthRequired,         AuthExpired: reconnect with an app password
//	  AuthMissing, AccountTakedown/Deactivated
//	429, or RateLimitExceeded                   RateLimited, RetryAfter from ratelimit-reset
//	5xx, 408                                    Retryable (Publish checks getRecord after a
//	                                              createRecord 5xx before saying so)
//	other 4xx (InvalidRequest, …)               Permanent, with Bluesky's message
func classify(status int, xe xrpcError, h http.Header, now time.Time) *publishers.Error {
	e := &publishers.Error{Network: Name, Status: status, Code: xe.Error}
	msg := xe.Message
	if msg == "" {
		msg = xe.Error
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	switch {
	case authCodes[xe.Error] || status == http.StatusUnauthorized:
		e.Kind = publishers.KindAuthExpired
		e.Message = "the Bluesky session is no longer valid (" + msg + "); reconnect the channel with an app password"
	case status == http.StatusTooManyRequests || xe.Error == codeRateLimit:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = retryAfter(h, now, time.Minute)
		e.Message = "Bluesky's rate limit was reached (" + msg + ")"
	case status >= 500 || status == http.StatusRequestTimeout:
		e.Kind = publishers.KindRetryable
		e.RetryAfter = retryAfter(h, now, 0)
		e.Message = "Bluesky had a temporary problem (" + msg + ")"
	default:
		e.Kind = publishers.KindPermanent
		e.Message = msg
	}
	return e
}

// retryAfter reads when to try again: ratelimit-reset (epoch seconds, Bluesky's header), else a
// standard Retry-After (seconds or an HTTP date), else def.
func retryAfter(h http.Header, now time.Time, def time.Duration) time.Duration {
	if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("ratelimit-reset")), 10, 64); err == nil {
		if d := time.Unix(reset, 0).Sub(now); d > 0 {
			return d.Round(time.Second) + time.Second
		}
		return time.Second
	}
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(ra); err == nil && t.After(now) {
			return t.Sub(now).Round(time.Second)
		}
	}
	return def
}

// redact replaces every secret in s.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// RateLimit is the budget a Bluesky server last reported for one account and method, from the
// ratelimit-* headers it sends on every response.
type RateLimit struct {
	Limit     int
	Remaining int
	// Reset is when the window ends and the budget is restored.
	Reset time.Time
	// Policy is the raw ratelimit-policy header, e.g. "3000;w=300".
	Policy string
}

type rateKey struct{ account, nsid string }

// noteRateLimit records the ratelimit-* headers of a response, whatever its status.
func (c *Client) noteRateLimit(cl call, h http.Header) {
	rem, err := strconv.Atoi(strings.TrimSpace(h.Get("ratelimit-remaining")))
	if err != nil {
		return
	}
	rl := RateLimit{Remaining: rem, Policy: h.Get("ratelimit-policy")}
	rl.Limit, _ = strconv.Atoi(strings.TrimSpace(h.Get("ratelimit-limit")))
	if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("ratelimit-reset")), 10, 64); err == nil {
		rl.Reset = time.Unix(reset, 0)
	}
	c.mu.Lock()
	c.limits[rateKey{cl.account, cl.nsid}] = rl
	c.mu.Unlock()
}

// paced refuses, without a request, a call whose budget the server said is spent until its
// reset: sending it would only earn a 429 and, on Bluesky, count against the account.
func (c *Client) paced(cl call) error {
	c.mu.Lock()
	rl, ok := c.limits[rateKey{cl.account, cl.nsid}]
	c.mu.Unlock()
	now := c.now()
	if !ok || rl.Remaining > 0 || rl.Reset.IsZero() || !now.Before(rl.Reset) {
		return nil
	}
	return &publishers.Error{Network: Name, Kind: publishers.KindRateLimited, Code: codeRateLimit,
		RetryAfter: rl.Reset.Sub(now).Round(time.Second) + time.Second,
		Message:    fmt.Sprintf("Bluesky's rate limit for %s is used up until %s", cl.nsid, rl.Reset.UTC().Format(time.RFC3339))}
}

// LastRateLimit returns the budget the server last reported for an account (its DID, or the
// identifier used to log in) and an XRPC method, e.g. "com.atproto.repo.createRecord".
func (c *Client) LastRateLimit(account, nsid string) (RateLimit, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rl, ok := c.limits[rateKey{account, nsid}]
	return rl, ok
}
