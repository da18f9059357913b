package blueskytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// xrpc is a bare client for testing the fake itself.
type xrpc struct {
	t     *testing.T
	base  string
	token string
	proxy string
}

func (x xrpc) do(method, nsid string, q url.Values, body any) (int, map[string]any, http.Header) {
	x.t.Helper()
	u := x.base + "/xrpc/" + nsid
	if q != nil {
		u += "?" + q.Encode()
	}
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if x.token != "" {
		req.Header.Set("Authorization", "Bearer "+x.token)
	}
	if x.proxy != "" {
		req.Header.Set("atproto-proxy", x.proxy)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatalf("%s: %v", nsid, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

func login(t *testing.T, s *Server) xrpc {
	t.Helper()
	x := xrpc{t: t, base: s.URL}
	st, out, _ := x.do("POST", CreateSession, nil, map[string]string{"identifier": s.Handle, "password": s.Password})
	if st != 200 {
		t.Fatalf("createSession: %d %v", st, out)
	}
	x.token, _ = out["accessJwt"].(string)
	return x
}

func post(text string, extra map[string]any) map[string]any {
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-03-01T12:00:00.000Z"}
	for k, v := range extra {
		rec[k] = v
	}
	return rec
}

func TestLexiconsLoad(t *testing.T) {
	s := NewServer(t, Options{})
	if s.lex == nil {
		t.Skip("lexicons not found")
	}
	for _, id := range []string{"app.bsky.feed.post", "app.bsky.richtext.facet", "com.atproto.repo.createRecord", "app.bsky.feed.getPosts"} {
		if _, ok := s.lex.def(id, "main"); !ok {
			t.Errorf("lexicon %s not loaded", id)
		}
	}
}

func TestCreateRecordValidation(t *testing.T) {
	s := NewServer(t, Options{})
	if s.lex == nil {
		// The cases below are the lexicons' rules; without the lexicon files there is nothing to check against.
		t.Skip("lexicons not found (shared/specs/atproto-lexicons beside the repository)")
	}
	x := login(t, s)
	// A blob too large for an image (the lexicon's maxSize is 2,000,000).
	big := bytes.Repeat([]byte{0xff}, 2_000_001)
	req, _ := http.NewRequest("POST", s.URL+"/xrpc/"+UploadBlob, bytes.NewReader(big))
	req.Header.Set("Content-Type", "image/jpeg")
	req.Header.Set("Authorization", "Bearer "+x.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up struct{ Blob map[string]any }
	_ = json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()

	link := map[string]any{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}
	facet := func(start, end int) []any {
		return []any{map[string]any{"index": map[string]any{"byteStart": start, "byteEnd": end}, "features": []any{link}}}
	}
	tests := []struct {
		name   string
		rkey   string
		record map[string]any
		want   string // substring of the error message; "" means accepted
	}{
		{"valid", "", post("hello", nil), ""},
		{"missing createdAt", "", map[string]any{"$type": "app.bsky.feed.post", "text": "x"}, "createdAt"},
		{"bad createdAt", "", post("x", map[string]any{"createdAt": "yesterday"}), "createdAt"},
		{"too many graphemes", "", post(strings.Repeat("é", 301), nil), "300 graphemes"},
		{"too many bytes", "", post(strings.Repeat("👩‍👩‍👧‍👦", 121), nil), "3000"},
		{"facet past the end", "", post("héllo", map[string]any{"facets": facet(0, 7)}), "inside"},
		{"facet cuts a character", "", post("héllo", map[string]any{"facets": facet(0, 2)}), "cuts a UTF-8 character"},
		{"facet on boundaries", "", post("héllo", map[string]any{"facets": facet(0, 3)}), ""},
		{"unknown facet feature", "", post("hello", map[string]any{"facets": []any{map[string]any{
			"index": map[string]any{"byteStart": 0, "byteEnd": 5}, "features": []any{map[string]any{"$type": "app.bsky.richtext.facet#bold"}}}}}), "$type"},
		{"unknown embed", "", post("x", map[string]any{"embed": map[string]any{"$type": "app.bsky.embed.poll"}}), "$type"},
		{"external without description", "", post("x", map[string]any{"embed": map[string]any{"$type": "app.bsky.embed.external",
			"external": map[string]any{"uri": "https://example.com", "title": "t"}}}), "description"},
		{"image not uploaded", "", post("x", map[string]any{"embed": map[string]any{"$type": "app.bsky.embed.images", "images": []any{map[string]any{
			"alt": "", "image": map[string]any{"$type": "blob", "ref": map[string]any{"$link": "bafkreinotuploaded"}, "mimeType": "image/png", "size": 3}}}}}), "could not find blob"},
		{"image too large", "", post("x", map[string]any{"embed": map[string]any{"$type": "app.bsky.embed.images", "images": []any{map[string]any{
			"alt": "", "image": up.Blob}}}}), "too large"},
		{"rkey not a TID", "hello-world", post("x", nil), "TID"},
		{"rkey with high bit", "z222222222222", post("x", nil), "TID"},
		{"valid rkey", "3jzfcijpj2z2a", post("y", nil), ""},
		{"langs", "", post("z", map[string]any{"langs": []any{"not a language!"}}), "language"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s.lex == nil && strings.Contains(tt.name, "embed") {
				t.Skip("needs lexicons")
			}
			body := map[string]any{"repo": s.DID, "collection": "app.bsky.feed.post", "record": tt.record}
			if tt.rkey != "" {
				body["rkey"] = tt.rkey
			}
			st, out, _ := x.do("POST", CreateRecord, nil, body)
			if tt.want == "" {
				if st != 200 {
					t.Fatalf("refused a valid record: %d %v", st, out)
				}
				return
			}
			msg, _ := out["message"].(string)
			if st != 400 || out["error"] != "InvalidRequest" || !strings.Contains(msg, tt.want) {
				t.Fatalf("got %d %v; want 400 InvalidRequest mentioning %q", st, out, tt.want)
			}
		})
	}
}

func TestReusedRkeyIs500(t *testing.T) {
	s := NewServer(t, Options{})
	x := login(t, s)
	body := map[string]any{"repo": s.DID, "collection": "app.bsky.feed.post", "rkey": "3jzfcijpj2z2a", "record": post("once", nil)}
	if st, out, _ := x.do("POST", CreateRecord, nil, body); st != 200 {
		t.Fatalf("first create: %d %v", st, out)
	}
	st, out, _ := x.do("POST", CreateRecord, nil, body)
	if st != 500 || out["error"] != "InternalServerError" {
		t.Fatalf("reused rkey: got %d %v, want 500 InternalServerError", st, out)
	}
	if n := s.CreatedWithKey("3jzfcijpj2z2a"); n != 1 {
		t.Fatalf("records under the key = %d, want 1", n)
	}
	st, out, _ = x.do("GET", GetRecord, url.Values{"repo": {s.DID}, "collection": {"app.bsky.feed.post"}, "rkey": {"3jzfcijpj2z2a"}}, nil)
	if st != 200 || out["value"].(map[string]any)["text"] != "once" {
		t.Fatalf("getRecord: %d %v", st, out)
	}
	st, out, _ = x.do("GET", GetRecord, url.Values{"repo": {s.DID}, "collection": {"app.bsky.feed.post"}, "rkey": {"3jzfcijpj2z2b"}}, nil)
	if st != 400 || out["error"] != "RecordNotFound" {
		t.Fatalf("getRecord of a missing record: %d %v", st, out)
	}
}

func TestGetPostsNeedsProxyAndAtMost25(t *testing.T) {
	s := NewServer(t, Options{})
	x := login(t, s)
	q := url.Values{"uris": {"at://" + s.DID + "/app.bsky.feed.post/3jzfcijpj2z2a"}}
	if st, out, _ := x.do("GET", GetPosts, q, nil); st != 400 || !strings.Contains(fmt.Sprint(out["message"]), "atproto-proxy") {
		t.Fatalf("getPosts without the proxy header: %d %v", st, out)
	}
	x.proxy = AppViewProxy
	if st, out, _ := x.do("GET", GetPosts, q, nil); st != 200 {
		t.Fatalf("getPosts: %d %v", st, out)
	}
	for i := 0; i < 25; i++ {
		q.Add("uris", fmt.Sprintf("at://%s/app.bsky.feed.post/3jzfcijpj2z%02d", s.DID, i))
	}
	if st, out, _ := x.do("GET", GetPosts, q, nil); st != 400 || !strings.Contains(fmt.Sprint(out["message"]), "25") {
		t.Fatalf("getPosts with 26 uris: %d %v", st, out)
	}
	// The public AppView needs neither credentials nor the header.
	pub := xrpc{t: t, base: s.AppViewURL}
	if st, out, _ := pub.do("GET", GetPosts, url.Values{"uris": q["uris"][:1]}, nil); st != 200 {
		t.Fatalf("public getPosts: %d %v", st, out)
	}
}

func TestSessionsAndRateLimitHeaders(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := NewServer(t, Options{Now: func() time.Time { return now }})
	x := xrpc{t: t, base: s.URL}
	st, out, h := x.do("POST", CreateSession, nil, map[string]string{"identifier": s.Handle, "password": "wrong"})
	if st != 401 || out["error"] != "AuthenticationRequired" {
		t.Fatalf("wrong password: %d %v", st, out)
	}
	if h.Get("ratelimit-remaining") == "" || h.Get("ratelimit-reset") != fmt.Sprint(now.Add(5*time.Minute).Unix()) {
		t.Fatalf("rate-limit headers missing: %v", h)
	}
	st, out, _ = x.do("POST", CreateSession, nil, map[string]string{"identifier": s.Email, "password": s.Password})
	if st != 200 {
		t.Fatalf("login by e-mail: %d %v", st, out)
	}
	refresh := out["refreshJwt"].(string)
	x.token = refresh
	if st, out, _ = x.do("POST", RefreshSession, nil, nil); st != 200 {
		t.Fatalf("refresh: %d %v", st, out)
	}
	if st, out, _ = x.do("POST", RefreshSession, nil, nil); st != 400 || out["error"] != "ExpiredToken" {
		t.Fatalf("reusing a rotated refresh token: %d %v", st, out)
	}
	if s.CreateSessionCalls() != 2 || s.RefreshCalls() != 2 {
		t.Fatalf("counts: sessions %d refreshes %d", s.CreateSessionCalls(), s.RefreshCalls())
	}
}

func TestFaults(t *testing.T) {
	s := NewServer(t, Options{})
	x := login(t, s)
	body := map[string]any{"repo": s.DID, "collection": "app.bsky.feed.post", "record": post("f", nil)}
	s.ExpireTokens(1)
	if st, out, _ := x.do("POST", CreateRecord, nil, body); st != 400 || out["error"] != "ExpiredToken" {
		t.Fatalf("ExpireTokens: %d %v", st, out)
	}
	reset := time.Now().Add(time.Minute)
	s.RateLimitNext(CreateRecord, reset)
	st, out, h := x.do("POST", CreateRecord, nil, body)
	if st != 429 || out["error"] != "RateLimitExceeded" || h.Get("ratelimit-reset") != fmt.Sprint(reset.Unix()) || h.Get("ratelimit-remaining") != "0" {
		t.Fatalf("RateLimitNext: %d %v %v", st, out, h)
	}
	s.FailNext(CreateRecord, 1, 502, "UpstreamFailure", "bad gateway")
	if st, _, _ := x.do("POST", CreateRecord, nil, body); st != 502 {
		t.Fatalf("FailNext: %d", st)
	}
	if st, _, _ := x.do("POST", CreateRecord, nil, body); st != 200 {
		t.Fatalf("faults should be used up: %d", st)
	}
	if n := s.CreatedWithText("f"); n != 1 {
		t.Fatalf("records created = %d, want 1", n)
	}
}

// Replies must name posts the fake holds, with their CIDs and the thread's root; faults can be
// aimed at the n-th post of a reply chain.
func TestRepliesAndPartFaults(t *testing.T) {
	s := NewServer(t, Options{})
	x := login(t, s)
	create := func(text string, reply map[string]any) (int, map[string]any) {
		t.Helper()
		extra := map[string]any{}
		if reply != nil {
			extra["reply"] = reply
		}
		st, out, _ := x.do("POST", CreateRecord, nil, map[string]any{"repo": s.DID, "collection": "app.bsky.feed.post", "record": post(text, extra)})
		return st, out
	}
	ref := func(out map[string]any) map[string]any { return map[string]any{"uri": out["uri"], "cid": out["cid"]} }
	refs := func(root, parent map[string]any) map[string]any {
		return map[string]any{"root": root, "parent": parent}
	}

	st, one := create("1/3", nil)
	if st != 200 {
		t.Fatalf("root: %d %v", st, one)
	}
	st, two := create("2/3", refs(ref(one), ref(one)))
	if st != 200 {
		t.Fatalf("part 2: %d %v", st, two)
	}
	missing := map[string]any{"uri": "at://" + s.DID + "/app.bsky.feed.post/3jzfcijpj2z2a", "cid": one["cid"]}
	wrongCID := map[string]any{"uri": two["uri"], "cid": one["cid"]}
	for _, tc := range []struct {
		name  string
		reply map[string]any
		want  string
	}{
		{"parent missing", refs(ref(one), missing), "does not hold"},
		{"root missing", refs(missing, ref(two)), "does not hold"},
		{"stale cid", refs(ref(one), wrongCID), "is not the cid"},
		{"wrong root", refs(ref(two), ref(two)), "thread of reply.parent starts at " + one["uri"].(string)},
		{"not a strong ref", refs(ref(one), map[string]any{"uri": two["uri"]}), "cid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, out := create("3/3", tc.reply)
			if msg, _ := out["message"].(string); st != 400 || out["error"] != "InvalidRequest" || !strings.Contains(msg, tc.want) {
				t.Errorf("%d %v, want 400 InvalidRequest with %q", st, out, tc.want)
			}
		})
	}

	// A fault for part 3 lets other posts through and hits the third of a chain only; Skip lets
	// calls through first.
	s.FailPart(3, 503, "", "")
	if st, _ := create("unrelated", nil); st != 200 {
		t.Fatalf("a post that replies to nothing: %d", st)
	}
	if st, _ := create("another reply to the root", refs(ref(one), ref(one))); st != 200 {
		t.Fatalf("another part 2: %d", st)
	}
	if st, _ := create("3/3", refs(ref(one), ref(two))); st != 503 {
		t.Fatalf("part 3 under the fault: %d, want 503", st)
	}
	st, three := create("3/3", refs(ref(one), ref(two)))
	if st != 200 {
		t.Fatalf("part 3 once the fault is used: %d %v", st, three)
	}
	s.Inject(Fault{Method: CreateRecord, Skip: 1, Status: 502})
	if st, _ := create("passes", nil); st != 200 {
		t.Fatalf("skipped call: %d", st)
	}
	if st, _ := create("fails", nil); st != 502 {
		t.Fatalf("call after the skip: %d", st)
	}
}
