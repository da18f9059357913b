// Package linkedintest is a fake LinkedIn for tests: the OAuth 2.0 authorization-code flow
// (www.linkedin.com/oauth/v2), the OpenID Connect userinfo endpoint, and the versioned REST API
// Herald uses (api.linkedin.com/rest): organizationAcls, organizations, posts (create and the
// author finder), images and videos uploads, comments, and organization share statistics.
//
// LinkedIn publishes no machine-readable description of its API, so the fake follows its
// documentation on learn.microsoft.com (each handler cites its page) and, where the
// documentation is silent, what integrators report LinkedIn doing (noted where used). Every
// /rest/ request must carry LinkedIn-Version (an active YYYYMM version: at most 12 months old
// on the fake's clock) and X-Restli-Protocol-Version: 2.0.0, and resource keys in paths must be
// URL-encoded whole, as Rest.li 2.0 requires; requests that break these rules are refused with
// LinkedIn's error body, as are bodies with missing or unknown fields.
//
// Commentary is parsed as little text: an unescaped reserved character that starts no element
// cuts the post short, as LinkedIn silently does, so a client that forgets to escape is caught
// by the text the fake stores (Post.Text), not by an error.
//
// Switches simulate the rest: faults injected per method and path (an expired token, 403, a
// duplicate post, 429, 5xx, a post accepted and then never answered), apps with or without
// PKCE or refresh tokens, videos that take several polls or fail processing. Counters let
// tests assert that a post was created exactly once.
package linkedintest

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakenet"
)

// Defaults of a new Server.
const (
	// TokenTTL is LinkedIn's access-token lifetime, 60 days (expires_in 5184000).
	TokenTTL = 60 * 24 * time.Hour
	// RefreshTTL is a programmatic refresh token's lifetime, 365 days.
	RefreshTTL = 365 * 24 * time.Hour
	// DefaultVideoPartSize is the size of the parts LinkedIn asks a video to be uploaded in
	// (4 MiB).
	DefaultVideoPartSize = 4 << 20
	// MemberSub is the fake member's OpenID subject; its URN is urn:li:person:MemberSub.
	MemberSub = "dQw4w9WgXc"
	// MemberName is the fake member's name.
	MemberName = "Robin Herald"
)

// AllScopes are the scopes the fake app is granted by default: its products are Sign In with
// LinkedIn using OpenID Connect, Share on LinkedIn and the Community Management API.
const AllScopes = "openid profile email w_member_social w_organization_social r_organization_social rw_organization_admin"

// Server is a fake LinkedIn. Its exported methods are safe to call while requests are served.
type Server struct {
	*fakenet.Server

	t testing.TB

	mu               sync.Mutex
	now              func() time.Time
	clientID, secret string
	redirects        map[string]bool
	appScopes        map[string]bool
	pkce             bool
	issueRefresh     bool
	denyConsent      bool
	videoPartSize    int
	videoPolls       int
	videoFails       bool
	faults           fakenet.Faults[Fault]
	seq              int64

	orgs     map[int64]*Organization
	acls     []acl
	grants   map[string]*grant
	tokens   map[string]*token
	refresh  map[string]*token
	posts    map[string]*Post
	images   map[string]*Image
	videos   map[string]*Video
	comments []Comment

	createdByText map[string]int
	requests      map[string]int
}

// Organization is a LinkedIn page the fake knows.
type Organization struct {
	ID         int64
	Name       string
	VanityName string
	// LogoURN is its logoV2.original (urn:li:digitalmediaAsset:…), "" for none.
	LogoURN string
}

type acl struct {
	org   int64
	role  string
	state string
}

type grant struct {
	redirectURI string
	challenge   string
	scopes      []string
	issued      time.Time
	used        bool
}

type token struct {
	access, refresh string
	scopes          []string
	expires         time.Time
	refreshExpires  time.Time
	revoked         bool
}

// Post is a post the fake holds.
type Post struct {
	URN    string
	Author string
	// Commentary is the little text as sent; Text is what LinkedIn shows (escapes removed,
	// cut at the first character little cannot parse).
	Commentary string
	Text       string
	// Content is the content object as sent (nil for a text post).
	Content        map[string]any
	Visibility     string
	CreatedAt      time.Time
	LastModifiedAt time.Time
	// Statistics reported by organizationalEntityShareStatistics.
	Impressions, Likes, Comments, Shares, Clicks int64
}

// Image is an uploaded image.
type Image struct {
	URN    string
	Owner  string
	Status string
	Data   []byte
	MIME   string
}

// Video is an uploaded video.
type Video struct {
	URN         string
	Owner       string
	Size        int
	Status      string
	parts       [][2]int // byte ranges LinkedIn asked for
	etags       []string
	data        []byte
	received    map[int][]byte
	pollsLeft   int
	uploadToken string
}

// Comment is a comment created through the API.
type Comment struct {
	URN    string
	Post   string
	Actor  string
	Text   string
	Posted time.Time
}

// NewServer starts a fake LinkedIn that is closed when the test ends. Its app has a client id
// and secret (App), no registered redirect URL (AllowRedirect), all of AllScopes, no PKCE and
// no refresh tokens; its member administers two organizations (ids 1001 and 1002) and is an
// analyst of a third (1003), which Herald must not offer.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:             t,
		now:           time.Now,
		clientID:      "86abcdefghijkl",
		secret:        "WPL_AP1." + randomString(),
		redirects:     map[string]bool{},
		appScopes:     map[string]bool{},
		videoPartSize: DefaultVideoPartSize,
		orgs:          map[int64]*Organization{},
		grants:        map[string]*grant{},
		tokens:        map[string]*token{},
		refresh:       map[string]*token{},
		posts:         map[string]*Post{},
		images:        map[string]*Image{},
		videos:        map[string]*Video{},
		createdByText: map[string]int{},
		requests:      map[string]int{},
	}
	for _, sc := range splitScopes(AllScopes) {
		s.appScopes[sc] = true
	}
	s.AddOrganization(Organization{ID: 1001, Name: "Herald Coffee", VanityName: "herald-coffee", LogoURN: "urn:li:digitalmediaAsset:C4D0BAQHlogo1001"}, "ADMINISTRATOR")
	s.AddOrganization(Organization{ID: 1002, Name: "Herald Books", VanityName: "herald-books"}, "ADMINISTRATOR")
	s.AddOrganization(Organization{ID: 1003, Name: "Someone Else's Page", VanityName: "someone-else"}, "ANALYST")
	s.Server = fakenet.Start(t, s.routes())
	return s
}

// ClientID and ClientSecret are the fake app's credentials.
func (s *Server) ClientID() string     { return s.clientID }
func (s *Server) ClientSecret() string { return s.secret }

// MemberURN is the fake member's person URN.
func (s *Server) MemberURN() string { return "urn:li:person:" + MemberSub }

// OrganizationURN is an organization's URN.
func OrganizationURN(id int64) string { return "urn:li:organization:" + strconv.FormatInt(id, 10) }

// AllowRedirect registers an authorized redirect URL of the app (exact match, as LinkedIn
// compares them).
func (s *Server) AllowRedirect(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirects[u] = true
}

// SetAppScopes sets the scopes the app's products grant (space separated); asking for any
// other fails the sign-in with unauthorized_scope_error.
func (s *Server) SetAppScopes(scopes string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appScopes = map[string]bool{}
	for _, sc := range splitScopes(scopes) {
		s.appScopes[sc] = true
	}
}

// EnablePKCE turns on PKCE for the app, as LinkedIn does on request for native apps: the
// challenge sent to the authorization endpoint is then bound to the code and the token request
// must carry its verifier. Without it the challenge is ignored and a verifier is refused.
func (s *Server) EnablePKCE(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pkce = on
}

// IssueRefreshTokens makes the token endpoint issue programmatic refresh tokens (365 days),
// as LinkedIn does for approved partner apps.
func (s *Server) IssueRefreshTokens(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issueRefresh = on
}

// SetDenyConsent makes the simulated member cancel at the authorization page.
func (s *Server) SetDenyConsent(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyConsent = deny
}

// SetNow sets the fake's clock.
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

// SetVideoPartSize sets the size of the parts videos are uploaded in (4 MiB by default).
func (s *Server) SetVideoPartSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.videoPartSize = n
}

// SetVideoProcessing makes finalized videos answer PROCESSING to the first polls polls, then
// AVAILABLE, or PROCESSING_FAILED when fail is set.
func (s *Server) SetVideoProcessing(polls int, fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.videoPolls, s.videoFails = polls, fail
}

// AddOrganization adds a page on which the member has role (APPROVED).
func (s *Server) AddOrganization(o Organization, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	oc := o
	s.orgs[o.ID] = &oc
	s.acls = append(s.acls, acl{org: o.ID, role: role, state: "APPROVED"})
}

// NewToken issues an access token for the member without the OAuth dance, valid for ttl
// (TokenTTL when zero), with scopes (AllScopes when empty).
func (s *Server) NewToken(scopes string, ttl time.Duration) string {
	if scopes == "" {
		scopes = AllScopes
	}
	if ttl == 0 {
		ttl = TokenTTL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := &token{access: randomString(), scopes: splitScopes(scopes), expires: s.now().Add(ttl)}
	s.tokens[tok.access] = tok
	return tok.access
}

// RevokeToken revokes an access token (the member removed the app).
func (s *Server) RevokeToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok := s.tokens[access]; tok != nil {
		tok.revoked = true
	}
}

// CreatedWithText counts the posts created through the API whose shown text is text.
func (s *Server) CreatedWithText(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByText[text]
}

// Requests counts the requests received for a method and decoded path.
func (s *Server) Requests(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method+" "+path]
}

// Post returns a post by URN.
func (s *Server) Post(urn string) (Post, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[urn]
	if !ok {
		return Post{}, false
	}
	return *p, true
}

// Posts returns every post, newest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Post, 0, len(s.posts))
	for _, p := range s.sortedPosts("CREATED") {
		out = append(out, *p)
	}
	return out
}

// AddPost stores a post as if author had published commentary (little text) at createdAt,
// outside the API (it does not count in CreatedWithText).
func (s *Server) AddPost(author, commentary string, createdAt time.Time) Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, _ := renderLittle(commentary)
	p := &Post{URN: "urn:li:share:" + s.nextID(), Author: author, Commentary: commentary, Text: text,
		Visibility: "PUBLIC", CreatedAt: createdAt.UTC(), LastModifiedAt: createdAt.UTC()}
	s.posts[p.URN] = p
	return *p
}

// SetStatistics sets a post's counters.
func (s *Server) SetStatistics(urn string, impressions, likes, comments, shares, clicks int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.posts[urn]; p != nil {
		p.Impressions, p.Likes, p.Comments, p.Shares, p.Clicks = impressions, likes, comments, shares, clicks
	}
}

// Image returns an uploaded image.
func (s *Server) Image(urn string) (Image, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	im, ok := s.images[urn]
	if !ok {
		return Image{}, false
	}
	return *im, true
}

// Video returns an uploaded video (its bytes as reassembled from the parts).
func (s *Server) Video(urn string) (Video, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[urn]
	if !ok {
		return Video{}, false
	}
	return *v, true
}

// VideoData returns an uploaded video's bytes as reassembled from its parts.
func (s *Server) VideoData(urn string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.videos[urn]; v != nil {
		return append([]byte(nil), v.data...)
	}
	return nil
}

// Comments returns the comments created through the API.
func (s *Server) Comments() []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Comment(nil), s.comments...)
}

// Fault makes the server misbehave for matching requests; see Inject.
type Fault struct {
	// Method and Path restrict the fault to one method and decoded path; empty matches any, and
	// a Path ending in "*" matches every path it prefixes ("/rest/socialActions/*").
	Method, Path string
	// Status is the HTTP status to answer with instead of serving the request.
	Status int
	// ServiceErrorCode, Code and Message fill LinkedIn's error body (defaults per status).
	ServiceErrorCode int
	Code, Message    string
	// Body, when set, is sent as is instead of the error body.
	Body string
	// AcceptThenHang serves POST /rest/posts (the post is created) and then never answers,
	// until the client gives up or the server closes: a timeout after the post exists.
	AcceptThenHang bool
}

// On restricts f to one method and path.
func (f Fault) On(method, path string) Fault {
	f.Method, f.Path = method, path
	return f
}

// Expired answers 401 as for an access token past its 60 days.
func Expired() Fault {
	return Fault{Status: http.StatusUnauthorized, ServiceErrorCode: 65601, Code: "EXPIRED_ACCESS_TOKEN",
		Message: "The token used in the request has expired"}
}

// Forbidden answers 403 ACCESS_DENIED with message (a permission-shaped one when empty).
func Forbidden(message string) Fault {
	if message == "" {
		message = "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260701"
	}
	return Fault{Status: http.StatusForbidden, ServiceErrorCode: 100, Code: "ACCESS_DENIED", Message: message}
}

// Duplicate answers 422 DUPLICATE_POST, in the shape LinkedIn uses for it.
func Duplicate(of string) Fault {
	return Fault{Status: http.StatusUnprocessableEntity, Body: duplicateBody(of)}
}

// RateLimited answers 429 (LinkedIn sends no reset time).
func RateLimited() Fault {
	return Fault{Status: http.StatusTooManyRequests, ServiceErrorCode: 101, Code: "TOO_MANY_REQUESTS",
		Message: "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}
}

// ServerError answers status (500, 502, 503, 504).
func ServerError(status int) Fault {
	return Fault{Status: status, Message: http.StatusText(status)}
}

// AcceptThenHang creates the post and withholds the answer (see Fault.AcceptThenHang).
func AcceptThenHang() Fault {
	return Fault{Method: http.MethodPost, Path: "/rest/posts", AcceptThenHang: true}
}

// Inject applies f to the next n matching requests.
func (s *Server) Inject(n int, f Fault) { s.faults.Add(n, 0, f) }

func (s *Server) takeFault(r *http.Request) *Fault {
	return s.faults.Take(func(f *Fault) bool {
		if (f.Method != "" && f.Method != r.Method) || !pathMatches(f.Path, r.URL.Path) {
			return false
		}
		// AcceptThenHang needs a post to create.
		return !f.AcceptThenHang || (r.Method == http.MethodPost && r.URL.Path == "/rest/posts")
	})
}

func pathMatches(pattern, path string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return pattern == "" || pattern == path
}

// nextID returns a numeric id that sorts by creation. Callers hold mu.
func (s *Server) nextID() string {
	s.seq++
	return strconv.FormatInt(7_100_000_000_000_000_000+s.seq, 10)
}

// randomString makes tokens, codes and secrets.
func randomString() string { return fakenet.RandomString(24) }

// readBody reads a request body and puts it back for the handler.
func readBody(r *http.Request) []byte { return fakenet.ReadBody(r, 256<<20) }
