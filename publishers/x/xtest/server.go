// Package xtest is a fake X API v2 for tests, faithful to X's published API where Herald uses
// it: the OAuth 2.0 authorization-code flow with PKCE (authorization page, token endpoint with
// rotating refresh tokens), GET /2/users/me, POST and GET /2/tweets, GET /2/users/:id/tweets,
// and the v2 chunked media upload (initialize, append, finalize, status, alt text).
//
// Every request to a path in X's OpenAPI description (apispec.X) is checked against it: an
// undescribed method, an undescribed or missing query parameter, a parameter value its schema
// refuses, and a body its schema refuses (POST /2/tweets allows no property it does not name)
// fail the test and are answered 400 as X answers them. The description does not cover the
// OAuth endpoints or the media upload; those follow X's documentation (docs.x.com) and refuse
// what it does not describe the same way. A fake that cannot load the description fails the
// test.
//
// Answers look like X's: problem-object error bodies, x-rate-limit-* headers on every API
// answer (15-minute windows per token and endpoint), x-user-limit-24hour-* on post creation
// (the account's daily cap), Date in X's "UTC" form. Switches inject what X does: 429s (window
// and daily cap), 5xx, expired or revoked tokens, a post accepted and then no answer, and slow
// media processing. Counters let tests prove a post was created exactly once.
package xtest

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakenet"
)

// Defaults of a new Server.
const (
	// DefaultClientID and DefaultClientSecret are the confidential OAuth 2.0 client (a "Web App"
	// in X's developer portal) every Server has, with DefaultCallback as its callback URL.
	DefaultClientID     = "SGVyYWxkVGVzdENsaWVudDoxOmNp"
	DefaultClientSecret = "x-test-client-secret-Yq3rTfW9pLm2VbN8"
	DefaultCallback     = "https://herald.example/api/v1/connect/x/callback"
	// DefaultScopes are the scopes NewToken grants when given none.
	DefaultScopes = "tweet.read tweet.write users.read media.write offline.access"
	// DefaultTokenTTL is how long access tokens last (X: two hours).
	DefaultTokenTTL = 2 * time.Hour
	// DefaultDailyLimit is the account's 24-hour post cap (X's Basic tier: 100 per user).
	DefaultDailyLimit = 100
	// CodeTTL is how long an authorization code is valid (X: 30 seconds).
	CodeTTL = 30 * time.Second
	// RateWindow is the length of X's request windows.
	RateWindow = 15 * time.Minute
	// MaxChunk is the largest media append X takes.
	MaxChunk = 5 << 20
	// MaxTextWeight is X's limit on a post's weighted length.
	MaxTextWeight = 280
)

// defaultLimits are the requests allowed per 15-minute window per token, modelled on X's
// published per-user limits; SetRateLimit changes them.
var defaultLimits = map[string]int{
	"POST /2/tweets":                    100,
	"GET /2/tweets":                     900,
	"GET /2/users/me":                   75,
	"GET /2/users/:id/tweets":           900,
	"POST /2/oauth2/token":              500,
	"POST /2/media/upload/initialize":   500,
	"POST /2/media/upload/:id/append":   5000,
	"POST /2/media/upload/:id/finalize": 500,
	"GET /2/media/upload":               1000,
	"POST /2/media/metadata":            500,
}

// otherLimit is the window of endpoints defaultLimits does not list.
const otherLimit = 300

// Server is a fake X. Its exported methods are safe to call while requests are being served.
type Server struct {
	*fakenet.Server

	t    testing.TB
	spec *spec

	mu          sync.Mutex
	now         func() time.Time
	seq         int64
	account     account
	clients     map[string]*oauthClient
	grants      map[string]*grant
	tokens      map[string]*token // by access token
	refresh     map[string]*token // by refresh token
	tweets      map[string]*Tweet
	media       map[string]*Media
	dailyLimit  int
	mediaPolls  int
	mediaFail   string
	denyConsent bool
	latency     time.Duration
	limits      map[string]int
	windows     map[string]*window
	faults      fakenet.Faults[Fault]

	createdByText map[string]int
	requests      map[string]int
	calls         []Call
	grantsSeen    []TokenGrant
}

type account struct{ id, username, name string }

type oauthClient struct {
	id, secret string
	redirects  []string
}

type grant struct {
	clientID, redirect, challenge, method string
	scopes                                []string
	issued                                time.Time
	used                                  bool
}

type token struct {
	access, refresh string
	clientID        string
	scopes          []string
	expires         time.Time
	revoked         bool
}

type window struct {
	start time.Time
	used  int
}

// Tweet is a post the fake holds.
type Tweet struct {
	ID string
	// Text is the text as it was sent; Display is the text as X shows it (links replaced by
	// t.co links, &, < and > escaped, a t.co link for attached media appended).
	Text, Display string
	InReplyTo     string
	MediaIDs      []string
	CreatedAt     time.Time
	Metrics       Metrics
}

// Metrics are a post's public counters.
type Metrics struct {
	Impressions, Likes, Retweets, Replies, Quotes, Bookmarks int
}

// Media is an upload.
type Media struct {
	ID, Key, MIME, Category string
	TotalBytes              int
	// Segments are the sizes of the appended chunks by segment index.
	Segments  map[int]int
	Finalized bool
	// State is X's processing state once finalized: "succeeded", or "pending", "in_progress",
	// "failed" for a GIF or video being processed.
	State     string
	AltText   string
	owner     string
	pollsLeft int
	failure   string
}

// received is how many bytes were appended.
func (m *Media) received() int {
	n := 0
	for _, s := range m.Segments {
		n += s
	}
	return n
}

// Call is one request the fake received.
type Call struct {
	Method, Path string
	Query        url.Values
}

// TokenGrant describes one request to the token endpoint, without its secrets: how the client
// authenticated ("basic" or "body") and whether a PKCE verifier was sent.
type TokenGrant struct {
	GrantType   string
	ClientAuth  string
	HasVerifier bool
}

// NewServer starts a fake X that is closed when the test ends. It fails the test when X's API
// description cannot be loaded: a fake that checks nothing would let requests X refuses pass.
func NewServer(t testing.TB) *Server {
	t.Helper()
	sp, err := loadSpec()
	if err != nil {
		t.Fatalf("xtest: the X API description %s could not be loaded: %v", SpecFile, err)
	}
	s := &Server{
		t:             t,
		spec:          sp,
		now:           time.Now,
		account:       account{id: "1588432706581143553", username: "heraldhq", name: "Herald Test"},
		clients:       map[string]*oauthClient{},
		grants:        map[string]*grant{},
		tokens:        map[string]*token{},
		refresh:       map[string]*token{},
		tweets:        map[string]*Tweet{},
		media:         map[string]*Media{},
		dailyLimit:    DefaultDailyLimit,
		mediaPolls:    1,
		limits:        map[string]int{},
		windows:       map[string]*window{},
		createdByText: map[string]int{},
		requests:      map[string]int{},
	}
	for k, v := range defaultLimits {
		s.limits[k] = v
	}
	s.clients[DefaultClientID] = &oauthClient{id: DefaultClientID, secret: DefaultClientSecret, redirects: []string{DefaultCallback}}
	s.Server = fakenet.Start(t, s.routes())
	return s
}

// UserID is the id of the fake's one account.
func (s *Server) UserID() string { return s.account.id }

// Username is the fake account's handle, without "@".
func (s *Server) Username() string { return s.account.username }

// AddPublicClient registers a public OAuth 2.0 client (a "Native App" in X's portal, without a
// secret) with a callback URL.
func (s *Server) AddPublicClient(id, callback string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[id] = &oauthClient{id: id, redirects: []string{callback}}
}

// SetNow sets the fake's clock: created_at, token expiry, Date and rate-limit headers.
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

// SetDailyLimit sets the account's 24-hour post cap (DefaultDailyLimit).
func (s *Server) SetDailyLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dailyLimit = n
}

// SetRateLimit sets the requests allowed per 15-minute window for an endpoint ("POST /2/tweets",
// "GET /2/users/:id/tweets").
func (s *Server) SetRateLimit(endpoint string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[endpoint] = n
	s.windows = map[string]*window{}
}

// SetMediaProcessing makes GIFs and videos finalized from now on report "pending", then
// "in_progress" to the next polls-1 status checks, before "succeeded" (1 by default: one check).
func (s *Server) SetMediaProcessing(polls int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mediaPolls = polls
}

// SetMediaFailure makes the processing of GIFs and videos finalized from now on fail with msg
// ("" turns it off).
func (s *Server) SetMediaFailure(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mediaFail = msg
}

// SetDenyConsent makes the simulated person decline on the authorization page.
func (s *Server) SetDenyConsent(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyConsent = deny
}

// SetLatency delays every API answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// IssuedToken is a token issued without the OAuth dance.
type IssuedToken struct {
	Access, Refresh string
	Expiry          time.Time
}

// NewToken issues a token for the fake account to the default client, as if it had connected;
// scopes are space separated (DefaultScopes when empty). With offline.access it carries a
// refresh token.
func (s *Server) NewToken(scopes string) IssuedToken {
	if strings.TrimSpace(scopes) == "" {
		scopes = DefaultScopes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.issue(DefaultClientID, strings.Fields(scopes))
	return IssuedToken{Access: tok.access, Refresh: tok.refresh, Expiry: tok.expires}
}

// issue creates a token. Callers hold mu.
func (s *Server) issue(clientID string, scopes []string) *token {
	tok := &token{access: randomString(), clientID: clientID, scopes: scopes, expires: s.now().Add(DefaultTokenTTL)}
	s.tokens[tok.access] = tok
	for _, sc := range scopes {
		if sc == "offline.access" {
			tok.refresh = randomString()
			s.refresh[tok.refresh] = tok
		}
	}
	return tok
}

// ExpireToken makes an access token expired: later requests with it get 401.
func (s *Server) ExpireToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok, ok := s.tokens[access]; ok {
		tok.expires = s.now().Add(-time.Second)
	}
}

// RevokeToken revokes an access token and its refresh token.
func (s *Server) RevokeToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok, ok := s.tokens[access]; ok {
		tok.revoked = true
		delete(s.refresh, tok.refresh)
	}
}

// CreatedWithText counts the posts created through the API with exactly this text (as sent).
func (s *Server) CreatedWithText(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByText[text]
}

// Requests counts the requests received for a method and exact path.
func (s *Server) Requests(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method+" "+path]
}

// Calls returns the requests received for a method and exact path, with their queries.
func (s *Server) Calls(method, path string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method && c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// TokenGrants returns what the token endpoint was asked, in order.
func (s *Server) TokenGrants() []TokenGrant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenGrant(nil), s.grantsSeen...)
}

// Tweets returns the posts, newest first.
func (s *Server) Tweets() []Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Tweet
	for _, t := range s.sortedTweets() {
		out = append(out, *t)
	}
	return out
}

// Tweet returns one post.
func (s *Server) Tweet(id string) (Tweet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tweets[id]
	if !ok {
		return Tweet{}, false
	}
	return *t, true
}

// AddTweet stores a post as if the account had posted text at createdAt with mediaCount
// attachments (to seed a timeline). It does not count towards CreatedWithText.
func (s *Server) AddTweet(text string, createdAt time.Time, mediaCount int) Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &Tweet{ID: s.newID(createdAt), Text: text, CreatedAt: createdAt.UTC().Truncate(time.Millisecond)}
	for range mediaCount {
		m := &Media{ID: s.newID(createdAt), MIME: "image/png", Category: "tweet_image", Finalized: true, State: "succeeded", owner: s.account.id}
		m.Key = "3_" + m.ID
		s.media[m.ID] = m
		t.MediaIDs = append(t.MediaIDs, m.ID)
	}
	t.Display = displayText(text, len(t.MediaIDs) > 0)
	s.tweets[t.ID] = t
	return *t
}

// AddReply stores a reply by the account to parent (to seed a timeline).
func (s *Server) AddReply(parent, text string, createdAt time.Time) Tweet {
	t := s.AddTweet(text, createdAt, 0)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tweets[t.ID].InReplyTo = parent
	return *s.tweets[t.ID]
}

// DeleteTweet removes a post; lookups then report it not found.
func (s *Server) DeleteTweet(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tweets, id)
}

// SetMetrics sets a post's public counters.
func (s *Server) SetMetrics(id string, m Metrics) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tweets[id]; ok {
		t.Metrics = m
	}
}

// Media returns an upload.
func (s *Server) Media(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return Media{}, false
	}
	cp := *m
	cp.Segments = map[int]int{}
	for k, v := range m.Segments {
		cp.Segments[k] = v
	}
	return cp, true
}

// Fault makes the server misbehave for matching requests; see Inject.
type Fault struct {
	// Method and Path restrict the fault to one method and exact path; empty matches any API
	// request (never the authorization page).
	Method, Path string
	// Status is the HTTP status to answer with instead of serving the request.
	Status int
	// Detail, Title and Type make the problem body (defaults for Status when empty).
	Detail, Title, Type string
	// RetryIn is, for a 429, how long after the answer's Date its reset lies (15 minutes, or
	// 24 hours for DailyCap, when zero).
	RetryIn time.Duration
	// DailyCap makes a 429 the account's 24-hour post cap: x-user-limit-24hour-remaining 0.
	DailyCap bool
	// AcceptThenHang serves POST /2/tweets (the post is created) and then never answers, until
	// the client gives up or the server closes: a timeout after the post exists.
	AcceptThenHang bool
	// AcceptThenDrop serves POST /2/tweets and then closes the connection without an answer.
	AcceptThenDrop bool
	// Skip lets this many matching requests through before the fault applies (to make the
	// second part of a thread fail, say).
	Skip int
}

// On restricts f to one method and path.
func (f Fault) On(method, path string) Fault {
	f.Method, f.Path = method, path
	return f
}

// RateLimited answers 429 for an exhausted 15-minute window that resets retryIn after Date.
func RateLimited(retryIn time.Duration) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryIn: retryIn}
}

// DailyCapReached answers POST /2/tweets with 429 for the account's exhausted 24-hour post cap,
// which resets retryIn after Date (24 hours when zero).
func DailyCapReached(retryIn time.Duration) Fault {
	return Fault{Method: http.MethodPost, Path: "/2/tweets", Status: http.StatusTooManyRequests, DailyCap: true, RetryIn: retryIn}
}

// ServerError answers status (500, 502, 503, 504…).
func ServerError(status int) Fault { return Fault{Status: status} }

// Unauthorized answers 401 as X does for an expired or revoked token.
func Unauthorized() Fault { return Fault{Status: http.StatusUnauthorized} }

// Forbidden answers 403 with detail.
func Forbidden(detail string) Fault { return Fault{Status: http.StatusForbidden, Detail: detail} }

// AcceptThenHang creates the post and withholds the answer (see Fault.AcceptThenHang).
func AcceptThenHang() Fault {
	return Fault{Method: http.MethodPost, Path: "/2/tweets", AcceptThenHang: true}
}

// AcceptThenDrop creates the post and drops the connection (see Fault.AcceptThenDrop).
func AcceptThenDrop() Fault {
	return Fault{Method: http.MethodPost, Path: "/2/tweets", AcceptThenDrop: true}
}

// Inject applies f to the next n matching requests.
func (s *Server) Inject(n int, f Fault) { s.faults.Add(n, f.Skip, f) }

// takeFault consumes the first fault matching r.
func (s *Server) takeFault(r *http.Request) *Fault {
	return s.faults.Take(func(f *Fault) bool {
		if (f.Method != "" && f.Method != r.Method) || (f.Path != "" && f.Path != r.URL.Path) {
			return false
		}
		// AcceptThenHang and AcceptThenDrop need a post to create.
		return !(f.AcceptThenHang || f.AcceptThenDrop) || (r.Method == http.MethodPost && r.URL.Path == "/2/tweets")
	})
}

// twitterEpoch is the start of X's snowflake ids, in Unix milliseconds.
const twitterEpoch = 1288834974657

// newID returns a snowflake id, which sorts by time as X's do. Callers hold mu.
func (s *Server) newID(at time.Time) string {
	s.seq++
	return strconv.FormatInt((at.UnixMilli()-twitterEpoch)<<22|(s.seq&0x3fffff), 10)
}

// sortedTweets returns the posts newest first. Callers hold mu.
func (s *Server) sortedTweets() []*Tweet {
	out := make([]*Tweet, 0, len(s.tweets))
	for _, t := range s.tweets {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return fakenet.IDLess(out[j].ID, out[i].ID) })
	return out
}

// randomString makes tokens, codes and secrets.
func randomString() string { return fakenet.RandomString(30) }

// readBody reads a request body and puts it back for the handler.
func readBody(r *http.Request) []byte { return fakenet.ReadBody(r, 64<<20) }

func (s *Server) errorf(format string, args ...any) {
	s.t.Helper()
	s.t.Errorf("xtest: "+format, args...)
}
