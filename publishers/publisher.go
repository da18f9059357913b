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
)

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
	// Metrics names the engagement counters the network reports.
	Metrics []string `json:"metrics"`
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
	Open    func(ctx context.Context) ([]byte, error)
}

// Post is one target's content, ready for one network.
type Post struct {
	// IdempotencyKey is stable for the target across attempts (a UUID). Publishers send it where
	// the network honours one and derive deterministic ids from it where possible.
	IdempotencyKey string
	Text           string
	Media          []Media
	FirstComment   string
	Language       string
	// ScheduledAt bounds the window FindPublished searches.
	ScheduledAt time.Time
}

// Published is the outcome of a publish.
type Published struct {
	ExternalID  string    `json:"external_id"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
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
