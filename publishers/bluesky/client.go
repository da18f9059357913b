// Package bluesky publishes to Bluesky and any other AT Protocol server (PDS) through XRPC.
//
// A channel is connected with a handle (or e-mail) and an app password (ConnectPassword), which
// buys a session: a short-lived access JWT and a refresh JWT. Logging in is rate limited hard
// (about 30 times in 5 minutes and a few hundred a day per account), so com.atproto.server.
// createSession is called by ConnectPassword and nowhere else: every other method keeps the
// session alive with com.atproto.server.refreshSession.
//
// # Credentials and refreshing
//
// Refresh never modifies its argument: it returns new credentials and true when it refreshed.
// Publish and Metrics refresh on their own when Bluesky answers ExpiredToken (or the access token
// has expired or is about to), replace *creds with the refreshed credentials (a new value with
// its own Extra map, so a shallow copy taken before the call stays intact) and retry once. They
// do so even when the call then fails, so a caller compares *creds before and after every call
// and saves it when it changed, whatever the error. FindPublished needs no session and never
// changes *creds. Bluesky rotates refresh tokens: a refreshed session that is not saved leaves
// Herald holding a revoked refresh token, and the channel must be reconnected.
//
// # Exactly once
//
// Every post is created with a record key derived from the target's idempotency key (RecordKey),
// so the same target can never produce two posts: Bluesky refuses a second record under the same
// key. That refusal is not an idempotent success (it is observed as a 500 or an InvalidRequest),
// so after a failed or unanswered createRecord Publish asks com.atproto.repo.getRecord whether
// the record exists and, when it does, reports it as published.
//
// The later parts of a thread and the first comment have keys of their own, derived the same way
// from publishers.PartKey (the target's key + "-1", "-2", …) and from the target's key + "-c1":
// publishing a target again finds every record that exists and creates only the missing ones,
// each replying to the record before it.
package bluesky

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Name is the network's name in the registry.
const Name = "bluesky"

// Defaults.
const (
	// DefaultPDS is where accounts log in when they name no server of their own.
	DefaultPDS = "https://bsky.social"
	// AppViewProxy is the atproto-proxy header value that asks a PDS to forward app.bsky.*
	// queries (getPosts, getProfile) to Bluesky's AppView. A PDS alone knows its own records
	// but not their likes and reposts.
	AppViewProxy = "did:web:api.bsky.app#bsky_appview"
	// PostCollection is the collection of Bluesky posts.
	PostCollection = "app.bsky.feed.post"
	// MetricsBatch is how many posts app.bsky.feed.getPosts takes at once.
	MetricsBatch = 25
	// MaxImages is how many images app.bsky.embed.images holds.
	MaxImages = 4
)

// Keys of Credentials.Extra.
const (
	// ExtraDID is the account's DID, the repo every record is written to.
	ExtraDID = "did"
	// ExtraHandle is the account's handle, for post URLs.
	ExtraHandle = "handle"
	// ExtraPDS is the origin of the account's PDS, where records are written.
	ExtraPDS = "pds"
	// ExtraEntryway is the server the account logged in to, when that is not its PDS (bsky.social
	// is an entryway in front of many PDS hosts); sessions are refreshed there.
	ExtraEntryway = "entryway"
)

// userAgent names Herald to the servers it calls.
const userAgent = "Herald (+https://github.com/heraldhq/herald)"

// Options configure a Client.
type Options struct {
	// HTTPClient makes the requests; nil means a client with a 30-second timeout.
	HTTPClient *http.Client
	// PDS is where accounts log in when PasswordLogin.Server is empty; DefaultPDS when empty.
	PDS string
	// AppView, when set, is the origin of a public AppView that app.bsky.feed.getPosts is sent
	// to directly, without credentials (e.g. https://public.api.bsky.app). When empty (the
	// default) getPosts goes through the account's PDS with the atproto-proxy header AppViewProxy,
	// which works wherever the PDS can reach Bluesky.
	AppView string
	// AppViewProxy replaces the atproto-proxy header value; AppViewProxy when empty.
	AppViewProxy string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives what Herald should know besides what the caller is told (a part of a
	// thread or a first comment that failed after the post was published, also in the result's
	// Warnings). Nil discards. Tokens and passwords are never logged.
	Logger *slog.Logger
}

// Client is the Bluesky publisher. It is safe for concurrent use; it holds no session of its
// own (sessions travel in Credentials) but remembers the rate-limit budgets servers reported.
type Client struct {
	http    *http.Client
	pds     string
	appView string
	proxy   string
	now     func() time.Time
	log     *slog.Logger

	mu     sync.Mutex
	limits map[rateKey]RateLimit
}

var (
	_ publishers.Publisher         = (*Client)(nil)
	_ publishers.PasswordConnector = (*Client)(nil)
)

// New returns a Client.
func New(opts Options) *Client {
	c := &Client{
		http:    opts.HTTPClient,
		pds:     opts.PDS,
		appView: strings.TrimRight(opts.AppView, "/"),
		proxy:   opts.AppViewProxy,
		now:     opts.Now,
		log:     opts.Logger,
		limits:  map[rateKey]RateLimit{},
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.pds == "" {
		c.pds = DefaultPDS
	}
	c.pds = strings.TrimRight(c.pds, "/")
	if c.proxy == "" {
		c.proxy = AppViewProxy
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Meta describes Bluesky.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	return publishers.Meta{
		Name:        Name,
		DisplayName: "Bluesky",
		Connect:     publishers.ConnectPassword,
		Capabilities: publishers.Capabilities{
			MediaKinds:    []content.MediaKind{content.KindImage},
			Threads:       true, // a chain of replies (reply.root and reply.parent)
			FirstComment:  true,
			Idempotency:   true, // deterministic record keys (RecordKey)
			FindPublished: true,
			Metrics:       []string{"likes", "reposts", "replies", "quotes"},
		},
		Rules: rules,
	}
}

// maxImageBytes is the most an image may weigh: app.bsky.embed.images' maxSize (2,000,000
// bytes since the lexicon raised it from 1 MB), which the content rules carry.
func maxImageBytes() int64 {
	r, _ := content.ForNetwork(Name)
	if r.MaxImageBytes > 0 {
		return r.MaxImageBytes
	}
	return 2_000_000
}

// session is what a call needs from the channel's credentials.
type session struct {
	did, handle, pds, entryway string
}

// sessionOf reads the session from creds; a channel without a DID or PDS predates this package
// or was damaged, and can only be reconnected.
func sessionOf(creds *publishers.Credentials) (session, error) {
	s := session{did: creds.Get(ExtraDID), handle: creds.Get(ExtraHandle), pds: creds.Get(ExtraPDS), entryway: creds.Get(ExtraEntryway)}
	if creds == nil || s.did == "" || s.pds == "" || creds.AccessToken == "" {
		return s, publishers.Errorf(Name, publishers.KindAuthExpired, 0,
			"the Bluesky channel has no session; reconnect it with an app password")
	}
	if s.entryway == "" {
		s.entryway = s.pds
	}
	return s, nil
}

// profileURL is an account's page on bsky.app; a DID works where the handle is unknown.
func profileURL(handleOrDID string) string {
	return "https://bsky.app/profile/" + url.PathEscape(handleOrDID)
}

// postURL is a post's page on bsky.app.
func postURL(handleOrDID, rkey string) string {
	return profileURL(handleOrDID) + "/post/" + url.PathEscape(rkey)
}
