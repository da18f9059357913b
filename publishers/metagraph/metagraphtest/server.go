// Package metagraphtest is one fake of Meta's Graph API for the Facebook Page and Instagram
// publishers' tests: Facebook Login (the dialog with PKCE, the code and fb_exchange_token
// exchanges), the signed-in user and their Pages with Page tokens, Page posts, photos, videos and
// comments, Instagram professional accounts with media containers processed over time,
// media_publish, the publishing limit, insights, and the lists FindPublished reads.
//
// Every Graph request is checked against Meta's machine-generated node specs (package apispec's
// meta-graph-api folder, the Business SDK codegen's api_specs): the edge must exist on the node's
// type for the method; every parameter must be described, of the right type, with a valid enum
// value; required ones must be present; every name in fields (and its modifiers and sub-fields)
// must be a field or an edge of the type. A request that breaks them is refused as Graph refuses
// it (error 100, "(#100) Invalid parameter", or the specific message), and the test fails. A fake
// that cannot load the specs fails the test at once.
//
// The User node (/me) and the Page video node (AdVideo) are not among the vendored spec files;
// they are checked against short hand-written descriptions (see Spec.HandWritten).
//
// Errors have Graph's shape {"error":{"message","type","code","error_subcode","fbtrace_id"}} and
// every answer carries Graph's usage headers (X-App-Usage, and X-Business-Use-Case-Usage for
// Page and Instagram calls). Faults simulate expired tokens (190), rate limits with
// estimated_time_to_regain_access, policy blocks (368), server errors, and requests that are
// carried out and then never answered. Counters tell tests how many posts were created with a
// message or caption, for exactly-once checks.
package metagraphtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/fakenet"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// Defaults of a new Server.
const (
	DefaultAppID     = "948374650000001"
	DefaultQuota     = 100
	quotaDuration    = 24 * time.Hour
	shortTokenTTL    = 2 * time.Hour
	longTokenTTL     = 60 * 24 * time.Hour
	codeTTL          = 10 * time.Minute
	containerTTL     = 24 * time.Hour
	defaultPageLimit = 25
)

// AllPermissions are the permissions a token from NewUserToken or PageToken carries.
var AllPermissions = append(append([]string{}, metagraph.FacebookScopes...), metagraph.InstagramScopes...)

// Server is a fake Graph API (and Facebook Login dialog). Its methods are safe to call while
// requests are being served.
type Server struct {
	*fakenet.Server

	t    testing.TB
	spec *Spec

	mu           sync.Mutex
	now          func() time.Time
	app          publishers.AppCredentials
	redirects    map[string]bool
	requireProof bool
	declined     map[string]bool
	denyConsent  bool
	seq          int64

	user       user
	kinds      map[string]string // id → node type
	pages      map[string]*page
	igs        map[string]*igAccount
	posts      map[string]*post
	photos     map[string]*photo
	videos     map[string]*video
	containers map[string]*container
	media      map[string]*media
	comments   map[string]*comment
	tokens     map[string]*token
	grants     map[string]*grant
	pageTokens map[string]string // long-lived page token per page

	processingDelay time.Duration
	outcomes        []containerOutcome
	quotaTotal      int
	publishes       map[string][]time.Time // ig user → media_publish times
	invalidMetrics  map[string]bool
	faults          fakenet.Faults[Fault]

	createdByMessage map[string]int
	createdByCaption map[string]int
	requests         map[string]int
	versions         map[string]int
	refusals         []string
	appCalls         int
	objectCalls      map[string]int
}

type user struct{ id, name string }

type page struct {
	id, name, username, igID string
}

type igAccount struct {
	id, username, name, picture, pageID string
}

// PageInfo describes a Page of the fake.
type PageInfo struct {
	ID, Name, Username string
	// IGUserID and IGUsername are the linked Instagram professional account ("" without one).
	IGUserID, IGUsername string
}

type post struct {
	id, pageID, message, link string
	kind                      string // status, photo, album, video
	created                   time.Time
	photoIDs                  []string
	videoID                   string
	shares, reactions         int
	views, clicks             int
}

type photo struct {
	id, pageID, postID, message, url, alt, mime string
	data                                        []byte
	published                                   bool
	created                                     time.Time
}

type video struct {
	id, pageID, description, title, fileURL, mime string
	data                                          []byte
	created                                       time.Time
	reactions                                     int
}

type container struct {
	id, igID, mediaType, imageURL, videoURL, caption, alt string
	carouselItem                                          bool
	children                                              []string
	created, readyAt                                      time.Time
	outcome, errText                                      string
	published                                             bool
}

type media struct {
	id, igID, caption, mediaType, productType, shortcode string
	ts                                                   time.Time
	likes, views, reach, saved, shares                   int
	children                                             []string
}

type comment struct {
	id, parent, message string
	created             time.Time
}

type token struct {
	value, kind    string // "user" or "page"
	pageID         string
	scopes         map[string]bool
	expires        time.Time // zero: never
	revoked        bool
	long           bool
	revokedSubcode int
}

type grant struct {
	redirect, challenge string
	scopes              []string
	issued              time.Time
	used                bool
}

type containerOutcome struct {
	status, text string
}

// NewServer starts a fake Graph API that is closed when the test ends. It has one user and no
// Pages: add them with AddPage.
func NewServer(t testing.TB) *Server {
	t.Helper()
	sp, err := LoadSpec()
	if err != nil {
		// A fake that checks nothing would let tests pass against requests Graph refuses.
		t.Fatalf("metagraphtest: Meta's Graph API specs (%s) could not be loaded: %v", SpecDir, err)
	}
	s := &Server{
		t:                t,
		spec:             sp,
		now:              time.Now,
		app:              publishers.AppCredentials{ClientID: DefaultAppID, ClientSecret: "fake-app-secret-" + randomHex(12)},
		redirects:        map[string]bool{},
		declined:         map[string]bool{},
		user:             user{id: "10229384756100001", name: "Herald Tester"},
		kinds:            map[string]string{},
		pages:            map[string]*page{},
		igs:              map[string]*igAccount{},
		posts:            map[string]*post{},
		photos:           map[string]*photo{},
		videos:           map[string]*video{},
		containers:       map[string]*container{},
		media:            map[string]*media{},
		comments:         map[string]*comment{},
		tokens:           map[string]*token{},
		grants:           map[string]*grant{},
		pageTokens:       map[string]string{},
		quotaTotal:       DefaultQuota,
		publishes:        map[string][]time.Time{},
		invalidMetrics:   map[string]bool{},
		createdByMessage: map[string]int{},
		createdByCaption: map[string]int{},
		requests:         map[string]int{},
		versions:         map[string]int{},
		objectCalls:      map[string]int{},
		seq:              17841400000000000,
	}
	s.kinds[s.user.id] = "User"
	s.Server = fakenet.Start(t, http.HandlerFunc(s.serve))
	return s
}

// Spec is the loaded description.
func (s *Server) Spec() *Spec { return s.spec }

// App is the Meta app the fake knows: its id and secret.
func (s *Server) App() publishers.AppCredentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.app
}

// UserID is the id of the fake's one Facebook user.
func (s *Server) UserID() string { return s.user.id }

// UserName is the user's name.
func (s *Server) UserName() string { return s.user.name }

// SetNow sets the fake's clock: token and code expiry, container processing, created times,
// the publishing limit's window.
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

// RegisterRedirectURI adds a Valid OAuth Redirect URI to the app's Facebook Login settings.
func (s *Server) RegisterRedirectURI(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirects[u] = true
}

// SetRequireAppSecretProof turns on the app setting "Require App Secret": calls without a valid
// appsecret_proof are refused.
func (s *Server) SetRequireAppSecretProof(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requireProof = on
}

// SetDeclinedPermissions makes the simulated person switch these permissions off in the dialog.
func (s *Server) SetDeclinedPermissions(perms ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.declined = map[string]bool{}
	for _, p := range perms {
		s.declined[p] = true
	}
}

// SetDenyConsent makes the simulated person cancel the dialog.
func (s *Server) SetDenyConsent(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyConsent = deny
}

// AddPage gives the user a Page; with igUsername not empty, an Instagram professional account
// linked to it.
func (s *Server) AddPage(name, username, igUsername string) PageInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &page{id: s.newID(), name: name, username: username}
	s.pages[p.id] = p
	s.kinds[p.id] = "Page"
	info := PageInfo{ID: p.id, Name: name, Username: username}
	if igUsername != "" {
		ig := &igAccount{id: s.newID(), username: igUsername, name: name, pageID: p.id,
			picture: s.URL + "/ig-pictures/" + igUsername + ".jpg"}
		s.igs[ig.id] = ig
		s.kinds[ig.id] = "IGUser"
		p.igID = ig.id
		info.IGUserID, info.IGUsername = ig.id, igUsername
	}
	return info
}

// NewUserToken issues a user token without the login dance: long-lived (60 days) or short-lived
// (2 hours), with perms (AllPermissions when none).
func (s *Server) NewUserToken(long bool, perms ...string) string {
	if len(perms) == 0 {
		perms = AllPermissions
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueUser(long, perms).value
}

// PageToken is the Page's long-lived token (what /me/accounts gives to a long-lived user token),
// with every permission.
func (s *Server) PageToken(pageID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pageToken(pageID, s.issueUser(true, AllPermissions)).value
}

// RevokeToken makes a token invalid: later requests get error 190 with subcode 460 (the password
// was changed), as when a person's session is invalidated.
func (s *Server) RevokeToken(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok := s.tokens[value]; tok != nil {
		tok.revoked = true
		tok.revokedSubcode = 460
	}
}

// SetProcessingDelay makes new Instagram containers IN_PROGRESS for d (on the fake's clock)
// before FINISHED.
func (s *Server) SetProcessingDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.processingDelay = d
}

// FailNextContainer makes the next container created end in status ("ERROR" or "EXPIRED");
// text is the container's status for an ERROR (Graph puts the reason there).
func (s *Server) FailNextContainer(status, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes = append(s.outcomes, containerOutcome{status: status, text: text})
}

// SetPublishingQuota sets the Instagram publishing limit per 24 hours (DefaultQuota, 100).
func (s *Server) SetPublishingQuota(total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotaTotal = total
}

// UsePublishingQuota records n posts published through the API by an Instagram account at t
// (they count against the limit for 24 hours).
func (s *Server) UsePublishingQuota(igID string, n int, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.publishes[igID] = append(s.publishes[igID], at)
	}
}

// SetInvalidMetrics makes insights refuse these metric names, as Graph refuses a deprecated
// metric (error 100).
func (s *Server) SetInvalidMetrics(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidMetrics = map[string]bool{}
	for _, n := range names {
		s.invalidMetrics[n] = true
	}
}

// PostInfo is a Page post as the fake holds it.
type PostInfo struct {
	ID, PageID, Message, Link, Kind string
	Created                         time.Time
	PhotoIDs                        []string
	VideoID                         string
	Comments                        []string
}

// PhotoInfo is an uploaded photo.
type PhotoInfo struct {
	ID, PostID, Message, URL, Alt, MIME string
	Data                                []byte
	Published                           bool
}

// VideoInfo is an uploaded video.
type VideoInfo struct {
	ID, Description, FileURL, MIME string
	Data                           []byte
	Comments                       []string
}

// MediaInfo is published Instagram media.
type MediaInfo struct {
	ID, IGUserID, Caption, MediaType, ProductType string
	Timestamp                                     time.Time
	Children                                      []string
	Comments                                      []string
}

// Post returns a Page post.
func (s *Server) Post(id string) (PostInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok {
		return PostInfo{}, false
	}
	return PostInfo{ID: p.id, PageID: p.pageID, Message: p.message, Link: p.link, Kind: p.kind, Created: p.created,
		PhotoIDs: append([]string(nil), p.photoIDs...), VideoID: p.videoID, Comments: s.commentTexts(p.id)}, true
}

// Posts returns a Page's posts, newest first.
func (s *Server) Posts(pageID string) []PostInfo {
	s.mu.Lock()
	ids := make([]string, 0)
	for _, p := range s.sortedPosts(pageID) {
		ids = append(ids, p.id)
	}
	s.mu.Unlock()
	out := make([]PostInfo, 0, len(ids))
	for _, id := range ids {
		p, _ := s.Post(id)
		out = append(out, p)
	}
	return out
}

// Photo returns an uploaded photo.
func (s *Server) Photo(id string) (PhotoInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.photos[id]
	if !ok {
		return PhotoInfo{}, false
	}
	return PhotoInfo{ID: p.id, PostID: p.postID, Message: p.message, URL: p.url, Alt: p.alt, MIME: p.mime,
		Data: append([]byte(nil), p.data...), Published: p.published}, true
}

// Video returns an uploaded video.
func (s *Server) Video(id string) (VideoInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[id]
	if !ok {
		return VideoInfo{}, false
	}
	return VideoInfo{ID: v.id, Description: v.description, FileURL: v.fileURL, MIME: v.mime,
		Data: append([]byte(nil), v.data...), Comments: s.commentTexts(v.id)}, true
}

// Media returns published Instagram media.
func (s *Server) Media(id string) (MediaInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return MediaInfo{}, false
	}
	return MediaInfo{ID: m.id, IGUserID: m.igID, Caption: m.caption, MediaType: m.mediaType, ProductType: m.productType,
		Timestamp: m.ts, Children: append([]string(nil), m.children...), Comments: s.commentTexts(m.id)}, true
}

// ContainerCount counts the containers created.
func (s *Server) ContainerCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.containers)
}

// AddPost stores a Page post as if made at created (to seed published_posts); it does not count
// towards CreatedWithMessage.
func (s *Server) AddPost(pageID, message string, created time.Time) PostInfo {
	s.mu.Lock()
	p := &post{id: pageID + "_" + s.newID(), pageID: pageID, message: message, kind: "status", created: created.UTC()}
	s.posts[p.id] = p
	s.kinds[p.id] = "PagePost"
	s.mu.Unlock()
	info, _ := s.Post(p.id)
	return info
}

// AddMedia stores Instagram media as if published at ts; it does not count towards
// CreatedWithCaption or the publishing limit.
func (s *Server) AddMedia(igID, caption string, ts time.Time) MediaInfo {
	s.mu.Lock()
	m := &media{id: s.newID(), igID: igID, caption: caption, mediaType: "IMAGE", productType: "FEED", ts: ts.UTC()}
	m.shortcode = "C" + m.id[len(m.id)-8:]
	s.media[m.id] = m
	s.kinds[m.id] = "IGMedia"
	s.mu.Unlock()
	info, _ := s.Media(m.id)
	return info
}

// SetPostCounts sets what a Page post's fields and insights report.
func (s *Server) SetPostCounts(id string, shares, reactions, views, clicks int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.posts[id]; p != nil {
		p.shares, p.reactions, p.views, p.clicks = shares, reactions, views, clicks
	}
}

// SetMediaCounts sets what Instagram media's fields and insights report.
func (s *Server) SetMediaCounts(id string, likes, views, reach, saved, shares int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.media[id]; m != nil {
		m.likes, m.views, m.reach, m.saved, m.shares = likes, views, reach, saved, shares
	}
}

// AddComment adds a comment (by someone else) to a post, photo, video or media.
func (s *Server) AddComment(objectID, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &comment{id: s.newID(), parent: objectID, message: message, created: s.now().UTC()}
	s.comments[c.id] = c
	if s.kinds[objectID] == "IGMedia" {
		s.kinds[c.id] = "IGComment"
	} else {
		s.kinds[c.id] = "Comment"
	}
}

// DeleteObject removes a post, photo, video or media: later reads of it fail as for an object
// that no longer exists.
func (s *Server) DeleteObject(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.kinds, id)
	delete(s.posts, id)
	delete(s.media, id)
	delete(s.videos, id)
	delete(s.photos, id)
}

// CreatedWithMessage counts the Page posts created through the API (feed, photos, videos) whose
// text is message.
func (s *Server) CreatedWithMessage(message string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByMessage[message]
}

// CreatedWithCaption counts the Instagram media published through media_publish with caption.
func (s *Server) CreatedWithCaption(caption string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByCaption[caption]
}

// Requests counts the requests for a method and a path without the version ("/123/feed").
func (s *Server) Requests(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method+" "+path]
}

// Versions lists the Graph API versions requests named.
func (s *Server) Versions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.versions))
	for v := range s.versions {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Refusals lists the requests the fake refused because they break the Graph API specs.
func (s *Server) Refusals() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refusals...)
}

// commentTexts returns the messages of an object's comments, oldest first. Callers hold mu.
func (s *Server) commentTexts(objectID string) []string {
	var cs []*comment
	for _, c := range s.comments {
		if c.parent == objectID {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return fakenet.IDLess(cs[i].id, cs[j].id) })
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.message)
	}
	return out
}

// newID returns a numeric id larger than every earlier one, as Graph's are. Callers hold mu.
func (s *Server) newID() string {
	s.seq++
	return strconv.FormatInt(s.seq, 10)
}

// sortedPosts returns a Page's posts newest first. Callers hold mu.
func (s *Server) sortedPosts(pageID string) []*post {
	var out []*post
	for _, p := range s.posts {
		if p.pageID == pageID {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].created.Equal(out[j].created) {
			return out[i].created.After(out[j].created)
		}
		return fakenet.IDLess(out[j].id, out[i].id)
	})
	return out
}

// issueUser issues a user token. Callers hold mu.
func (s *Server) issueUser(long bool, perms []string) *token {
	tok := &token{value: "EAAfake" + randomHex(24), kind: "user", scopes: map[string]bool{}, long: long}
	for _, p := range perms {
		tok.scopes[p] = true
	}
	if long {
		tok.expires = s.now().Add(longTokenTTL)
	} else {
		tok.expires = s.now().Add(shortTokenTTL)
	}
	s.tokens[tok.value] = tok
	return tok
}

// pageToken is the Page token /me/accounts gives to a user token: one that never expires for a
// long-lived user token, one that expires with it for a short-lived one, as Meta documents.
// Callers hold mu.
func (s *Server) pageToken(pageID string, user *token) *token {
	if user.long {
		if v, ok := s.pageTokens[pageID]; ok {
			if tok := s.tokens[v]; tok != nil && !tok.revoked {
				for p := range user.scopes {
					tok.scopes[p] = true
				}
				return tok
			}
		}
	}
	tok := &token{value: "EAAfakePage" + randomHex(24), kind: "page", pageID: pageID, scopes: map[string]bool{}, long: user.long}
	for p := range user.scopes {
		tok.scopes[p] = true
	}
	if !user.long {
		tok.expires = user.expires
	} else {
		s.pageTokens[pageID] = tok.value
	}
	s.tokens[tok.value] = tok
	return tok
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
