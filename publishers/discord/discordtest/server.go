// Package discordtest is a fake Discord API for tests, following Discord's published webhook
// API where Herald uses it (https://discord.com/developers/docs/resources/webhook): Get Webhook
// with Token (GET /api/v10/webhooks/{id}/{token}) and Execute Webhook (POST, same path), with
// JSON or multipart/form-data bodies (files[n] parts and payload_json), wait=true, allowed
// mentions and rate limits.
//
// It answers as Discord does: error bodies {"code":…,"message":…,"errors":{…}} with Discord's
// JSON error codes (10015 Unknown Webhook, 50027 Invalid Webhook Token, 50006 Cannot send an
// empty message, 50035 Invalid Form Body with per-field reasons), 204 No Content for an
// execution without wait=true, and on every answer the rate-limit headers X-RateLimit-Limit,
// -Remaining, -Reset, -Reset-After and -Bucket; a 429 carries {"message","retry_after","global"}
// with Retry-After and X-RateLimit-Scope (https://discord.com/developers/docs/topics/rate-limits).
// Each webhook has a bucket of 5 executions per 2 seconds by default, as Discord's webhook
// routes are commonly observed to have (Discord does not publish its numbers and tells clients
// to read the headers).
//
// Discord publishes an OpenAPI description (github.com/discord/discord-api-spec), but it is not
// in this repository, so the checks here follow the documentation pages. A request that breaks
// the documented shape (an unknown route, a body in a content type Discord does not read,
// payload_json that is not JSON, an attachment id without its files[n] part, an unknown
// allowed_mentions type) is a protocol violation: the fake answers as Discord does and fails the
// test, unless the test declared it expects violations (ExpectViolations).
package discordtest

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakenet"
)

// Defaults of a new Server's rate-limit buckets.
const (
	DefaultBucketLimit  = 5
	DefaultBucketWindow = 2 * time.Second
)

// Server is a fake Discord API. Its exported methods are safe to call while requests are being
// served.
type Server struct {
	*fakenet.Server

	t testing.TB

	mu            sync.Mutex
	now           func() time.Time
	seq           int64
	webhooks      map[string]*Webhook // by id
	messages      []Message
	faults        fakenet.Faults[Fault]
	requests      map[string]int
	createdByText map[string]int
	buckets       map[string]*bucket
	limit         int
	window        time.Duration
	violations    fakenet.Violations
}

// Webhook is an incoming webhook of a channel.
type Webhook struct {
	ID, Token, Name, Avatar string
	ChannelID, GuildID      string
	Deleted                 bool
}

// Message is a message a webhook posted.
type Message struct {
	ID, ChannelID, WebhookID string
	Content, Username        string
	// MentionEveryone is whether the message notified @everyone/@here (Discord's
	// mention_everyone): the content mentions them and allowed_mentions let it.
	MentionEveryone bool
	AllowedMentions []string // allowed_mentions.parse as sent; nil when absent
	Attachments     []Attachment
	Timestamp       time.Time
}

// Attachment is an uploaded file.
type Attachment struct {
	ID          string
	Filename    string
	Description string
	ContentType string
	Data        []byte
}

type bucket struct {
	start time.Time
	used  int
}

// NewServer starts a fake Discord API that is closed when the test ends. It fails the test at
// the end if a request broke the documented shape of the API and the test did not say it
// expected that.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t: t, now: time.Now, seq: 1200000000000000000,
		webhooks: map[string]*Webhook{}, requests: map[string]int{}, createdByText: map[string]int{},
		buckets: map[string]*bucket{}, limit: DefaultBucketLimit, window: DefaultBucketWindow,
	}
	// Checked after the server closed (cleanups run last first), once every request ended.
	s.violations.Check(t, "discordtest: a request broke Discord's documented API: ")
	s.Server = fakenet.Start(t, s.routes())
	return s
}

// APIURL is the base the client should use (Options.APIURL).
func (s *Server) APIURL() string { return s.URL + "/api/v10" }

// SetNow sets the fake's clock (message timestamps and rate-limit windows).
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetBucket sets the executions allowed per window per webhook.
func (s *Server) SetBucket(limit int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.window = limit, window
	s.buckets = map[string]*bucket{}
}

// ExpectViolations says the test sends requests that break the API's shape on purpose.
func (s *Server) ExpectViolations() { s.violations.Expect() }

// Violations lists the protocol violations seen so far.
func (s *Server) Violations() []string { return s.violations.List() }

// AddWebhook creates a webhook in a new channel of a new server.
func (s *Server) AddWebhook(name string) Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &Webhook{ID: s.id(), Token: randomToken(), Name: name, ChannelID: s.id(), GuildID: s.id(), Avatar: "a1b2c3d4e5f6"}
	s.webhooks[w.ID] = w
	return *w
}

// DeleteWebhook deletes a webhook: later calls answer 404 Unknown Webhook.
func (s *Server) DeleteWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.webhooks[id]; ok {
		w.Deleted = true
	}
}

// Messages returns the messages a webhook posted, oldest first.
func (s *Server) Messages(webhookID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.WebhookID == webhookID {
			out = append(out, m)
		}
	}
	return out
}

// CreatedWithText counts the messages created with exactly this content.
func (s *Server) CreatedWithText(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.createdByText[text]
}

// Requests counts the requests received with a method ("GET", "POST").
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method]
}

// Fault makes the server misbehave for matching requests; see Inject.
type Fault struct {
	// Method restricts the fault to GET or POST; empty matches any.
	Method string
	// Status, Code and Message make the answer {"code":Code,"message":Message}.
	Status  int
	Code    int
	Message string
	// RetryAfter is a 429's wait, in seconds with a fraction.
	RetryAfter float64
	// Global makes a 429 Discord's global limit (X-RateLimit-Global, scope "global").
	Global bool
	// Gateway answers Status with Cloudflare's HTML page, as when Discord's API does not answer.
	Gateway bool
	// AcceptThenHang posts the message of an execution and never answers, until the client
	// gives up or the server closes.
	AcceptThenHang bool
}

// RateLimited answers 429 for this webhook's bucket.
func RateLimited(retryAfter float64) Fault {
	return Fault{Status: 429, Message: "You are being rate limited.", RetryAfter: retryAfter}
}

// GlobalRateLimited answers 429 for Discord's global limit.
func GlobalRateLimited(retryAfter float64) Fault {
	return Fault{Status: 429, Message: "You are being rate limited.", RetryAfter: retryAfter, Global: true}
}

// ServerError answers status: Discord's JSON for 500, the gateway's HTML page for 502–504.
func ServerError(status int) Fault {
	if status >= 502 && status <= 504 {
		return Fault{Status: status, Gateway: true}
	}
	return Fault{Status: status, Code: 0, Message: "500: Internal Server Error"}
}

// Deleted answers 404 Unknown Webhook.
func Deleted() Fault { return Fault{Status: 404, Code: 10015, Message: "Unknown Webhook"} }

// AcceptThenHang posts and withholds the answer.
func AcceptThenHang() Fault { return Fault{Method: "POST", AcceptThenHang: true} }

// On restricts f to one method.
func (f Fault) On(method string) Fault {
	f.Method = method
	return f
}

// Inject applies f to the next n matching requests.
func (s *Server) Inject(n int, f Fault) { s.faults.Add(n, 0, f) }

func (s *Server) takeFault(method string) *Fault {
	return s.faults.Take(func(f *Fault) bool {
		// AcceptThenHang needs a message to post.
		return (f.Method == "" || f.Method == method) && (!f.AcceptThenHang || method == "POST")
	})
}

// id returns a new snowflake. Callers hold mu.
func (s *Server) id() string {
	s.seq += 4194304
	return strconv.FormatInt(s.seq, 10)
}

func randomToken() string {
	var b [51]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
