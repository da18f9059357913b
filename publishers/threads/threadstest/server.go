// Package threadstest is a fake Threads API (graph.threads.net and the threads.net authorization
// window) for tests, written from Meta's Threads API documentation: there is no
// machine-readable description of the Threads API to check requests against. Each rule the fake
// enforces names the page it comes from; where the documentation is silent and the fake has to
// choose (an error's exact wording), the comment says so.
//
// What it serves: the authorization window (state, and PKCE verified when the client sends a
// challenge), the code exchange (single-use codes that expire), the long-lived exchange
// (th_exchange_token) and the refresh (th_refresh_token: at least 24 hours old, not expired),
// /me, media containers with processing that takes time on the fake's clock, threads_publish,
// replies, permalinks, the publishing limit, media insights, the account's post list and a
// post's replies.
//
// Requests are checked the way Threads checks them: an unknown parameter or field, a missing
// token or permission, or a media_type with the wrong fields (IMAGE without image_url) is refused
// with Threads' Graph-style error. Such a refusal is a bug in the client, so it also fails the
// test, unless the test called AllowBadRequests to send one on purpose.
//
// Switches simulate what Threads does: a processing delay per media type, containers that end in
// ERROR or EXPIRED, a small publishing quota, Graph errors (190, 4, 5xx) and a publish that is
// accepted and never answered. Counters let tests assert that a post was created exactly once.
package threadstest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Endpoints name what a request does, for Inject and Requests.
const (
	EndpointAuthorize = "GET /oauth/authorize"
	EndpointToken     = "POST /oauth/access_token"
	EndpointExchange  = "GET /access_token"
	EndpointRefresh   = "GET /refresh_access_token"
	EndpointUser      = "GET /{user-id}"
	EndpointCreate    = "POST /{user-id}/threads"
	EndpointPublish   = "POST /{user-id}/threads_publish"
	EndpointContainer = "GET /{container-id}"
	EndpointMedia     = "GET /{media-id}"
	EndpointList      = "GET /{user-id}/threads"
	EndpointLimit     = "GET /{user-id}/threads_publishing_limit"
	EndpointInsights  = "GET /{media-id}/insights"
	EndpointReplies   = "GET /{media-id}/replies"
)

// Documented values.
const (
	// Version is the API version the fake serves under (/v1.0/…).
	Version = "v1.0"
	// ShortLivedTTL and LongLivedTTL are the tokens' lifetimes (Long-lived tokens: one hour and
	// 60 days).
	ShortLivedTTL = time.Hour
	LongLivedTTL  = 60 * 24 * time.Hour
	// MinRefreshAge is how old a long-lived token must be to be refreshed (Long-lived tokens).
	MinRefreshAge = 24 * time.Hour
	// CodeTTL is how long an authorization code stays valid. Meta does not document it for
	// Threads; Facebook Login's codes last ten minutes, and the fake takes that.
	CodeTTL = 10 * time.Minute
	// PostQuota and ReplyQuota are the publishing allowances per 24 hours (Overview, "Posts";
	// Replies, "Rate limits").
	PostQuota  = 250
	ReplyQuota = 1000
	// ContainerTTL is how long an unpublished container lives (Troubleshooting: EXPIRED "was not
	// published within 24 hours").
	ContainerTTL = 24 * time.Hour
	// MaxText is the text limit (Posts, "Limitations": 500 characters, emojis counted by their
	// UTF-8 bytes).
	MaxText = 500
	// MaxChildren and MinChildren bound a carousel (Posts, "Carousel posts": up to 20; a
	// carousel has at least two items).
	MaxChildren = 20
	MinChildren = 2
)

// Permissions are the Threads permissions an app may ask for (Get started, "Authorization",
// and the Permissions reference).
var Permissions = []string{
	"threads_basic", "threads_content_publish", "threads_manage_replies", "threads_read_replies",
	"threads_manage_insights", "threads_manage_mentions", "threads_keyword_search",
	"threads_location_tagging", "threads_delete", "threads_profile_discovery",
}

// DefaultScopes are the permissions NewToken grants when given none: the five Herald asks for.
var DefaultScopes = []string{"threads_basic", "threads_content_publish", "threads_manage_replies",
	"threads_read_replies", "threads_manage_insights"}

// Server is a fake Threads API. Its exported methods are safe to call while requests are served.
type Server struct {
	*httptest.Server

	t         testing.TB
	closing   chan struct{}
	closeOnce sync.Once

	mu          sync.Mutex
	now         func() time.Time
	appID       string
	appSecret   string
	redirects   map[string]bool
	user        userInfo
	denyConsent bool
	allowBad    bool
	violations  []string
	latency     time.Duration
	seq         int64

	grants     map[string]*grant
	tokens     map[string]*token
	containers map[string]*container
	posts      map[string]*Post
	processing map[string]time.Duration
	failures   []*containerFailure
	faults     []*faultSlot
	quota      [2]int // posts, replies per window
	window     time.Duration

	createdByText map[string]int
	requests      map[string]int
	inFlight      int
	maxInFlight   int
}

type userInfo struct {
	id, username, name, picture, bio string
}

type grant struct {
	redirectURI, challenge string
	scopes                 []string
	issued                 time.Time
	used                   bool
}

type token struct {
	value   string
	long    bool
	scopes  []string
	issued  time.Time
	expires time.Time
	revoked bool
}

// container is a media container (Posts, step 1).
type container struct {
	id, mediaType, text, imageURL, videoURL, altText, replyTo string
	carouselItem                                              bool
	children                                                  []string
	created                                                   time.Time
	readyAt                                                   time.Time
	failStatus, failMessage                                   string
	publishedAs                                               string
}

// Post is a published post (a Threads media object) as the fake holds it.
type Post struct {
	ID string
	// MediaType is as GET /{media-id} shows it: TEXT_POST, IMAGE, VIDEO or CAROUSEL_ALBUM.
	MediaType string
	Text      string
	ImageURL  string
	VideoURL  string
	AltText   string
	// ReplyTo is the post this one replies to ("" for a top-level post); Root is the thread's
	// first post.
	ReplyTo string
	Root    string
	// Children are a carousel's image or video URLs.
	Children  []string
	Timestamp time.Time
	Shortcode string
	// API is true for posts published through the API, which count against the publishing
	// quota (seeded posts count too: they stand for earlier API posts).
	API bool
	// Insights are the counters GET /{media-id}/insights reports; Replies there also counts the
	// replies published on the fake.
	Insights Insights
}

// Insights are a post's media insights (Insights, "Available Metrics").
type Insights struct {
	Views, Likes, Replies, Reposts, Quotes, Shares int64
}

// NewServer starts a fake Threads that is closed when the test ends. Its Meta app has AppID and
// AppSecret; register the callback URL with RegisterRedirectURI before connecting.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:             t,
		closing:       make(chan struct{}),
		now:           time.Now,
		appID:         "990602627938098",
		appSecret:     randomString(16),
		redirects:     map[string]bool{},
		user:          userInfo{id: "25058283170449231", username: "herald.test", name: "Herald Test", bio: "Herald's test account"},
		grants:        map[string]*grant{},
		tokens:        map[string]*token{},
		containers:    map[string]*container{},
		posts:         map[string]*Post{},
		processing:    map[string]time.Duration{},
		quota:         [2]int{PostQuota, ReplyQuota},
		window:        24 * time.Hour,
		createdByText: map[string]int{},
		requests:      map[string]int{},
	}
	s.Server = httptest.NewServer(s.routes())
	s.user.picture = s.URL + "/pictures/herald.test.jpg"
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing handlers that hold a request (AcceptThenHang).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.Server.Close()
	})
}

// AppID and AppSecret are the fake Meta app's Threads app id and secret.
func (s *Server) AppID() string     { return s.appID }
func (s *Server) AppSecret() string { return s.appSecret }

// UserID is the fake account's Threads user id. It is larger than 2^53, as real ids are, so a
// client that reads ids as JSON numbers into float64 gets it wrong.
func (s *Server) UserID() string { return s.user.id }

// Username is the fake account's username.
func (s *Server) Username() string { return s.user.username }

// AuthorizeURL is where the fake's authorization window is.
func (s *Server) AuthorizeURL() string { return s.URL + "/oauth/authorize" }

// RegisterRedirectURI adds a URL to the app's Redirect Callback URLs.
func (s *Server) RegisterRedirectURI(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirects[u] = true
}

// SetNow sets the fake's clock: token ages and expiry, processing, timestamps and quotas.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// SetDenyConsent makes the simulated person decline in the authorization window.
func (s *Server) SetDenyConsent(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyConsent = deny
}

// AllowBadRequests stops refused requests from failing the test (they are still refused and
// recorded in Violations), for tests that send them on purpose.
func (s *Server) AllowBadRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allowBad = true
}

// Violations lists the requests refused because they break the documented API.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// violate records a request that breaks the documented API and, unless allowed, fails the test.
func (s *Server) violate(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.violations = append(s.violations, msg)
	allow := s.allowBad
	s.mu.Unlock()
	if !allow {
		s.t.Errorf("threadstest: %s", msg)
	}
}

// SetLatency delays every API answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetProcessingDelay makes containers of a media type (TEXT, IMAGE, VIDEO, CAROUSEL) report
// IN_PROGRESS for d after their creation, on the fake's clock. A carousel is also in progress
// while any of its items is.
func (s *Server) SetProcessingDelay(mediaType string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.processing[strings.ToUpper(mediaType)] = d
}

// ContainerFailure makes containers end in ERROR or EXPIRED once processed.
type ContainerFailure struct {
	// MediaType restricts it to containers of one type ("" for any).
	MediaType string
	// Status is ERROR or EXPIRED.
	Status string
	// ErrorMessage is the error_message of an ERROR (Troubleshooting lists them, e.g.
	// FAILED_DOWNLOADING_VIDEO).
	ErrorMessage string
	// N is how many containers it applies to (1 when zero).
	N int
}

type containerFailure struct {
	ContainerFailure
	left int
}

// FailContainers applies f to the next matching containers created.
func (s *Server) FailContainers(f ContainerFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := f.N
	if n <= 0 {
		n = 1
	}
	s.failures = append(s.failures, &containerFailure{ContainerFailure: f, left: n})
}

// SetQuota sets the account's publishing allowances per 24 hours (250 posts and 1,000 replies by
// default).
func (s *Server) SetQuota(posts, replies int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota = [2]int{posts, replies}
}

// TokenOptions describe a token NewToken issues.
type TokenOptions struct {
	// Age is how long ago, on the fake's clock, it was issued.
	Age time.Duration
	// Scopes are its permissions (DefaultScopes when nil).
	Scopes []string
	// ShortLived makes a one-hour token instead of a 60-day one.
	ShortLived bool
}

// NewToken issues a token for the fake account without the authorization dance.
func (s *Server) NewToken(o TokenOptions) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	scopes := o.Scopes
	if scopes == nil {
		scopes = DefaultScopes
	}
	return s.issue(!o.ShortLived, scopes, s.now().Add(-o.Age)).value
}

// issue creates a token. Callers hold mu.
func (s *Server) issue(long bool, scopes []string, at time.Time) *token {
	ttl := ShortLivedTTL
	prefix := "THAAshort"
	if long {
		ttl, prefix = LongLivedTTL, "THAAlong"
	}
	tok := &token{value: prefix + randomString(24), long: long, scopes: append([]string(nil), scopes...), issued: at, expires: at.Add(ttl)}
	s.tokens[tok.value] = tok
	return tok
}

// TokenExpiry is when a token expires (zero for an unknown token).
func (s *Server) TokenExpiry(value string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok := s.tokens[value]; tok != nil {
		return tok.expires
	}
	return time.Time{}
}

// RevokeToken makes later requests with the token fail with code 190 (the person removed the
// app).
func (s *Server) RevokeToken(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok := s.tokens[value]; tok != nil {
		tok.revoked = true
	}
}

// PostSeed describes a post AddPost stores.
type PostSeed struct {
	Text string
	At   time.Time
	// MediaType is TEXT_POST (the default), IMAGE, VIDEO or CAROUSEL_ALBUM.
	MediaType string
	// ReplyTo makes it a reply.
	ReplyTo string
}

// AddPost stores a post as if the account had published it through the API at seed.At (it
// counts against the quota while within the window, and not towards CreatedWithText).
func (s *Server) AddPost(seed PostSeed) Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	mt := seed.MediaType
	if mt == "" {
		mt = "TEXT_POST"
	}
	p := &Post{ID: s.newID(), MediaType: mt, Text: seed.Text, ReplyTo: seed.ReplyTo, Timestamp: seed.At.UTC(), API: true}
	p.Root = p.ID
	if parent := s.posts[seed.ReplyTo]; parent != nil {
		p.Root = parent.Root
	}
	p.Shortcode = shortcode(p.ID)
	s.posts[p.ID] = p
	return *p
}

// Posts returns every post, newest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Post, 0, len(s.posts))
	for _, p := range s.sortedPosts() {
		out = append(out, *p)
	}
	return out
}

// Post returns one post.
func (s *Server) Post(id string) (Post, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok {
		return Post{}, false
	}
	return *p, true
}

// DeletePost removes a post: reading it or its insights then fails as for a deleted post.
func (s *Server) DeletePost(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.posts, id)
}

// SetInsights sets a post's counters.
func (s *Server) SetInsights(id string, in Insights) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.posts[id]; p != nil {
		p.Insights = in
	}
}

// CreatedWithText counts the posts published through threads_publish with exactly this text.
func (s *Server) CreatedWithText(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByText[text]
}

// ContainersCreated counts the containers created.
func (s *Server) ContainersCreated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.containers)
}

// Requests counts the requests received for an endpoint (one of the Endpoint constants).
func (s *Server) Requests(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[endpoint]
}

// MaxInFlight is the most API requests that were being served at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Fault makes the server answer a matching request with an error instead of serving it.
type Fault struct {
	// Endpoint restricts the fault to one endpoint ("" matches any).
	Endpoint string
	// Skip lets this many matching requests through before the fault applies.
	Skip int
	// Status is the HTTP status (400 when zero).
	Status int
	// Code, Subcode, Type, Message, UserMessage and Transient fill Graph's error object.
	Code, Subcode int
	Type          string
	Message       string
	UserMessage   string
	Transient     bool
	// HTML answers a gateway's HTML page instead of Graph JSON.
	HTML bool
	// Header is added to the answer.
	Header http.Header
	// AcceptThenHang serves threads_publish (the post is published) and then never answers,
	// until the client gives up or the server closes.
	AcceptThenHang bool
	// AcceptThenError serves threads_publish (the post is published) and then answers with the
	// fault's error, as a server that failed after doing the work.
	AcceptThenError bool
}

// acceptFirst reports whether the fault lets threads_publish do its work first.
func (f Fault) acceptFirst() bool { return f.AcceptThenHang || f.AcceptThenError }

// GraphError answers status with a Graph error object.
func GraphError(status, code, subcode int, message string) Fault {
	return Fault{Status: status, Code: code, Subcode: subcode, Type: "OAuthException", Message: message}
}

// TokenExpired answers code 190, subcode 463, as for an expired token.
func TokenExpired() Fault {
	return Fault{Status: http.StatusBadRequest, Code: 190, Subcode: 463, Type: "OAuthException",
		Message: "Error validating access token: Session has expired."}
}

// RateLimited answers code 4 (app throttling) with Graph's usage headers, estimating the access
// back after minutes.
func RateLimited(minutes int) Fault {
	h := http.Header{}
	h.Set("X-App-Usage", `{"call_count":100,"total_cputime":12,"total_time":20}`)
	h.Set("X-Business-Use-Case-Usage", fmt.Sprintf(`{"%s":[{"type":"threads","call_count":100,"total_cputime":12,"total_time":20,"estimated_time_to_regain_access":%d}]}`, "25058283170449231", minutes))
	return Fault{Status: http.StatusBadRequest, Code: 4, Type: "OAuthException", Message: "(#4) Application request limit reached", Header: h}
}

// ServerError answers status (500, 503…) with Graph's code 2, as a temporary failure.
func ServerError(status int) Fault {
	return Fault{Status: status, Code: 2, Type: "OAuthException", Message: "An unexpected error has occurred. Please retry your request later.", Transient: true}
}

// Gateway answers status (502, 504) with an HTML page, as a proxy in front of Threads does.
func Gateway(status int) Fault { return Fault{Status: status, HTML: true} }

// AcceptThenHang publishes and withholds the answer (see Fault.AcceptThenHang).
func AcceptThenHang() Fault { return Fault{Endpoint: EndpointPublish, AcceptThenHang: true} }

// AcceptThenError publishes and then answers with f's error (see Fault.AcceptThenError).
func AcceptThenError(f Fault) Fault {
	f.Endpoint, f.AcceptThenError = EndpointPublish, true
	return f
}

// On restricts f to one endpoint.
func (f Fault) On(endpoint string) Fault {
	f.Endpoint = endpoint
	return f
}

type faultSlot struct {
	f       Fault
	skip, n int
}

// Inject applies f to the next n matching requests (after f.Skip of them).
func (s *Server) Inject(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultSlot{f: f, skip: f.Skip, n: n})
}

// takeFault consumes the first fault matching endpoint. Callers hold mu.
func (s *Server) takeFault(endpoint string) *Fault {
	for _, slot := range s.faults {
		if slot.n <= 0 || (slot.f.Endpoint != "" && slot.f.Endpoint != endpoint) {
			continue
		}
		if slot.f.acceptFirst() && endpoint != EndpointPublish {
			continue
		}
		if slot.skip > 0 {
			slot.skip--
			continue
		}
		slot.n--
		f := slot.f
		return &f
	}
	return nil
}

// newID returns a numeric id, as Threads' are. Callers hold mu.
func (s *Server) newID() string {
	s.seq++
	return strconv.FormatInt(17_841_400_000_000_000+s.seq*7919, 10)
}

// sortedPosts returns the posts newest first (ties by id). Callers hold mu.
func (s *Server) sortedPosts() []*Post {
	out := make([]*Post, 0, len(s.posts))
	for _, p := range s.posts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Timestamp.Equal(out[j].Timestamp) {
			return out[i].Timestamp.After(out[j].Timestamp)
		}
		return idLess(out[j].ID, out[i].ID)
	})
	return out
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// shortcode is a post's code in its permalink.
func shortcode(id string) string {
	n, ok := new(big.Int).SetString(id, 10)
	if !ok {
		return id
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b []byte
	base := big.NewInt(64)
	m := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, base, m)
		b = append([]byte{alphabet[m.Int64()]}, b...)
	}
	return string(b)
}

// permalink is a post's permanent link.
func (s *Server) permalink(p *Post) string {
	return "https://www.threads.net/@" + s.user.username + "/post/" + p.Shortcode
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
