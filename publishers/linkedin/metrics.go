package linkedin

import (
	"context"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// MetricsBatch is how many posts one statistics request asks for. LinkedIn documents no
// maximum for the shares and ugcPosts lists; 20 keeps the URL short.
const MetricsBatch = 20

// shareStatistics is one element of organizationalEntityShareStatistics.
type shareStatistics struct {
	Share   string `json:"share"`
	UGCPost string `json:"ugcPost"`
	Totals  struct {
		ImpressionCount *int64 `json:"impressionCount"`
		LikeCount       *int64 `json:"likeCount"`
		CommentCount    *int64 `json:"commentCount"`
		ShareCount      *int64 `json:"shareCount"`
		ClickCount      *int64 `json:"clickCount"`
	} `json:"totalShareStatistics"`
}

// Metrics reads an organization page's lifetime statistics for its posts
// (GET /rest/organizationalEntityShareStatistics with shares=List(…) for urn:li:share posts and
// ugcPosts=List(…) for urn:li:ugcPost posts, MetricsBatch at a time): impressions, reactions
// (likes), comments (replies), reposts and clicks. LinkedIn keeps these for 12 months; posts it
// no longer reports, and ids that are not post URNs, are absent from the map.
//
// For a member's own posts LinkedIn offers no statistics to apps like Herald (they need
// restricted permissions), so Metrics returns an empty map and MetricsNote says why.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	s, err := c.session(creds)
	if err != nil {
		return nil, err
	}
	out := map[string]publishers.Metrics{}
	if !s.isOrganization() {
		return out, nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, id := range externalIDs {
		if (strings.HasPrefix(id, "urn:li:share:") || strings.HasPrefix(id, "urn:li:ugcPost:")) && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for start := 0; start < len(ids); start += MetricsBatch {
		var shares, ugc []string
		for _, id := range ids[start:min(start+MetricsBatch, len(ids))] {
			if strings.HasPrefix(id, "urn:li:share:") {
				shares = append(shares, id)
			} else {
				ugc = append(ugc, id)
			}
		}
		q := restQuery("q", "organizationalEntity", "organizationalEntity", encodeKey(s.author))
		if len(shares) > 0 {
			q += "&shares=" + restList(shares)
		}
		if len(ugc) > 0 {
			q += "&ugcPosts=" + restList(ugc)
		}
		var res struct {
			Elements []shareStatistics `json:"elements"`
		}
		if _, err := c.get(ctx, s.token, "/rest/organizationalEntityShareStatistics", q, &res); err != nil {
			return nil, err
		}
		for _, el := range res.Elements {
			id := el.Share
			if id == "" {
				id = el.UGCPost
			}
			if !seen[id] {
				continue
			}
			t := el.Totals
			out[id] = publishers.Metrics{Impressions: t.ImpressionCount, Likes: t.LikeCount, Replies: t.CommentCount,
				Reposts: t.ShareCount, Clicks: t.ClickCount}
		}
	}
	return out, nil
}
