package threads

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// Name is the network's name in the registry.
const Name = "threads"

// DefaultScopes are the permissions Herald asks for. threads_basic is needed by every endpoint,
// threads_content_publish by the publishing ones, threads_manage_replies by POST calls that reply
// (thread parts and first comments are replies, and the reply quota is read with it),
// threads_read_replies by GET calls on replies (FindPublished checks a found thread's parts) and
// threads_manage_insights by the insights endpoint (Get started, "Authorization").
const DefaultScopes = "threads_basic threads_content_publish threads_manage_replies threads_read_replies threads_manage_insights"

// Where Threads lives. The documentation now also names threads.com and graph.threads.com;
// both hosts serve the same API (Overview: "can be accessed by either graph.threads.com or
// graph.threads.net").
const (
	// DefaultGraphURL is the API host; the token endpoints sit at its root, the rest under the
	// API version.
	DefaultGraphURL = "https://graph.threads.net"
	// DefaultAuthorizeURL is the authorization window people sign in at.
	DefaultAuthorizeURL = "https://threads.net/oauth/authorize"
	// DefaultAPIVersion is the version every documented example uses.
	DefaultAPIVersion = "v1.0"
	// ProfileURL is where an account's profile is shown, followed by its username.
	ProfileURL = "https://www.threads.net/@"
)

// Token lifetimes (Long-lived tokens): long-lived tokens last 60 days and can be refreshed once
// they are 24 hours old, until they expire.
const (
	// LongLivedTTL stands in for expires_in when an answer leaves it out.
	LongLivedTTL = 60 * 24 * time.Hour
	// MinRefreshAge is how old a long-lived token must be before Threads refreshes it.
	MinRefreshAge = 24 * time.Hour
	// RefreshMargin is how long before expiry Refresh (and Publish and Metrics, on their own)
	// renew a token: a week leaves room for days of failed attempts.
	RefreshMargin = 7 * 24 * time.Hour
)

// Keys of Credentials.Extra.
const (
	// ExtraUserID is the account's Threads user id, the node every post is created on.
	ExtraUserID = "user_id"
	// ExtraUsername is the account's username, for profile URLs.
	ExtraUsername = "username"
	// ExtraTokenIssuedAt is when the long-lived token was issued or last refreshed (RFC 3339):
	// Threads refuses to refresh a token younger than 24 hours.
	ExtraTokenIssuedAt = "token_issued_at"
)

// Defaults for Options.
const (
	defaultTimeout = 30 * time.Second
	// Threads recommends waiting "on average 30 seconds" before publishing a container and
	// polling a container "once per minute, for no more than 5 minutes" (Posts; Troubleshooting).
	// Herald's publish budget is smaller (the scheduler's publish timeout), so it polls sooner
	// and gives up earlier with a retryable error: nothing is published until the container is
	// ready, so trying again later is safe.
	defaultPollInterval = 3 * time.Second
	defaultPollTimeout  = 40 * time.Second
	// maxBody bounds what is read of any answer.
	maxBody = 4 << 20
)

// Options configure a Client.
type Options struct {
	// App is the Meta app's Threads app id and secret (HERALD_THREADS_CLIENT_ID and
	// HERALD_THREADS_CLIENT_SECRET). Without both, Meta().Setup explains how to get them and
	// BeginOAuth refuses.
	App publishers.AppCredentials
	// HTTPClient sends every request; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Logger receives warnings (a thread part that failed, a token renewal that failed); nothing
	// secret is ever logged. slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock (time.Now when nil): token expiry and age, container waits, quota resets
	// and FindPublished's window use it.
	Now func() time.Time
	// Sleep waits d or until ctx ends (a timer when nil). Tests pass one that advances a fake
	// Now, so container waits are measured on the injected clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Scopes are the permissions requested, space or comma separated (DefaultScopes when empty).
	Scopes string
	// GraphURL, AuthorizeURL and APIVersion locate Threads (the defaults above when empty);
	// tests point them at threadstest.
	GraphURL     string
	AuthorizeURL string
	APIVersion   string
	// PollInterval is the first wait between checks of a container Threads is still processing;
	// waits grow by half up to five times this (3 s when zero).
	PollInterval time.Duration
	// PollTimeout bounds the wait for one container, on the Now clock (40 s when zero); a
	// container still in progress then is a retryable failure.
	PollTimeout time.Duration
}

// Client publishes to Threads. It holds no per-channel state; one Client serves every channel and
// is safe for concurrent use.
type Client struct {
	opts  Options
	http  *http.Client
	graph string // the API host, token endpoints at its root
	api   string // graph + "/" + version
}

var (
	_ publishers.Publisher      = (*Client)(nil)
	_ publishers.OAuthConnector = (*Client)(nil)
)

// New returns a Client; zero options take the defaults documented on Options.
func New(opts Options) *Client {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if strings.TrimSpace(opts.Scopes) == "" {
		opts.Scopes = DefaultScopes
	}
	opts.Scopes = strings.Join(strings.FieldsFunc(opts.Scopes, func(r rune) bool { return r == ' ' || r == ',' }), " ")
	if opts.GraphURL == "" {
		opts.GraphURL = DefaultGraphURL
	}
	if opts.AuthorizeURL == "" {
		opts.AuthorizeURL = DefaultAuthorizeURL
	}
	if opts.APIVersion == "" {
		opts.APIVersion = DefaultAPIVersion
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = defaultPollInterval
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = defaultPollTimeout
	}
	opts.App.ClientID = strings.TrimSpace(opts.App.ClientID)
	opts.App.ClientSecret = strings.TrimSpace(opts.App.ClientSecret)
	hc := &http.Client{Timeout: defaultTimeout}
	if opts.HTTPClient != nil {
		hc = opts.HTTPClient
	}
	graph := strings.TrimRight(opts.GraphURL, "/")
	return &Client{opts: opts, http: hc, graph: graph, api: graph + "/" + strings.Trim(opts.APIVersion, "/")}
}

// configured reports whether an app is set up: Threads has no public clients, so both the id and
// the secret are needed (the secret at the code exchange and the long-lived exchange).
func (c *Client) configured() bool {
	return c.opts.App.ClientID != "" && c.opts.App.ClientSecret != ""
}

// setupHelp is Meta.Setup when no app is configured.
const setupHelp = "Threads needs a Meta app with the Threads use case. At https://developers.facebook.com/apps " +
	"create an app, choose the use case \"Access the Threads API\", and in its settings enable the permissions " +
	"threads_basic, threads_content_publish, threads_manage_replies, threads_read_replies and threads_manage_insights. " +
	"Add " + publishers.CallbackPlaceholder + " to the app's Redirect Callback URLs. " +
	"Then set HERALD_THREADS_CLIENT_ID to the Threads app ID and HERALD_THREADS_CLIENT_SECRET to the Threads app secret " +
	"(App settings > Basic shows them; they differ from the Facebook app ID and secret) and restart Herald. " +
	"Until Meta approves the permissions in App Review, only accounts added as Threads testers of the app can connect. " +
	"Threads downloads images and videos from Herald, so HERALD_PUBLIC_URL must be an https:// address the internet can reach."

// Meta describes Threads for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	m := publishers.Meta{
		Name:        Name,
		DisplayName: "Threads",
		Connect:     publishers.ConnectOAuth2,
		Capabilities: publishers.Capabilities{
			MediaKinds:   []content.MediaKind{content.KindImage, content.KindVideo},
			Threads:      true,
			FirstComment: true, // posted as a self-reply, after the thread's last part
			// Threads takes no idempotency key; FindPublished matches text and time instead.
			Idempotency:   false,
			FindPublished: true,
			MediaByURL:    true,
			Metrics:       []string{"impressions", "likes", "replies", "reposts", "quotes"},
			MetricsNote: "Impressions are what Threads reports as views, a metric Meta labels as in development. " +
				"Replies on a thread's first post include its later parts and its first comment.",
		},
		Rules: rules,
		// Videos are processed for minutes before they can be published (the container poll).
		PublishTimeout:            6 * time.Minute,
		RefreshAhead:              RefreshMargin,
		RenewsWithoutRefreshToken: true,
	}
	if !c.configured() {
		m.Setup = setupHelp
	}
	return m
}

// op says what a request does, for failures its answer alone cannot classify.
type op int

const (
	// opRead is a GET: repeating it is harmless.
	opRead op = iota
	// opWrite is a POST whose repetition is harmless: creating a container (an unpublished
	// container expires after 24 hours), exchanging a code or a token.
	opWrite
	// opPublish is POST /{user-id}/threads_publish, the request that creates a post.
	opPublish
)

// request is one call to Threads.
type request struct {
	op     op
	method string
	url    string
	token  string     // sent as a bearer token
	form   url.Values // the body of a POST
}

// session is what every authenticated call needs from a channel's credentials.
type session struct {
	userID string
	token  string
}

// session checks the stored credentials. A channel without a token or an account id, or whose
// token has expired, cannot be used until someone reconnects it (Threads does not renew expired
// tokens).
func (c *Client) session(creds *publishers.Credentials) (session, error) {
	if creds == nil || creds.AccessToken == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "No Threads access token is stored for this channel. Reconnect the Threads account."}
	}
	if !creds.Expiry.IsZero() && !c.opts.Now().Before(creds.Expiry) {
		return session{}, expiredError(creds.Expiry)
	}
	id := creds.Get(ExtraUserID)
	if id == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "The channel does not say which Threads account it belongs to. Reconnect the Threads account."}
	}
	return session{userID: id, token: creds.AccessToken}, nil
}

// expiredError is the plain refusal of an expired token.
func expiredError(at time.Time) *publishers.Error {
	return &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name, Code: "token_expired",
		Message: "Herald's access to this Threads account ended on " + at.UTC().Format("2 January 2006") +
			" (Threads tokens last 60 days and cannot be renewed once they have expired). Reconnect the Threads account."}
}

// send performs one request and reads the answer. Its error is already classified: a transport
// failure after a threads_publish request was written is KindUnknown, any other is retryable.
// HTTP error statuses are not errors here; callers classify them.
func (c *Client) send(ctx context.Context, r request) (*httpapi.Response, error) {
	var body []byte
	contentType := ""
	if r.method == http.MethodPost {
		body, contentType = []byte(r.form.Encode()), "application/x-www-form-urlencoded"
	}
	// Meta's Graph servers take the token as a bearer token as well as in the access_token
	// parameter the documentation's examples use; the header keeps it out of URLs, which
	// net/http repeats in its errors. threads_publish is sent Once: net/http then cannot send
	// it again on its own after a dropped connection, and a second threads_publish must never
	// happen behind Herald's back.
	resp, f := httpapi.Do(ctx, c.http, httpapi.Request{Method: r.method, URL: r.url,
		Header: httpapi.JSONHeader("Herald", contentType, r.token), Body: body, Once: r.op == opPublish}, maxBody, redactURL)
	if f != nil {
		return nil, api.Failed(f, r.op == opPublish)
	}
	return resp, nil
}

// api names Threads in the errors httpapi builds.
var api = httpapi.Network{Name: Name, Display: "Threads"}

// call sends r and decodes a 2xx JSON answer into out (when out is not nil); any other status is
// classified.
func (c *Client) call(ctx context.Context, r request, out any) (*httpapi.Response, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return resp, classify(resp.Status, resp.Header, resp.Body, r.op, c.opts.Now())
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, badAnswer(r.op, err)
		}
	}
	return resp, nil
}

// get is an authenticated GET of an API path ("/me", "/{id}/insights").
func (c *Client) get(ctx context.Context, s session, path string, query url.Values, out any) (*httpapi.Response, error) {
	u := c.api + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return c.call(ctx, request{op: opRead, method: http.MethodGet, url: u, token: s.token}, out)
}

// post is an authenticated POST of form values to an API path.
func (c *Client) post(ctx context.Context, o op, s session, path string, form url.Values, out any) (*httpapi.Response, error) {
	return c.call(ctx, request{op: o, method: http.MethodPost, url: c.api + path, token: s.token, form: form}, out)
}

// badAnswer reports a 2xx answer Herald could not read. For threads_publish the post exists (or
// may) but its id is unknown: reconcile rather than publish again.
func badAnswer(o op, err error) error { return api.BadAnswer(o == opPublish, err) }

// redact cuts the query from the URL a net/http error names: the token calls carry the token and
// the app secret there.
func redact(err error) error { return httpapi.Redacted(err, redactURL) }

// redactURL is redact for one URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a Threads URL)"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// parseTime reads a Threads timestamp: ISO 8601 with a numeric zone without a colon
// ("2023-10-17T05:42:03+0000", Media retrieval), or RFC 3339.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// profileURL is an account's profile page ("" without a username).
func profileURL(username string) string {
	if username == "" {
		return ""
	}
	return ProfileURL + username
}
