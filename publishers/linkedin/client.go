package linkedin

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
const Name = "linkedin"

// DefaultVersion is the LinkedIn-Version header Herald sends to the versioned REST API
// (https://api.linkedin.com/rest/). LinkedIn releases a version every month and supports each
// for at least a year, and the latest one is not applied by default: a request without the
// header, or with a version that was sunset, is refused (426 NONEXISTENT_VERSION). 202607 (July
// 2026) is a released version and is supported until at least July 2027; when LinkedIn sunsets
// it, set Options.Version to a newer one.
// https://learn.microsoft.com/en-us/linkedin/marketing/versioning
const DefaultVersion = "202607"

// RestliProtocolVersion is the X-Restli-Protocol-Version header value. Every API Herald calls
// documents it as required: without it LinkedIn parses the request as Rest.li 1.0, whose syntax
// for URNs and List(...) parameters differs.
// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/protocol-version
const RestliProtocolVersion = "2.0.0"

// Scopes. A LinkedIn app gets scopes from the products added to it in the Developer Portal:
// "Sign In with LinkedIn using OpenID Connect" (openid, profile), "Share on LinkedIn"
// (w_member_social) and, for organization pages, "Community Management API"
// (w_organization_social, r_organization_social, rw_organization_admin). Asking for a scope the
// app was not granted makes the sign-in fail (unauthorized_scope_error), so an app without the
// Community Management API must use MemberScopes alone (Options.Scopes).
const (
	MemberScopes       = "openid profile w_member_social"
	OrganizationScopes = "w_organization_social r_organization_social rw_organization_admin"
	DefaultScopes      = MemberScopes + " " + OrganizationScopes
)

// Defaults for Options.
const (
	defaultAuthURL           = "https://www.linkedin.com"
	defaultAPIURL            = "https://api.linkedin.com"
	defaultTimeout           = 60 * time.Second
	defaultMediaPollInterval = 2 * time.Second
	defaultMediaPollTimeout  = 5 * time.Minute
	// defaultRateLimitWait: LinkedIn answers 429 without a reset time. Its documented limits
	// are daily and reset at midnight UTC, but it also answers 429 briefly to protect its
	// infrastructure; a quarter of an hour is short enough for the second case and does not
	// hammer the first.
	// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits
	defaultRateLimitWait = 15 * time.Minute
	// maxBody bounds what is read of any answer.
	maxBody = 8 << 20
)

// Options configure a Client.
type Options struct {
	// App is the LinkedIn app's client id and secret (HERALD_LINKEDIN_CLIENT_ID and
	// HERALD_LINKEDIN_CLIENT_SECRET). Without it Meta().Setup says how to create one and
	// connecting is refused.
	App publishers.AppCredentials
	// AuthURL is where the OAuth endpoints live ("https://www.linkedin.com"); tests point it at
	// the fake.
	AuthURL string
	// APIURL is the API's origin ("https://api.linkedin.com"); tests point it at the fake.
	APIURL string
	// HTTPClient sends every request; nil means a client with a 60 s timeout (video parts are
	// up to 4 MB).
	HTTPClient *http.Client
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger receives warnings (a first comment that failed); slog.Default() when nil. Nothing
	// secret is ever logged.
	Logger *slog.Logger
	// Version is the LinkedIn-Version header (DefaultVersion when empty), YYYYMM.
	Version string
	// Scopes are the OAuth scopes asked for, space separated (DefaultScopes when empty). Use
	// MemberScopes for an app without the Community Management API.
	Scopes string
	// PKCE sends the PKCE verifier at the token exchange. LinkedIn documents PKCE only for
	// native apps that LinkedIn enabled it for on request; for a web app such as Herald its
	// flow has none, and a token request carrying a code_verifier for an app without PKCE has
	// been reported refused. So by default Herald puts the S256 challenge in the
	// authorization URL (LinkedIn's authorization endpoint ignores it for such apps) but keeps
	// the verifier out of the token request; the state (checked by Herald) and the client
	// secret (kept on the server) protect the exchange. Set PKCE when LinkedIn has enabled it
	// for the app.
	// https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow-native
	PKCE bool
	// MediaPollInterval is the wait between polls of a video LinkedIn is processing (2 s when
	// zero); MediaPollTimeout is how long to wait for it (5 minutes when zero).
	MediaPollInterval time.Duration
	MediaPollTimeout  time.Duration
	// RateLimitWait is how long to wait after a 429, which carries no reset time (15 minutes
	// when zero).
	RateLimitWait time.Duration
}

// Client publishes to LinkedIn members' profiles and organization pages. It holds no
// per-channel state; one Client serves every channel and is safe for concurrent use.
type Client struct {
	opts Options
	http *http.Client
}

var (
	_ publishers.Publisher      = (*Client)(nil)
	_ publishers.OAuthConnector = (*Client)(nil)
	_ publishers.AccountChooser = (*Client)(nil)
)

// New returns a Client; zero options take the defaults documented on Options.
func New(opts Options) *Client {
	if opts.AuthURL == "" {
		opts.AuthURL = defaultAuthURL
	}
	if opts.APIURL == "" {
		opts.APIURL = defaultAPIURL
	}
	opts.AuthURL = strings.TrimRight(opts.AuthURL, "/")
	opts.APIURL = strings.TrimRight(opts.APIURL, "/")
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if strings.TrimSpace(opts.Version) == "" {
		opts.Version = DefaultVersion
	}
	opts.Version = strings.TrimSpace(opts.Version)
	if strings.TrimSpace(opts.Scopes) == "" {
		opts.Scopes = DefaultScopes
	}
	opts.Scopes = strings.Join(strings.Fields(opts.Scopes), " ")
	if opts.MediaPollInterval <= 0 {
		opts.MediaPollInterval = defaultMediaPollInterval
	}
	if opts.MediaPollTimeout <= 0 {
		opts.MediaPollTimeout = defaultMediaPollTimeout
	}
	if opts.RateLimitWait <= 0 {
		opts.RateLimitWait = defaultRateLimitWait
	}
	hc := &http.Client{Timeout: defaultTimeout}
	if opts.HTTPClient != nil {
		hc = opts.HTTPClient
	}
	return &Client{opts: opts, http: hc}
}

// MetricsNames are the counters Metrics reports for organization posts.
var MetricsNames = []string{"impressions", "likes", "replies", "reposts", "clicks"}

// Meta describes LinkedIn for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	m := publishers.Meta{
		Name:        Name,
		DisplayName: "LinkedIn",
		Connect:     publishers.ConnectOAuth2,
		Capabilities: publishers.Capabilities{
			MediaKinds: []content.MediaKind{content.KindImage, content.KindVideo},
			Threads:    false,
			// Posted with the Comments API as the post's author; a failure is a warning on the
			// published post, never a failed publish.
			FirstComment: true,
			// LinkedIn takes no idempotency key on POST /rest/posts.
			Idempotency: false,
			// For organization pages. A member's own posts can only be read with the restricted
			// r_member_social permission, so for members FindPublished says it cannot tell.
			FindPublished: true,
			Metrics:       MetricsNames,
			MetricsNote: "LinkedIn reports impressions, reactions, comments, reposts and clicks for organization page posts only. " +
				"Posts on a member's own profile get no analytics through LinkedIn's API for apps like Herald " +
				"(it needs restricted permissions), so their counters stay empty; see them on LinkedIn itself.",
		},
		Rules: rules,
	}
	if !c.opts.App.Configured() {
		m.Setup = SetupHelp
	}
	return m
}

// SetupHelp says how an administrator creates the LinkedIn app Herald needs.
const SetupHelp = "To connect LinkedIn accounts, create an app in the LinkedIn Developer Portal " +
	"(https://www.linkedin.com/developers/apps; it must be linked to a LinkedIn company page, whose admin verifies it). " +
	"On its Products tab add \"Sign In with LinkedIn using OpenID Connect\" and \"Share on LinkedIn\" to post as members, " +
	"and request the \"Community Management API\" to post as organization pages (LinkedIn reviews that request). " +
	"On its Auth tab add " + publishers.CallbackPlaceholder + " as an authorized redirect URL, then set " +
	"HERALD_LINKEDIN_CLIENT_ID and HERALD_LINKEDIN_CLIENT_SECRET to the app's client id and primary client secret and restart Herald."

// op says what a request does, for the failures its status alone cannot classify.
type op int

const (
	// opRead is a GET: repeating it is harmless.
	opRead op = iota
	// opWrite is a request whose repetition is harmless: an upload (an unused image or video
	// is discarded by LinkedIn), a token exchange.
	opWrite
	// opCreatePost is POST /rest/posts: repeating it may post twice.
	opCreatePost
)

// request is one call to LinkedIn.
type request struct {
	op          op
	method      string
	url         string
	token       string
	body        []byte
	contentType string
	// rest marks a call to the versioned REST API, which needs the LinkedIn-Version header.
	rest bool
}

// response is LinkedIn's answer, read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send performs one request and reads the answer. Its error is already classified: a
// transport failure after a create-post request was written is KindUnknown, any other is
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
			Message: "the request to LinkedIn could not be built", Err: err}
	}
	if r.op == opCreatePost {
		// Without GetBody the transport can never replay the create on its own after a
		// dropped connection; Herald reconciles with FindPublished instead.
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
	if r.rest {
		req.Header.Set("LinkedIn-Version", c.opts.Version)
		req.Header.Set("X-Restli-Protocol-Version", RestliProtocolVersion)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(err, r.op, wrote.Load())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		// LinkedIn answered, so it received the request.
		return nil, transportError(err, r.op, true)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// call sends r and decodes a 2xx JSON answer into out (when out is not nil and the answer has
// a body); any other status is classified.
func (c *Client) call(ctx context.Context, r request, out any) (*response, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.status < 200 || resp.status > 299 {
		return resp, c.classify(resp.status, resp.header, resp.body, r.op)
	}
	if out != nil && len(bytes.TrimSpace(resp.body)) > 0 {
		if err := json.Unmarshal(resp.body, out); err != nil {
			return resp, badAnswer(r.op, err)
		}
	}
	return resp, nil
}

// get is an authenticated GET of the REST API; rawQuery is already encoded the Rest.li 2.0 way
// (see restQuery).
func (c *Client) get(ctx context.Context, token, path, rawQuery string, out any) (*response, error) {
	u := c.opts.APIURL + path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return c.call(ctx, request{op: opRead, method: http.MethodGet, url: u, token: token, rest: true}, out)
}

// postJSON is an authenticated POST of a JSON body to the REST API.
func (c *Client) postJSON(ctx context.Context, o op, token, pathAndQuery string, body any, out any) (*response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the request could not be encoded", Err: err}
	}
	return c.call(ctx, request{op: o, method: http.MethodPost, url: c.opts.APIURL + pathAndQuery, token: token,
		body: b, contentType: "application/json", rest: true}, out)
}

// encodeKey encodes a URN for a path segment or a query value the Rest.li 2.0 way: the whole
// key is percent-encoded, ':' included (url.PathEscape leaves ':' alone, which Rest.li 2.0
// refuses in resource keys).
// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/protocol-version
func encodeKey(urn string) string { return url.QueryEscape(urn) }

// restList is a Rest.li 2.0 List(...) of URNs for a query string: each element is encoded,
// the parentheses and commas are not.
func restList(urns []string) string {
	enc := make([]string, len(urns))
	for i, u := range urns {
		enc[i] = encodeKey(u)
	}
	return "List(" + strings.Join(enc, ",") + ")"
}

// restQuery joins name=value pairs whose values are already encoded.
func restQuery(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(pairs[i])
		b.WriteByte('=')
		b.WriteString(pairs[i+1])
	}
	return b.String()
}

// badAnswer reports a 2xx answer Herald could not read. For a created post the post exists
// (LinkedIn said so) but its URN is unknown: reconcile rather than post again.
func badAnswer(o op, err error) error {
	kind := publishers.KindRetryable
	msg := "LinkedIn's answer could not be read"
	if o == opCreatePost {
		kind = publishers.KindUnknown
		msg = "LinkedIn accepted the post but its answer could not be read; Herald will check whether it was published"
	}
	return &publishers.Error{Kind: kind, Network: Name, Message: msg, Err: err}
}

// postURL is the public address of a post.
func postURL(urn string) string { return "https://www.linkedin.com/feed/update/" + urn + "/" }

// millis turns LinkedIn's epoch milliseconds into a time (zero for 0).
func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
