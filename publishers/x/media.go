package x

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Media upload.
//
// Herald uses X API v2's dedicated chunked-upload endpoints (docs.x.com, "Media upload"):
//
//	POST /2/media/upload/initialize      JSON {media_type, total_bytes, media_category} → data.id
//	POST /2/media/upload/{id}/append     multipart: media (the chunk), segment_index (0–999)
//	POST /2/media/upload/{id}/finalize   → data.processing_info when X still has work to do
//	GET  /2/media/upload?command=STATUS&media_id={id}   until processing_info.state is
//	                                     "succeeded" or "failed", waiting check_after_secs between
//	POST /2/media/metadata               JSON {id, metadata: {alt_text: {text}}}
//
// Why these: the v1.1 endpoint (upload.twitter.com/1.1/media/upload.json) takes only OAuth 1.0a
// user tokens, not the OAuth 2.0 tokens Herald holds, and X has deprecated it. The first v2 form
// (POST /2/media/upload with command=INIT|APPEND|FINALIZE) still appears in X's chunked-upload
// quickstart, but the API reference lists the dedicated endpoints above, and X's own sample code
// moved to them in 2025. The single-request POST /2/media/upload takes images only; one path for
// every kind keeps the code simple. Every step needs the media.write scope.
//
// Each upload step may be repeated without harm (an unused upload expires), so a failure here is
// never an unknown outcome: nothing is published until POST /2/tweets.

// mediaData is the data of the upload endpoints' answers.
type mediaData struct {
	ID             string          `json:"id"`
	MediaKey       string          `json:"media_key"`
	ProcessingInfo *processingInfo `json:"processing_info"`
}

// processingInfo says where X is with a video or GIF. The error object is documented for the
// v1.1 STATUS command; v2 answers carry it too when processing fails.
type processingInfo struct {
	State          string `json:"state"` // pending, in_progress, succeeded, failed
	CheckAfterSecs int    `json:"check_after_secs"`
	Error          *struct {
		Code    int    `json:"code"`
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"error"`
}

type mediaAnswer struct {
	Data mediaData `json:"data"`
}

// maxAltText is X's limit for alt text, in characters.
const maxAltText = 1000

// upload sends attachment n (1-based, for messages) through the chunked upload and waits until X
// has processed it, returning its media id.
func (s *session) upload(ctx context.Context, n int, m publishers.Media) (string, error) {
	c := s.c
	fail := func(kind publishers.Kind, msg string, err error) (string, error) {
		return "", &publishers.Error{Kind: kind, Network: Name, Message: fmt.Sprintf("attachment %d %s", n, msg), Err: err}
	}
	if m.Open == nil {
		return fail(publishers.KindPermanent, "has no content", nil)
	}
	data, err := m.Open(ctx)
	if err != nil {
		return fail(publishers.KindRetryable, "could not be read from Herald's storage", err)
	}
	if len(data) == 0 {
		return fail(publishers.KindPermanent, "is empty", nil)
	}
	mimeType := strings.ToLower(strings.TrimSpace(strings.Split(m.MIME, ";")[0]))
	if mimeType == "" {
		mimeType = http.DetectContentType(data)
	}
	category := mediaCategory(m.Kind, mimeType)

	var init mediaAnswer
	_, err = s.postJSON(ctx, opWrite, c.opts.UploadBaseURL, "/2/media/upload/initialize", map[string]any{
		"media_type":     mimeType,
		"total_bytes":    len(data),
		"media_category": category,
	}, &init)
	if err != nil {
		return "", attachmentError(n, err)
	}
	id := init.Data.ID
	if id == "" {
		return fail(publishers.KindRetryable, "was not accepted: X gave no media id", nil)
	}
	base := c.opts.UploadBaseURL + "/2/media/upload/" + url.PathEscape(id)
	for seg, off := 0, 0; off < len(data); seg, off = seg+1, off+c.opts.ChunkSize {
		if seg > 999 {
			return fail(publishers.KindPermanent, "is too large for X's upload (more than 1,000 chunks)", nil)
		}
		body, ctype, err := appendForm(seg, data[off:min(off+c.opts.ChunkSize, len(data))])
		if err != nil {
			return fail(publishers.KindPermanent, "could not be encoded", err)
		}
		if _, err := s.call(ctx, request{op: opWrite, method: http.MethodPost, url: base + "/append", body: body, contentType: ctype}, nil); err != nil {
			return "", attachmentError(n, err)
		}
	}
	var fin mediaAnswer
	if _, err := s.call(ctx, request{op: opWrite, method: http.MethodPost, url: base + "/finalize"}, &fin); err != nil {
		return "", attachmentError(n, err)
	}
	if err := s.waitForMedia(ctx, n, id, fin.Data.ProcessingInfo); err != nil {
		return "", err
	}
	// X documents alt text for images and GIFs.
	if alt := strings.TrimSpace(m.AltText); alt != "" && (category == "tweet_image" || category == "tweet_gif") {
		if r := []rune(alt); len(r) > maxAltText {
			alt = string(r[:maxAltText])
		}
		body := map[string]any{"id": id, "metadata": map[string]any{"alt_text": map[string]string{"text": alt}}}
		if _, err := s.postJSON(ctx, opWrite, c.opts.UploadBaseURL, "/2/media/metadata", body, nil); err != nil {
			return "", attachmentError(n, err)
		}
	}
	return id, nil
}

// mediaCategory is X's use case for an attachment, which sets its limits and whether X
// processes it asynchronously (GIFs and videos).
func mediaCategory(kind content.MediaKind, mimeType string) string {
	switch {
	case kind == content.KindVideo || strings.HasPrefix(mimeType, "video/"):
		return "tweet_video"
	case kind == content.KindGIF || mimeType == "image/gif":
		return "tweet_gif"
	}
	return "tweet_image"
}

// attachmentError names the attachment in a classified upload failure.
func attachmentError(n int, err error) error {
	var pe *publishers.Error
	if errors.As(err, &pe) && pe.Message != "" {
		cp := *pe
		cp.Message = fmt.Sprintf("attachment %d: %s", n, pe.Message)
		return &cp
	}
	return err
}

// waitForMedia polls the upload's status while X processes it, waiting what X asks
// (check_after_secs) up to MediaPollMax each time; after MediaPollTimeout the upload counts as
// a retryable failure.
func (s *session) waitForMedia(ctx context.Context, n int, id string, info *processingInfo) error {
	c := s.c
	start := time.Now()
	for {
		if info == nil || info.State == "succeeded" || info.State == "" {
			return nil
		}
		if info.State == "failed" {
			msg := "X could not process it"
			if info.Error != nil && info.Error.Message != "" {
				msg += ": " + clean(info.Error.Message)
			}
			return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "media_processing_failed",
				Message: fmt.Sprintf("attachment %d: %s", n, msg)}
		}
		if time.Since(start) >= c.opts.MediaPollTimeout {
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("X was still processing attachment %d after %s; Herald will try again",
					n, c.opts.MediaPollTimeout.Round(time.Second))}
		}
		wait := time.Duration(info.CheckAfterSecs) * time.Second
		if wait <= 0 {
			wait = time.Second
		}
		wait = min(wait, c.opts.MediaPollMax)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("stopped waiting for X to process attachment %d", n), Err: ctx.Err()}
		case <-t.C:
		}
		var st mediaAnswer
		q := url.Values{"command": {"STATUS"}, "media_id": {id}}
		if _, err := s.call(ctx, request{op: opRead, method: http.MethodGet,
			url: c.opts.UploadBaseURL + "/2/media/upload?" + q.Encode()}, &st); err != nil {
			return attachmentError(n, err)
		}
		info = st.Data.ProcessingInfo
	}
}

// appendForm encodes the multipart body of one append: the segment index and the chunk.
func appendForm(segment int, chunk []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("segment_index", strconv.Itoa(segment)); err != nil {
		return nil, "", err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="media"; filename="chunk-`+strconv.Itoa(segment)+`"`)
	h.Set("Content-Type", "application/octet-stream")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(chunk); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
