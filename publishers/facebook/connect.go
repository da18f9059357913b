package facebook

import (
	"context"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// BeginOAuth returns the Facebook Login dialog URL (state, the Page permissions, S256 PKCE). It
// needs no pending values. Without app credentials it refuses with the setup instructions.
func (c *Client) BeginOAuth(_ context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	if !c.graph.Configured() {
		return "", nil, c.graph.NotConfigured(product, in.RedirectURL)
	}
	u, err := c.graph.AuthURL(in, metagraph.FacebookScopes, c.opts.LoginConfigID)
	return u, nil, err
}

// CompleteOAuth exchanges the code (with the verifier) for a long-lived user token and checks
// the permissions granted. The credentials are the person's: Choose turns them into a Page's.
func (c *Client) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, _ map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	if !c.graph.Configured() {
		return nil, publishers.Account{}, c.graph.NotConfigured(product, in.RedirectURL)
	}
	return c.graph.CompleteOAuth(ctx, in, code, metagraph.FacebookScopes)
}

// Choices lists the Pages the sign-in reaches.
func (c *Client) Choices(ctx context.Context, creds *publishers.Credentials) ([]publishers.Choice, error) {
	tok, err := c.graph.UserToken(creds)
	if err != nil {
		return nil, err
	}
	pages, err := c.graph.Pages(ctx, tok, false)
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, noPages()
	}
	out := make([]publishers.Choice, 0, len(pages))
	for _, p := range pages {
		out = append(out, publishers.Choice{ID: p.ID, Name: p.Name, Handle: metagraph.Handle(p.Username),
			AvatarURL: c.graph.PictureURL(p.ID), Kind: "page"})
	}
	return out, nil
}

func noPages() error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "no_pages",
		Message: "this Facebook account manages no Page that it allowed Herald to reach; connect again and select the Pages in the Facebook dialog"}
}

// Choose returns the credentials of one Page (its own token, which does not expire while the
// person's grant holds) and the Page as the account.
func (c *Client) Choose(ctx context.Context, creds *publishers.Credentials, id string) (*publishers.Credentials, publishers.Account, error) {
	tok, err := c.graph.UserToken(creds)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	pages, err := c.graph.Pages(ctx, tok, false)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	for _, p := range pages {
		if p.ID != id {
			continue
		}
		if p.AccessToken == "" {
			return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
				Message: "Facebook gave no token for the Page " + p.Name + " (your role on it may not allow creating content)"}
		}
		next := &publishers.Credentials{
			AccessToken: p.AccessToken,
			Extra: map[string]string{
				metagraph.ExtraKind:     metagraph.KindPage,
				metagraph.ExtraPageID:   p.ID,
				metagraph.ExtraUserID:   creds.Get(metagraph.ExtraUserID),
				metagraph.ExtraUsername: p.Username,
			},
		}
		acct := publishers.Account{ExternalID: p.ID, Name: p.Name, Handle: metagraph.Handle(p.Username),
			AvatarURL: c.graph.PictureURL(p.ID), URL: metagraph.PageURL(p)}
		return next, acct, nil
	}
	return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
		Message: "that Page is not among the Pages this Facebook sign-in reaches"}
}

// Refresh has nothing to renew: a Page token obtained from a long-lived user token does not
// expire. When the person revokes access, calls fail with error 190 and the channel is held for
// reconnection.
func (c *Client) Refresh(_ context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	return creds, false, nil
}
