package linkedintest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakenet"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// OAuth 2.0 and OpenID Connect (www.linkedin.com and api.linkedin.com/v2).
	mux.HandleFunc("GET /oauth/v2/authorization", s.authorize)
	mux.HandleFunc("POST /oauth/v2/accessToken", s.accessToken)
	mux.HandleFunc("GET /v2/userinfo", s.userinfo)
	// The versioned REST API.
	mux.HandleFunc("GET /rest/organizationAcls", s.organizationAcls)
	mux.HandleFunc("GET /rest/organizations", s.organizations)
	mux.HandleFunc("POST /rest/posts", s.createPost)
	mux.HandleFunc("GET /rest/posts", s.findPosts)
	mux.HandleFunc("POST /rest/images", s.imagesAction)
	mux.HandleFunc("GET /rest/images/{urn}", s.getImage)
	mux.HandleFunc("POST /rest/videos", s.videosAction)
	mux.HandleFunc("GET /rest/videos/{urn}", s.getVideo)
	mux.HandleFunc("POST /rest/socialActions/{urn}/comments", s.createComment)
	mux.HandleFunc("GET /rest/organizationalEntityShareStatistics", s.shareStatistics)
	// Upload URLs handed out by initializeUpload (www.linkedin.com/dms-uploads/… on LinkedIn).
	mux.HandleFunc("PUT /dms-uploads/image/{id}", s.uploadImage)
	mux.HandleFunc("PUT /dms-uploads/video/{id}/{part}", s.uploadVideoPart)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "No resource found for "+r.Method+" "+r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(mux, w, r) })
}

type faultKey struct{}

// versionRE is a LinkedIn-Version value: YYYYMM, optionally with a patch (.NN).
var versionRE = regexp.MustCompile(`^(\d{4})(\d{2})(\.\d{2})?$`)

// serve counts the request, enforces the headers every /rest/ call needs, applies injected
// faults and hands over to the route.
func (s *Server) serve(mux http.Handler, w http.ResponseWriter, r *http.Request) {
	readBody(r)
	s.mu.Lock()
	s.requests[r.Method+" "+r.URL.Path]++
	s.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/rest/") {
		if !s.checkRestHeaders(w, r) {
			return
		}
	}
	f := s.takeFault(r)
	if f != nil && !f.AcceptThenHang {
		writeFault(w, *f)
		return
	}
	if f != nil {
		r = r.WithContext(context.WithValue(r.Context(), faultKey{}, f))
	}
	mux.ServeHTTP(w, r)
}

// checkRestHeaders refuses a /rest/ request without an active LinkedIn-Version or without
// X-Restli-Protocol-Version: 2.0.0. Both are documented as required on every versioned API
// ("All APIs require the request header LinkedIn-Version: {Version in YYYYMM format}. All APIs
// require the request header X-Restli-Protocol-Version: 2.0.0").
// https://learn.microsoft.com/en-us/linkedin/marketing/versioning
// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/protocol-version
func (s *Server) checkRestHeaders(w http.ResponseWriter, r *http.Request) bool {
	v := strings.TrimSpace(r.Header.Get("LinkedIn-Version"))
	if v == "" {
		writeError(w, http.StatusBadRequest, 0, "VERSION_MISSING",
			"A version must be present. Please specify a version by adding the LinkedIn-Version header.")
		return false
	}
	m := versionRE.FindStringSubmatch(v)
	if m == nil || !s.versionActive(m[1], m[2]) {
		// LinkedIn answers a sunset or unknown version with 426.
		writeError(w, http.StatusUpgradeRequired, 0, "NONEXISTENT_VERSION", "Requested version "+v+" is not active")
		return false
	}
	if r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
		// Without the header LinkedIn parses the request as Rest.li 1.0, where URN keys and
		// List(...) parameters are written differently; the fake refuses rather than guess.
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT",
			"Invalid query parameters passed to request: this API requires the header X-Restli-Protocol-Version: 2.0.0")
		return false
	}
	return true
}

// versionActive reports whether YYYYMM was released and is less than 12 months old on the
// fake's clock (LinkedIn supports each monthly version for at least a year).
func (s *Server) versionActive(yyyy, mm string) bool {
	y, _ := strconv.Atoi(yyyy)
	mo, _ := strconv.Atoi(mm)
	if mo < 1 || mo > 12 {
		return false
	}
	now := s.clock().UTC()
	months := (now.Year()*12 + int(now.Month()) - 1) - (y*12 + mo - 1)
	return months >= 0 && months < 12
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes LinkedIn's error body.
// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling
func writeError(w http.ResponseWriter, status, serviceErrorCode int, code, message string) {
	body := map[string]any{"status": status, "message": message}
	if serviceErrorCode != 0 {
		body["serviceErrorCode"] = serviceErrorCode
	}
	if code != "" {
		body["code"] = code
	}
	writeJSON(w, status, body)
}

// duplicateBody is LinkedIn's answer to a duplicate post, as integrators report it.
func duplicateBody(of string) string {
	b, _ := json.Marshal(map[string]any{
		"errorDetailType": "com.linkedin.common.error.BadRequest",
		"message":         "com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of " + of,
		"errorDetails": map[string]any{"inputErrors": []any{map[string]any{
			"description": "Duplicate post is detected", "input": map[string]any{}, "code": "DUPLICATE_POST"}}},
		"status": 422,
	})
	return string(b)
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	if (f.Status == http.StatusBadGateway || f.Status == http.StatusGatewayTimeout) && f.Code == "" {
		// A gateway's page, not LinkedIn JSON.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", f.Status, http.StatusText(f.Status))
		return
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	writeError(w, f.Status, f.ServiceErrorCode, f.Code, msg)
}

// oauthError writes an RFC 6749 error, as LinkedIn's OAuth endpoints do.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

func has(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want {
			return true
		}
	}
	return false
}

// authorize serves GET /oauth/v2/authorization as a member who approves at once (or cancels,
// with SetDenyConsent) and redirects to the redirect URL with code and state.
// https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	clientOK := q.Get("client_id") == s.clientID
	redirect := q.Get("redirect_uri")
	redirectOK := s.redirects[redirect]
	deny, pkce := s.denyConsent, s.pkce
	appScopes := s.appScopes
	now := s.now()
	s.mu.Unlock()
	if !clientOK {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The passed in client_id is invalid")
		return
	}
	if !redirectOK {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The redirect_uri does not match the registered value")
		return
	}
	back := func(v url.Values) {
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		u, _ := url.Parse(redirect)
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) { back(url.Values{"error": {code}, "error_description": {desc}}) }
	if q.Get("response_type") != "code" {
		fail("invalid_request", "response_type must be code")
		return
	}
	scopes := splitScopes(q.Get("scope"))
	if len(scopes) == 0 {
		fail("invalid_request", "The scope parameter is missing")
		return
	}
	for _, sc := range scopes {
		if !appScopes[sc] {
			fail("unauthorized_scope_error", fmt.Sprintf("Scope %q is not authorized for your application", sc))
			return
		}
	}
	if deny {
		fail("user_cancelled_authorize", "The user cancelled the authorization")
		return
	}
	g := &grant{redirectURI: redirect, scopes: scopes, issued: now}
	if pkce {
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
			fail("invalid_request", "PKCE requires code_challenge and code_challenge_method=S256")
			return
		}
		g.challenge = q.Get("code_challenge")
	}
	code := randomString()
	s.mu.Lock()
	s.grants[code] = g
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

// Authorize plays the member at an authorization URL a client built and returns where LinkedIn
// redirects the browser (the redirect URL with code and state, or an error). It fails when the
// fake refuses the URL outright (unknown client or redirect URL).
func (s *Server) Authorize(authURL string) (string, error) {
	loc, status, body, err := s.Visit(authURL)
	if err != nil {
		return "", fmt.Errorf("linkedintest: %w", err)
	}
	if status != http.StatusFound {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &e)
		return "", fmt.Errorf("linkedintest: the authorization page answered %d: %s: %s", status, e.Error, e.Description)
	}
	return loc, nil
}

// accessToken serves POST /oauth/v2/accessToken: the authorization_code grant (client secret
// in the form, the redirect URL as authorized, single-use codes valid 30 minutes, the PKCE
// verifier when the app has PKCE) and, for apps given refresh tokens, refresh_token.
// https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
// https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	form, err := url.ParseQuery(string(readBody(r)))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be parsed")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if form.Get("client_id") != s.clientID || form.Get("client_secret") != s.secret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	now := s.now()
	const badCode = "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists"
	var scopes []string
	tok := &token{access: randomString(), expires: now.Add(TokenTTL)}
	switch form.Get("grant_type") {
	case "authorization_code":
		g := s.grants[form.Get("code")]
		if g == nil || g.used || now.Sub(g.issued) > 30*time.Minute || form.Get("redirect_uri") != g.redirectURI {
			oauthError(w, http.StatusBadRequest, "invalid_request", badCode)
			return
		}
		verifier := form.Get("code_verifier")
		switch {
		case g.challenge != "":
			if !fakenet.PKCEMatches(verifier, g.challenge) {
				oauthError(w, http.StatusBadRequest, "invalid_request", badCode)
				return
			}
		case verifier != "":
			// Reported by integrators: an app LinkedIn has not enabled PKCE for is refused
			// when the token request carries a verifier.
			oauthError(w, http.StatusBadRequest, "invalid_request", badCode)
			return
		}
		g.used = true
		scopes = g.scopes
		if s.issueRefresh {
			tok.refresh = randomString()
			tok.refreshExpires = now.Add(RefreshTTL)
		}
	case "refresh_token":
		old := s.refresh[form.Get("refresh_token")]
		if old == nil || old.revoked || !now.Before(old.refreshExpires) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		// LinkedIn keeps the refresh token and its original lifetime.
		scopes = old.scopes
		tok.refresh, tok.refreshExpires = old.refresh, old.refreshExpires
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type is not supported")
		return
	}
	tok.scopes = scopes
	s.tokens[tok.access] = tok
	body := map[string]any{
		"access_token": tok.access,
		"expires_in":   int64(TokenTTL / time.Second),
		// LinkedIn lists the granted scopes comma separated.
		"scope":      strings.Join(scopes, ","),
		"token_type": "Bearer",
	}
	if tok.refresh != "" {
		s.refresh[tok.refresh] = tok
		body["refresh_token"] = tok.refresh
		body["refresh_token_expires_in"] = int64(tok.refreshExpires.Sub(now) / time.Second)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

// auth checks the bearer token and, when need is not empty, that one of those scopes was
// granted.
func (s *Server) auth(w http.ResponseWriter, r *http.Request, need ...string) (*token, bool) {
	value := fakenet.Bearer(r)
	s.mu.Lock()
	tok := s.tokens[value]
	now := s.now()
	s.mu.Unlock()
	switch {
	case value == "":
		writeError(w, http.StatusUnauthorized, 401, "", "Empty oauth2_access_token")
		return nil, false
	case tok == nil:
		writeError(w, http.StatusUnauthorized, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
		return nil, false
	case tok.revoked:
		writeError(w, http.StatusUnauthorized, 65602, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user")
		return nil, false
	case !now.Before(tok.expires):
		writeError(w, http.StatusUnauthorized, 65601, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
		return nil, false
	}
	if len(need) == 0 {
		return tok, true
	}
	for _, n := range need {
		if has(tok.scopes, n) {
			return tok, true
		}
	}
	writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: "+r.Method+" "+r.URL.Path)
	return nil, false
}

// canActAs checks that tok may write as urn: the member itself with w_member_social, or a page
// the member is an approved ADMINISTRATOR or CONTENT_ADMIN of, with w_organization_social.
func (s *Server) canActAs(w http.ResponseWriter, r *http.Request, tok *token, urn string) bool {
	var ok bool
	switch {
	case urn == s.MemberURN():
		ok = has(tok.scopes, "w_member_social")
	case strings.HasPrefix(urn, "urn:li:organization:"):
		ok = has(tok.scopes, "w_organization_social") && s.hasRole(urn, "ADMINISTRATOR", "CONTENT_ADMIN")
	}
	if !ok {
		writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: "+r.Method+" "+r.URL.Path+" as "+urn)
	}
	return ok
}

func (s *Server) hasRole(orgURN string, roles ...string) bool {
	id, err := strconv.ParseInt(strings.TrimPrefix(orgURN, "urn:li:organization:"), 10, 64)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.acls {
		if a.org != id || a.state != "APPROVED" {
			continue
		}
		for _, r := range roles {
			if a.role == r {
				return true
			}
		}
	}
	return false
}

// userinfo serves GET /v2/userinfo (scopes openid and profile).
// https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.auth(w, r)
	if !ok {
		return
	}
	if !has(tok.scopes, "openid") || !has(tok.scopes, "profile") {
		writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: userinfo.GET.NO_VERSION")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub": MemberSub, "name": MemberName, "given_name": "Robin", "family_name": "Herald",
		"picture": s.URL + "/media/profile-displayphoto-shrink_100_100/" + MemberSub,
		"locale":  map[string]string{"country": "US", "language": "en"},
	})
}

// listParam reads a Rest.li 2.0 List(a,b) query parameter (nil when absent or malformed).
func listParam(q url.Values, name string) ([]string, bool) {
	v := q.Get(name)
	if v == "" {
		return nil, true
	}
	inner, ok := strings.CutPrefix(v, "List(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return nil, false
	}
	inner = strings.TrimSuffix(inner, ")")
	if inner == "" {
		return nil, true
	}
	return strings.Split(inner, ","), true
}

// intParam reads start and count.
func intParam(q url.Values, name string, def int) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// organizationAcls serves the roleAssignee finder: the member's roles, filtered by role and
// state, paged by start and count.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role
func (s *Server) organizationAcls(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "rw_organization_admin", "r_organization_admin"); !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("q") != "roleAssignee" {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Unsupported finder: "+q.Get("q"))
		return
	}
	start, ok1 := intParam(q, "start", 0)
	count, ok2 := intParam(q, "count", 10)
	if !ok1 || !ok2 {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "start and count must be non-negative integers")
		return
	}
	s.mu.Lock()
	var els []any
	for _, a := range s.acls {
		if (q.Get("role") != "" && a.role != q.Get("role")) || (q.Get("state") != "" && a.state != q.Get("state")) {
			continue
		}
		els = append(els, map[string]any{"roleAssignee": s.MemberURN(), "state": a.state, "role": a.role,
			"organization": OrganizationURN(a.org)})
	}
	s.mu.Unlock()
	total := len(els)
	els = els[min(start, total):min(start+count, total)]
	if els == nil {
		els = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"paging": map[string]any{"start": start, "count": count, "links": []any{}, "total": total},
		"elements": els})
}

// organizations serves BATCH_GET /rest/organizations?ids=List(1,2).
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api
func (s *Server) organizations(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "rw_organization_admin", "r_organization_admin"); !ok {
		return
	}
	ids, ok := listParam(r.URL.Query(), "ids")
	if !ok || len(ids) == 0 {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "ids must be a List of organization ids")
		return
	}
	results, statuses, errs := map[string]any{}, map[string]int{}, map[string]any{}
	s.mu.Lock()
	for _, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		o := s.orgs[n]
		if err != nil || o == nil {
			statuses[id] = 404
			errs[id] = map[string]any{"status": 404, "message": "Not Found"}
			continue
		}
		org := map[string]any{"id": o.ID, "localizedName": o.Name, "vanityName": o.VanityName,
			"name": map[string]any{"localized": map[string]string{"en_US": o.Name}, "preferredLocale": map[string]string{"country": "US", "language": "en"}}}
		if o.LogoURN != "" {
			org["logoV2"] = map[string]any{"original": o.LogoURN, "cropped": o.LogoURN,
				"cropInfo": map[string]int{"x": 0, "y": 0, "width": 0, "height": 0}}
		}
		results[id] = org
		statuses[id] = 200
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "statuses": statuses, "errors": errs})
}

// rawKeyEncoded checks that the path's resource key was URL-encoded whole, as Rest.li 2.0
// requires ("the ( must be encoded to %28, ) to %29, : to %3A").
func rawKeyEncoded(w http.ResponseWriter, r *http.Request) bool {
	if strings.Contains(r.URL.EscapedPath(), "urn:li:") {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Syntax exception in path variables: the resource key must be URL-encoded")
		return false
	}
	return true
}

// decodeJSON reads a JSON object body strictly: unknown fields are refused, as LinkedIn
// refuses fields its schema does not have.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Content-Type must be application/json")
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(readBody(r))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusUnprocessableEntity, 0, "UNPROCESSABLE_ENTITY", "Unpermitted fields present in REQUEST_BODY: "+err.Error())
		return false
	}
	return true
}

// imagesAction serves POST /rest/images?action=initializeUpload.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
func (s *Server) imagesAction(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.auth(w, r)
	if !ok {
		return
	}
	if r.URL.Query().Get("action") != "initializeUpload" {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Unsupported action")
		return
	}
	var req struct {
		InitializeUploadRequest *struct {
			Owner string `json:"owner"`
		} `json:"initializeUploadRequest"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.InitializeUploadRequest == nil || req.InitializeUploadRequest.Owner == "" {
		writeError(w, http.StatusUnprocessableEntity, 0, "FIELD_MISSING", "/initializeUploadRequest/owner is required")
		return
	}
	if !s.canActAs(w, r, tok, req.InitializeUploadRequest.Owner) {
		return
	}
	s.mu.Lock()
	id := "C4E10AQ" + s.nextID()
	img := &Image{URN: "urn:li:image:" + id, Owner: req.InitializeUploadRequest.Owner, Status: "WAITING_UPLOAD"}
	s.images[img.URN] = img
	exp := s.now().Add(24 * time.Hour).UnixMilli()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"value": map[string]any{
		"uploadUrlExpiresAt": exp, "uploadUrl": s.URL + "/dms-uploads/image/" + id, "image": img.URN}})
}

// uploadImage serves the PUT of an image's bytes to its upload URL (201 Created).
func (s *Server) uploadImage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r); !ok {
		return
	}
	body := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	img := s.images["urn:li:image:"+r.PathValue("id")]
	if img == nil {
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Unknown upload")
		return
	}
	if len(body) == 0 {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Empty upload")
		return
	}
	img.Data, img.MIME, img.Status = body, r.Header.Get("Content-Type"), "AVAILABLE"
	w.WriteHeader(http.StatusCreated)
}

// getImage serves GET /rest/images/{urn}.
func (s *Server) getImage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r); !ok || !rawKeyEncoded(w, r) {
		return
	}
	urn := r.PathValue("urn")
	s.mu.Lock()
	img := s.images[urn]
	var logo bool
	for _, o := range s.orgs {
		logo = logo || strings.TrimPrefix(o.LogoURN, "urn:li:digitalmediaAsset:") == strings.TrimPrefix(urn, "urn:li:image:")
	}
	exp := s.now().Add(24 * time.Hour).UnixMilli()
	s.mu.Unlock()
	switch {
	case img != nil:
		writeJSON(w, http.StatusOK, map[string]any{"id": img.URN, "owner": img.Owner, "status": img.Status,
			"downloadUrl": s.URL + "/media/" + img.URN, "downloadUrlExpiresAt": exp})
	case logo:
		writeJSON(w, http.StatusOK, map[string]any{"id": urn, "status": "AVAILABLE",
			"downloadUrl": s.URL + "/media/logo/" + strings.TrimPrefix(urn, "urn:li:image:"), "downloadUrlExpiresAt": exp})
	default:
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not Found")
	}
}

// videosAction serves POST /rest/videos?action=initializeUpload and ?action=finalizeUpload.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api
func (s *Server) videosAction(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.auth(w, r)
	if !ok {
		return
	}
	switch r.URL.Query().Get("action") {
	case "initializeUpload":
		var req struct {
			InitializeUploadRequest *struct {
				Owner           string `json:"owner"`
				FileSizeBytes   int    `json:"fileSizeBytes"`
				UploadCaptions  bool   `json:"uploadCaptions"`
				UploadThumbnail bool   `json:"uploadThumbnail"`
			} `json:"initializeUploadRequest"`
		}
		if !decodeJSON(w, r, &req) {
			return
		}
		in := req.InitializeUploadRequest
		if in == nil || in.Owner == "" || in.FileSizeBytes <= 0 {
			writeError(w, http.StatusUnprocessableEntity, 0, "FIELD_MISSING", "/initializeUploadRequest/owner and fileSizeBytes are required")
			return
		}
		if !s.canActAs(w, r, tok, in.Owner) {
			return
		}
		s.mu.Lock()
		id := "C5F10AQ" + s.nextID()
		v := &Video{URN: "urn:li:video:" + id, Owner: in.Owner, Size: in.FileSizeBytes, Status: "WAITING_UPLOAD",
			received: map[int][]byte{}, uploadToken: ""}
		var instructions []any
		for first, part := 0, 0; first < in.FileSizeBytes; first, part = first+s.videoPartSize, part+1 {
			last := min(first+s.videoPartSize, in.FileSizeBytes) - 1
			v.parts = append(v.parts, [2]int{first, last})
			instructions = append(instructions, map[string]any{"uploadUrl": s.URL + "/dms-uploads/video/" + id + "/" + strconv.Itoa(part),
				"firstByte": first, "lastByte": last})
		}
		s.videos[v.URN] = v
		exp := s.now().Add(24 * time.Hour).UnixMilli()
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"value": map[string]any{"uploadUrlsExpireAt": exp, "video": v.URN,
			"uploadInstructions": instructions, "uploadToken": v.uploadToken, "thumbnailUploadUrl": "", "captionsUploadUrl": ""}})
	case "finalizeUpload":
		var req struct {
			FinalizeUploadRequest *struct {
				Video           string   `json:"video"`
				UploadToken     string   `json:"uploadToken"`
				UploadedPartIDs []string `json:"uploadedPartIds"`
			} `json:"finalizeUploadRequest"`
		}
		if !decodeJSON(w, r, &req) {
			return
		}
		in := req.FinalizeUploadRequest
		s.mu.Lock()
		defer s.mu.Unlock()
		if in == nil || s.videos[in.Video] == nil {
			writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Unknown video")
			return
		}
		v := s.videos[in.Video]
		if len(in.UploadedPartIDs) != len(v.parts) {
			writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", fmt.Sprintf("Expected %d uploaded part ids, got %d", len(v.parts), len(in.UploadedPartIDs)))
			return
		}
		var data []byte
		for i := range v.parts {
			if in.UploadedPartIDs[i] != v.etags[i] || v.received[i] == nil {
				writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", fmt.Sprintf("Part %d was not uploaded or its id does not match", i))
				return
			}
			data = append(data, v.received[i]...)
		}
		v.data, v.Status, v.pollsLeft = data, "PROCESSING", s.videoPolls
		w.WriteHeader(http.StatusOK)
	default:
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Unsupported action")
	}
}

// uploadVideoPart serves the PUT of one part; its answer's ETag is the part id finalizeUpload
// takes.
func (s *Server) uploadVideoPart(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r); !ok {
		return
	}
	body := readBody(r)
	part, err := strconv.Atoi(r.PathValue("part"))
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.videos["urn:li:video:"+r.PathValue("id")]
	if v == nil || err != nil || part < 0 || part >= len(v.parts) {
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Unknown upload")
		return
	}
	if want := v.parts[part][1] - v.parts[part][0] + 1; len(body) != want {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", fmt.Sprintf("Part %d must be %d bytes, got %d", part, want, len(body)))
		return
	}
	for len(v.etags) < len(v.parts) {
		v.etags = append(v.etags, "")
	}
	sum := sha256.Sum256(body)
	v.etags[part] = "/ambry-video/signedId/" + base64.RawURLEncoding.EncodeToString(sum[:12])
	v.received[part] = body
	w.Header().Set("ETag", v.etags[part])
	w.WriteHeader(http.StatusOK)
}

// getVideo serves GET /rest/videos/{urn}: PROCESSING for the configured polls, then AVAILABLE
// (or PROCESSING_FAILED).
func (s *Server) getVideo(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r); !ok || !rawKeyEncoded(w, r) {
		return
	}
	s.mu.Lock()
	v := s.videos[r.PathValue("urn")]
	if v == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not Found")
		return
	}
	if v.Status == "PROCESSING" {
		switch {
		case v.pollsLeft > 0:
			v.pollsLeft--
		case s.videoFails:
			v.Status = "PROCESSING_FAILED"
		default:
			v.Status = "AVAILABLE"
		}
	}
	body := map[string]any{"id": v.URN, "owner": v.Owner, "status": v.Status}
	if v.Status == "AVAILABLE" {
		body["downloadUrl"] = s.URL + "/media/" + v.URN
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// postRequest is the schema of POST /rest/posts, strictly (unknown fields are refused).
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
type postRequest struct {
	Author       *string `json:"author"`
	Commentary   *string `json:"commentary"`
	Visibility   *string `json:"visibility"`
	Distribution *struct {
		FeedDistribution               string   `json:"feedDistribution"`
		TargetEntities                 []any    `json:"targetEntities"`
		ThirdPartyDistributionChannels []string `json:"thirdPartyDistributionChannels"`
	} `json:"distribution"`
	Content *struct {
		Media *struct {
			ID      string `json:"id"`
			AltText string `json:"altText"`
			Title   string `json:"title"`
		} `json:"media"`
		MultiImage *struct {
			Images []struct {
				ID      string `json:"id"`
				AltText string `json:"altText"`
			} `json:"images"`
		} `json:"multiImage"`
		Article *struct {
			Source      string `json:"source"`
			Title       string `json:"title"`
			Description string `json:"description"`
			Thumbnail   string `json:"thumbnail"`
		} `json:"article"`
	} `json:"content"`
	LifecycleState            *string `json:"lifecycleState"`
	IsReshareDisabledByAuthor *bool   `json:"isReshareDisabledByAuthor"`
}

// createPost serves POST /rest/posts: 201 with the post's URN in x-restli-id (urn:li:ugcPost
// for video posts, urn:li:share otherwise) and no body.
func (s *Server) createPost(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.auth(w, r)
	if !ok {
		return
	}
	fault, _ := r.Context().Value(faultKey{}).(*Fault)
	var req postRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	missing := func(field string) {
		writeError(w, http.StatusUnprocessableEntity, 0, "FIELD_MISSING", "/"+field+" :: field is required but not found and has no default value")
	}
	switch {
	case req.Author == nil:
		missing("author")
		return
	case req.Commentary == nil:
		missing("commentary")
		return
	case req.Visibility == nil:
		missing("visibility")
		return
	case req.Distribution == nil:
		missing("distribution")
		return
	case req.LifecycleState == nil:
		missing("lifecycleState")
		return
	}
	if v := *req.Visibility; v != "PUBLIC" && v != "CONNECTIONS" && v != "LOGGED_IN" && v != "CONTAINER" {
		writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", "/visibility :: "+v+" is not a valid enum value")
		return
	}
	if fd := req.Distribution.FeedDistribution; fd != "MAIN_FEED" && fd != "NONE" {
		writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", "/distribution/feedDistribution :: "+fd+" is not a valid enum value")
		return
	}
	if ls := *req.LifecycleState; ls != "PUBLISHED" && ls != "DRAFT" {
		writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", "/lifecycleState :: "+ls+" is not a valid enum value")
		return
	}
	author := *req.Author
	if !s.canActAs(w, r, tok, author) {
		return
	}
	text, _ := renderLittle(*req.Commentary)
	if n := len([]rune(text)); n > 3000 {
		writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", fmt.Sprintf("/commentary :: length %d exceeds 3000", n))
		return
	}
	var contentMap map[string]any
	kind := "share"
	if c := req.Content; c != nil {
		n := 0
		for _, set := range []bool{c.Media != nil, c.MultiImage != nil, c.Article != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", "/content :: exactly one of media, multiImage, article is required")
			return
		}
		var ids []string
		switch {
		case c.Media != nil:
			ids = []string{c.Media.ID}
			if strings.HasPrefix(c.Media.ID, "urn:li:video:") {
				kind = "ugcPost"
			}
		case c.MultiImage != nil:
			if len(c.MultiImage.Images) < 2 || len(c.MultiImage.Images) > 20 {
				writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE",
					fmt.Sprintf("/content/multiImage/images :: a multi-image post has 2 to 20 images, got %d", len(c.MultiImage.Images)))
				return
			}
			for _, im := range c.MultiImage.Images {
				if !strings.HasPrefix(im.ID, "urn:li:image:") {
					writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", "/content/multiImage/images/id :: must be an image URN")
					return
				}
				ids = append(ids, im.ID)
			}
		case c.Article != nil:
			if c.Article.Source == "" || c.Article.Title == "" {
				writeError(w, http.StatusUnprocessableEntity, 0, "FIELD_MISSING", "/content/article :: source and title are required")
				return
			}
		}
		if msg := s.mediaReady(ids, author); msg != "" {
			writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", msg)
			return
		}
		raw, _ := json.Marshal(c)
		_ = json.Unmarshal(raw, &contentMap)
	}

	s.mu.Lock()
	now := s.now()
	// LinkedIn refuses a post whose shown text and content equal one the author published in
	// the last 24 hours (422 DUPLICATE_POST).
	for _, p := range s.posts {
		if p.Author == author && p.Text == text && now.Sub(p.CreatedAt) < 24*time.Hour && sameContent(p.Content, contentMap) {
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(duplicateBody(p.URN)))
			return
		}
	}
	p := &Post{URN: "urn:li:" + kind + ":" + s.nextID(), Author: author, Commentary: *req.Commentary, Text: text,
		Content: contentMap, Visibility: *req.Visibility, CreatedAt: now.UTC(), LastModifiedAt: now.UTC()}
	s.posts[p.URN] = p
	s.createdByText[text]++
	s.mu.Unlock()

	if fault != nil && fault.AcceptThenHang {
		s.Hang(r)
		return
	}
	w.Header().Set("x-restli-id", p.URN)
	w.WriteHeader(http.StatusCreated)
}

func sameContent(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// mediaReady checks that every referenced image or video was uploaded by the author and is
// AVAILABLE; it returns LinkedIn-shaped refusal text, or "".
func (s *Server) mediaReady(ids []string, author string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		var owner, status string
		switch {
		case s.images[id] != nil:
			owner, status = s.images[id].Owner, s.images[id].Status
		case s.videos[id] != nil:
			owner, status = s.videos[id].Owner, s.videos[id].Status
		default:
			return "/content/media/id :: " + id + " does not exist"
		}
		if owner != author {
			return "/content/media/id :: " + id + " is not owned by the author"
		}
		if status != "AVAILABLE" {
			return "/content/media/id :: " + id + " is " + status + ", not AVAILABLE"
		}
	}
	return ""
}

// sortedPosts returns the posts newest first by CREATED or LAST_MODIFIED. Callers hold mu.
func (s *Server) sortedPosts(by string) []*Post {
	out := make([]*Post, 0, len(s.posts))
	for _, p := range s.posts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := out[i].CreatedAt, out[j].CreatedAt
		if by == "LAST_MODIFIED" {
			ti, tj = out[i].LastModifiedAt, out[j].LastModifiedAt
		}
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return out[i].URN > out[j].URN
	})
	return out
}

// findPosts serves the author finder GET /rest/posts?q=author&author=…: newest first by
// sortBy (LAST_MODIFIED by default), count at most 100. A member's own posts need
// r_member_social, a restricted permission; a page's need r_organization_social and a role.
func (s *Server) findPosts(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.auth(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("q") != "author" {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Unsupported finder: "+q.Get("q"))
		return
	}
	if strings.Contains(r.URL.RawQuery, "author=urn:li:") {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Invalid query parameters passed to request: the author URN must be URL-encoded")
		return
	}
	author := q.Get("author")
	var allowed bool
	switch {
	case author == s.MemberURN():
		allowed = has(tok.scopes, "r_member_social")
	case strings.HasPrefix(author, "urn:li:organization:"):
		allowed = has(tok.scopes, "r_organization_social") && s.hasRole(author, "ADMINISTRATOR", "CONTENT_ADMIN", "DIRECT_SPONSORED_CONTENT_POSTER")
	}
	if !allowed {
		writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: partnerApiPostsExternal.FINDER-author")
		return
	}
	start, ok1 := intParam(q, "start", 0)
	count, ok2 := intParam(q, "count", 10)
	sortBy := q.Get("sortBy")
	if sortBy == "" {
		sortBy = "LAST_MODIFIED"
	}
	if !ok1 || !ok2 || count > 100 || (sortBy != "LAST_MODIFIED" && sortBy != "CREATED") {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "Invalid start, count (at most 100) or sortBy")
		return
	}
	s.mu.Lock()
	var mine []*Post
	for _, p := range s.sortedPosts(sortBy) {
		if p.Author == author {
			mine = append(mine, p)
		}
	}
	total := len(mine)
	els := []any{}
	for _, p := range mine[min(start, total):min(start+count, total)] {
		el := map[string]any{"id": p.URN, "author": p.Author, "commentary": p.Commentary, "visibility": p.Visibility,
			"distribution":   map[string]any{"feedDistribution": "MAIN_FEED", "targetEntities": []any{}, "thirdPartyDistributionChannels": []any{}},
			"lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false, "lifecycleStateInfo": map[string]any{"isEditedByAuthor": false},
			"createdAt": p.CreatedAt.UnixMilli(), "publishedAt": p.CreatedAt.UnixMilli(), "lastModifiedAt": p.LastModifiedAt.UnixMilli()}
		if p.Content != nil {
			el["content"] = p.Content
		}
		els = append(els, el)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"paging": map[string]any{"start": start, "count": count, "links": []any{}, "total": total},
		"elements": els})
}

// createComment serves POST /rest/socialActions/{urn}/comments: the actor must be able to
// write as itself, object must be the post in the path, and message.text is plain text (at
// most 1,250 characters).
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.auth(w, r)
	if !ok || !rawKeyEncoded(w, r) {
		return
	}
	var req struct {
		Actor   string `json:"actor"`
		Object  string `json:"object"`
		Message *struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	target := r.PathValue("urn")
	switch {
	case req.Actor == "" || req.Message == nil:
		writeError(w, http.StatusUnprocessableEntity, 0, "FIELD_MISSING", "/actor and /message are required")
		return
	case req.Object != target:
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "/object must be the entity in the path")
		return
	case len([]rune(req.Message.Text)) > 1250:
		writeError(w, http.StatusUnprocessableEntity, 0, "INVALID_VALUE", "/message/text :: length exceeds 1250")
		return
	}
	if !s.canActAs(w, r, tok, req.Actor) {
		return
	}
	s.mu.Lock()
	p := s.posts[target]
	if p == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, 0, "NOT_FOUND", "Not Found")
		return
	}
	c := Comment{URN: "urn:li:comment:(" + strings.Replace(target, ":share:", ":activity:", 1) + "," + s.nextID() + ")",
		Post: target, Actor: req.Actor, Text: req.Message.Text, Posted: s.now()}
	s.comments = append(s.comments, c)
	p.Comments++
	s.mu.Unlock()
	w.Header().Set("x-restli-id", c.URN)
	writeJSON(w, http.StatusCreated, map[string]any{"id": c.URN, "actor": c.Actor, "object": c.Post,
		"message": map[string]any{"text": c.Text, "attributes": []any{}}, "created": map[string]any{"actor": c.Actor, "time": c.Posted.UnixMilli()}})
}

// shareStatistics serves the organizationalEntity finder of organizationalEntityShareStatistics
// with shares=List(urn:li:share:…) and ugcPosts=List(urn:li:ugcPost:…): lifetime totals per
// post of the page. A URN of the wrong kind in a list is refused as LinkedIn refuses it.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics
func (s *Server) shareStatistics(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "rw_organization_admin", "r_organization_admin"); !ok {
		return
	}
	q := r.URL.Query()
	org := q.Get("organizationalEntity")
	if q.Get("q") != "organizationalEntity" || !strings.HasPrefix(org, "urn:li:organization:") {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "q=organizationalEntity and an organization URN are required")
		return
	}
	if !s.hasRole(org, "ADMINISTRATOR") {
		writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity")
		return
	}
	shares, ok1 := listParam(q, "shares")
	ugc, ok2 := listParam(q, "ugcPosts")
	if !ok1 || !ok2 {
		writeError(w, http.StatusBadRequest, 0, "ILLEGAL_ARGUMENT", "shares and ugcPosts must be Lists")
		return
	}
	for i, u := range shares {
		if !strings.HasPrefix(u, "urn:li:share:") {
			writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED", fmt.Sprintf("Unpermitted fields present in PARAMETER: Data Processing Exception while processing fields [/shares[%d]]", i))
			return
		}
	}
	for i, u := range ugc {
		if !strings.HasPrefix(u, "urn:li:ugcPost:") {
			writeError(w, http.StatusForbidden, 100, "ACCESS_DENIED", fmt.Sprintf("Unpermitted fields present in PARAMETER: Data Processing Exception while processing fields [/ugcPosts[%d]]", i))
			return
		}
	}
	els := []any{}
	s.mu.Lock()
	for _, list := range [][]string{shares, ugc} {
		for _, urn := range list {
			p := s.posts[urn]
			if p == nil || p.Author != org {
				continue
			}
			el := map[string]any{"organizationalEntity": org, "totalShareStatistics": map[string]any{
				"uniqueImpressionsCount": p.Impressions * 8 / 10, "shareCount": p.Shares, "engagement": engagement(p),
				"clickCount": p.Clicks, "likeCount": p.Likes, "impressionCount": p.Impressions, "commentCount": p.Comments}}
			if strings.HasPrefix(urn, "urn:li:share:") {
				el["share"] = urn
			} else {
				el["ugcPost"] = urn
			}
			els = append(els, el)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"paging": map[string]any{"start": 0, "count": 10, "links": []any{}}, "elements": els})
}

func engagement(p *Post) float64 {
	if p.Impressions == 0 {
		return 0
	}
	return float64(p.Likes+p.Comments+p.Shares+p.Clicks) / float64(p.Impressions)
}
