package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// status is the part of Mastodon's Status Herald reads.
type status struct {
	ID               string            `json:"id"`
	CreatedAt        string            `json:"created_at"`
	URL              *string           `json:"url"`
	URI              string            `json:"uri"`
	Content          string            `json:"content"`
	InReplyToID      *string           `json:"in_reply_to_id"`
	Reblog           *json.RawMessage  `json:"reblog"`
	MediaAttachments []json.RawMessage `json:"media_attachments"`
	FavouritesCount  int64             `json:"favourites_count"`
	ReblogsCount     int64             `json:"reblogs_count"`
	RepliesCount     int64             `json:"replies_count"`
	QuotesCount      *int64            `json:"quotes_count"`
	Account          struct {
		ID string `json:"id"`
	} `json:"account"`
}

// published describes a created status; when created_at cannot be read, fallback stands in.
func (s status) published(fallback time.Time) publishers.Published {
	u := s.URI
	if s.URL != nil && *s.URL != "" {
		u = *s.URL
	}
	at, ok := parseTime(s.CreatedAt)
	if !ok {
		at = fallback
	}
	return publishers.Published{ExternalID: s.ID, URL: u, PublishedAt: at.UTC()}
}

// statusRequest is the JSON body of POST /api/v1/statuses (TextStatus or MediaStatus in
// Mastodon's API description).
type statusRequest struct {
	Status      string   `json:"status,omitempty"`
	MediaIDs    []string `json:"media_ids,omitempty"`
	InReplyToID string   `json:"in_reply_to_id,omitempty"`
	Language    string   `json:"language,omitempty"`
	Visibility  string   `json:"visibility"`
}

// attachment is the part of Mastodon's MediaAttachment Herald reads.
type attachment struct {
	ID  string  `json:"id"`
	URL *string `json:"url"`
}

func (a attachment) ready() bool { return a.URL != nil && *a.URL != "" }

// visibility is the visibility of everything Herald posts: the post, the parts of its thread
// and its first comment, so a thread reads the same to everyone who can see its first post.
const visibility = "public"

// Publish uploads the attachments and creates the status with the post's idempotency key; then
// each later part of its thread, as a reply to the part before it, with its own attachments
// uploaded first and its own key (publishers.PartKey); then the first comment as a reply to the
// last part. Once the first status exists Publish succeeds: a part or a first comment that fails
// afterwards becomes a warning in the result (see the package documentation).
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	s, err := c.session(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "a Mastodon post needs text or an attachment"}
	}
	total := 1 + len(p.Thread)
	for i, part := range p.Thread {
		// Refused before anything is sent: an empty part would stop the thread half-way.
		if strings.TrimSpace(part.Text) == "" && len(part.Media) == 0 {
			return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
				Message: fmt.Sprintf("part %d of %d of the thread has neither text nor an attachment", i+2, total)}
		}
	}
	st, err := c.publishStatus(ctx, s, p.Text, p.Media, "", p.Language, p.IdempotencyKey)
	if err != nil {
		return publishers.Published{}, err
	}
	pub := st.published(c.opts.Now())
	hasComment := strings.TrimSpace(p.FirstComment) != ""
	last := st.ID
	for i, part := range p.Thread {
		n := i + 2 // the first post is part 1
		reply, err := c.publishStatus(ctx, s, part.Text, part.Media, last, p.Language, publishers.PartKey(p.IdempotencyKey, n-1))
		if err != nil {
			pub.Warnings = append(pub.Warnings, publishers.ThreadPartWarning(displayName, n, total, err, hasComment))
			c.opts.Logger.WarnContext(ctx, "mastodon: the post was published but a later part of its thread was not",
				"status_id", pub.ExternalID, "part", n, "parts", total, "kind", publishers.KindOf(err).String(), "error", err.Error())
			return pub, nil
		}
		last = reply.ID
	}
	if hasComment {
		_, err := c.createStatus(ctx, s, statusRequest{
			Status: p.FirstComment, InReplyToID: last, Language: p.Language, Visibility: visibility,
		}, FirstCommentKey(p.IdempotencyKey))
		if err != nil {
			pub.Warnings = append(pub.Warnings, publishers.FirstCommentWarning(displayName, err))
			c.firstCommentFailed(ctx, pub, err)
		}
	}
	return pub, nil
}

// displayName is how warnings name the network.
const displayName = "Mastodon"

// publishStatus uploads a status's attachments, then creates it, replying to replyTo when set.
func (c *Client) publishStatus(ctx context.Context, s session, text string, media []publishers.Media, replyTo, lang, key string) (status, error) {
	mediaIDs := make([]string, 0, len(media))
	for i, m := range media {
		id, err := c.upload(ctx, s, i+1, m)
		if err != nil {
			return status{}, err
		}
		mediaIDs = append(mediaIDs, id)
	}
	return c.createStatus(ctx, s, statusRequest{
		Status: text, MediaIDs: mediaIDs, InReplyToID: replyTo, Language: lang, Visibility: visibility,
	}, key)
}

// FirstCommentKey is the idempotency key of a post's first comment: derived from the post's
// key so that a retried publish cannot comment twice either. Empty when the post has none. It
// never equals a part's key (publishers.PartKey adds a number, this a "c").
func FirstCommentKey(key string) string {
	if key == "" {
		return ""
	}
	return key + "-c1"
}

func (c *Client) firstCommentFailed(ctx context.Context, pub publishers.Published, err error) {
	if c.opts.OnFirstCommentError != nil {
		c.opts.OnFirstCommentError(ctx, pub, err)
		return
	}
	c.opts.Logger.WarnContext(ctx, "mastodon: the post was published but its first comment was not",
		"status_id", pub.ExternalID, "kind", publishers.KindOf(err).String(), "error", err.Error())
}

// createStatus posts one status.
func (c *Client) createStatus(ctx context.Context, s session, body statusRequest, key string) (status, error) {
	var header map[string]string
	if key != "" {
		header = map[string]string{"Idempotency-Key": key}
	}
	var st status
	if _, err := c.postJSON(ctx, opCreateStatus, s, "/api/v1/statuses", body, header, &st); err != nil {
		return status{}, err
	}
	if st.ID == "" {
		return status{}, badAnswer(opCreateStatus, fmt.Errorf("the created status has no id"))
	}
	return st, nil
}

// upload sends attachment n (1-based, for messages) and waits until the instance has processed
// it, returning its id.
func (c *Client) upload(ctx context.Context, s session, n int, m publishers.Media) (string, error) {
	if m.Open == nil {
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: fmt.Sprintf("attachment %d has no content", n)}
	}
	data, err := m.Open(ctx)
	if err != nil {
		return "", &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: fmt.Sprintf("attachment %d could not be read from Herald's storage", n), Err: err}
	}
	body, ctype, err := mediaForm(n, m, data)
	if err != nil {
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: fmt.Sprintf("attachment %d could not be encoded", n), Err: err}
	}
	var a attachment
	resp, err := c.call(ctx, request{op: opWrite, method: http.MethodPost, url: s.instance + "/api/v2/media",
		token: s.token, body: body, contentType: ctype}, &a)
	if err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", badAnswer(opWrite, fmt.Errorf("the uploaded attachment has no id"))
	}
	// 200 means processed (Mastodon 4 processes small images at once); 202, or a missing url,
	// means the instance is still at work.
	if resp.Status == http.StatusOK && a.ready() {
		return a.ID, nil
	}
	return a.ID, c.waitForMedia(ctx, s, n, a.ID)
}

// waitForMedia polls GET /api/v1/media/:id, which answers 206 while the attachment is being
// processed and 200 with its url once it is ready. The waits grow from MediaPollInterval to
// five times it; after MediaPollTimeout the upload counts as a retryable failure.
func (c *Client) waitForMedia(ctx context.Context, s session, n int, id string) error {
	start := time.Now()
	wait := c.opts.MediaPollInterval
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("stopped waiting for the Mastodon server to process attachment %d", n), Err: ctx.Err()}
		case <-t.C:
		}
		var a attachment
		resp, err := c.send(ctx, request{op: opRead, method: http.MethodGet,
			url: s.instance + "/api/v1/media/" + url.PathEscape(id), token: s.token})
		if err != nil {
			return err
		}
		switch resp.Status {
		case http.StatusOK:
			if json.Unmarshal(resp.Body, &a) == nil && a.ready() {
				return nil
			}
		case http.StatusPartialContent:
			// Still processing.
		case http.StatusUnprocessableEntity:
			e := classify(resp.Status, resp.Header, resp.Body, opRead, c.opts.Now())
			e.Message = fmt.Sprintf("the Mastodon server could not process attachment %d: %s", n, e.Message)
			return e
		default:
			return classify(resp.Status, resp.Header, resp.Body, opRead, c.opts.Now())
		}
		if time.Since(start) >= c.opts.MediaPollTimeout {
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("the Mastodon server was still processing attachment %d after %s; Herald will try again",
					n, c.opts.MediaPollTimeout.Round(time.Second))}
		}
		if wait = wait * 3 / 2; wait > 5*c.opts.MediaPollInterval {
			wait = 5 * c.opts.MediaPollInterval
		}
	}
}

// mediaForm encodes the multipart body of POST /api/v2/media: the file with its MIME type, and
// the alt text as description.
func mediaForm(n int, m publishers.Media, data []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	mimeType := m.MIME
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="attachment-%d%s"`, n, extension(mimeType, m.Kind)))
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(data); err != nil {
		return nil, "", err
	}
	if alt := strings.TrimSpace(m.AltText); alt != "" {
		if err := w.WriteField("description", alt); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// extension gives the file name an extension matching its type: Mastodon detects the type from
// the bytes, but some compatible servers go by the name.
func extension(mimeType string, kind content.MediaKind) string {
	switch strings.ToLower(strings.TrimSpace(strings.Split(mimeType, ";")[0])) {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/heic":
		return ".heic"
	case "image/heif":
		return ".heif"
	case "image/avif":
		return ".avif"
	case "video/mp4":
		return ".mp4"
	case "video/quicktime":
		return ".mov"
	case "video/webm":
		return ".webm"
	case "video/ogg":
		return ".ogv"
	}
	switch kind {
	case content.KindGIF:
		return ".gif"
	case content.KindVideo:
		return ".mp4"
	}
	return ""
}
