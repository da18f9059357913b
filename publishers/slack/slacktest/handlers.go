package slacktest

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
	"time"
	"unicode/utf8"
)

// MaxText is chat.postMessage's limit: Slack truncates text beyond 40,000 characters and refuses
// much longer messages with msg_too_long; the fake refuses anything longer.
const MaxText = 40000

// methodScopes are the scopes each method needs (any one of them), from the method pages.
var methodScopes = map[string][]string{
	"auth.test":                    nil,
	"conversations.info":           {"channels:read", "groups:read"},
	"conversations.history":        {"channels:history", "groups:history"},
	"conversations.replies":        {"channels:history", "groups:history"},
	"chat.postMessage":             {"chat:write"},
	"chat.getPermalink":            nil,
	"reactions.get":                {"reactions:read"},
	"files.getUploadURLExternal":   {"files:write"},
	"files.completeUploadExternal": {"files:write"},
}

// required are each method's required arguments.
var required = map[string][]string{
	"conversations.info":           {"channel"},
	"conversations.history":        {"channel"},
	"conversations.replies":        {"channel", "ts"},
	"chat.postMessage":             {"channel"},
	"chat.getPermalink":            {"channel", "message_ts"},
	"files.getUploadURLExternal":   {"filename", "length"},
	"files.completeUploadExternal": {"files"},
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", s.api)
	mux.HandleFunc("POST /services/", s.webhook)
	mux.HandleFunc("POST /upload/v1/{id}", s.upload)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.violations.Add("%s %s: not a Slack endpoint Herald uses", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	return mux
}

func (s *Server) count(method string) {
	s.mu.Lock()
	s.requests[method]++
	s.mu.Unlock()
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	s.count(method)
	args, ok := s.parseArgs(w, r, method)
	if !ok {
		return
	}
	if _, known := methodScopes[method]; !known {
		s.violations.Add("unknown method %q", method)
		writeAPI(w, http.StatusNotFound, map[string]any{"ok": false, "error": "unknown_method", "req_method": method})
		return
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = args.Get("token")
	}
	s.mu.Lock()
	bot := s.bots[token]
	s.mu.Unlock()
	switch {
	case token == "":
		writeAPI(w, 200, apiErr("not_authed"))
		return
	case bot == nil:
		writeAPI(w, 200, apiErr("invalid_auth"))
		return
	case bot.Revoked:
		writeAPI(w, 200, apiErr("token_revoked"))
		return
	}
	if scopes := methodScopes[method]; scopes != nil && !hasAny(bot.Scopes, scopes) {
		e := apiErr("missing_scope")
		e["needed"], e["provided"] = strings.Join(scopes, ","), strings.Join(bot.Scopes, ",")
		writeAPI(w, 200, e)
		return
	}
	for _, a := range required[method] {
		if args.Get(a) == "" {
			s.violations.Add("%s without %s", method, a)
			code := "invalid_arguments"
			if a == "channel" {
				code = "channel_not_found"
			}
			writeAPI(w, 200, apiErr(code))
			return
		}
	}
	w.Header().Set("X-OAuth-Scopes", strings.Join(bot.Scopes, ","))
	if f := s.takeFault(method); f != nil {
		if !f.AcceptThenHang {
			s.writeAPIFault(w, *f)
			return
		}
		s.runMethod(method, bot, args)
		s.Hang(r)
		return
	}
	status, body := s.runMethod(method, bot, args)
	writeAPI(w, status, body)
}

// parseArgs reads the query string and a form, JSON or multipart body. Any other content type
// is refused with invalid_post_type, as Slack does.
func (s *Server) parseArgs(w http.ResponseWriter, r *http.Request, method string) (url.Values, bool) {
	args := r.URL.Query()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if len(body) == 0 {
		return args, true
	}
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			s.violations.Add("%s: the form body does not parse", method)
			writeAPI(w, 200, apiErr("invalid_form_data"))
			return nil, false
		}
		for k, vs := range v {
			args[k] = vs
		}
	case "application/json":
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			s.violations.Add("%s: the JSON body does not parse", method)
			writeAPI(w, 200, apiErr("invalid_json"))
			return nil, false
		}
		for k, v := range obj {
			if str, ok := v.(string); ok {
				args.Set(k, str)
			} else {
				b, _ := json.Marshal(v)
				args.Set(k, string(b))
			}
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mp["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				writeAPI(w, 200, apiErr("invalid_form_data"))
				return nil, false
			}
			b, _ := io.ReadAll(part)
			args.Set(part.FormName(), string(b))
		}
	default:
		s.violations.Add("%s: a body of type %q, which the Web API does not read", method, r.Header.Get("Content-Type"))
		writeAPI(w, 200, apiErr("invalid_post_type"))
		return nil, false
	}
	return args, true
}

// runMethod performs a method and returns the answer.
func (s *Server) runMethod(method string, bot *Bot, args url.Values) (int, map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := func(kv ...any) (int, map[string]any) {
		out := map[string]any{"ok": true}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return 200, out
	}
	channel := func() (*Channel, map[string]any) {
		c := s.channels[args.Get("channel")]
		if c == nil || (c.IsPrivate && !c.Members[bot.UserID]) {
			return nil, apiErr("channel_not_found")
		}
		return c, nil
	}
	switch method {
	case "auth.test":
		return ok("url", "https://"+s.team.Domain+".slack.com/", "team", s.team.Name, "user", bot.Name, "team_id", s.team.ID,
			"user_id", bot.UserID, "bot_id", bot.BotID, "is_enterprise_install", false)
	case "conversations.info":
		c, e := channel()
		if e != nil {
			return 200, e
		}
		return ok("channel", map[string]any{"id": c.ID, "name": c.Name, "is_channel": !c.IsPrivate, "is_group": false, "is_im": false,
			"is_private": c.IsPrivate, "is_archived": c.IsArchived, "is_member": c.Members[bot.UserID], "created": 1700000000})
	case "chat.postMessage":
		c, e := channel()
		if e != nil {
			return 200, e
		}
		if e := s.canPost(c, bot); e != nil {
			return 200, e
		}
		text := args.Get("text")
		if _, has := args["text"]; !has && args.Get("blocks") == "" {
			s.violations.Add("chat.postMessage without text or blocks")
		}
		if strings.TrimSpace(text) == "" {
			return 200, apiErr("no_text")
		}
		if utf8.RuneCountInString(text) > MaxText {
			return 200, apiErr("msg_too_long")
		}
		m := s.store(c.ID, text, bot.BotID, nil, time.Now())
		s.createdByText[text]++
		return ok("channel", c.ID, "ts", m.TS, "message", s.messageJSON(m))
	case "chat.getPermalink":
		c, e := channel()
		if e != nil {
			return 200, e
		}
		m := s.find(c.ID, args.Get("message_ts"))
		if m == nil {
			return 200, apiErr("message_not_found")
		}
		return ok("channel", c.ID, "permalink", "https://"+s.team.Domain+".slack.com/archives/"+c.ID+"/p"+strings.ReplaceAll(m.TS, ".", ""))
	case "reactions.get":
		c, e := channel()
		if e != nil {
			return 200, e
		}
		m := s.find(c.ID, args.Get("timestamp"))
		if m == nil {
			return 200, apiErr("message_not_found")
		}
		return ok("type", "message", "channel", c.ID, "message", s.messageJSON(m))
	case "conversations.replies":
		c, e := channel()
		if e != nil {
			return 200, e
		}
		m := s.find(c.ID, args.Get("ts"))
		if m == nil {
			return 200, apiErr("thread_not_found")
		}
		return ok("messages", []any{s.messageJSON(m)}, "has_more", false)
	case "conversations.history":
		return s.history(bot, args)
	case "files.getUploadURLExternal":
		n, err := strconv.Atoi(args.Get("length"))
		if err != nil || n <= 0 {
			s.violations.Add("files.getUploadURLExternal: length %q is not a number of bytes", args.Get("length"))
			return 200, apiErr("invalid_arguments")
		}
		if utf8.RuneCountInString(args.Get("alt_txt")) > 1000 {
			return 200, apiErr("alt_txt_too_large")
		}
		s.seq++
		f := &File{ID: fmt.Sprintf("F0FILE%05d", s.seq), Name: args.Get("filename"), AltText: args.Get("alt_txt"), Length: n}
		s.files[f.ID] = f
		return ok("upload_url", s.URL+"/upload/v1/"+f.ID+"-"+randomish(s.seq)[:16], "file_id", f.ID)
	case "files.completeUploadExternal":
		return s.complete(bot, args)
	}
	return 200, apiErr("unknown_method")
}

func (s *Server) canPost(c *Channel, bot *Bot) map[string]any {
	switch {
	case c.IsArchived:
		return apiErr("is_archived")
	case !c.Members[bot.UserID]:
		return apiErr("not_in_channel")
	}
	return nil
}

// history answers conversations.history: newest first, within oldest/latest, limit per page,
// with a cursor for the next page.
func (s *Server) history(bot *Bot, args url.Values) (int, map[string]any) {
	c := s.channels[args.Get("channel")]
	if c == nil || (c.IsPrivate && !c.Members[bot.UserID]) {
		return 200, apiErr("channel_not_found")
	}
	if !c.Members[bot.UserID] {
		return 200, apiErr("not_in_channel")
	}
	limit, _ := strconv.Atoi(args.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	oldest, latest := args.Get("oldest"), args.Get("latest")
	inclusive := args.Get("inclusive") == "true" || args.Get("inclusive") == "1"
	var in []*Message
	for i := len(s.messages[c.ID]) - 1; i >= 0; i-- {
		m := s.messages[c.ID][i]
		if oldest != "" && (tsLess(m.TS, oldest) || (!inclusive && m.TS == oldest)) {
			continue
		}
		if latest != "" && (tsLess(latest, m.TS) || (!inclusive && m.TS == latest)) {
			continue
		}
		in = append(in, m)
	}
	start, _ := strconv.Atoi(strings.TrimPrefix(args.Get("cursor"), "page:"))
	if start > len(in) {
		start = len(in)
	}
	end := min(start+limit, len(in))
	msgs := make([]any, 0, end-start)
	for _, m := range in[start:end] {
		msgs = append(msgs, s.messageJSON(m))
	}
	next := ""
	if end < len(in) {
		next = "page:" + strconv.Itoa(end)
	}
	return 200, map[string]any{"ok": true, "messages": msgs, "has_more": next != "", "response_metadata": map[string]any{"next_cursor": next}}
}

// complete answers files.completeUploadExternal: every file must have been uploaded; the files
// are shared in one message whose text is initial_comment.
func (s *Server) complete(bot *Bot, args url.Values) (int, map[string]any) {
	var refs []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(args.Get("files")), &refs); err != nil || len(refs) == 0 {
		s.violations.Add("files.completeUploadExternal: files is not a JSON array of {id, title}")
		return 200, apiErr("invalid_arguments")
	}
	ids := make([]string, 0, len(refs))
	for _, r := range refs {
		f := s.files[r.ID]
		if f == nil || !f.Uploaded {
			s.violations.Add("files.completeUploadExternal: file %q was not uploaded", r.ID)
			return 200, apiErr("file_not_found")
		}
		ids = append(ids, r.ID)
	}
	files := make([]any, 0, len(ids))
	chID := args.Get("channel_id")
	var shares map[string]any
	if chID != "" {
		c := s.channels[chID]
		if c == nil || (c.IsPrivate && !c.Members[bot.UserID]) {
			return 200, apiErr("channel_not_found")
		}
		if e := s.canPost(c, bot); e != nil {
			return 200, e
		}
		text := args.Get("initial_comment")
		m := s.store(c.ID, text, bot.BotID, ids, time.Now())
		s.createdByText[text]++
		if !s.deferShares {
			kind := "public"
			if c.IsPrivate {
				kind = "private"
			}
			shares = map[string]any{kind: map[string]any{c.ID: []any{map[string]any{"ts": m.TS, "channel_name": c.Name}}}}
		}
	}
	for _, id := range ids {
		f := s.files[id]
		f.Shared = chID != ""
		file := map[string]any{"id": id, "name": f.Name, "title": f.Name, "size": f.Length}
		if shares != nil {
			file["shares"] = shares
		} else {
			file["shares"] = map[string]any{}
		}
		files = append(files, file)
	}
	return 200, map[string]any{"ok": true, "files": files}
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
	}
	if len(m.Files) > 0 {
		fs := make([]any, 0, len(m.Files))
		for _, id := range m.Files {
			fs = append(fs, map[string]any{"id": id})
		}
		out["files"] = fs
		out["upload"] = true
	}
	if len(m.Reactions) > 0 {
		var rs []any
		for name, n := range m.Reactions {
			rs = append(rs, map[string]any{"name": name, "count": n, "users": []string{}})
		}
		out["reactions"] = rs
	}
	if m.ReplyCount > 0 {
		out["reply_count"] = m.ReplyCount
		out["thread_ts"] = m.TS
	}
	return out
}

// upload takes a file's bytes at the URL files.getUploadURLExternal handed out: raw bytes or a
// multipart form, answered with HTTP 200 ("OK - <length>") on success.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	s.count("upload")
	id, _, _ := strings.Cut(r.PathValue("id"), "-")
	if f := s.takeFault("upload"); f != nil {
		w.WriteHeader(max(f.Status, 500))
		return
	}
	data, _ := io.ReadAll(io.LimitReader(r.Body, 100<<20))
	if mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(data), mp["boundary"])
		if part, err := mr.NextPart(); err == nil {
			data, _ = io.ReadAll(part)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[id]
	if f == nil {
		http.NotFound(w, r)
		return
	}
	if len(data) != f.Length {
		s.violations.Add("upload of %s: %d bytes, but %d were announced", id, len(data), f.Length)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.Data, f.Uploaded, f.ContentType = data, true, r.Header.Get("Content-Type")
	fmt.Fprintf(w, "OK - %d", len(data))
}

// webhook answers an incoming webhook: "ok", or an error code in plain text with its status.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	s.count("webhook")
	s.mu.Lock()
	h := s.hooks[r.URL.Path]
	s.mu.Unlock()
	if h == nil || h.Removed {
		writeText(w, http.StatusNotFound, "no_service")
		return
	}
	f := s.takeFault("webhook")
	if f != nil && !f.AcceptThenHang {
		if f.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
			writeText(w, 429, "rate_limited")
			return
		}
		writeText(w, max(f.Status, 400), f.Error)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var payload struct {
		Text   *string         `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if json.Unmarshal(body, &payload) != nil {
			s.violations.Add("webhook: the JSON body does not parse")
			writeText(w, 400, "invalid_payload")
			return
		}
	case "application/x-www-form-urlencoded":
		v, _ := url.ParseQuery(string(body))
		if json.Unmarshal([]byte(v.Get("payload")), &payload) != nil {
			s.violations.Add("webhook: the payload form field is not JSON")
			writeText(w, 400, "invalid_payload")
			return
		}
	default:
		s.violations.Add("webhook: a body of type %q", r.Header.Get("Content-Type"))
		writeText(w, 400, "invalid_payload")
		return
	}
	if (payload.Text == nil || strings.TrimSpace(*payload.Text) == "") && len(payload.Blocks) == 0 {
		writeText(w, 400, "no_text")
		return
	}
	s.mu.Lock()
	c := s.channels[h.Channel]
	if c == nil {
		s.mu.Unlock()
		writeText(w, 404, "channel_not_found")
		return
	}
	if c.IsArchived {
		s.mu.Unlock()
		writeText(w, 410, "channel_is_archived")
		return
	}
	s.store(c.ID, *payload.Text, "B0WEBHOOK", nil, time.Now())
	s.createdByText[*payload.Text]++
	s.mu.Unlock()
	if f != nil && f.AcceptThenHang {
		s.Hang(r)
		return
	}
	writeText(w, 200, "ok")
}

func (s *Server) writeAPIFault(w http.ResponseWriter, f Fault) {
	switch {
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		writeAPI(w, 429, apiErr("ratelimited"))
	case f.Status >= 500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html><body>%d %s</body></html>", f.Status, http.StatusText(f.Status))
	default:
		e := apiErr(f.Error)
		if f.Needed != "" {
			e["needed"] = f.Needed
		}
		writeAPI(w, max(f.Status, 200), e)
	}
}

func apiErr(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func hasAny(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if h == w {
				return true
			}
		}
	}
	return false
}

func writeAPI(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}
