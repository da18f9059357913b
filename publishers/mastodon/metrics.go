package mastodon

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/publishers"
)

// metricsConcurrency bounds the status look-ups Metrics runs at once: Mastodon has no batch
// endpoint on every version (GET /api/v1/statuses?id[]= arrived in 4.3), and each look-up costs
// one request of the account's 300 per five minutes.
const metricsConcurrency = 4

// Metrics reads each status (GET /api/v1/statuses/:id): favourites, boosts, replies, and quotes
// on versions that count them. Statuses the instance no longer has (404, 410) are absent from
// the map. The first other failure stops the rest and is returned.
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	s, err := c.session(creds)
	if err != nil {
		return nil, err
	}
	out, complete, err := publishers.CollectMetrics(ctx, externalIDs, metricsConcurrency,
		func(ctx context.Context, id string) (publishers.Metrics, bool, error) {
			return c.statusMetrics(ctx, s, id)
		})
	switch {
	case err != nil:
		return nil, err
	case !complete:
		// The caller's context ended before every id was read.
		return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "stopped reading Mastodon metrics before the end", Err: ctx.Err()}
	}
	return out, nil
}

// statusMetrics reads one status; ok is false when the instance no longer has it.
func (c *Client) statusMetrics(ctx context.Context, s session, id string) (publishers.Metrics, bool, error) {
	resp, err := c.send(ctx, request{op: opRead, method: http.MethodGet,
		url: s.instance + "/api/v1/statuses/" + url.PathEscape(id), token: s.token})
	if err != nil {
		return publishers.Metrics{}, false, err
	}
	switch {
	case resp.Status == http.StatusNotFound || resp.Status == http.StatusGone:
		return publishers.Metrics{}, false, nil
	case resp.Status < 200 || resp.Status > 299:
		return publishers.Metrics{}, false, classify(resp.Status, resp.Header, resp.Body, opRead, c.opts.Now())
	}
	var st status
	if err := json.Unmarshal(resp.Body, &st); err != nil {
		return publishers.Metrics{}, false, badAnswer(opRead, err)
	}
	m := publishers.Metrics{
		Likes:   ptr(st.FavouritesCount),
		Reposts: ptr(st.ReblogsCount),
		Replies: ptr(st.RepliesCount),
		Quotes:  st.QuotesCount,
	}
	return m, true, nil
}

func ptr(n int64) *int64 { return &n }
