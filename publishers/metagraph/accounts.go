package metagraph

import (
	"context"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// Page is a Facebook Page the signed-in user can manage, with its own access token.
type Page struct {
	ID          string
	Name        string
	Username    string
	Link        string
	AccessToken string
	// Instagram is the Instagram professional account linked to the Page, when asked for and
	// present.
	Instagram *InstagramAccount
}

// InstagramAccount is an Instagram professional (business or creator) account linked to a Page.
type InstagramAccount struct {
	ID                string `json:"id"`
	Username          string `json:"username"`
	Name              string `json:"name"`
	ProfilePictureURL string `json:"profile_picture_url"`
}

// Paging is Graph's cursor paging block.
type Paging struct {
	Cursors struct {
		Before string `json:"before"`
		After  string `json:"after"`
	} `json:"cursors"`
	Next string `json:"next"`
}

// maxPages bounds the pages of /me/accounts read: 100 Pages each.
const maxPages = 20

// Pages lists the Pages the user's token reaches (GET /me/accounts), following the cursors. With
// withInstagram, each Page's linked Instagram professional account is read in the same request
// through field expansion of instagram_business_account.
func (c *Client) Pages(ctx context.Context, userToken string, withInstagram bool) ([]Page, error) {
	fields := "id,name,username,link,access_token"
	if withInstagram {
		fields += ",instagram_business_account{id,username,name,profile_picture_url}"
	}
	var pages []Page
	after := ""
	for i := 0; i < maxPages; i++ {
		q := url.Values{"fields": {fields}, "limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		var out struct {
			Data []struct {
				ID          string            `json:"id"`
				Name        string            `json:"name"`
				Username    string            `json:"username"`
				Link        string            `json:"link"`
				AccessToken string            `json:"access_token"`
				Instagram   *InstagramAccount `json:"instagram_business_account"`
			} `json:"data"`
			Paging Paging `json:"paging"`
		}
		if err := c.Get(ctx, userToken, "/me/accounts", q, &out); err != nil {
			return nil, err
		}
		for _, d := range out.Data {
			p := Page{ID: d.ID, Name: d.Name, Username: d.Username, Link: d.Link, AccessToken: d.AccessToken}
			if d.Instagram != nil && d.Instagram.ID != "" {
				ig := *d.Instagram
				p.Instagram = &ig
			}
			pages = append(pages, p)
		}
		if out.Paging.Next == "" || out.Paging.Cursors.After == "" || len(out.Data) == 0 {
			break
		}
		after = out.Paging.Cursors.After
	}
	return pages, nil
}

// UserToken checks that creds are a signed-in user's (what CompleteOAuth returns), for Choices and
// Choose.
func (c *Client) UserToken(creds *publishers.Credentials) (string, error) {
	if creds == nil || creds.AccessToken == "" {
		return "", &publishers.Error{Kind: publishers.KindAuthExpired, Network: c.cfg.Network,
			Message: "no Facebook sign-in is stored for this connection; connect again"}
	}
	if k := creds.Get(ExtraKind); k != "" && k != KindUser {
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: c.cfg.Network,
			Message: "these credentials already belong to one account; connect again to choose another"}
	}
	return creds.AccessToken, nil
}

// PictureURL is a Page's public profile picture on the client's Graph host (Graph redirects it
// to the image; no token is needed).
func (c *Client) PictureURL(id string) string {
	return c.cfg.GraphURL + "/" + url.PathEscape(id) + "/picture"
}

// PageURL is a Page's address on Facebook.
func PageURL(p Page) string {
	if p.Link != "" {
		return p.Link
	}
	return "https://www.facebook.com/" + url.PathEscape(p.ID)
}

// Handle is "@username", or "" without one.
func Handle(username string) string {
	username = strings.TrimSpace(username)
	if username == "" {
		return ""
	}
	return "@" + strings.TrimPrefix(username, "@")
}
