package instagram

import (
	"context"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// BeginOAuth returns the Facebook Login dialog URL (state, the Instagram permissions, S256
// PKCE). Without the Meta app's credentials it refuses with the setup instructions.
func (c *Client) BeginOAuth(_ context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	if !c.graph.Configured() {
		return "", nil, c.graph.NotConfigured("Instagram", in.RedirectURL)
	}
	u, err := c.graph.AuthURL(in, metagraph.InstagramScopes, c.opts.LoginConfigID)
	return u, nil, err
}

// CompleteOAuth exchanges the code (with the verifier) for a long-lived user token and checks
// the permissions granted. The credentials are the person's: Choose turns them into an Instagram
// account's.
func (c *Client) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, _ map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	if !c.graph.Configured() {
		return nil, publishers.Account{}, c.graph.NotConfigured("Instagram", in.RedirectURL)
	}
	return c.graph.CompleteOAuth(ctx, in, code, metagraph.InstagramScopes)
}

// linked lists the Pages the sign-in reaches that have an Instagram professional account.
func (c *Client) linked(ctx context.Context, creds *publishers.Credentials) ([]metagraph.Page, error) {
	tok, err := c.graph.UserToken(creds)
	if err != nil {
		return nil, err
	}
	pages, err := c.graph.Pages(ctx, tok, true)
	if err != nil {
		return nil, err
	}
	var out []metagraph.Page
	for _, p := range pages {
		if p.Instagram != nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "no_instagram_accounts",
			Message: "none of the Facebook Pages this sign-in reaches has an Instagram professional account linked; " +
				"switch the Instagram account to a business or creator account, link it to a Page (Page settings → Linked accounts), " +
				"then connect again and select that Page in the Facebook dialog"}
	}
	return out, nil
}

// Choices lists the Instagram professional accounts linked to the Pages the sign-in reaches.
func (c *Client) Choices(ctx context.Context, creds *publishers.Credentials) ([]publishers.Choice, error) {
	pages, err := c.linked(ctx, creds)
	if err != nil {
		return nil, err
	}
	out := make([]publishers.Choice, 0, len(pages))
	for _, p := range pages {
		ig := p.Instagram
		out = append(out, publishers.Choice{ID: ig.ID, Name: displayName(ig), Handle: metagraph.Handle(ig.Username),
			AvatarURL: ig.ProfilePictureURL, Kind: "instagram_professional"})
	}
	return out, nil
}

func displayName(ig *metagraph.InstagramAccount) string {
	if ig.Name != "" {
		return ig.Name
	}
	return ig.Username
}

// Choose returns the credentials of one Instagram account: the linked Page's token, with the
// account's and the Page's ids.
func (c *Client) Choose(ctx context.Context, creds *publishers.Credentials, id string) (*publishers.Credentials, publishers.Account, error) {
	pages, err := c.linked(ctx, creds)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	for _, p := range pages {
		ig := p.Instagram
		if ig.ID != id {
			continue
		}
		if p.AccessToken == "" {
			return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
				Message: "Facebook gave no token for the Page " + p.Name + " that @" + ig.Username + " is linked to (your role on the Page may not allow creating content)"}
		}
		next := &publishers.Credentials{
			AccessToken: p.AccessToken,
			Extra: map[string]string{
				metagraph.ExtraKind:     metagraph.KindInstagram,
				metagraph.ExtraIGUserID: ig.ID,
				metagraph.ExtraPageID:   p.ID,
				metagraph.ExtraUserID:   creds.Get(metagraph.ExtraUserID),
				metagraph.ExtraUsername: ig.Username,
			},
		}
		acct := publishers.Account{ExternalID: ig.ID, Name: displayName(ig), Handle: metagraph.Handle(ig.Username),
			AvatarURL: ig.ProfilePictureURL, URL: ProfileURL(ig.Username)}
		return next, acct, nil
	}
	return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
		Message: "that Instagram account is not linked to any Page this Facebook sign-in reaches"}
}

// Refresh has nothing to renew: the linked Page's token does not expire while the person's
// grant holds.
func (c *Client) Refresh(_ context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	return creds, false, nil
}
