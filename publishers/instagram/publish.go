package instagram

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// maxCarousel is the most items of a carousel through the API.
const maxCarousel = 10

// Publish checks the media URLs and the publishing limit, creates the containers, waits for
// Instagram to process them, publishes, and posts the first comment (a failed one is a warning).
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	s, err := c.session(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if len(p.Media) == 0 {
		return publishers.Published{}, permanent("an Instagram post needs at least one image or video")
	}
	if len(p.Media) > maxCarousel {
		return publishers.Published{}, permanent(fmt.Sprintf("an Instagram carousel holds at most %d items; this post has %d", maxCarousel, len(p.Media)))
	}
	for i, m := range p.Media {
		if m.Kind != content.KindImage && m.Kind != content.KindVideo {
			return publishers.Published{}, permanent(fmt.Sprintf("attachment %d: Instagram publishes images and videos only", i+1))
		}
		// Instagram downloads every attachment itself: an address it cannot reach would fail
		// after the other containers were made, or worse, time out.
		if problem := publishers.PublicURLProblem("Instagram", m.URL); problem != "" {
			return publishers.Published{}, permanent(problem)
		}
	}

	quota, err := c.checkQuota(ctx, s)
	if err != nil {
		return publishers.Published{}, err
	}
	creation, err := c.buildContainer(ctx, s, p)
	if err != nil {
		return publishers.Published{}, err
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.graph.Post(ctx, metagraph.OpCreate, s.token, "/"+s.igUserID+"/media_publish",
		url.Values{"creation_id": {creation}}, &out); err != nil {
		return publishers.Published{}, err
	}
	if out.ID == "" {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: "Instagram accepted the post but did not say its id; Herald will check whether it was published"}
	}
	pub := publishers.Published{ExternalID: out.ID, PublishedAt: c.opts.Now().UTC()}
	if quota != nil {
		q := *quota
		q.Remaining = max(q.Remaining-1, 0)
		pub.Quota = &q
	}
	var media struct {
		Permalink string `json:"permalink"`
		Timestamp string `json:"timestamp"`
	}
	if err := c.graph.Get(ctx, s.token, "/"+out.ID, url.Values{"fields": {"permalink,timestamp"}}, &media); err != nil {
		c.opts.Logger.WarnContext(ctx, "instagram: published, but the post's link could not be read", "media_id", out.ID, "error", err.Error())
		pub.URL = ProfileURL(s.username)
	} else {
		pub.URL = media.Permalink
		if t, ok := metagraph.ParseTime(media.Timestamp); ok {
			pub.PublishedAt = t.UTC()
		}
	}
	if strings.TrimSpace(p.FirstComment) != "" {
		var cm struct {
			ID string `json:"id"`
		}
		err := c.graph.Post(ctx, metagraph.OpCreate, s.token, "/"+out.ID+"/comments", url.Values{"message": {p.FirstComment}}, &cm)
		if err != nil {
			c.opts.Logger.WarnContext(ctx, "instagram: the post was published but its first comment was not",
				"media_id", out.ID, "kind", publishers.KindOf(err).String(), "error", err.Error())
			pub.Warnings = append(pub.Warnings, "The post was published, but Instagram refused its first comment: "+publishers.Message(err))
		}
	}
	return pub, nil
}

// checkQuota reads the account's publishing allowance (content_publishing_limit). When it is
// used up the publish is refused as rate limited, with the time the oldest post of the window
// stops counting. A nil quota means Instagram did not say.
func (c *Client) checkQuota(ctx context.Context, s session) (*publishers.Quota, error) {
	var out struct {
		Data []struct {
			QuotaUsage int `json:"quota_usage"`
			Config     struct {
				QuotaTotal    int   `json:"quota_total"`
				QuotaDuration int64 `json:"quota_duration"`
			} `json:"config"`
		} `json:"data"`
	}
	if err := c.graph.Get(ctx, s.token, "/"+s.igUserID+"/content_publishing_limit", url.Values{"fields": {"config,quota_usage"}}, &out); err != nil {
		return nil, err
	}
	if len(out.Data) == 0 || out.Data[0].Config.QuotaTotal <= 0 {
		return nil, nil
	}
	d := out.Data[0]
	window := time.Duration(d.Config.QuotaDuration) * time.Second
	if window <= 0 {
		window = 24 * time.Hour
	}
	now := c.opts.Now()
	q := &publishers.Quota{Limit: d.Config.QuotaTotal, Remaining: max(d.Config.QuotaTotal-d.QuotaUsage, 0), ResetAt: now.Add(window).UTC()}
	if q.Remaining > 0 {
		return q, nil
	}
	reset := c.estimateReset(ctx, s, now, window)
	wait := reset.Sub(now)
	return nil, &publishers.Error{Kind: publishers.KindRateLimited, Network: Name, RetryAfter: wait, Code: "publishing_limit",
		Message: fmt.Sprintf("this Instagram account has published its %d posts allowed through the API in %s; the next slot is expected to open around %s",
			d.Config.QuotaTotal, humanWindow(window), reset.UTC().Format(time.RFC3339))}
}

// estimateReset is when the oldest post of the rolling window stops counting: the account's
// oldest media within the window, plus the window. Posts made in Instagram's app are listed too,
// so the estimate may come early; a retry then finds the limit still reached and waits again.
func (c *Client) estimateReset(ctx context.Context, s session, now time.Time, window time.Duration) time.Time {
	var out struct {
		Data []struct {
			Timestamp string `json:"timestamp"`
		} `json:"data"`
	}
	q := url.Values{"fields": {"timestamp"}, "since": {strconv.FormatInt(now.Add(-window).Unix(), 10)}, "limit": {"100"}}
	if err := c.graph.Get(ctx, s.token, "/"+s.igUserID+"/media", q, &out); err == nil {
		var oldest time.Time
		for _, m := range out.Data {
			if t, ok := metagraph.ParseTime(m.Timestamp); ok && (oldest.IsZero() || t.Before(oldest)) {
				oldest = t
			}
		}
		if !oldest.IsZero() && oldest.Add(window).After(now) {
			return oldest.Add(window)
		}
	}
	return now.Add(metagraph.DefaultPublishingLimitWait)
}

func humanWindow(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return d.String()
}

// buildContainer creates the container to publish and waits until it is FINISHED: one image or
// reel, or a carousel of item containers.
func (c *Client) buildContainer(ctx context.Context, s session, p publishers.Post) (string, error) {
	if len(p.Media) == 1 {
		params := itemParams(p.Media[0], false)
		if p.Text != "" {
			params.Set("caption", p.Text)
		}
		id, err := c.createContainer(ctx, s, params)
		if err != nil {
			return "", err
		}
		return id, c.waitFinished(ctx, s, id, "the post's media")
	}
	children := make([]string, 0, len(p.Media))
	for i, m := range p.Media {
		id, err := c.createContainer(ctx, s, itemParams(m, true))
		if err != nil {
			return "", err
		}
		children = append(children, id)
		if err := c.waitFinished(ctx, s, id, fmt.Sprintf("attachment %d", i+1)); err != nil {
			return "", err
		}
	}
	params := url.Values{"media_type": {"CAROUSEL"}, "children": {strings.Join(children, ",")}}
	if p.Text != "" {
		params.Set("caption", p.Text)
	}
	id, err := c.createContainer(ctx, s, params)
	if err != nil {
		return "", err
	}
	return id, c.waitFinished(ctx, s, id, "the carousel")
}

// itemParams are a container's media parameters: image_url, or video_url as a reel (REELS) or a
// carousel item (VIDEO).
func itemParams(m publishers.Media, carouselItem bool) url.Values {
	params := url.Values{}
	if m.Kind == content.KindVideo {
		params.Set("video_url", m.URL)
		if carouselItem {
			params.Set("media_type", "VIDEO")
		} else {
			params.Set("media_type", "REELS")
		}
	} else {
		params.Set("image_url", m.URL)
		if alt := strings.TrimSpace(m.AltText); alt != "" {
			params.Set("alt_text", alt)
		}
	}
	if carouselItem {
		params.Set("is_carousel_item", "true")
	}
	return params
}

// createContainer creates one container. Containers are never shown until published, so creating
// one again after a failure is harmless.
func (c *Client) createContainer(ctx context.Context, s session, params url.Values) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := c.graph.Post(ctx, metagraph.OpWrite, s.token, "/"+s.igUserID+"/media", params, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Message: "Instagram did not say the id of the media container it created"}
	}
	return out.ID, nil
}

// waitFinished polls a container until FINISHED: IN_PROGRESS waits (growing from
// ContainerPollInterval to 30 s, at most ContainerPollTimeout on the client's clock), ERROR fails
// permanently with Instagram's reason, EXPIRED is retryable (new containers will be made).
func (c *Client) waitFinished(ctx context.Context, s session, id, what string) error {
	start := c.opts.Now()
	wait := c.opts.ContainerPollInterval
	for {
		var st struct {
			StatusCode string `json:"status_code"`
			Status     string `json:"status"`
		}
		if err := c.graph.Get(ctx, s.token, "/"+id, url.Values{"fields": {"status_code,status"}}, &st); err != nil {
			return err
		}
		switch st.StatusCode {
		case "FINISHED":
			return nil
		case "ERROR":
			reason := strings.TrimSpace(st.Status)
			if reason == "" {
				reason = "no reason given"
			}
			return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "container_error",
				Message: fmt.Sprintf("Instagram could not process %s: %s", what, reason)}
		case "EXPIRED":
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Code: "container_expired",
				Message: fmt.Sprintf("Instagram's container for %s expired before it was published; Herald will try again", what)}
		case "PUBLISHED":
			return &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
				Message: fmt.Sprintf("Instagram says %s was already published; Herald will check", what)}
		}
		// IN_PROGRESS, or a status this client does not know yet: wait.
		if c.opts.Now().Sub(start)+wait > c.opts.ContainerPollTimeout {
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Code: "container_timeout", RetryAfter: time.Minute,
				Message: fmt.Sprintf("Instagram was still processing %s after %s; Herald will try again", what, c.opts.ContainerPollTimeout.Round(time.Second))}
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("stopped waiting for Instagram to process %s", what), Err: err}
		}
		if wait = wait * 3 / 2; wait > maxPollInterval {
			wait = maxPollInterval
		}
	}
}
