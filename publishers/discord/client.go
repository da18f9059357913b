package discord

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// Name is the network's name in the registry.
const Name = "discord"

// DefaultAPIURL is Discord's HTTP API, version 10.
const DefaultAPIURL = "https://discord.com/api/v10"

// The keys of Credentials.Extra. The webhook's token is Credentials.AccessToken.
const (
	ExtraWebhookID = "webhook_id"
	ExtraGuildID   = "guild_id"
	ExtraChannelID = "channel_id"
	// ExtraUsername is the name posts are shown under, when the person chose one.
	ExtraUsername = "username"
)

// The names of the form fields.
const (
	FieldWebhookURL = "webhook_url"
	FieldUsername   = "username"
)

const (
	defaultTimeout = 60 * time.Second
	defaultMaxPace = 5 * time.Second
	maxBody        = 1 << 20
)

// Options configure a Client.
type Options struct {
	// HTTPClient sends every request; nil means a client with a 60 s timeout.
	HTTPClient *http.Client
	// APIURL is Discord's API (DefaultAPIURL when empty). Webhook URLs people paste name
	// discord.com; the client only takes the webhook's id and token from them.
	APIURL string
	// MaxPace is how long Publish waits for an empty rate-limit bucket to reset before sending
	// (5 s when zero); a longer wait is reported as a rate limit instead.
	MaxPace time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger receives warnings; slog.Default() when nil. The webhook's token is never logged.
	Logger *slog.Logger
}

// Client publishes through Discord webhooks. It holds no per-channel state apart from the
// rate-limit buckets it last saw, and is safe for concurrent use.
type Client struct {
	opts    Options
	http    *http.Client
	api     string
	buckets *buckets
}

var (
	_ publishers.Publisher     = (*Client)(nil)
	_ publishers.FormConnector = (*Client)(nil)
)

// New returns a Client; zero options take the defaults documented on Options.
func New(opts Options) *Client {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxPace <= 0 {
		opts.MaxPace = defaultMaxPace
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	api := strings.TrimRight(opts.APIURL, "/")
	if api == "" {
		api = DefaultAPIURL
	}
	return &Client{opts: opts, http: hc, api: api, buckets: &buckets{m: map[[32]byte]time.Time{}}}
}

// MetricsNote is what Meta().Capabilities says about engagement.
const MetricsNote = "Discord gives reactions only to bots, and Herald posts through a webhook, so it cannot show engagement for Discord."

// Meta describes Discord for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	return publishers.Meta{
		Name:        Name,
		DisplayName: "Discord",
		Connect:     publishers.ConnectForm,
		Capabilities: publishers.Capabilities{
			MediaKinds:    []content.MediaKind{content.KindImage, content.KindGIF, content.KindVideo},
			Idempotency:   false, // Discord has no idempotency key
			FindPublished: false, // a webhook can read a message by id only
			Metrics:       []string{},
			MetricsNote:   MetricsNote,
		},
		Rules: rules,
		Form: []publishers.FormField{
			{
				Name:        FieldWebhookURL,
				Label:       "Webhook URL",
				Help:        "In Discord, open the channel's settings → Integrations → Webhooks → New Webhook, then Copy Webhook URL and paste it here. Anyone with this URL can post to the channel, so keep it private.",
				Placeholder: "https://discord.com/api/webhooks/123456789012345678/…",
				Secret:      true,
			},
			{
				Name:        FieldUsername,
				Label:       "Post as",
				Help:        "The name shown on Herald's posts. Leave it empty to use the webhook's own name.",
				Placeholder: "Herald",
				Optional:    true,
			},
		},
	}
}

// Refresh does nothing: a webhook's token does not expire (it works until the webhook is deleted).
func (c *Client) Refresh(_ context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	return creds, false, nil
}

// Metrics returns an empty map: reactions can only be read with a bot token (MetricsNote).
func (c *Client) Metrics(context.Context, *publishers.Credentials, []string) (map[string]publishers.Metrics, error) {
	return map[string]publishers.Metrics{}, nil
}

// FindPublished cannot tell: a webhook can fetch a message only by its id, which is what a
// lost answer did not bring back.
func (c *Client) FindPublished(context.Context, *publishers.Credentials, publishers.Post) (*publishers.Published, error) {
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "a Discord webhook cannot list the channel's messages, so Herald cannot tell whether the post was published; check the channel"}
}

// webhookURL is a parsed webhook URL.
type webhookURL struct {
	id, token string
}

// webhookShape matches the webhook URLs Discord hands out: on discord.com or discordapp.com
// (and their canary and ptb hosts), with or without an API version in the path. Ids are
// snowflakes; tokens are URL-safe base64 of 60-odd characters.
var webhookShape = regexp.MustCompile(`^https://(?:(?:canary|ptb)\.)?discord(?:app)?\.com/api(?:/v[0-9]{1,2})?/webhooks/([0-9]{15,21})/([A-Za-z0-9_-]{20,200})/?$`)

// parseWebhookURL checks the shape of a pasted webhook URL, without a query (Herald adds its
// own) or fragment.
func parseWebhookURL(raw string) (webhookURL, bool) {
	raw = strings.TrimSpace(raw)
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	m := webhookShape.FindStringSubmatch(raw)
	if m == nil {
		return webhookURL{}, false
	}
	return webhookURL{id: m[1], token: m[2]}, true
}

// session is what every call needs from a channel's credentials.
type session struct {
	webhookURL
	guildID, channelID, username string
}

func sessionOf(creds *publishers.Credentials) (session, error) {
	if creds == nil || creds.AccessToken == "" || creds.Get(ExtraWebhookID) == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no webhook is stored for this channel; reconnect it with the webhook's URL"}
	}
	return session{
		webhookURL: webhookURL{id: creds.Get(ExtraWebhookID), token: creds.AccessToken},
		guildID:    creds.Get(ExtraGuildID), channelID: creds.Get(ExtraChannelID), username: creds.Get(ExtraUsername),
	}, nil
}

// endpoint is the webhook's API URL.
func (c *Client) endpoint(w webhookURL) string {
	return c.api + "/webhooks/" + w.id + "/" + w.token
}

// op says what a call does, for failures its answer alone cannot classify.
type op int

const (
	opRead op = iota
	// opExecute posts a message: repeating it may post twice.
	opExecute
)

// call sends one request to a webhook and decodes a 2xx JSON answer into out. It honours and
// records the webhook's rate-limit bucket.
func (c *Client) call(ctx context.Context, o op, w webhookURL, method, query string, body []byte, contentType string, out any) error {
	if err := c.pace(ctx, w); err != nil {
		return err
	}
	req := httpapi.Request{Method: method, URL: c.endpoint(w) + query, Body: body, Once: o == opExecute,
		Header: http.Header{"Accept": {"application/json"}, "User-Agent": {"DiscordBot (https://github.com/heraldhq/herald, 1)"}}}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, fail := httpapi.Do(ctx, c.http, req, maxBody, c.redact)
	if fail != nil {
		return transportError(fail, o)
	}
	c.buckets.record(w, resp.Header, c.opts.Now())
	if resp.Status < 200 || resp.Status > 299 {
		return classify(resp.Status, resp.Header, resp.Body, o, c.opts.Now())
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return badAnswer(o, err)
		}
	}
	return nil
}

// pace holds a call while the webhook's bucket is empty: until it resets when that is within
// MaxPace, otherwise it fails at once as rate limited, without spending a request on a 429.
func (c *Client) pace(ctx context.Context, w webhookURL) error {
	wait := c.buckets.wait(w, c.opts.Now())
	if wait <= 0 {
		return nil
	}
	if wait > c.opts.MaxPace {
		return &publishers.Error{Kind: publishers.KindRateLimited, Network: Name, RetryAfter: wait,
			Message: fmt.Sprintf("Discord's rate limit for this webhook is used up; try again in %s", wait.Round(time.Second))}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "stopped waiting for Discord's rate limit to reset", Err: ctx.Err()}
	}
}

// redact hides the webhook's token: …/webhooks/{id}/<redacted>.
func (c *Client) redact(u string) string {
	i := strings.Index(u, "/webhooks/")
	if i < 0 {
		return u
	}
	rest := u[i+len("/webhooks/"):]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return u
	}
	end := strings.IndexAny(rest[j+1:], "/?#")
	tail := ""
	if end >= 0 {
		tail = rest[j+1+end:]
	}
	return u[:i] + "/webhooks/" + rest[:j] + "/<redacted>" + tail
}

// buckets remembers, per webhook, until when its rate-limit bucket is empty. Webhooks are keyed
// by a hash of their id and token, so the map holds no secret.
type buckets struct {
	mu sync.Mutex
	m  map[[32]byte]time.Time
}

func bucketKey(w webhookURL) [32]byte { return sha256.Sum256([]byte(w.id + "/" + w.token)) }

// record reads X-RateLimit-Remaining and X-RateLimit-Reset-After from any answer.
func (b *buckets) record(w webhookURL, h http.Header, now time.Time) {
	remaining := strings.TrimSpace(h.Get("X-RateLimit-Remaining"))
	after, ok := httpapi.Seconds(h.Get("X-RateLimit-Reset-After"))
	b.mu.Lock()
	defer b.mu.Unlock()
	key := bucketKey(w)
	if remaining == "0" && ok {
		b.m[key] = now.Add(after)
		return
	}
	if remaining != "" {
		delete(b.m, key)
	}
}

// wait is how long to hold the next call to w.
func (b *buckets) wait(w webhookURL, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	until, ok := b.m[bucketKey(w)]
	if !ok || !until.After(now) {
		return 0
	}
	return until.Sub(now)
}
