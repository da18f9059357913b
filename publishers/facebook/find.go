package facebook

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
	// findLead is how long before the scheduled time a post may have gone out.
	findLead = 5 * time.Minute
	// findSkew is how far past Herald's now a post's created_time may be (Meta's clock may run
	// ahead).
	findSkew = 5 * time.Minute
	// findPageSize and findPages bound the posts read: 300 since the scheduled time is far more
	// than a Page publishes between a crash and its reconciliation.
	findPageSize = 100
	findPages    = 3
	// findDefaultWindow is searched when the post has no scheduled time.
	findDefaultWindow = 24 * time.Hour
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
		return nil, metagraph.CannotTell(Name, err, cannotTell)
	}
	want := normalizeSpace(p.Text)
	if want == "" {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: cannotTell + ": a post without text cannot be told apart from the Page's other posts"}
	}
	now := c.opts.Now()
	start := now.Add(-findDefaultWindow)
	if !p.ScheduledAt.IsZero() {
		start = p.ScheduledAt.Add(-findLead)
	}
	q := url.Values{
		"fields": {"id,message,created_time,permalink_url"},
		"since":  {strconv.FormatInt(start.Unix(), 10)},
		"limit":  {strconv.Itoa(findPageSize)},
	}
	var found *listedPost
	var foundAt time.Time
	for page := 0; page < findPages; page++ {
		var out struct {
			Data   []listedPost     `json:"data"`
			Paging metagraph.Paging `json:"paging"`
		}
		if err := c.graph.Get(ctx, s.token, "/"+s.pageID+"/published_posts", q, &out); err != nil {
			return nil, metagraph.CannotTell(Name, err, cannotTell)
		}
		for i := range out.Data {
			lp := &out.Data[i]
			created, ok := metagraph.ParseTime(lp.CreatedTime)
			if !ok || created.Before(start) || created.After(now.Add(findSkew)) || normalizeSpace(lp.Message) != want {
				continue
			}
			if found == nil || created.Before(foundAt) {
				found, foundAt = lp, created
			}
		}
		if out.Paging.Next == "" || out.Paging.Cursors.After == "" || len(out.Data) == 0 {
			if found == nil {
				return nil, nil
			}
			return &publishers.Published{ExternalID: found.ID, URL: PostURL(found.ID), PublishedAt: foundAt.UTC()}, nil
		}
		q.Set("after", out.Paging.Cursors.After)
	}
	if found != nil {
		return &publishers.Published{ExternalID: found.ID, URL: PostURL(found.ID), PublishedAt: foundAt.UTC()}, nil
	}
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "the Page published more posts since the scheduled time than Herald reads, so it cannot tell whether this one was published"}
}
