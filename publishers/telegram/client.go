package telegram

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// Name is the network's name in the registry.
const Name = "telegram"

// DefaultAPIURL is the Bot API server. A self-hosted Bot API server
// (https://github.com/tdlib/telegram-bot-api) answers at its own address.
const DefaultAPIURL = "https://api.telegram.org"

// The keys of Credentials.Extra.
const (
	// ExtraChatID is the chat's numeric id ("-1001234567890"): a channel's @username can change,
	// its id cannot.
	ExtraChatID = "chat_id"
	// ExtraBotID and ExtraBotUsername name the bot the token belongs to.
	ExtraBotID       = "bot_id"
	ExtraBotUsername = "bot_username"
)

// The names of the form fields.
const (
	FieldToken = "bot_token"
	FieldChat  = "chat"
)

const (
	defaultTimeout = 60 * time.Second
	// maxBody bounds what is read of an answer: a message or a chat is a few kilobytes, a
	// media group of ten messages a few tens.
	maxBody = 1 << 20
)

// Options configure a Client.
type Options struct {
	// HTTPClient sends every request; nil means a client with a 60 s timeout (uploads of up to
	// 50 MB go through it).
	HTTPClient *http.Client
	// APIURL is the Bot API server (DefaultAPIURL when empty).
	APIURL string
	// DisableLinkPreviews turns off the preview Telegram shows under the first link of a text
	// post (link_preview_options.is_disabled).
	DisableLinkPreviews bool
	// Now is the clock (time.Now when nil), used when an answer carries no date.
	Now func() time.Time
	// Logger receives warnings; slog.Default() when nil. The token is never logged.
	Logger *slog.Logger
}

// Client publishes to Telegram chats. It holds no per-channel state and is safe for concurrent
// use.
type Client struct {
	opts Options
	http *http.Client
	api  string
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
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	api := strings.TrimRight(opts.APIURL, "/")
	if api == "" {
		api = DefaultAPIURL
	}
	return &Client{opts: opts, http: hc, api: api}
}

// MetricsNote is what Meta().Capabilities says about engagement.
const MetricsNote = "Telegram does not give bots the view counts or reactions of channel posts, so Herald cannot show engagement for Telegram; see the channel's statistics in Telegram."

// Meta describes Telegram for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	return publishers.Meta{
		Name:        Name,
		DisplayName: "Telegram",
		Connect:     publishers.ConnectForm,
		Capabilities: publishers.Capabilities{
			MediaKinds: []content.MediaKind{content.KindImage, content.KindGIF, content.KindVideo},
			// A first comment belongs in the linked discussion group (see the package doc).
			FirstComment: false,
			// The Bot API has no idempotency key, and a bot cannot read a channel's history.
			Idempotency:   false,
			FindPublished: false,
			Metrics:       []string{},
			MetricsNote:   MetricsNote,
		},
		Rules: rules,
		Form: []publishers.FormField{
			{
				Name:        FieldToken,
				Label:       "Bot token",
				Help:        "Create a bot with @BotFather in Telegram (/newbot) and paste the token it gives you. Then add the bot to your channel as an administrator allowed to post messages.",
				Placeholder: "123456789:AAE…",
				Secret:      true,
			},
			{
				Name:        FieldChat,
				Label:       "Channel or group",
				Help:        "The channel's public @username, or its numeric id (it starts with -100) for a private channel.",
				Placeholder: "@yourchannel",
			},
		},
	}
}

// Refresh does nothing: a bot token does not expire (it is valid until revoked in @BotFather).
func (c *Client) Refresh(_ context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	return creds, false, nil
}

// Metrics returns an empty map: the Bot API does not expose the view counts or reactions of
// channel posts to bots (MetricsNote).
func (c *Client) Metrics(context.Context, *publishers.Credentials, []string) (map[string]publishers.Metrics, error) {
	return map[string]publishers.Metrics{}, nil
}

// FindPublished cannot tell: the Bot API has no way for a bot to read a chat's past messages
// (there is no history method, and bots do not receive their own posts as updates).
func (c *Client) FindPublished(context.Context, *publishers.Credentials, publishers.Post) (*publishers.Published, error) {
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "Telegram does not let bots read a channel's past messages, so Herald cannot tell whether the post was published; check the channel"}
}

// op says what a call does, for failures its answer alone cannot classify.
type op int

const (
	// opRead is a call whose repetition is harmless (getMe, getChat, getChatMember).
	opRead op = iota
	// opSend creates a message: repeating it may post twice.
	opSend
)

// apiResponse is every Bot API answer: {"ok":true,"result":…} or an error.
type apiResponse struct {
	OK          bool                `json:"ok"`
	Result      json.RawMessage     `json:"result"`
	ErrorCode   int                 `json:"error_code"`
	Description string              `json:"description"`
	Parameters  *responseParameters `json:"parameters"`
}

// responseParameters is the Bot API's ResponseParameters: why a request failed, in a form a
// program can act on.
type responseParameters struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id"`
	RetryAfter      int   `json:"retry_after"`
}

// call invokes a method with a body of the given content type and decodes the result into out.
func (c *Client) call(ctx context.Context, o op, token, method string, body []byte, contentType string, out any) error {
	req := httpapi.Request{
		Method: http.MethodPost,
		URL:    c.api + "/bot" + token + "/" + method,
		Header: http.Header{"Accept": {"application/json"}},
		Body:   body,
		Once:   o == opSend,
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, fail := httpapi.Do(ctx, c.http, req, maxBody, c.redact)
	if fail != nil {
		return transportError(fail, o)
	}
	var ar apiResponse
	if err := json.Unmarshal(resp.Body, &ar); err != nil || (!ar.OK && ar.ErrorCode == 0 && ar.Description == "") {
		if resp.Status >= 200 && resp.Status <= 299 {
			return badAnswer(o, err)
		}
		// Not the Bot API's JSON: a proxy's error page.
		return classify(resp.Status, resp.Header, apiResponse{}, o, c.opts.Now())
	}
	if !ar.OK {
		return classify(resp.Status, resp.Header, ar, o, c.opts.Now())
	}
	if out != nil {
		if err := json.Unmarshal(ar.Result, out); err != nil {
			return badAnswer(o, err)
		}
	}
	return nil
}

// callJSON invokes a method with a JSON body.
func (c *Client) callJSON(ctx context.Context, o op, token, method string, params any, out any) error {
	b, err := json.Marshal(params)
	if err != nil {
		return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the request could not be encoded", Err: err}
	}
	return c.call(ctx, o, token, method, b, "application/json", out)
}

// redact hides the bot token in a request URL: https://api.telegram.org/bot<redacted>/sendMessage.
func (c *Client) redact(u string) string {
	i := strings.Index(u, "/bot")
	if i < 0 {
		return u
	}
	rest := u[i+len("/bot"):]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		j = len(rest)
	}
	return u[:i] + "/bot<redacted>" + rest[j:]
}
