package metagraphtest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"
)

// create serves the POSTs the fake simulates.
func (s *Server) create(w http.ResponseWriter, q *request, typ, id, edge string) *gerr {
	switch typ + "/" + edge {
	case "Page/feed":
		return s.createFeedPost(w, q, id)
	case "Page/photos":
		return s.createPhoto(w, q, id)
	case "Page/videos":
		return s.createVideo(w, q, id)
	case "PagePost/comments", "Photo/comments", "AdVideo/comments", "IGMedia/comments":
		return s.createComment(w, q, typ, id)
	case "IGUser/media":
		return s.createContainer(w, q, id)
	case "IGUser/media_publish":
		return s.publishContainer(w, q, id)
	}
	return unsupported(q.method, id)
}

func boolParam(v string, def bool) bool {
	switch strings.ToLower(v) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	return def
}

// fetchable reports whether Meta's servers could download u: an absolute http(s) URL on a host
// of the internet, not a private or loopback address.
func fetchable(u string) bool {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return false
	}
	host := strings.ToLower(pu.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified())
	}
	return strings.Contains(host, ".") && net.ParseIP(host) == nil
}

// createFeedPost serves POST /{page-id}/feed: a status, a link, or unpublished photos attached
// with attached_media.
func (s *Server) createFeedPost(w http.ResponseWriter, q *request, pageID string) *gerr {
	message, link := q.get("message"), q.get("link")
	var attached []string
	if raw := q.get("attached_media"); raw != "" {
		var items []map[string]any
		if err := json.Unmarshal([]byte(raw), &items); err != nil {
			return invalid("(#100) param attached_media must be an array of objects")
		}
		for _, it := range items {
			fbid, _ := it["media_fbid"].(string)
			if fbid == "" {
				return invalid("(#100) Each attached_media entry needs a media_fbid")
			}
			attached = append(attached, fbid)
		}
	}
	if strings.TrimSpace(message) == "" && link == "" && len(attached) == 0 {
		return invalid("(#100) Missing message or attachment")
	}
	if link != "" && !fetchable(link) {
		return invalid("(#100) The link " + link + " could not be fetched")
	}
	if utf8.RuneCountInString(message) > 63206 {
		return invalid("(#100) The message is too long")
	}
	if !boolParam(q.get("published"), true) {
		return invalid("(#100) metagraphtest does not simulate unpublished or scheduled feed posts")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fbid := range attached {
		ph := s.photos[fbid]
		if ph == nil || ph.pageID != pageID || ph.published || ph.postID != "" {
			return invalid("(#100) attached_media: " + fbid + " is not an unpublished photo of this Page")
		}
	}
	p := &post{id: pageID + "_" + s.newID(), pageID: pageID, message: message, link: link, kind: "status", created: s.now().UTC()}
	if len(attached) > 0 {
		p.kind = "album"
		p.photoIDs = attached
		for _, fbid := range attached {
			s.photos[fbid].postID = p.id
		}
	}
	s.posts[p.id] = p
	s.kinds[p.id] = "PagePost"
	s.createdByMessage[message]++
	writeJSON(w, http.StatusOK, map[string]string{"id": p.id})
	return nil
}

// createPhoto serves POST /{page-id}/photos: by url or an uploaded source; published=false keeps
// it for attached_media.
func (s *Server) createPhoto(w http.ResponseWriter, q *request, pageID string) *gerr {
	src, hasFile := q.files["source"]
	u := q.get("url")
	switch {
	case !hasFile && u == "":
		return oauthErr(http.StatusBadRequest, 324, 2069019, "(#324) Requires upload file")
	case hasFile && u != "":
		return invalid("(#100) Give either url or source, not both")
	case u != "" && !fetchable(u):
		return oauthErr(http.StatusBadRequest, 324, 0, "(#324) Missing or invalid image file: the url could not be downloaded")
	case hasFile && (!strings.HasPrefix(src.mime, "image/") || len(src.data) == 0):
		return oauthErr(http.StatusBadRequest, 324, 0, "(#324) Missing or invalid image file")
	}
	published := boolParam(q.get("published"), true)
	s.mu.Lock()
	defer s.mu.Unlock()
	ph := &photo{id: s.newID(), pageID: pageID, message: q.get("message"), url: u, alt: q.get("alt_text_custom"),
		mime: src.mime, data: src.data, published: published, created: s.now().UTC()}
	s.photos[ph.id] = ph
	s.kinds[ph.id] = "Photo"
	if !published {
		writeJSON(w, http.StatusOK, map[string]string{"id": ph.id})
		return nil
	}
	p := &post{id: pageID + "_" + s.newID(), pageID: pageID, message: ph.message, kind: "photo", created: ph.created, photoIDs: []string{ph.id}}
	ph.postID = p.id
	s.posts[p.id] = p
	s.kinds[p.id] = "PagePost"
	s.createdByMessage[ph.message]++
	writeJSON(w, http.StatusOK, map[string]string{"id": ph.id, "post_id": p.id})
	return nil
}

// createVideo serves POST /{page-id}/videos: an uploaded source or a file_url, published on the
// Page with its description.
func (s *Server) createVideo(w http.ResponseWriter, q *request, pageID string) *gerr {
	src, hasFile := q.files["source"]
	fileURL := q.get("file_url")
	switch {
	case !hasFile && fileURL == "":
		return oauthErr(http.StatusBadRequest, 390, 0, "(#390) There was a problem uploading your video file: no file was given (source or file_url)")
	case fileURL != "" && !fetchable(fileURL):
		return oauthErr(http.StatusBadRequest, 390, 1363030, "(#390) Your video upload timed out before it could be completed: the file_url could not be downloaded")
	case hasFile && (!strings.HasPrefix(src.mime, "video/") || len(src.data) == 0):
		return oauthErr(http.StatusBadRequest, 352, 0, "(#352) Sorry, the video file you selected is in a format that we don't support.")
	}
	if !boolParam(q.get("published"), true) {
		return invalid("(#100) metagraphtest does not simulate unpublished videos")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &video{id: s.newID(), pageID: pageID, description: q.get("description"), title: q.get("title"), fileURL: fileURL,
		mime: src.mime, data: src.data, created: s.now().UTC()}
	s.videos[v.id] = v
	s.kinds[v.id] = "AdVideo"
	p := &post{id: pageID + "_" + s.newID(), pageID: pageID, message: v.description, kind: "video", created: v.created, videoID: v.id}
	s.posts[p.id] = p
	s.kinds[p.id] = "PagePost"
	s.createdByMessage[v.description]++
	writeJSON(w, http.StatusOK, map[string]string{"id": v.id})
	return nil
}

// createComment serves POST /{object-id}/comments on a Page post, photo or video (as the Page)
// and on Instagram media.
func (s *Server) createComment(w http.ResponseWriter, q *request, typ, id string) *gerr {
	message := q.get("message")
	if strings.TrimSpace(message) == "" && q.get("attachment_url") == "" && q.get("attachment_id") == "" {
		return invalid("(#100) Missing message or attachment")
	}
	if typ == "IGMedia" && utf8.RuneCountInString(message) > 2200 {
		return invalid("(#100) The comment is longer than 2,200 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &comment{id: s.newID(), parent: id, message: message, created: s.now().UTC()}
	cid := c.id
	if typ != "IGMedia" {
		local := id
		if _, after, ok := strings.Cut(id, "_"); ok {
			local = after
		}
		cid = local + "_" + c.id
		c.id = cid
	}
	s.comments[c.id] = c
	if typ == "IGMedia" {
		s.kinds[c.id] = "IGComment"
	} else {
		s.kinds[c.id] = "Comment"
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": cid})
	return nil
}

// createContainer serves POST /{ig-user-id}/media: an image, a reel (or a carousel's video
// item), or a carousel of finished item containers. Instagram downloads the media itself, so a
// URL its servers cannot reach is refused.
func (s *Server) createContainer(w http.ResponseWriter, q *request, igID string) *gerr {
	mediaType := q.get("media_type")
	item := boolParam(q.get("is_carousel_item"), false)
	imageURL, videoURL := q.get("image_url"), q.get("video_url")
	var children []string
	if raw := q.get("children"); raw != "" {
		children, _ = splitList(raw, "string")
	}
	fetchErr := func(u string) *gerr {
		return &gerr{status: http.StatusBadRequest, code: 9004, subcode: 2207052, typ: "OAuthException",
			msg: "Media download has failed. The media URI doesn't meet our requirements: " + u}
	}
	switch mediaType {
	case "", "IMAGE":
		if imageURL == "" || videoURL != "" || len(children) > 0 {
			return invalid("(#100) The parameter image_url is required.")
		}
		if !fetchable(imageURL) {
			return fetchErr(imageURL)
		}
	case "REELS", "VIDEO":
		if videoURL == "" || imageURL != "" {
			return invalid("(#100) The parameter video_url is required.")
		}
		if mediaType == "VIDEO" && !item {
			return invalid("(#100) The VIDEO media type is only for carousel items; publish a single video as REELS.")
		}
		if !fetchable(videoURL) {
			return fetchErr(videoURL)
		}
	case "CAROUSEL":
		if len(children) < 2 || len(children) > 10 || imageURL != "" || videoURL != "" || item {
			return invalid("(#100) A carousel needs between 2 and 10 children and no media of its own.")
		}
	default:
		return invalid("(#100) Param media_type must be one of {REELS, VIDEO, CAROUSEL, STORIES} or omitted for an image")
	}
	if utf8.RuneCountInString(q.get("caption")) > 2200 {
		return invalid("(#100) The caption is longer than 2,200 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, ch := range children {
		c := s.containers[ch]
		if c == nil || c.igID != igID || !c.carouselItem {
			return invalid("(#100) The carousel child " + ch + " is not a carousel item container of this account")
		}
		if code, _ := s.containerStatus(c, now); code != "FINISHED" {
			return &gerr{status: http.StatusBadRequest, code: 9007, subcode: 2207027, typ: "OAuthException",
				msg: "(#9007) Media ID is not available: the carousel item " + ch + " is not ready"}
		}
	}
	c := &container{id: s.newID(), igID: igID, mediaType: mediaType, imageURL: imageURL, videoURL: videoURL, caption: q.get("caption"),
		alt: q.get("alt_text"), carouselItem: item, children: children, created: now, readyAt: now}
	if videoURL != "" {
		c.readyAt = now.Add(s.processingDelay)
	}
	if len(s.outcomes) > 0 {
		o := s.outcomes[0]
		s.outcomes = s.outcomes[1:]
		c.outcome, c.errText = o.status, o.text
	}
	s.containers[c.id] = c
	s.kinds[c.id] = "ShadowIGMediaBuilder"
	writeJSON(w, http.StatusOK, map[string]string{"id": c.id})
	return nil
}

// publishContainer serves POST /{ig-user-id}/media_publish: a finished container becomes media,
// within the account's publishing limit.
func (s *Server) publishContainer(w http.ResponseWriter, q *request, igID string) *gerr {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c := s.containers[q.get("creation_id")]
	if c == nil || c.igID != igID {
		return &gerr{status: http.StatusBadRequest, code: 9007, subcode: 2207006, typ: "OAuthException",
			msg: "(#9007) The media with id " + q.get("creation_id") + " cannot be found"}
	}
	if c.carouselItem {
		return invalid("(#100) A carousel item cannot be published on its own")
	}
	switch code, text := s.containerStatus(c, now); code {
	case "IN_PROGRESS":
		return &gerr{status: http.StatusBadRequest, code: 9007, subcode: 2207027, typ: "OAuthException",
			msg: "(#9007) Media ID is not available: The media is not ready for publishing, please wait for a moment"}
	case "ERROR":
		return &gerr{status: http.StatusBadRequest, code: 9004, subcode: 2207001, typ: "OAuthException", msg: "Media upload has failed: " + text}
	case "EXPIRED":
		return &gerr{status: http.StatusBadRequest, code: 9004, subcode: 2207008, typ: "OAuthException",
			msg: "The media builder with creation id = " + c.id + " does not exist or has expired"}
	case "PUBLISHED":
		return &gerr{status: http.StatusBadRequest, code: 9007, subcode: 2207006, typ: "OAuthException",
			msg: "(#9007) The media with id " + c.id + " has already been published"}
	}
	used := 0
	for _, t := range s.publishes[igID] {
		if now.Sub(t) < quotaDuration {
			used++
		}
	}
	if used >= s.quotaTotal {
		return &gerr{status: http.StatusBadRequest, code: 9, subcode: 2207042, typ: "OAuthException",
			msg: "(#9) Application request limit reached: You reached maximum number of posts that is allowed to be published by Content Publish API."}
	}
	m := &media{id: s.newID(), igID: igID, caption: c.caption, mediaType: "IMAGE", productType: "FEED", ts: now.UTC()}
	switch c.mediaType {
	case "REELS":
		m.mediaType, m.productType = "VIDEO", "REELS"
	case "CAROUSEL":
		m.mediaType = "CAROUSEL_ALBUM"
		for _, ch := range c.children {
			child := s.containers[ch]
			cm := &media{id: s.newID(), igID: igID, mediaType: "IMAGE", productType: "FEED", ts: m.ts}
			if child.videoURL != "" {
				cm.mediaType = "VIDEO"
			}
			cm.shortcode = "C" + cm.id[len(cm.id)-8:]
			s.media[cm.id] = cm
			s.kinds[cm.id] = "IGMedia"
			child.published = true
			m.children = append(m.children, cm.id)
		}
	}
	m.shortcode = "C" + m.id[len(m.id)-8:]
	s.media[m.id] = m
	s.kinds[m.id] = "IGMedia"
	c.published = true
	s.publishes[igID] = append(s.publishes[igID], now)
	s.createdByCaption[c.caption]++
	writeJSON(w, http.StatusOK, map[string]string{"id": m.id})
	return nil
}
