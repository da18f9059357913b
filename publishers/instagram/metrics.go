package instagram

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// insightMetrics are the media insights read: views replaced impressions and plays (retired for
// media in April 2025); shares are sends of the post; likes and comments stand in for like_count
// and comments_count when the owner hides them.
const insightMetrics = "views,shares,likes,comments"

// insightsConcurrency bounds the insights requests in flight: each is one call of the account's
// Business Use Case allowance.
const insightsConcurrency = 4

type mediaCounts struct {
	LikeCount     *int64 `json:"like_count"`
	CommentsCount *int64 `json:"comments_count"`
}

// Metrics reads like_count and comments_count (MetricsBatch media per request) and each media's
// insights. Media Instagram no longer has are absent from the map. Insights Instagram will not
// give for one media (too few viewers, an item of a carousel) leave its impressions and reposts
// unset; an expired token or a rate limit stops the rest and is returned.
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	s, err := c.session(creds)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, id := range externalIDs {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	counts := map[string]mediaCounts{}
	for start := 0; start < len(ids); start += MetricsBatch {
		batch := ids[start:min(start+MetricsBatch, len(ids))]
		got, err := metagraph.Nodes[mediaCounts](ctx, c.graph, s.token, batch, "like_count,comments_count")
		if err != nil {
			return nil, err
		}
		for id, m := range got {
			counts[id] = m
		}
	}

	read := make([]string, 0, len(counts))
	for id := range counts {
		read = append(read, id)
	}
	out, complete, err := publishers.CollectMetrics(ctx, read, insightsConcurrency, func(ctx context.Context, id string) (publishers.Metrics, bool, error) {
		ins, err := c.readInsights(ctx, s, id)
		if err != nil {
			return publishers.Metrics{}, false, err
		}
		mc := counts[id]
		m := publishers.Metrics{Likes: mc.LikeCount, Replies: mc.CommentsCount}
		if v, ok := ins["likes"]; ok && m.Likes == nil {
			m.Likes = ptr(v)
		}
		if v, ok := ins["comments"]; ok && m.Replies == nil {
			m.Replies = ptr(v)
		}
		if v, ok := ins["views"]; ok {
			m.Impressions = ptr(v)
		}
		if v, ok := ins["shares"]; ok {
			m.Reposts = ptr(v)
		}
		return m, true, nil
	})
	switch {
	case err != nil:
		return nil, err
	case !complete:
		return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Message: "stopped reading Instagram metrics before the end", Err: ctx.Err()}
	}
	return out, nil
}

// readInsights returns a media's lifetime insights by name. Instagram answers error 10 (not
// enough viewers) or 100 (not available for this media) for posts it keeps insights from; those
// give an empty map, not an error.
func (c *Client) readInsights(ctx context.Context, s session, id string) (map[string]int64, error) {
	var out struct {
		Data []struct {
			Name   string `json:"name"`
			Values []struct {
				Value json.RawMessage `json:"value"`
			} `json:"values"`
			TotalValue *struct {
				Value json.RawMessage `json:"value"`
			} `json:"total_value"`
		} `json:"data"`
	}
	err := c.graph.Get(ctx, s.token, "/"+id+"/insights", url.Values{"metric": {insightMetrics}}, &out)
	if code, _, ok := metagraph.CodeOf(err); ok && (code == 10 || code == 100) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, err
	}
	res := map[string]int64{}
	for _, d := range out.Data {
		raw := json.RawMessage(nil)
		if d.TotalValue != nil {
			raw = d.TotalValue.Value
		} else if len(d.Values) > 0 {
			raw = d.Values[len(d.Values)-1].Value
		}
		var v int64
		if raw != nil && json.Unmarshal(raw, &v) == nil {
			res[d.Name] = v
		}
	}
	return res, nil
}

func ptr(n int64) *int64 { return &n }
