// Package slacktest is a fake Slack for tests: the Web API methods Herald uses
// (https://api.slack.com/methods: auth.test, conversations.info, conversations.history,
// conversations.replies, chat.postMessage, chat.getPermalink, reactions.get,
// files.getUploadURLExternal, files.completeUploadExternal), the upload URLs that
// files.getUploadURLExternal hands out, and incoming webhooks (https://api.slack.com/messaging/webhooks).
//
// It answers as Slack does. The Web API takes arguments from the query string and from
// application/x-www-form-urlencoded, application/json or multipart/form-data bodies, the token
// from the Authorization header (or a token argument), and answers HTTP 200 with
// {"ok":true,…} or {"ok":false,"error":"…"} (not_authed, invalid_auth, token_revoked,
// channel_not_found, not_in_channel, is_archived, no_text, msg_too_long, missing_scope with
// needed/provided, invalid_arguments, invalid_post_type…), 404 unknown_method for a method it
// does not know, and 429 with Retry-After when rate limited. Incoming webhooks answer plain text:
// "ok", or invalid_payload, no_text, channel_not_found, channel_is_archived, action_prohibited,
// no_service with the statuses of Slack's changelog of 2016-05-17.
//
// Slack publishes OpenAPI descriptions of the Web API (github.com/slackapi/slack-api-specs), but
// they are not in this repository, so the checks follow the method pages. A request that breaks
// a method's documented shape (an unknown method, a required argument missing, a body in a
// content type Slack does not read, files that are not a JSON array of uploaded file ids) is a
// protocol violation: the fake answers as Slack does and fails the test, unless the test
// declared it expects violations (ExpectViolations).
package slacktest

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakenet"
)

// Server is a fake Slack workspace. Its exported methods are safe to call while requests are
// being served.
type Server struct {
	*fakenet.Server

	t testing.TB

	mu            sync.Mutex
	seq           int
	team          Team
	bots          map[string]*Bot // by token
	channels      map[string]*Channel
	messages      map[string][]*Message // by channel, oldest first
	hooks         map[string]*Hook      // by path
	files         map[string]*File
	deferShares   bool
	faults        fakenet.Faults[Fault]
	requests      map[string]int
	createdByText map[string]int
	violations    fakenet.Violations
}

// Team is the workspace.
type Team struct{ ID, Name, Domain string }

// Bot is an installed app's bot user.
type Bot struct {
	Token, UserID, BotID, Name string
	Scopes                     []string
	Revoked                    bool
}

// Channel is a conversation.
type Channel struct {
	ID, Name   string
	IsPrivate  bool
	IsArchived bool
	// Members are the bot user ids in the channel.
	Members map[string]bool
}

// Message is a message in a channel.
type Message struct {
	TS, Channel, Text string
	BotID             string // "" for a person's message
	Files             []string
	Reactions         map[string]int
	ReplyCount        int
}

// Hook is an incoming webhook.
type Hook struct {
	Path, Channel string
	Removed       bool
}

// File is an uploaded file.
type File struct {
	ID, Name, AltText, ContentType string
	Length                         int
	Data                           []byte
	Uploaded, Shared               bool
}

// NewServer starts a fake workspace (team "Acme", domain acme) that is closed when the test
// ends. It fails the test at the end if a request broke a method's documented shape and the test
// did not say it expected that.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t: t, team: Team{ID: "T0ACME0001", Name: "Acme", Domain: "acme"},
		bots: map[string]*Bot{}, channels: map[string]*Channel{}, messages: map[string][]*Message{}, hooks: map[string]*Hook{},
		files: map[string]*File{}, requests: map[string]int{}, createdByText: map[string]int{},
	}
	// Checked after the server closed (cleanups run last first), once every request ended.
	s.violations.Check(t, "slacktest: a request broke Slack's documented API: ")
	s.Server = fakenet.Start(t, s.routes())
	return s
}

// APIURL and HooksURL are the bases the client should use.
func (s *Server) APIURL() string   { return s.URL + "/api" }
func (s *Server) HooksURL() string { return s.URL }

// DeferShares makes files.completeUploadExternal answer before the files are shared (empty
// shares), as Slack does when its job handler is slow; the message appears in the history.
func (s *Server) DeferShares(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deferShares = on
}

// ExpectViolations says the test sends requests that break the API's shape on purpose.
func (s *Server) ExpectViolations() { s.violations.Expect() }

// Violations lists the protocol violations seen so far.
func (s *Server) Violations() []string { return s.violations.List() }

// AllScopes are the scopes Herald's form asks for.
var AllScopes = []string{"chat:write", "channels:read", "groups:read", "channels:history", "groups:history", "reactions:read", "files:write", "files:read"}

// AddBot installs an app with these scopes (AllScopes when none) and returns its bot.
func (s *Server) AddBot(name string, scopes ...string) Bot {
	if len(scopes) == 0 {
		scopes = AllScopes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	b := &Bot{Token: fmt.Sprintf("xoxb-%d-%d-%s", 100000+s.seq, 200000+s.seq, randomish(s.seq)), UserID: fmt.Sprintf("U0BOT%05d", s.seq),
		BotID: fmt.Sprintf("B0BOT%05d", s.seq), Name: name, Scopes: scopes}
	s.bots[b.Token] = b
	return *b
}

// RevokeToken makes later calls with token answer token_revoked.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.bots[token]; ok {
		b.Revoked = true
	}
}

// AddChannel creates a channel; members are bot user ids.
func (s *Server) AddChannel(name string, private bool, members ...string) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	prefix := "C"
	c := &Channel{ID: fmt.Sprintf("%s0CHAN%05d", prefix, s.seq), Name: name, IsPrivate: private, Members: map[string]bool{}}
	for _, m := range members {
		c.Members[m] = true
	}
	s.channels[c.ID] = c
	return *c
}

// ArchiveChannel archives a channel.
func (s *Server) ArchiveChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[id]; ok {
		c.IsArchived = true
	}
}

// AddHook creates an incoming webhook posting to channel and returns its URL on the fake.
func (s *Server) AddHook(channel string) (path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	path = fmt.Sprintf("/services/%s/B0HOOK%05d/%s", s.team.ID, s.seq, randomish(s.seq)[:24])
	s.hooks[path] = &Hook{Path: path, Channel: channel}
	return path
}

// RemoveHook removes a webhook: it then answers no_service.
func (s *Server) RemoveHook(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.hooks[path]; ok {
		h.Removed = true
	}
}

// AddMessage puts a message in a channel as if posted at at (botID "" for a person) and
// returns its ts. It does not count towards CreatedWithText.
func (s *Server) AddMessage(channel, text, botID string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store(channel, text, botID, nil, at).TS
}

// React sets a reaction's count on a message; Reply sets its thread's reply count.
func (s *Server) React(channel, ts, name string, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.find(channel, ts); m != nil {
		m.Reactions[name] = count
	}
}

// SetReplies sets a message's reply_count.
func (s *Server) SetReplies(channel, ts string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.find(channel, ts); m != nil {
		m.ReplyCount = n
	}
}

// Messages returns a channel's messages, oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[channel]))
	for _, m := range s.messages[channel] {
		out = append(out, *m)
	}
	return out
}

// File returns an uploaded file.
func (s *Server) File(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return File{}, false
	}
	return *f, true
}

// CreatedWithText counts messages posted through the API or a webhook with exactly this text
// (as Slack stores it, escaped).
func (s *Server) CreatedWithText(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByText[text]
}

// Requests counts the calls of a Web API method, "webhook" posts or "upload" posts.
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method]
}

// Fault makes the server misbehave for matching requests; see Inject.
type Fault struct {
	// Method restricts the fault to a Web API method, "webhook" or "upload"; empty matches any.
	Method string
	// Status is the HTTP status (200 when zero, as the Web API answers its errors).
	Status int
	// Error is the error code: in {"ok":false,"error":…} or, for a webhook, the plain-text body.
	Error string
	// Needed is missing_scope's needed scope.
	Needed string
	// RetryAfter sets the Retry-After header (seconds) of a 429.
	RetryAfter int
	// AcceptThenHang performs a posting call and never answers.
	AcceptThenHang bool
}

// RateLimited answers 429 with Retry-After (and error ratelimited, or rate_limited for a webhook).
func RateLimited(seconds int) Fault {
	return Fault{Status: 429, Error: "ratelimited", RetryAfter: seconds}
}

// APIError answers {"ok":false,"error":code} with HTTP 200.
func APIError(code string) Fault { return Fault{Error: code} }

// ServerError answers status with an HTML page.
func ServerError(status int) Fault { return Fault{Status: status} }

// AcceptThenHang posts and withholds the answer.
func AcceptThenHang(method string) Fault { return Fault{Method: method, AcceptThenHang: true} }

// On restricts f to one method.
func (f Fault) On(method string) Fault {
	f.Method = method
	return f
}

// Inject applies f to the next n matching requests.
func (s *Server) Inject(n int, f Fault) { s.faults.Add(n, 0, f) }

func (s *Server) takeFault(method string) *Fault {
	return s.faults.Take(func(f *Fault) bool {
		// AcceptThenHang needs something to post.
		return (f.Method == "" || f.Method == method) && (!f.AcceptThenHang || posting[method])
	})
}

// posting are the calls that create a message.
var posting = map[string]bool{"chat.postMessage": true, "files.completeUploadExternal": true, "webhook": true}

// store adds a message. Callers hold mu.
func (s *Server) store(channel, text, botID string, files []string, at time.Time) *Message {
	s.seq++
	ts := fmt.Sprintf("%d.%06d", at.Unix(), s.seq%1_000_000)
	m := &Message{TS: ts, Channel: channel, Text: text, BotID: botID, Files: files, Reactions: map[string]int{}}
	s.messages[channel] = append(s.messages[channel], m)
	sort.SliceStable(s.messages[channel], func(i, j int) bool { return tsLess(s.messages[channel][i].TS, s.messages[channel][j].TS) })
	return m
}

// find returns a message. Callers hold mu.
func (s *Server) find(channel, ts string) *Message {
	for _, m := range s.messages[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

func tsLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func randomish(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 32)
	x := uint64(n)*6364136223846793005 + 1442695040888963407 + uint64(time.Now().UnixNano())
	for i := range b {
		x = x*6364136223846793005 + 1442695040888963407
		b[i] = alphabet[(x>>33)%uint64(len(alphabet))]
	}
	return string(b)
}
