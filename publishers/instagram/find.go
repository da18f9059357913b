package instagram

import (
	"context"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// FindPublished's search bounds (its window is metagraph's).
const (
	findPageSize = 50
	findPages    = 4
)

type listedMedia struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
}

// FindPublished looks for p among the account's media since its scheduled time (less five
// minutes): media whose caption is the post's text (white space aside); the earliest wins. It
// returns (nil, nil) only when every media since then was read; a post without a caption, or any
// failure, gives an error of kind KindUnknown (wrapping the cause).
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	const cannotTell = "could not tell whether the post was published on Instagram"
	s, err := c.session(creds)
	if err != nil {
		return nil, publishers.CannotTell(Name, err, cannotTell)
	}
	if strings.TrimSpace(p.Text) == "" {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: cannotTell + ": a post without a caption cannot be told apart from the account's other posts"}
	}
	found, at, complete, err := metagraph.FindEarliest(ctx, c.graph, metagraph.Search{
		Token: s.token, Path: "/" + s.igUserID + "/media", Fields: "id,caption,timestamp,permalink",
		Text: p.Text, ScheduledAt: p.ScheduledAt, PageSize: findPageSize, Pages: findPages,
	}, func(m *listedMedia) (string, string) { return m.Caption, m.Timestamp })
	switch {
	case err != nil:
		return nil, publishers.CannotTell(Name, err, cannotTell)
	case found != nil:
		return &publishers.Published{ExternalID: found.ID, URL: found.Permalink, PublishedAt: at.UTC()}, nil
	case complete:
		return nil, nil
	}
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "the account published more posts since the scheduled time than Herald reads, so it cannot tell whether this one was published"}
}
