package bluesky

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/bluesky/blueskytest"
	"github.com/heraldhq/herald/publishers/content"
)

// clock is a settable clock shared by the client and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects log output from concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one test's fake PDS, client and connected channel.
type env struct {
	t     *testing.T
	srv   *blueskytest.Server
	c     *Client
	creds *publishers.Credentials
	acct  publishers.Account
	clock *clock
	logs  *syncBuffer
	// secrets are every password and token the test saw, which no error or log may contain.
	secrets []string
}

type envOpts struct {
	srv     blueskytest.Options
	timeout time.Duration
	appView bool
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o.srv.Now = clk.Now
	srv := blueskytest.NewServer(t, o.srv)
	timeout := o.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	logs := &syncBuffer{}
	opts := Options{PDS: srv.URL, Now: clk.Now, HTTPClient: &http.Client{Timeout: timeout},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if o.appView {
		opts.AppView = srv.AppViewURL
	}
	e := &env{t: t, srv: srv, c: New(opts), clock: clk, logs: logs, secrets: []string{srv.Password}}
	creds, acct, err := e.c.ConnectPassword(context.Background(), publishers.PasswordLogin{Identifier: srv.Handle, Password: srv.Password})
	if err != nil {
		t.Fatalf("ConnectPassword: %v", err)
	}
	e.creds, e.acct = creds, acct
	e.remember(creds)
	return e
}

func (e *env) remember(c *publishers.Credentials) {
	e.secrets = append(e.secrets, c.AccessToken, c.RefreshToken)
}

// checkSecrets fails when an error or the logs mention a password or token.
func (e *env) checkSecrets(err error) {
	e.t.Helper()
	e.remember(e.creds)
	var texts []string
	if err != nil {
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
			texts = append(texts, u.Error())
		}
	}
	texts = append(texts, e.logs.String())
	for _, s := range e.secrets {
		for _, txt := range texts {
			if s != "" && strings.Contains(txt, s) {
				e.t.Fatalf("a secret leaked into %q", txt)
			}
		}
	}
}

func (e *env) publish(p publishers.Post) (publishers.Published, error) {
	e.t.Helper()
	res, err := e.c.Publish(context.Background(), e.creds, p)
	e.checkSecrets(err)
	return res, err
}

func (e *env) mustPublish(p publishers.Post) publishers.Published {
	e.t.Helper()
	res, err := e.publish(p)
	if err != nil {
		e.t.Fatalf("Publish: %v", err)
	}
	return res
}

// record returns the stored post of an at:// URI.
func (e *env) record(uri string) blueskytest.Record {
	e.t.Helper()
	rkey := uri[strings.LastIndexByte(uri, '/')+1:]
	rec, ok := e.srv.Record(rkey)
	if !ok {
		e.t.Fatalf("no record %s", uri)
	}
	return rec
}

func wantKind(t *testing.T, err error, kind publishers.Kind) *publishers.Error {
	t.Helper()
	var pe *publishers.Error
	if !errors.As(err, &pe) || pe.Kind != kind {
		t.Fatalf("error = %v (%T), want kind %s", err, err, kind)
	}
	return pe
}

var keyN int

func newKey() string {
	keyN++
	return fmt.Sprintf("1b4e28ba-2fa1-11d2-883f-%012d", keyN)
}

// ---- connecting and sessions ----

func TestConnectPassword(t *testing.T) {
	e := newEnv(t, envOpts{srv: blueskytest.Options{DisplayName: "Alice", Avatar: "https://cdn.example/a.jpg"}})
	c := e.creds
	if c.Get(ExtraDID) != e.srv.DID || c.Get(ExtraHandle) != e.srv.Handle || c.Get(ExtraPDS) != e.srv.URL || c.Get(ExtraEntryway) != "" {
		t.Fatalf("extra = %v", c.Extra)
	}
	if want := e.clock.Now().Add(2 * time.Hour); !c.Expiry.Equal(want) {
		t.Errorf("Expiry = %s, want the JWT's exp %s", c.Expiry, want)
	}
	want := publishers.Account{ExternalID: e.srv.DID, Name: "Alice", Handle: e.srv.Handle, AvatarURL: "https://cdn.example/a.jpg",
		URL: "https://bsky.app/profile/" + e.srv.Handle}
	if e.acct != want {
		t.Errorf("account = %+v, want %+v", e.acct, want)
	}
	if n := e.srv.CreateSessionCalls(); n != 1 {
		t.Errorf("createSession calls = %d", n)
	}
	if h := e.srv.Requests(blueskytest.GetProfile)[0].Header.Get("atproto-proxy"); h != AppViewProxy {
		t.Errorf("getProfile proxy header = %q", h)
	}
}

func TestConnectByEmailWithoutExp(t *testing.T) {
	e := newEnv(t, envOpts{srv: blueskytest.Options{OmitExp: true}})
	creds, _, err := e.c.ConnectPassword(context.Background(), publishers.PasswordLogin{Identifier: " " + e.srv.Email, Password: e.srv.Password, Server: e.srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(2 * time.Hour); !creds.Expiry.Equal(want) {
		t.Errorf("Expiry without exp claim = %s, want now+2h", creds.Expiry)
	}
}

func TestConnectErrors(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	login := publishers.PasswordLogin{Identifier: e.srv.Handle, Password: "wrong-pass-word-1234"}
	e.secrets = append(e.secrets, login.Password)

	_, _, err := e.c.ConnectPassword(ctx, login)
	pe := wantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, "app password") {
		t.Errorf("message %q", pe.Message)
	}
	e.checkSecrets(err)

	e.srv.FailNext(blueskytest.CreateSession, 1, 401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address")
	_, _, err = e.c.ConnectPassword(ctx, login)
	if pe := wantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "app password") {
		t.Errorf("message %q", pe.Message)
	}

	e.srv.RateLimitNext(blueskytest.CreateSession, e.clock.Now().Add(time.Hour))
	_, _, err = e.c.ConnectPassword(ctx, login)
	if pe := wantKind(t, err, publishers.KindRateLimited); pe.RetryAfter < time.Hour {
		t.Errorf("RetryAfter = %s", pe.RetryAfter)
	}
	e.checkSecrets(err)

	_, _, err = e.c.ConnectPassword(ctx, publishers.PasswordLogin{Identifier: "", Password: "x"})
	wantKind(t, err, publishers.KindPermanent)
}

// TestConnectFollowsDIDDocument: an account whose DID document names another PDS (bsky.social is
// an entryway in front of many) writes records there and refreshes where it logged in.
func TestConnectFollowsDIDDocument(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	srv := blueskytest.NewServer(t, blueskytest.Options{Now: clk.Now})
	// The same server under another name stands for the account's PDS.
	pds := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	srv.SetDIDDocPDS(pds)
	c := New(Options{PDS: srv.URL, Now: clk.Now})
	creds, _, err := c.ConnectPassword(context.Background(), publishers.PasswordLogin{Identifier: srv.Handle, Password: srv.Password})
	if err != nil {
		t.Fatal(err)
	}
	if creds.Get(ExtraPDS) != pds || creds.Get(ExtraEntryway) != srv.URL {
		t.Fatalf("extra = %v", creds.Extra)
	}
	srv.ExpireTokens(1)
	if _, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: newKey(), Text: "moved"}); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(pds, "http://")
	for _, r := range srv.Requests(blueskytest.CreateRecord) {
		if r.Host != host {
			t.Errorf("createRecord went to %s, want the PDS %s", r.Host, host)
		}
	}
	if r := srv.Requests(blueskytest.RefreshSession); len(r) != 1 || r[0].Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("refreshSession requests = %+v, want one to the entryway", r)
	}
}

func TestSessionIsReused(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "one"})
	e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "two"})
	if _, err := e.c.Metrics(context.Background(), e.creds, []string{"at://" + e.srv.DID + "/app.bsky.feed.post/3jzfcijpj2z2a"}); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.CreateSessionCalls(); n != 1 {
		t.Errorf("createSession calls = %d, want 1 (ConnectPassword only)", n)
	}
	if n := e.srv.RefreshCalls(); n != 0 {
		t.Errorf("refreshSession calls = %d, want 0", n)
	}
}

func TestPublishRefreshesOnExpiredToken(t *testing.T) {
	e := newEnv(t, envOpts{})
	before := *e.creds
	e.srv.ExpireTokens(1)
	e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "after a refresh"})
	if e.srv.RefreshCalls() != 1 || e.srv.CreateSessionCalls() != 1 {
		t.Fatalf("refreshes %d, sessions %d; want 1 and 1", e.srv.RefreshCalls(), e.srv.CreateSessionCalls())
	}
	if e.creds.AccessToken == before.AccessToken || e.creds.RefreshToken == before.RefreshToken {
		t.Fatal("Publish did not hand back the refreshed credentials through *creds")
	}
	if before.Extra[ExtraDID] != e.srv.DID || &before.Extra == &e.creds.Extra {
		t.Fatal("the refreshed credentials share or changed the old Extra map")
	}
	if e.srv.CreatedWithText("after a refresh") != 1 {
		t.Fatal("the post was not created exactly once")
	}
}

func TestPublishRefreshesAnExpiredSessionFirst(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.clock.Advance(2*time.Hour + time.Minute)
	e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "late"})
	if e.srv.RefreshCalls() != 1 || e.srv.Calls(blueskytest.CreateRecord) != 1 {
		t.Fatalf("refreshes %d, createRecord calls %d; want 1 and 1 (no call wasted on ExpiredToken)",
			e.srv.RefreshCalls(), e.srv.Calls(blueskytest.CreateRecord))
	}
}

func TestRefresh(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	got, changed, err := e.c.Refresh(ctx, e.creds)
	if err != nil || changed || got != e.creds || e.srv.RefreshCalls() != 0 {
		t.Fatalf("Refresh of a fresh session: changed=%v err=%v calls=%d", changed, err, e.srv.RefreshCalls())
	}
	e.clock.Advance(time.Hour + 51*time.Minute) // 9 minutes left
	old := *e.creds
	fresh, changed, err := e.c.Refresh(ctx, e.creds)
	if err != nil || !changed {
		t.Fatalf("Refresh within 10 minutes: changed=%v err=%v", changed, err)
	}
	if e.creds.AccessToken != old.AccessToken || e.creds.RefreshToken != old.RefreshToken || !e.creds.Expiry.Equal(old.Expiry) {
		t.Fatal("Refresh modified its argument")
	}
	if fresh.AccessToken == old.AccessToken || fresh.RefreshToken == old.RefreshToken || !fresh.Expiry.Equal(e.clock.Now().Add(2*time.Hour)) {
		t.Fatalf("fresh = %+v", fresh)
	}
	if fresh.Get(ExtraDID) != e.srv.DID || fresh.Get(ExtraPDS) != e.srv.URL {
		t.Fatalf("fresh extra = %v", fresh.Extra)
	}
	if e.srv.CreateSessionCalls() != 1 {
		t.Fatal("Refresh logged in again")
	}
	// The old refresh token was rotated away: using it again means another process refreshed
	// first, or Herald lost the new one; either way only reconnecting helps.
	_, _, err = e.c.Refresh(ctx, &old)
	pe := wantKind(t, err, publishers.KindAuthExpired)
	if !strings.Contains(pe.Message, "reconnect") {
		t.Errorf("message %q", pe.Message)
	}
	e.remember(fresh)
	e.checkSecrets(err)
}

// ---- the error table, one row each, through the fake ----

func TestPublishErrorRows(t *testing.T) {
	tests := []struct {
		name   string
		inject func(e *env)
		kind   publishers.Kind
		code   string
		check  func(t *testing.T, e *env, pe *publishers.Error)
	}{
		{"400 ExpiredToken, refresh fails with ExpiredToken", func(e *env) {
			e.srv.ExpireTokens(1)
			e.srv.FailNext(blueskytest.RefreshSession, 1, 400, "ExpiredToken", "Token has expired")
		}, publishers.KindAuthExpired, "ExpiredToken", nil},
		{"400 ExpiredToken, refresh fails with InvalidToken", func(e *env) {
			e.srv.ExpireTokens(1)
			e.srv.FailNext(blueskytest.RefreshSession, 1, 400, "InvalidToken", "Token could not be verified")
		}, publishers.KindAuthExpired, "InvalidToken", nil},
		{"ExpiredToken again after refreshing", func(e *env) { e.srv.ExpireTokens(2) },
			publishers.KindAuthExpired, "ExpiredToken", func(t *testing.T, e *env, _ *publishers.Error) {
				if e.srv.RefreshCalls() != 1 {
					t.Errorf("refreshes = %d, want exactly 1", e.srv.RefreshCalls())
				}
			}},
		{"401 AuthRequired", func(e *env) {
			e.srv.FailNext(blueskytest.CreateRecord, 1, 401, "AuthRequired", "Authentication Required")
		}, publishers.KindAuthExpired, "AuthRequired", nil},
		{"revoked session: 400 InvalidToken", func(e *env) { e.srv.RevokeSessions() },
			publishers.KindAuthExpired, "InvalidToken", nil},
		{"AccountTakedown", func(e *env) {
			e.srv.FailNext(blueskytest.CreateRecord, 1, 400, "AccountTakedown", "Account has been taken down")
		}, publishers.KindAuthExpired, "AccountTakedown", nil},
		{"429 RateLimitExceeded", func(e *env) {
			e.srv.RateLimitNext(blueskytest.CreateRecord, e.clock.Now().Add(90*time.Second))
		}, publishers.KindRateLimited, "RateLimitExceeded", func(t *testing.T, _ *env, pe *publishers.Error) {
			if pe.RetryAfter < 90*time.Second || pe.RetryAfter > 92*time.Second {
				t.Errorf("RetryAfter = %s, want about 90s from ratelimit-reset", pe.RetryAfter)
			}
		}},
		{"400 InvalidRequest", func(e *env) {
			e.srv.FailNext(blueskytest.CreateRecord, 1, 400, "InvalidRequest", "Invalid app.bsky.feed.post record: something is off")
		}, publishers.KindPermanent, "InvalidRequest", func(t *testing.T, _ *env, pe *publishers.Error) {
			if !strings.Contains(pe.Message, "something is off") {
				t.Errorf("message %q lost Bluesky's explanation", pe.Message)
			}
		}},
		{"400 other code", func(e *env) {
			e.srv.FailNext(blueskytest.CreateRecord, 1, 400, "InvalidSwap", "swap failed")
		}, publishers.KindPermanent, "InvalidSwap", nil},
		{"5xx on uploadBlob", func(e *env) {
			e.srv.FailNext(blueskytest.UploadBlob, 1, 503, "", "")
		}, publishers.KindRetryable, "", nil},
		{"413 on uploadBlob", func(e *env) {
			e.srv.FailNext(blueskytest.UploadBlob, 1, 413, "PayloadTooLarge", "request entity too large")
		}, publishers.KindPermanent, "PayloadTooLarge", nil},
		{"5xx on resolveHandle", func(e *env) {
			e.srv.FailNext(blueskytest.ResolveHandle, 1, 502, "UpstreamFailure", "")
		}, publishers.KindRetryable, "UpstreamFailure", func(t *testing.T, e *env, _ *publishers.Error) {
			if e.srv.Calls(blueskytest.CreateRecord) != 0 {
				t.Error("posted although a mention could not be resolved")
			}
		}},
		{"createRecord 500, no record: check then retryable", func(e *env) {
			e.srv.FailNext(blueskytest.CreateRecord, 1, 500, "InternalServerError", "Internal Server Error")
		}, publishers.KindRetryable, "InternalServerError", func(t *testing.T, e *env, _ *publishers.Error) {
			if e.srv.Calls(blueskytest.GetRecord) != 1 {
				t.Errorf("getRecord calls = %d, want 1 check", e.srv.Calls(blueskytest.GetRecord))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			e.srv.AddAccount("bob.test")
			tt.inject(e)
			p := publishers.Post{IdempotencyKey: newKey(), Text: "row @bob.test"}
			if strings.Contains(tt.name, "uploadBlob") {
				p.Media = []publishers.Media{pngMedia(t, 2, 2, "a dot")}
			}
			_, err := e.publish(p)
			pe := wantKind(t, err, tt.kind)
			if pe.Code != tt.code {
				t.Errorf("code = %q, want %q", pe.Code, tt.code)
			}
			if tt.check != nil {
				tt.check(t, e, pe)
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.srv.Close()
	_, err := e.publish(publishers.Post{IdempotencyKey: newKey(), Text: "nobody home"})
	wantKind(t, err, publishers.KindRetryable) // refused before anything was sent
	_, err = e.c.FindPublished(context.Background(), e.creds, publishers.Post{IdempotencyKey: newKey()})
	wantKind(t, err, publishers.KindUnknown)
}

// TestServerMessagesAreRedacted: a server that echoes a token in its message does not get it
// into Herald's errors.
func TestServerMessagesAreRedacted(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.srv.FailNext(blueskytest.CreateRecord, 1, 400, "InvalidRequest", "bad token "+e.creds.AccessToken)
	_, err := e.publish(publishers.Post{IdempotencyKey: newKey(), Text: "x"})
	if pe := wantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "[redacted]") {
		t.Fatalf("message %q", pe.Message)
	}
}

func TestRateLimitHeadersArePaced(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "counted"})
	rl, ok := e.c.LastRateLimit(e.srv.DID, nsidCreateRecord)
	if !ok || rl.Limit != blueskytest.DefaultRateLimit || rl.Remaining <= 0 || rl.Remaining >= rl.Limit ||
		!rl.Reset.Equal(e.clock.Now().Add(5*time.Minute).Truncate(time.Second)) || rl.Policy == "" {
		t.Fatalf("LastRateLimit = %+v, %v", rl, ok)
	}
	if _, ok := e.c.LastRateLimit(e.srv.Handle, nsidCreateSession); !ok {
		t.Error("createSession's headers were not read")
	}

	e.srv.RateLimitNext(blueskytest.CreateRecord, e.clock.Now().Add(2*time.Minute))
	_, err := e.publish(publishers.Post{IdempotencyKey: newKey(), Text: "limited"})
	wantKind(t, err, publishers.KindRateLimited)
	calls := e.srv.Calls(blueskytest.CreateRecord)
	// The budget is spent until the reset: the next attempt is refused without a request.
	_, err = e.publish(publishers.Post{IdempotencyKey: newKey(), Text: "limited"})
	if pe := wantKind(t, err, publishers.KindRateLimited); pe.RetryAfter <= 0 || pe.RetryAfter > 2*time.Minute+time.Second {
		t.Errorf("RetryAfter = %s", pe.RetryAfter)
	}
	if e.srv.Calls(blueskytest.CreateRecord) != calls {
		t.Fatal("a call was sent although the budget was spent")
	}
	e.clock.Advance(2*time.Minute + time.Second)
	e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "limited"})
}

// ---- publishing ----

func TestPublishFacetsAtByteOffsets(t *testing.T) {
	e := newEnv(t, envOpts{})
	bob := e.srv.AddAccount("bob-smith.bsky.social")
	text := "Café ☕️ 🇫🇷 résumé 👩‍👩‍👧 — lire https://example.com/ça?x=1, merci @Bob-Smith.bsky.social et @nobody.example #Go #日本語!"
	res := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: text, Language: "fr"})
	rec := e.record(res.ExternalID)
	if rec.Value["text"] != text {
		t.Fatalf("text = %q", rec.Value["text"])
	}
	want := []struct{ covered, typ, key, val string }{
		{"https://example.com/ça?x=1", featureLink, "uri", "https://example.com/ça?x=1"},
		{"@Bob-Smith.bsky.social", featureMention, "did", bob},
		{"#Go", featureTag, "tag", "Go"},
		{"#日本語", featureTag, "tag", "日本語"},
	}
	facets, _ := rec.Value["facets"].([]any)
	if len(facets) != len(want) {
		t.Fatalf("facets = %v, want %d (no facet for the unresolvable @nobody.example)", facets, len(want))
	}
	for i, w := range want {
		covered, _ := blueskytest.FacetText(rec, i)
		idx := facets[i].(map[string]any)["index"].(map[string]any)
		start := strings.Index(text, w.covered)
		if covered != w.covered || idx["byteStart"] != float64(start) || idx["byteEnd"] != float64(start+len(w.covered)) {
			t.Errorf("facet %d covers %q at %v, want %q at bytes [%d,%d)", i, covered, idx, w.covered, start, start+len(w.covered))
		}
		feat := facets[i].(map[string]any)["features"].([]any)[0].(map[string]any)
		if feat["$type"] != w.typ || feat[w.key] != w.val {
			t.Errorf("facet %d feature = %v, want %s %s=%s", i, feat, w.typ, w.key, w.val)
		}
	}
	if langs, _ := rec.Value["langs"].([]any); len(langs) != 1 || langs[0] != "fr" {
		t.Errorf("langs = %v", rec.Value["langs"])
	}
	if rec.Value["createdAt"] != "2026-03-01T12:00:00.000Z" {
		t.Errorf("createdAt = %v", rec.Value["createdAt"])
	}
	if res.URL != "https://bsky.app/profile/"+e.srv.Handle+"/post/"+rec.Rkey || !strings.HasPrefix(res.ExternalID, "at://"+e.srv.DID+"/app.bsky.feed.post/") {
		t.Errorf("published = %+v", res)
	}
}

func TestPublishLinkCard(t *testing.T) {
	e := newEnv(t, envOpts{})
	res := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "Read https://example.com/post and https://example.org"})
	emb, _ := e.record(res.ExternalID).Value["embed"].(map[string]any)
	ext, _ := emb["external"].(map[string]any)
	if emb["$type"] != typeExternal || ext["uri"] != "https://example.com/post" || ext["title"] != "https://example.com/post" || ext["description"] != "" {
		t.Fatalf("embed = %v", emb)
	}
}

func pngMedia(t *testing.T, w, h int, alt string) publishers.Media {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	return publishers.Media{Kind: content.KindImage, MIME: "image/png", AltText: alt, Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return data, nil }}
}

func TestPublishImages(t *testing.T) {
	e := newEnv(t, envOpts{})
	res := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "two pictures https://example.com",
		Media: []publishers.Media{pngMedia(t, 3, 2, "a wide one"), pngMedia(t, 2, 5, "a tall one")}})
	if n := e.srv.Calls(blueskytest.UploadBlob); n != 2 {
		t.Fatalf("uploadBlob calls = %d", n)
	}
	for _, r := range e.srv.Requests(blueskytest.UploadBlob) {
		if r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("uploadBlob Content-Type = %q", r.Header.Get("Content-Type"))
		}
	}
	emb, _ := e.record(res.ExternalID).Value["embed"].(map[string]any)
	if emb["$type"] != typeImages {
		t.Fatalf("embed = %v (images win over a link card)", emb)
	}
	imgs := emb["images"].([]any)
	wantAlt := []string{"a wide one", "a tall one"}
	wantRatio := [][2]float64{{3, 2}, {2, 5}}
	for i, x := range imgs {
		img := x.(map[string]any)
		ar, _ := img["aspectRatio"].(map[string]any)
		blob, _ := img["image"].(map[string]any)
		if img["alt"] != wantAlt[i] || ar["width"] != wantRatio[i][0] || ar["height"] != wantRatio[i][1] || blob["$type"] != "blob" || blob["mimeType"] != "image/png" {
			t.Errorf("image %d = %v", i, img)
		}
	}
}

func TestPublishRefusesWhatBlueskyCannotTake(t *testing.T) {
	e := newEnv(t, envOpts{})
	big := make([]byte, 2_000_001)
	tests := []struct {
		name  string
		media []publishers.Media
	}{
		{"too large", []publishers.Media{{Kind: content.KindImage, MIME: "image/jpeg", Open: func(context.Context) ([]byte, error) { return big, nil }}}},
		{"video", []publishers.Media{{Kind: content.KindVideo, MIME: "video/mp4", Open: func(context.Context) ([]byte, error) { return []byte{0}, nil }}}},
		{"five images", []publishers.Media{pngMedia(t, 1, 1, ""), pngMedia(t, 1, 1, ""), pngMedia(t, 1, 1, ""), pngMedia(t, 1, 1, ""), pngMedia(t, 1, 1, "")}},
		{"not an image", []publishers.Media{{Kind: content.KindImage, Open: func(context.Context) ([]byte, error) { return []byte("plain text"), nil }}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.publish(publishers.Post{IdempotencyKey: newKey(), Text: "x", Media: tt.media})
			wantKind(t, err, publishers.KindPermanent)
		})
	}
	if e.srv.Calls(blueskytest.UploadBlob) != 0 || e.srv.Calls(blueskytest.CreateRecord) != 0 {
		t.Fatal("something was sent for a post Bluesky cannot take")
	}
	_, err := e.publish(publishers.Post{Text: "no key"})
	wantKind(t, err, publishers.KindPermanent)
}

func TestFirstComment(t *testing.T) {
	e := newEnv(t, envOpts{})
	key := newKey()
	res := e.mustPublish(publishers.Post{IdempotencyKey: key, Text: "the post", FirstComment: "the comment #extra"})
	main := e.record(res.ExternalID)
	com, ok := e.srv.Record(RecordKey(key + "-c1"))
	if !ok {
		t.Fatal("no first comment under RecordKey(key+\"-c1\")")
	}
	reply, _ := com.Value["reply"].(map[string]any)
	for _, k := range []string{"root", "parent"} {
		ref, _ := reply[k].(map[string]any)
		if ref["uri"] != main.URI || ref["cid"] != main.CID {
			t.Errorf("reply.%s = %v, want %s %s", k, ref, main.URI, main.CID)
		}
	}
	if com.Value["text"] != "the comment #extra" || len(com.Value["facets"].([]any)) != 1 {
		t.Errorf("comment = %v", com.Value)
	}
	// Publishing the target again finds both and creates neither.
	again := e.mustPublish(publishers.Post{IdempotencyKey: key, Text: "the post", FirstComment: "the comment #extra"})
	if again.ExternalID != res.ExternalID || e.srv.CreatedWithText("the post") != 1 || e.srv.CreatedWithText("the comment #extra") != 1 {
		t.Fatalf("again = %+v; posts %d, comments %d", again, e.srv.CreatedWithText("the post"), e.srv.CreatedWithText("the comment #extra"))
	}
}

func TestFirstCommentFailureDoesNotFailThePost(t *testing.T) {
	e := newEnv(t, envOpts{})
	key := newKey()
	// 301 graphemes: Bluesky refuses the comment once the post exists.
	res, err := e.publish(publishers.Post{IdempotencyKey: key, Text: "posted", FirstComment: strings.Repeat("a", 301)})
	if err != nil {
		t.Fatalf("Publish failed because of its comment: %v", err)
	}
	if res.ExternalID == "" || e.srv.CreatedWithText("posted") != 1 {
		t.Fatalf("res = %+v", res)
	}
	if _, ok := e.srv.Record(RecordKey(key + "-c1")); ok {
		t.Fatal("the comment exists")
	}
	if !strings.Contains(e.logs.String(), "first comment not posted") {
		t.Fatalf("the failure was not logged: %s", e.logs.String())
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "The first comment was not published: ") {
		t.Fatalf("warnings %q", res.Warnings)
	}
}

func TestPublishIsIdempotent(t *testing.T) {
	e := newEnv(t, envOpts{})
	key := newKey()
	p := publishers.Post{IdempotencyKey: key, Text: "exactly once"}
	first := e.mustPublish(p)
	second := e.mustPublish(p)
	if second.ExternalID != first.ExternalID || second.URL != first.URL {
		t.Fatalf("second publish = %+v, want %+v", second, first)
	}
	if !second.PublishedAt.Equal(first.PublishedAt) {
		t.Errorf("PublishedAt %s, want the first's %s", second.PublishedAt, first.PublishedAt)
	}
	rkey := RecordKey(key)
	if e.srv.CreatedWithKey(rkey) != 1 || e.srv.CreatedWithText("exactly once") != 1 || len(e.srv.Records()) != 1 {
		t.Fatalf("records: by key %d, by text %d", e.srv.CreatedWithKey(rkey), e.srv.CreatedWithText("exactly once"))
	}
	if !strings.HasSuffix(first.ExternalID, "/"+rkey) {
		t.Fatalf("ExternalID %s is not under the deterministic key %s", first.ExternalID, rkey)
	}
}

func TestPublishAfterHangFindsTheRecord(t *testing.T) {
	e := newEnv(t, envOpts{timeout: 300 * time.Millisecond})
	e.srv.HangAfterCreate()
	res := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "slow"})
	if res.ExternalID == "" || e.srv.CreatedWithText("slow") != 1 || e.srv.Calls(blueskytest.CreateRecord) != 1 {
		t.Fatalf("res %+v; created %d; createRecord calls %d", res, e.srv.CreatedWithText("slow"), e.srv.Calls(blueskytest.CreateRecord))
	}
}

func TestPublishAfterHangWithoutRecordSendsAgain(t *testing.T) {
	e := newEnv(t, envOpts{timeout: 300 * time.Millisecond})
	e.srv.Inject(blueskytest.Fault{Method: blueskytest.CreateRecord, Hang: true}) // hangs before writing
	e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "second try"})
	if e.srv.CreatedWithText("second try") != 1 || e.srv.Calls(blueskytest.CreateRecord) != 2 {
		t.Fatalf("created %d, createRecord calls %d", e.srv.CreatedWithText("second try"), e.srv.Calls(blueskytest.CreateRecord))
	}
}

func TestPublishUnknownWhenTheCheckFails(t *testing.T) {
	e := newEnv(t, envOpts{timeout: 300 * time.Millisecond})
	e.srv.HangAfterCreate()
	e.srv.FailNext(blueskytest.GetRecord, 1, 503, "", "")
	p := publishers.Post{IdempotencyKey: newKey(), Text: "unsure"}
	_, err := e.publish(p)
	wantKind(t, err, publishers.KindUnknown)
	// Reconciling finds it.
	found, err := e.c.FindPublished(context.Background(), e.creds, p)
	if err != nil || found == nil || e.srv.CreatedWithText("unsure") != 1 {
		t.Fatalf("FindPublished = %+v, %v", found, err)
	}
}

func TestFindPublished(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	p := publishers.Post{IdempotencyKey: newKey(), Text: "findable"}
	res := e.mustPublish(p)

	found, err := e.c.FindPublished(ctx, e.creds, p)
	if err != nil || found == nil || found.ExternalID != res.ExternalID || found.URL != res.URL || !found.PublishedAt.Equal(res.PublishedAt) {
		t.Fatalf("found = %+v, %v; published %+v", found, err, res)
	}
	found, err = e.c.FindPublished(ctx, e.creds, publishers.Post{IdempotencyKey: newKey()})
	if err != nil || found != nil {
		t.Fatalf("never published: %+v, %v; want nil, nil", found, err)
	}
	for _, status := range []int{500, 429, 400} {
		e.srv.FailNext(blueskytest.GetRecord, 1, status, "InvalidRequest", "something else")
		_, err = e.c.FindPublished(ctx, e.creds, p)
		wantKind(t, err, publishers.KindUnknown)
	}
	e.checkSecrets(err)
}

// ---- metrics ----

func TestMetricsBatches(t *testing.T) {
	e := newEnv(t, envOpts{})
	a := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "popular"})
	b := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "quiet"})
	e.srv.SetCounts(a.ExternalID, blueskytest.Counts{Likes: 7, Reposts: 3, Replies: 2, Quotes: 1})
	ids := []string{a.ExternalID, "not-a-uri"}
	for i := 0; len(ids) < 60; i++ {
		ids = append(ids, fmt.Sprintf("at://%s/app.bsky.feed.post/%s", e.srv.DID, RecordKey(fmt.Sprint("gone", i))))
	}
	ids = append(ids, b.ExternalID, a.ExternalID) // 60 distinct URIs, a duplicate and a non-URI
	got, err := e.c.Metrics(context.Background(), e.creds, ids)
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.srv.Requests(blueskytest.GetPosts)
	if len(reqs) != 3 {
		t.Fatalf("getPosts calls = %d, want 3 for 60 URIs", len(reqs))
	}
	sent := 0
	for _, r := range reqs {
		sent += len(r.Query["uris"])
		if n := len(r.Query["uris"]); n > MetricsBatch || n == 0 {
			t.Errorf("a batch of %d URIs", n)
		}
		if r.Header.Get("atproto-proxy") != AppViewProxy || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("getPosts headers = %v", r.Header)
		}
	}
	if sent != 60 {
		t.Errorf("sent %d URIs, want the 60 distinct ones", sent)
	}
	ma := got[a.ExternalID]
	if len(got) != 2 || ma.Likes == nil || *ma.Likes != 7 || *ma.Reposts != 3 || *ma.Replies != 2 || *ma.Quotes != 1 {
		t.Fatalf("metrics = %v", got)
	}
	if mb := got[b.ExternalID]; mb.Likes == nil || *mb.Likes != 0 || mb.Impressions != nil {
		t.Fatalf("quiet post = %+v", mb)
	}
}

func TestMetricsRefreshAndErrors(t *testing.T) {
	e := newEnv(t, envOpts{})
	a := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "m"})
	before := e.creds.AccessToken
	e.srv.ExpireTokens(1)
	if _, err := e.c.Metrics(context.Background(), e.creds, []string{a.ExternalID}); err != nil {
		t.Fatal(err)
	}
	if e.creds.AccessToken == before {
		t.Fatal("Metrics did not hand back the refreshed credentials")
	}
	e.srv.FailNext(blueskytest.GetPosts, 1, 502, "UpstreamFailure", "appview down")
	_, err := e.c.Metrics(context.Background(), e.creds, []string{a.ExternalID})
	wantKind(t, err, publishers.KindRetryable)
	e.checkSecrets(err)
}

func TestMetricsFromPublicAppView(t *testing.T) {
	e := newEnv(t, envOpts{appView: true})
	a := e.mustPublish(publishers.Post{IdempotencyKey: newKey(), Text: "public"})
	e.srv.SetCounts(a.ExternalID, blueskytest.Counts{Likes: 1})
	got, err := e.c.Metrics(context.Background(), e.creds, []string{a.ExternalID})
	if err != nil || got[a.ExternalID].Likes == nil || *got[a.ExternalID].Likes != 1 {
		t.Fatalf("metrics = %v, %v", got, err)
	}
	r := e.srv.Requests(blueskytest.GetPosts)[0]
	if r.Header.Get("Authorization") != "" || r.Header.Get("atproto-proxy") != "" {
		t.Fatalf("credentials sent to a public AppView: %v", r.Header)
	}
	if u, _ := url.Parse(e.srv.AppViewURL); r.Host != u.Host {
		t.Fatalf("getPosts went to %s", r.Host)
	}
}

func TestMeta(t *testing.T) {
	m := New(Options{}).Meta()
	if m.Name != "bluesky" || m.DisplayName != "Bluesky" || m.Connect != publishers.ConnectPassword || m.Rules.Network != "bluesky" {
		t.Fatalf("meta = %+v", m)
	}
	c := m.Capabilities
	if !c.Idempotency || !c.FindPublished || !c.FirstComment || !c.Threads || len(c.MediaKinds) != 1 || c.MediaKinds[0] != content.KindImage || len(c.Metrics) != 4 {
		t.Fatalf("capabilities = %+v", c)
	}
	if publishers.NewRegistry(New(Options{})).All()[0].Meta().Name != Name {
		t.Fatal("not registrable")
	}
}

// TestPublishUnknownWhenTheCallerGivesUp: when the caller's deadline passes after the post was
// sent there is no time left to check, and the outcome is unknown, for FindPublished to settle.
func TestPublishUnknownWhenTheCallerGivesUp(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.srv.HangAfterCreate()
	p := publishers.Post{IdempotencyKey: newKey(), Text: "deadline"}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := e.c.Publish(ctx, e.creds, p)
	wantKind(t, err, publishers.KindUnknown)
	e.checkSecrets(err)
	if e.srv.Calls(blueskytest.GetRecord) != 0 {
		t.Error("checked with an expired context")
	}
	found, err := e.c.FindPublished(context.Background(), e.creds, p)
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %+v, %v", found, err)
	}
}
