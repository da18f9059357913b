package metagraph

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// Defaults of a Config.
const (
	// DefaultVersion is the Graph API version Herald calls: the newest in Meta's changelog when
	// this package was written (v26.0, released July 2026).
	DefaultVersion = "v26.0"
	// DefaultGraphURL is the Graph API host.
	DefaultGraphURL = "https://graph.facebook.com"
	// DefaultDialogURL is where the Facebook Login dialog lives.
	DefaultDialogURL = "https://www.facebook.com"

	defaultTimeout = 60 * time.Second
	// maxBody bounds what is read of any answer: Graph answers are a few kilobytes, lists of
	// posts some tens.
	maxBody = 8 << 20
)

// Config configures a Client.
type Config struct {
	// Network is the registry name the errors carry ("facebook", "instagram").
	Network string
	// DisplayName names the network in messages ("Facebook", "Instagram").
	DisplayName string
	// App is the Meta app's id and secret. The secret signs every call (appsecret_proof) and is
	// needed for the token exchanges.
	App publishers.AppCredentials
	// Version is the Graph API version, "v26.0" or "26.0" (DefaultVersion when empty).
	Version string
	// GraphURL and DialogURL replace the Graph API host and the Login dialog host (tests point
	// them at a fake).
	GraphURL, DialogURL string
	// HTTPClient sends every request; nil means a client with a 60 s timeout (uploads of videos
	// take a while).
	HTTPClient *http.Client
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Client calls the Graph API for one network. It keeps no per-channel state apart from the usage
// headers it last saw per token, and is safe for concurrent use.
type Client struct {
	cfg   Config
	http  *http.Client
	usage *usageBook
	api   httpapi.Network // names the network in the errors httpapi builds
	// badVersion is set when Config.Version is not a Graph version: every call is refused.
	badVersion bool
}

var versionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// NormalizeVersion turns "26.0" or "v26.0" into "v26.0"; ok is false for anything else.
func NormalizeVersion(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v != "" && v[0] != 'v' {
		v = "v" + v
	}
	return v, versionPattern.MatchString(v)
}

// New returns a Client. An invalid Config.Version makes every call fail permanently with a
// message naming the setting, rather than calling an unintended version.
func New(cfg Config) *Client {
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	v, ok := NormalizeVersion(cfg.Version)
	if ok {
		cfg.Version = v
	}
	if cfg.GraphURL == "" {
		cfg.GraphURL = DefaultGraphURL
	}
	if cfg.DialogURL == "" {
		cfg.DialogURL = DefaultDialogURL
	}
	cfg.GraphURL = strings.TrimRight(cfg.GraphURL, "/")
	cfg.DialogURL = strings.TrimRight(cfg.DialogURL, "/")
	if cfg.DisplayName == "" {
		cfg.DisplayName = cfg.Network
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return &Client{cfg: cfg, http: hc, usage: newUsageBook(),
		api: httpapi.Network{Name: cfg.Network, Display: cfg.DisplayName}, badVersion: !ok}
}

// versionError refuses a call when Config.Version is not a Graph version (a new error each
// time: callers may reword it).
func (c *Client) versionError() error {
	if !c.badVersion {
		return nil
	}
	return &publishers.Error{Kind: publishers.KindPermanent, Network: c.cfg.Network,
		Message: fmt.Sprintf("the configured Graph API version %q is not of the form v26.0", c.cfg.Version)}
}

// Now is the client's clock.
func (c *Client) Now() time.Time { return c.cfg.Now() }

// Op says what a request does, for the failures its answer alone cannot classify.
type Op int

const (
	// OpRead is a GET: repeating it is harmless.
	OpRead Op = iota
	// OpWrite is a POST whose repetition is harmless: a token exchange, an unpublished photo,
	// an Instagram container (never shown until published).
	OpWrite
	// OpCreate is a POST that makes something people see (a post, a comment, media_publish):
	// once it was sent, a lost answer means the thing may exist.
	OpCreate
)

// File is an upload sent as a multipart part.
type File struct {
	Field, Name, MIME string
	Data              []byte
}

// Call is one Graph request.
type Call struct {
	Op     Op
	Method string // GET or POST
	// Path is the node or edge, without the version: "/me/accounts", "/123/feed". "/" with an
	// ids parameter reads several nodes at once.
	Path  string
	Token string
	// Params go in the query of a GET and in the body of a POST.
	Params url.Values
	// File, when set, makes the POST a multipart upload.
	File *File
	// secrets are further values no message may show (an authorization code, a verifier).
	secrets []string
}

// Response is a Graph answer read in full.
type Response = httpapi.Response

// Get is an authenticated read decoded into out.
func (c *Client) Get(ctx context.Context, token, path string, params url.Values, out any) error {
	_, err := c.Do(ctx, Call{Op: OpRead, Method: http.MethodGet, Path: path, Token: token, Params: params}, out)
	return err
}

// Post is an authenticated form POST decoded into out.
func (c *Client) Post(ctx context.Context, op Op, token, path string, params url.Values, out any) error {
	_, err := c.Do(ctx, Call{Op: op, Method: http.MethodPost, Path: path, Token: token, Params: params}, out)
	return err
}

// Do sends a call and decodes a 2xx answer into out (when out is not nil). Its errors are
// classified publishers.Errors.
func (c *Client) Do(ctx context.Context, call Call, out any) (*Response, error) {
	resp, err := c.send(ctx, call)
	if err != nil {
		return nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return resp, c.Classify(resp.Status, resp.Header, resp.Body, call.Op, c.scrub(call))
	}
	// With suppress_http_code Graph answers errors with 200; Herald never sets it, but a proxy
	// might, so an error body is an error whatever the status.
	if ge, ok := parseGraphError(resp.Body); ok {
		return resp, c.classifyGraph(http.StatusOK, resp.Header, ge, call.Op, c.scrub(call))
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, c.badAnswer(call.Op, err)
		}
	}
	return resp, nil
}

// send performs one request and reads the answer; only transport failures are errors here.
func (c *Client) send(ctx context.Context, call Call) (*Response, error) {
	if err := c.versionError(); err != nil {
		return nil, err
	}
	if call.Token != "" {
		if wait, ok := c.usage.blocked(call.Token, c.cfg.Now()); ok {
			return nil, &publishers.Error{Kind: publishers.KindRateLimited, Network: c.cfg.Network, RetryAfter: wait,
				Message: fmt.Sprintf("%s said this account's requests are throttled; try again in %s", c.cfg.DisplayName, roundWait(wait))}
		}
	}
	params := url.Values{}
	for k, v := range call.Params {
		params[k] = append([]string(nil), v...)
	}
	if call.Token != "" && c.cfg.App.ClientSecret != "" {
		params.Set("appsecret_proof", AppSecretProof(call.Token, c.cfg.App.ClientSecret))
	}
	u := c.cfg.GraphURL + "/" + c.cfg.Version + call.Path
	var body []byte
	contentType := ""
	switch {
	case call.Method == http.MethodGet:
		if len(params) > 0 {
			u += "?" + params.Encode()
		}
	case call.File != nil:
		b, ct, err := multipartBody(params, call.File)
		if err != nil {
			return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: c.cfg.Network,
				Message: "the upload could not be encoded", Err: err}
		}
		body, contentType = b, ct
	default:
		body, contentType = []byte(params.Encode()), "application/x-www-form-urlencoded"
	}

	// A create is sent Once: net/http then cannot replay it by itself after a dropped
	// kept-alive connection. Graph has no idempotency key, so a replayed create would post
	// twice; Herald reconciles instead (FindPublished).
	resp, f := httpapi.Do(ctx, c.http, httpapi.Request{Method: call.Method, URL: u,
		Header: httpapi.JSONHeader("Herald", contentType, call.Token), Body: body, Once: call.Op == OpCreate}, maxBody, nil)
	if f != nil {
		return nil, c.failed(f, call.Op)
	}
	if call.Token != "" {
		c.usage.observe(call.Token, resp.Header, c.cfg.Now())
	}
	return resp, nil
}

// AppSecretProof is the HMAC-SHA256 of an access token keyed with the app secret, hex encoded:
// Graph's appsecret_proof, which proves a call comes from the app's server.
func AppSecretProof(token, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// multipartBody encodes params as form fields and the file as a part with its MIME type.
func multipartBody(params url.Values, f *File) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range params {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				return nil, "", err
			}
		}
	}
	mimeType := f.MIME
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.Field, f.Name))
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(f.Data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// failed classifies a request that got no answer (see httpapi.Network.Failed): unknown once a
// create was written, retryable otherwise.
func (c *Client) failed(f *httpapi.Failure, op Op) *publishers.Error {
	return c.api.Failed(f, op == OpCreate)
}

// badAnswer reports a 2xx answer Herald could not read. After a create the thing exists (Graph
// said so) but its id is unknown: reconcile rather than create again.
func (c *Client) badAnswer(op Op, err error) error { return c.api.BadAnswer(op == OpCreate, err) }

// scrub returns the secrets a message about call must never show.
func (c *Client) scrub(call Call) []string {
	s := append([]string{c.cfg.App.ClientSecret}, call.secrets...)
	if token := call.Token; token != "" {
		s = append(s, token)
		if c.cfg.App.ClientSecret != "" {
			s = append(s, AppSecretProof(token, c.cfg.App.ClientSecret))
		}
	}
	return s
}

// TimeLayout is how Graph writes times: ISO 8601 with a numeric zone without a colon
// ("2026-03-01T12:00:00+0000").
const TimeLayout = "2006-01-02T15:04:05-0700"

// ParseTime reads a Graph time (TimeLayout, or RFC 3339 as some edges send).
func ParseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{TimeLayout, time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func roundWait(d time.Duration) time.Duration {
	if d >= time.Minute {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}
