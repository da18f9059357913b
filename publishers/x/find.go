package x

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// FindPublished's search bounds.
const (
	// findLead is how long before the scheduled time a post may have gone out (a worker that
	// claimed it early).
	findLead = 5 * time.Minute
	// findSkew is how far past Herald's now a post's created_at may be: X's clock may run ahead.
	findSkew = 5 * time.Minute
	// findPageSize is the most posts X returns per page of a timeline.
	findPageSize = 100
	// findPages bounds the pages read: 500 posts since the scheduled time, far more than any
	// account posts between a crash and its reconciliation, for 5 of the endpoint's requests.
	findPages = 5
)

// FindPublished looks for p among the account's posts since shortly before its scheduled time
// (GET /2/users/:id/tweets with start_time = ScheduledAt − 5 min, replies and reposts
// excluded): a post that replies to, quotes or reposts nothing, with as many attachments as p
// and the same text as X shows it (see comparable). When several match, the earliest wins.
//
// X honours no idempotency key, so this is the only way to tell after a timeout. It returns
// (nil, nil) only when X listed every post of the window (no further page); otherwise, and on
// any failure, an error of kind KindUnknown that wraps the cause (an expired token or a rate
// limit can be found by unwrapping). It never renews the token: the scheduler does not save
// credentials after it, and X's refresh tokens rotate.
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	const cannotTell = "could not tell whether the post was published on X"
	s, err := c.session(ctx, creds, false)
	if err != nil {
		return nil, unknown(err, cannotTell)
	}
	uid, err := s.userID(ctx)
	if err != nil {
		return nil, unknown(err, cannotTell)
	}
	now := c.opts.Now()
	var start time.Time
	q := url.Values{
		"max_results":  {strconv.Itoa(findPageSize)},
		"exclude":      {"replies,retweets"},
		"tweet.fields": {"created_at,attachments,referenced_tweets"},
	}
	if !p.ScheduledAt.IsZero() {
		start = p.ScheduledAt.Add(-findLead).UTC().Truncate(time.Second)
		q.Set("start_time", start.Format(time.RFC3339))
	}
	want := comparable(p.Text)

	var found *tweet
	covered := false
	for page := 0; page < findPages; page++ {
		var ans struct {
			Data []tweet `json:"data"`
			Meta struct {
				NextToken string `json:"next_token"`
			} `json:"meta"`
		}
		if _, err := s.get(ctx, "/2/users/"+url.PathEscape(uid)+"/tweets", q, &ans); err != nil {
			return nil, unknown(err, cannotTell)
		}
		for i := range ans.Data {
			t := &ans.Data[i]
			created, err := time.Parse(time.RFC3339, t.CreatedAt)
			if err != nil || (!start.IsZero() && created.Before(start)) || created.After(now.Add(findSkew)) ||
				len(t.ReferencedTweets) > 0 || len(t.Attachments.MediaKeys) != len(p.Media) {
				continue
			}
			if comparable(xText(t.Text)) == want {
				// Pages run newest first, so the last match is the earliest.
				found = t
			}
		}
		if ans.Meta.NextToken == "" {
			covered = true
			break
		}
		q.Set("pagination_token", ans.Meta.NextToken)
	}
	if found != nil {
		at, _ := time.Parse(time.RFC3339, found.CreatedAt)
		return &publishers.Published{ExternalID: found.ID, URL: postURL(creds.Get(ExtraUsername), found.ID), PublishedAt: at.UTC()}, nil
	}
	if covered {
		return nil, nil
	}
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "the account posted more since the post's scheduled time than Herald reads back, so it cannot tell whether the post was published"}
}

// xEntities undoes the only escaping X applies to a post's text: &, < and > come back as &amp;,
// &lt; and &gt;. A Replacer works left to right, so "&amp;lt;" (a typed "&lt;") stays "&lt;".
var xEntities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// xText is a post's text as the person typed it, as far as X lets it be recovered.
func xText(s string) string { return xEntities.Replace(s) }

// comparable reduces a text to what survives X's handling of it: X normalises text to NFC,
// replaces every link it recognises with a t.co link and appends a t.co link for attached media,
// so links are removed altogether (a post whose texts differ only in their links matches; the
// time window and the attachment count keep that from mattering), and white space is collapsed.
func comparable(s string) string {
	s = norm.NFC.String(s)
	if links := content.Links(Name, s); len(links) > 0 {
		r := []rune(s)
		var b strings.Builder
		last := 0
		for _, l := range links {
			b.WriteString(string(r[last:l.Start]))
			b.WriteByte(' ')
			last = l.End
		}
		b.WriteString(string(r[last:]))
		s = b.String()
	}
	return strings.Join(strings.Fields(s), " ")
}
