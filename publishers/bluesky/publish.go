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
// The later parts of a thread follow, each a reply to the part before it (reply.root the first
// post, reply.parent the previous part, both strong refs with the CID Bluesky returned), with its
// own images and facets, under RecordKey(publishers.PartKey(p.IdempotencyKey, i)) and checked
// with getRecord like the first post. What Herald can check without Bluesky (each part has text
// or images, the images are images Bluesky takes, every mention resolves) is checked for every
// part before the first post is created, so a thread is not cut short by what was known ahead.
//
// A first comment is posted as a reply to the last part (to the post itself without a thread)
// under RecordKey(p.IdempotencyKey + "-c1"). Once the first post exists Publish succeeds (failing
// would make the scheduler retry a post that exists): a part that fails stops the thread there,
// and the first comment is then not posted; what failed is a Published.Warnings entry, and is
// logged. Publishing the same target again finds the records that exist and creates the rest.
//
// See the package documentation for how *creds changes when the session is refreshed.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if strings.TrimSpace(p.IdempotencyKey) == "" {
		return publishers.Published{}, publishers.Errorf(Name, publishers.KindPermanent, 0, "the post has no idempotency key")
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, publishers.Errorf(Name, publishers.KindPermanent, 0, "the post is empty")
	}
	parts := make([]publishers.ThreadPart, 0, 1+len(p.Thread))
	parts = append(parts, publishers.ThreadPart{Text: p.Text, Media: p.Media})
	parts = append(parts, p.Thread...)
	total := len(parts)
	for i, part := range parts {
		label := func(msg string) string { return msg }
		if total > 1 {
			label = func(msg string) string { return fmt.Sprintf("part %d of %d: %s", i+1, total, msg) }
		}
		if i > 0 && strings.TrimSpace(part.Text) == "" && len(part.Media) == 0 {
			return publishers.Published{}, publishers.Errorf(Name, publishers.KindPermanent, 0, "%s", label("the part is empty"))
		}
		if err := checkImages(part.Media); err != nil {
			var pe *publishers.Error
			if errors.As(err, &pe) {
				cp := *pe
				cp.Message = label(pe.Message)
				return publishers.Published{}, &cp
			}
			return publishers.Published{}, err
		}
	}
	st, err := c.newCallState(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if err := c.ensureFresh(ctx, st); err != nil {
		return publishers.Published{}, err
	}
	// Facets for every part now, strictly: nothing is posted yet, so a resolver that fails can
	// still fail the whole post, and a retry will notify the people mentioned.
	texts := make([]richText, total)
	for i, part := range parts {
		parts[i].Text = strings.ToValidUTF8(part.Text, "\uFFFD")
		if texts[i], err = c.buildRichText(ctx, st, parts[i].Text, true); err != nil {
			return publishers.Published{}, err
		}
	}

	rkey := RecordKey(p.IdempotencyKey)
	root, when, err := c.publishPart(ctx, st, parts[0], texts[0], p.Language, rkey, nil)
	if err != nil {
		return publishers.Published{}, err
	}
	pub := publishers.Published{ExternalID: root.URI, URL: postURL(nonEmpty(st.sess.handle, st.sess.did), rkey), PublishedAt: when}
	hasComment := strings.TrimSpace(p.FirstComment) != ""
	last := root
	for i := 1; i < total; i++ {
		ref, _, err := c.publishPart(ctx, st, parts[i], texts[i], p.Language, RecordKey(publishers.PartKey(p.IdempotencyKey, i)),
			&replyRef{Root: root, Parent: last})
		if err != nil {
			pub.Warnings = append(pub.Warnings, publishers.ThreadPartWarning(displayName, i+1, total, err, hasComment))
			c.log.Warn("bluesky thread part not posted; the post itself was published",
				"post", root.URI, "part", i+1, "parts", total, "kind", publishers.KindOf(err).String(), "code", errorCode(err), "err", err.Error())
			return pub, nil
		}
		last = ref
	}
	if hasComment {
		if err := c.postFirstComment(ctx, st, p, root, last); err != nil {
			pub.Warnings = append(pub.Warnings, publishers.FirstCommentWarning(displayName, err))
		}
	}
	return pub, nil
}

// displayName is how warnings name the network.
const displayName = "Bluesky"

// publishPart uploads a part's images and creates its record under rkey, as a reply when reply
// is set, or finds the record an earlier attempt created (see createPost).
func (c *Client) publishPart(ctx context.Context, st *callState, part publishers.ThreadPart, rt richText, lang, rkey string, reply *replyRef) (strongRef, time.Time, error) {
	images, err := c.uploadImages(ctx, st, part.Media)
	if err != nil {
		return strongRef{}, time.Time{}, err
	}
	return c.createPost(ctx, st, rkey, c.newRecord(part.Text, lang, rt, images, reply))
}

// errorCode is the network's error code of err, "" without one.
func errorCode(err error) string {
	var pe *publishers.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// buildRecord assembles a post record, building its rich text first. images, when any, become
// the embed; otherwise the first link becomes a link card.
func (c *Client) buildRecord(ctx context.Context, st *callState, text, lang string, images []embedImage, reply *replyRef, strict bool) (postRecord, error) {
	// JSON encoding would replace invalid UTF-8 with U+FFFD and move every byte offset after it:
	// replace it first, so the facets index the text Bluesky receives.
	text = strings.ToValidUTF8(text, "\uFFFD")
	rt, err := c.buildRichText(ctx, st, text, strict)
	if err != nil {
		return postRecord{}, err
	}
	return c.newRecord(text, lang, rt, images, reply), nil
}

// newRecord assembles a post record from text (valid UTF-8) and its rich text, created now.
func (c *Client) newRecord(text, lang string, rt richText, images []embedImage, reply *replyRef) postRecord {
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
	return rec
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

// checkImages checks, without reading them, that attachments are images Bluesky can take: at
// most MaxImages, each an image with content and not larger than it says.
func checkImages(media []publishers.Media) error {
	if len(media) > MaxImages {
		return publishers.Errorf(Name, publishers.KindPermanent, 0, "Bluesky takes at most %d images per post; this one has %d", MaxImages, len(media))
	}
	limit := maxImageBytes()
	for i, m := range media {
		n := i + 1
		if m.Kind != content.KindImage {
			return publishers.Errorf(Name, publishers.KindPermanent, 0, "attachment %d is a %s; Herald publishes only images to Bluesky", n, nonEmpty(string(m.Kind), "file of unknown kind"))
		}
		if m.Open == nil {
			return publishers.Errorf(Name, publishers.KindPermanent, 0, "attachment %d has no content", n)
		}
		if m.Size > limit {
			return tooLarge(n, m.Size, limit)
		}
	}
	return nil
}

// uploadImages uploads each attachment with com.atproto.repo.uploadBlob.
func (c *Client) uploadImages(ctx context.Context, st *callState, media []publishers.Media) ([]embedImage, error) {
	if err := checkImages(media); err != nil {
		return nil, err
	}
	limit := maxImageBytes()
	var out []embedImage
	for i, m := range media {
		n := i + 1
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

// postFirstComment replies to parent (the last part of the thread, or the post itself) with the
// first comment, in the thread that starts at root. A failure is logged and returned for the
// warning; see Publish.
func (c *Client) postFirstComment(ctx context.Context, st *callState, p publishers.Post, root, parent strongRef) error {
	rec, err := c.buildRecord(ctx, st, p.FirstComment, p.Language, nil, &replyRef{Root: root, Parent: parent}, false)
	if err == nil {
		_, _, err = c.createPost(ctx, st, RecordKey(commentKey(p.IdempotencyKey)), rec)
	}
	if err != nil {
		c.log.Warn("bluesky first comment not posted; the post itself was published",
			"post", root.URI, "kind", publishers.KindOf(err).String(), "code", errorCode(err), "err", err.Error())
	}
	return err
}

// FindPublished asks getRecord whether the post exists under its deterministic key: the post
// when it does, (nil, nil) when Bluesky says RecordNotFound, and an error of kind KindUnknown
// otherwise. A found post whose thread parts or first comment are missing under their own keys
// carries a warning that says so (see missingParts); FindPublished never publishes them.
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
	pub := &publishers.Published{ExternalID: ref.URI, URL: postURL(nonEmpty(st.sess.handle, st.sess.did), rkey), PublishedAt: at}
	if w := c.missingParts(ctx, st, p); w != "" {
		pub.Warnings = append(pub.Warnings, w)
	}
	return pub, nil
}

// missingParts checks, for a found post, whether the later parts of its thread and its first
// comment exist under their record keys, in order, with getRecord: one cheap call each, and a
// RecordNotFound is a sure answer. It returns a warning naming what is missing from the first
// missing record on, or "" when everything is there or a lookup fails (Herald cannot tell).
func (c *Client) missingParts(ctx context.Context, st *callState, p publishers.Post) string {
	comment := strings.TrimSpace(p.FirstComment) != ""
	total := 1 + len(p.Thread)
	for i := 1; i < total; i++ {
		_, _, ok, err := c.getPost(ctx, st, RecordKey(publishers.PartKey(p.IdempotencyKey, i)))
		switch {
		case err != nil:
			return ""
		case !ok:
			return publishers.MissingAfterFoundWarning(displayName, i+1, total, comment)
		}
	}
	if comment {
		_, _, ok, err := c.getPost(ctx, st, RecordKey(commentKey(p.IdempotencyKey)))
		if err == nil && !ok {
			return publishers.MissingAfterFoundWarning(displayName, total+1, total, true)
		}
	}
	return ""
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
