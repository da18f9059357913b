package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// Name is the network's name in the registry.
const Name = "slack"

// Default endpoints.
const (
	DefaultAPIURL   = "https://slack.com/api"
	DefaultHooksURL = "https://hooks.slack.com"
)

// The keys of Credentials.Extra.
const (
	// ExtraMode is ModeWebhook or ModeBot.
	ExtraMode = "mode"
	// ExtraChannelID is the bot's channel.
	ExtraChannelID = "channel_id"
	// ExtraTeamURL is the workspace's address ("https://acme.slack.com/"), for links.
	ExtraTeamURL = "team_url"
	// ExtraBotID is the app's bot id: FindPublished matches messages by it.
	ExtraBotID = "bot_id"
)

// The two ways of posting.
const (
	// ModeWebhook: Credentials.AccessToken is the webhook URL's path (/services/T…/B…/…).
	ModeWebhook = "webhook"
	// ModeBot: Credentials.AccessToken is the bot token.
	ModeBot = "bot"
)

// The names of the form fields.
const (
	FieldWebhookURL = "webhook_url"
	FieldBotToken   = "bot_token"
	FieldChannel    = "channel"
)

const (
	defaultTimeout   = 60 * time.Second
	defaultShareWait = 5 * time.Second
	maxBody          = 4 << 20
)

// Options configure a Client.
type Options struct {
	// HTTPClient sends every request; nil means a client with a 60 s timeout.
	HTTPClient *http.Client
	// APIURL is the Web API (DefaultAPIURL when empty).
	APIURL string
	// HooksURL is where incoming webhooks are posted (DefaultHooksURL when empty). Webhook URLs
	// people paste name hooks.slack.com; the client keeps their path.
	HooksURL string
	// ShareWait bounds how long Publish looks for the message that shares uploaded files when
	// Slack's answer does not name it yet (5 s when zero).
	ShareWait time.Duration
	// Now is the clock (time.Now when nil): FindPublished's window.
	Now func() time.Time
	// Logger receives warnings; slog.Default() when nil. No token or webhook URL is logged.
	Logger *slog.Logger
}

// Client publishes to Slack. It holds no per-channel state and is safe for concurrent use.
type Client struct {
	opts  Options
	http  *http.Client
	api   string
	hooks string
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
	if opts.ShareWait <= 0 {
		opts.ShareWait = defaultShareWait
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	api := strings.TrimRight(opts.APIURL, "/")
	if api == "" {
		api = DefaultAPIURL
	}
	hooks := strings.TrimRight(opts.HooksURL, "/")
	if hooks == "" {
		hooks = DefaultHooksURL
	}
	return &Client{opts: opts, http: hc, api: api, hooks: hooks}
}

// MetricsNote is what Meta().Capabilities says about engagement.
const MetricsNote = "With a bot token Herald reads reactions (reported as likes) and thread replies. Posts sent through an incoming webhook have no message id, so Slack cannot be asked about them: they have no link and no engagement."

// Meta describes Slack for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	// The rules allow attachments, since a bot-token channel uploads files (up to 10 per
	// message). An incoming webhook cannot: Publish refuses them there with a plain message.
	rules, _ := content.ForNetwork(Name)
	return publishers.Meta{
		Name:        Name,
		DisplayName: "Slack",
		Connect:     publishers.ConnectForm,
		Capabilities: publishers.Capabilities{
			// Files need a bot token; an incoming webhook refuses them.
			MediaKinds:  []content.MediaKind{content.KindImage, content.KindGIF, content.KindVideo},
			Idempotency: false, // Slack has no idempotency key
			// With a bot token, conversations.history finds a post; a webhook channel answers
			// "cannot tell".
			FindPublished: true,
			Metrics:       []string{"likes", "replies"},
			MetricsNote:   MetricsNote,
		},
		Rules: rules,
		Form: []publishers.FormField{
			{
				Name:  FieldWebhookURL,
				Label: "Incoming webhook URL",
				Help: "Either paste an incoming webhook URL (Slack app settings → Incoming Webhooks → Add New Webhook to Workspace)… " +
					"Slack offers no way to test a webhook without posting, so Herald checks only its shape: the first post shows whether it works. " +
					"Webhook posts cannot carry images and get no link or engagement.",
				Placeholder: "https://hooks.slack.com/services/T…/B…/…",
				Secret:      true,
				Optional:    true,
			},
			{
				Name:  FieldBotToken,
				Label: "Bot token",
				Help: "…or paste the Bot User OAuth Token of a Slack app installed in your workspace (OAuth & Permissions), with the scopes " +
					"chat:write, channels:read, channels:history, reactions:read, files:write and files:read (groups:read and groups:history for a private channel).",
				Placeholder: "xoxb-…",
				Secret:      true,
				Optional:    true,
			},
			{
				Name:        FieldChannel,
				Label:       "Channel ID",
				Help:        "With a bot token: the channel's ID (open the channel's details in Slack; it is at the bottom). Invite the app to the channel first (/invite @your-app).",
				Placeholder: "C0123456789",
				Optional:    true,
			},
		},
	}
}

// Refresh does nothing: bot tokens and webhook URLs do not expire (Herald does not use Slack's
// optional token rotation).
func (c *Client) Refresh(_ context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	return creds, false, nil
}

// op says what a call does, for failures its answer alone cannot classify.
type op int

const (
	opRead op = iota
	// opWrite is harmless to repeat (an upload not yet shared).
	opWrite
	// opSend posts a message: repeating it may post twice.
	opSend
)

// apiResponse is the envelope of every Web API answer.
type apiResponse struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	Needed   string `json:"needed"`
	Provided string `json:"provided"`
}

// session is what a bot-token call needs.
type session struct {
	token, channel, teamURL, botID string
}

func botSession(creds *publishers.Credentials) (session, error) {
	if creds == nil || creds.AccessToken == "" || creds.Get(ExtraMode) != ModeBot || creds.Get(ExtraChannelID) == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no bot token or channel is stored for this Slack channel; reconnect it"}
	}
	return session{token: creds.AccessToken, channel: creds.Get(ExtraChannelID), teamURL: creds.Get(ExtraTeamURL), botID: creds.Get(ExtraBotID)}, nil
}

// apiCall invokes a Web API method with form-encoded arguments (every method Herald uses takes
// them) and the token in the Authorization header. out receives the whole answer; it also gets
// the HTTP headers when it wants them (auth.test's X-OAuth-Scopes).
func (c *Client) apiCall(ctx context.Context, o op, token, method string, args url.Values, out any) (http.Header, error) {
	req := httpapi.Request{
		Method: http.MethodPost, URL: c.api + "/" + method, Body: []byte(args.Encode()), Once: o == opSend,
		Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/x-www-form-urlencoded"}},
	}
	resp, fail := httpapi.Do(ctx, c.http, req, maxBody, c.redact)
	if fail != nil {
		return nil, transportError(fail, o)
	}
	var env apiResponse
	jsonErr := json.Unmarshal(resp.Body, &env)
	if resp.Status != http.StatusOK || jsonErr != nil || !env.OK {
		return resp.Header, classify(resp.Status, resp.Header, env, o, c.opts.Now())
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp.Header, badAnswer(o, err)
		}
	}
	return resp.Header, nil
}

// redact hides an incoming webhook's secret path.
func (c *Client) redact(u string) string {
	if i := strings.Index(u, "/services/"); i >= 0 {
		return u[:i] + "/services/<redacted>"
	}
	if i := strings.Index(u, "/upload/"); i >= 0 {
		// Upload URLs are signed: anyone holding one may upload into the workspace.
		return u[:i] + "/upload/<redacted>"
	}
	return u
}

// escape escapes the three characters Slack's mrkdwn treats as control characters.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
