package xtest

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The v2 media upload, as docs.x.com describes it ("Initialize media upload", "Append Media
// upload", "Finalize Media upload", "Get Media upload status", "Create Media metadata"); X's
// OpenAPI description in apispec does not cover it. Every endpoint needs the media.write scope.

var mediaScopes = []string{"media.write"}

// The values the initialize endpoint documents.
var (
	mediaTypes = []string{"video/mp4", "video/webm", "video/mp2t", "video/quicktime", "text/srt", "text/vtt",
		"image/jpeg", "image/gif", "image/bmp", "image/png", "image/webp", "image/pjpeg", "image/tiff",
		"model/gltf-binary", "model/vnd.usdz+zip"}
	mediaCategories = []string{"amplify_video", "tweet_gif", "tweet_image", "tweet_video", "dm_gif", "dm_image", "dm_video", "subtitles"}
	// categoryLimits are X's size limits per use (5 MB images, 15 MB GIFs, 512 MB videos).
	categoryLimits = map[string]int{"tweet_image": 5 << 20, "tweet_gif": 15 << 20, "tweet_video": 512 << 20}
	idPattern      = regexp.MustCompile(`^[0-9]{1,19}$`)
)

// checkFields flags body fields the documentation does not give for an endpoint.
func (s *Server) checkFields(endpoint string, body map[string]any, allowed ...string) []string {
	var problems []string
	names := make([]string, 0, len(body))
	for name := range body {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			problems = append(problems, fmt.Sprintf("%s is not a field of %s", name, endpoint))
		}
	}
	for _, p := range problems {
		s.errorf("%s: %s", endpoint, p)
	}
	return problems
}

// mediaKey is X's media key for an upload: 3_ photos, 16_ animated GIFs, 7_ videos.
func mediaKey(category, id string) string {
	switch category {
	case "tweet_gif", "dm_gif":
		return "16_" + id
	case "tweet_video", "amplify_video", "dm_video":
		return "7_" + id
	}
	return "3_" + id
}

// ownedMedia returns the caller's upload named by the path, or writes X's answer for an unknown
// one. Callers hold mu.
func (s *Server) ownedMedia(w http.ResponseWriter, id string) *Media {
	m, ok := s.media[id]
	if !ok || m.owner != s.account.id {
		invalidRequest(w, "The media_id ["+id+"] is invalid or has expired.")
		return nil
	}
	return m
}

// mediaInitialize serves POST /2/media/upload/initialize.
func (s *Server) mediaInitialize(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, mediaScopes); !ok {
		return
	}
	body, err := decodeJSON(readBody(r))
	if err != nil {
		s.errorf("POST /2/media/upload/initialize: the body is not a JSON object: %v", err)
		invalidRequest(w, "the body must be a JSON object")
		return
	}
	if p := s.checkFields("POST /2/media/upload/initialize", body, "media_type", "total_bytes", "media_category", "additional_owners", "shared"); len(p) > 0 {
		invalidRequest(w, p...)
		return
	}
	mt, _ := body["media_type"].(string)
	category, _ := body["media_category"].(string)
	total, isNum := body["total_bytes"].(float64)
	switch {
	case !slices.Contains(mediaTypes, mt):
		invalidRequest(w, fmt.Sprintf("media_type %q is not one of %v", mt, mediaTypes))
		return
	case category != "" && !slices.Contains(mediaCategories, category):
		invalidRequest(w, fmt.Sprintf("media_category %q is not one of %v", category, mediaCategories))
		return
	case !isNum || total != float64(int64(total)) || total < 0 || total > 17179869184:
		invalidRequest(w, "total_bytes must be an integer between 0 and 17179869184")
		return
	}
	if category == "" {
		category = "tweet_image"
	}
	if limit, ok := categoryLimits[category]; ok && int(total) > limit {
		invalidRequest(w, fmt.Sprintf("File size exceeds %d bytes.", limit))
		return
	}
	s.mu.Lock()
	m := &Media{ID: s.newID(s.now()), MIME: mt, Category: category, TotalBytes: int(total), Segments: map[int]int{}, owner: s.account.id}
	m.Key = mediaKey(category, m.ID)
	s.media[m.ID] = m
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.ID, "media_key": m.Key, "expires_after_secs": 86400}})
}

// mediaAppend serves POST /2/media/upload/:id/append: multipart/form-data with the chunk in
// "media" and its "segment_index" (0–999), or JSON with the chunk base64-encoded.
func (s *Server) mediaAppend(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, mediaScopes); !ok {
		return
	}
	const endpoint = "POST /2/media/upload/:id/append"
	var (
		chunk   []byte
		segment string
		have    = map[string]any{}
	)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		mr := multipart.NewReader(strings.NewReader(string(readBody(r))), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				invalidRequest(w, "the multipart body cannot be read")
				return
			}
			b, _ := io.ReadAll(part)
			have[part.FormName()] = true
			switch part.FormName() {
			case "media":
				chunk = b
			case "segment_index":
				segment = string(b)
			}
		}
	case "application/json":
		body, err := decodeJSON(readBody(r))
		if err != nil {
			invalidRequest(w, "the body must be a JSON object")
			return
		}
		have = body
		if v, ok := body["media"].(string); ok {
			chunk, err = base64.StdEncoding.DecodeString(v)
			if err != nil {
				invalidRequest(w, "media must be base64")
				return
			}
		}
		if v, ok := body["segment_index"].(float64); ok {
			segment = strconv.FormatFloat(v, 'f', -1, 64)
		}
	default:
		s.errorf("%s: content type %q; X takes multipart/form-data or application/json", endpoint, mt)
		invalidRequest(w, "unsupported content type")
		return
	}
	if p := s.checkFields(endpoint, have, "media", "segment_index"); len(p) > 0 {
		invalidRequest(w, p...)
		return
	}
	seg, err := strconv.Atoi(segment)
	switch {
	case chunk == nil:
		invalidRequest(w, "media is required")
		return
	case err != nil || seg < 0 || seg > 999:
		invalidRequest(w, "segment_index must be an integer between 0 and 999")
		return
	case len(chunk) > MaxChunk:
		invalidRequest(w, fmt.Sprintf("Each chunk must be at most %d bytes.", MaxChunk))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownedMedia(w, r.PathValue("id"))
	if m == nil {
		return
	}
	if m.Finalized {
		invalidRequest(w, "The media upload was already finalized.")
		return
	}
	m.Segments[seg] = len(chunk)
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"expires_at": s.now().Add(24 * time.Hour).Unix()}})
}

// mediaFinalize serves POST /2/media/upload/:id/finalize: the appended bytes must add up to
// total_bytes; GIFs and videos then go through asynchronous processing.
func (s *Server) mediaFinalize(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, mediaScopes); !ok {
		return
	}
	if len(strings.TrimSpace(string(readBody(r)))) > 0 {
		s.errorf("POST /2/media/upload/:id/finalize takes no body")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownedMedia(w, r.PathValue("id"))
	if m == nil {
		return
	}
	if got := m.received(); got != m.TotalBytes {
		invalidRequest(w, fmt.Sprintf("File size mismatch: received %d bytes of the %d announced.", got, m.TotalBytes))
		return
	}
	if !m.Finalized {
		m.Finalized = true
		m.State = "succeeded"
		if m.Category == "tweet_gif" || m.Category == "tweet_video" {
			m.State = "pending"
			m.pollsLeft = s.mediaPolls
			m.failure = s.mediaFail
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": s.mediaJSON(m)})
}

// mediaJSON renders an upload's status. Callers hold mu.
func (s *Server) mediaJSON(m *Media) map[string]any {
	j := map[string]any{"id": m.ID, "media_key": m.Key, "size": m.received(), "expires_after_secs": 86400}
	if m.Category == "tweet_gif" || m.Category == "tweet_video" {
		info := map[string]any{"state": m.State}
		switch m.State {
		case "pending", "in_progress":
			info["check_after_secs"] = 1
			info["progress_percent"] = 50
		case "succeeded":
			info["progress_percent"] = 100
		case "failed":
			info["progress_percent"] = 100
			info["error"] = map[string]any{"code": 1, "name": "InvalidMedia", "message": m.failure}
		}
		j["processing_info"] = info
	}
	return j
}

// mediaStatus serves GET /2/media/upload?command=STATUS&media_id=…: each check moves a GIF or
// video on (see SetMediaProcessing).
func (s *Server) mediaStatus(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, mediaScopes); !ok {
		return
	}
	q := r.URL.Query()
	var problems []string
	for name := range q {
		if name != "media_id" && name != "command" {
			problems = append(problems, fmt.Sprintf("query parameter %q is not one X documents", name))
		}
	}
	if !idPattern.MatchString(q.Get("media_id")) {
		problems = append(problems, "media_id must match ^[0-9]{1,19}$")
	}
	if q.Get("command") != "STATUS" {
		problems = append(problems, "command must be STATUS")
	}
	if len(problems) > 0 {
		for _, p := range problems {
			s.errorf("GET /2/media/upload: %s", p)
		}
		invalidRequest(w, problems...)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownedMedia(w, q.Get("media_id"))
	if m == nil {
		return
	}
	if !m.Finalized {
		invalidRequest(w, "The media upload has not been finalized.")
		return
	}
	if m.State == "pending" || m.State == "in_progress" {
		switch {
		case m.pollsLeft > 1:
			m.pollsLeft--
			m.State = "in_progress"
		case m.failure != "":
			m.State = "failed"
		default:
			m.State = "succeeded"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": s.mediaJSON(m)})
}

// mediaMetadata serves POST /2/media/metadata: {id, metadata: {alt_text: {text}}} (the other
// metadata X takes is not simulated).
func (s *Server) mediaMetadata(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, mediaScopes); !ok {
		return
	}
	const endpoint = "POST /2/media/metadata"
	body, err := decodeJSON(readBody(r))
	if err != nil {
		s.errorf("%s: the body is not a JSON object: %v", endpoint, err)
		invalidRequest(w, "the body must be a JSON object")
		return
	}
	if p := s.checkFields(endpoint, body, "id", "metadata"); len(p) > 0 {
		invalidRequest(w, p...)
		return
	}
	id, _ := body["id"].(string)
	meta, _ := body["metadata"].(map[string]any)
	alt, _ := meta["alt_text"].(map[string]any)
	text, isText := alt["text"].(string)
	switch {
	case !idPattern.MatchString(id):
		invalidRequest(w, "id must match ^[0-9]{1,19}$")
		return
	case meta == nil || alt == nil || !isText:
		invalidRequest(w, "xtest simulates metadata.alt_text.text only")
		return
	case len([]rune(text)) > 1000:
		invalidRequest(w, "alt_text.text must be at most 1000 characters")
		return
	}
	if p := s.checkFields(endpoint+" metadata", meta, "alt_text"); len(p) > 0 {
		invalidRequest(w, p...)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ownedMedia(w, id)
	if m == nil {
		return
	}
	m.AltText = text
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.ID, "associated_metadata": map[string]any{"alt_text": map[string]any{"text": text}}}})
}
