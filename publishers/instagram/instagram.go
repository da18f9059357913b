package instagram

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// Name is the network's name in the registry.
const Name = "instagram"

// MetricsBatch is how many media one like/comment count request reads (Graph's limit for ?ids=).
const MetricsBatch = metagraph.MaxNodes

// Defaults for Options.
const (
	defaultPollInterval = 5 * time.Second
	defaultPollTimeout  = 5 * time.Minute
	// maxPollInterval caps the growing wait between container polls: Meta suggests polling about
	// once a minute at most for five minutes; Herald starts faster for images.
	maxPollInterval = 30 * time.Second
)

// Options configure a Client.
type Options struct {
	// App is the Meta app's id and secret: Instagram through Facebook Login uses the same app as
	// Facebook Pages (HERALD_FACEBOOK_CLIENT_ID / _SECRET).
	App publishers.AppCredentials
	// GraphVersion is the Graph API version ("v26.0"; metagraph.DefaultVersion when empty).
	GraphVersion string
	// GraphURL and DialogURL replace Meta's hosts (tests point them at metagraphtest).
	GraphURL, DialogURL string
	// LoginConfigID is a Facebook Login for Business configuration id; when set it is sent
	// instead of the list of permissions.
	LoginConfigID string
	// HTTPClient sends every request (a client with a 60 s timeout when nil).
	HTTPClient *http.Client
	// Now is the clock (time.Now when nil); the container wait is measured on it.
	Now func() time.Time
	// Sleep waits between container polls (a timer that stops with ctx when nil). Tests pass one
	// that advances their clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// ContainerPollInterval is the first wait between polls of a container Instagram is still
	// processing; waits grow by half up to 30 s (5 s when zero).
	ContainerPollInterval time.Duration
	// ContainerPollTimeout is how long to wait for a container before giving up with a retryable
	// error (5 min when zero). The caller's context may end the wait sooner.
	ContainerPollTimeout time.Duration
	// Logger receives warnings; slog.Default() when nil. Nothing secret is ever logged.
	Logger *slog.Logger
}

// Client publishes to Instagram professional accounts. One Client serves every channel and is
// safe for concurrent use.
type Client struct {
	opts  Options
	graph *metagraph.Client
}

var (
	_ publishers.Publisher      = (*Client)(nil)
	_ publishers.OAuthConnector = (*Client)(nil)
	_ publishers.AccountChooser = (*Client)(nil)
)

// New returns a Client; zero options take the defaults documented on Options.
func New(opts Options) *Client {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.ContainerPollInterval <= 0 {
		opts.ContainerPollInterval = defaultPollInterval
	}
	if opts.ContainerPollTimeout <= 0 {
		opts.ContainerPollTimeout = defaultPollTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	g := metagraph.New(metagraph.Config{
		Network: Name, DisplayName: "Instagram", App: opts.App, Version: opts.GraphVersion,
		GraphURL: opts.GraphURL, DialogURL: opts.DialogURL, HTTPClient: opts.HTTPClient, Now: opts.Now,
	})
	return &Client{opts: opts, graph: g}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Graph is the underlying Graph API client (its Usage reports the rate-limit headers seen).
func (c *Client) Graph() *metagraph.Client { return c.graph }

// Meta describes Instagram for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	m := publishers.Meta{
		Name:        Name,
		DisplayName: "Instagram",
		Connect:     publishers.ConnectOAuth2,
		Capabilities: publishers.Capabilities{
			MediaKinds:    []content.MediaKind{content.KindImage, content.KindVideo},
			Threads:       false,
			FirstComment:  true,
			Idempotency:   false,
			FindPublished: true,
			MediaByURL:    true,
			Metrics:       []string{"likes", "replies", "reposts", "impressions"},
			MetricsNote: "Impressions are views and reposts are shares (sends of the post). Instagram reports no clicks on posts; " +
				"insights can lag up to 48 hours and are missing while a post has too few viewers.",
		},
		Rules: rules,
		// Containers (videos above all) are processed before they can be published: the poll
		// may wait ContainerPollTimeout, plus the calls around it.
		PublishTimeout: c.opts.ContainerPollTimeout + time.Minute,
	}
	if !c.graph.Configured() {
		m.Setup = metagraph.SetupMessage("Instagram")
	}
	return m
}

// session is what a publishing call needs from a channel's credentials.
type session struct {
	token    string
	igUserID string
	username string
}

func (c *Client) session(creds *publishers.Credentials) (session, error) {
	if creds == nil || creds.AccessToken == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no token is stored for this channel; reconnect the Instagram account"}
	}
	if creds.Get(metagraph.ExtraKind) != metagraph.KindInstagram || creds.Get(metagraph.ExtraIGUserID) == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "this channel has no Instagram account chosen; reconnect it and choose an account"}
	}
	return session{token: creds.AccessToken, igUserID: creds.Get(metagraph.ExtraIGUserID), username: creds.Get(metagraph.ExtraUsername)}, nil
}

// ProfileURL is an account's address on Instagram.
func ProfileURL(username string) string {
	if username == "" {
		return ""
	}
	return "https://www.instagram.com/" + url.PathEscape(strings.TrimPrefix(username, "@")) + "/"
}

func permanent(msg string) error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: msg}
}
