package threads

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"

	"github.com/heraldhq/herald/publishers"
)

// metricsConcurrency bounds the insights requests Metrics runs at once. Threads documents no
// batch form for media insights: neither Graph's ids= look-up nor batch requests appear in the
// Threads API reference, and the user-level insights (GET /{user-id}/threads_insights) are totals
// for the account, not per post. So it is one request per post, each counted against the app's
// call budget for the account.
const metricsConcurrency = 4

// insightMetrics are the media insights Herald reads (Insights, "Available Metrics").
const insightMetrics = "views,likes,replies,reposts,quotes"

// subcodeNoObject is Graph's "Unsupported get request. Object with ID … does not exist" (code
// 100): the post was deleted.
const subcodeNoObject = 33

// insights is GET /{media-id}/insights: one entry per metric, its value in values[0].value (or
// total_value.value, the shape of user-level insights).
type insights struct {
	Data []struct {
		Name   string `json:"name"`
		Values []struct {
			Value int64 `json:"value"`
		} `json:"values"`
		TotalValue *struct {
			Value int64 `json:"value"`
		} `json:"total_value"`
	} `json:"data"`
}

// Metrics reads each post's insights (GET /{media-id}/insights?metric=views,likes,replies,
// reposts,quotes): views become Impressions. Posts Threads no longer has are absent from the map;
// the first other failure stops the rest and is returned. A due token is renewed first, so
// *creds may change.
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	if _, err := c.session(creds); err != nil {
		return nil, err
	}
	c.renewIfDue(ctx, creds)
	s, err := c.session(creds)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu       sync.Mutex
		out      = make(map[string]publishers.Metrics, len(externalIDs))
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, metricsConcurrency)
		seen     = make(map[string]bool, len(externalIDs))
	)
loop:
	for _, id := range externalIDs {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			defer func() { <-sem }()
			m, ok, err := c.postMetrics(ctx, s, id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = err
					cancel()
				}
			case ok:
				out[id] = m
			}
		}(id)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "Herald stopped reading Threads insights before the end.", Err: err}
	}
	return out, nil
}

// postMetrics reads one post's insights; ok is false when Threads no longer has the post.
func (c *Client) postMetrics(ctx context.Context, s session, id string) (publishers.Metrics, bool, error) {
	resp, err := c.send(ctx, request{op: opRead, method: http.MethodGet,
		url: c.api + "/" + url.PathEscape(id) + "/insights?" + url.Values{"metric": {insightMetrics}}.Encode(), token: s.token})
	if err != nil {
		return publishers.Metrics{}, false, err
	}
	if resp.status < 200 || resp.status > 299 {
		if g, ok := parseError(resp.body); resp.status == http.StatusNotFound ||
			(ok && g.Code == codeInvalidParam && g.Subcode == subcodeNoObject) {
			return publishers.Metrics{}, false, nil
		}
		return publishers.Metrics{}, false, classify(resp.status, resp.header, resp.body, opRead, c.opts.Now())
	}
	var in insights
	if err := json.Unmarshal(resp.body, &in); err != nil {
		return publishers.Metrics{}, false, badAnswer(opRead, err)
	}
	var m publishers.Metrics
	for _, d := range in.Data {
		var v *int64
		switch {
		case len(d.Values) > 0:
			v = ptr(d.Values[0].Value)
		case d.TotalValue != nil:
			v = ptr(d.TotalValue.Value)
		default:
			continue
		}
		switch d.Name {
		case "views":
			m.Impressions = v
		case "likes":
			m.Likes = v
		case "replies":
			m.Replies = v
		case "reposts":
			m.Reposts = v
		case "quotes":
			m.Quotes = v
		}
	}
	return m, true, nil
}

func ptr(n int64) *int64 { return &n }
