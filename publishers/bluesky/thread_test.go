package bluesky

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/bluesky/blueskytest"
	"github.com/heraldhq/herald/publishers/content"
)

// threadPost is a three-part thread with an image, a link and a mention on its middle part, and a
// first comment.
func threadPost(t *testing.T, key string) publishers.Post {
	return publishers.Post{
		IdempotencyKey: key,
		Text:           "1/3 Herald publishes threads on Bluesky.",
		Thread: []publishers.ThreadPart{
			{Text: "2/3 Each part replies to the one before, thanks @bob.test https://example.com/threads",
				Media: []publishers.Media{pngMedia(t, 4, 3, "a chain of replies")}},
			{Text: "3/3 And the first comment comes last #threads"},
		},
		FirstComment: "More at https://example.com",
		Language:     "en",
	}
}

// reply returns a stored post's reply refs (root and parent URIs and CIDs), empty without.
func reply(rec blueskytest.Record) (rootURI, rootCID, parentURI, parentCID string) {
	r, _ := rec.Value["reply"].(map[string]any)
	root, _ := r["root"].(map[string]any)
	parent, _ := r["parent"].(map[string]any)
	s := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	return s(root, "uri"), s(root, "cid"), s(parent, "uri"), s(parent, "cid")
}

// threadRecords returns the records of parts 1 to n and the first comment of the post with key
// (ok false where there is none).
func threadRecords(e *env, key string, n int) ([]blueskytest.Record, []bool) {
	keys := []string{RecordKey(key)}
	for i := 1; i < n; i++ {
		keys = append(keys, RecordKey(publishers.PartKey(key, i)))
	}
	keys = append(keys, RecordKey(commentKey(key)))
	var recs []blueskytest.Record
	var oks []bool
	for _, k := range keys {
		r, ok := e.srv.Record(k)
		recs, oks = append(recs, r), append(oks, ok)
	}
	return recs, oks
}

// checkChain asserts that records form a reply chain: each replies to the one before, and every
// reply's root is the first.
func checkChain(t *testing.T, recs []blueskytest.Record) {
	t.Helper()
	if u, c, pu, pc := reply(recs[0]); u != "" || c != "" || pu != "" || pc != "" {
		t.Errorf("the first post is a reply: %v", recs[0].Value["reply"])
	}
	for i := 1; i < len(recs); i++ {
		rootURI, rootCID, parentURI, parentCID := reply(recs[i])
		if rootURI != recs[0].URI || rootCID != recs[0].CID {
			t.Errorf("record %d: root %s %s, want the first post %s %s", i+1, rootURI, rootCID, recs[0].URI, recs[0].CID)
		}
		if parentURI != recs[i-1].URI || parentCID != recs[i-1].CID {
			t.Errorf("record %d: parent %s %s, want the one before %s %s", i+1, parentURI, parentCID, recs[i-1].URI, recs[i-1].CID)
		}
	}
}

func TestPublishThread(t *testing.T) {
	e := newEnv(t, envOpts{})
	bob := e.srv.AddAccount("bob.test")
	key := newKey()
	p := threadPost(t, key)
	res := e.mustPublish(p)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	recs, oks := threadRecords(e, key, 3)
	for i, ok := range oks {
		if !ok {
			t.Fatalf("record %d of the thread is not under its deterministic key", i+1)
		}
	}
	if res.ExternalID != recs[0].URI || res.URL != postURL(e.srv.Handle, recs[0].Rkey) {
		t.Errorf("published %+v is not the first post %s", res, recs[0].URI)
	}
	checkChain(t, recs)
	wantTexts := []string{p.Text, p.Thread[0].Text, p.Thread[1].Text, p.FirstComment}
	for i, r := range recs {
		if r.Value["text"] != wantTexts[i] {
			t.Errorf("record %d text %q, want %q", i+1, r.Value["text"], wantTexts[i])
		}
		if langs, _ := r.Value["langs"].([]any); len(langs) != 1 || langs[0] != "en" {
			t.Errorf("record %d langs %v", i+1, r.Value["langs"])
		}
	}
	// The middle part carries its own image and facets.
	emb, _ := recs[1].Value["embed"].(map[string]any)
	imgs, _ := emb["images"].([]any)
	if emb["$type"] != typeImages || len(imgs) != 1 || imgs[0].(map[string]any)["alt"] != "a chain of replies" {
		t.Errorf("part 2 embed %v", emb)
	}
	if n := e.srv.Calls(blueskytest.UploadBlob); n != 1 {
		t.Errorf("uploadBlob calls %d, want 1", n)
	}
	facets, _ := recs[1].Value["facets"].([]any)
	if len(facets) != 2 {
		t.Fatalf("part 2 facets %v, want a mention and a link", facets)
	}
	if covered, _ := blueskytest.FacetText(recs[1], 0); covered != "@bob.test" ||
		facets[0].(map[string]any)["features"].([]any)[0].(map[string]any)["did"] != bob {
		t.Errorf("part 2 mention facet %v", facets[0])
	}
	if covered, _ := blueskytest.FacetText(recs[2], 0); covered != "#threads" {
		t.Errorf("part 3 facets %v", recs[2].Value["facets"])
	}
	for i, r := range recs[:3] {
		if i != 1 && r.Value["embed"] != nil {
			t.Errorf("record %d has an embed %v", i+1, r.Value["embed"])
		}
	}
	if emb, _ := recs[3].Value["embed"].(map[string]any); emb["$type"] != typeExternal {
		t.Errorf("the comment's link card %v", recs[3].Value["embed"])
	}
}

func TestThreadPartFailureIsAWarning(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*blueskytest.Server)
		want   string
	}{
		{"refused", func(s *blueskytest.Server) {
			s.FailPart(2, 400, "InvalidRequest", "Invalid app.bsky.feed.post record: a pretend refusal")
		}, "Part 2 of 3 was not published: Invalid app.bsky.feed.post record: a pretend refusal; the earlier parts are online. Herald stopped there, so part 3 and the first comment were not published either."},
		{"server error", func(s *blueskytest.Server) {
			s.FailPart(2, 503, "", "")
		}, "Part 2 of 3 was not published: "},
		{"image refused", func(s *blueskytest.Server) {
			s.FailNext(blueskytest.UploadBlob, 1, 413, "PayloadTooLarge", "request entity too large")
		}, "Part 2 of 3 was not published: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			e.srv.AddAccount("bob.test")
			tt.inject(e.srv)
			key := newKey()
			p := threadPost(t, key)
			res, err := e.publish(p)
			if err != nil {
				t.Fatalf("the publish failed with its second part: %v", err)
			}
			if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], tt.want) ||
				!strings.HasSuffix(res.Warnings[0], "part 3 and the first comment were not published either.") {
				t.Fatalf("warnings %q, want one starting %q", res.Warnings, tt.want)
			}
			recs, oks := threadRecords(e, key, 3)
			if !oks[0] || res.ExternalID != recs[0].URI {
				t.Fatalf("published %+v", res)
			}
			if oks[1] || oks[2] || oks[3] || len(e.srv.Records()) != 1 {
				t.Fatalf("records after part 2 failed: %+v", e.srv.Records())
			}
			if !strings.Contains(e.logs.String(), "bluesky thread part not posted") {
				t.Errorf("not logged: %s", e.logs.String())
			}
		})
	}
}

// A createRecord whose answer is lost is settled by getRecord under the part's key, for the
// parts as for the first post: nothing is created twice and the thread goes on.
func TestThreadPartAnswerLostIsFound(t *testing.T) {
	e := newEnv(t, envOpts{timeout: 300 * time.Millisecond})
	e.srv.AddAccount("bob.test")
	e.srv.Inject(blueskytest.Fault{Method: blueskytest.CreateRecord, Part: 2, AfterWrite: true, Hang: true})
	key := newKey()
	p := threadPost(t, key)
	res := e.mustPublish(p)
	if len(res.Warnings) != 0 {
		t.Fatalf("warnings %q", res.Warnings)
	}
	recs, _ := threadRecords(e, key, 3)
	checkChain(t, recs)
	if n := e.srv.CreatedWithKey(RecordKey(publishers.PartKey(key, 1))); n != 1 {
		t.Errorf("part 2 created %d times", n)
	}
}

// Publishing a thread again creates no record twice: every part's record key derives from its
// own key, and the records that exist are found with getRecord.
func TestThreadExactlyOncePerPartAcrossARetry(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.srv.AddAccount("bob.test")
	key := newKey()
	p := threadPost(t, key)
	e.srv.FailPart(3, 503, "", "")
	first := e.mustPublish(p)
	if len(first.Warnings) != 1 || !strings.HasPrefix(first.Warnings[0], "Part 3 of 3 was not published") {
		t.Fatalf("warnings %q", first.Warnings)
	}
	if _, oks := threadRecords(e, key, 3); !oks[1] || oks[2] || oks[3] {
		t.Fatalf("after the first attempt: %v", oks)
	}
	second := e.mustPublish(p)
	if second.ExternalID != first.ExternalID || !second.PublishedAt.Equal(first.PublishedAt) || len(second.Warnings) != 0 {
		t.Fatalf("second %+v, first %+v", second, first)
	}
	recs, oks := threadRecords(e, key, 3)
	for i, ok := range oks {
		if !ok || e.srv.CreatedWithKey(recs[i].Rkey) != 1 {
			t.Fatalf("record %d: exists %v, created %d times", i+1, ok, e.srv.CreatedWithKey(recs[i].Rkey))
		}
	}
	checkChain(t, recs) // the first comment replies to part 3
	e.mustPublish(p)
	if len(e.srv.Records()) != 4 {
		t.Fatalf("%d records after a third publish, want 4", len(e.srv.Records()))
	}
	for _, text := range []string{p.Text, p.Thread[0].Text, p.Thread[1].Text, p.FirstComment} {
		if n := e.srv.CreatedWithText(text); n != 1 {
			t.Errorf("%q created %d times", text, n)
		}
	}
}

// What Herald can know before posting fails the whole post, not half a thread.
func TestThreadRefusedBeforeAnythingIsSent(t *testing.T) {
	e := newEnv(t, envOpts{})
	tests := []struct {
		name string
		edit func(*publishers.Post)
		kind publishers.Kind
		msg  string
	}{
		{"a video in part 3", func(p *publishers.Post) {
			p.Thread[1].Media = []publishers.Media{{Kind: content.KindVideo, MIME: "video/mp4", Open: func(context.Context) ([]byte, error) { return []byte{0}, nil }}}
		}, publishers.KindPermanent, "part 3 of 3: attachment 1 is a video"},
		{"an empty part", func(p *publishers.Post) { p.Thread[0] = publishers.ThreadPart{Text: " "} }, publishers.KindPermanent, "part 2 of 3: the part is empty"},
		{"a mention that cannot be resolved now", func(p *publishers.Post) {
			e.srv.FailNext(blueskytest.ResolveHandle, 1, 503, "", "")
		}, publishers.KindRetryable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := threadPost(t, newKey())
			tt.edit(&p)
			_, err := e.publish(p)
			pe := wantKind(t, err, tt.kind)
			if !strings.Contains(pe.Message, tt.msg) {
				t.Errorf("message %q, want %q", pe.Message, tt.msg)
			}
			if e.srv.Calls(blueskytest.CreateRecord) != 0 || e.srv.Calls(blueskytest.UploadBlob) != 0 {
				t.Fatal("something was posted")
			}
		})
	}
}

func TestFindPublishedWarnsAboutMissingParts(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.srv.AddAccount("bob.test")
	ctx := context.Background()

	p := threadPost(t, newKey())
	e.srv.FailPart(2, 400, "InvalidRequest", "refused")
	e.mustPublish(p)
	found, err := e.c.FindPublished(ctx, e.creds, p)
	want := "The post was found on Bluesky after its outcome was uncertain, but parts 2 to 3 of 3 and the first comment did not follow it"
	if err != nil || found == nil || len(found.Warnings) != 1 || !strings.HasPrefix(found.Warnings[0], want) {
		t.Fatalf("FindPublished = %+v, %v", found, err)
	}
	// Herald cannot tell when the part's getRecord fails: no warning then.
	e.srv.Inject(blueskytest.Fault{Method: blueskytest.GetRecord, Skip: 1, Status: 503})
	before := e.srv.Calls(blueskytest.GetRecord)
	found, err = e.c.FindPublished(ctx, e.creds, p)
	if calls := e.srv.Calls(blueskytest.GetRecord) - before; err != nil || found == nil || len(found.Warnings) != 0 || calls != 2 {
		t.Fatalf("FindPublished with the part's lookup failing = %+v, %v (getRecord calls %d)", found, err, calls)
	}
	// Once the thread is complete, nothing is missing.
	e.mustPublish(p)
	found, err = e.c.FindPublished(ctx, e.creds, p)
	if err != nil || found == nil || len(found.Warnings) != 0 {
		t.Fatalf("FindPublished of the complete thread = %+v, %v", found, err)
	}

	// Only the first comment missing.
	q := threadPost(t, newKey())
	e.srv.FailPart(4, 400, "InvalidRequest", "refused")
	if res := e.mustPublish(q); len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "The first comment was not published") {
		t.Fatalf("warnings %q", res.Warnings)
	}
	found, err = e.c.FindPublished(ctx, e.creds, q)
	if err != nil || found == nil || len(found.Warnings) != 1 || !strings.Contains(found.Warnings[0], "but the first comment did not follow it") {
		t.Fatalf("FindPublished = %+v, %v", found, err)
	}
}
