package linkedin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Limits of a post. A multiImage post holds 2 to 20 images; a video is alone.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api
const (
	MaxImages = 20
	// MaxFirstComment is the Comments API's limit on a comment's text.
	MaxFirstComment = 1250
)

// postBody is the body of POST /rest/posts.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
type postBody struct {
	Author                    string       `json:"author"`
	Commentary                string       `json:"commentary"`
	Visibility                string       `json:"visibility"`
	Distribution              distribution `json:"distribution"`
	Content                   *postContent `json:"content,omitempty"`
	LifecycleState            string       `json:"lifecycleState"`
	IsReshareDisabledByAuthor bool         `json:"isReshareDisabledByAuthor"`
}

type distribution struct {
	FeedDistribution               string   `json:"feedDistribution"`
	TargetEntities                 []string `json:"targetEntities"`
	ThirdPartyDistributionChannels []string `json:"thirdPartyDistributionChannels"`
}

type postContent struct {
	Media      *mediaContent `json:"media,omitempty"`
	MultiImage *multiImage   `json:"multiImage,omitempty"`
	Article    *article      `json:"article,omitempty"`
}

type mediaContent struct {
	ID      string `json:"id"`
	AltText string `json:"altText,omitempty"`
	Title   string `json:"title,omitempty"`
}

type multiImage struct {
	Images []mediaContent `json:"images"`
}

// article is a link card. "Posts API does not support url scraping for article post creation
// … API partners need to set article fields such as thumbnail, title and description" (Posts
// API, article posts), and Herald never fetches arbitrary URLs, so the card's title is the
// site's name and it has no thumbnail.
type article struct {
	Source string `json:"source"`
	Title  string `json:"title"`
}

// Publish uploads the attachments (Images API, or Videos API in parts, waiting until the video
// is AVAILABLE), creates the post (POST /rest/posts) with the commentary in little format, and
// posts the first comment as the author. LinkedIn takes no idempotency key, so a failure after
// the create was sent is KindUnknown and the scheduler reconciles with FindPublished. A failed
// first comment leaves the post published, with a warning.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	s, err := c.session(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, permanent("a LinkedIn post needs text or an attachment")
	}
	var images, videos []publishers.Media
	for _, m := range p.Media {
		switch m.Kind {
		case content.KindVideo:
			videos = append(videos, m)
		case content.KindImage, content.KindGIF:
			images = append(images, m)
		default:
			return publishers.Published{}, permanent("LinkedIn posts take images or one video, not %s attachments", m.Kind)
		}
	}
	switch {
	case len(videos) > 1, len(videos) == 1 && len(images) > 0:
		return publishers.Published{}, permanent("a LinkedIn post holds one video and nothing else")
	case len(images) > MaxImages:
		return publishers.Published{}, permanent("a LinkedIn post holds at most %d images (this one has %d)", MaxImages, len(images))
	}

	body := postBody{
		Author:         s.author,
		Commentary:     EscapeLittle(p.Text),
		Visibility:     "PUBLIC",
		Distribution:   distribution{FeedDistribution: "MAIN_FEED", TargetEntities: []string{}, ThirdPartyDistributionChannels: []string{}},
		LifecycleState: "PUBLISHED",
	}
	switch {
	case len(videos) == 1:
		id, err := c.uploadVideo(ctx, s, videos[0])
		if err != nil {
			return publishers.Published{}, err
		}
		body.Content = &postContent{Media: &mediaContent{ID: id}}
	case len(images) == 1:
		id, err := c.uploadImage(ctx, s, 1, images[0])
		if err != nil {
			return publishers.Published{}, err
		}
		body.Content = &postContent{Media: &mediaContent{ID: id, AltText: strings.TrimSpace(images[0].AltText)}}
	case len(images) > 1:
		mi := &multiImage{}
		for i, m := range images {
			id, err := c.uploadImage(ctx, s, i+1, m)
			if err != nil {
				return publishers.Published{}, err
			}
			mi.Images = append(mi.Images, mediaContent{ID: id, AltText: strings.TrimSpace(m.AltText)})
		}
		body.Content = &postContent{MultiImage: mi}
	default:
		if link := firstLink(p.Text); link != "" {
			body.Content = &postContent{Article: &article{Source: link, Title: linkTitle(link)}}
		}
	}

	resp, err := c.postJSON(ctx, opCreatePost, s.token, "/rest/posts", body, nil)
	if err != nil {
		return publishers.Published{}, err
	}
	urn := strings.TrimSpace(resp.header.Get("X-RestLi-Id"))
	if urn == "" {
		urn = strings.TrimSpace(resp.header.Get("X-LinkedIn-Id"))
	}
	if !strings.HasPrefix(urn, "urn:li:") {
		return publishers.Published{}, badAnswer(opCreatePost, fmt.Errorf("the created post has no URN (HTTP %d)", resp.status))
	}
	pub := publishers.Published{ExternalID: urn, URL: postURL(urn), PublishedAt: c.opts.Now().UTC()}
	if strings.TrimSpace(p.FirstComment) != "" {
		if err := c.comment(ctx, s, urn, p.FirstComment); err != nil {
			pub.Warnings = append(pub.Warnings, "The post was published but its first comment was not: "+publishers.Message(err))
			c.opts.Logger.WarnContext(ctx, "linkedin: the post was published but its first comment was not",
				"post", urn, "kind", publishers.KindOf(err).String(), "error", err.Error())
		}
	}
	return pub, nil
}

// comment posts text as a comment of the post's author. Comments are plain text (with
// separate attributes for mentions), not little text, so the text is sent as written.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
func (c *Client) comment(ctx context.Context, s session, postURN, text string) error {
	if n := len([]rune(text)); n > MaxFirstComment {
		return permanent("the first comment is %d characters; LinkedIn takes at most %d", n, MaxFirstComment)
	}
	body := map[string]any{"actor": s.author, "object": postURN, "message": map[string]string{"text": text}}
	_, err := c.postJSON(ctx, opWrite, s.token, "/rest/socialActions/"+encodeKey(postURN)+"/comments", body, nil)
	return err
}

// linkRE finds http(s) links in text.
var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// firstLink is the first link in text, without the punctuation that ends a sentence after
// it: trailing ".,;:!?'\"", and a closing bracket only when the link does not open it
// ("(see https://x.example/a)" ends before ")", "https://x.example/a_(b)" keeps it).
func firstLink(text string) string {
	m := linkRE.FindString(text)
	for m != "" {
		last := m[len(m)-1]
		if strings.IndexByte(".,;:!?'\"", last) >= 0 {
			m = m[:len(m)-1]
			continue
		}
		if open := map[byte]byte{')': '(', ']': '[', '}': '{'}[last]; open != 0 &&
			strings.Count(m, string(open)) < strings.Count(m, string(last)) {
			m = m[:len(m)-1]
			continue
		}
		break
	}
	if u, err := url.Parse(m); err != nil || u.Host == "" {
		return ""
	}
	return m
}

// linkTitle is an article card's title: the link's host without "www.".
func linkTitle(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// initImage is the answer of POST /rest/images?action=initializeUpload.
type initImage struct {
	Value struct {
		UploadURL string `json:"uploadUrl"`
		Image     string `json:"image"`
	} `json:"value"`
}

// uploadImage registers an image owned by the author, PUTs its bytes to the upload URL
// LinkedIn gave, and returns its URN (urn:li:image:…).
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
func (c *Client) uploadImage(ctx context.Context, s session, n int, m publishers.Media) (string, error) {
	data, err := readMedia(ctx, n, m)
	if err != nil {
		return "", err
	}
	var init initImage
	req := map[string]any{"initializeUploadRequest": map[string]string{"owner": s.author}}
	if _, err := c.postJSON(ctx, opWrite, s.token, "/rest/images?action=initializeUpload", req, &init); err != nil {
		return "", err
	}
	if init.Value.UploadURL == "" || !strings.HasPrefix(init.Value.Image, "urn:li:image:") {
		return "", badAnswer(opWrite, fmt.Errorf("initializeUpload returned no upload URL or image"))
	}
	if _, err := c.upload(ctx, s, init.Value.UploadURL, data, mimeOf(m)); err != nil {
		return "", err
	}
	return init.Value.Image, nil
}

// initVideo is the answer of POST /rest/videos?action=initializeUpload.
type initVideo struct {
	Value struct {
		Video              string `json:"video"`
		UploadToken        string `json:"uploadToken"`
		UploadInstructions []struct {
			UploadURL string `json:"uploadUrl"`
			FirstByte int64  `json:"firstByte"`
			LastByte  int64  `json:"lastByte"`
		} `json:"uploadInstructions"`
	} `json:"value"`
}

// uploadVideo registers a video with its size, uploads each byte range LinkedIn asks for to
// its URL (each answer's ETag is the part's id), finalizes the upload with the part ids in
// order, and waits until LinkedIn has processed the video.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api
func (c *Client) uploadVideo(ctx context.Context, s session, m publishers.Media) (string, error) {
	data, err := readMedia(ctx, 1, m)
	if err != nil {
		return "", err
	}
	var init initVideo
	req := map[string]any{"initializeUploadRequest": map[string]any{
		"owner": s.author, "fileSizeBytes": len(data), "uploadCaptions": false, "uploadThumbnail": false,
	}}
	if _, err := c.postJSON(ctx, opWrite, s.token, "/rest/videos?action=initializeUpload", req, &init); err != nil {
		return "", err
	}
	v := init.Value
	if !strings.HasPrefix(v.Video, "urn:li:video:") || len(v.UploadInstructions) == 0 {
		return "", badAnswer(opWrite, fmt.Errorf("initializeUpload returned no video or upload instructions"))
	}
	etags := make([]string, 0, len(v.UploadInstructions))
	for i, in := range v.UploadInstructions {
		if in.FirstByte < 0 || in.LastByte < in.FirstByte || in.LastByte >= int64(len(data)) {
			return "", badAnswer(opWrite, fmt.Errorf("upload instruction %d asks for bytes %d-%d of %d", i+1, in.FirstByte, in.LastByte, len(data)))
		}
		resp, err := c.upload(ctx, s, in.UploadURL, data[in.FirstByte:in.LastByte+1], "application/octet-stream")
		if err != nil {
			return "", err
		}
		etag := resp.header.Get("ETag")
		if etag == "" {
			return "", badAnswer(opWrite, fmt.Errorf("part %d of the video got no ETag", i+1))
		}
		etags = append(etags, etag)
	}
	fin := map[string]any{"finalizeUploadRequest": map[string]any{
		"video": v.Video, "uploadToken": v.UploadToken, "uploadedPartIds": etags,
	}}
	if _, err := c.postJSON(ctx, opWrite, s.token, "/rest/videos?action=finalizeUpload", fin, nil); err != nil {
		return "", err
	}
	return v.Video, c.waitForVideo(ctx, s, v.Video)
}

// waitForVideo polls GET /rest/videos/{urn} until the video is AVAILABLE. PROCESSING_FAILED
// is permanent; still processing after MediaPollTimeout is retryable (the whole publish is
// tried again later, with a new upload).
func (c *Client) waitForVideo(ctx context.Context, s session, urn string) error {
	start := time.Now()
	for {
		var v struct {
			Status string `json:"status"`
		}
		if _, err := c.get(ctx, s.token, "/rest/videos/"+encodeKey(urn), "", &v); err != nil {
			return err
		}
		switch v.Status {
		case "AVAILABLE":
			return nil
		case "PROCESSING_FAILED":
			return permanent("LinkedIn could not process the video (PROCESSING_FAILED); check its format (MP4, 3 seconds to 30 minutes)")
		}
		if time.Since(start) >= c.opts.MediaPollTimeout {
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("LinkedIn was still processing the video after %s; Herald will try again", c.opts.MediaPollTimeout.Round(time.Second))}
		}
		t := time.NewTimer(c.opts.MediaPollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: "stopped waiting for LinkedIn to process the video", Err: ctx.Err()}
		case <-t.C:
		}
	}
}

// upload PUTs bytes to an upload URL LinkedIn handed out. The URL is LinkedIn's (its docs send
// the member's bearer token with it), but the token goes only to LinkedIn's own hosts (or the
// configured test hosts), never to wherever an answer may point.
func (c *Client) upload(ctx context.Context, s session, uploadURL string, data []byte, contentType string) (*response, error) {
	u, err := url.Parse(uploadURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, badAnswer(opWrite, fmt.Errorf("LinkedIn gave an upload URL that is not http(s)"))
	}
	token := ""
	if c.trustedHost(u.Host) {
		token = s.token
	}
	return c.call(ctx, request{op: opWrite, method: http.MethodPut, url: uploadURL, token: token, body: data, contentType: contentType}, nil)
}

// trustedHost reports whether host is LinkedIn's (or one of the configured base URLs).
func (c *Client) trustedHost(host string) bool {
	h := strings.ToLower(host)
	for _, base := range []string{c.opts.APIURL, c.opts.AuthURL} {
		if bu, err := url.Parse(base); err == nil && strings.EqualFold(bu.Host, host) {
			return true
		}
	}
	name := h
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		name = h[:i]
	}
	return name == "linkedin.com" || strings.HasSuffix(name, ".linkedin.com")
}

func readMedia(ctx context.Context, n int, m publishers.Media) ([]byte, error) {
	if m.Open == nil {
		return nil, permanent("attachment %d has no content", n)
	}
	data, err := m.Open(ctx)
	if err != nil {
		return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: fmt.Sprintf("attachment %d could not be read from Herald's storage", n), Err: err}
	}
	if len(data) == 0 {
		return nil, permanent("attachment %d is empty", n)
	}
	return data, nil
}

func mimeOf(m publishers.Media) string {
	if m.MIME != "" {
		return m.MIME
	}
	return "application/octet-stream"
}
