package threads

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Limits from the Threads documentation.
const (
	// MaxCarouselItems is the most images and videos one carousel holds (Posts, "Carousel
	// posts": up to 20). Herald's content rules allow fewer.
	MaxCarouselItems = 20
	// maxAltText is the longest alt_text Threads takes (Publishing reference: 1,000 characters).
	maxAltText = 1000
	// PostQuota is the documented allowance of API-published posts per 24 hours (Overview,
	// "Posts"); threads_publishing_limit's config says the account's actual one.
	PostQuota = 250
	// quotaPages bounds the pages read to find when a full quota frees a slot: three pages of
	// 100 reach past 250 posts.
	quotaPages = 3
	// defaultQuotaWait is the wait when the posts in the window cannot be read.
	defaultQuotaWait = time.Hour
	// publishReserve is the time kept, of the caller's deadline, for threads_publish and the
	// permalink after waiting for a container.
	publishReserve = 5 * time.Second
)

// Container statuses (Troubleshooting, "Publishing does not return a media ID").
const (
	statusInProgress = "IN_PROGRESS"
	statusFinished   = "FINISHED"
	statusError      = "ERROR"
	statusExpired    = "EXPIRED"
	statusPublished  = "PUBLISHED"
)

// idAnswer is the answer of a container creation or a publish: {"id": "…"}.
type idAnswer struct {
	ID string `json:"id"`
}

// containerState is GET /{container-id}?fields=status,error_message.
type containerState struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	ErrorMessage string `json:"error_message"`
}

// mediaAnswer is GET /{media-id}?fields=permalink,timestamp.
type mediaAnswer struct {
	ID        string `json:"id"`
	Permalink string `json:"permalink"`
	Timestamp string `json:"timestamp"`
}

// part is one post of a publish: the first post, a later part of its thread, or the first
// comment.
type part struct {
	label string // for messages: "the post", "part 2 of 3", "the first comment"
	text  string
	media []publishers.Media
}

// plan lists the posts of p in publishing order and checks everything Herald can check before
// calling Threads: each part has text or media, at most MaxCarouselItems attachments, only
// images and videos, and media URLs Threads can download (publishers.PublicURLProblem).
func plan(p publishers.Post) ([]part, error) {
	n := 1 + len(p.Thread)
	label := func(i int) string {
		if n == 1 {
			return "the post"
		}
		return fmt.Sprintf("part %d of %d", i+1, n)
	}
	parts := []part{{label: label(0), text: p.Text, media: p.Media}}
	for i, tp := range p.Thread {
		parts = append(parts, part{label: label(i + 1), text: tp.Text, media: tp.Media})
	}
	if strings.TrimSpace(p.FirstComment) != "" {
		parts = append(parts, part{label: "the first comment", text: p.FirstComment})
	}
	for _, pt := range parts {
		if strings.TrimSpace(pt.text) == "" && len(pt.media) == 0 {
			return nil, permanent(capitalize(pt.label) + " has neither text nor an attachment.")
		}
		if len(pt.media) > MaxCarouselItems {
			return nil, permanent(fmt.Sprintf("%s has %d attachments; a Threads post holds at most %d.", capitalize(pt.label), len(pt.media), MaxCarouselItems))
		}
		for i, m := range pt.media {
			if m.Kind != content.KindImage && m.Kind != content.KindVideo {
				return nil, permanent(fmt.Sprintf("Attachment %d of %s is a %s; Threads takes images and videos only.", i+1, pt.label, m.Kind))
			}
			if problem := publishers.PublicURLProblem("Threads", m.URL); problem != "" {
				return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "media_url", Message: problem}
			}
		}
	}
	return parts, nil
}

func permanent(msg string) *publishers.Error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: msg}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Publish checks the account's publishing quota, then publishes the post and, one after the
// other, each later part of its thread and its first comment as replies to the part before.
// Nothing is sent when an attachment's URL is not public. Once the first post is out, a failure
// of a later part is a warning in the result, never an error: retrying would publish the first
// post twice. A due token is renewed first (see renewIfDue), so *creds may change.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	parts, err := plan(p)
	if err != nil {
		return publishers.Published{}, err
	}
	if _, err := c.session(creds); err != nil {
		return publishers.Published{}, err
	}
	c.renewIfDue(ctx, creds)
	s, err := c.session(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	quota, err := c.checkQuota(ctx, s, len(parts)-1)
	if err != nil {
		return publishers.Published{}, err
	}
	rootID, err := c.publishPart(ctx, s, parts[0], "")
	if err != nil {
		return publishers.Published{}, err
	}
	pub := c.published(ctx, s, rootID, creds.Get(ExtraUsername))
	pub.Quota = quota
	prev := rootID
	for i := 1; i < len(parts); i++ {
		id, err := c.publishPart(ctx, s, parts[i], prev)
		if err != nil {
			pub.Warnings = append(pub.Warnings, partWarning(parts, i, err))
			c.opts.Logger.WarnContext(ctx, "threads: the post was published but a later part was not",
				"post_id", rootID, "part", parts[i].label, "kind", publishers.KindOf(err).String(), "error", publishers.Message(err))
			break
		}
		prev = id
	}
	return pub, nil
}

// partWarning says, for the people who approved the post, what happened to part i and the parts
// after it.
func partWarning(parts []part, i int, err error) string {
	var w string
	if publishers.KindOf(err) == publishers.KindUnknown {
		w = fmt.Sprintf("Threads may or may not have published %s (%s). Check the thread on Threads before adding it by hand.",
			parts[i].label, strings.TrimSuffix(publishers.Message(err), "."))
	} else {
		w = fmt.Sprintf("%s was not published: %s", capitalize(parts[i].label), publishers.Message(err))
	}
	if rest := parts[i+1:]; len(rest) > 0 {
		labels := make([]string, len(rest))
		for j, r := range rest {
			labels[j] = r.label
		}
		w += " Herald did not publish what follows it either (" + strings.Join(labels, ", ") + ")."
	}
	return w
}

// publishPart publishes one part, as a reply to replyTo when it is not empty, and returns its
// media id. Every container is waited for, text ones included: Threads recommends waiting before
// publishing any container (Posts, step 2), and publishing one it has not finished preparing
// fails.
func (c *Client) publishPart(ctx context.Context, s session, pt part, replyTo string) (string, error) {
	deadline := c.opts.Now().Add(c.opts.PollTimeout)
	containerID, err := c.createContainer(ctx, s, pt, replyTo, deadline)
	if err != nil {
		return "", err
	}
	if err := c.waitReady(ctx, s, containerID, pt.label, deadline); err != nil {
		return "", err
	}
	return c.publishContainer(ctx, s, containerID)
}

// createContainer creates the container of one part (POST /{user-id}/threads): TEXT, IMAGE or
// VIDEO with its URL, or a CAROUSEL of item containers (is_carousel_item=true), which are
// created and waited for first.
func (c *Client) createContainer(ctx context.Context, s session, pt part, replyTo string, deadline time.Time) (string, error) {
	form := url.Values{}
	switch len(pt.media) {
	case 0:
		form.Set("media_type", "TEXT")
	case 1:
		setMedia(form, pt.media[0])
	default:
		children := make([]string, 0, len(pt.media))
		for _, m := range pt.media {
			item := url.Values{"is_carousel_item": {"true"}}
			setMedia(item, m)
			id, err := c.newContainer(ctx, s, item)
			if err != nil {
				return "", err
			}
			children = append(children, id)
		}
		for i, id := range children {
			if err := c.waitReady(ctx, s, id, fmt.Sprintf("attachment %d of %s", i+1, pt.label), deadline); err != nil {
				return "", err
			}
		}
		form.Set("media_type", "CAROUSEL")
		form.Set("children", strings.Join(children, ","))
	}
	if strings.TrimSpace(pt.text) != "" {
		form.Set("text", pt.text)
	}
	if replyTo != "" {
		form.Set("reply_to_id", replyTo)
	}
	return c.newContainer(ctx, s, form)
}

// setMedia sets an image's or a video's parameters on a container.
func setMedia(form url.Values, m publishers.Media) {
	if m.Kind == content.KindVideo {
		form.Set("media_type", "VIDEO")
		form.Set("video_url", m.URL)
	} else {
		form.Set("media_type", "IMAGE")
		form.Set("image_url", m.URL)
	}
	if alt := strings.TrimSpace(m.AltText); alt != "" {
		if r := []rune(alt); len(r) > maxAltText {
			alt = string(r[:maxAltText])
		}
		form.Set("alt_text", alt)
	}
}

// newContainer creates one container and returns its id.
func (c *Client) newContainer(ctx context.Context, s session, form url.Values) (string, error) {
	var ans idAnswer
	if _, err := c.post(ctx, opWrite, s, "/"+url.PathEscape(s.userID)+"/threads", form, &ans); err != nil {
		return "", err
	}
	if ans.ID == "" {
		return "", badAnswer(opWrite, errors.New("the container has no id"))
	}
	return ans.ID, nil
}

// containerStatus reads a container's status.
func (c *Client) containerStatus(ctx context.Context, s session, id string) (containerState, error) {
	var st containerState
	_, err := c.get(ctx, s, "/"+url.PathEscape(id), url.Values{"fields": {"status,error_message"}}, &st)
	return st, err
}

// waitReady polls a container until Threads has finished preparing it, waiting PollInterval at
// first and half as long again each time (up to five times PollInterval), on the injected clock,
// until deadline. It also gives up early when the caller's context would not leave time to
// publish. Giving up is retryable: nothing has been published.
func (c *Client) waitReady(ctx context.Context, s session, id, what string, deadline time.Time) error {
	wait := c.opts.PollInterval
	for {
		st, err := c.containerStatus(ctx, s, id)
		if err != nil {
			return err
		}
		switch st.Status {
		case statusFinished:
			return nil
		case statusError:
			return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: clean(st.ErrorMessage),
				Message: "Threads could not process " + what + ": " + processingError(st.ErrorMessage)}
		case statusExpired:
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: "Threads let " + what + " expire before it was published; Herald will try again."}
		case statusPublished:
			// A container Herald has just created and not yet published cannot be published,
			// unless something else did it: look for the post rather than publish again.
			return &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
				Message: "Threads reports " + what + " as already published; Herald will check before trying again."}
		}
		// IN_PROGRESS, or a status this version of Herald does not know: keep waiting.
		remaining := deadline.Sub(c.opts.Now())
		if dl, ok := ctx.Deadline(); ok {
			remaining = min(remaining, time.Until(dl)-publishReserve)
		}
		if remaining <= 0 {
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: "Threads was still processing " + what + "; Herald will try again."}
		}
		if err := c.opts.Sleep(ctx, min(wait, remaining)); err != nil {
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: "Herald stopped waiting for Threads to process " + what + ".", Err: err}
		}
		wait = min(wait*3/2, 5*c.opts.PollInterval)
	}
}

// processingError explains a container's error_message (Troubleshooting lists them) in plain
// words.
func processingError(code string) string {
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "FAILED_DOWNLOADING_VIDEO":
		return "it could not download the video from Herald (HERALD_PUBLIC_URL must be reachable from the internet)."
	case "FAILED_PROCESSING_AUDIO":
		return "the video's audio could not be processed."
	case "FAILED_PROCESSING_VIDEO":
		return "the video could not be processed."
	case "INVALID_ASPEC_RATIO", "INVALID_ASPECT_RATIO":
		return "the video's aspect ratio is not one Threads accepts."
	case "INVALID_BIT_RATE":
		return "the video's bit rate is not one Threads accepts."
	case "INVALID_DURATION":
		return "the video is too long or too short for Threads (at most 5 minutes)."
	case "INVALID_FRAME_RATE":
		return "the video's frame rate is not one Threads accepts (23 to 60 FPS)."
	case "INVALID_AUDIO_CHANNELS":
		return "the video has more audio channels than Threads accepts (mono or stereo)."
	case "INVALID_AUDIO_CHANNEL_LAYOUT":
		return "the video's audio channel layout is not one Threads accepts."
	case "", "UNKNOWN":
		return "Threads gave no reason."
	}
	return "Threads said " + clean(code) + "."
}

// publishContainer publishes a ready container (POST /{user-id}/threads_publish with
// creation_id) and returns the new post's media id. When Threads answers with an error Herald
// would retry, it first asks the container whether it was published after all: a PUBLISHED
// container (or one Herald cannot ask about) makes the outcome unknown, so the scheduler looks
// for the post instead of publishing a second one.
func (c *Client) publishContainer(ctx context.Context, s session, containerID string) (string, error) {
	var ans idAnswer
	_, err := c.post(ctx, opPublish, s, "/"+url.PathEscape(s.userID)+"/threads_publish", url.Values{"creation_id": {containerID}}, &ans)
	if err != nil {
		var pe *publishers.Error
		if errors.As(err, &pe) && pe.Kind == publishers.KindRetryable && pe.Status != 0 {
			return "", c.checkNotPublished(ctx, s, containerID, pe)
		}
		return "", err
	}
	if ans.ID == "" {
		return "", badAnswer(opPublish, errors.New("the published post has no id"))
	}
	return ans.ID, nil
}

// checkNotPublished keeps a retryable publish failure retryable only when the container says it
// was not published.
func (c *Client) checkNotPublished(ctx context.Context, s session, containerID string, cause *publishers.Error) error {
	st, err := c.containerStatus(ctx, s, containerID)
	switch {
	case err != nil:
		return &publishers.Error{Kind: publishers.KindUnknown, Network: Name, Status: cause.Status, Code: cause.Code, Err: cause,
			Message: "Threads answered the publish with an error (" + strings.TrimSuffix(cause.Message, ".") +
				") and Herald could not check whether it published anyway; Herald will check before trying again."}
	case st.Status == statusPublished:
		return &publishers.Error{Kind: publishers.KindUnknown, Network: Name, Status: cause.Status, Code: cause.Code, Err: cause,
			Message: "Threads answered the publish with an error but reports the post as published; Herald will check before trying again."}
	}
	return cause
}

// published describes a new post: its permalink and time from GET /{media-id}. The post exists
// whatever that read does, so its failure leaves the profile URL and Herald's clock.
func (c *Client) published(ctx context.Context, s session, id, username string) publishers.Published {
	pub := publishers.Published{ExternalID: id, URL: profileURL(username), PublishedAt: c.opts.Now().UTC()}
	var m mediaAnswer
	if _, err := c.get(ctx, s, "/"+url.PathEscape(id), url.Values{"fields": {"permalink,timestamp"}}, &m); err != nil {
		c.opts.Logger.WarnContext(ctx, "threads: reading the new post's permalink failed", "post_id", id, "error", publishers.Message(err))
		return pub
	}
	if m.Permalink != "" {
		pub.URL = m.Permalink
	}
	if t, ok := parseTime(m.Timestamp); ok {
		pub.PublishedAt = t
	}
	return pub
}

// publishingLimit is GET /{user-id}/threads_publishing_limit (Overview, "Posts"; Replies, "Rate
// limits").
type publishingLimit struct {
	Data []struct {
		QuotaUsage      *int         `json:"quota_usage"`
		Config          *quotaConfig `json:"config"`
		ReplyQuotaUsage *int         `json:"reply_quota_usage"`
		ReplyConfig     *quotaConfig `json:"reply_config"`
	} `json:"data"`
}

type quotaConfig struct {
	QuotaTotal    int   `json:"quota_total"`
	QuotaDuration int64 `json:"quota_duration"` // seconds
}

// checkQuota reads the account's publishing allowance. When the posts are used up it fails as
// rate limited until the oldest post of the moving window leaves it; when a thread's replies
// would not fit the reply allowance (1,000 a day), likewise, rather than publish a thread cut
// short. Otherwise it returns the allowance left after this post. Quota.ResetAt is when every
// post counted now, this one included, has left the window: the latest time by which the
// whole allowance is back. An answer without the fields gives no quota and no refusal.
func (c *Client) checkQuota(ctx context.Context, s session, replies int) (*publishers.Quota, error) {
	fields := "quota_usage,config"
	if replies > 0 {
		fields += ",reply_quota_usage,reply_config"
	}
	var ans publishingLimit
	if _, err := c.get(ctx, s, "/"+url.PathEscape(s.userID)+"/threads_publishing_limit", url.Values{"fields": {fields}}, &ans); err != nil {
		if publishers.KindOf(err) == publishers.KindPermanent {
			// A refusal to say (a permission the account did not grant): the quota is advisory,
			// and threads_publish enforces it anyway, so publishing goes ahead without it.
			c.opts.Logger.WarnContext(ctx, "threads: the publishing limit could not be read", "error", publishers.Message(err))
			return nil, nil
		}
		return nil, err
	}
	if len(ans.Data) == 0 || ans.Data[0].QuotaUsage == nil {
		return nil, nil
	}
	d := ans.Data[0]
	now := c.opts.Now()
	total, window := PostQuota, 24*time.Hour
	if d.Config != nil {
		if d.Config.QuotaTotal > 0 {
			total = d.Config.QuotaTotal
		}
		if d.Config.QuotaDuration > 0 {
			window = time.Duration(d.Config.QuotaDuration) * time.Second
		}
	}
	used := *d.QuotaUsage
	if used >= total {
		reset := c.quotaReset(ctx, s, window, now)
		return nil, &publishers.Error{Kind: publishers.KindRateLimited, Network: Name, Code: "publishing_limit",
			RetryAfter: max(reset.Sub(now), time.Minute),
			Message: fmt.Sprintf("This Threads account has published %d posts through the API in the last %s, the most Threads allows; Herald will publish after %s.",
				used, hours(window), reset.UTC().Format("2 Jan 2006 15:04 MST"))}
	}
	if replies > 0 && d.ReplyQuotaUsage != nil && d.ReplyConfig != nil && d.ReplyConfig.QuotaTotal > 0 {
		if left := d.ReplyConfig.QuotaTotal - *d.ReplyQuotaUsage; left < replies {
			return nil, &publishers.Error{Kind: publishers.KindRateLimited, Network: Name, Code: "reply_publishing_limit",
				RetryAfter: defaultQuotaWait,
				Message: fmt.Sprintf("The thread needs %d replies but this Threads account can publish only %d more in its 24-hour reply allowance (%d); Herald will try again in an hour.",
					replies, max(left, 0), d.ReplyConfig.QuotaTotal)}
		}
	}
	return &publishers.Quota{Limit: total, Remaining: max(total-used-1, 0), ResetAt: now.Add(window).UTC()}, nil
}

// quotaReset estimates when a full quota frees its first slot: when the oldest of the account's
// posts within the moving window leaves it. Posts published outside the API count in the list
// but not in the quota, so the estimate may come early, which costs one more quota check.
func (c *Client) quotaReset(ctx context.Context, s session, window time.Duration, now time.Time) time.Time {
	since := now.Add(-window)
	var oldest time.Time
	after := ""
	for range quotaPages {
		pg, err := c.listPage(ctx, s, "id,timestamp", since, after)
		if err != nil {
			break
		}
		for _, t := range pg.Data {
			if ts, ok := parseTime(t.Timestamp); ok && !ts.Before(since) && (oldest.IsZero() || ts.Before(oldest)) {
				oldest = ts
			}
		}
		if !pg.more() {
			break
		}
		after = pg.Paging.Cursors.After
	}
	if oldest.IsZero() {
		return now.Add(defaultQuotaWait)
	}
	return oldest.Add(window)
}

// hours shows a window such as "24 hours".
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return d.String()
}
