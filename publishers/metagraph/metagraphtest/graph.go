package metagraphtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers/metagraph"
)

// Fault makes the fake misbehave for matching requests; see Inject.
type Fault struct {
	// Method, Path and Edge restrict the fault: Path is exact and without the version
	// ("/123/feed"), Edge is the last path segment ("feed", "media_publish"). Empty matches any.
	Method, Path, Edge string
	// Status is the HTTP status (400 when zero).
	Status int
	// Code, Subcode, Type, Message and Transient make Graph's error body.
	Code, Subcode int
	Type, Message string
	Transient     bool
	// RegainAfter, for rate limits, goes in the usage header as
	// estimated_time_to_regain_access (whole minutes).
	RegainAfter time.Duration
	// Header names the usage header carrying RegainAfter: "business" (the default), "page" or
	// "app".
	Header string
	// RawBody, when set, is answered instead of a Graph error (a proxy's page).
	RawBody string
	// AcceptThenHang carries the request out (the post exists) and never answers, until the
	// client gives up or the server closes.
	AcceptThenHang bool
}

// On restricts f to a method and an edge.
func (f Fault) On(method, edge string) Fault {
	f.Method, f.Edge = method, edge
	return f
}

// Expired is error 190 with subcode 463: the access token expired.
func Expired() Fault {
	return Fault{Status: http.StatusBadRequest, Code: 190, Subcode: 463, Type: "OAuthException",
		Message: "Error validating access token: Session has expired on Sunday, 01-Mar-26 04:00:00 PST. The current time is Sunday, 01-Mar-26 05:00:00 PST."}
}

// AuthError is error 190 with another subcode (458, 460, 467…).
func AuthError(subcode int) Fault {
	return Fault{Status: http.StatusBadRequest, Code: 190, Subcode: subcode, Type: "OAuthException",
		Message: "Error validating access token: The session has been invalidated."}
}

// RateLimited is a rate-limit error (code 4, 17, 32, 613 or 80001–80014) whose usage header says
// access is regained after regain (none when zero).
func RateLimited(code int, regain time.Duration) Fault {
	msgs := map[int]string{
		4: "(#4) Application request limit reached", 17: "(#17) User request limit reached",
		32: "(#32) Page request limit reached", 613: "(#613) Calls to this api have exceeded the rate limit.",
	}
	msg, ok := msgs[code]
	if !ok {
		msg = fmt.Sprintf("(#%d) There have been too many calls from this Page. Wait a bit and try again.", code)
	}
	status := http.StatusBadRequest
	if code == 32 {
		status = http.StatusForbidden
	}
	return Fault{Status: status, Code: code, Type: "OAuthException", Message: msg, RegainAfter: regain, Transient: true}
}

// PolicyBlocked is error 368: temporarily blocked for policy reasons.
func PolicyBlocked() Fault {
	return Fault{Status: http.StatusBadRequest, Code: 368, Subcode: 1390008, Type: "OAuthException",
		Message: "It looks like you were misusing this feature by going too fast. You've been temporarily blocked from using it."}
}

// ServerError is Graph's 500 (code 1, "An unknown error has occurred.") or 503 (code 2,
// "Service temporarily unavailable"); 502 and 504 answer a proxy's page, not Graph JSON.
func ServerError(status int) Fault {
	switch status {
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return Fault{Status: status, RawBody: fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>", status, http.StatusText(status))}
	case http.StatusServiceUnavailable:
		return Fault{Status: status, Code: 2, Type: "OAuthException", Message: "Service temporarily unavailable", Transient: true}
	}
	return Fault{Status: status, Code: 1, Type: "OAuthException", Message: "An unknown error has occurred.", Transient: false}
}

// Transient is an error Graph flags is_transient.
func Transient() Fault {
	return Fault{Status: http.StatusBadRequest, Code: 2, Type: "OAuthException", Message: "An unexpected error has occurred. Please retry your request later.", Transient: true}
}

// PermissionMissing is error 200: a permission the call needs was not granted.
func PermissionMissing() Fault {
	return Fault{Status: http.StatusForbidden, Code: 200, Type: "OAuthException",
		Message: "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission"}
}

// InvalidParameter is error 100 with Graph's message msg.
func InvalidParameter(msg string) Fault {
	return Fault{Status: http.StatusBadRequest, Code: 100, Type: "OAuthException", Message: msg}
}

// AcceptThenHang carries out the matching create and withholds the answer.
func AcceptThenHang(method, edge string) Fault {
	return Fault{Method: method, Edge: edge, AcceptThenHang: true}
}

type faultSlot struct {
	f Fault
	n int
}

// Inject applies f to the next n matching requests.
func (s *Server) Inject(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultSlot{f: f, n: n})
}

func (s *Server) takeFault(method, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	edge := path[strings.LastIndexByte(path, '/')+1:]
	for _, slot := range s.faults {
		f := slot.f
		if slot.n <= 0 || (f.Method != "" && f.Method != method) || (f.Path != "" && f.Path != path) || (f.Edge != "" && f.Edge != edge) {
			continue
		}
		slot.n--
		return &f
	}
	return nil
}

// gerr is a Graph error answer.
type gerr struct {
	status        int
	code, subcode int
	typ, msg      string
	transient     bool
	blame         string
}

func (e *gerr) Error() string { return e.msg }

func oauthErr(status, code, subcode int, msg string) *gerr {
	return &gerr{status: status, code: code, subcode: subcode, typ: "OAuthException", msg: msg}
}

func invalid(msg string) *gerr { return oauthErr(http.StatusBadRequest, 100, 0, msg) }

func unsupported(method, id string) *gerr {
	return &gerr{status: http.StatusBadRequest, code: 100, subcode: 33, typ: "GraphMethodException",
		msg: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
			strings.ToLower(method), id)}
}

func (s *Server) writeErr(w http.ResponseWriter, e *gerr) {
	body := map[string]any{
		"message":    e.msg,
		"type":       e.typ,
		"code":       e.code,
		"fbtrace_id": "A" + randomHex(10),
	}
	if e.subcode != 0 {
		body["error_subcode"] = e.subcode
	}
	if e.transient {
		body["is_transient"] = true
	}
	if e.blame != "" {
		body["error_data"] = map[string]any{"blame_field_specs": [][]string{{e.blame}}}
	}
	if e.code == 190 {
		w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+e.msg+`"`)
	}
	writeJSON(w, e.status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// request is a parsed Graph call.
type request struct {
	r      *http.Request
	method string
	path   string // without the version
	params map[string][]string
	files  map[string]upload
	tok    *token
}

type upload struct {
	name, mime string
	data       []byte
}

func (q *request) get(name string) string {
	if v := q.params[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

var versionSegment = regexp.MustCompile(`^/(v[0-9]+\.[0-9]+)(/.*)?$`)

// serve parses the call, applies faults, and routes it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/ig-pictures/") {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write([]byte{0xff, 0xd8, 0xff, 0xd9})
		return
	}
	m := versionSegment.FindStringSubmatch(r.URL.Path)
	if m == nil {
		s.t.Errorf("metagraphtest: %s %s names no Graph API version (every call must, e.g. /%s/me)", r.Method, r.URL.Path, metagraph.DefaultVersion)
		s.writeErr(w, oauthErr(http.StatusBadRequest, 2500, 0, "Unknown path components: "+r.URL.Path))
		return
	}
	version, path := m[1], m[2]
	if path == "" {
		path = "/"
	}
	q, err := parseRequest(r)
	if err != nil {
		s.writeErr(w, invalid("(#100) The request body could not be read: "+err.Error()))
		return
	}
	q.path = path
	s.mu.Lock()
	s.versions[version]++
	s.requests[r.Method+" "+path]++
	s.mu.Unlock()
	w.Header().Set("Date", s.clock().UTC().Format(http.TimeFormat))

	switch path {
	case "/dialog/oauth":
		s.dialog(w, r)
		return
	case "/oauth/access_token":
		if f := s.takeFault(r.Method, path); f != nil && !f.AcceptThenHang {
			s.writeFault(w, f, "")
			return
		}
		s.accessToken(w, q)
		return
	}

	f := s.takeFault(r.Method, path)
	if f != nil && !f.AcceptThenHang {
		s.writeFault(w, f, s.faultObject(path))
		return
	}
	if f == nil || !f.AcceptThenHang {
		if e := s.graph(w, q); e != nil {
			s.writeErr(w, e)
		}
		return
	}
	// Carry the call out, keep the answer, and never send it.
	rec := httptest.NewRecorder()
	if e := s.graph(rec, q); e != nil {
		s.writeErr(rec, e)
	}
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
}

// faultObject is the business object a fault's usage header is keyed by: the path's node.
func (s *Server) faultObject(path string) string {
	seg := strings.Split(strings.Trim(path, "/"), "/")[0]
	if i := strings.IndexByte(seg, '_'); i > 0 {
		seg = seg[:i]
	}
	return seg
}

func (s *Server) writeFault(w http.ResponseWriter, f *Fault, object string) {
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if f.RegainAfter > 0 || f.Code == 4 || f.Code == 17 || f.Code == 32 || f.Code == 613 || f.Code >= 80001 && f.Code <= 80014 {
		minutes := int(f.RegainAfter.Round(time.Minute) / time.Minute)
		fig := map[string]any{"call_count": 100, "total_cputime": 35, "total_time": 40}
		if f.RegainAfter > 0 {
			fig["estimated_time_to_regain_access"] = minutes
		}
		switch f.Header {
		case "app":
			w.Header().Set("X-App-Usage", mustJSON(fig))
		case "page":
			w.Header().Set("X-Page-Usage", mustJSON(fig))
		default:
			fig["type"] = "pages"
			if object == "" {
				object = "0"
			}
			w.Header().Set("X-Business-Use-Case-Usage", mustJSON(map[string]any{object: []any{fig}}))
		}
	}
	if f.RawBody != "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, f.RawBody)
		return
	}
	typ := f.Type
	if typ == "" {
		typ = "OAuthException"
	}
	s.writeErr(w, &gerr{status: status, code: f.Code, subcode: f.Subcode, typ: typ, msg: f.Message, transient: f.Transient})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// parseRequest reads the query and, for a POST, the form or multipart body.
func parseRequest(r *http.Request) (*request, error) {
	q := &request{r: r, method: r.Method, params: map[string][]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		q.params[k] = append(q.params[k], v...)
	}
	if r.Method != http.MethodPost || r.Body == nil {
		return q, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 512<<20))
	if err != nil {
		return nil, err
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			if part.FileName() != "" {
				q.files[part.FormName()] = upload{name: part.FileName(), mime: part.Header.Get("Content-Type"), data: data}
				continue
			}
			q.params[part.FormName()] = append(q.params[part.FormName()], string(data))
		}
	case "application/x-www-form-urlencoded", "":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			q.params[k] = append(q.params[k], v...)
		}
	case "application/json":
		var m map[string]any
		if len(body) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, err
			}
		}
		for k, v := range m {
			if sv, ok := v.(string); ok {
				q.params[k] = append(q.params[k], sv)
			} else {
				b, _ := json.Marshal(v)
				q.params[k] = append(q.params[k], string(b))
			}
		}
	}
	return q, nil
}

// bearer returns the token of the Authorization header ("Bearer" or "OAuth") or of the
// access_token parameter.
func (q *request) bearer() string {
	v := q.r.Header.Get("Authorization")
	for _, prefix := range []string{"Bearer ", "OAuth "} {
		if t, ok := strings.CutPrefix(v, prefix); ok {
			return strings.TrimSpace(t)
		}
	}
	return q.get("access_token")
}

// authenticate finds the call's token and checks appsecret_proof.
func (s *Server) authenticate(q *request) *gerr {
	value := q.bearer()
	if value == "" {
		return oauthErr(http.StatusBadRequest, 2500, 0, "An active access token must be used to query information about the current user.")
	}
	s.mu.Lock()
	tok := s.tokens[value]
	now := s.now()
	app := s.app
	requireProof := s.requireProof
	s.mu.Unlock()
	switch {
	case tok == nil:
		return oauthErr(http.StatusBadRequest, 190, 0, "Invalid OAuth access token - Cannot parse access token")
	case tok.revoked:
		return oauthErr(http.StatusBadRequest, 190, tok.revokedSubcode, "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.")
	case !tok.expires.IsZero() && now.After(tok.expires):
		return oauthErr(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired on "+tok.expires.Format(time.RFC1123)+". The current time is "+now.Format(time.RFC1123)+".")
	}
	proof := q.get("appsecret_proof")
	switch {
	case proof != "" && proof != metagraph.AppSecretProof(value, app.ClientSecret):
		return &gerr{status: http.StatusBadRequest, code: 100, typ: "GraphMethodException", msg: "Invalid appsecret_proof provided in the API argument"}
	case proof == "" && requireProof:
		return &gerr{status: http.StatusBadRequest, code: 100, typ: "GraphMethodException", msg: "API calls from the server require an appsecret_proof argument"}
	}
	q.tok = tok
	return nil
}

// stampUsage sets the usage headers Graph sends: X-App-Usage always, and
// X-Business-Use-Case-Usage for calls about a Page or an Instagram account.
func (s *Server) stampUsage(w http.ResponseWriter, object, useCase string) {
	s.mu.Lock()
	s.appCalls++
	app := min(s.appCalls/5, 99)
	var obj int
	if object != "" {
		s.objectCalls[object]++
		obj = min(s.objectCalls[object]/4, 99)
	}
	s.mu.Unlock()
	w.Header().Set("X-App-Usage", mustJSON(map[string]int{"call_count": app, "total_cputime": app / 2, "total_time": app / 2}))
	if object != "" {
		w.Header().Set("X-Business-Use-Case-Usage", mustJSON(map[string]any{object: []any{map[string]any{
			"type": useCase, "call_count": obj, "total_cputime": obj / 2, "total_time": obj / 2, "estimated_time_to_regain_access": 0,
		}}}))
	}
}

// refuse records a request the spec refuses, fails the test, and answers Graph's error.
func (s *Server) refuse(q *request, e *specError) *gerr {
	msg := fmt.Sprintf("%s %s: %s", q.method, q.path, e.message)
	if e.blame != "" {
		msg += " [" + e.blame + "]"
	}
	s.mu.Lock()
	s.refusals = append(s.refusals, msg)
	s.mu.Unlock()
	s.t.Errorf("metagraphtest: refused by the Graph API specs: %s", msg)
	g := invalid(e.message)
	g.blame = e.blame
	return g
}

// graph serves a Graph call: authenticate, resolve the node, check against the spec, check
// permissions, then the handler.
func (s *Server) graph(w http.ResponseWriter, q *request) *gerr {
	if e := s.authenticate(q); e != nil {
		return e
	}
	segs := strings.Split(strings.Trim(q.path, "/"), "/")
	if q.path == "/" {
		if q.method != http.MethodGet || q.get("ids") == "" {
			return oauthErr(http.StatusBadRequest, 100, 0, "(#100) Missing 'ids' parameter")
		}
		s.stampUsage(w, "", "")
		return s.batch(w, q)
	}
	if len(segs) > 2 {
		return oauthErr(http.StatusBadRequest, 2500, 0, "Unknown path components: /"+strings.Join(segs[2:], "/"))
	}
	id := segs[0]
	if id == "me" {
		if q.tok.kind == "page" {
			id = q.tok.pageID
		} else {
			id = s.user.id
		}
	}
	edge := ""
	if len(segs) == 2 {
		edge = segs[1]
	}
	s.mu.Lock()
	typ := s.kinds[id]
	s.mu.Unlock()
	if typ == "" {
		return unsupported(q.method, id)
	}
	object, useCase := s.usageObject(typ, id)
	s.stampUsage(w, object, useCase)

	api := s.spec.find(typ, q.method, edge)
	if api == nil {
		if q.method == http.MethodGet && edge != "" {
			return s.refuse(q, &specError{message: fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (%s)", edge, typ), blame: edge})
		}
		return s.refuse(q, &specError{message: unsupported(q.method, id).msg})
	}
	fileNames := make([]string, 0, len(q.files))
	for name := range q.files {
		fileNames = append(fileNames, name)
	}
	uploads := typ == "Page" && (edge == "photos" || edge == "videos")
	if e := s.spec.checkParams(api, q.params, fileNames, q.method == http.MethodGet && edge != "", uploads); e != nil {
		return s.refuse(q, e)
	}
	var sel []fieldSel
	if fv := q.get("fields"); fv != "" {
		parsed, err := parseFields(fv)
		if err != nil {
			return s.refuse(q, &specError{message: "(#100) Syntax error in the fields parameter: " + err.Error(), blame: "fields"})
		}
		target := typ
		if edge != "" || q.method == http.MethodPost {
			target = api.ret
		}
		if e := s.spec.checkFields(target, parsed); e != nil {
			return s.refuse(q, e)
		}
		sel = parsed
	}
	if e := s.permit(q.tok, typ, id, q.method, edge); e != nil {
		return e
	}
	if q.method == http.MethodGet {
		if edge == "" {
			out, e := s.renderNode(ref{typ, id}, sel, q.tok)
			if e != nil {
				return e
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		}
		out, e := s.renderEdge(ref{typ, id}, edge, q.params, sel, q.tok, q.r)
		if e != nil {
			return e
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	return s.create(w, q, typ, id, edge)
}

// usageObject is the business object and use case of a call's X-Business-Use-Case-Usage.
func (s *Server) usageObject(typ, id string) (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch typ {
	case "Page":
		return id, "pages"
	case "PagePost", "Photo", "AdVideo", "Comment":
		return strings.SplitN(id, "_", 2)[0], "pages"
	case "IGUser", "IGMedia", "ShadowIGMediaBuilder", "IGComment":
		return id, "instagram"
	}
	return "", ""
}

// permissionsFor are the permissions each kind of call needs, as Meta's references list them.
func permissionsFor(typ, method, edge string) []string {
	switch typ + " " + method + " " + edge {
	case "User GET accounts":
		return []string{"pages_show_list"}
	case "Page POST feed", "Page POST photos", "Page POST videos":
		return []string{"pages_manage_posts", "pages_read_engagement"}
	case "Page GET published_posts", "Page GET feed", "PagePost GET ", "Photo GET ", "AdVideo GET ",
		"PagePost GET comments", "PagePost GET reactions", "AdVideo GET comments", "AdVideo GET reactions":
		return []string{"pages_read_engagement"}
	case "PagePost GET insights", "Photo GET insights":
		return []string{"read_insights"}
	case "PagePost POST comments", "Photo POST comments", "AdVideo POST comments":
		return []string{"pages_manage_engagement"}
	case "IGUser GET ", "IGUser GET media", "IGMedia GET ", "IGMedia GET comments":
		return []string{"instagram_basic"}
	case "IGUser POST media", "IGUser POST media_publish", "IGUser GET content_publishing_limit", "ShadowIGMediaBuilder GET ":
		return []string{"instagram_basic", "instagram_content_publish"}
	case "IGMedia GET insights":
		return []string{"instagram_basic", "instagram_manage_insights"}
	case "IGMedia POST comments":
		return []string{"instagram_basic", "instagram_manage_comments"}
	}
	return nil
}

// permit checks that the token may make the call: the permissions granted, and for Page writes
// the Page's own token.
func (s *Server) permit(tok *token, typ, id, method, edge string) *gerr {
	for _, p := range permissionsFor(typ, method, edge) {
		if !tok.scopes[p] {
			if strings.HasPrefix(p, "instagram") {
				return oauthErr(http.StatusForbidden, 10, 0, "(#10) Application does not have permission for this action")
			}
			return oauthErr(http.StatusForbidden, 200, 0, fmt.Sprintf("(#200) Requires %s permission to perform this action", p))
		}
	}
	owner := s.pageOf(typ, id)
	switch {
	case typ == "User" && tok.kind != "user":
		return oauthErr(http.StatusBadRequest, 100, 0, "(#100) Tried accessing nonexisting field on node type (Page)")
	case method == http.MethodPost && owner != "" && (tok.kind != "page" || tok.pageID != owner):
		return oauthErr(http.StatusForbidden, 200, 0, "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission")
	case owner != "" && tok.kind == "page" && tok.pageID != owner:
		return unsupported(method, id)
	}
	return nil
}

// pageOf is the Page an object belongs to (for Instagram objects, the linked Page).
func (s *Server) pageOf(typ, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch typ {
	case "Page":
		return id
	case "PagePost":
		if p := s.posts[id]; p != nil {
			return p.pageID
		}
	case "Photo":
		if p := s.photos[id]; p != nil {
			return p.pageID
		}
	case "AdVideo":
		if v := s.videos[id]; v != nil {
			return v.pageID
		}
	case "IGUser":
		if ig := s.igs[id]; ig != nil {
			return ig.pageID
		}
	case "IGMedia":
		if m := s.media[id]; m != nil {
			if ig := s.igs[m.igID]; ig != nil {
				return ig.pageID
			}
		}
	case "ShadowIGMediaBuilder":
		if c := s.containers[id]; c != nil {
			if ig := s.igs[c.igID]; ig != nil {
				return ig.pageID
			}
		}
	}
	return ""
}

// batch serves GET /?ids=a,b&fields=…: each node rendered under its id. Graph refuses the whole
// call when one id does not exist.
func (s *Server) batch(w http.ResponseWriter, q *request) *gerr {
	for name := range q.params {
		if name != "ids" && !genericParams[name] {
			return s.refuse(q, &specError{message: "(#100) Invalid parameter", blame: name})
		}
	}
	ids := strings.Split(q.get("ids"), ",")
	if len(ids) > 50 {
		return invalid("(#100) Too many IDs. Maximum: 50. Actual: " + fmt.Sprint(len(ids)))
	}
	var sel []fieldSel
	if fv := q.get("fields"); fv != "" {
		parsed, err := parseFields(fv)
		if err != nil {
			return s.refuse(q, &specError{message: "(#100) Syntax error in the fields parameter: " + err.Error(), blame: "fields"})
		}
		sel = parsed
	}
	var missing []string
	types := map[string]string{}
	s.mu.Lock()
	for _, id := range ids {
		if typ := s.kinds[id]; typ != "" {
			types[id] = typ
		} else {
			missing = append(missing, id)
		}
	}
	s.mu.Unlock()
	if len(missing) > 0 {
		return invalid("(#100) Some of the aliases you requested do not exist: " + strings.Join(missing, ","))
	}
	out := map[string]any{}
	for _, id := range ids {
		typ := types[id]
		if sel != nil {
			if e := s.spec.checkFields(typ, sel); e != nil {
				return s.refuse(q, e)
			}
		}
		if e := s.permit(q.tok, typ, id, http.MethodGet, ""); e != nil {
			return e
		}
		node, e := s.renderNode(ref{typ, id}, sel, q.tok)
		if e != nil {
			return e
		}
		out[id] = node
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
