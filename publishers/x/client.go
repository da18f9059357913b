package x

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
const Name = "x"

// DefaultScopes are the OAuth 2.0 scopes Herald asks for: tweet.write to post, tweet.read and
// users.read because X requires them next to tweet.write for POST /2/tweets and for reading
// the account, its timeline and post metrics, media.write for the v2 media upload endpoints
// (tokens without it are refused there with 403), and offline.access for a refresh token
// (without it a connection ends after two hours).
const DefaultScopes = "tweet.read tweet.write users.read media.write offline.access"

// Default base URLs.
const (
	// DefaultAPIBaseURL serves the API and the token endpoint (/2/oauth2/token).
	DefaultAPIBaseURL = "https://api.x.com"
	// DefaultAuthBaseURL serves the authorization page (/i/oauth2/authorize).
	DefaultAuthBaseURL = "https://x.com"
	// DefaultUploadBaseURL serves the v2 media upload endpoints (/2/media/upload…).
	DefaultUploadBaseURL = "https://api.x.com"
)

// MetricsBatch is how many post ids GET /2/tweets takes at once.
const MetricsBatch = 100

// Keys of Credentials.Extra.
const (
	// ExtraUserID is the account's numeric X user id.
	ExtraUserID = "user_id"
	// ExtraUsername is the account's @handle without the "@", for post URLs.
	ExtraUsername = "username"
)

// Defaults for Options.
const (
	defaultTimeout          = 60 * time.Second
	defaultChunkSize        = 4 << 20 // under the 5 MB X accepts per append
	defaultMediaPollMax     = 30 * time.Second
	defaultMediaPollTimeout = 5 * time.Minute
	// maxBody bounds what is read of any answer: X's answers are a few kilobytes, a page of 100
	// posts a few hundred.
	maxBody = 8 << 20
)

// Options configure a Client.
type Options struct {
	// App is the OAuth 2.0 client an administrator registered in the X developer portal
	// (HERALD_X_CLIENT_ID, HERALD_X_CLIENT_SECRET). Without a client id accounts cannot be
	// connected and tokens cannot be refreshed; Meta().Setup says what to do. A client without
	// a secret is treated as a public client.
	App publishers.AppCredentials
	// APIBaseURL, AuthBaseURL and UploadBaseURL point the client elsewhere than X (tests point
	// them at xtest); empty means the defaults above.
	APIBaseURL, AuthBaseURL, UploadBaseURL string
	// HTTPClient sends every request; nil means a client with a 60 s timeout (video uploads are
	// sent in chunks, so no single request is long). The Client wraps a copy's transport to
	// record rate-limit headers and never changes the one given.
	HTTPClient *http.Client
	// Now is the clock (time.Now when nil): token expiry, FindPublished's window, and the
	// conversion of X's reset times.
	Now func() time.Time
	// Logger receives warnings (a thread part or first comment that failed after the post was
	// published); slog.Default() when nil. Nothing secret is ever logged.
	Logger *slog.Logger
	// ChunkSize is the size of each media append (4 MiB when zero; X accepts up to 5 MB).
	ChunkSize int
	// MediaPollMax caps each wait between status checks of a video or GIF that X is
	// processing: X says how long to wait (check_after_secs) and Herald follows it up to this
	// (30 s when zero).
	MediaPollMax time.Duration
	// MediaPollTimeout is how long to wait for X to process an attachment before giving up with
	// a retryable error (5 minutes when zero).
	MediaPollTimeout time.Duration
}

// Client publishes to X. It holds no per-channel state apart from the rate-limit headers it last
// saw; one Client serves every channel and is safe for concurrent use.
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
	opts.APIBaseURL = baseURL(opts.APIBaseURL, DefaultAPIBaseURL)
	opts.AuthBaseURL = baseURL(opts.AuthBaseURL, DefaultAuthBaseURL)
	opts.UploadBaseURL = baseURL(opts.UploadBaseURL, DefaultUploadBaseURL)
	opts.App.ClientID = strings.TrimSpace(opts.App.ClientID)
	opts.App.ClientSecret = strings.TrimSpace(opts.App.ClientSecret)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = defaultChunkSize
	}
	if opts.MediaPollMax <= 0 {
		opts.MediaPollMax = defaultMediaPollMax
	}
	if opts.MediaPollTimeout <= 0 {
		opts.MediaPollTimeout = defaultMediaPollTimeout
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

func baseURL(v, def string) string {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		return def
	}
	return v
}

// setupMessage tells an administrator how to give Herald an X app. The server replaces
// publishers.CallbackPlaceholder with this installation's callback URL.
var setupMessage = "To connect X accounts, Herald needs an app of its own on X: in the X developer portal " +
	"(developer.x.com) create a project and an app in it, open the app's \"User authentication settings\", " +
	"turn on OAuth 2.0 with the app permission \"Read and write\" and the type of app \"Web App, Automated App or Bot\", " +
	"enter " + publishers.CallbackPlaceholder + " as the callback URL and Herald's address as the website URL, and save. " +
	"Then copy the OAuth 2.0 Client ID and Client Secret from the app's \"Keys and tokens\" page into the " +
	"HERALD_X_CLIENT_ID and HERALD_X_CLIENT_SECRET environment variables and restart Herald."

// Meta describes X for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	m := publishers.Meta{
		Name:        Name,
		DisplayName: "X",
		Connect:     publishers.ConnectOAuth2,
		Capabilities: publishers.Capabilities{
			MediaKinds:    []content.MediaKind{content.KindImage, content.KindGIF, content.KindVideo},
			Threads:       true,
			FirstComment:  true,  // posted as a self-reply
			Idempotency:   false, // X honours no idempotency key; FindPublished reconciles instead
			FindPublished: true,
			Metrics:       []string{"likes", "reposts", "replies", "quotes", "impressions"},
			MetricsNote:   "Link clicks are not collected: X gives them only among a post's non-public metrics, and only for its first 30 days.",
		},
		Rules: rules,
	}
	if !c.opts.App.Configured() {
		m.Setup = setupMessage
	}
	return m
}

// op says what a request does, for the failures its status code alone cannot classify.
type op int

const (
	// opRead is a GET: repeating it is harmless.
	opRead op = iota
	// opWrite is a POST whose repetition is harmless: a media upload step (an unused upload
	// expires), alt text, a token exchange.
	opWrite
	// opCreate is POST /2/tweets: repeating it may post twice.
	opCreate
)

// request is one call to X.
type request struct {
	op          op
	method      string
	url         string
	token       string
	body        []byte
	contentType string
}

// response is X's answer, read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send performs one request and reads the answer. Its error is already classified: a transport
// failure after a create request was written is KindUnknown, any other transport failure is
// retryable. HTTP error statuses are not errors here; callers classify them.
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
			Message: "the request to X could not be built", Err: err}
	}
	if r.op == opCreate {
		// Without GetBody the transport can never replay the request on its own (it does so,
		// for some requests, after a kept-alive connection drops): X would post twice.
		req.GetBody = nil
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Herald")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(err, r.op, wrote.Load())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// X answered, so it received the request.
		return nil, transportError(err, r.op, true)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// call sends r and decodes a 2xx JSON answer into out (when out is not nil); any other status is
// classified.
func (c *Client) call(ctx context.Context, r request, out any) (*response, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.status < 200 || resp.status > 299 {
		return resp, classify(resp.status, resp.header, resp.body, r.op, c.opts.Now())
	}
	if out != nil && len(bytes.TrimSpace(resp.body)) > 0 {
		if err := json.Unmarshal(resp.body, out); err != nil {
			return resp, badAnswer(r.op, err)
		}
	}
	return resp, nil
}

// badAnswer reports a 2xx answer Herald could not read. For a created post the post exists (X
// said so) but its id is unknown: reconcile rather than post again.
func badAnswer(o op, err error) error {
	kind := publishers.KindRetryable
	msg := "X's answer could not be read"
	if o == opCreate {
		kind = publishers.KindUnknown
		msg = "X accepted the post but its answer could not be read; Herald will check whether it was published"
	}
	return &publishers.Error{Kind: kind, Network: Name, Message: msg, Err: err}
}

// session is a channel's credentials for the calls of one Publish or Metrics: it renews the
// access token at most once, when it has already expired or when X refuses it (401), and writes
// the renewed credentials into creds, which the scheduler then saves (a rotated refresh token
// that is not saved signs the channel out).
type session struct {
	c         *Client
	creds     *publishers.Credentials
	canRenew  bool
	refreshed bool
}

// expirySkew renews a token this long before its stated expiry, so a request does not carry a
// token that expires on the way.
const expirySkew = time.Minute

// session checks the stored credentials; renew says whether the session may refresh the token
// (see session).
func (c *Client) session(ctx context.Context, creds *publishers.Credentials, renew bool) (*session, error) {
	if creds == nil || (creds.AccessToken == "" && creds.RefreshToken == "") {
		return nil, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no access token is stored for this channel; reconnect the X account"}
	}
	s := &session{c: c, creds: creds, canRenew: renew}
	expired := creds.AccessToken == "" ||
		!creds.Expiry.IsZero() && !c.opts.Now().Add(expirySkew).Before(creds.Expiry)
	if expired && renew && creds.RefreshToken != "" {
		if err := s.renew(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// renew refreshes the token and stores the new credentials in place. The Extra map is
// replaced, not changed, so a copy the caller took before (to compare) keeps the old values.
func (s *session) renew(ctx context.Context) error {
	s.refreshed = true
	next, err := s.c.refresh(ctx, s.creds)
	if err != nil {
		return err
	}
	*s.creds = *next
	return nil
}

// call sends r with the session's token; when X refuses the token (401) and it has not been
// renewed yet, it renews it and sends r once more. A 401 means X did not act on the request, so
// repeating even a create is safe.
func (s *session) call(ctx context.Context, r request, out any) (*response, error) {
	r.token = s.creds.AccessToken
	resp, err := s.c.call(ctx, r, out)
	if err == nil || resp == nil || resp.status != http.StatusUnauthorized ||
		!s.canRenew || s.refreshed || s.creds.RefreshToken == "" {
		return resp, err
	}
	if rerr := s.renew(ctx); rerr != nil {
		return resp, rerr
	}
	r.token = s.creds.AccessToken
	return s.c.call(ctx, r, out)
}

// get is an authenticated GET on the API.
func (s *session) get(ctx context.Context, path string, query url.Values, out any) (*response, error) {
	u := s.c.opts.APIBaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return s.call(ctx, request{op: opRead, method: http.MethodGet, url: u}, out)
}

// postJSON is a POST with a JSON body to base+path.
func (s *session) postJSON(ctx context.Context, o op, base, path string, body, out any) (*response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the request could not be encoded", Err: err}
	}
	return s.call(ctx, request{op: o, method: http.MethodPost, url: base + path, body: b, contentType: "application/json"}, out)
}

// userID is the channel's X user id, asked from X when the credentials lack it.
func (s *session) userID(ctx context.Context) (string, error) {
	if id := s.creds.Get(ExtraUserID); id != "" {
		return id, nil
	}
	u, err := s.me(ctx)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// user is the part of X's User object Herald reads.
type user struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Username        string `json:"username"`
	ProfileImageURL string `json:"profile_image_url"`
}

// me reads GET /2/users/me.
func (s *session) me(ctx context.Context) (user, error) {
	var out struct {
		Data user `json:"data"`
	}
	if _, err := s.get(ctx, "/2/users/me", url.Values{"user.fields": {"profile_image_url"}}, &out); err != nil {
		return user{}, err
	}
	if out.Data.ID == "" {
		return user{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "X did not say which account the token belongs to"}
	}
	return out.Data, nil
}

// postURL is the public address of post id: on the account's profile when its handle is known.
func postURL(username, id string) string {
	if username == "" {
		return "https://x.com/i/web/status/" + id
	}
	return "https://x.com/" + username + "/status/" + id
}
