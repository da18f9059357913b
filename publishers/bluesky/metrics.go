package bluesky

import (
	"context"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// Metrics reads likes, reposts, replies and quotes with app.bsky.feed.getPosts, MetricsBatch
// posts per request. The counters live in the AppView, not in the PDS, so the request goes
// through the account's PDS with the atproto-proxy header (or straight to Options.AppView when
// set). externalIDs are at:// URIs as Publish returned them; others, and posts Bluesky no longer
// knows (deleted), are absent from the map. Any failed batch fails the call.
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	var uris []string
	seen := map[string]bool{}
	for _, id := range externalIDs {
		if strings.HasPrefix(id, "at://") && !seen[id] {
			seen[id] = true
			uris = append(uris, id)
		}
	}
	out := make(map[string]publishers.Metrics, len(uris))
	if len(uris) == 0 {
		return out, nil
	}
	var st *callState
	if c.appView == "" {
		var err error
		if st, err = c.newCallState(creds); err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(uris); start += MetricsBatch {
		batch := uris[start:min(start+MetricsBatch, len(uris))]
		var res struct {
			Posts []struct {
				URI         string `json:"uri"`
				LikeCount   *int64 `json:"likeCount"`
				RepostCount *int64 `json:"repostCount"`
				ReplyCount  *int64 `json:"replyCount"`
				QuoteCount  *int64 `json:"quoteCount"`
			} `json:"posts"`
		}
		cl := call{nsid: nsidGetPosts, params: url.Values{"uris": batch}}
		var err error
		if c.appView != "" {
			cl.base = c.appView
			cl.account = creds.Get(ExtraDID)
			err = c.do(ctx, cl, &res)
		} else {
			cl.proxy = c.proxy
			err = c.authed(ctx, st, cl, &res)
		}
		if err != nil {
			return nil, err
		}
		for _, p := range res.Posts {
			if !seen[p.URI] {
				continue
			}
			// The AppView reports every counter of a post; a missing one is a zero it left out.
			out[p.URI] = publishers.Metrics{Likes: orZero(p.LikeCount), Reposts: orZero(p.RepostCount),
				Replies: orZero(p.ReplyCount), Quotes: orZero(p.QuoteCount)}
		}
	}
	return out, nil
}

func orZero(p *int64) *int64 {
	if p == nil {
		return new(int64)
	}
	return p
}
