package facebook

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// Insights metrics read for each post. post_media_view replaced post_impressions (retired for all
// versions on November 15, 2025); post_clicks is unchanged.
const (
	metricViews  = "post_media_view"
	metricClicks = "post_clicks"
)

// Field sets of a metrics request. Videos are not Page posts: they have no shares field and no
// post insights, so they are read apart.
const (
	countFields   = "comments.summary(true).limit(0),reactions.summary(true).limit(0)"
	postFields    = "shares," + countFields
	insightFields = ",insights.metric(" + metricViews + "," + metricClicks + ")"
)

// Metrics reads reactions (as likes), comments (as replies), shares (as reposts) and, for posts,
// the media views and clicks insights, MetricsBatch ids per request. Ids Facebook no longer
// knows are absent from the map. When Graph refuses the insights (a metric retired, a permission
// or a Page too small for insights), the counts are read without them.
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	s, err := c.session(creds)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var posts, objects []string
	for _, id := range externalIDs {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		// Page post ids are "{page-id}_{post-id}"; a video's id has no underscore.
		if strings.Contains(id, "_") {
			posts = append(posts, id)
		} else {
			objects = append(objects, id)
		}
	}
	out := make(map[string]publishers.Metrics, len(seen))
	insights := true
	for _, group := range []struct {
		ids    []string
		isPost bool
	}{{posts, true}, {objects, false}} {
		for start := 0; start < len(group.ids); start += MetricsBatch {
			if err := ctx.Err(); err != nil {
				return nil, ctxErr(ctx, "reading Facebook metrics")
			}
			batch := group.ids[start:min(start+MetricsBatch, len(group.ids))]
			withInsights := group.isPost && insights
			got, err := c.readBatch(ctx, s, batch, group.isPost, withInsights)
			if err != nil && withInsights && insightsRefused(err) {
				c.opts.Logger.WarnContext(ctx, "facebook: Graph refused the post insights; reading counts without them", "error", err.Error())
				insights = false
				got, err = c.readBatch(ctx, s, batch, group.isPost, false)
			}
			if err != nil {
				return nil, err
			}
			for id, m := range got {
				out[id] = m
			}
		}
	}
	return out, nil
}

// insightsRefused is an error a request without insights would not get: an invalid metric (100),
// a missing permission (10, 200–299).
func insightsRefused(err error) bool {
	code, _, ok := metagraph.CodeOf(err)
	return ok && (code == 100 || code == 10 || code >= 200 && code <= 299)
}

// node is the part of a post, photo or video a metrics request reads.
type node struct {
	Shares *struct {
		Count int64 `json:"count"`
	} `json:"shares"`
	Comments *struct {
		Summary struct {
			TotalCount int64 `json:"total_count"`
		} `json:"summary"`
	} `json:"comments"`
	Reactions *struct {
		Summary struct {
			TotalCount int64 `json:"total_count"`
		} `json:"summary"`
	} `json:"reactions"`
	Insights *struct {
		Data []struct {
			Name   string `json:"name"`
			Values []struct {
				Value json.RawMessage `json:"value"`
			} `json:"values"`
		} `json:"data"`
	} `json:"insights"`
}

func (n node) metrics(isPost bool) publishers.Metrics {
	var m publishers.Metrics
	if n.Reactions != nil {
		m.Likes = ptr(n.Reactions.Summary.TotalCount)
	}
	if n.Comments != nil {
		m.Replies = ptr(n.Comments.Summary.TotalCount)
	}
	if isPost {
		// Graph leaves shares out while a post has none.
		var shares int64
		if n.Shares != nil {
			shares = n.Shares.Count
		}
		m.Reposts = ptr(shares)
	}
	if n.Insights != nil {
		for _, d := range n.Insights.Data {
			if len(d.Values) == 0 {
				continue
			}
			var v int64
			if json.Unmarshal(d.Values[len(d.Values)-1].Value, &v) != nil {
				continue
			}
			switch d.Name {
			case metricViews:
				m.Impressions = ptr(v)
			case metricClicks:
				m.Clicks = ptr(v)
			}
		}
	}
	return m
}

// readBatch reads up to MetricsBatch nodes (metagraph.Nodes: ids Graph no longer knows are left
// out). A refusal of the insights is returned, for Metrics to read the counts without them.
func (c *Client) readBatch(ctx context.Context, s session, ids []string, isPost, insights bool) (map[string]publishers.Metrics, error) {
	fields := countFields
	if isPost {
		fields = postFields
	}
	if insights {
		fields += insightFields
	}
	got, err := metagraph.Nodes[node](ctx, c.graph, s.token, ids, fields)
	if err != nil {
		return nil, err
	}
	out := make(map[string]publishers.Metrics, len(got))
	for id, n := range got {
		out[id] = n.metrics(isPost)
	}
	return out, nil
}

func ptr(n int64) *int64 { return &n }
