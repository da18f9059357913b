package linkedin

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// FindPublished's search bounds.
const (
	// findLead is how long before the scheduled time a post may have gone out.
	findLead = 5 * time.Minute
	// findSkew is how far past Herald's now a post's createdAt may be (LinkedIn's clock).
	findSkew = 5 * time.Minute
	// findPageSize and findPages: three pages of 50 reach far further back than any page posts
	// between a crash and its reconciliation.
	findPageSize = 50
	findPages    = 3
)

// post is the part of a post Herald reads back.
type post struct {
	ID             string `json:"id"`
	Author         string `json:"author"`
	Commentary     string `json:"commentary"`
	LifecycleState string `json:"lifecycleState"`
	CreatedAt      int64  `json:"createdAt"`
	PublishedAt    int64  `json:"publishedAt"`
	LastModifiedAt int64  `json:"lastModifiedAt"`
	Content        *struct {
		Media      *struct{ ID string } `json:"media"`
		MultiImage *struct {
			Images []struct{ ID string } `json:"images"`
		} `json:"multiImage"`
	} `json:"content"`
}

// mediaCount is how many attachments the post carries.
func (p post) mediaCount() int {
	switch {
	case p.Content == nil:
		return 0
	case p.Content.MultiImage != nil:
		return len(p.Content.MultiImage.Images)
	case p.Content.Media != nil:
		return 1
	}
	return 0
}

// FindPublished looks for p among the author's recent posts (GET /rest/posts?q=author, newest
// change first): a PUBLISHED post created within [p.ScheduledAt − 5 min, now + 5 min] with as
// many attachments as p and the same visible text (LinkedIn returns the commentary in little
// format; it is compared unescaped, white space collapsed). When several match, the earliest
// wins. It answers (nil, nil) only when the posts read reach back past the window's start.
//
// Reading a member's own posts needs r_member_social, a restricted permission LinkedIn grants
// to few apps, so for a member channel without it FindPublished says it cannot tell, without
// calling LinkedIn. Organization pages are read with r_organization_social.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	const cannotTell = "could not tell whether the post was published on LinkedIn"
	s, err := c.session(creds)
	if err != nil {
		return nil, unknown(err, cannotTell)
	}
	if !s.isOrganization() && s.scope != "" && !hasScope(s.scope, "r_member_social") {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name, Code: "member_posts_unreadable",
			Message: "LinkedIn does not let Herald read a member's own posts (that needs the restricted r_member_social permission), so Herald cannot tell whether the post was published; check the profile on LinkedIn"}
	}
	now := c.opts.Now()
	var start time.Time
	if !p.ScheduledAt.IsZero() {
		start = p.ScheduledAt.Add(-findLead)
	}
	want := normalizeSpace(p.Text)
	var found *post
	covered := false
	for page := 0; page < findPages && !covered; page++ {
		var res struct {
			Elements []post `json:"elements"`
		}
		q := restQuery("q", "author", "author", encodeKey(s.author), "count", strconv.Itoa(findPageSize),
			"start", strconv.Itoa(page*findPageSize), "sortBy", "LAST_MODIFIED")
		if _, err := c.get(ctx, s.token, "/rest/posts", q, &res); err != nil {
			return nil, unknown(err, cannotTell)
		}
		for i := range res.Elements {
			el := &res.Elements[i]
			created := millis(el.CreatedAt)
			if !start.IsZero() && !millis(el.LastModifiedAt).IsZero() && millis(el.LastModifiedAt).Before(start) {
				// Sorted by last change, newest first, and nothing is created after its last
				// change: every post from here on predates the window.
				covered = true
				break
			}
			if created.IsZero() || (!start.IsZero() && created.Before(start)) || created.After(now.Add(findSkew)) ||
				el.LifecycleState != "PUBLISHED" || el.mediaCount() != len(p.Media) {
				continue
			}
			if normalizeSpace(UnescapeLittle(el.Commentary)) == want || normalizeSpace(el.Commentary) == want {
				if found == nil || created.Before(millis(found.CreatedAt)) {
					found = el
				}
			}
		}
		if len(res.Elements) < findPageSize {
			covered = true // the author's whole history was read
		}
	}
	if found != nil {
		at := millis(found.PublishedAt)
		if at.IsZero() {
			at = millis(found.CreatedAt)
		}
		return &publishers.Published{ExternalID: found.ID, URL: postURL(found.ID), PublishedAt: at}, nil
	}
	if covered {
		return nil, nil
	}
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "the page's recent posts do not reach back to the post's scheduled time, so Herald cannot tell whether it was published"}
}

// normalizeSpace collapses white space, which LinkedIn may change (line endings).
func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
