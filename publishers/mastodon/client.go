package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Name is the network's name in the registry.
const Name = "mastodon"

// DefaultScopes are the OAuth scopes Herald asks for. "read" covers what Herald reads
// (read:accounts for verify_credentials, read:statuses for statuses and the account's
// timeline); write:statuses and write:media cover posting and uploading (and polling an upload,
// which Mastodon files under write:media). Herald never follows, favourites or deletes.
const DefaultScopes = "read write:statuses write:media"

// Defaults for Options.
const (
	defaultTimeout           = 30 * time.Second
	defaultClientName        = "Herald"
	defaultMediaPollInterval = time.Second
	defaultMediaPollTimeout  = 60 * time.Second
	// maxBody bounds what is read of any answer: statuses and accounts are a few kilobytes.
	maxBody = 4 << 20
)

// Options configure a Client.
type Options struct {
	// HTTPClient sends every request; nil means a client with a 30 s timeout. The Client wraps a
	// copy's transport to record rate-limit headers and never changes the one given.
	HTTPClient *http.Client
	// ClientName is the app name registered on each instance and shown to people on their
	// authorised-apps page ("Herald" when empty).
	ClientName string
	// Website is the app's homepage, registered with the app (optional).
	Website string
	// Scopes are the OAuth scopes requested, space separated (DefaultScopes when empty).
	Scopes string
	// Now is the clock (time.Now when nil): FindPublished's window, Refresh's expiry check and
	// retry-after computations use it.
	Now func() time.Time
	// MediaPollInterval is the first wait between polls of an attachment the instance is still
	// processing; waits grow by half up to five times this (1 s when zero).
	MediaPollInterval time.Duration
	// MediaPollTimeout is how long to wait for an attachment before giving up with a retryable
	// error (60 s when zero).
	MediaPollTimeout time.Duration
	// Logger receives warnings (a part of a thread or a first comment that failed after the post
	// was published); slog.Default() when nil. Nothing secret is ever logged.
	Logger *slog.Logger
	// OnFirstCommentError is called when the post was published but its first comment was not
	// (the failure is in the result's Warnings as well). When nil, it is logged as a warning.
	OnFirstCommentError func(ctx context.Context, post publishers.Published, err error)
}

// Client publishes to Mastodon instances. It holds no per-channel state apart from the
// rate-limit headers it last saw; one Client serves every channel and is safe for concurrent use.
type Client struct {
	opts   Options
	http   *http.Client
	limits *rateLimits
}

var (
	_ publishers.Publisher      = (*Client)(nil)
	_ publishers.OAuthConnector = (*Client)(nil)
)

// New returns a Client; zero options take the defaults documented on Options.
func New(opts Options) *Client {
	if opts.ClientName == "" {
		opts.ClientName = defaultClientName
	}
	if strings.TrimSpace(opts.Scopes) == "" {
		opts.Scopes = DefaultScopes
	}
	opts.Scopes = strings.Join(strings.Fields(opts.Scopes), " ")
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MediaPollInterval <= 0 {
		opts.MediaPollInterval = defaultMediaPollInterval
	}
	if opts.MediaPollTimeout <= 0 {
		opts.MediaPollTimeout = defaultMediaPollTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		hc.Timeout = defaultTimeout
	}
	c := &Client{opts: opts, limits: newRateLimits()}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &recordingTransport{base: base, limits: c.limits, now: opts.Now}
	c.http = &hc
	return c
}

// Meta describes Mastodon for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	return publishers.Meta{
		Name:        Name,
		DisplayName: "Mastodon",
		Connect:     publishers.ConnectOAuth2,
		Capabilities: publishers.Capabilities{
			MediaKinds:    []content.MediaKind{content.KindImage, content.KindGIF, content.KindVideo},
			Threads:       true, // a chain of self-replies (in_reply_to_id)
			FirstComment:  true, // posted as a self-reply
			Idempotency:   true, // Mastodon honours Idempotency-Key; FindPublished covers servers that do not
			FindPublished: true,
			Metrics:       []string{"likes", "reposts", "replies", "quotes"},
		},
		Rules: rules,
	}
}

// op says what a request does, for the failures its status code alone cannot classify.
type op int

const (
	// opRead is a GET: repeating it is harmless.
	opRead op = iota
	// opWrite is a POST whose repetition is harmless: registering an app, uploading an
	// attachment (an unused one is discarded by the instance), exchanging a code.
	opWrite
	// opCreateStatus is POST /api/v1/statuses: repeating it may post twice.
	opCreateStatus
)

// request is one call to an instance.
type request struct {
	op          op
	method      string
	url         string
	token       string
	body        []byte
	contentType string
	header      map[string]string
}

// response is an instance's answer, read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// session is what every authenticated call needs from a channel's credentials.
type session struct {
	instance string
	token    string
}

// session checks the stored credentials; a channel without a token or an instance cannot be used
// until someone reconnects it.
func (c *Client) session(creds *publishers.Credentials) (session, error) {
	if creds == nil || creds.AccessToken == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no access token is stored for this channel; reconnect the Mastodon account"}
	}
	inst, err := normalizeInstance(creds.Get("instance"))
	if err != nil {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "the channel's Mastodon server address is missing or invalid; reconnect the account", Err: err}
	}
	return session{instance: inst, token: creds.AccessToken}, nil
}

// send performs one request and reads the answer. Its error is already classified: a
// transport failure after a create-status request was written is KindUnknown, any other
// transport failure is retryable. HTTP error statuses are not errors here; callers classify them.
func (c *Client) send(ctx context.Context, r request) (*response, error) {
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "the request to the Mastodon server could not be built", Err: err}
	}
	if r.op == opCreateStatus {
		// Without GetBody the transport cannot replay the request on its own after a dropped
		// kept-alive connection, which it otherwise does for any request that carries an
		// Idempotency-Key header. A server that ignores the key would post twice; Herald
		// reconciles instead (FindPublished).
		req.GetBody = nil
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent())
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(err, r.op, wrote.Load())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// The instance answered, so it received the request.
		return nil, transportError(err, r.op, true)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// call sends r and decodes a 2xx JSON answer into out (when out is not nil); any other status
// is classified.
func (c *Client) call(ctx context.Context, r request, out any) (*response, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.status < 200 || resp.status > 299 {
		return resp, classify(resp.status, resp.header, resp.body, r.op, c.opts.Now())
	}
	if out != nil {
		if err := json.Unmarshal(resp.body, out); err != nil {
			return resp, badAnswer(r.op, err)
		}
	}
	return resp, nil
}

// getJSON is an authenticated GET.
func (c *Client) getJSON(ctx context.Context, s session, path string, query url.Values, out any) (*response, error) {
	u := s.instance + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return c.call(ctx, request{op: opRead, method: http.MethodGet, url: u, token: s.token}, out)
}

// postJSON is a POST with a JSON body.
func (c *Client) postJSON(ctx context.Context, o op, s session, path string, body any, header map[string]string, out any) (*response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the request could not be encoded", Err: err}
	}
	return c.call(ctx, request{op: o, method: http.MethodPost, url: s.instance + path, token: s.token,
		body: b, contentType: "application/json", header: header}, out)
}

func (c *Client) userAgent() string {
	if c.opts.Website != "" {
		return c.opts.ClientName + " (+" + c.opts.Website + ")"
	}
	return c.opts.ClientName
}

// badAnswer reports a 2xx answer Herald could not read. For a created status the post exists
// (the instance said so) but its id is unknown: reconcile rather than post again.
func badAnswer(o op, err error) error {
	kind := publishers.KindRetryable
	msg := "the Mastodon server's answer could not be read"
	if o == opCreateStatus {
		kind = publishers.KindUnknown
		msg = "the Mastodon server accepted the post but its answer could not be read; Herald will check whether it was published"
	}
	return &publishers.Error{Kind: kind, Network: Name, Message: msg, Err: err}
}

// parseTime reads a Mastodon datetime (ISO 8601 with optional fractional seconds).
func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
