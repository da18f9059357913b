package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits from the Bot API documentation (sendMessage: "1-4096 characters after entities
// parsing"; captions "0-1024 characters"; sendMediaGroup: "an array describing messages to be
// sent, must include 2-10 items").
const (
	MaxText    = 4096
	MaxCaption = 1024
)

// sendMethods create messages.
var sendMethods = map[string]bool{
	"sendmessage": true, "sendphoto": true, "sendvideo": true, "sendanimation": true, "sendmediagroup": true,
}

// request is one call as the handlers see it: the method, the bot, and the parameters merged
// from the query string and the body.
type request struct {
	method string
	bot    *Bot
	params map[string]string
	files  map[string]*File
}

func (s *Server) routes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, method, ok := splitPath(r.URL.Path)
		if !ok {
			s.violation("%s %s: not a Bot API path (/bot<token>/<method>)", r.Method, r.URL.Path)
			writeError(w, http.StatusNotFound, "Not Found", nil)
			return
		}
		s.mu.Lock()
		s.requests[strings.ToLower(method)]++
		bot := s.bots[token]
		s.mu.Unlock()
		if bot == nil || bot.Revoked {
			writeError(w, http.StatusUnauthorized, "Unauthorized", nil)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			s.violation("%s %s: the Bot API takes GET and POST only", r.Method, method)
			writeError(w, http.StatusNotFound, "Not Found", nil)
			return
		}
		params, files, err := s.parseParams(r)
		if err != nil {
			s.violation("%s: %v", method, err)
			writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), nil)
			return
		}
		if f := s.takeFault(method); f != nil && !f.AcceptThenHang {
			writeFault(w, *f)
			return
		} else if f != nil {
			s.serveThenHang(w, r, request{method: method, bot: bot, params: params, files: files})
			return
		}
		s.serve(w, request{method: method, bot: bot, params: params, files: files})
	})
}

// splitPath reads /bot<token>/<method>.
func splitPath(p string) (token, method string, ok bool) {
	rest, found := strings.CutPrefix(p, "/bot")
	if !found {
		return "", "", false
	}
	token, method, found = strings.Cut(rest, "/")
	if !found || token == "" || method == "" || strings.Contains(method, "/") {
		return "", "", false
	}
	return token, method, true
}

// parseParams merges the query string and the body. The Bot API reads
// application/x-www-form-urlencoded, application/json and multipart/form-data bodies; a body in
// any other type is not read (its parameters are then missing) and counts as a violation.
func (s *Server) parseParams(r *http.Request) (map[string]string, map[string]*File, error) {
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	files := map[string]*File{}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 60<<20))
	if len(body) == 0 {
		return params, files, nil
	}
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, nil, fmt.Errorf("can't parse JSON object")
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(raw)
			}
		}
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, nil, fmt.Errorf("can't parse form body")
		}
		for k, vs := range v {
			params[k] = vs[0]
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mp["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, fmt.Errorf("can't parse multipart body")
			}
			data, _ := io.ReadAll(part)
			if part.FileName() != "" {
				files[part.FormName()] = &File{Field: part.FormName(), FileName: part.FileName(),
					ContentType: part.Header.Get("Content-Type"), Data: data}
				continue
			}
			params[part.FormName()] = string(data)
		}
	default:
		s.violation("%s: a body of type %q, which the Bot API does not read", r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], r.Header.Get("Content-Type"))
	}
	return params, files, nil
}

// serve runs a method.
func (s *Server) serve(w http.ResponseWriter, r request) {
	result, apiErr := s.run(r)
	if apiErr != nil {
		writeError(w, apiErr.code, apiErr.desc, apiErr.params)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// serveThenHang posts the message and withholds the answer.
func (s *Server) serveThenHang(w http.ResponseWriter, hr *http.Request, r request) {
	if _, apiErr := s.run(r); apiErr != nil {
		writeError(w, apiErr.code, apiErr.desc, apiErr.params)
		return
	}
	select {
	case <-hr.Context().Done():
	case <-s.closing:
	}
}

type apiError struct {
	code   int
	desc   string
	params map[string]any
}

func badRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }

func (s *Server) run(r request) (any, *apiError) {
	switch strings.ToLower(r.method) {
	case "getme":
		return map[string]any{"id": r.bot.ID, "is_bot": true, "first_name": r.bot.Username, "username": r.bot.Username,
			"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}, nil
	case "getchat":
		c, e := s.chat(r, false)
		if e != nil {
			return nil, e
		}
		return s.chatJSON(c, true), nil
	case "getchatmember":
		return s.getChatMember(r)
	case "sendmessage":
		return s.sendMessage(r)
	case "sendphoto":
		return s.sendMedia(r, "photo")
	case "sendvideo":
		return s.sendMedia(r, "video")
	case "sendanimation":
		return s.sendMedia(r, "animation")
	case "sendmediagroup":
		return s.sendMediaGroup(r)
	}
	s.violation("unknown method %q", r.method)
	return nil, &apiError{code: 404, desc: "Not Found"}
}

// chat resolves chat_id (a numeric id or "@username"). A private chat the bot is not in is
// "not found", as Telegram answers; forPost also requires the bot to be allowed to post.
func (s *Server) chat(r request, forPost bool) (*Chat, *apiError) {
	ref, ok := r.params["chat_id"]
	if !ok || ref == "" {
		s.violation("%s without chat_id", r.method)
		return nil, badRequest("chat_id is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var c *Chat
	if name, ok := strings.CutPrefix(ref, "@"); ok {
		for _, ch := range s.chats {
			if ch.Username != "" && strings.EqualFold(ch.Username, name) {
				c = ch
			}
		}
	} else if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		c = s.chats[id]
	}
	if c == nil {
		return nil, badRequest("chat not found")
	}
	m, member := c.Members[r.bot.ID]
	if c.Username == "" && (!member || m.Status == "left" || m.Status == "kicked") {
		return nil, badRequest("chat not found")
	}
	if !forPost {
		return c, nil
	}
	kind := c.Type
	switch {
	case m.Status == "kicked":
		return nil, &apiError{code: 403, desc: "Forbidden: bot was kicked from the " + kind + " chat"}
	case !member || m.Status == "left":
		return nil, &apiError{code: 403, desc: "Forbidden: bot is not a member of the " + kind + " chat"}
	case c.Type == "channel" && (m.Status != "administrator" || !m.CanPostMessages):
		return nil, badRequest("need administrator rights in the channel chat")
	}
	return c, nil
}

func (s *Server) chatJSON(c *Chat, full bool) map[string]any {
	out := map[string]any{"id": c.ID, "type": c.Type}
	if c.Type != "private" {
		out["title"] = c.Title
	}
	if c.Username != "" {
		out["username"] = c.Username
	}
	if full {
		// ChatFullInfo fields every chat has.
		out["accent_color_id"] = 0
		out["max_reaction_count"] = 11
	}
	return out
}

func (s *Server) getChatMember(r request) (any, *apiError) {
	c, e := s.chat(r, false)
	if e != nil {
		return nil, e
	}
	uid, err := strconv.ParseInt(r.params["user_id"], 10, 64)
	if err != nil {
		s.violation("getChatMember without a numeric user_id")
		return nil, badRequest("invalid user_id specified")
	}
	if uid != r.bot.ID {
		return nil, badRequest("user not found")
	}
	s.mu.Lock()
	m, ok := c.Members[uid]
	s.mu.Unlock()
	if !ok {
		m = Member{Status: "left"}
	}
	u := map[string]any{"id": r.bot.ID, "is_bot": true, "first_name": r.bot.Username, "username": r.bot.Username}
	out := map[string]any{"status": m.Status, "user": u}
	if m.Status == "administrator" {
		out["can_be_edited"] = false
		out["is_anonymous"] = false
		out["can_manage_chat"] = true
		out["can_delete_messages"] = true
		if c.Type == "channel" {
			out["can_post_messages"] = m.CanPostMessages
			out["can_edit_messages"] = m.CanPostMessages
		}
	}
	if m.Status == "kicked" {
		out["until_date"] = 0
	}
	return out, nil
}

func (s *Server) sendMessage(r request) (any, *apiError) {
	if lpo, ok := r.params["link_preview_options"]; ok {
		var v struct {
			IsDisabled *bool `json:"is_disabled"`
		}
		if err := json.Unmarshal([]byte(lpo), &v); err != nil {
			s.violation("sendMessage: link_preview_options is not a JSON object")
			return nil, badRequest("can't parse link preview options JSON object")
		}
	}
	c, e := s.chat(r, true)
	if e != nil {
		return nil, e
	}
	text, ok := r.params["text"]
	if !ok {
		s.violation("sendMessage without text")
	}
	if strings.TrimSpace(text) == "" {
		return nil, badRequest("message text is empty")
	}
	if utf8.RuneCountInString(text) > MaxText {
		return nil, badRequest("message is too long")
	}
	disabled := strings.Contains(strings.ReplaceAll(r.params["link_preview_options"], " ", ""), `"is_disabled":true`)
	msg := s.post(c, r.bot, Message{Kind: "text", Text: text, LinkPreviewDisabled: disabled}, true)
	return s.messageJSON(c, msg), nil
}

func (s *Server) sendMedia(r request, kind string) (any, *apiError) {
	c, e := s.chat(r, true)
	if e != nil {
		return nil, e
	}
	f := r.files[kind]
	if f == nil {
		if _, named := r.params[kind]; !named {
			s.violation("send%s without a %s file", kind, kind)
		}
		return nil, badRequest("there is no " + kind + " in the request")
	}
	caption := r.params["caption"]
	if utf8.RuneCountInString(caption) > MaxCaption {
		return nil, badRequest("message caption is too long")
	}
	msg := s.post(c, r.bot, Message{Kind: kind, Text: caption, File: f}, true)
	return s.messageJSON(c, msg), nil
}

func (s *Server) sendMediaGroup(r request) (any, *apiError) {
	c, e := s.chat(r, true)
	if e != nil {
		return nil, e
	}
	var items []struct {
		Type    string `json:"type"`
		Media   string `json:"media"`
		Caption string `json:"caption"`
	}
	raw, ok := r.params["media"]
	if !ok {
		s.violation("sendMediaGroup without media")
		return nil, badRequest("parameter \"media\" is required")
	}
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		s.violation("sendMediaGroup: media is not a JSON array")
		return nil, badRequest("can't parse media JSON object")
	}
	if len(items) < 2 || len(items) > 10 {
		return nil, badRequest("wrong number of media in the group: must include 2-10 items")
	}
	files := make([]*File, len(items))
	for i, it := range items {
		if it.Type != "photo" && it.Type != "video" && it.Type != "audio" && it.Type != "document" {
			s.violation("sendMediaGroup: item %d has type %q", i, it.Type)
			return nil, badRequest("can't parse InputMedia: unsupported type")
		}
		name, ok := strings.CutPrefix(it.Media, "attach://")
		if !ok || r.files[name] == nil {
			s.violation("sendMediaGroup: item %d names %q, which is not an uploaded part", i, it.Media)
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		if utf8.RuneCountInString(it.Caption) > MaxCaption {
			return nil, badRequest("message caption is too long")
		}
		files[i] = r.files[name]
	}
	s.mu.Lock()
	group := strconv.FormatInt(s.now().UnixNano(), 10)
	s.mu.Unlock()
	out := make([]any, len(items))
	for i, it := range items {
		msg := s.post(c, r.bot, Message{Kind: it.Type, Text: it.Caption, File: files[i], MediaGroupID: group}, i == 0)
		out[i] = s.messageJSON(c, msg)
	}
	return out, nil
}

// post stores a message; count says whether it counts towards CreatedWithText.
func (s *Server) post(c *Chat, bot *Bot, m Message, count bool) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.nextMsg++
	m.ID, m.ChatID, m.BotID, m.Date = c.nextMsg, c.ID, bot.ID, s.now().UTC().Truncate(1e9)
	s.messages = append(s.messages, m)
	if count {
		s.createdByText[m.Text]++
	}
	return m
}

func (s *Server) messageJSON(c *Chat, m Message) map[string]any {
	out := map[string]any{"message_id": m.ID, "date": m.Date.Unix(), "chat": s.chatJSON(c, false)}
	if c.Type == "channel" {
		out["sender_chat"] = s.chatJSON(c, false)
	}
	if m.MediaGroupID != "" {
		out["media_group_id"] = m.MediaGroupID
	}
	fileID := func() string { return fmt.Sprintf("AgAC%d_%d", c.ID, m.ID) }
	switch m.Kind {
	case "text":
		out["text"] = m.Text
		return out
	case "photo":
		out["photo"] = []any{map[string]any{"file_id": fileID(), "file_unique_id": fileID(), "width": 1280, "height": 720, "file_size": len(m.File.Data)}}
	case "video", "animation":
		out[m.Kind] = map[string]any{"file_id": fileID(), "file_unique_id": fileID(), "width": 1280, "height": 720, "duration": 1, "file_size": len(m.File.Data)}
	}
	if m.Text != "" {
		out["caption"] = m.Text
	}
	return out
}

func (s *Server) violation(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.Gateway {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.ErrorCode)
		fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
			f.ErrorCode, http.StatusText(f.ErrorCode), f.ErrorCode, http.StatusText(f.ErrorCode))
		return
	}
	params := map[string]any{}
	if f.RetryAfter > 0 {
		params["retry_after"] = f.RetryAfter
	}
	if f.MigrateTo != 0 {
		params["migrate_to_chat_id"] = f.MigrateTo
	}
	desc := f.Description
	if desc == "" {
		desc = http.StatusText(f.ErrorCode)
	}
	writeError(w, f.ErrorCode, desc, params)
}

func writeError(w http.ResponseWriter, code int, desc string, params map[string]any) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if len(params) > 0 {
		body["parameters"] = params
	}
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
