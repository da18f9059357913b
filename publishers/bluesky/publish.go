package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig reads the dimensions of GIF, JPEG and PNG images
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Embed and record types.
const (
	typeImages   = "app.bsky.embed.images"
	typeExternal = "app.bsky.embed.external"
)

// postRecord is an app.bsky.feed.post record.
type postRecord struct {
	Type      string    `json:"$type"`
	Text      string    `json:"text"`
	CreatedAt string    `json:"createdAt"`
	Langs     []string  `json:"langs,omitempty"`
	Facets    []facet   `json:"facets,omitempty"`
	Reply     *replyRef `json:"reply,omitempty"`
	Embed     any       `json:"embed,omitempty"`
}

// strongRef is com.atproto.repo.strongRef: a record and the hash of its content.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// replyRef is app.bsky.feed.post#replyRef.
type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

// imagesEmbed is app.bsky.embed.images.
type imagesEmbed struct {
	Type   string       `json:"$type"`
	Images []embedImage `json:"images"`
}

type embedImage struct {
	// Image is the blob reference exactly as uploadBlob returned it.
	Image       json.RawMessage `json:"image"`
	Alt         string          `json:"alt"`
	AspectRatio *aspectRatio    `json:"aspectRatio,omitempty"`
}

type aspectRatio struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// externalEmbed is app.bsky.embed.external, a link card.
type externalEmbed struct {
	Type     string   `json:"$type"`
	External external `json:"external"`
}

type external struct {
	URI         string `json:"uri"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// createdAt formats a record timestamp as atproto prefers: RFC 3339, UTC, milliseconds.
func createdAt(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// languageTag loosely checks a BCP 47 tag ("en", "pt-BR", "zh-Hant").
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// Publish creates the post: it uploads the images, builds the facets (resolving mentions), and
// creates the record under RecordKey(p.IdempotencyKey). Without images, the first link of the
// text becomes a link card whose title is the URL (Herald does not fetch the page).
//
// When createRecord fails or goes unanswered, Publish asks getRecord whether the record exists
// and reports it as published when it does; after an unanswered createRecord whose record does
// not exist, it sends createRecord once more, which is safe because the key is the same. An
// outcome it still cannot tell is KindUnknown.
//
// A first comment is posted as a reply under RecordKey(p.IdempotencyKey + "-c1"). If it fails
// after the post was created, Publish still succeeds (the post is out, and failing would make
// the scheduler retry a post that exists); the failure is logged. Publishing the same target
// again posts a missing comment and finds an existing one.
//
// See the package documentation for how *creds changes when the session is refreshed.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if strings.TrimSpace(p.IdempotencyKey) == "" {
		return publishers.Published{}, publishers.Errorf(Name, publishers.KindPermanent, 0, "the post has no idempotency key")
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, publishers.Errorf(Name, publishers.KindPermanent, 0, "the post is empty")
	}
	st, err := c.newCallState(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if err := c.ensureFresh(ctx, st); err != nil {
		return publishers.Published{}, err
	}
	images, err := c.uploadImages(ctx, st, p.Media)
	if err != nil {
		return publishers.Published{}, err
	}
	rec, err := c.buildRecord(ctx, st, p.Text, p.Language, images, nil, true)
	if err != nil {
		return publishers.Published{}, err
	}
	rkey := RecordKey(p.IdempotencyKey)
	ref, when, err := c.createPost(ctx, st, rkey, rec)
	if err != nil {
		return publishers.Published{}, err
	}
	if strings.TrimSpace(p.FirstComment) != "" {
		c.postFirstComment(ctx, st, p, ref)
	}
	return publishers.Published{ExternalID: ref.URI, URL: postURL(nonEmpty(st.sess.handle, st.sess.did), rkey), PublishedAt: when}, nil
}

// buildRecord assembles a post record. images, when any, become the embed; otherwise the first
// link becomes a link card.
func (c *Client) buildRecord(ctx context.Context, st *callState, text, lang string, images []embedImage, reply *replyRef, strict bool) (postRecord, error) {
	// JSON encoding would replace invalid UTF-8 with U+FFFD and move every byte offset after it:
	// replace it first, so the facets index the text Bluesky receives.
	text = strings.ToValidUTF8(text, "\uFFFD")
	rt, err := c.buildRichText(ctx, st, text, strict)
	if err != nil {
		return postRecord{}, err
	}
	rec := postRecord{Type: PostCollection, Text: text, CreatedAt: createdAt(c.now()), Facets: rt.facets, Reply: reply}
	if lang = strings.TrimSpace(lang); languageTag.MatchString(lang) {
		rec.Langs = []string{lang}
	}
	switch {
	case len(images) > 0:
		rec.Embed = imagesEmbed{Type: typeImages, Images: images}
	case rt.firstLink != "":
		rec.Embed = externalEmbed{Type: typeExternal, External: external{URI: rt.firstLink, Title: rt.firstLink}}
	}
	return rec, nil
}

// createPost creates the record under rkey, or finds it when an earlier attempt did. It returns
// the record's reference and when it was created.
func (c *Client) createPost(ctx context.Context, st *callState, rkey string, rec postRecord) (strongRef, time.Time, error) {
	send := func() (strongRef, error) {
		var out strongRef
		err := c.authed(ctx, st, call{
			nsid: nsidCreateRecord, post: true, unsafe: true,
			body: map[string]any{"repo": st.sess.did, "collection": PostCollection, "rkey": rkey, "record": rec},
		}, &out)
		return out, err
	}
	// PublishedAt is the record's createdAt, to the millisecond, so that a post found later by
	// getRecord reports the same moment as the publish that created it.
	created, perr := time.Parse(time.RFC3339Nano, rec.CreatedAt)
	if perr != nil {
		created = c.now()
	}
	ref, err := send()
	if err == nil {
		return ref, created, nil
	}
	kind := publishers.KindOf(err)
	if kind != publishers.KindUnknown && !conflictLike(err) {
		return strongRef{}, time.Time{}, err
	}
	if ctx.Err() != nil {
		return strongRef{}, time.Time{}, unknownOutcome(err, nil)
	}
	found, at, ok, gerr := c.getPost(ctx, st, rkey)
	switch {
	case gerr != nil && kind == publishers.KindUnknown:
		return strongRef{}, time.Time{}, unknownOutcome(err, gerr)
	case gerr != nil:
		return strongRef{}, time.Time{}, err
	case ok:
		return found, at, nil
	case kind != publishers.KindUnknown:
		return strongRef{}, time.Time{}, err // refused, and nothing exists under the key
	}
	// Unanswered, and nothing exists under the key: no record was made, or the first request is
	// still on its way. Sending again cannot make two (the key is the same).
	ref, err = send()
	if err == nil {
		return ref, created, nil
	}
	if conflictLike(err) || publishers.KindOf(err) == publishers.KindUnknown {
		if found, at, ok, gerr := c.getPost(ctx, st, rkey); gerr == nil && ok {
			return found, at, nil
		}
	}
	return strongRef{}, time.Time{}, err
}

// conflictLike reports whether a createRecord failure may be Bluesky refusing a key that is
// already taken, which it answers with a 500 (observed) or an InvalidRequest rather than a 409.
func conflictLike(err error) bool {
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Status >= 500 || pe.Status == http.StatusConflict ||
		pe.Status == http.StatusBadRequest && (pe.Code == "InvalidRequest" || pe.Code == "")
}

// unknownOutcome reports a createRecord whose outcome could not be settled.
func unknownOutcome(err, checkErr error) error {
	msg := "Bluesky did not confirm the post and Herald could not check whether it exists"
	if checkErr != nil {
		msg += " (" + publishers.KindOf(checkErr).String() + ")"
	}
	pe := &publishers.Error{Network: Name, Kind: publishers.KindUnknown, Message: msg, Err: err}
	var orig *publishers.Error
	if errors.As(err, &orig) {
		pe.Status, pe.Code = orig.Status, orig.Code
	}
	return pe
}

// getPost asks getRecord for the post under rkey in the account's repo. ok is false when the
// server says for sure there is none; err when it cannot tell. The call needs no session.
func (c *Client) getPost(ctx context.Context, st *callState, rkey string) (ref strongRef, at time.Time, ok bool, err error) {
	var out struct {
		URI   string `json:"uri"`
		CID   string `json:"cid"`
		Value struct {
			CreatedAt string `json:"createdAt"`
		} `json:"value"`
	}
	err = c.do(ctx, call{
		nsid: nsidGetRecord, base: st.sess.pds, account: st.sess.did,
		params: url.Values{"repo": {st.sess.did}, "collection": {PostCollection}, "rkey": {rkey}},
	}, &out)
	if err != nil {
		var pe *publishers.Error
		if errors.As(err, &pe) && notFound(pe) {
			return strongRef{}, time.Time{}, false, nil
		}
		return strongRef{}, time.Time{}, false, err
	}
	if out.URI == "" || out.CID == "" {
		return strongRef{}, time.Time{}, false, publishers.Errorf(Name, publishers.KindRetryable, 0, "Bluesky returned a record without its URI or CID")
	}
	at, perr := time.Parse(time.RFC3339Nano, out.Value.CreatedAt)
	if perr != nil {
		at = c.now()
	}
	return strongRef{URI: out.URI, CID: out.CID}, at.UTC(), true, nil
}

// notFound reports getRecord's "no such record": RecordNotFound, or the InvalidRequest "Could
// not locate record" of older PDS versions.
func notFound(pe *publishers.Error) bool {
	if pe.Code == codeRecordNotFound {
		return true
	}
	return pe.Status == http.StatusBadRequest && pe.Code == "InvalidRequest" &&
		strings.Contains(strings.ToLower(pe.Message), "could not locate record")
}

// uploadImages uploads each attachment with com.atproto.repo.uploadBlob.
func (c *Client) uploadImages(ctx context.Context, st *callState, media []publishers.Media) ([]embedImage, error) {
	if len(media) > MaxImages {
		return nil, publishers.Errorf(Name, publishers.KindPermanent, 0, "Bluesky takes at most %d images per post; this one has %d", MaxImages, len(media))
	}
	limit := maxImageBytes()
	var out []embedImage
	for i, m := range media {
		n := i + 1
		if m.Kind != content.KindImage {
			return nil, publishers.Errorf(Name, publishers.KindPermanent, 0, "attachment %d is a %s; Herald publishes only images to Bluesky", n, nonEmpty(string(m.Kind), "file of unknown kind"))
		}
		if m.Open == nil {
			return nil, publishers.Errorf(Name, publishers.KindPermanent, 0, "attachment %d has no content", n)
		}
		if m.Size > limit {
			return nil, tooLarge(n, m.Size, limit)
		}
		data, err := m.Open(ctx)
		if err != nil {
			return nil, &publishers.Error{Network: Name, Kind: publishers.KindRetryable, Message: fmt.Sprintf("attachment %d could not be read", n), Err: err}
		}
		if int64(len(data)) > limit {
			return nil, tooLarge(n, int64(len(data)), limit)
		}
		mime := strings.ToLower(strings.TrimSpace(m.MIME))
		if mime == "" {
			mime = http.DetectContentType(data)
		}
		if !strings.HasPrefix(mime, "image/") {
			return nil, publishers.Errorf(Name, publishers.KindPermanent, 0, "attachment %d is %s, not an image", n, mime)
		}
		var res struct {
			Blob json.RawMessage `json:"blob"`
		}
		if err := c.authed(ctx, st, call{nsid: nsidUploadBlob, post: true, raw: data, rawType: mime}, &res); err != nil {
			return nil, err
		}
		if len(res.Blob) == 0 {
			return nil, publishers.Errorf(Name, publishers.KindRetryable, 0, "Bluesky accepted attachment %d but returned no reference to it", n)
		}
		out = append(out, embedImage{Image: res.Blob, Alt: m.AltText, AspectRatio: aspectOf(data)})
	}
	return out, nil
}

func tooLarge(n int, size, limit int64) error {
	return publishers.Errorf(Name, publishers.KindPermanent, 0, "attachment %d is %d bytes; Bluesky takes images up to %d bytes", n, size, limit)
}

// aspectOf reads an image's dimensions, which Bluesky's apps use to lay the image out before it
// loads. Formats the standard library cannot read (WebP, HEIC) go without.
func aspectOf(data []byte) *aspectRatio {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 {
		return nil
	}
	return &aspectRatio{Width: cfg.Width, Height: cfg.Height}
}

// postFirstComment replies to the post with the first comment. Failures are logged only: see
// Publish.
func (c *Client) postFirstComment(ctx context.Context, st *callState, p publishers.Post, parent strongRef) {
	rec, err := c.buildRecord(ctx, st, p.FirstComment, p.Language, nil, &replyRef{Root: parent, Parent: parent}, false)
	if err == nil {
		_, _, err = c.createPost(ctx, st, RecordKey(commentKey(p.IdempotencyKey)), rec)
	}
	if err != nil {
		var pe *publishers.Error
		code := ""
		if errors.As(err, &pe) {
			code = pe.Code
		}
		c.log.Warn("bluesky first comment not posted; the post itself was published",
			"post", parent.URI, "kind", publishers.KindOf(err).String(), "code", code, "err", err.Error())
	}
}

// FindPublished asks getRecord whether the post exists under its deterministic key: the post
// when it does, (nil, nil) when Bluesky says RecordNotFound, and an error of kind KindUnknown
// otherwise.
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	if strings.TrimSpace(p.IdempotencyKey) == "" {
		return nil, publishers.Errorf(Name, publishers.KindUnknown, 0, "the post has no idempotency key to look it up by")
	}
	// getRecord needs no token: only where the repo is.
	sess := session{did: creds.Get(ExtraDID), handle: creds.Get(ExtraHandle), pds: creds.Get(ExtraPDS)}
	if sess.did == "" || sess.pds == "" {
		return nil, publishers.Errorf(Name, publishers.KindUnknown, 0, "the Bluesky channel has no account to look the post up in; reconnect it")
	}
	st := &callState{creds: creds, sess: sess}
	rkey := RecordKey(p.IdempotencyKey)
	ref, at, ok, err := c.getPost(ctx, st, rkey)
	if err != nil {
		return nil, asUnknown(err)
	}
	if !ok {
		return nil, nil
	}
	return &publishers.Published{ExternalID: ref.URI, URL: postURL(nonEmpty(st.sess.handle, st.sess.did), rkey), PublishedAt: at}, nil
}

// asUnknown turns a failed lookup into the KindUnknown FindPublished promises, keeping the
// details (and a RetryAfter) of the cause.
func asUnknown(err error) error {
	var pe *publishers.Error
	if errors.As(err, &pe) {
		cp := *pe
		cp.Kind = publishers.KindUnknown
		cp.Message = "Herald could not check whether the post exists: " + pe.Message
		cp.Err = err
		return &cp
	}
	return &publishers.Error{Network: Name, Kind: publishers.KindUnknown, Message: "Herald could not check whether the post exists", Err: err}
}
