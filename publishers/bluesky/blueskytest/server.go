// Package blueskytest is a fake Bluesky PDS (and AppView) for tests, following the AT Protocol
// lexicons in shared/specs/atproto-lexicons.
//
// A Server hosts one account and answers the XRPC methods Herald uses: createSession,
// refreshSession, resolveHandle, uploadBlob, createRecord, getRecord, and, through the
// atproto-proxy header as a real PDS forwards them to the AppView, app.bsky.feed.getPosts and
// app.bsky.actor.getProfile. It checks what clients send against the lexicons (request bodies,
// query parameters, and app.bsky.feed.post records with their facets, embeds and blob
// references), sends ratelimit-* headers on every answer, behaves like Bluesky where Bluesky is
// surprising (a reused record key is a 500), and can be told to fail in the ways the network
// fails: expired tokens, 429s, 5xx, a record created whose answer never comes, and any of these
// aimed at the n-th post of a reply chain (Fault.Part, FailPart) to fail one part of a thread.
// Replies must point at posts the fake holds, with their CIDs (see createRecord).
//
// It counts what happened (sessions created, records per key and per text) so tests can assert
// that a post went out exactly once and that a session was reused rather than recreated.
package blueskytest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/heraldhq/herald/publishers/internal/fakenet"
)

// Defaults of the hosted account.
const (
	DefaultHandle   = "alice.test"
	DefaultEmail    = "alice@example.com"
	DefaultPassword = "abcd-efgh-ijkl-mnop"
	// AppViewProxy is the atproto-proxy value getPosts and getProfile must carry on the PDS.
	AppViewProxy = "did:web:api.bsky.app#bsky_appview"
	// DefaultRateLimit is the ratelimit-limit the fake announces (Bluesky's global 3,000 per
	// 5 minutes).
	DefaultRateLimit = 3000
)

// The methods the fake serves.
const (
	CreateSession  = "com.atproto.server.createSession"
	RefreshSession = "com.atproto.server.refreshSession"
	ResolveHandle  = "com.atproto.identity.resolveHandle"
	UploadBlob     = "com.atproto.repo.uploadBlob"
	CreateRecord   = "com.atproto.repo.createRecord"
	GetRecord      = "com.atproto.repo.getRecord"
	GetPosts       = "app.bsky.feed.getPosts"
	GetProfile     = "app.bsky.actor.getProfile"
)

// postCollection is the only collection the fake stores.
const postCollection = "app.bsky.feed.post"

// Options configure a Server. Zero values take the defaults.
type Options struct {
	Handle, Email, Password string
	// DisplayName and Avatar are what getProfile returns.
	DisplayName, Avatar string
	// Now is the server's clock (token expiry, ratelimit-reset); time.Now when nil.
	Now func() time.Time
	// AccessTTL and RefreshTTL are the tokens' lifetimes: 2 hours and 90 days by default.
	AccessTTL, RefreshTTL time.Duration
	// OmitExp issues access tokens whose JWT has no exp claim (the server still expires them).
	OmitExp bool
	// DIDDocPDS is the PDS endpoint the session's DID document names; the server's own URL
	// when empty. Use another URL that reaches the same server (http://localhost:port) to test
	// clients that follow it.
	DIDDocPDS string
	// RateLimit is the ratelimit-limit announced; DefaultRateLimit when zero.
	RateLimit int
	// LexiconDir overrides where lexicons are read from.
	LexiconDir string
}

// Server is the fake. Its exported fields describe the hosted account.
type Server struct {
	// URL is the PDS's origin.
	URL string
	// AppViewURL is a public AppView's origin: it serves app.bsky.* queries without credentials
	// or proxy header.
	AppViewURL string
	DID        string
	Handle     string
	Email      string
	Password   string

	t         testing.TB
	opts      Options
	pds, view *httptest.Server
	lex       *lexicons
	closing   chan struct{}
	closeOnce sync.Once
	faults    fakenet.Faults[Fault]

	mu       sync.Mutex
	access   map[string]time.Time // live access tokens → expiry
	refresh  map[string]time.Time // live refresh tokens → expiry
	rotated  map[string]bool      // refresh tokens already exchanged
	handles  map[string]string    // handle → DID
	blobs    map[string]blobInfo
	records  map[string]*Record // rkey → record
	created  map[string]int     // rkey → records created under it
	texts    map[string]int     // text → records created with it
	calls    map[string]int
	requests []Request
	counts   map[string]Counts
	total    int
	lastTID  int64
}

type blobInfo struct {
	mime string
	size int64
}

// Record is a stored post.
type Record struct {
	URI, CID, Rkey string
	Value          map[string]any
	IndexedAt      time.Time
}

// Counts are a post's engagement counters, as getPosts reports them.
type Counts struct {
	Likes, Reposts, Replies, Quotes int64
}

// Request is one call the server received.
type Request struct {
	Method string // the NSID
	Host   string
	Header http.Header
	Query  url.Values
}

// Fault makes the server answer some calls with a failure instead.
type Fault struct {
	// Method is the NSID the fault applies to; empty applies to any method.
	Method string
	// Authed restricts the fault to calls that need an access token (createRecord, uploadBlob,
	// and getPosts/getProfile through the PDS).
	Authed bool
	// Times is how many calls the fault answers; zero means one.
	Times int
	// Skip is how many matching calls go through before the fault answers one.
	Skip int
	// Status, Error and Message make the answer: {"error": Error, "message": Message}.
	Status         int
	Error, Message string
	// Header is added to the answer (e.g. ratelimit-reset).
	Header http.Header
	// AfterWrite (createRecord only) stores the record first, then answers with the fault.
	AfterWrite bool
	// Hang never answers: the handler waits until the client gives up or the server closes.
	Hang bool
	// Part, when not zero, restricts the fault to createRecord calls whose post would be the
	// Part-th of a reply chain: 1 is a post that replies to nothing, 2 a reply to one, 3 a reply
	// to a reply (the parts of a thread in order, then its first comment one further).
	Part int
}

// NewServer starts a fake PDS for the test; it is closed when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Handle == "" {
		opts.Handle = DefaultHandle
	}
	if opts.Email == "" {
		opts.Email = DefaultEmail
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AccessTTL == 0 {
		opts.AccessTTL = 2 * time.Hour
	}
	if opts.RefreshTTL == 0 {
		opts.RefreshTTL = 90 * 24 * time.Hour
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = DefaultRateLimit
	}
	s := &Server{
		DID: didFor(opts.Handle), Handle: opts.Handle, Email: opts.Email, Password: opts.Password,
		t: t, opts: opts, closing: make(chan struct{}),
		access: map[string]time.Time{}, refresh: map[string]time.Time{}, rotated: map[string]bool{},
		handles: map[string]string{}, blobs: map[string]blobInfo{}, records: map[string]*Record{},
		created: map[string]int{}, texts: map[string]int{}, calls: map[string]int{}, counts: map[string]Counts{},
	}
	s.handles[strings.ToLower(opts.Handle)] = s.DID
	dir := opts.LexiconDir
	if dir == "" {
		dir = findLexiconDir()
	}
	if dir == "" {
		t.Fatal("blueskytest: the AT Protocol lexicons (package apispec) were not found: requests could not be checked")
	} else if lex, err := loadLexicons(dir); err != nil {
		t.Fatalf("blueskytest: loading lexicons: %v", err)
	} else {
		s.lex = lex
	}
	s.pds = httptest.NewServer(s.handler(false))
	s.view = httptest.NewServer(s.handler(true))
	s.URL, s.AppViewURL = s.pds.URL, s.view.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the servers, releasing calls that hang.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.pds.Close()
		s.view.Close()
	})
}

// SetDIDDocPDS changes the PDS endpoint that sessions' DID documents name (see
// Options.DIDDocPDS); the server's URL is only known once it runs.
func (s *Server) SetDIDDocPDS(endpoint string) {
	s.mu.Lock()
	s.opts.DIDDocPDS = endpoint
	s.mu.Unlock()
}

// AddAccount makes handle resolvable (for mentions) and returns its DID.
func (s *Server) AddAccount(handle string) string {
	did := didFor(handle)
	s.mu.Lock()
	s.handles[strings.ToLower(handle)] = did
	s.mu.Unlock()
	return did
}

// Inject queues a fault. Faults apply in the order they were queued.
func (s *Server) Inject(f Fault) { s.faults.Add(max(f.Times, 1), f.Skip, f) }

// ExpireTokens answers the next n calls that need an access token with 400 ExpiredToken, as
// Bluesky does when an access JWT has expired.
func (s *Server) ExpireTokens(n int) {
	s.Inject(Fault{Authed: true, Times: n, Status: http.StatusBadRequest, Error: "ExpiredToken", Message: "Token has expired"})
}

// RateLimitNext answers the next call of method with 429 RateLimitExceeded, ratelimit-remaining
// 0 and ratelimit-reset at reset.
func (s *Server) RateLimitNext(method string, reset time.Time) {
	h := http.Header{}
	h.Set("ratelimit-limit", strconv.Itoa(s.opts.RateLimit))
	h.Set("ratelimit-remaining", "0")
	h.Set("ratelimit-reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("ratelimit-policy", strconv.Itoa(s.opts.RateLimit)+";w=300")
	s.Inject(Fault{Method: method, Status: http.StatusTooManyRequests, Error: "RateLimitExceeded", Message: "Rate Limit Exceeded", Header: h})
}

// FailNext answers the next n calls of method with status and an XRPC error.
func (s *Server) FailNext(method string, n, status int, code, message string) {
	s.Inject(Fault{Method: method, Times: n, Status: status, Error: code, Message: message})
}

// FailPart answers the next createRecord of the n-th post of a reply chain (see Fault.Part) with
// status and an XRPC error, storing nothing: the n-th part of a thread is refused.
func (s *Server) FailPart(n, status int, code, message string) {
	s.Inject(Fault{Method: CreateRecord, Part: n, Status: status, Error: code, Message: message})
}

// HangAfterCreate makes the next createRecord store its record and then never answer, until the
// client times out: the unknown outcome of a publish.
func (s *Server) HangAfterCreate() {
	s.Inject(Fault{Method: CreateRecord, AfterWrite: true, Hang: true})
}

// RevokeSessions invalidates every token, as deleting the app password does.
func (s *Server) RevokeSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok := range s.refresh {
		s.rotated[tok] = true
	}
	clear(s.access)
	clear(s.refresh)
}

// SetCounts sets the engagement counters getPosts reports for a post.
func (s *Server) SetCounts(uri string, c Counts) {
	s.mu.Lock()
	s.counts[uri] = c
	s.mu.Unlock()
}

// Calls reports how many calls of method the servers received.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// CreateSessionCalls reports how many times a client logged in.
func (s *Server) CreateSessionCalls() int { return s.Calls(CreateSession) }

// RefreshCalls reports how many times a client refreshed a session.
func (s *Server) RefreshCalls() int { return s.Calls(RefreshSession) }

// Requests returns the calls of method received, in order ("" for all).
func (s *Server) Requests(method string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if method == "" || r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// Record returns the post stored under rkey.
func (s *Server) Record(rkey string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[rkey]
	if !ok {
		return Record{}, false
	}
	return *r, true
}

// Records returns every stored post, by record key.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, 0, len(s.records))
	for _, r := range s.records {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rkey < out[j].Rkey })
	return out
}

// CreatedWithKey reports how many records were ever created under rkey.
func (s *Server) CreatedWithKey(rkey string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created[rkey]
}

// CreatedWithText reports how many records were ever created with exactly this text.
func (s *Server) CreatedWithText(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.texts[text]
}

// ---- serving ----

// methodInfo describes a served method.
type methodInfo struct {
	procedure bool
	authed    bool // needs an access token (on the PDS)
	appView   bool // an app.bsky.* query forwarded to the AppView
	handle    func(s *Server, w http.ResponseWriter, r *http.Request, c *callCtx)
}

var methods = map[string]methodInfo{
	CreateSession:  {procedure: true, handle: (*Server).createSession},
	RefreshSession: {procedure: true, handle: (*Server).refreshSession},
	ResolveHandle:  {handle: (*Server).resolveHandle},
	UploadBlob:     {procedure: true, authed: true, handle: (*Server).uploadBlob},
	CreateRecord:   {procedure: true, authed: true, handle: (*Server).createRecord},
	GetRecord:      {handle: (*Server).getRecord},
	GetPosts:       {authed: true, appView: true, handle: (*Server).getPosts},
	GetProfile:     {authed: true, appView: true, handle: (*Server).getProfile},
}

// callCtx is one call's context for its handler.
type callCtx struct {
	nsid     string
	onView   bool   // served by the public AppView
	did      string // the authenticated account, for authed calls on the PDS
	validate *validator
}

func (s *Server) handler(appView bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		s.calls[nsid]++
		s.total++
		s.requests = append(s.requests, Request{Method: nsid, Host: r.Host, Header: r.Header.Clone(), Query: r.URL.Query()})
		remaining := max(s.opts.RateLimit-s.total, 0)
		s.mu.Unlock()
		h := w.Header()
		h.Set("ratelimit-limit", strconv.Itoa(s.opts.RateLimit))
		h.Set("ratelimit-remaining", strconv.Itoa(remaining))
		h.Set("ratelimit-reset", strconv.FormatInt(s.opts.Now().Add(5*time.Minute).Unix(), 10))
		h.Set("ratelimit-policy", strconv.Itoa(s.opts.RateLimit)+";w=300")

		m, known := methods[nsid]
		if !known || appView && !m.appView {
			writeError(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
			return
		}
		if m.procedure != (r.Method == http.MethodPost) {
			writeError(w, http.StatusBadRequest, "InvalidRequest", "Incorrect HTTP method ("+r.Method+") expected "+map[bool]string{true: "POST", false: "GET"}[m.procedure])
			return
		}
		c := &callCtx{nsid: nsid, onView: appView}
		if s.lex != nil {
			c.validate = &validator{lex: s.lex, blobs: s.blobLookup}
		}
		if f := s.takeFault(nsid, m.authed && !appView, false, 0, false); f != nil {
			s.answerFault(w, r, f)
			return
		}
		if !m.procedure && c.validate != nil {
			if err := c.validate.params(nsid, r.URL.Query()); err != nil {
				writeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
				return
			}
		}
		if m.authed && !appView {
			did, ok := s.authenticate(w, r)
			if !ok {
				return
			}
			c.did = did
			if m.appView && r.Header.Get("atproto-proxy") != AppViewProxy {
				writeError(w, http.StatusBadRequest, "InvalidRequest",
					"this PDS serves "+nsid+" only through the AppView: send atproto-proxy: "+AppViewProxy)
				return
			}
		}
		m.handle(s, w, r, c)
	})
}

// takeFault returns and consumes the first queued fault for the call. part is the position of a
// createRecord's post in its reply chain (0 before the body is read): a fault for a part matches
// only that part, and partOnly takes faults for a part alone (those for any call were taken
// before the body was read).
func (s *Server) takeFault(nsid string, authed, afterWrite bool, part int, partOnly bool) *Fault {
	return s.faults.Take(func(f *Fault) bool {
		if f.Method != "" && f.Method != nsid || f.Authed && !authed || f.AfterWrite != afterWrite {
			return false
		}
		if f.Part == 0 {
			return !partOnly
		}
		return f.Part == part
	})
}

func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if f.Hang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	writeError(w, status, f.Error, f.Message)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "message": msg})
}

// writeOutput answers 200 with v, after checking it against the method's output lexicon: the
// fake must not teach clients to expect what Bluesky never sends.
func (s *Server) writeOutput(w http.ResponseWriter, c *callCtx, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.t.Errorf("blueskytest: encoding %s answer: %v", c.nsid, err)
		writeError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	if c.validate != nil {
		var x any
		_ = json.Unmarshal(b, &x)
		if err := c.validate.output(c.nsid, x); err != nil {
			s.t.Errorf("blueskytest: the fake's %s answer breaks its lexicon: %v", c.nsid, err)
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

// readInput decodes a procedure's JSON body and checks it against the method's input lexicon.
func (s *Server) readInput(w http.ResponseWriter, r *http.Request, c *callCtx) (map[string]any, bool) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Wrong request encoding (Content-Type): "+ct)
		return nil, false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Request body is not valid JSON")
		return nil, false
	}
	if c.validate != nil {
		if err := c.validate.input(c.nsid, body); err != nil {
			writeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
			return nil, false
		}
	}
	return body, true
}

// authenticate checks the bearer access token.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		writeError(w, http.StatusUnauthorized, "AuthMissing", "Authentication Required")
		return "", false
	}
	s.mu.Lock()
	exp, live := s.access[tok]
	_, isRefresh := s.refresh[tok]
	s.mu.Unlock()
	switch {
	case isRefresh:
		writeError(w, http.StatusBadRequest, "InvalidToken", "Bad token scope")
		return "", false
	case !live:
		writeError(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
		return "", false
	case !s.opts.Now().Before(exp):
		writeError(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
		return "", false
	}
	return s.DID, true
}

// ---- sessions ----

func (s *Server) createSession(w http.ResponseWriter, r *http.Request, c *callCtx) {
	body, ok := s.readInput(w, r, c)
	if !ok {
		return
	}
	ident, _ := body["identifier"].(string)
	pass, _ := body["password"].(string)
	ident = strings.ToLower(strings.TrimPrefix(ident, "@"))
	if ident != strings.ToLower(s.Handle) && ident != strings.ToLower(s.Email) && ident != strings.ToLower(s.DID) || pass != s.Password {
		writeError(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	s.writeOutput(w, c, s.newSession())
}

func (s *Server) refreshSession(w http.ResponseWriter, r *http.Request, c *callCtx) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		writeError(w, http.StatusUnauthorized, "AuthMissing", "Authentication Required")
		return
	}
	s.mu.Lock()
	exp, live := s.refresh[tok]
	rotated := s.rotated[tok]
	_, isAccess := s.access[tok]
	if live && s.opts.Now().Before(exp) {
		delete(s.refresh, tok)
		s.rotated[tok] = true
	}
	s.mu.Unlock()
	switch {
	case isAccess:
		writeError(w, http.StatusBadRequest, "InvalidToken", "Invalid token type")
	case rotated:
		writeError(w, http.StatusBadRequest, "ExpiredToken", "Token has been revoked")
	case !live:
		writeError(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
	case !s.opts.Now().Before(exp):
		writeError(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
	default:
		s.writeOutput(w, c, s.newSession())
	}
}

// newSession issues a token pair and returns the session answer.
func (s *Server) newSession() map[string]any {
	now := s.opts.Now()
	accessExp, refreshExp := now.Add(s.opts.AccessTTL), now.Add(s.opts.RefreshTTL)
	access := s.jwt("com.atproto.appPass", accessExp, s.opts.OmitExp)
	refresh := s.jwt("com.atproto.refresh", refreshExp, false)
	s.mu.Lock()
	s.access[access] = accessExp
	s.refresh[refresh] = refreshExp
	pds := s.opts.DIDDocPDS
	s.mu.Unlock()
	if pds == "" {
		pds = s.URL
	}
	return map[string]any{
		"accessJwt": access, "refreshJwt": refresh, "handle": s.Handle, "did": s.DID,
		"email": s.Email, "emailConfirmed": true, "active": true,
		"didDoc": map[string]any{
			"@context":    []string{"https://www.w3.org/ns/did/v1"},
			"id":          s.DID,
			"alsoKnownAs": []string{"at://" + s.Handle},
			"service": []map[string]string{{
				"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds,
			}},
		},
	}
}

// jwt makes a JWT-shaped token: what clients may read (the claims) is real, the signature is not.
func (s *Server) jwt(scope string, exp time.Time, omitExp bool) string {
	enc := base64.RawURLEncoding
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	claims := map[string]any{"scope": scope, "sub": s.DID, "aud": "did:web:fake.pds.test", "iat": s.opts.Now().Unix(), "jti": enc.EncodeToString(jti[:])}
	if !omitExp {
		claims["exp"] = exp.Unix()
	}
	cb, _ := json.Marshal(claims)
	var sig [32]byte
	_, _ = rand.Read(sig[:])
	return enc.EncodeToString([]byte(`{"typ":"at+jwt","alg":"ES256K"}`)) + "." + enc.EncodeToString(cb) + "." + enc.EncodeToString(sig[:])
}

// ---- identity and blobs ----

func (s *Server) resolveHandle(w http.ResponseWriter, r *http.Request, c *callCtx) {
	h := strings.ToLower(r.URL.Query().Get("handle"))
	s.mu.Lock()
	did, ok := s.handles[h]
	s.mu.Unlock()
	if !ok {
		// What bsky.social answers for a handle that resolves to nothing.
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Unable to resolve handle")
		return
	}
	s.writeOutput(w, c, map[string]string{"did": did})
}

// maxBlobBytes is the upload size the fake accepts at all; records enforce the lexicons' limits.
const maxBlobBytes = 50 << 20

func (s *Server) uploadBlob(w http.ResponseWriter, r *http.Request, c *callCtx) {
	mime := r.Header.Get("Content-Type")
	if mime == "" {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "uploadBlob needs a Content-Type")
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBlobBytes+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "could not read the body")
		return
	}
	if len(data) > maxBlobBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
		return
	}
	cid := cidFor(0x55, data)
	s.mu.Lock()
	s.blobs[cid] = blobInfo{mime: mime, size: int64(len(data))}
	s.mu.Unlock()
	s.writeOutput(w, c, map[string]any{"blob": map[string]any{
		"$type": "blob", "ref": map[string]string{"$link": cid}, "mimeType": mime, "size": len(data),
	}})
}

func (s *Server) blobLookup(cid string) (string, int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[cid]
	return b.mime, b.size, ok
}

// ---- records ----

func (s *Server) ownRepo(repo string) bool {
	return repo == s.DID || strings.EqualFold(repo, s.Handle)
}

func (s *Server) createRecord(w http.ResponseWriter, r *http.Request, c *callCtx) {
	body, ok := s.readInput(w, r, c)
	if !ok {
		return
	}
	repo, _ := body["repo"].(string)
	collection, _ := body["collection"].(string)
	rkey, _ := body["rkey"].(string)
	rec, _ := body["record"].(map[string]any)
	switch {
	case !s.ownRepo(repo):
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid repo: "+repo)
		return
	case collection != postCollection:
		writeError(w, http.StatusBadRequest, "InvalidRequest", "the fake stores only "+postCollection+" records")
		return
	case rec == nil:
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Input/record must be an object")
		return
	case rec["$type"] != collection:
		writeError(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Invalid $type: expected %s, got %v", collection, rec["$type"]))
		return
	}
	if _, given := body["rkey"]; given && !tidRe.MatchString(rkey) {
		// app.bsky.feed.post declares "key": "tid".
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid rkey: must be a TID for "+collection)
		return
	}
	if err := s.checkPost(rec, c.validate); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid "+collection+" record: "+err.Error())
		return
	}
	s.mu.Lock()
	part, err := s.checkReplyLocked(rec)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid "+collection+" record: "+err.Error())
		return
	}
	if f := s.takeFault(c.nsid, true, false, part, true); f != nil {
		s.answerFault(w, r, f)
		return
	}
	raw, _ := json.Marshal(rec)
	s.mu.Lock()
	if rkey == "" {
		rkey = s.nextTID()
	}
	if _, exists := s.records[rkey]; exists {
		s.mu.Unlock()
		// Observed on bsky.social: a taken key is a plain 500, not a conflict.
		writeError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	uri := "at://" + s.DID + "/" + collection + "/" + rkey
	stored := &Record{URI: uri, CID: cidFor(0x71, raw), Rkey: rkey, Value: rec, IndexedAt: s.opts.Now()}
	s.records[rkey] = stored
	s.created[rkey]++
	text, _ := rec["text"].(string)
	s.texts[text]++
	s.mu.Unlock()

	if f := s.takeFault(c.nsid, true, true, part, false); f != nil {
		s.answerFault(w, r, f)
		return
	}
	s.writeOutput(w, c, map[string]any{
		"uri": uri, "cid": stored.CID,
		"commit":           map[string]string{"cid": cidFor(0x71, []byte(uri)), "rev": s.nextTIDLocked()},
		"validationStatus": "valid",
	})
}

// checkPost validates a post record: the lexicon when loaded, and always the rules a fake must
// hold clients to whatever the lexicons say: facets index the text's UTF-8 bytes, start and end
// on character boundaries and stay inside the text.
func (s *Server) checkPost(rec map[string]any, v *validator) error {
	text, ok := rec["text"].(string)
	if !ok {
		return fmt.Errorf(`Record must have the property "text"`)
	}
	ts, ok := rec["createdAt"].(string)
	if !ok {
		return fmt.Errorf(`Record must have the property "createdAt"`)
	}
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
		return fmt.Errorf("Record/createdAt must be a valid datetime")
	}
	if len(text) > 3000 {
		return fmt.Errorf("Record/text must not be longer than 3000 characters")
	}
	if uniseg.GraphemeClusterCount(text) > 300 {
		return fmt.Errorf("Record/text must not be longer than 300 graphemes")
	}
	facets, _ := rec["facets"].([]any)
	for i, f := range facets {
		fm, _ := f.(map[string]any)
		idx, _ := fm["index"].(map[string]any)
		start, ok1 := num(idx["byteStart"])
		end, ok2 := num(idx["byteEnd"])
		path := fmt.Sprintf("Record/facets/%d/index", i)
		if !ok1 || !ok2 {
			return fmt.Errorf("%s must have byteStart and byteEnd", path)
		}
		bs, be := int(start), int(end)
		if float64(bs) != start || float64(be) != end || bs < 0 || be <= bs || be > len(text) {
			return fmt.Errorf("%s [%v, %v) is not a byte range inside the %d-byte text", path, start, end, len(text))
		}
		if !utf8.RuneStart(text[bs]) || be < len(text) && !utf8.RuneStart(text[be]) {
			return fmt.Errorf("%s [%d, %d) cuts a UTF-8 character", path, bs, be)
		}
		if feats, _ := fm["features"].([]any); len(feats) == 0 {
			return fmt.Errorf("Record/facets/%d/features must not be empty", i)
		}
	}
	if v != nil {
		return v.record(postCollection, rec)
	}
	if emb, ok := rec["embed"].(map[string]any); ok {
		if imgs, ok := emb["images"].([]any); ok && len(imgs) > 4 {
			return fmt.Errorf("Record/embed/images must not have more than 4 elements")
		}
	}
	return nil
}

// checkReplyLocked checks a post's reply refs and returns the post's position in its reply chain
// (1 for a post that replies to nothing). A PDS stores a reply to a post it has never seen, and
// the AppView shows it as a reply to a deleted post; the fake is stricter, so that a client's
// broken thread shows in its tests: both refs must name a post this fake holds, with that post's
// CID, and root must be the root of parent's thread (parent itself when parent replies to
// nothing), as Bluesky's apps build a thread. The caller holds s.mu.
func (s *Server) checkReplyLocked(rec map[string]any) (int, error) {
	reply, ok := rec["reply"].(map[string]any)
	if !ok {
		return 1, nil
	}
	refs := map[string]*Record{}
	for _, name := range []string{"root", "parent"} {
		ref, _ := reply[name].(map[string]any)
		uri, _ := ref["uri"].(string)
		cid, _ := ref["cid"].(string)
		stored := s.recordByURILocked(uri)
		switch {
		case stored == nil:
			return 0, fmt.Errorf("reply.%s names %s, which this fake does not hold (Bluesky would show a reply to a deleted post)", name, uri)
		case stored.CID != cid:
			return 0, fmt.Errorf("reply.%s's cid %s is not the cid of %s (%s)", name, cid, uri, stored.CID)
		}
		refs[name] = stored
	}
	wantRoot := refs["parent"].URI
	if pr, ok := refs["parent"].Value["reply"].(map[string]any); ok {
		root, _ := pr["root"].(map[string]any)
		wantRoot, _ = root["uri"].(string)
	}
	if refs["root"].URI != wantRoot {
		return 0, fmt.Errorf("reply.root is %s, but the thread of reply.parent starts at %s", refs["root"].URI, wantRoot)
	}
	return s.chainPositionLocked(refs["parent"]) + 1, nil
}

// chainPositionLocked is a stored post's position in its reply chain. The caller holds s.mu.
func (s *Server) chainPositionLocked(rec *Record) int {
	n := 1
	for seen := 0; rec != nil && seen <= len(s.records); seen++ {
		reply, ok := rec.Value["reply"].(map[string]any)
		if !ok {
			return n
		}
		parent, _ := reply["parent"].(map[string]any)
		uri, _ := parent["uri"].(string)
		rec = s.recordByURILocked(uri)
		n++
	}
	return n
}

// recordByURILocked returns the stored post with this at:// URI, or nil. The caller holds s.mu.
func (s *Server) recordByURILocked(uri string) *Record {
	prefix := "at://" + s.DID + "/" + postCollection + "/"
	rkey, ok := strings.CutPrefix(uri, prefix)
	if !ok {
		return nil
	}
	return s.records[rkey]
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request, c *callCtx) {
	q := r.URL.Query()
	repo, collection, rkey := q.Get("repo"), q.Get("collection"), q.Get("rkey")
	if !s.ownRepo(repo) {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Could not find repo: "+repo)
		return
	}
	s.mu.Lock()
	rec, ok := s.records[rkey]
	if ok && collection != postCollection {
		ok = false
	}
	var cp Record
	if ok {
		cp = *rec
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "RecordNotFound", "Could not locate record: at://"+repo+"/"+collection+"/"+rkey)
		return
	}
	s.writeOutput(w, c, map[string]any{"uri": cp.URI, "cid": cp.CID, "value": cp.Value})
}

// ---- AppView ----

func (s *Server) getPosts(w http.ResponseWriter, r *http.Request, c *callCtx) {
	uris := r.URL.Query()["uris"]
	if len(uris) > 25 {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Params/uris must not have more than 25 elements")
		return
	}
	s.mu.Lock()
	posts := []map[string]any{}
	for _, u := range uris {
		var rec *Record
		for _, x := range s.records {
			if x.URI == u {
				rec = x
			}
		}
		if rec == nil {
			continue
		}
		n := s.counts[u]
		posts = append(posts, map[string]any{
			"uri": rec.URI, "cid": rec.CID,
			"author":    map[string]string{"did": s.DID, "handle": s.Handle},
			"record":    rec.Value,
			"indexedAt": rec.IndexedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
			"likeCount": n.Likes, "repostCount": n.Reposts, "replyCount": n.Replies, "quoteCount": n.Quotes,
		})
	}
	s.mu.Unlock()
	s.writeOutput(w, c, map[string]any{"posts": posts})
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, c *callCtx) {
	actor := r.URL.Query().Get("actor")
	if actor == "" {
		writeError(w, http.StatusBadRequest, "InvalidRequest", `Params must have the property "actor"`)
		return
	}
	if !s.ownRepo(actor) {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
		return
	}
	out := map[string]any{"did": s.DID, "handle": s.Handle}
	if s.opts.DisplayName != "" {
		out["displayName"] = s.opts.DisplayName
	}
	if s.opts.Avatar != "" {
		out["avatar"] = s.opts.Avatar
	}
	s.writeOutput(w, c, out)
}

// ---- identifiers ----

// didFor makes a did:plc-shaped DID from a handle, stable across runs.
func didFor(handle string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(handle)))
	return "did:plc:" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:15]))
}

// cidFor makes a CIDv1 (base32, sha2-256) of data with a multicodec: 0x55 raw for blobs, 0x71
// dag-cbor for records (the fake hashes the JSON, not real DAG-CBOR: the shape is what matters).
func cidFor(codec byte, data []byte) string {
	sum := sha256.Sum256(data)
	b := append([]byte{0x01, codec, 0x12, 0x20}, sum[:]...)
	return "b" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

const tidChars = "234567abcdefghijklmnopqrstuvwxyz"

// nextTID returns a fresh TID from the server clock (for records created without a key and for
// commit revisions). The caller holds s.mu.
func (s *Server) nextTID() string {
	us := s.opts.Now().UnixMicro()
	if us <= s.lastTID {
		us = s.lastTID + 1
	}
	s.lastTID = us
	v := uint64(us) << 10
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidChars[v&31]
		v >>= 5
	}
	return string(b[:])
}

func (s *Server) nextTIDLocked() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextTID()
}

// ValidTID reports whether s is a syntactically valid TID.
func ValidTID(s string) bool { return tidRe.MatchString(s) }

// FacetText returns the text the i-th facet of a stored post covers, for assertions.
func FacetText(rec Record, i int) (string, bool) {
	text, _ := rec.Value["text"].(string)
	facets, _ := rec.Value["facets"].([]any)
	if i < 0 || i >= len(facets) {
		return "", false
	}
	idx, _ := facets[i].(map[string]any)["index"].(map[string]any)
	start, _ := num(idx["byteStart"])
	end, _ := num(idx["byteEnd"])
	if start < 0 || end > float64(len(text)) || start > end {
		return "", false
	}
	return text[int(start):int(end)], true
}
