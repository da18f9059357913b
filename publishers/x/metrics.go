package x

import (
	"context"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// tweet is the part of X's Tweet object Herald reads.
type tweet struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	CreatedAt        string `json:"created_at"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	Attachments struct {
		MediaKeys []string `json:"media_keys"`
	} `json:"attachments"`
	PublicMetrics *struct {
		ImpressionCount *int64 `json:"impression_count"`
		LikeCount       *int64 `json:"like_count"`
		RetweetCount    *int64 `json:"retweet_count"`
		ReplyCount      *int64 `json:"reply_count"`
		QuoteCount      *int64 `json:"quote_count"`
		BookmarkCount   *int64 `json:"bookmark_count"`
	} `json:"public_metrics"`
}

// Metrics reads the posts' public metrics with GET /2/tweets, MetricsBatch ids per request:
// likes, reposts, replies, quotes and impressions (X also counts bookmarks, which
// publishers.Metrics has no place for). Posts X no longer shows (deleted, or of an account that
// became protected or suspended) are absent from the map; so are ids that are not X post ids,
// which X would refuse the whole batch for. The first failure stops the rest and is returned.
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	out := make(map[string]publishers.Metrics, len(externalIDs))
	ids := make([]string, 0, len(externalIDs))
	seen := make(map[string]bool, len(externalIDs))
	for _, id := range externalIDs {
		if seen[id] || !isID(id) {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return out, nil
	}
	s, err := c.session(ctx, creds, true)
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(ids); start += MetricsBatch {
		batch := ids[start:min(start+MetricsBatch, len(ids))]
		// Posts X cannot show come back in the answer's "errors" (resource-not-found,
		// not-authorized-for-resource) with a 200; they are simply absent from data.
		var ans struct {
			Data []tweet `json:"data"`
		}
		q := url.Values{"ids": {strings.Join(batch, ",")}, "tweet.fields": {"public_metrics"}}
		if _, err := s.get(ctx, "/2/tweets", q, &ans); err != nil {
			return nil, err
		}
		for _, t := range ans.Data {
			if t.PublicMetrics == nil || !seen[t.ID] {
				continue
			}
			pm := t.PublicMetrics
			out[t.ID] = publishers.Metrics{
				Likes:       pm.LikeCount,
				Reposts:     pm.RetweetCount,
				Replies:     pm.ReplyCount,
				Quotes:      pm.QuoteCount,
				Impressions: pm.ImpressionCount,
			}
		}
	}
	return out, nil
}

// isID reports whether s looks like an X id (1 to 19 digits, the pattern X's description gives).
func isID(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}
