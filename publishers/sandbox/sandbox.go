// Package sandbox is Herald's built-in demo network: a fake social network that runs inside the
// Herald process and behaves like a real one, so a new user can see the whole loop (connect,
// schedule, publish, watch engagement grow, recover from failures) without an account anywhere.
//
// Herald turns it on in demo mode (--demo) or when HERALD_SANDBOX=1, and leaves it off otherwise.
// The server registers the Network as the "sandbox" publisher and mounts Handler, which expects
// full request paths starting with /sandbox/:
//
//	router.Any("/sandbox/*path", gin.WrapH(net.Handler()))
//
// What it simulates:
//
//   - Connecting: a real OAuth 2.0 authorization-code flow with PKCE (S256) against the sandbox's
//     own authorization server (GET and POST /sandbox/oauth/authorize, POST /sandbox/oauth/token,
//     GET /sandbox/api/me), with a consent page where the person picks the name of their pretend
//     account. Access tokens expire after an hour; refresh tokens rotate on every use.
//   - Publishing: posts are kept in memory (and in Options.StatePath when it is set), deduplicated
//     by Herald's idempotency key, and shown on /sandbox/ and /sandbox/@{handle}/{id}. The later
//     parts of a thread are posts that reply to the part before, shown under the first post;
//     the first comment is shown under the last part.
//   - Engagement that grows with the time since publication, deterministically (see Metrics).
//   - Failures, switched on from the page /sandbox/switches or with SetFailure: a rate limit, a
//     5xx, a revoked token, a timeout after the post was accepted, and a refusal. A post whose text
//     carries the hashtag #fail is always refused, so a failure can be seen without any switch;
//     #fail in a later part of a thread shows a thread cut short. Each part of a thread is a post
//     of its own for the switches.
//
// Everything the sandbox shows says "Sandbox — not a real network"; nothing leaves the process.
package sandbox

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Name is the sandbox's network name, the key it is registered under.
const Name = "sandbox"

// ClientID is the OAuth client id Herald uses with the sandbox's authorization server. Herald is a
// public client (no secret); PKCE protects the code.
const ClientID = "herald-sandbox"

// DefaultAccountName is offered on the consent page as the name of the pretend account.
const DefaultAccountName = "Herald Coffee (sandbox)"

// Token lifetimes and windows.
const (
	// AccessTokenLifetime is how long an access token is valid (the token endpoint's expires_in).
	AccessTokenLifetime = time.Hour
	// codeLifetime is how long an authorization code may wait for its exchange.
	codeLifetime = 10 * time.Minute
	// refreshWindow: Refresh renews an access token that expires within this window.
	refreshWindow = 5 * time.Minute
	// refreshGrace is how long a refresh token stays usable after it was rotated out. The caller
	// may lose the new pair (a crash between refresh and save); identity providers such as Okta
	// and Auth0 allow such a grace period for the same reason. A revoked token gets none.
	refreshGrace = 24 * time.Hour
)

// Options configure a Network.
type Options struct {
	// Now returns the current time; nil means time.Now. Token expiry, engagement and the time
	// shown on pages all follow it, so tests can move time forward.
	Now func() time.Time
	// BaseURL is Herald's public URL (HERALD_PUBLIC_URL), e.g. "http://localhost:8080". The
	// sandbox's pages and endpoints live under BaseURL+"/sandbox/"; post URLs and the OAuth
	// endpoints are built from it, redirect URIs must be on its origin, and forms posted to the
	// sandbox must come from it. Empty means "http://localhost:8080".
	BaseURL string
	// HTTPClient is the client CompleteOAuth and Refresh use to talk to the sandbox's token
	// endpoint, as a real publisher talks to a network. Nil means a client whose transport hands
	// requests for BaseURL+"/sandbox/" straight to Handler in-process (no socket, so it works
	// whatever the network set-up of the host, behind a proxy or not) and sends anything else
	// through http.DefaultTransport. Tests may pass an httptest server's client.
	HTTPClient *http.Client
	// StatePath, when set, is a JSON file that keeps accounts, posts and tokens across restarts.
	// It is written atomically (a temporary file in the same directory, then a rename) after each
	// change, with mode 0600; tokens are stored only as SHA-256 hashes. Failure switches and
	// pending authorization codes are not kept. A file that cannot be read is moved aside to
	// StatePath+".corrupt" and the sandbox starts empty. Herald's data directory is a good place
	// (e.g. ./data/sandbox.json).
	StatePath string
	// Logger receives warnings (a state file that could not be read or written); nil means
	// slog.Default().
	Logger *slog.Logger
}

// Network is the in-process fake social network. It holds accounts, posts, tokens and failure
// switches in memory and is safe for concurrent use. It implements publishers.Publisher and
// publishers.OAuthConnector; Handler serves its pages and OAuth endpoints.
type Network struct {
	base      string // BaseURL without a trailing slash
	baseURL   *url.URL
	origin    string // scheme://host[:port] of base, as browsers send it in Origin
	now       func() time.Time
	client    *http.Client
	statePath string
	log       *slog.Logger
	handler   http.Handler

	mu       sync.Mutex
	st       state
	byID     map[int64]*post
	byKey    map[string]*post // by postKey(handle, idempotency key)
	codes    map[string]*authCode
	switches map[string]map[FailureKind]int // by handle; "" is every account

	// saveMu serialises writes of the state file; each write takes a fresh snapshot after
	// acquiring it, so the last write always holds the latest state.
	saveMu sync.Mutex
}

var (
	_ publishers.Publisher      = (*Network)(nil)
	_ publishers.OAuthConnector = (*Network)(nil)
)

// New returns a sandbox network. It loads Options.StatePath when set; it never fails, because a
// demo must start even when its pretend history is lost (see Options.StatePath).
func New(opts Options) *Network {
	base := strings.TrimRight(strings.TrimSpace(opts.BaseURL), "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		// A malformed public URL is a configuration error the server reports at start-up;
		// fall back to the default so the sandbox stays usable on this machine.
		base = "http://localhost:8080"
		u, _ = url.Parse(base)
	}
	n := &Network{
		base:      base,
		baseURL:   u,
		origin:    originOf(u),
		now:       opts.Now,
		statePath: opts.StatePath,
		log:       opts.Logger,
		codes:     map[string]*authCode{},
		switches:  map[string]map[FailureKind]int{},
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.log == nil {
		n.log = slog.Default()
	}
	n.st = newState()
	n.reindex()
	if n.statePath != "" {
		n.load()
	}
	n.handler = n.routes()
	n.client = opts.HTTPClient
	if n.client == nil {
		n.client = &http.Client{Transport: &inProcess{n: n, next: http.DefaultTransport}, Timeout: 30 * time.Second}
	}
	return n
}

// clock returns the current time in UTC.
func (n *Network) clock() time.Time { return n.now().UTC() }

// BaseURL returns Herald's public URL as the sandbox uses it, without a trailing slash.
func (n *Network) BaseURL() string { return n.base }

// Handler serves the sandbox's pages and OAuth endpoints. It expects full request paths starting
// with /sandbox/ (mount it with router.Any("/sandbox/*path", gin.WrapH(net.Handler()))):
//
//	GET  /sandbox/                   accounts and their posts, newest first, with engagement
//	GET  /sandbox/@{handle}          one account's posts
//	GET  /sandbox/@{handle}/{id}     one post
//	GET  /sandbox/switches           the failure switches
//	POST /sandbox/switches           set them (same-origin form posts only)
//	GET  /sandbox/oauth/authorize    the consent page
//	POST /sandbox/oauth/authorize    allow or deny (same-origin form posts only)
//	POST /sandbox/oauth/token        authorization_code (with PKCE) and refresh_token grants
//	GET  /sandbox/api/me             the account of a bearer token, as JSON
func (n *Network) Handler() http.Handler { return n.handler }

// Meta describes the sandbox.
func (n *Network) Meta() publishers.Meta {
	return publishers.Meta{
		Name:        Name,
		DisplayName: "Sandbox (demo network)",
		Connect:     publishers.ConnectOAuth2,
		Capabilities: publishers.Capabilities{
			MediaKinds:    []content.MediaKind{content.KindImage},
			Threads:       true, // later parts reply to the part before (post.ReplyTo)
			FirstComment:  true,
			Idempotency:   true,
			FindPublished: true,
			Metrics:       []string{"likes", "reposts", "replies", "quotes", "impressions", "clicks"},
		},
		Rules:   Rules(),
		Sandbox: true,
	}
}

// Rules returns the sandbox's content rules: content.ForNetwork("sandbox"), with a first comment
// allowed (as long as a post) when those rules do not allow one yet, because the sandbox
// advertises and stores first comments.
func Rules() content.Rules {
	r, _ := content.ForNetwork(Name)
	if !r.FirstComment {
		r.FirstComment = true
		if r.MaxFirstComment == 0 {
			r.MaxFirstComment = r.MaxLength
		}
	}
	return r
}

// FailureKind names one failure the sandbox can be told to inject.
type FailureKind string

// The failures, in the order a publish checks them. Only one affects a given publish.
const (
	// ExpiredToken revokes the account's tokens (access and refresh) and answers 401: the
	// publish fails with KindAuthExpired and so does everything after it until the account is
	// connected again.
	ExpiredToken FailureKind = "expired_token"
	// RateLimit answers 429 with a retry-after of 60 seconds: KindRateLimited.
	RateLimit FailureKind = "rate_limit"
	// ServerError answers 503: KindRetryable. Nothing is stored.
	ServerError FailureKind = "server_error"
	// Reject refuses the post (422): KindPermanent.
	Reject FailureKind = "reject"
	// TimeoutAfterAccept stores the post, then fails as if the connection timed out before the
	// answer came back: KindUnknown. FindPublished finds the post.
	TimeoutAfterAccept FailureKind = "timeout_after_accept"
)

// FailureKinds lists the failures in the order a publish checks them.
func FailureKinds() []FailureKind {
	return []FailureKind{ExpiredToken, RateLimit, ServerError, Reject, TimeoutAfterAccept}
}

// Label is how the switches page names a failure.
func (k FailureKind) Label() string {
	switch k {
	case ExpiredToken:
		return "Expired token"
	case RateLimit:
		return "Rate limit"
	case ServerError:
		return "Server error (503)"
	case Reject:
		return "Refuse the post"
	case TimeoutAfterAccept:
		return "Timeout after accepting the post"
	}
	return string(k)
}

// Description says what a failure does, for the switches page.
func (k FailureKind) Description() string {
	switch k {
	case ExpiredToken:
		return "The account's tokens are revoked; Herald holds the channel's posts until it is connected again."
	case RateLimit:
		return "“0 of 50 posts left in this window”; Herald waits a minute and tries again."
	case ServerError:
		return "The sandbox answers 503 and stores nothing; Herald retries with backoff."
	case Reject:
		return "The post is refused for good; Herald shows the sandbox's message."
	case TimeoutAfterAccept:
		return "The post is stored but the answer never arrives; Herald must find it instead of posting twice."
	}
	return ""
}

func (k FailureKind) valid() bool {
	for _, v := range FailureKinds() {
		if k == v {
			return true
		}
	}
	return false
}

// requestFailures are checked before the post is looked at (authentication, rate limit,
// availability); postFailures after the idempotency key found no earlier post, so retrying a
// post the sandbox already has returns it and uses up neither.
var (
	requestFailures = []FailureKind{ExpiredToken, RateLimit, ServerError}
	postFailures    = []FailureKind{Reject, TimeoutAfterAccept}
)

// SetFailure makes the next count publishes, on every account, fail with kind; 0 turns the
// switch off. Switches set for one account (SetAccountFailure) are used before these. Unknown
// kinds are ignored.
func (n *Network) SetFailure(kind FailureKind, count int) { n.SetAccountFailure("", kind, count) }

// SetAccountFailure is SetFailure for one account, by handle (with or without "@"); an empty
// handle means every account.
func (n *Network) SetAccountFailure(handle string, kind FailureKind, count int) {
	if !kind.valid() {
		return
	}
	scope := ""
	if handle != "" {
		scope = slugHandle(handle)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.setFailureLocked(scope, kind, count)
}

func (n *Network) setFailureLocked(scope string, kind FailureKind, count int) {
	m := n.switches[scope]
	if count <= 0 {
		if m != nil {
			delete(m, kind)
			if len(m) == 0 {
				delete(n.switches, scope)
			}
		}
		return
	}
	if m == nil {
		m = map[FailureKind]int{}
		n.switches[scope] = m
	}
	m[kind] = count
}

// FailureCount returns how many more publishes kind will affect for handle ("" for the switch
// that applies to every account).
func (n *Network) FailureCount(handle string, kind FailureKind) int {
	scope := ""
	if handle != "" {
		scope = slugHandle(handle)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.switches[scope][kind]
}

// CreatedWithText counts the posts the sandbox holds with exactly this text, on every account
// (the parts of a thread are posts of their own). A publish repeated under the same idempotency
// key returns the post it made and counts once; what counts twice was created twice. Tests and
// benchmarks use it, as they use the fakes' counters of the real networks, to check that a post
// went out exactly once.
func (n *Network) CreatedWithText(text string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, p := range n.st.Posts {
		if p.Text == text {
			c++
		}
	}
	return c
}

// ClearFailures turns every switch off, for every account.
func (n *Network) ClearFailures() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.switches)
}

// takeFailureLocked uses up one publish of the first switch that is on among kinds: the
// account's own switches first, then those for every account.
func (n *Network) takeFailureLocked(handle string, kinds []FailureKind) (FailureKind, bool) {
	for _, scope := range []string{handle, ""} {
		m := n.switches[scope]
		for _, k := range kinds {
			if m[k] > 0 {
				n.setFailureLocked(scope, k, m[k]-1)
				return k, true
			}
		}
	}
	return "", false
}

// ErrSimulatedTimeout is the cause of the KindUnknown error TimeoutAfterAccept produces.
var ErrSimulatedTimeout = errors.New("sandbox: simulated timeout after the post was accepted")

// DemoCredentials returns credentials for a pretend account that need no OAuth connect, for
// seeding demo channels: a static token that never expires, accepted until a failure switch
// revokes it. The handle is normalised as the consent page does ("@Herald Coffee" becomes
// "heraldcoffee").
//
// For compatibility with demo data seeded before this existed, the bare access token "sandbox"
// is accepted too, for the account named by Extra["handle"] or else "heraldcoffee".
func DemoCredentials(handle, name string) *publishers.Credentials {
	h := slugHandle(handle)
	if name == "" {
		name = "@" + h
	}
	return &publishers.Credentials{
		AccessToken: demoTokenPrefix + h,
		Extra:       map[string]string{"account_id": accountID(h), "handle": h, "name": name},
	}
}

const (
	demoTokenPrefix = "sandbox-demo:"
	legacyDemoToken = "sandbox"
	legacyHandle    = "heraldcoffee"
)

// slugHandle turns an account name or handle into a handle: lower-case ASCII letters, digits and
// "_" (accented letters folded to ASCII), at most 24 of them, without a trailing "(sandbox)"; "sandboxuser" when nothing is left.
func slugHandle(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "(sandbox)"))
	var b strings.Builder
	for _, r := range s {
		for _, c := range foldLatin(r) {
			if b.Len() < 24 && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
				b.WriteRune(c)
			}
		}
	}
	if b.Len() == 0 {
		return "sandboxuser"
	}
	return b.String()
}

// foldLatin spells the accented lower-case letters of Western European languages in ASCII, so
// "Herald Café" becomes @heraldcafe rather than @heraldcaf.
func foldLatin(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return "a"
	case 'ç':
		return "c"
	case 'è', 'é', 'ê', 'ë':
		return "e"
	case 'ì', 'í', 'î', 'ï':
		return "i"
	case 'ñ':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø':
		return "o"
	case 'ù', 'ú', 'û', 'ü':
		return "u"
	case 'ý', 'ÿ':
		return "y"
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	}
	return string(r)
}

// accountID is the stable external id of the account with handle h.
func accountID(h string) string { return "sbx-" + h }

// originOf returns scheme://host[:port] as a browser writes it in an Origin header: lower case,
// without the scheme's default port.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}
