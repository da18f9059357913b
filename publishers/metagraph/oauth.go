package metagraph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// Permissions each network asks for at Facebook Login.
var (
	// FacebookScopes: list the Pages (pages_show_list), post to them (pages_manage_posts, which
	// Meta pairs with pages_read_engagement, also needed to read posts and their counts), read
	// post insights (read_insights), and comment as the Page (pages_manage_engagement: Meta's
	// "Comments and @mentions" guide requires it for the first comment).
	FacebookScopes = []string{"pages_show_list", "pages_manage_posts", "pages_read_engagement", "read_insights", "pages_manage_engagement"}
	// InstagramScopes: read the professional account and its media (instagram_basic), publish
	// (instagram_content_publish), read insights (instagram_manage_insights), post the first
	// comment (instagram_manage_comments, which Meta's IG Media Comments reference requires to
	// create one); the linked Page is found through pages_show_list and pages_read_engagement,
	// and business_management covers Pages owned through a Business portfolio.
	InstagramScopes = []string{"instagram_basic", "instagram_content_publish", "instagram_manage_insights",
		"instagram_manage_comments", "pages_show_list", "pages_read_engagement", "business_management"}
)

// Keys of Credentials.Extra shared by both networks.
const (
	// ExtraKind says what the token belongs to: KindUser after sign-in, KindPage or KindInstagram
	// once an account was chosen.
	ExtraKind = "kind"
	// ExtraUserID is the Facebook user who signed in.
	ExtraUserID = "user_id"
	// ExtraPageID is the Facebook Page (for Instagram: the Page the account is linked to).
	ExtraPageID = "page_id"
	// ExtraIGUserID is the Instagram professional account's id.
	ExtraIGUserID = "ig_user_id"
	// ExtraUsername is the Page's or the Instagram account's username.
	ExtraUsername = "username"
)

// Values of ExtraKind.
const (
	KindUser      = "user"
	KindPage      = "page"
	KindInstagram = "instagram"
)

// SetupMessage explains to an administrator how to create the Meta app both networks use. The
// server replaces publishers.CallbackPlaceholder with this network's callback URL.
func SetupMessage(displayName string) string {
	return "Connecting " + displayName + " needs a Meta app, shared by Facebook Pages and Instagram. " +
		"1) At https://developers.facebook.com/apps create an app of the Business type. " +
		"2) Add the products Facebook Login for Business and Instagram (the Instagram API with Facebook Login). " +
		"3) In Facebook Login for Business → Settings, add " + publishers.CallbackPlaceholder + " to the Valid OAuth Redirect URIs " +
		"(add the callback of the other network too if you connect both). " +
		"4) Set HERALD_FACEBOOK_CLIENT_ID to the App ID and HERALD_FACEBOOK_CLIENT_SECRET to the App Secret (App settings → Basic), then restart Herald. " +
		"5) Until App Review grants Advanced Access, only people with a role on the app can connect: request " +
		strings.Join(FacebookScopes, ", ") + " for Facebook Pages and " + strings.Join(InstagramScopes, ", ") + " for Instagram."
}

// NotConfigured refuses to connect while the Meta app's id or secret is missing: the error
// (code not_configured) carries SetupMessage(product) with redirect as the callback to register.
func (c *Client) NotConfigured(product, redirect string) error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: c.cfg.Network, Code: "not_configured",
		Message: strings.ReplaceAll(SetupMessage(product), publishers.CallbackPlaceholder, redirect)}
}

// Configured reports whether the app id and secret are set: the code exchange needs both.
func (c *Client) Configured() bool { return c.cfg.App.ClientID != "" && c.cfg.App.ClientSecret != "" }

// AuthURL is the Facebook Login dialog URL (of the configured Graph version, which it refuses
// when invalid) with the state, the permissions, and the S256 PKCE challenge of in.Verifier.
// When configID is set (a Facebook Login for Business configuration), it replaces the
// permissions list, as Meta documents.
func (c *Client) AuthURL(in publishers.OAuthStart, scopes []string, configID string) (string, error) {
	if err := c.versionError(); err != nil {
		return "", err
	}
	if in.RedirectURL == "" || in.State == "" || in.Verifier == "" {
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: c.cfg.Network,
			Message: "connecting needs a redirect URL, a state and a PKCE verifier"}
	}
	cfg := &oauth2.Config{
		ClientID:    c.cfg.App.ClientID,
		RedirectURL: in.RedirectURL,
		Scopes:      scopes,
		Endpoint:    oauth2.Endpoint{AuthURL: c.cfg.DialogURL + "/" + c.cfg.Version + "/dialog/oauth"},
	}
	var extra []oauth2.AuthCodeOption
	if configID != "" {
		cfg.Scopes = nil
		extra = append(extra, oauth2.SetAuthURLParam("config_id", configID))
	}
	return publishers.AuthCodeURL(cfg, in, extra...), nil
}

// Token is an access token Graph issued.
type Token struct {
	AccessToken string
	// Expiry is zero for tokens that do not expire.
	Expiry time.Time
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (c *Client) token(a tokenAnswer) (Token, error) {
	if a.AccessToken == "" {
		return Token{}, &publishers.Error{Kind: publishers.KindRetryable, Network: c.cfg.Network,
			Message: c.cfg.DisplayName + "'s token answer had no access token"}
	}
	t := Token{AccessToken: a.AccessToken}
	if a.ExpiresIn > 0 {
		t.Expiry = c.cfg.Now().Add(time.Duration(a.ExpiresIn) * time.Second).UTC()
	}
	return t, nil
}

// ExchangeCode trades the authorization code (with the PKCE verifier) for a short-lived user
// token at /oauth/access_token. The app secret travels in the body only.
func (c *Client) ExchangeCode(ctx context.Context, in publishers.OAuthStart, code string) (Token, error) {
	params := url.Values{
		"client_id":     {c.cfg.App.ClientID},
		"client_secret": {c.cfg.App.ClientSecret},
		"redirect_uri":  {in.RedirectURL},
		"code":          {code},
		"code_verifier": {in.Verifier},
	}
	var a tokenAnswer
	_, err := c.Do(ctx, Call{Op: OpWrite, Method: http.MethodPost, Path: "/oauth/access_token", Params: params,
		secrets: []string{code, in.Verifier}}, &a)
	if err != nil {
		return Token{}, c.signInError(err)
	}
	return c.token(a)
}

// LongLived exchanges a short-lived user token for a long-lived one (about 60 days)
// with grant_type=fb_exchange_token.
func (c *Client) LongLived(ctx context.Context, short string) (Token, error) {
	params := url.Values{
		"grant_type":        {"fb_exchange_token"},
		"client_id":         {c.cfg.App.ClientID},
		"client_secret":     {c.cfg.App.ClientSecret},
		"fb_exchange_token": {short},
	}
	var a tokenAnswer
	_, err := c.Do(ctx, Call{Op: OpWrite, Method: http.MethodPost, Path: "/oauth/access_token", Params: params,
		secrets: []string{short}}, &a)
	if err != nil {
		return Token{}, c.signInError(err)
	}
	return c.token(a)
}

// signInError words a refusal of a token exchange for the person connecting. Graph answers a
// wrong app id or secret with codes 101 or 1 ("Error validating client secret"), which would
// otherwise read as a temporary problem: it is a configuration error.
func (c *Client) signInError(err error) error {
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		return err
	}
	var ge *GraphError
	if errors.As(err, &ge) {
		lower := strings.ToLower(ge.Message)
		if ge.Code == 101 || strings.Contains(lower, "client secret") || strings.Contains(lower, "validating application") {
			pe.Kind = publishers.KindPermanent
			pe.Message = c.cfg.DisplayName + " does not accept Herald's app id or secret (check HERALD_FACEBOOK_CLIENT_ID and HERALD_FACEBOOK_CLIENT_SECRET)"
			return err
		}
	}
	if pe.Kind == publishers.KindPermanent || pe.Kind == publishers.KindAuthExpired {
		pe.Kind = publishers.KindPermanent
		msg := c.cfg.DisplayName + " refused the sign-in"
		if ge != nil && ge.Message != "" {
			msg += " (" + ge.Message + ")"
		}
		pe.Message = msg + "; start connecting again"
	}
	return err
}

// User is the Facebook user who signed in.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Me reads the signed-in user.
func (c *Client) Me(ctx context.Context, token string) (User, error) {
	var u User
	if err := c.Get(ctx, token, "/me", url.Values{"fields": {"id,name"}}, &u); err != nil {
		return User{}, err
	}
	if u.ID == "" {
		return User{}, &publishers.Error{Kind: publishers.KindRetryable, Network: c.cfg.Network,
			Message: c.cfg.DisplayName + " did not say who signed in"}
	}
	return u, nil
}

// MissingPermissions lists the wanted permissions the token was not granted: Facebook Login
// lets a person switch each one off.
func (c *Client) MissingPermissions(ctx context.Context, token string, wanted []string) ([]string, error) {
	var out struct {
		Data []struct {
			Permission string `json:"permission"`
			Status     string `json:"status"`
		} `json:"data"`
	}
	if err := c.Get(ctx, token, "/me/permissions", nil, &out); err != nil {
		return nil, err
	}
	granted := map[string]bool{}
	for _, p := range out.Data {
		if p.Status == "granted" {
			granted[p.Permission] = true
		}
	}
	var missing []string
	for _, w := range wanted {
		if !granted[w] {
			missing = append(missing, w)
		}
	}
	return missing, nil
}

// CompleteOAuth exchanges the code for a long-lived user token, checks the permissions granted,
// and reads the user. The credentials it returns are the user's: an AccountChooser's Choose
// turns them into a Page's or an Instagram account's.
func (c *Client) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, code string, scopes []string) (*publishers.Credentials, publishers.Account, error) {
	if code == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: c.cfg.Network,
			Message: c.cfg.DisplayName + " sent no authorization code; start connecting again"}
	}
	short, err := c.ExchangeCode(ctx, in, code)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	long, err := c.LongLived(ctx, short.AccessToken)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	missing, err := c.MissingPermissions(ctx, long.AccessToken, scopes)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	if len(missing) > 0 {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: c.cfg.Network, Code: "permissions_declined",
			Message: "Facebook Login did not grant Herald " + strings.Join(missing, ", ") + "; connect again and leave every permission switched on"}
	}
	u, err := c.Me(ctx, long.AccessToken)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	creds := &publishers.Credentials{
		AccessToken: long.AccessToken,
		Expiry:      long.Expiry,
		Extra:       map[string]string{ExtraKind: KindUser, ExtraUserID: u.ID},
	}
	return creds, publishers.Account{ExternalID: u.ID, Name: u.Name}, nil
}
