package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/metagraph"
)

// Publish creates the Page post (see the package documentation for which edge each kind of post
// uses) and then its first comment; a failed first comment is a warning, not a failure.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	s, err := c.session(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, permanent("a Facebook post needs text or an attachment")
	}
	var photos, videos []publishers.Media
	for _, m := range p.Media {
		switch m.Kind {
		case content.KindVideo:
			videos = append(videos, m)
		case content.KindImage, content.KindGIF:
			photos = append(photos, m)
		default:
			return publishers.Published{}, permanent(fmt.Sprintf("Facebook cannot post an attachment of kind %q", m.Kind))
		}
	}
	if len(videos) > 1 || (len(videos) == 1 && len(photos) > 0) {
		return publishers.Published{}, permanent("a Facebook Page post carries several photos or one video, not both")
	}
	var id string
	switch {
	case len(videos) == 1:
		id, err = c.postVideo(ctx, s, p.Text, videos[0])
	case len(photos) == 1:
		id, err = c.postPhoto(ctx, s, p.Text, photos[0])
	case len(photos) > 1:
		id, err = c.postAlbum(ctx, s, p.Text, photos)
	default:
		id, err = c.postStatus(ctx, s, p.Text)
	}
	if err != nil {
		return publishers.Published{}, err
	}
	pub := publishers.Published{ExternalID: id, URL: PostURL(id), PublishedAt: c.opts.Now().UTC()}
	if strings.TrimSpace(p.FirstComment) != "" {
		if err := c.comment(ctx, s, id, p.FirstComment); err != nil {
			c.opts.Logger.WarnContext(ctx, "facebook: the post was published but its first comment was not",
				"post_id", id, "kind", publishers.KindOf(err).String(), "error", err.Error())
			pub.Warnings = append(pub.Warnings, "The post was published, but Facebook refused its first comment: "+publishers.Message(err))
		}
	}
	return pub, nil
}

func permanent(msg string) error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: msg}
}

type created struct {
	ID     string `json:"id"`
	PostID string `json:"post_id"`
}

// noID is a create answer without an id: the post exists but Herald cannot name it.
func (c *Client) noID(what string) error {
	return &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "Facebook accepted the " + what + " but did not say its id; Herald will check whether it was published"}
}

// firstLink is the text's first URL, which Facebook turns into a link card.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

func firstLink(text string) string {
	l := linkPattern.FindString(text)
	return strings.TrimRight(l, ".,;:!?)]}'\"")
}

// postStatus creates a text post (with the first link of the text as its link).
func (c *Client) postStatus(ctx context.Context, s session, text string) (string, error) {
	params := url.Values{"message": {text}}
	if l := firstLink(text); l != "" {
		params.Set("link", l)
	}
	var out created
	if err := c.graph.Post(ctx, metagraph.OpCreate, s.token, "/"+s.pageID+"/feed", params, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", c.noID("post")
	}
	return out.ID, nil
}

// mediaSource is how a photo or video reaches Facebook: its public URL, or its bytes.
func mediaSource(ctx context.Context, n int, m publishers.Media, urlParam, fileName string, params url.Values) (*metagraph.File, error) {
	if m.URL != "" && publishers.PublicURLProblem("Facebook", m.URL) == "" {
		params.Set(urlParam, m.URL)
		return nil, nil
	}
	if m.Open == nil {
		if m.URL != "" {
			return nil, permanent(publishers.PublicURLProblem("Facebook", m.URL))
		}
		return nil, permanent(fmt.Sprintf("attachment %d has no content", n))
	}
	data, err := m.Open(ctx)
	if err != nil {
		return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: fmt.Sprintf("attachment %d could not be read from Herald's storage", n), Err: err}
	}
	return &metagraph.File{Field: "source", Name: fmt.Sprintf("%s-%d%s", fileName, n, content.FileExtension(m.MIME, m.Kind)), MIME: m.MIME, Data: data}, nil
}

// uploadPhoto sends photo n: published with the text as its message, or unpublished to be
// attached to a feed post.
func (c *Client) uploadPhoto(ctx context.Context, s session, n int, m publishers.Media, text string, published bool) (created, error) {
	params := url.Values{"published": {fmt.Sprint(published)}}
	if published && text != "" {
		params.Set("message", text)
	}
	if alt := strings.TrimSpace(m.AltText); alt != "" {
		params.Set("alt_text_custom", alt)
	}
	file, err := mediaSource(ctx, n, m, "url", "photo", params)
	if err != nil {
		return created{}, err
	}
	op := metagraph.OpWrite // an unpublished photo is never seen
	if published {
		op = metagraph.OpCreate
	}
	var out created
	if _, err := c.graph.Do(ctx, metagraph.Call{Op: op, Method: http.MethodPost, Path: "/" + s.pageID + "/photos",
		Token: s.token, Params: params, File: file}, &out); err != nil {
		return created{}, err
	}
	return out, nil
}

// postPhoto creates a post of one photo; its id is the post's (post_id), not the photo's.
func (c *Client) postPhoto(ctx context.Context, s session, text string, m publishers.Media) (string, error) {
	out, err := c.uploadPhoto(ctx, s, 1, m, text, true)
	if err != nil {
		return "", err
	}
	switch {
	case out.PostID != "":
		return out.PostID, nil
	case out.ID != "":
		return out.ID, nil
	}
	return "", c.noID("photo")
}

// postAlbum uploads the photos unpublished, then creates one feed post attaching them all.
func (c *Client) postAlbum(ctx context.Context, s session, text string, photos []publishers.Media) (string, error) {
	type attached struct {
		MediaFBID string `json:"media_fbid"`
	}
	ids := make([]attached, 0, len(photos))
	for i, m := range photos {
		out, err := c.uploadPhoto(ctx, s, i+1, m, "", false)
		if err != nil {
			return "", err
		}
		if out.ID == "" {
			return "", &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("Facebook did not say the id of uploaded photo %d", i+1)}
		}
		ids = append(ids, attached{MediaFBID: out.ID})
	}
	b, _ := json.Marshal(ids)
	params := url.Values{"attached_media": {string(b)}}
	if text != "" {
		params.Set("message", text)
	}
	var out created
	if err := c.graph.Post(ctx, metagraph.OpCreate, s.token, "/"+s.pageID+"/feed", params, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", c.noID("post")
	}
	return out.ID, nil
}

// postVideo publishes a video on the Page with the text as its description; the id is the
// video's, whose address on Facebook is its post.
func (c *Client) postVideo(ctx context.Context, s session, text string, m publishers.Media) (string, error) {
	params := url.Values{"published": {"true"}}
	if text != "" {
		params.Set("description", text)
	}
	file, err := mediaSource(ctx, 1, m, "file_url", "video", params)
	if err != nil {
		return "", err
	}
	var out created
	if _, err := c.graph.Do(ctx, metagraph.Call{Op: metagraph.OpCreate, Method: http.MethodPost, Path: "/" + s.pageID + "/videos",
		Token: s.token, Params: params, File: file}, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", c.noID("video")
	}
	return out.ID, nil
}

// comment posts the first comment as the Page.
func (c *Client) comment(ctx context.Context, s session, objectID, text string) error {
	var out created
	return c.graph.Post(ctx, metagraph.OpCreate, s.token, "/"+objectID+"/comments", url.Values{"message": {text}}, &out)
}
