package instagram

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"

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
		got, err := c.readCounts(ctx, s, batch)
		if err != nil {
			return nil, err
		}
		for id, m := range got {
			counts[id] = m
		}
	}

	out := make(map[string]publishers.Metrics, len(counts))
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
		sem      = make(chan struct{}, insightsConcurrency)
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for id, mc := range counts {
		wg.Add(1)
		go func(id string, mc mediaCounts) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			ins, err := c.readInsights(ctx, s, id)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
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
			out[id] = m
		}(id, mc)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if len(out) != len(counts) {
		return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Message: "stopped reading Instagram metrics before the end", Err: ctx.Err()}
	}
	return out, nil
}

// readCounts reads like_count and comments_count with one GET /?ids=. Graph refuses the whole
// batch when one id no longer exists (error 100), so a refused batch is read one id at a time.
func (c *Client) readCounts(ctx context.Context, s session, ids []string) (map[string]mediaCounts, error) {
	const fields = "like_count,comments_count"
	var got map[string]mediaCounts
	err := c.graph.Get(ctx, s.token, "/", url.Values{"ids": {strings.Join(ids, ",")}, "fields": {fields}}, &got)
	if err == nil {
		return got, nil
	}
	if code, _, ok := metagraph.CodeOf(err); !ok || code != 100 {
		return nil, err
	}
	out := map[string]mediaCounts{}
	for _, id := range ids {
		var m mediaCounts
		err := c.graph.Get(ctx, s.token, "/"+id, url.Values{"fields": {fields}}, &m)
		if code, subcode, ok := metagraph.CodeOf(err); ok && code == 100 && subcode == 33 {
			continue // gone, or not this account's
		}
		if err != nil {
			return nil, err
		}
		out[id] = m
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
