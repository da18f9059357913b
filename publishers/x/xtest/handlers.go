package xtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers/content"
)

// documented are the routes X documents outside its OpenAPI description (docs.x.com): the
// OAuth 2.0 endpoints and the v2 media upload. Their handlers check requests themselves.
var documented = []struct{ method, pattern string }{
	{http.MethodGet, "/i/oauth2/authorize"},
	{http.MethodPost, "/2/oauth2/token"},
	{http.MethodPost, "/2/media/upload/initialize"},
	{http.MethodPost, "/2/media/upload/{id}/append"},
	{http.MethodPost, "/2/media/upload/{id}/finalize"},
	{http.MethodGet, "/2/media/upload"},
	{http.MethodPost, "/2/media/metadata"},
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /i/oauth2/authorize", s.authorizeEndpoint)
	mux.HandleFunc("POST /2/oauth2/token", s.tokenEndpoint)
	mux.HandleFunc("GET /2/users/me", s.usersMe)
	mux.HandleFunc("POST /2/tweets", s.createTweet)
	mux.HandleFunc("GET /2/tweets", s.lookupTweets)
	mux.HandleFunc("GET /2/users/{id}/tweets", s.userTweets)
	mux.HandleFunc("POST /2/media/upload/initialize", s.mediaInitialize)
	mux.HandleFunc("POST /2/media/upload/{id}/append", s.mediaAppend)
	mux.HandleFunc("POST /2/media/upload/{id}/finalize", s.mediaFinalize)
	mux.HandleFunc("GET /2/media/upload", s.mediaStatus)
	mux.HandleFunc("POST /2/media/metadata", s.mediaMetadata)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(mux, w, r) })
}

type ctxKey int

const (
	faultKey ctxKey = iota
	opKey
)

// serve checks the request against X's description, stamps the headers every X answer carries,
// counts the request in its rate-limit window, applies injected faults, and hands over to the
// route.
func (s *Server) serve(mux http.Handler, w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	now := s.clock()
	s.mu.Lock()
	s.requests[r.Method+" "+r.URL.Path]++
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()})
	latency := s.latency
	s.mu.Unlock()

	h := w.Header()
	h.Set("Date", now.UTC().Format("Mon, 02 Jan 2006 15:04:05 UTC"))
	if r.URL.Path == "/i/oauth2/authorize" {
		// The authorization page is x.com's web app, not the API.
		mux.ServeHTTP(w, r)
		return
	}
	h.Set("api-version", "2.158")
	h.Set("x-transaction-id", randomString()[:16])

	op, problems := s.spec.check(r.Method, r.URL.Path, r.URL.Query(), r.Header.Get("Content-Type"), body)
	if op == nil && len(problems) == 0 && !isDocumented(r.Method, r.URL.Path) {
		s.errorf("%s %s is neither in X's API description nor among the endpoints X documents elsewhere", r.Method, r.URL.Path)
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []any{map[string]any{"message": "Sorry, that page does not exist", "code": 34}}})
		return
	}
	if len(problems) > 0 {
		for _, p := range problems {
			s.errorf("%s %s breaks X's API description: %s", r.Method, r.URL.Path, p)
		}
		invalidRequest(w, problems...)
		return
	}
	endpoint := endpointName(r.Method, r.URL.Path)
	exceeded := s.countRate(w, r, endpoint, now)
	f := s.takeFault(r)
	if f != nil && !f.AcceptThenHang && !f.AcceptThenDrop {
		s.writeFault(w, *f, now)
		return
	}
	if exceeded {
		writeProblem(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests", "about:blank")
		return
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	ctx := context.WithValue(r.Context(), opKey, op)
	if f != nil {
		ctx = context.WithValue(ctx, faultKey, f)
	}
	mux.ServeHTTP(w, r.WithContext(ctx))
}

// isDocumented reports whether a request is for one of the routes in documented.
func isDocumented(method, path string) bool {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, d := range documented {
		if d.method != method {
			continue
		}
		op := operation{segments: strings.Split(strings.Trim(d.pattern, "/"), "/")}
		if op.matches(segs) {
			return true
		}
	}
	return false
}

// endpointName names a request's endpoint for rate limits: numeric segments become ":id".
func endpointName(method, path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if i > 1 && seg != "" && strings.Trim(seg, "0123456789") == "" { // segs[1] is the version, "2"
			segs[i] = ":id"
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// countRate counts the request in its endpoint's 15-minute window (per token, or per client
// without one) and sets x-rate-limit-limit, -remaining and -reset (epoch seconds).
func (s *Server) countRate(w http.ResponseWriter, r *http.Request, endpoint string, now time.Time) (exceeded bool) {
	key := bearer(r)
	if key == "" {
		key = "client:" + r.RemoteAddr
	}
	key += " " + endpoint
	s.mu.Lock()
	defer s.mu.Unlock()
	limit, ok := s.limits[endpoint]
	if !ok {
		limit = otherLimit
	}
	win := s.windows[key]
	if win == nil || !now.Before(win.start.Add(RateWindow)) {
		win = &window{start: now.Truncate(time.Second)}
		s.windows[key] = win
	}
	win.used++
	remaining := limit - win.used
	if remaining < 0 {
		remaining, exceeded = 0, true
	}
	h := w.Header()
	h.Set("x-rate-limit-limit", strconv.Itoa(limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(remaining))
	h.Set("x-rate-limit-reset", strconv.FormatInt(win.start.Add(RateWindow).Unix(), 10))
	return exceeded
}

func (s *Server) writeFault(w http.ResponseWriter, f Fault, now time.Time) {
	title, detail, typ := f.Title, f.Detail, f.Type
	if title == "" {
		title = http.StatusText(f.Status)
	}
	if detail == "" {
		detail = title
	}
	if typ == "" {
		typ = "about:blank"
	}
	h := w.Header()
	switch f.Status {
	case http.StatusTooManyRequests:
		retry := f.RetryIn
		if f.DailyCap {
			if retry <= 0 {
				retry = 24 * time.Hour
			}
			s.mu.Lock()
			limit := s.dailyLimit
			s.mu.Unlock()
			h.Set("x-user-limit-24hour-limit", strconv.Itoa(limit))
			h.Set("x-user-limit-24hour-remaining", "0")
			h.Set("x-user-limit-24hour-reset", strconv.FormatInt(now.Add(retry).Unix(), 10))
		} else {
			if retry <= 0 {
				retry = RateWindow
			}
			h.Set("x-rate-limit-remaining", "0")
			h.Set("x-rate-limit-reset", strconv.FormatInt(now.Add(retry).Unix(), 10))
		}
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		if f.Detail == "" {
			// A gateway's page, not X JSON.
			h.Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", f.Status, http.StatusText(f.Status))
			return
		}
	}
	writeProblem(w, f.Status, title, detail, typ)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeProblem writes X's problem object.
func writeProblem(w http.ResponseWriter, status int, title, detail, typ string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": title, "detail": detail, "type": typ, "status": status})
}

// invalidRequest writes X's 400 for invalid parameters.
func invalidRequest(w http.ResponseWriter, messages ...string) {
	errs := make([]any, 0, len(messages))
	for _, m := range messages {
		errs = append(errs, map[string]any{"message": m})
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"errors": errs,
		"title":  "Invalid Request",
		"detail": "One or more parameters to your request was invalid.",
		"type":   "https://api.twitter.com/2/problems/invalid-request",
	})
}

func unauthorized(w http.ResponseWriter) {
	writeProblem(w, http.StatusUnauthorized, "Unauthorized", "Unauthorized", "about:blank")
}

func bearer(r *http.Request) string {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(v)
}

// auth checks the bearer token: known, not revoked, not expired, and granted every scope in
// need (the OAuth 2.0 scopes X's description lists for the operation, or those its documentation
// gives for the media endpoints).
func (s *Server) auth(w http.ResponseWriter, r *http.Request, need []string) (*token, bool) {
	value := bearer(r)
	s.mu.Lock()
	tok := s.tokens[value]
	now := s.now()
	s.mu.Unlock()
	if value == "" || tok == nil || tok.revoked || !now.Before(tok.expires) {
		unauthorized(w)
		return nil, false
	}
	var missing []string
	for _, n := range need {
		found := false
		for _, g := range tok.scopes {
			found = found || g == n
		}
		if !found {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		writeProblem(w, http.StatusForbidden, "Forbidden",
			"You are not permitted to perform this action: the token lacks the scopes "+strings.Join(missing, ", ")+".", "about:blank")
		return nil, false
	}
	return tok, true
}

// specScopes are the OAuth 2.0 scopes the description gives for the request's operation.
func specScopes(r *http.Request) []string {
	if op, _ := r.Context().Value(opKey).(*operation); op != nil {
		return op.scopes
	}
	return nil
}

// fields is the set of names in a comma-separated fields parameter.
func fields(q url.Values, name string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Split(q.Get(name), ",") {
		if f != "" {
			out[f] = true
		}
	}
	return out
}

// usersMe serves GET /2/users/me.
func (s *Server) usersMe(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, specScopes(r)); !ok {
		return
	}
	data := map[string]any{"id": s.account.id, "name": s.account.name, "username": s.account.username}
	uf := fields(r.URL.Query(), "user.fields")
	if uf["profile_image_url"] {
		data["profile_image_url"] = "https://pbs.twimg.com/profile_images/1588432706581143553/herald_normal.png"
	}
	if uf["created_at"] {
		data["created_at"] = "2022-11-04T07:00:00.000Z"
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// createTweet serves POST /2/tweets. The body was checked against TweetCreateRequest already;
// what X checks beyond the schema is checked here, with X's answers.
func (s *Server) createTweet(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, specScopes(r)); !ok {
		return
	}
	fault, _ := r.Context().Value(faultKey).(*Fault)
	var req struct {
		Text  *string `json:"text"`
		Media *struct {
			MediaIDs []string `json:"media_ids"`
		} `json:"media"`
		Reply *struct {
			InReplyToTweetID string `json:"in_reply_to_tweet_id"`
		} `json:"reply"`
		Poll         json.RawMessage `json:"poll"`
		QuoteTweetID json.RawMessage `json:"quote_tweet_id"`
		CardURI      json.RawMessage `json:"card_uri"`
	}
	if err := json.Unmarshal(readBody(r), &req); err != nil {
		invalidRequest(w, "the body is not JSON")
		return
	}
	if req.Poll != nil || req.QuoteTweetID != nil || req.CardURI != nil {
		invalidRequest(w, "xtest does not simulate polls, quotes or cards")
		return
	}
	text := ""
	if req.Text != nil {
		text = *req.Text
	}
	var mediaIDs []string
	if req.Media != nil {
		mediaIDs = req.Media.MediaIDs
	}
	if strings.TrimSpace(text) == "" && len(mediaIDs) == 0 {
		invalidRequest(w, "Post text is required unless media is attached.")
		return
	}
	if n := content.XWeighted.Count(text); n > MaxTextWeight {
		writeProblem(w, http.StatusForbidden, "Forbidden",
			fmt.Sprintf("Your Tweet text is too long (%d of %d). For more information on how X counts characters, visit https://docs.x.com/resources/fundamentals/counting-characters", n, MaxTextWeight), "about:blank")
		return
	}

	s.mu.Lock()
	now := s.now()
	solo := false
	for _, id := range mediaIDs {
		m, ok := s.media[id]
		if !ok || m.owner != s.account.id || !m.Finalized || m.State != "succeeded" {
			s.mu.Unlock()
			invalidRequest(w, "Your media IDs are invalid.")
			return
		}
		solo = solo || m.Category != "tweet_image"
	}
	if solo && len(mediaIDs) > 1 {
		s.mu.Unlock()
		invalidRequest(w, "Your Tweet can have either up to 4 images, or 1 GIF, or 1 video.")
		return
	}
	replyTo := ""
	if req.Reply != nil {
		replyTo = req.Reply.InReplyToTweetID
		if _, ok := s.tweets[replyTo]; !ok {
			s.mu.Unlock()
			writeProblem(w, http.StatusForbidden, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.", "about:blank")
			return
		}
	}
	// The account's 24-hour post cap.
	var recent []time.Time
	for _, t := range s.tweets {
		if now.Sub(t.CreatedAt) < 24*time.Hour {
			recent = append(recent, t.CreatedAt)
		}
	}
	oldest := now
	for _, at := range recent {
		if at.Before(oldest) {
			oldest = at
		}
	}
	capHeaders := func(remaining int) {
		h := w.Header()
		h.Set("x-user-limit-24hour-limit", strconv.Itoa(s.dailyLimit))
		h.Set("x-user-limit-24hour-remaining", strconv.Itoa(max(remaining, 0)))
		h.Set("x-user-limit-24hour-reset", strconv.FormatInt(oldest.Add(24*time.Hour).Unix(), 10))
	}
	if len(recent) >= s.dailyLimit {
		capHeaders(0)
		s.mu.Unlock()
		writeProblem(w, http.StatusTooManyRequests, "Too Many Requests", "Too Many Requests", "about:blank")
		return
	}
	// X refuses a post whose text repeats one of the account's recent posts.
	if strings.TrimSpace(text) != "" {
		for _, t := range s.tweets {
			if t.Text == text && now.Sub(t.CreatedAt) < 24*time.Hour {
				s.mu.Unlock()
				writeProblem(w, http.StatusForbidden, "Forbidden", "You are not allowed to create a Tweet with duplicate content.", "about:blank")
				return
			}
		}
	}
	t := &Tweet{ID: s.newID(now), Text: text, Display: displayText(text, len(mediaIDs) > 0), InReplyTo: replyTo,
		MediaIDs: mediaIDs, CreatedAt: now.UTC().Truncate(time.Millisecond)}
	s.tweets[t.ID] = t
	if replyTo != "" {
		s.tweets[replyTo].Metrics.Replies++
	}
	s.createdByText[text]++
	capHeaders(s.dailyLimit - len(recent) - 1)
	s.mu.Unlock()

	if fault != nil && fault.AcceptThenHang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if fault != nil && fault.AcceptThenDrop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		s.errorf("cannot drop the connection: the response writer cannot be hijacked")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{
		"id": t.ID, "text": t.Display, "edit_history_tweet_ids": []string{t.ID},
	}})
}

// tweetJSON renders a post with the fields asked for (id, text and edit_history_tweet_ids
// always, as X does). Callers hold mu.
func (s *Server) tweetJSON(t *Tweet, tf map[string]bool) map[string]any {
	j := map[string]any{"id": t.ID, "text": t.Display, "edit_history_tweet_ids": []string{t.ID}}
	if tf["created_at"] {
		j["created_at"] = t.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if tf["author_id"] {
		j["author_id"] = s.account.id
	}
	if tf["conversation_id"] {
		root := t
		for root.InReplyTo != "" && s.tweets[root.InReplyTo] != nil {
			root = s.tweets[root.InReplyTo]
		}
		j["conversation_id"] = root.ID
	}
	if tf["attachments"] && len(t.MediaIDs) > 0 {
		var keys []string
		for _, id := range t.MediaIDs {
			if m, ok := s.media[id]; ok {
				keys = append(keys, m.Key)
			}
		}
		j["attachments"] = map[string]any{"media_keys": keys}
	}
	if tf["referenced_tweets"] && t.InReplyTo != "" {
		j["referenced_tweets"] = []any{map[string]any{"type": "replied_to", "id": t.InReplyTo}}
	}
	if tf["in_reply_to_user_id"] && t.InReplyTo != "" {
		j["in_reply_to_user_id"] = s.account.id
	}
	if tf["public_metrics"] {
		m := t.Metrics
		j["public_metrics"] = map[string]any{
			"retweet_count": m.Retweets, "reply_count": m.Replies, "like_count": m.Likes,
			"quote_count": m.Quotes, "bookmark_count": m.Bookmarks, "impression_count": m.Impressions,
		}
	}
	return j
}

// notFound is X's partial error for an id it cannot show.
func notFound(kind, param, id string) map[string]any {
	return map[string]any{
		"value": id, "detail": fmt.Sprintf("Could not find %s with %s: [%s].", kind, param, id),
		"title": "Not Found Error", "resource_type": kind, "parameter": param, "resource_id": id,
		"type": "https://api.twitter.com/2/problems/resource-not-found",
	}
}

// lookupTweets serves GET /2/tweets?ids=…: found posts in data, the others in errors, with 200.
func (s *Server) lookupTweets(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, specScopes(r)); !ok {
		return
	}
	q := r.URL.Query()
	tf := fields(q, "tweet.fields")
	data, errs := []any{}, []any{}
	s.mu.Lock()
	for _, id := range strings.Split(q.Get("ids"), ",") {
		if t, ok := s.tweets[id]; ok {
			data = append(data, s.tweetJSON(t, tf))
		} else {
			errs = append(errs, notFound("tweet", "ids", id))
		}
	}
	s.mu.Unlock()
	out := map[string]any{}
	if len(data) > 0 {
		out["data"] = data
	}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	writeJSON(w, http.StatusOK, out)
}

// userTweets serves GET /2/users/:id/tweets: the account's posts newest first, filtered by
// exclude, start_time, end_time, since_id and until_id, max_results per page (10 by default)
// with a base-36 pagination_token.
func (s *Server) userTweets(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, specScopes(r)); !ok {
		return
	}
	q := r.URL.Query()
	if id := r.PathValue("id"); id != s.account.id {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []any{notFound("user", "id", id)}})
		return
	}
	limit := 10
	if v := q.Get("max_results"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	ex := fields(q, "exclude")
	var start, end time.Time
	if v := q.Get("start_time"); v != "" {
		start, _ = time.Parse(time.RFC3339, v)
	}
	if v := q.Get("end_time"); v != "" {
		end, _ = time.Parse(time.RFC3339, v)
	}
	after := "" // the page starts after this id (exclusive), from pagination_token
	if v := q.Get("pagination_token"); v != "" {
		n, err := strconv.ParseUint(v, 36, 64)
		if err != nil {
			invalidRequest(w, "The `pagination_token` query parameter value ["+v+"] is not valid")
			return
		}
		after = strconv.FormatUint(n, 10)
	}
	sinceID, untilID := q.Get("since_id"), q.Get("until_id")
	tf := fields(q, "tweet.fields")

	s.mu.Lock()
	var picked []*Tweet
	for _, t := range s.sortedTweets() {
		switch {
		case ex["replies"] && t.InReplyTo != "",
			sinceID != "" && !idLess(sinceID, t.ID),
			untilID != "" && !idLess(t.ID, untilID),
			sinceID == "" && !start.IsZero() && t.CreatedAt.Before(start),
			untilID == "" && !end.IsZero() && !t.CreatedAt.Before(end),
			after != "" && !idLess(t.ID, after):
			continue
		}
		picked = append(picked, t)
	}
	next := ""
	if len(picked) > limit {
		picked = picked[:limit]
		last, _ := strconv.ParseUint(picked[limit-1].ID, 10, 64)
		next = strconv.FormatUint(last, 36)
	}
	data := make([]any, 0, len(picked))
	for _, t := range picked {
		data = append(data, s.tweetJSON(t, tf))
	}
	s.mu.Unlock()
	meta := map[string]any{"result_count": len(picked)}
	out := map[string]any{"meta": meta}
	if len(picked) > 0 {
		out["data"] = data
		meta["newest_id"] = picked[0].ID
		meta["oldest_id"] = picked[len(picked)-1].ID
	}
	if next != "" {
		meta["next_token"] = next
	}
	writeJSON(w, http.StatusOK, out)
}
