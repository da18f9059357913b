package metagraph

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The window FindEarliest searches.
const (
	// FindLead is how long before the scheduled time a post may have gone out.
	FindLead = 5 * time.Minute
	// FindSkew is how far past Herald's now a post's creation time may be (Meta's clock may run
	// ahead).
	FindSkew = 5 * time.Minute
	// FindDefaultWindow is searched when the post has no scheduled time.
	FindDefaultWindow = 24 * time.Hour
)

// Search is one look-up of a post by its text along an edge that lists an account's posts
// newest first (a Page's /published_posts, an Instagram account's /media), for FindPublished.
type Search struct {
	Token string
	// Path is the edge: "/{page-id}/published_posts".
	Path string
	// Fields are the fields asked for, those view reads among them.
	Fields string
	// Text is the post's text; items are compared with it white space aside.
	Text string
	// ScheduledAt is when the post was due (zero when it was not scheduled): the search starts
	// FindLead before it, or FindDefaultWindow before now, and ends FindSkew after now.
	ScheduledAt time.Time
	// PageSize and Pages bound what is read: Pages pages of PageSize items.
	PageSize, Pages int
}

// FindEarliest reads up to s.Pages pages of s.Path, cursor by cursor, and returns the earliest
// item created in the search's window (see Search.ScheduledAt) whose text is s.Text (white
// space aside), on the client's clock; view gives
// an item's text and creation time (as Graph writes it). found is nil when no item matches;
// complete is false when s.Pages pages were read and more remain, so an earlier match cannot be
// ruled out. Its errors are Get's.
func FindEarliest[T any](ctx context.Context, c *Client, s Search, view func(*T) (text, created string)) (found *T, at time.Time, complete bool, err error) {
	want := normalizeSpace(s.Text)
	now := c.Now()
	since, until := now.Add(-FindDefaultWindow), now.Add(FindSkew)
	if !s.ScheduledAt.IsZero() {
		since = s.ScheduledAt.Add(-FindLead)
	}
	q := url.Values{
		"fields": {s.Fields},
		"since":  {strconv.FormatInt(since.Unix(), 10)},
		"limit":  {strconv.Itoa(s.PageSize)},
	}
	for page := 0; page < s.Pages; page++ {
		var out struct {
			Data   []T    `json:"data"`
			Paging Paging `json:"paging"`
		}
		if err := c.Get(ctx, s.Token, s.Path, q, &out); err != nil {
			return nil, time.Time{}, false, err
		}
		for i := range out.Data {
			item := &out.Data[i]
			text, created := view(item)
			t, ok := ParseTime(created)
			if !ok || t.Before(since) || t.After(until) || normalizeSpace(text) != want {
				continue
			}
			if found == nil || t.Before(at) {
				found, at = item, t
			}
		}
		if out.Paging.Next == "" || out.Paging.Cursors.After == "" || len(out.Data) == 0 {
			return found, at, true, nil
		}
		q.Set("after", out.Paging.Cursors.After)
	}
	return found, at, false, nil
}

// normalizeSpace collapses white space runs, for comparing texts.
func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
