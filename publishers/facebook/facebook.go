package facebook

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// Name is the network's name in the registry.
const Name = "facebook"

// product names Facebook Pages in the Meta app's setup instructions.
const product = "Facebook Pages"

// MetricsBatch is how many ids one metrics request reads (Graph's limit for ?ids=).
const MetricsBatch = metagraph.MaxNodes

// Options configure a Client.
type Options struct {
	// App is the Meta app's id and secret (HERALD_FACEBOOK_CLIENT_ID / _SECRET). Without them
	// Meta().Setup says how to create the app and connecting is refused.
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
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger receives warnings (a first comment that failed, insights Graph refused);
	// slog.Default() when nil. Nothing secret is ever logged.
	Logger *slog.Logger
}

// Client publishes to Facebook Pages. One Client serves every channel and is safe for
// concurrent use.
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
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	g := metagraph.New(metagraph.Config{
		Network: Name, DisplayName: "Facebook", App: opts.App, Version: opts.GraphVersion,
		GraphURL: opts.GraphURL, DialogURL: opts.DialogURL, HTTPClient: opts.HTTPClient, Now: opts.Now,
	})
	return &Client{opts: opts, graph: g}
}

// Graph is the underlying Graph API client (its Usage reports the rate-limit headers seen).
func (c *Client) Graph() *metagraph.Client { return c.graph }

// Meta describes Facebook Pages for the UI and the scheduler.
func (c *Client) Meta() publishers.Meta {
	rules, _ := content.ForNetwork(Name)
	m := publishers.Meta{
		Name:        Name,
		DisplayName: "Facebook Page",
		Connect:     publishers.ConnectOAuth2,
		Capabilities: publishers.Capabilities{
			MediaKinds:    []content.MediaKind{content.KindImage, content.KindGIF, content.KindVideo},
			Threads:       false,
			FirstComment:  true, // a comment by the Page on its own post
			Idempotency:   false,
			FindPublished: true,
			Metrics:       []string{"likes", "reposts", "replies", "impressions", "clicks"},
			MetricsNote: "Likes count every reaction and reposts are shares. Impressions are media views and clicks are post clicks, " +
				"from Page insights, which Facebook reports only for Pages with 100 or more likes and updates about once a day.",
		},
		Rules: rules,
	}
	if !c.graph.Configured() {
		m.Setup = metagraph.SetupMessage(product)
	}
	return m
}

// session is what a publishing call needs from a channel's credentials.
type session struct {
	token  string
	pageID string
}

func (c *Client) session(creds *publishers.Credentials) (session, error) {
	if creds == nil || creds.AccessToken == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no Page token is stored for this channel; reconnect the Facebook Page"}
	}
	if creds.Get(metagraph.ExtraKind) != metagraph.KindPage || creds.Get(metagraph.ExtraPageID) == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "this channel has no Facebook Page chosen; reconnect it and choose a Page"}
	}
	return session{token: creds.AccessToken, pageID: creds.Get(metagraph.ExtraPageID)}, nil
}

// PostURL is a post's address on Facebook.
func PostURL(id string) string { return "https://www.facebook.com/" + url.PathEscape(id) }

// ctxErr is the context's error as a retryable failure (a caller that gave up).
func ctxErr(ctx context.Context, what string) error {
	return &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Message: "stopped " + what, Err: ctx.Err()}
}
