package facebook

import (
	"context"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// FindPublished's search bounds (its window is metagraph's): 300 posts since the scheduled time
// are far more than a Page publishes between a crash and its reconciliation.
const (
	findPageSize = 100
	findPages    = 3
)

type listedPost struct {
	ID           string `json:"id"`
	Message      string `json:"message"`
	CreatedTime  string `json:"created_time"`
	PermalinkURL string `json:"permalink_url"`
}

// FindPublished looks for p among the Page's published posts since its scheduled time (less five
// minutes): a post with the same text (white space aside). When several match, the earliest
// wins. It returns (nil, nil) only when every post since then was read; a post without text, or
// any failure, gives an error of kind KindUnknown (wrapping the cause).
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	const cannotTell = "could not tell whether the post was published on the Facebook Page"
	s, err := c.session(creds)
	if err != nil {
		return nil, publishers.CannotTell(Name, err, cannotTell)
	}
	if strings.TrimSpace(p.Text) == "" {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: cannotTell + ": a post without text cannot be told apart from the Page's other posts"}
	}
	found, at, complete, err := metagraph.FindEarliest(ctx, c.graph, metagraph.Search{
		Token: s.token, Path: "/" + s.pageID + "/published_posts", Fields: "id,message,created_time,permalink_url",
		Text: p.Text, ScheduledAt: p.ScheduledAt, PageSize: findPageSize, Pages: findPages,
	}, func(lp *listedPost) (string, string) { return lp.Message, lp.CreatedTime })
	switch {
	case err != nil:
		return nil, publishers.CannotTell(Name, err, cannotTell)
	case found != nil:
		return &publishers.Published{ExternalID: found.ID, URL: PostURL(found.ID), PublishedAt: at.UTC()}, nil
	case complete:
		return nil, nil
	}
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "the Page published more posts since the scheduled time than Herald reads, so it cannot tell whether this one was published"}
}
