// Package mastodontest is a fake Mastodon instance for tests, faithful to Mastodon's published
// client API where Herald uses it: app registration, the OAuth authorization-code flow with
// PKCE, verify_credentials, statuses (with Idempotency-Key, and replies with in_reply_to_id), a
// status's context (its ancestors and descendants), an account's statuses, media uploads
// processed asynchronously, and the v2 instance configuration.
//
// Every request is checked against Mastodon's OpenAPI description (shared/specs, found by
// walking up from the test's working directory; see SpecFile): a method and path it does not
// describe, or a required parameter left out, fails the test. POST /api/v1/statuses bodies are
// also validated strictly against the description's schema and refused with 422 as Mastodon
// refuses invalid statuses. When the description cannot be found the checks are skipped and
// the test log says so.
//
// Switches simulate what real instances do: answers withheld after a status was accepted (a
// client timeout), 429s with ISO 8601 X-RateLimit-Reset, 5xx, revoked tokens, servers that
// ignore Idempotency-Key, and uploads that need several polls; a fault can be aimed at the n-th
// status of a reply chain (Fault.OnPart), to fail one part of a thread. Counters let tests assert
// that a status was created exactly once.
package mastodontest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of a new Server.
const (
	DefaultMaxCharacters = 500
	DefaultRateLimit     = 300
	DefaultRateWindow    = 5 * time.Minute
	// DefaultScopes are the scopes NewToken grants when given none.
	DefaultScopes = "read write:statuses write:media"
)

// Server is a fake Mastodon instance. Its exported methods are safe to call while requests are
// being served.
type Server struct {
	*httptest.Server

	t    testing.TB
	spec *spec

	closing   chan struct{}
	closeOnce sync.Once

	mu                sync.Mutex
	now               func() time.Time
	honourIdempotency bool
	maxChars          int
	mediaPolls        int
	refreshTTL        time.Duration
	denyConsent       bool
	latency           time.Duration
	rateLimit         int
	rateWindow        time.Duration
	faults            []*faultSlot
	seq               int64

	account  accountInfo
	apps     map[string]*app // by client id
	grants   map[string]*grant
	tokens   map[string]*token // by access token
	refresh  map[string]*token // by refresh token
	statuses map[string]*Status
	media    map[string]*Media
	idem     map[string]string // Idempotency-Key → status id

	createdByKey  map[string]int
	createdByText map[string]int
	requests      map[string]int
	windows       map[string]*window
	inFlight      int
	maxInFlight   int
}

type accountInfo struct {
	id, username, displayName string
}

type app struct {
	id, clientID, secret, name, website string
	redirectURIs                        []string
	scopes                              []string
}

type grant struct {
	clientID, redirectURI, challenge string
	scopes                           []string
	issued                           time.Time
	used                             bool
}

type token struct {
	access, refresh string
	clientID        string
	scopes          []string
	expires         time.Time // zero: never
	revoked         bool
}

type window struct {
	start time.Time
	used  int
}

// Status is a status the fake holds.
type Status struct {
	ID             string
	Text           string
	InReplyToID    string
	MediaIDs       []string
	Language       string
	Visibility     string
	IdempotencyKey string
	CreatedAt      time.Time
	// Counters reported by GET /api/v1/statuses/:id; Replies also counts replies created here.
	Favourites, Reblogs, Replies int
	// Quotes is nil to simulate a server that does not count quotes (before Mastodon 4.4).
	Quotes *int
}

// Media is an uploaded attachment.
type Media struct {
	ID          string
	MIME        string
	FileName    string
	Size        int
	Description string
	// Ready is true once the fake has finished "processing" it.
	Ready     bool
	pollsLeft int
}

// NewServer starts a fake instance that is closed when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:                 t,
		closing:           make(chan struct{}),
		now:               time.Now,
		honourIdempotency: true,
		maxChars:          DefaultMaxCharacters,
		rateLimit:         DefaultRateLimit,
		rateWindow:        DefaultRateWindow,
		account:           accountInfo{id: "109384712340000001", username: "herald", displayName: "Herald Test"},
		apps:              map[string]*app{},
		grants:            map[string]*grant{},
		tokens:            map[string]*token{},
		refresh:           map[string]*token{},
		statuses:          map[string]*Status{},
		media:             map[string]*Media{},
		idem:              map[string]string{},
		createdByKey:      map[string]int{},
		createdByText:     map[string]int{},
		requests:          map[string]int{},
		windows:           map[string]*window{},
	}
	if sp, _, err := loadSpec(); err != nil {
		// A fake that checks nothing would let tests pass against requests Mastodon refuses.
		t.Fatalf("mastodontest: the Mastodon API description %s could not be loaded (%v)", SpecFile, err)
	} else {
		s.spec = sp
	}
	s.Server = httptest.NewServer(s.routes())
	t.Cleanup(s.Close)
	return s
}

// SpecChecked reports whether requests are checked against the API description.
func (s *Server) SpecChecked() bool { return s.spec != nil }

// Close stops the server, releasing handlers that hold a request (AcceptThenHang).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.Server.Close()
	})
}

// AccountID is the id of the fake's one account.
func (s *Server) AccountID() string { return s.account.id }

// Username is the fake account's username.
func (s *Server) Username() string { return s.account.username }

// SetNow sets the fake's clock: statuses' created_at, Date and rate-limit headers.
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

// SetHonourIdempotency switches Idempotency-Key handling (on by default); off simulates a
// compatible server that ignores the header.
func (s *Server) SetHonourIdempotency(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.honourIdempotency = on
}

// SetMaxCharacters sets configuration.statuses.max_characters (500 by default).
func (s *Server) SetMaxCharacters(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxChars = n
}

// SetMediaProcessing makes later uploads answer 202 and then 206 to the first polls
// polls of GET /api/v1/media/:id before 200; 0 (the default) answers 200 at once.
func (s *Server) SetMediaProcessing(polls int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mediaPolls = polls
}

// IssueRefreshTokens makes the token endpoint issue tokens that expire after ttl with a refresh
// token, as some compatible servers do (Mastodon issues neither). 0 turns it off.
func (s *Server) IssueRefreshTokens(ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshTTL = ttl
}

// SetDenyConsent makes the simulated person decline at /oauth/authorize.
func (s *Server) SetDenyConsent(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyConsent = deny
}

// SetLatency delays every API answer by d (to observe concurrency).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetRateLimit sets the requests allowed per window per token (or per client address without
// one); the default is Mastodon's 300 per 5 minutes.
func (s *Server) SetRateLimit(limit int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit, s.rateWindow = limit, per
	s.windows = map[string]*window{}
}

// NewToken issues an access token for the fake account without the OAuth dance; scopes are
// space separated (DefaultScopes when empty).
func (s *Server) NewToken(scopes string) string {
	if strings.TrimSpace(scopes) == "" {
		scopes = DefaultScopes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := &token{access: randomString(), scopes: strings.Fields(scopes)}
	s.tokens[tok.access] = tok
	return tok.access
}

// RevokeToken revokes an access token: later requests with it get 401.
func (s *Server) RevokeToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok, ok := s.tokens[access]; ok {
		tok.revoked = true
	}
}

// AppsRegistered counts the apps registered through POST /api/v1/apps.
func (s *Server) AppsRegistered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.apps)
}

// CreatedWithKey counts the statuses created (not replayed) by requests carrying key as their
// Idempotency-Key.
func (s *Server) CreatedWithKey(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByKey[key]
}

// CreatedWithText counts the statuses created through the API with exactly this text.
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

// MaxInFlight is the most requests that were being served at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Statuses returns the statuses, newest first.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.statuses))
	for _, st := range s.sortedStatuses() {
		out = append(out, *st)
	}
	return out
}

// Status returns one status.
func (s *Server) Status(id string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.statuses[id]
	if !ok {
		return Status{}, false
	}
	return *st, true
}

// AddStatus stores a status as if the account had posted text at createdAt (to seed a
// timeline). It does not count towards CreatedWithText.
func (s *Server) AddStatus(text string, createdAt time.Time) Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &Status{ID: s.newID(createdAt), Text: text, Visibility: "public", CreatedAt: createdAt.UTC()}
	s.statuses[st.ID] = st
	return *st
}

// AddReply stores a status as if the account had replied to parent by hand at createdAt. It
// does not count towards CreatedWithText.
func (s *Server) AddReply(parent, text string, createdAt time.Time) Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &Status{ID: s.newID(createdAt), Text: text, InReplyToID: parent, Visibility: "public", CreatedAt: createdAt.UTC()}
	s.statuses[st.ID] = st
	if p, ok := s.statuses[parent]; ok {
		p.Replies++
	}
	return *st
}

// DeleteStatus removes a status; GET /api/v1/statuses/:id then answers 404.
func (s *Server) DeleteStatus(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.statuses, id)
}

// SetCounts sets a status's counters; quotes nil means the server does not report quotes.
func (s *Server) SetCounts(id string, favourites, reblogs, replies int, quotes *int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.statuses[id]; ok {
		st.Favourites, st.Reblogs, st.Replies, st.Quotes = favourites, reblogs, replies, quotes
	}
}

// Media returns an uploaded attachment.
func (s *Server) Media(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return Media{}, false
	}
	return *m, true
}

// Fault makes the server misbehave for matching requests; see Inject.
type Fault struct {
	// Method and Path restrict the fault to one method and exact path; empty matches any.
	Method, Path string
	// Status is the HTTP status to answer with instead of serving the request.
	Status int
	// Error is the error text of the answer's {"error": …} body (a default for Status when
	// empty).
	Error string
	// RetryIn is, for a 429, how long after the answer's Date its X-RateLimit-Reset lies
	// (30 s when zero).
	RetryIn time.Duration
	// AcceptThenHang serves POST /api/v1/statuses (the status is created) and then never
	// answers, until the client gives up or the server closes: a timeout after the post exists.
	AcceptThenHang bool
	// AcceptThenDrop serves POST /api/v1/statuses and then closes the connection without an
	// answer: a connection reset after the post exists.
	AcceptThenDrop bool
	// Part, when not zero, restricts the fault to POST /api/v1/statuses requests that would
	// create the Part-th status of a reply chain: 1 is a status that replies to nothing, 2 a
	// reply to one, 3 a reply to a reply, and so on (the parts of a thread, then its first
	// comment one further). Set it with OnPart.
	Part int
}

// On restricts f to one method and path.
func (f Fault) On(method, path string) Fault {
	f.Method, f.Path = method, path
	return f
}

// OnPart restricts f to the creation of the n-th status of a reply chain (see Fault.Part): with
// Inject(1, RateLimited(0).OnPart(2)), the second part of a thread is refused once and every
// other status goes through.
func (f Fault) OnPart(n int) Fault {
	f.Method, f.Path, f.Part = http.MethodPost, "/api/v1/statuses", n
	return f
}

// RateLimited answers 429 with X-RateLimit-Remaining 0 and X-RateLimit-Reset retryIn after Date.
func RateLimited(retryIn time.Duration) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryIn: retryIn}
}

// ServerError answers status (500, 502, 503, 504…).
func ServerError(status int) Fault { return Fault{Status: status} }

// Revoked answers 401 as for a revoked token.
func Revoked() Fault {
	return Fault{Status: http.StatusUnauthorized, Error: "The access token was revoked"}
}

// AcceptThenHang creates the status and withholds the answer (see Fault.AcceptThenHang).
func AcceptThenHang() Fault {
	return Fault{Method: http.MethodPost, Path: "/api/v1/statuses", AcceptThenHang: true}
}

// AcceptThenDrop creates the status and drops the connection (see Fault.AcceptThenDrop).
func AcceptThenDrop() Fault {
	return Fault{Method: http.MethodPost, Path: "/api/v1/statuses", AcceptThenDrop: true}
}

type faultSlot struct {
	f Fault
	n int
}

// Inject applies f to the next n matching requests.
func (s *Server) Inject(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultSlot{f: f, n: n})
}

// takeFault consumes the first fault matching r, whose body is body.
func (s *Server) takeFault(r *http.Request, body []byte) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	createsStatus := r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses"
	part := -1 // computed once, when a fault asks for it
	for _, slot := range s.faults {
		if slot.n <= 0 {
			continue
		}
		f := slot.f
		if (f.Method != "" && f.Method != r.Method) || (f.Path != "" && f.Path != r.URL.Path) {
			continue
		}
		if (f.AcceptThenHang || f.AcceptThenDrop || f.Part != 0) && !createsStatus {
			continue
		}
		if f.Part != 0 {
			if part < 0 {
				part = s.chainPosition(r.Header.Get("Content-Type"), body)
			}
			if part != f.Part {
				continue
			}
		}
		slot.n--
		return &f
	}
	return nil
}

// chainPosition is the position in its reply chain of the status a create request would make:
// 1 without in_reply_to_id, one more than its parent's otherwise (0 when the parent is unknown).
// Callers hold mu.
func (s *Server) chainPosition(contentType string, body []byte) int {
	fields, err := bodyFields(contentType, body)
	if err != nil {
		return 0
	}
	n := 1
	for id := str(fields["in_reply_to_id"]); id != ""; n++ {
		parent, ok := s.statuses[id]
		if !ok || n > len(s.statuses) {
			return 0
		}
		id = parent.InReplyToID
	}
	return n
}

// Replies returns the statuses that reply to id, oldest first.
func (s *Server) Replies(id string) []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Status
	sts := s.sortedStatuses()
	for i := len(sts) - 1; i >= 0; i-- {
		if sts[i].InReplyToID == id {
			out = append(out, *sts[i])
		}
	}
	return out
}

// newID returns a snowflake-like id that sorts by time, as Mastodon's do. Callers hold mu.
func (s *Server) newID(at time.Time) string {
	s.seq++
	return strconv.FormatInt(at.UnixMilli()<<16|(s.seq&0xffff), 10)
}

// sortedStatuses returns the statuses newest first. Callers hold mu.
func (s *Server) sortedStatuses() []*Status {
	out := make([]*Status, 0, len(s.statuses))
	for _, st := range s.statuses {
		out = append(out, st)
	}
	sortByIDDesc(out)
	return out
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func sortByIDDesc(sts []*Status) {
	for i := 1; i < len(sts); i++ {
		for j := i; j > 0 && idLess(sts[j-1].ID, sts[j].ID); j-- {
			sts[j-1], sts[j] = sts[j], sts[j-1]
		}
	}
}

func randomString() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// readBody reads a request body and puts it back for the handler.
func readBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

func (s *Server) errorf(format string, args ...any) {
	s.t.Helper()
	s.t.Errorf("mastodontest: "+format, args...)
}
