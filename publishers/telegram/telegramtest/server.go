// Package telegramtest is a fake Telegram Bot API server for tests, following the published
// Bot API (https://core.telegram.org/bots/api) where Herald uses it: getMe, getChat,
// getChatMember, sendMessage, sendPhoto, sendVideo, sendAnimation and sendMediaGroup.
//
// Like the real server it answers https://…/bot<token>/<method> (method names in any case), takes
// parameters from the query string and from application/json, application/x-www-form-urlencoded
// or multipart/form-data bodies ("Making requests"), and answers {"ok":true,"result":…} or
// {"ok":false,"error_code":…,"description":…,"parameters":{…}} with the HTTP status equal to
// error_code. It refuses what Telegram refuses: an unknown token (401 Unauthorized), an unknown
// method (404 Not Found), a missing chat_id or text, a text over 4,096 characters or a caption
// over 1,024, an album of fewer than 2 or more than 10 items, a bot that is not an administrator
// allowed to post.
//
// No machine-readable description of the Bot API is published by Telegram, so the checks are
// written from the documentation page. A request that breaks the documented shape (an unknown
// method, a missing required parameter, a body in a content type the Bot API does not read, an
// album item that names a missing file) is a protocol violation: the fake answers as Telegram
// does and fails the test, unless the test declared it expects violations (ExpectViolations).
//
// Switches simulate what Telegram does under stress: 429 with parameters.retry_after, 5xx from
// its gateway, a revoked token, a bot kicked from the channel, and an answer withheld after a
// message was posted (a client timeout). Counters let tests assert that a post was created
// exactly once.
package telegramtest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake Bot API server. Its exported methods are safe to call while requests are
// being served.
type Server struct {
	*httptest.Server

	t         testing.TB
	closing   chan struct{}
	closeOnce sync.Once

	mu               sync.Mutex
	now              func() time.Time
	nextBotID        int64
	nextChatID       int64
	bots             map[string]*Bot // by token
	chats            map[int64]*Chat
	messages         []Message
	faults           []*faultSlot
	requests         map[string]int
	createdByText    map[string]int
	violations       []string
	expectViolations bool
}

// Bot is a bot the fake knows.
type Bot struct {
	ID       int64
	Username string
	Token    string
	Revoked  bool
}

// Chat is a channel or group.
type Chat struct {
	ID       int64
	Type     string // "channel", "supergroup", "group" or "private"
	Title    string
	Username string // "" for a private chat
	// Members are the bots' memberships, by bot id.
	Members map[int64]Member
	nextMsg int64
}

// Member is a bot's membership of a chat, as getChatMember reports it.
type Member struct {
	Status          string // "administrator", "member", "left", "kicked"
	CanPostMessages bool   // administrators of channels only
}

// Admin is an administrator allowed to post.
var Admin = Member{Status: "administrator", CanPostMessages: true}

// Message is a message a bot posted.
type Message struct {
	ID           int64
	ChatID       int64
	BotID        int64
	Kind         string // "text", "photo", "video" or "animation"
	Text         string // the text, or the caption of a media message
	MediaGroupID string
	File         *File
	// LinkPreviewDisabled is link_preview_options.is_disabled as sent.
	LinkPreviewDisabled bool
	Date                time.Time
}

// File is an uploaded file.
type File struct {
	Field       string // the multipart part's name
	FileName    string
	ContentType string
	Data        []byte
}

// NewServer starts a fake Bot API server that is closed when the test ends. It fails the test
// at the end if a request broke the documented shape of the API and the test did not say it
// expected that.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:             t,
		closing:       make(chan struct{}),
		now:           time.Now,
		nextBotID:     7000000001,
		nextChatID:    1001234567000,
		bots:          map[string]*Bot{},
		chats:         map[int64]*Chat{},
		requests:      map[string]int{},
		createdByText: map[string]int{},
	}
	s.Server = httptest.NewServer(s.routes())
	t.Cleanup(func() {
		s.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.expectViolations {
			for _, v := range s.violations {
				t.Errorf("telegramtest: a request broke the Bot API's documented shape: %s", v)
			}
		}
	})
	return s
}

// Close stops the server, releasing handlers that withhold an answer (AcceptThenHang).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.Server.Close()
	})
}

// SetNow sets the fake's clock (message dates).
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// ExpectViolations says the test sends requests that break the API's shape on purpose.
func (s *Server) ExpectViolations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expectViolations = true
}

// Violations lists the protocol violations seen so far.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// AddBot creates a bot and returns it (its Token is what @BotFather would give).
func (s *Server) AddBot(username string) Bot {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextBotID++
	b := &Bot{ID: s.nextBotID, Username: username}
	b.Token = fmt.Sprintf("%d:%s", b.ID, randomSecret())
	s.bots[b.Token] = b
	return *b
}

// RevokeToken makes later requests with token answer 401 Unauthorized, as after /revoke in
// @BotFather.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.bots[token]; ok {
		b.Revoked = true
	}
}

// AddChat creates a chat of the given type ("channel", "supergroup", "group", "private");
// username "" makes it private. Channel and supergroup ids start with -100, as Telegram's do.
func (s *Server) AddChat(typ, title, username string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextChatID++
	id := -s.nextChatID
	switch typ {
	case "group":
		id = -(s.nextChatID % 1_000_000_000)
	case "private":
		id = s.nextChatID % 1_000_000_000
	}
	s.chats[id] = &Chat{ID: id, Type: typ, Title: title, Username: username, Members: map[int64]Member{}}
	return id
}

// SetMember sets a bot's membership of a chat.
func (s *Server) SetMember(chatID, botID int64, m Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.chats[chatID]; ok {
		c.Members[botID] = m
	}
}

// SetUsername renames a chat (a channel owner changing its public link).
func (s *Server) SetUsername(chatID int64, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.chats[chatID]; ok {
		c.Username = username
	}
}

// Messages returns the messages posted in a chat, oldest first.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CreatedWithText counts the posts created with exactly this text (or caption; an album counts
// once, by its first item's caption).
func (s *Server) CreatedWithText(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByText[text]
}

// Requests counts the requests received for a method (as Telegram matches it: any case).
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[strings.ToLower(method)]
}

// Fault makes the server misbehave for matching requests; see Inject.
type Fault struct {
	// Method restricts the fault to one method (any case); empty matches any.
	Method string
	// ErrorCode and Description make the answer {"ok":false,"error_code":…,"description":…}
	// with HTTP status ErrorCode.
	ErrorCode   int
	Description string
	// RetryAfter sets parameters.retry_after (seconds).
	RetryAfter int
	// MigrateTo sets parameters.migrate_to_chat_id.
	MigrateTo int64
	// Gateway answers ErrorCode with an HTML page, as Telegram's front servers do when the Bot
	// API behind them does not answer.
	Gateway bool
	// AcceptThenHang serves a send method (the message is posted) and then never answers,
	// until the client gives up or the server closes.
	AcceptThenHang bool
}

// RateLimited answers 429 "Too Many Requests: retry after N" with parameters.retry_after N.
func RateLimited(seconds int) Fault {
	return Fault{ErrorCode: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", seconds), RetryAfter: seconds}
}

// ServerError answers status: a JSON error for 500, the gateway's HTML page for 502–504.
func ServerError(status int) Fault {
	if status >= 502 && status <= 504 {
		return Fault{ErrorCode: status, Gateway: true}
	}
	return Fault{ErrorCode: status, Description: "Internal Server Error"}
}

// Revoked answers 401 Unauthorized, as for a revoked token.
func Revoked() Fault { return Fault{ErrorCode: 401, Description: "Unauthorized"} }

// Kicked answers 403 as when the bot was removed from the channel.
func Kicked() Fault {
	return Fault{ErrorCode: 403, Description: "Forbidden: bot was kicked from the channel chat"}
}

// AcceptThenHang posts the message and withholds the answer (see Fault.AcceptThenHang).
func AcceptThenHang(method string) Fault { return Fault{Method: method, AcceptThenHang: true} }

// On restricts f to one method.
func (f Fault) On(method string) Fault {
	f.Method = method
	return f
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

func (s *Server) takeFault(method string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, slot := range s.faults {
		if slot.n <= 0 || (slot.f.Method != "" && !strings.EqualFold(slot.f.Method, method)) {
			continue
		}
		if slot.f.AcceptThenHang && !sendMethods[strings.ToLower(method)] {
			continue
		}
		slot.n--
		f := slot.f
		return &f
	}
	return nil
}

func randomSecret() string {
	var b [26]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])[:35]
}
