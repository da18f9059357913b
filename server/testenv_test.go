package server

// The API test environment: a migrated store per dialect, the real server behind httptest, two
// seeded workspaces, and a client that checks the error envelope of every non-2xx answer.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

// testEpoch is where the test clock starts: early March 2026, so that the month holds the night
// Europe/Paris springs forward (29 March) and every fixture scheduled "in 30 days" is in April.
var testEpoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testClock is the store's and the server's clock. Every reading moves it on by a millisecond, so
// rows get distinct, ordered timestamps; Advance jumps ahead (e.g. past a throttle window).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testUser is a seeded user with the password and a personal API token to act as them.
type testUser struct {
	*store.User
	Role     workflow.Role
	Password string
	Token    string
}

func (u *testUser) actor() store.Actor { return store.Actor{UserID: u.ID, Label: u.Name} }

// seeded is one workspace and what was made in it: one user per role, a channel with sealed
// credentials, a post by the author (planned for 10 March), an open invitation and a comment.
type seeded struct {
	Key             string // "a" or "b": used in emails and names
	WS              *store.Workspace
	Users           map[workflow.Role]*testUser
	Channel         *store.Channel
	ChannelSecret   string // the plaintext credential sealed into Channel
	Post            *store.Post
	Invitation      *store.Invitation
	InvitationToken string
	Comment         *store.Comment
}

func (s *seeded) user(r workflow.Role) *testUser { return s.Users[r] }

// testEnv is one server over one fresh database.
type testEnv struct {
	Dialect store.Dialect
	Store   *store.Store
	Server  *Server
	HTTP    *httptest.Server
	Keys    *secrets.Keyring
	Clock   *testClock
	Logs    *syncBuffer
	A, B    *seeded

	root     testing.TB // the test that made the environment
	client   *http.Client
	seq      atomic.Int64
	mu       sync.Mutex
	sessions map[int64]*testSession
}

// syncBuffer collects the server's log lines; handlers log from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// eachDialect runs fn once per dialect under test (SQLite, and MySQL when TEST_MYSQL_DSN is set),
// each time against a fresh environment.
func eachDialect(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	t.Helper()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, newEnv(t, d))
		})
	}
}

// newEnv builds a fresh migrated store of dialect d, the server over it with cheap password
// hashing, an httptest server, and seeds workspaces A and B.
func newEnv(t testing.TB, d store.Dialect) *testEnv {
	t.Helper()
	clock := &testClock{t: testEpoch}
	st := storetest.Open(t, d, clock.Now)
	spec, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.ParseKeyring(spec)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{Dialect: d, Store: st, Keys: keys, Clock: clock, Logs: &syncBuffer{}, sessions: map[int64]*testSession{}, root: t}
	e.restart(t)
	e.A = e.seedWorkspace(t, "a")
	e.B = e.seedWorkspace(t, "b")
	return e
}

// restart puts a new server in front of the same store, as a process restart would: the
// database keeps everything, the in-memory sign-in throttles start empty.
func (e *testEnv) restart(t testing.TB) { e.restartWith(t, nil) }

// restartWith is restart with a changed configuration.
func (e *testEnv) restartWith(t testing.TB, configure func(*Config)) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := Config{PublicURL: "http://herald.test", PasswordParams: &auth.TestParams, Version: "test"}
	if configure != nil {
		configure(&cfg)
	}
	e.Server = New(e.Store, e.Keys, log, cfg)
	if e.HTTP != nil {
		e.HTTP.Close()
	}
	e.HTTP = httptest.NewServer(e.Server.Handler())
	// The server lives as long as the environment, whichever subtest restarted it.
	e.root.Cleanup(e.HTTP.Close)
	e.client = e.HTTP.Client()
	e.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}

var testCtx = context.Background()

// next returns a number unique within the environment, for names and emails.
func (e *testEnv) next() int64 { return e.seq.Add(1) }

// newUser creates a user with a password and an API token, and makes them a member of ws with
// role r when ws is not nil.
func (e *testEnv) newUser(t testing.TB, ws *seeded, r workflow.Role, email, name string) *testUser {
	t.Helper()
	pw := "correct horse " + email
	h, err := auth.HashPassword(pw, auth.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Email: email, Name: name, PasswordHash: h}
	if err := e.Store.CreateUser(testCtx, u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	tu := &testUser{User: u, Role: r, Password: pw}
	tu.Token = e.newToken(t, tu).plain
	if ws != nil {
		if err := e.Store.AddMember(testCtx, ws.WS.ID, u.ID, string(r), store.Actor{Label: "test"}); err != nil {
			t.Fatalf("add member: %v", err)
		}
	}
	return tu
}

// plainUser is a user with a password and nothing else: no token, no workspace. It is the cheap
// kind, for tests that need many accounts to sign in to.
func (e *testEnv) plainUser(t testing.TB) *testUser {
	t.Helper()
	email := fmt.Sprintf("plain%d@example.com", e.next())
	pw := "correct horse " + email
	h, err := auth.HashPassword(pw, auth.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Email: email, Name: "Plain", PasswordHash: h}
	if err := e.Store.CreateUser(testCtx, u); err != nil {
		t.Fatal(err)
	}
	return &testUser{User: u, Password: pw}
}

// freshUser is a new member of ws with role r.
func (e *testEnv) freshUser(t testing.TB, ws *seeded, r workflow.Role) *testUser {
	t.Helper()
	n := e.next()
	return e.newUser(t, ws, r, fmt.Sprintf("%s%d@%s.example.com", r, n, ws.Key), fmt.Sprintf("%s %d %s", r, n, strings.ToUpper(ws.Key)))
}

type madeToken struct {
	*store.APIToken
	plain string
}

// newToken makes a personal API token for u through the store.
func (e *testEnv) newToken(t testing.TB, u *testUser) madeToken {
	t.Helper()
	plain, hash, err := auth.NewToken("hrld_pat_")
	if err != nil {
		t.Fatal(err)
	}
	tok := &store.APIToken{UserID: u.ID, Name: fmt.Sprintf("test %d", e.next()), TokenHash: hash, Prefix: plain[:13]}
	if err := e.Store.CreateAPIToken(testCtx, tok); err != nil {
		t.Fatalf("create token: %v", err)
	}
	return madeToken{tok, plain}
}

func (e *testEnv) seedWorkspace(t testing.TB, key string) *seeded {
	t.Helper()
	s := &seeded{Key: key, Users: map[workflow.Role]*testUser{}}
	owner := e.newUser(t, nil, workflow.Owner, "owner@"+key+".example.com", "Owner "+strings.ToUpper(key))
	s.Users[workflow.Owner] = owner
	s.WS = &store.Workspace{Name: "Workspace " + strings.ToUpper(key), TimeZone: "Europe/Paris", RequiredApprovals: 1, GracePeriodSeconds: 3600}
	if err := e.Store.CreateWorkspace(testCtx, s.WS, owner.ID, owner.actor()); err != nil {
		t.Fatal(err)
	}
	for _, r := range workflow.AllRoles() {
		if r == workflow.Owner {
			continue
		}
		s.Users[r] = e.newUser(t, s, r, string(r)+"@"+key+".example.com", capitalize(string(r))+" "+strings.ToUpper(key))
	}
	s.ChannelSecret = "seed-secret-" + key + "-Zq9"
	s.Channel = e.freshChannel(t, s, map[string]string{"access_token": s.ChannelSecret})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	p, err := e.Store.CreatePost(testCtx, s.WS.ID, s.user(workflow.Author).actor(), store.PostInput{
		Title: "Launch " + key, Body: "Hello from " + key, Labels: []string{"launch"},
		Targets: []store.TargetInput{{ChannelID: s.Channel.ID}},
	}, &at, "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	s.Post = p
	s.Invitation, s.InvitationToken = e.freshInvitation(t, s)
	s.Comment = &store.Comment{WorkspaceID: s.WS.ID, PostID: p.ID, AuthorID: s.user(workflow.Viewer).ID, Body: "Looks good"}
	if err := e.Store.CreateComment(testCtx, s.Comment, s.user(workflow.Viewer).actor()); err != nil {
		t.Fatal(err)
	}
	return s
}

// freshChannel adds a channel to ws, with credentials sealed as the server seals them.
func (e *testEnv) freshChannel(t testing.TB, ws *seeded, creds map[string]string) *store.Channel {
	t.Helper()
	ch := &store.Channel{WorkspaceID: ws.WS.ID, Network: "mastodon", Name: fmt.Sprintf("Channel %d %s", e.next(), ws.Key),
		TimeZone: "Europe/Paris", Status: store.ChannelDisconnected, Slots: []store.PostingSlot{{Weekday: 1, MinuteOfDay: 9 * 60}}}
	var seal store.Sealer
	if creds != nil {
		seal = e.Server.sealer(creds)
		ch.Status = store.ChannelConnected
	}
	if err := e.Store.CreateChannel(testCtx, ch, seal, ws.user(workflow.Admin).actor()); err != nil {
		t.Fatal(err)
	}
	return ch
}

// freshInvitation invites a new address to ws as an author; it returns the token to accept it.
func (e *testEnv) freshInvitation(t testing.TB, ws *seeded) (*store.Invitation, string) {
	t.Helper()
	plain, hash, err := auth.NewToken("hrld_inv_")
	if err != nil {
		t.Fatal(err)
	}
	inv := &store.Invitation{WorkspaceID: ws.WS.ID, Email: fmt.Sprintf("invitee%d@%s.example.com", e.next(), ws.Key), Role: "author",
		TokenHash: hash, InvitedBy: ws.user(workflow.Owner).ID, ExpiresAt: e.Clock.Now().Add(7 * 24 * time.Hour)}
	if err := e.Store.CreateInvitation(testCtx, inv, ws.user(workflow.Owner).actor()); err != nil {
		t.Fatal(err)
	}
	return inv, plain
}

// freshPost makes a post in ws written by author and walks it to status through the workflow,
// with ws's editor reviewing and, for failed, the scheduler publishing. Supported: draft,
// in_review, changes_requested, approved, scheduled, failed, canceled.
func (e *testEnv) freshPost(t testing.TB, ws *seeded, author *testUser, status workflow.Status) *store.Post {
	t.Helper()
	p, err := e.Store.CreatePost(testCtx, ws.WS.ID, author.actor(), store.PostInput{
		Title: fmt.Sprintf("Post %d", e.next()), Body: "Some text", Labels: []string{"fixture"},
		Targets: []store.TargetInput{{ChannelID: ws.Channel.ID}},
	}, nil, "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	editor := ws.user(workflow.Editor)
	act := func(u *testUser, a workflow.Action, extra func(*store.PostAction)) {
		t.Helper()
		pa := store.PostAction{Action: a, Actor: u.actor(), Role: u.Role, Policy: policyOf(ws.WS)}
		if extra != nil {
			extra(&pa)
		}
		if p, _, err = e.Store.ApplyPostAction(testCtx, ws.WS.ID, p.ID, pa); err != nil {
			t.Fatalf("fixture: %s: %v", a, err)
		}
	}
	switch status {
	case workflow.Draft:
	case workflow.Canceled:
		act(author, workflow.Cancel, nil)
	case workflow.InReview, workflow.ChangesRequested, workflow.Approved, workflow.Scheduled, workflow.Failed:
		act(author, workflow.Submit, nil)
		switch status {
		case workflow.ChangesRequested:
			act(editor, workflow.RequestChanges, func(pa *store.PostAction) { pa.Note = "tighten it" })
		case workflow.Approved, workflow.Scheduled, workflow.Failed:
			act(editor, workflow.Approve, nil)
			if status == workflow.Approved {
				break
			}
			at := e.Clock.Now().Add(30 * 24 * time.Hour)
			act(editor, workflow.Schedule, func(pa *store.PostAction) { pa.ScheduledAt = &at })
			if status == workflow.Failed {
				// What the scheduler does when every target fails.
				system := func(pa *store.PostAction) { pa.System, pa.Role, pa.Actor = true, "", store.Actor{Label: "scheduler"} }
				act(editor, workflow.StartPublishing, system)
				act(editor, workflow.MarkFailed, system)
			}
		}
	default:
		t.Fatalf("freshPost: unsupported status %s", status)
	}
	if p.Status != string(status) {
		t.Fatalf("fixture post is %s, want %s", p.Status, status)
	}
	return p
}

// freshNotification records a notification in ws.
func (e *testEnv) freshNotification(t testing.TB, ws *seeded) *store.Notification {
	t.Helper()
	n := &store.Notification{WorkspaceID: ws.WS.ID, Kind: "post_failed", PostID: &ws.Post.ID, Message: fmt.Sprintf("Notice %d", e.next())}
	if err := e.Store.CreateNotification(testCtx, n); err != nil {
		t.Fatal(err)
	}
	return n
}

// freshFailedTarget makes a failed post in ws whose target failed, as the scheduler leaves it
// when the network refused the post; it returns the post and the target.
func (e *testEnv) freshFailedTarget(t testing.TB, ws *seeded) (*store.Post, int64) {
	t.Helper()
	p := e.freshPost(t, ws, ws.user(workflow.Author), workflow.Failed)
	if _, err := e.sqlDB(t).ExecContext(testCtx, "UPDATE targets SET status = ?, last_error = ? WHERE post_id = ?", store.TargetFailed, "refused", p.ID); err != nil {
		t.Fatal(err)
	}
	return p, p.Targets[0].ID
}

// ---- calling the API ----

// testSession is a browser sign-in: the cookie and the CSRF token that goes with it.
type testSession struct {
	Cookie *http.Cookie
	CSRF   string
}

// apiCall describes one request.
type apiCall struct {
	Method string
	Path   string // path and query, e.g. "/api/v1/me"
	// Body is nil for no body, []byte or string to send as is, anything else to send as JSON.
	Body any
	// As authenticates with the user's API token; Session with a cookie session instead.
	As      *testUser
	Session *testSession
	// NoCSRF leaves out X-CSRF-Token on a cookie request; CSRF sends this value instead.
	NoCSRF bool
	CSRF   string
	Header map[string]string
	// Allow5xx is for the tests that break the database on purpose.
	Allow5xx bool
}

// errorEnvelope is the error object of a non-2xx answer.
type errorEnvelope struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields"`
	Details   map[string]any    `json:"details"`
	RequestID string            `json:"request_id"`
}

type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
	Err    *errorEnvelope // set for every non-2xx answer
	req    string
}

func (r *apiResponse) String() string {
	b := r.Body
	if len(b) > 600 {
		b = append(b[:600:600], "…"...)
	}
	return fmt.Sprintf("%s → %d %s", r.req, r.Status, b)
}

// want fails the test unless the status is status.
func (r *apiResponse) want(t testing.TB, status int) *apiResponse {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d: %s", status, r)
	}
	return r
}

// wantErr fails the test unless the answer is status with error code.
func (r *apiResponse) wantErr(t testing.TB, status int, code string) *errorEnvelope {
	t.Helper()
	r.want(t, status)
	if r.Err == nil || r.Err.Code != code {
		t.Fatalf("want error code %q: %s", code, r)
	}
	return r.Err
}

// decode unmarshals a 2xx body into v.
func (r *apiResponse) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode: %v: %s", err, r)
	}
}

// do sends c and checks the invariants every answer must keep: no 5xx (unless allowed), and for
// every non-2xx exactly one error envelope that leaks nothing of the database.
func (e *testEnv) do(t testing.TB, c apiCall) *apiResponse {
	t.Helper()
	var body io.Reader
	var bodyText string
	switch b := c.Body.(type) {
	case nil:
	case []byte:
		body, bodyText = bytes.NewReader(b), string(b)
	case string:
		body, bodyText = strings.NewReader(b), b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body, bodyText = bytes.NewReader(j), string(j)
	}
	req, err := http.NewRequest(c.Method, e.HTTP.URL+c.Path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.As != nil {
		req.Header.Set("Authorization", "Bearer "+c.As.Token)
	}
	if c.Session != nil {
		req.AddCookie(c.Session.Cookie)
		switch {
		case c.CSRF != "":
			req.Header.Set(csrfHeader, c.CSRF)
		case !c.NoCSRF:
			req.Header.Set(csrfHeader, c.Session.CSRF)
		}
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := &apiResponse{Status: res.StatusCode, Header: res.Header, Body: b, req: c.Method + " " + c.Path}
	if r.Status >= 500 && !c.Allow5xx {
		t.Errorf("5xx: %s\nserver log:\n%s", r, e.Logs.String())
	}
	// A redirect (the OAuth callback sends the browser back to the app) carries a Location, not
	// a body; every other non-2xx carries the envelope.
	redirect := r.Status >= 300 && r.Status < 400 && r.Header.Get("Location") != ""
	if (r.Status < 200 || r.Status > 299) && !redirect {
		r.Err = checkEnvelope(t, r)
		checkNoLeak(t, r, c.Path+"\n"+bodyText)
	}
	return r
}

func (e *testEnv) get(t testing.TB, u *testUser, path string) *apiResponse {
	t.Helper()
	return e.do(t, apiCall{Method: http.MethodGet, Path: path, As: u})
}

func (e *testEnv) post(t testing.TB, u *testUser, path string, body any) *apiResponse {
	t.Helper()
	return e.do(t, apiCall{Method: http.MethodPost, Path: path, As: u, Body: body})
}

func (e *testEnv) patch(t testing.TB, u *testUser, path string, body any) *apiResponse {
	t.Helper()
	return e.do(t, apiCall{Method: http.MethodPatch, Path: path, As: u, Body: body})
}

func (e *testEnv) delete(t testing.TB, u *testUser, path string) *apiResponse {
	t.Helper()
	return e.do(t, apiCall{Method: http.MethodDelete, Path: path, As: u})
}

// signIn signs u in through the API and returns the cookie session.
func (e *testEnv) signIn(t testing.TB, u *testUser) *testSession {
	t.Helper()
	r := e.do(t, apiCall{Method: http.MethodPost, Path: "/api/v1/auth/signin", Body: map[string]string{"email": u.Email, "password": u.Password}})
	r.want(t, http.StatusOK)
	return sessionFrom(t, r)
}

// sessionOf returns a cached cookie session for u, signing in the first time.
func (e *testEnv) sessionOf(t testing.TB, u *testUser) *testSession {
	t.Helper()
	e.mu.Lock()
	s := e.sessions[u.ID]
	e.mu.Unlock()
	if s != nil {
		return s
	}
	s = e.signIn(t, u)
	e.mu.Lock()
	e.sessions[u.ID] = s
	e.mu.Unlock()
	return s
}

// sessionFrom reads the session cookie and the CSRF token of a sign-in or /me answer.
func sessionFrom(t testing.TB, r *apiResponse) *testSession {
	t.Helper()
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	r.decode(t, &me)
	var ck *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			ck = c
		}
	}
	if ck == nil || me.CSRFToken == "" {
		t.Fatalf("no session cookie or CSRF token: %s", r)
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie must be HttpOnly and SameSite=Lax: %+v", ck)
	}
	return &testSession{Cookie: &http.Cookie{Name: ck.Name, Value: ck.Value}, CSRF: me.CSRFToken}
}

// ---- the error envelope ----

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkEnvelope fails the test unless the body is exactly {"error":{"code":…,"message":…}} with
// optional fields (strings), details (an object) and request_id, served as JSON.
func checkEnvelope(t testing.TB, r *apiResponse) *errorEnvelope {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("non-2xx answer is %q, not JSON: %s", ct, r)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Errorf("non-2xx body is not a JSON object (%v): %s", err, r)
		return &errorEnvelope{}
	}
	if len(top) != 1 || top["error"] == nil {
		t.Errorf("non-2xx body must hold exactly one key, \"error\": %s", r)
		return &errorEnvelope{}
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &inner); err != nil {
		t.Errorf("\"error\" is not an object: %s", r)
		return &errorEnvelope{}
	}
	for k := range inner {
		switch k {
		case "code", "message", "fields", "details", "request_id":
		default:
			t.Errorf("unexpected key %q in the error envelope: %s", k, r)
		}
	}
	var env errorEnvelope
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		t.Errorf("error envelope has the wrong types (%v): %s", err, r)
	}
	if !codeRE.MatchString(env.Code) {
		t.Errorf("error code %q is not a snake_case string: %s", env.Code, r)
	}
	if strings.TrimSpace(env.Message) == "" {
		t.Errorf("error message is empty: %s", r)
	}
	if raw, ok := inner["fields"]; ok && (len(env.Fields) == 0 || string(raw) == "null") {
		t.Errorf("\"fields\" is present but empty: %s", r)
	}
	for k, v := range env.Fields {
		if k == "" || v == "" {
			t.Errorf("field messages need a name and a text: %s", r)
		}
	}
	if env.RequestID == "" || env.RequestID != r.Header.Get("X-Request-ID") {
		t.Errorf("request_id %q must match X-Request-ID %q: %s", env.RequestID, r.Header.Get("X-Request-ID"), r)
	}
	return &env
}

// leakWords are fragments of database, driver and runtime error text that must never reach a
// client. A word the request itself contains is allowed, since some messages quote the input
// (an unknown field's name, an unknown filter value).
var leakWords = []string{
	"sql", "sqlite", "mysql", "mariadb", "error 1", "constraint", "gorm", "syntax", "database", "duplicate entry",
	"foreign key", "unique", "no such table", "no such column", "doesn't exist", "deadlock", "panic", "goroutine",
	"runtime error", ".go:", "nil pointer", "invalid memory", "driver",
}

func checkNoLeak(t testing.TB, r *apiResponse, request string) {
	t.Helper()
	body := strings.ToLower(string(r.Body))
	req := strings.ToLower(requestText(request))
	for _, w := range leakWords {
		if strings.Contains(body, w) && !strings.Contains(req, w) {
			t.Errorf("answer leaks %q: %s", w, r)
		}
	}
}

// requestText is the request as the server understood it: the raw text, plus its JSON strings
// and keys and its query values decoded, so that quoted input is recognised however it was
// escaped.
func requestText(raw string) string {
	var sb strings.Builder
	sb.WriteString(raw)
	path, body, _ := strings.Cut(raw, "\n")
	if _, q, ok := strings.Cut(path, "?"); ok {
		if vs, err := url.ParseQuery(q); err == nil {
			for k, v := range vs {
				sb.WriteString("\n" + k + "\n" + strings.Join(v, "\n"))
			}
		}
	}
	var v any
	if json.Unmarshal([]byte(body), &v) == nil {
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				sb.WriteString("\n" + x)
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					sb.WriteString("\n" + k)
					walk(e)
				}
			}
		}
		walk(v)
	}
	return sb.String()
}

// ---- paths and database snapshots ----

// fillPath puts the values of params into a route pattern such as /workspaces/:wid/posts/:pid.
func fillPath(t testing.TB, pattern string, params map[string]string) string {
	t.Helper()
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			v, found := params[name]
			if !found {
				t.Fatalf("no value for :%s in %s", name, pattern)
			}
			parts[i] = url.PathEscape(v)
		}
	}
	return strings.Join(parts, "/")
}

// pathParams lists the parameter names of a route pattern.
func pathParams(pattern string) []string {
	var out []string
	for _, p := range strings.Split(pattern, "/") {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			out = append(out, name)
		}
	}
	return out
}

func idStr(n int64) string { return fmt.Sprint(n) }

// workspaceTables are the tables whose rows belong to a workspace, with a stable order.
var workspaceTables = []struct{ name, order string }{
	{"memberships", "id"}, {"invitations", "id"}, {"channels", "id"}, {"posting_slots", "id"}, {"posts", "id"},
	{"post_labels", "post_id, label"}, {"targets", "id"}, {"comments", "id"}, {"approvals", "id"}, {"audit_events", "id"},
	{"notifications", "id"}, {"engagement_snapshots", "id"}, {"oauth_states", "state_hash"},
	{"voice_profiles", "workspace_id"}, {"templates", "id"}, {"snippets", "id"}, {"hashtag_groups", "id"},
	{"voice_acknowledgements", "id"}, {"approval_policies", "id"}, {"review_settings", "workspace_id"},
	{"client_links", "id"}, {"client_link_posts", "link_id, post_id"}, {"approval_deadlines", "post_id, planned_at"},
	{"media", "id"}, {"media_chunks", "media_id, seq"}, {"post_revisions", "id"},
}

// dump renders every row that belongs to ws (and, with users, its members' user, session and
// token rows) as text, to compare a workspace before and after a request.
func (e *testEnv) dump(t testing.TB, ws *seeded, users bool) string {
	t.Helper()
	db, err := e.Store.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	q := func(label, query string, args ...any) {
		rows, err := db.QueryContext(testCtx, query, args...)
		if err != nil {
			t.Fatalf("dump %s: %v", label, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		fmt.Fprintf(&sb, "## %s %v\n", label, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			fmt.Fprintf(&sb, "%v\n", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	q("workspaces", "SELECT * FROM workspaces WHERE id = ?", ws.WS.ID)
	for _, tb := range workspaceTables {
		q(tb.name, "SELECT * FROM "+tb.name+" WHERE workspace_id = ? ORDER BY "+tb.order, ws.WS.ID)
	}
	if users {
		members := "SELECT user_id FROM memberships WHERE workspace_id = ?"
		q("users", "SELECT * FROM users WHERE id IN ("+members+") ORDER BY id", ws.WS.ID)
		q("sessions", "SELECT * FROM sessions WHERE user_id IN ("+members+") ORDER BY id", ws.WS.ID)
		q("api_tokens", "SELECT * FROM api_tokens WHERE user_id IN ("+members+") ORDER BY id", ws.WS.ID)
	}
	return sb.String()
}

// fingerprint summarises ws's rows in one query: per table the row count, the highest id and
// the latest update. Every write the API makes adds a row or moves updated_at, so a request that
// changed nothing leaves it equal. It is the cheap check for the role matrix, where the workspace
// holds hundreds of fixtures; isolation uses the full dump.
func (e *testEnv) fingerprint(t testing.TB, ws *seeded) string {
	t.Helper()
	cols := []string{"(SELECT updated_at FROM workspaces WHERE id = ?)"}
	for _, tb := range workspaceTables {
		cols = append(cols, "(SELECT COUNT(*) FROM "+tb.name+" WHERE workspace_id = ?)")
		switch tb.name {
		case "post_labels", "oauth_states", "media_chunks", "client_link_posts", "approval_deadlines":
			continue
		case "voice_profiles", "review_settings":
			// One row per workspace, changed in place.
			cols = append(cols, "(SELECT MAX(updated_at) FROM "+tb.name+" WHERE workspace_id = ?)")
			continue
		case "templates", "snippets", "hashtag_groups", "approval_policies":
			cols = append(cols, "(SELECT MAX(updated_at) FROM "+tb.name+" WHERE workspace_id = ?)")
		case "client_links":
			cols = append(cols, "(SELECT COUNT(revoked_at) FROM client_links WHERE workspace_id = ?)")
		case "invitations":
			cols = append(cols, "(SELECT COUNT(accepted_at) FROM invitations WHERE workspace_id = ?)")
		case "notifications":
			cols = append(cols, "(SELECT COUNT(read_at) FROM notifications WHERE workspace_id = ?)")
		case "memberships", "channels", "posts", "targets":
			cols = append(cols, "(SELECT MAX(updated_at) FROM "+tb.name+" WHERE workspace_id = ?)")
		}
		cols = append(cols, "(SELECT MAX(id) FROM "+tb.name+" WHERE workspace_id = ?)")
	}
	args := make([]any, len(cols))
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range cols {
		args[i], ptrs[i] = ws.WS.ID, &vals[i]
	}
	if err := e.sqlDB(t).QueryRowContext(testCtx, "SELECT "+strings.Join(cols, ", "), args...).Scan(ptrs...); err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	return fmt.Sprint(vals...)
}

// count runs a COUNT(*) query.
func (e *testEnv) count(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	db, err := e.Store.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.QueryRowContext(testCtx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *testEnv) sqlDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := e.Store.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// wsPath is /api/v1/workspaces/{ws} followed by rest.
func wsPath(ws *seeded, rest string) string { return "/api/v1/workspaces/" + idStr(ws.WS.ID) + rest }
