package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits from the documentation: content up to 2,000 characters, up to 10 attachments, a
// webhook username of 1–80 characters.
const (
	MaxContent = 2000
	MaxFiles   = 10
)

// webhookPath is /api/v{n}/webhooks/{id}/{token} (the version is optional, as on Discord).
var webhookPath = regexp.MustCompile(`^/api(?:/v[0-9]+)?/webhooks/([0-9]+)/([A-Za-z0-9_-]+)$`)

// filesPart is a files[n] part name.
var filesPart = regexp.MustCompile(`^files\[([0-9]+)\]$`)

func (s *Server) routes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.Method]++
		s.mu.Unlock()
		m := webhookPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			s.violation("%s %s: not a route Herald uses", r.Method, r.URL.Path)
			writeError(w, http.StatusNotFound, 0, "404: Not Found", nil)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			s.violation("%s on a webhook", r.Method)
			writeError(w, http.StatusMethodNotAllowed, 0, "405: Method Not Allowed", nil)
			return
		}
		s.mu.Lock()
		wh := s.webhooks[m[1]]
		s.mu.Unlock()
		if wh == nil || wh.Deleted {
			writeError(w, http.StatusNotFound, 10015, "Unknown Webhook", nil)
			return
		}
		if wh.Token != m[2] {
			writeError(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token", nil)
			return
		}
		limited, retry := s.countBucket(w, r.Method, wh.ID)
		if f := s.takeFault(r.Method); f != nil && !f.AcceptThenHang {
			s.writeFault(w, *f)
			return
		} else if f != nil {
			s.execute(w, r, wh, true)
			return
		}
		if limited {
			writeRateLimit(w, retry, false)
			return
		}
		if r.Method == http.MethodGet {
			writeJSON(w, http.StatusOK, map[string]any{
				"type": 1, "id": wh.ID, "name": wh.Name, "avatar": wh.Avatar, "channel_id": wh.ChannelID,
				"guild_id": wh.GuildID, "application_id": nil, "token": wh.Token,
			})
			return
		}
		s.execute(w, r, wh, false)
	})
}

// countBucket counts the request in its bucket (per webhook and method, as Discord's buckets are
// per route) and sets the rate-limit headers every Discord answer carries.
func (s *Server) countBucket(w http.ResponseWriter, method, id string) (limited bool, retry float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	key := method + " " + id
	b := s.buckets[key]
	if b == nil || now.Sub(b.start) >= s.window {
		b = &bucket{start: now}
		s.buckets[key] = b
	}
	b.used++
	remaining := s.limit - b.used
	if remaining < 0 {
		remaining, limited = 0, true
	}
	reset := b.start.Add(s.window)
	after := math.Max(0, reset.Sub(now).Seconds())
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(after, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", strings.ToLower(method)+"-webhook-"+id[len(id)-6:])
	return limited, after
}

// form is an execution's parameters, from a JSON body or payload_json.
type form struct {
	Content         *string `json:"content"`
	Username        string  `json:"username"`
	AvatarURL       string  `json:"avatar_url"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
	Attachments []struct {
		ID          json.Number `json:"id"`
		Filename    string      `json:"filename"`
		Description string      `json:"description"`
	} `json:"attachments"`
}

type formError struct {
	field, code, message string
}

func (s *Server) execute(w http.ResponseWriter, r *http.Request, wh *Webhook, hang bool) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 100<<20))
	var f form
	files := map[int]Attachment{}
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if err := json.Unmarshal(body, &f); err != nil {
			s.violation("execute: the JSON body does not parse")
			writeError(w, 400, 50109, "The request body contains invalid JSON.", nil)
			return
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mp["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				s.violation("execute: the multipart body does not parse")
				writeError(w, 400, 50035, "Invalid Form Body", nil)
				return
			}
			data, _ := io.ReadAll(part)
			name := part.FormName()
			if name == "payload_json" {
				if err := json.Unmarshal(data, &f); err != nil {
					s.violation("execute: payload_json is not JSON")
					writeError(w, 400, 50109, "The request body contains invalid JSON.", nil)
					return
				}
				continue
			}
			if m := filesPart.FindStringSubmatch(name); m != nil {
				n, _ := strconv.Atoi(m[1])
				files[n] = Attachment{Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data}
				continue
			}
			if name == "content" || name == "username" {
				v := string(data)
				if name == "content" {
					f.Content = &v
				} else {
					f.Username = v
				}
				continue
			}
			s.violation("execute: unexpected form part %q", name)
		}
	default:
		// Discord reads JSON, form and multipart bodies only; anything else leaves the
		// message empty.
		s.violation("execute: a body of type %q, which Discord does not read", r.Header.Get("Content-Type"))
	}

	var problems []formError
	content := ""
	if f.Content != nil {
		content = *f.Content
	}
	if utf8.RuneCountInString(content) > MaxContent {
		problems = append(problems, formError{"content", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxContent)})
	}
	if n := utf8.RuneCountInString(f.Username); f.Username != "" && (n > 80 || strings.Contains(strings.ToLower(f.Username), "discord")) {
		problems = append(problems, formError{"username", "USERNAME_INVALID", "Username cannot contain \"discord\""})
	}
	if len(files) > MaxFiles {
		problems = append(problems, formError{"files", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxFiles)})
	}
	if f.AllowedMentions != nil {
		for _, p := range f.AllowedMentions.Parse {
			if p != "users" && p != "roles" && p != "everyone" {
				s.violation("execute: allowed_mentions.parse has %q", p)
				problems = append(problems, formError{"allowed_mentions.parse", "BASE_TYPE_CHOICES", "Value must be one of ('roles', 'users', 'everyone')."})
			}
		}
	}
	var attachments []Attachment
	for _, a := range f.Attachments {
		n, err := strconv.Atoi(a.ID.String())
		file, ok := files[n]
		if err != nil || !ok {
			s.violation("execute: attachment id %q has no files[%s] part", a.ID, a.ID)
			problems = append(problems, formError{"attachments", "ATTACHMENT_NOT_FOUND", "Attachment data not found"})
			continue
		}
		if utf8.RuneCountInString(a.Description) > 1024 {
			problems = append(problems, formError{"attachments.description", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length."})
		}
		file.ID, file.Description = a.ID.String(), a.Description
		if a.Filename != "" {
			file.Filename = a.Filename
		}
		attachments = append(attachments, file)
	}
	if len(f.Attachments) == 0 {
		// Files without metadata are attached as they are, in part order.
		for n := 0; n < len(files); n++ {
			if file, ok := files[n]; ok {
				file.ID = strconv.Itoa(n)
				attachments = append(attachments, file)
			}
		}
	}
	if len(problems) > 0 {
		writeFormErrors(w, problems)
		return
	}
	if strings.TrimSpace(content) == "" && len(attachments) == 0 {
		writeError(w, 400, 50006, "Cannot send an empty message", nil)
		return
	}

	var parse []string
	everyoneAllowed := true // without allowed_mentions, Discord parses every mention in the content
	if f.AllowedMentions != nil {
		parse = append([]string{}, f.AllowedMentions.Parse...)
		everyoneAllowed = false
		for _, p := range parse {
			everyoneAllowed = everyoneAllowed || p == "everyone"
		}
	}
	s.mu.Lock()
	msg := Message{ID: s.id(), ChannelID: wh.ChannelID, WebhookID: wh.ID, Content: content, Username: f.Username,
		AllowedMentions: parse, Attachments: attachments, Timestamp: s.now().UTC(),
		MentionEveryone: everyoneAllowed && (strings.Contains(content, "@everyone") || strings.Contains(content, "@here"))}
	s.messages = append(s.messages, msg)
	s.createdByText[content]++
	s.mu.Unlock()

	if hang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, s.messageJSON(wh, msg))
}

func (s *Server) messageJSON(wh *Webhook, m Message) map[string]any {
	atts := make([]any, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		atts = append(atts, map[string]any{"id": a.ID + "00", "filename": a.Filename, "description": a.Description,
			"content_type": a.ContentType, "size": len(a.Data),
			"url": "https://cdn.discordapp.com/attachments/" + m.ChannelID + "/" + a.ID + "/" + a.Filename})
	}
	name := wh.Name
	if m.Username != "" {
		name = m.Username
	}
	return map[string]any{
		"id": m.ID, "type": 0, "channel_id": m.ChannelID, "webhook_id": wh.ID, "content": m.Content,
		"author":    map[string]any{"id": wh.ID, "username": name, "bot": true, "avatar": wh.Avatar},
		"timestamp": m.Timestamp.Format("2006-01-02T15:04:05.000000+00:00"), "edited_timestamp": nil,
		"tts": false, "mention_everyone": m.MentionEveryone, "mentions": []any{}, "mention_roles": []any{},
		"attachments": atts, "embeds": []any{}, "pinned": false, "flags": 0,
	}
}

func (s *Server) writeFault(w http.ResponseWriter, f Fault) {
	switch {
	case f.Status == http.StatusTooManyRequests:
		writeRateLimit(w, f.RetryAfter, f.Global)
	case f.Gateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>discord.com | %d: %s</title></head><body>cloudflare</body></html>", f.Status, http.StatusText(f.Status))
	default:
		writeError(w, f.Status, f.Code, f.Message, nil)
	}
}

// writeRateLimit answers 429 as the rate-limits page describes it.
func writeRateLimit(w http.ResponseWriter, retry float64, global bool) {
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry))))
	if global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
		// A global limit says nothing of the route's bucket.
		h.Del("X-RateLimit-Remaining")
		h.Del("X-RateLimit-Reset-After")
	} else {
		h.Set("X-RateLimit-Scope", "user")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(retry, 'f', 3, 64))
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": retry, "global": global})
}

func writeFormErrors(w http.ResponseWriter, problems []formError) {
	tree := map[string]any{}
	for _, p := range problems {
		node := tree
		for _, k := range strings.Split(p.field, ".") {
			next, ok := node[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[k] = next
			}
			node = next
		}
		list, _ := node["_errors"].([]any)
		node["_errors"] = append(list, map[string]any{"code": p.code, "message": p.message})
	}
	writeError(w, 400, 50035, "Invalid Form Body", tree)
}

func writeError(w http.ResponseWriter, status, code int, message string, errs map[string]any) {
	body := map[string]any{"message": message, "code": code}
	if errs != nil {
		body["errors"] = errs
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
