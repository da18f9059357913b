// Package publishers defines the contract between Herald's scheduler and the social networks:
// one package per network behind the narrow Publisher interface, registered by name.
//
// A publisher is stateless apart from its configuration (HTTP client, base URLs, app
// credentials): the channel's credentials are passed in on every call and, when a call refreshes
// them, handed back so the caller can save them atomically. Every failure is classified (see
// Error) so the scheduler can decide, without knowing the network, whether to retry, wait, hold
// the channel for reconnection, or tell a person.
package publishers

import (
	"context"
	"time"

	"github.com/heraldhq/herald/publishers/content"
)

// ConnectKind says how a person connects an account of a network.
type ConnectKind string

// The ways to connect.
const (
	// ConnectOAuth2 is an authorization-code flow with PKCE and state (OAuthConnector).
	ConnectOAuth2 ConnectKind = "oauth2"
	// ConnectPassword takes an identifier and an app password (PasswordConnector).
	ConnectPassword ConnectKind = "app_password"
	// ConnectForm takes the values of the fields Meta.Form lists, such as a bot token and a chat
	// id, or a webhook URL (FormConnector).
	ConnectForm ConnectKind = "form"
)

// FormField is one value a FormConnector needs. The UI shows Label and Help and masks Secret
// fields; the server never returns a Secret value.
type FormField struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Help        string `json:"help,omitempty"`
	Placeholder string `json:"placeholder,omitempty"`
	Secret      bool   `json:"secret,omitempty"`
	Optional    bool   `json:"optional,omitempty"`
}

// Capabilities say what a network supports, for the UI and the scheduler.
type Capabilities struct {
	MediaKinds   []content.MediaKind `json:"media_kinds"`
	Threads      bool                `json:"threads"`
	FirstComment bool                `json:"first_comment"`
	// Idempotency: the network honours Herald's idempotency key (a header or a deterministic
	// record key), so a retry after an unknown outcome cannot create a duplicate.
	Idempotency bool `json:"idempotency"`
	// FindPublished: the network can be asked whether a post was created.
	FindPublished bool `json:"find_published"`
	// MediaByURL: the network downloads attachments from their URL itself (Instagram,
	// Threads), so the URL must be reachable from the internet (PublicURLProblem).
	MediaByURL bool `json:"media_by_url,omitempty"`
	// Metrics names the engagement counters the network reports.
	Metrics []string `json:"metrics"`
	// MetricsNote says in plain words what the network does not report and why (e.g. "Telegram
	// does not give bots the view counts of channel posts"), for the UI to show instead of zeros.
	MetricsNote string `json:"metrics_note,omitempty"`
}

// Meta describes a network.
type Meta struct {
	Name         string        `json:"name"`
	DisplayName  string        `json:"display_name"`
	Connect      ConnectKind   `json:"connect"`
	Capabilities Capabilities  `json:"capabilities"`
	Rules        content.Rules `json:"-"`
	// Sandbox marks the built-in demo network, which the UI labels clearly.
	Sandbox bool `json:"sandbox,omitempty"`
	// Form lists the fields of a ConnectForm network.
	Form []FormField `json:"form,omitempty"`
	// Setup, when not empty, says what an administrator must configure before accounts can be
	// connected (which environment variables hold the app's client id and secret, which callback
	// URL to register with the network). Connecting is refused with this message until then.
	Setup string `json:"setup,omitempty"`

	// PublishTimeout is how long one Publish may take, when the network needs longer than the
	// scheduler's default (Instagram and Threads process videos for minutes before publishing).
	PublishTimeout time.Duration `json:"-"`
	// RefreshAhead is how long before its expiry a token should be renewed, when not the
	// scheduler's default of 15 minutes (Threads renews long-lived tokens days ahead).
	RefreshAhead time.Duration `json:"-"`
	// RenewsWithoutRefreshToken means Refresh renews the access token itself (a long-lived
	// token exchanged for a new one), so an expiry ahead is not a reason to ask for a reconnect.
	RenewsWithoutRefreshToken bool `json:"-"`
}

// Credentials are what Herald stores, sealed, for one channel.
type Credentials struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitempty"`
	// Extra holds network-specific values: the Mastodon instance URL and the app's client id and
	// secret on that instance; the Bluesky DID, handle and PDS URL.
	Extra map[string]string `json:"extra,omitempty"`
}

// Get returns an Extra value ("" when unset).
func (c *Credentials) Get(key string) string {
	if c == nil || c.Extra == nil {
		return ""
	}
	return c.Extra[key]
}

// Account is the connected account as the network describes it.
type Account struct {
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Handle     string `json:"handle"`
	AvatarURL  string `json:"avatar_url"`
	// URL is the account's profile page.
	URL string `json:"url"`
}

// Media is one attachment to publish. Open returns its bytes (the scheduler reads them from
// where Herald stored them); publishers never fetch arbitrary URLs themselves.
type Media struct {
	Kind    content.MediaKind
	MIME    string
	AltText string
	Size    int64
	// Width, Height and Seconds describe the attachment when known (0 otherwise).
	Width, Height int
	Seconds       float64
	Open          func(ctx context.Context) ([]byte, error)
	// URL is where the attachment can be downloaded. Networks that fetch media themselves
	// (Instagram, Threads, Facebook photos by URL) need it to be reachable from the internet;
	// check it with PublicURLProblem and fail permanently with its message when it is not.
	URL string
}

// ThreadPart is one follow-up post of a thread: published as a reply to the part before it.
type ThreadPart struct {
	Text  string
	Media []Media
}

// Post is one target's content, ready for one network.
type Post struct {
	// IdempotencyKey is stable for the target across attempts (a UUID). Publishers send it where
	// the network honours one and derive deterministic ids from it where possible.
	IdempotencyKey string
	Text           string
	Media          []Media
	FirstComment   string
	// Thread holds the parts published after the first, each as a reply to the one before (on
	// networks whose Capabilities.Threads is true). Their idempotency keys are derived from
	// IdempotencyKey (PartKey).
	Thread   []ThreadPart
	Language string
	// ScheduledAt bounds the window FindPublished searches.
	ScheduledAt time.Time
}

// Published is the outcome of a publish.
type Published struct {
	ExternalID  string    `json:"external_id"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	// Warnings are things that went wrong after the post itself was created (a first comment or
	// a later part of a thread that the network refused), in plain words for the people who
	// approved it. The post counts as published: retrying would duplicate it.
	Warnings []string `json:"warnings,omitempty"`
	// Quota is the account's posting allowance as the network reported it with this call, when
	// it reports one (X's 24-hour post cap, Instagram's content_publishing_limit).
	Quota *Quota `json:"quota,omitempty"`
}

// Quota is a posting allowance: Remaining posts of Limit until ResetAt.
type Quota struct {
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	ResetAt   time.Time `json:"reset_at"`
}

// Metrics are one post's engagement counters. A nil field means the network does not report it.
type Metrics struct {
	Likes       *int64 `json:"likes,omitempty"`
	Reposts     *int64 `json:"reposts,omitempty"`
	Replies     *int64 `json:"replies,omitempty"`
	Quotes      *int64 `json:"quotes,omitempty"`
	Impressions *int64 `json:"impressions,omitempty"`
	Clicks      *int64 `json:"clicks,omitempty"`
}

// Publisher is one network.
type Publisher interface {
	Meta() Meta
	// Publish creates the post. On success creds may have been refreshed: compare and save.
	Publish(ctx context.Context, creds *Credentials, p Post) (Published, error)
	// Metrics fetches counters for up to MetricsBatch ids; ids the network no longer knows are
	// absent from the map.
	Metrics(ctx context.Context, creds *Credentials, externalIDs []string) (map[string]Metrics, error)
	// FindPublished reports whether p was created after all (after a crash or a timeout): the
	// post when found, (nil, nil) when the network says for sure it was not, and an error of kind
	// KindUnknown when it cannot tell.
	FindPublished(ctx context.Context, creds *Credentials, p Post) (*Published, error)
	// Refresh renews the access token when it expires soon; it returns the new credentials and
	// true when they changed.
	Refresh(ctx context.Context, creds *Credentials) (*Credentials, bool, error)
}

// OAuthStart is what BeginOAuth needs.
type OAuthStart struct {
	// RedirectURL is Herald's callback URL for this network.
	RedirectURL string
	// State and Verifier are generated by Herald per attempt (oauth2.GenerateVerifier); the
	// publisher puts the state and the S256 challenge in the authorization URL.
	State    string
	Verifier string
	// Instance is the server a person chose (a Mastodon instance URL); empty for central networks.
	Instance string
}

// OAuthConnector is implemented by networks connected through OAuth 2.0 authorization code + PKCE.
type OAuthConnector interface {
	// BeginOAuth returns the URL to send the browser to and values to keep until the callback
	// (e.g. a per-instance client id and secret registered on the fly).
	BeginOAuth(ctx context.Context, in OAuthStart) (authURL string, pending map[string]string, err error)
	// CompleteOAuth exchanges the code (with the verifier) for credentials and reads the account.
	CompleteOAuth(ctx context.Context, in OAuthStart, pending map[string]string, code string) (*Credentials, Account, error)
}

// PasswordLogin is what a PasswordConnector needs.
type PasswordLogin struct {
	Identifier string // handle or email
	Password   string // an app password, never the account password
	Server     string // optional self-hosted server (Bluesky PDS URL)
}

// PasswordConnector is implemented by networks connected with an app password.
type PasswordConnector interface {
	ConnectPassword(ctx context.Context, in PasswordLogin) (*Credentials, Account, error)
}

// FormConnector is implemented by networks connected with the values of Meta.Form (a bot token
// and a chat id, a webhook URL). It checks them with the network before answering, so a typo is
// reported at once and not at the first publish. Errors about one field are *FieldError.
type FormConnector interface {
	ConnectForm(ctx context.Context, values map[string]string) (*Credentials, Account, error)
}

// Choice is one account that a sign-in reaches: a Facebook Page, an Instagram professional
// account linked to a Page, a LinkedIn organization or the member themself.
type Choice struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Handle    string `json:"handle,omitempty"`
	AvatarURL string `json:"avatar_url,omitempty"`
	// Kind is what the account is, in the network's words ("page", "organization", "member").
	Kind string `json:"kind,omitempty"`
}

// AccountChooser is implemented by OAuth networks where one sign-in may reach several accounts.
// After CompleteOAuth, Herald lists the Choices; with exactly one it is chosen at once, otherwise
// the person picks one or more, and each becomes a channel with the credentials Choose returns
// (a Page's own token, say). The Account that Choose returns has the Choice's ID as ExternalID:
// reconnecting a channel picks the choice whose ID is the channel's external id.
type AccountChooser interface {
	Choices(ctx context.Context, creds *Credentials) ([]Choice, error)
	Choose(ctx context.Context, creds *Credentials, id string) (*Credentials, Account, error)
}
