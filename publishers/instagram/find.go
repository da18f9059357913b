package instagram

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// FindPublished's search bounds.
const (
	findLead          = 5 * time.Minute
	findSkew          = 5 * time.Minute
	findPageSize      = 50
	findPages         = 4
	findDefaultWindow = 24 * time.Hour
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
		return nil, metagraph.CannotTell(Name, err, cannotTell)
	}
	want := normalizeSpace(p.Text)
	if want == "" {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: cannotTell + ": a post without a caption cannot be told apart from the account's other posts"}
	}
	now := c.opts.Now()
	start := now.Add(-findDefaultWindow)
	if !p.ScheduledAt.IsZero() {
		start = p.ScheduledAt.Add(-findLead)
	}
	q := url.Values{
		"fields": {"id,caption,timestamp,permalink"},
		"since":  {strconv.FormatInt(start.Unix(), 10)},
		"limit":  {strconv.Itoa(findPageSize)},
	}
	var found *listedMedia
	var foundAt time.Time
	result := func() *publishers.Published {
		if found == nil {
			return nil
		}
		return &publishers.Published{ExternalID: found.ID, URL: found.Permalink, PublishedAt: foundAt.UTC()}
	}
	for page := 0; page < findPages; page++ {
		var out struct {
			Data   []listedMedia    `json:"data"`
			Paging metagraph.Paging `json:"paging"`
		}
		if err := c.graph.Get(ctx, s.token, "/"+s.igUserID+"/media", q, &out); err != nil {
			return nil, metagraph.CannotTell(Name, err, cannotTell)
		}
		for i := range out.Data {
			m := &out.Data[i]
			ts, ok := metagraph.ParseTime(m.Timestamp)
			if !ok || ts.Before(start) || ts.After(now.Add(findSkew)) || normalizeSpace(m.Caption) != want {
				continue
			}
			if found == nil || ts.Before(foundAt) {
				found, foundAt = m, ts
			}
		}
		if out.Paging.Next == "" || out.Paging.Cursors.After == "" || len(out.Data) == 0 {
			return result(), nil
		}
		q.Set("after", out.Paging.Cursors.After)
	}
	if found != nil {
		return result(), nil
	}
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "the account published more posts since the scheduled time than Herald reads, so it cannot tell whether this one was published"}
}
