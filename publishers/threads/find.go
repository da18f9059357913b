package threads

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// FindPublished's search bounds.
const (
	// findLead is how long before the scheduled time a post may have gone out (a worker that
	// claimed it early).
	findLead = 5 * time.Minute
	// findSkew is how far past Herald's now a post's timestamp may be: Meta's clock may run
	// ahead.
	findSkew = 5 * time.Minute
	// findPageSize is the most posts Threads returns per page (User reference: limit, at most
	// 100).
	findPageSize = 100
	// findPages bounds the pages read.
	findPages = 3
	// threadsEpoch is the earliest since Threads accepts (User reference: since ≥ 1688540400,
	// the day Threads opened).
	threadsEpoch = 1688540400
)

// listedPost is one post of GET /{user-id}/threads (Media retrieval, "Fields").
type listedPost struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
	MediaType string `json:"media_type"`
}

// page is a Graph page: data, and paging cursors with a next link when there is more.
type page struct {
	Data   []listedPost `json:"data"`
	Paging struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// more reports whether another page follows.
func (p page) more() bool {
	return len(p.Data) > 0 && p.Paging.Next != "" && p.Paging.Cursors.After != ""
}

// listPage reads one page of the account's own top-level posts, newest first, published at or
// after since (zero: no bound), after the cursor after.
func (c *Client) listPage(ctx context.Context, s session, fields string, since time.Time, after string) (page, error) {
	q := url.Values{"fields": {fields}, "limit": {strconv.Itoa(findPageSize)}}
	if !since.IsZero() {
		q.Set("since", strconv.FormatInt(max(since.Unix(), threadsEpoch), 10))
	}
	if after != "" {
		q.Set("after", after)
	}
	var pg page
	_, err := c.get(ctx, s, "/"+url.PathEscape(s.userID)+"/threads", q, &pg)
	return pg, err
}

// FindPublished looks for p among the account's own posts (GET /{user-id}/threads with since):
// a post published within [p.ScheduledAt − 5 min, now + 5 min], of the media type p would make
// (TEXT_POST, IMAGE, VIDEO or CAROUSEL_ALBUM), with the same text once white space is
// collapsed. Threads takes no idempotency key, so text and time are all there is. When several
// match, the earliest wins.
//
// It returns (nil, nil) only when the pages read cover the whole window (the list, bounded by
// since, ended); otherwise, and on any failure, an error of kind KindUnknown that wraps the cause.
// When the post is found and p has later parts or a first comment, the found post's replies are
// read: if the next part is not among them, the result carries a warning that the rest of the
// thread was not published (FindPublished never publishes).
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	const cannotTell = "Herald could not tell whether the post was published on Threads"
	s, err := c.session(creds)
	if err != nil {
		return nil, unknown(err, cannotTell)
	}
	now := c.opts.Now()
	var since time.Time
	if !p.ScheduledAt.IsZero() {
		since = p.ScheduledAt.Add(-findLead)
	}
	want := normalizeSpace(p.Text)
	wantType := listedMediaType(p.Media)

	var found *listedPost
	covered := false
	after := ""
	for range findPages {
		pg, err := c.listPage(ctx, s, "id,text,timestamp,permalink,media_type", since, after)
		if err != nil {
			return nil, unknown(err, cannotTell)
		}
		for i := range pg.Data {
			lp := &pg.Data[i]
			at, ok := parseTime(lp.Timestamp)
			if !ok || (!since.IsZero() && at.Before(since)) || at.After(now.Add(findSkew)) {
				continue
			}
			if lp.MediaType == wantType && normalizeSpace(lp.Text) == want {
				// Pages run newest first, so the last match is the earliest.
				found = lp
			}
		}
		if !pg.more() {
			covered = true
			break
		}
		after = pg.Paging.Cursors.After
	}
	if found == nil {
		if covered {
			// The list ended: every post since the window's start (or, without a scheduled
			// time, the account's whole history) was read.
			return nil, nil
		}
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: "The account's posts since the scheduled time are more than Herald reads, so it cannot tell whether the post was published."}
	}
	pub := publishers.Published{ExternalID: found.ID, URL: found.Permalink, PublishedAt: now.UTC()}
	if t, ok := parseTime(found.Timestamp); ok {
		pub.PublishedAt = t
	}
	if pub.URL == "" {
		pub.URL = profileURL(creds.Get(ExtraUsername))
	}
	if w := c.missingParts(ctx, s, found.ID, p); w != "" {
		pub.Warnings = append(pub.Warnings, w)
	}
	return &pub, nil
}

// missingParts checks, for a found post that should have replies of its own (thread parts or a
// first comment), whether the first of them is among its replies (GET /{media-id}/replies);
// "" when it is, or when Herald cannot tell.
func (c *Client) missingParts(ctx context.Context, s session, id string, p publishers.Post) string {
	next, what := "", ""
	switch {
	case len(p.Thread) > 0:
		next, what = p.Thread[0].Text, "the later parts of the thread"
		if strings.TrimSpace(p.FirstComment) != "" {
			what += " and its first comment"
		}
	case strings.TrimSpace(p.FirstComment) != "":
		next, what = p.FirstComment, "its first comment"
	default:
		return ""
	}
	var pg page
	if _, err := c.get(ctx, s, "/"+url.PathEscape(id)+"/replies", url.Values{"fields": {"id,text,timestamp"}}, &pg); err != nil {
		return ""
	}
	want := normalizeSpace(next)
	for _, r := range pg.Data {
		if normalizeSpace(r.Text) == want {
			return ""
		}
	}
	return "The post was found on Threads after its outcome was uncertain, but " + what +
		" did not follow it: Herald does not publish them later on its own. Add them on Threads by hand if they are still wanted."
}

// listedMediaType is the media_type a post made from media shows in the list (Media retrieval:
// TEXT_POST, IMAGE, VIDEO, CAROUSEL_ALBUM).
func listedMediaType(media []publishers.Media) string {
	switch {
	case len(media) == 0:
		return "TEXT_POST"
	case len(media) > 1:
		return "CAROUSEL_ALBUM"
	case media[0].Kind == content.KindVideo:
		return "VIDEO"
	}
	return "IMAGE"
}

// normalizeSpace collapses every run of white space to one space and trims the ends.
func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
