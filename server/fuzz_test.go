package server

// Fuzz tests for the two endpoints that take the most free-form input: post creation (a JSON
// body) and the calendar (a query string). Whatever arrives, the answer is below 500, a non-2xx
// carries the error envelope, and the database holds no partial rows: a created post has exactly
// the targets and labels asked for, a refused one left nothing behind, and no target or label
// ever points at a missing post or another workspace.
//
// The seed corpus runs as an ordinary test on every dialect under test; fuzzing itself
// (go test -run='^$' -fuzz=FuzzCreatePost ./server/) runs on SQLite, since MySQL is too slow to
// fuzz against.

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

// fuzzEnv is a seeded environment with a second channel in A and posts planned across March
// and April in both workspaces, so the calendar has something to return.
type fuzzEnv struct {
	*testEnv
	SecondA int64
}

func isFuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

func fuzzEnvs(f *testing.F) []*fuzzEnv {
	dialects := storetest.Dialects()
	if isFuzzing() {
		dialects = []store.Dialect{store.SQLite}
	}
	var out []*fuzzEnv
	for _, d := range dialects {
		e := &fuzzEnv{testEnv: newEnv(f, d)}
		e.SecondA = e.freshChannel(f, e.A, nil).ID
		for i, ws := range []*seeded{e.A, e.B} {
			for day := 0; day < 60; day += 7 {
				at := time.Date(2026, 3, 1+day, 8+i, 30, 0, 0, time.UTC)
				in := store.PostInput{Title: fmt.Sprintf("Planned %s %d", ws.Key, day), Body: "x", Labels: []string{"planned", ws.Key},
					Targets: []store.TargetInput{{ChannelID: ws.Channel.ID}}}
				if ws == e.A && day%2 == 0 {
					in.Targets = append(in.Targets, store.TargetInput{ChannelID: e.SecondA})
				}
				if _, err := e.Store.CreatePost(testCtx, ws.WS.ID, ws.user(workflow.Author).actor(), in, &at, "Europe/Paris"); err != nil {
					f.Fatal(err)
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// fuzzIDs puts an environment's ids into a fuzz input: $A2 is A's second channel, $A A's
// channel, $B B's channel (which A must not be able to use).
func (e *fuzzEnv) fuzzIDs(s string) string {
	return strings.NewReplacer("$A2", idStr(e.SecondA), "$A", idStr(e.A.Channel.ID), "$B", idStr(e.B.Channel.ID)).Replace(s)
}

var createPostSeeds = []string{
	// Valid posts.
	`{"text":"hello"}`,
	`{"title":"Only a title"}`,
	`{"text":"two channels","targets":[{"channel_id":$A},{"channel_id":$A2,"text":"shorter","first_comment":"more in the thread"}]}`,
	`{"text":"labels","labels":["a"," a ","A","b"],"campaign":" Q3 "}`,
	`{"text":"media","targets":[{"channel_id":$A,"media":[{"url":"https://cdn.example/a.png","kind":"image","mime":"image/png","size_bytes":1024,"alt_text":"A cat"}]}]}`,
	`{"text":"planned","scheduled_at":"2026-04-01T10:00:00+02:00"}`,
	`{"text":"planned locally","local_time":"2026-03-29T02:30","time_zone":"Europe/Paris"}`,
	`{"text":"emoji 🎉 and RTL עברית and NUL-free","labels":["🎉"]}`,
	`{"text":"café","labels":["café","cafe","CAFÉ"]}`,
	`null`,
	`{}`,
	// Bad ones.
	`{"text":"other workspace","targets":[{"channel_id":$B}]}`,
	`{"text":"mixed","targets":[{"channel_id":$A},{"channel_id":$B}]}`,
	`{"text":"twice","targets":[{"channel_id":$A},{"channel_id":$A}]}`,
	`{"text":"missing","targets":[{"channel_id":999999999}]}`,
	`{"text":"negative","targets":[{"channel_id":-1}]}`,
	`{"text":"huge id","targets":[{"channel_id":9223372036854775807}]}`,
	`{"text":"overflow","targets":[{"channel_id":9223372036854775808}]}`,
	`{"text":"float","targets":[{"channel_id":1.5}]}`,
	`{"text":"exp","targets":[{"channel_id":1e3}]}`,
	`{"text":"x","scheduled_at":"0000-01-01T00:00:00Z"}`,
	`{"text":"x","scheduled_at":"2026-02-30T10:00:00Z"}`,
	`{"text":"x","local_time":"2026-03-29T02:30","time_zone":"Local"}`,
	`{"text":"x","time_zone":"../../../../etc/localtime"}`,
	`{"text":"x","time_zone":"\u0000"}`,
	`{"text":"\u0000"}`,
	`{"text":"\ud800"}`,
	`{"text":"x","labels":["\u0000"]}`,
	`{"text":"x","labels":[null]}`,
	`{"text":"x","targets":[null]}`,
	`{"text":"x","targets":[{"channel_id":$A,"media":[{"url":"https://x.example/","kind":"image","size_bytes":1e400}]}]}`,
	`{"text":"x","targets":[{"channel_id":$A,"media":[null]}]}`,
	`{"text":"x","revision":1}`,
	`{"text":"x","title":null,"labels":null,"targets":null}`,
	`{"text":"x","text":5}`,
	`{"Text":"case-insensitive keys"}`,
	`{"text":"x"}garbage`,
	`{"text":"x",}`,
	`[`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
	`"just a string"`,
	``,
	"\xff\xfe{}",
	`{"text":"' OR 1=1; DROP TABLE posts; --","labels":["'; DELETE FROM post_labels; --"],"campaign":"\" OR \"\"=\""}`,
}

func FuzzCreatePost(f *testing.F) {
	envs := fuzzEnvs(f)
	for _, s := range createPostSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, e := range envs {
			checkCreatePost(t, e, e.fuzzIDs(raw))
		}
	})
}

// rowCounts counts what a post creation writes.
type rowCounts struct{ posts, targets, labels, audit int64 }

func (e *fuzzEnv) rowCounts(t *testing.T) rowCounts {
	t.Helper()
	var c rowCounts
	err := e.sqlDB(t).QueryRowContext(testCtx, `SELECT (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM targets),
		(SELECT COUNT(*) FROM post_labels), (SELECT COUNT(*) FROM audit_events)`).Scan(&c.posts, &c.targets, &c.labels, &c.audit)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkNoStrays fails when a target or label points at a missing post, at a post of another
// workspace, or (targets) at another workspace's channel.
func (e *fuzzEnv) checkNoStrays(t *testing.T) {
	t.Helper()
	for _, q := range []string{
		"SELECT COUNT(*) FROM targets t LEFT JOIN posts p ON p.id = t.post_id WHERE p.id IS NULL OR p.workspace_id <> t.workspace_id",
		"SELECT COUNT(*) FROM post_labels l LEFT JOIN posts p ON p.id = l.post_id WHERE p.id IS NULL OR p.workspace_id <> l.workspace_id",
		"SELECT COUNT(*) FROM targets t LEFT JOIN channels c ON c.id = t.channel_id WHERE c.id IS NULL OR c.workspace_id <> t.workspace_id",
	} {
		if n := e.count(t, q); n != 0 {
			t.Errorf("%d stray rows: %s", n, q)
		}
	}
}

func checkCreatePost(t *testing.T, e *fuzzEnv, raw string) {
	before := e.rowCounts(t)
	otherBefore := e.fingerprint(t, e.B)
	r := e.do(t, apiCall{Method: http.MethodPost, Path: wsPath(e.A, "/posts"), As: e.A.user(workflow.Author), Body: raw})
	after := e.rowCounts(t)
	if e.fingerprint(t, e.B) != otherBefore {
		t.Errorf("creating a post in A changed B")
	}
	defer e.checkNoStrays(t)
	if r.Status != http.StatusCreated {
		if r.Status < 400 {
			t.Errorf("want 201 or an error: %s", r)
		}
		if after != before {
			t.Errorf("a refused create wrote rows: before %+v, after %+v: %s", before, after, r)
		}
		return
	}
	// Created: the rows must be exactly what was asked for.
	var req postRequest
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		t.Fatalf("201 for a body that does not decode (%v): %q", err, raw)
	}
	var v postView
	r.decode(t, &v)
	p, err := e.Store.Post(testCtx, e.A.WS.ID, v.ID)
	if err != nil {
		t.Fatalf("created post %d is not in A: %v", v.ID, err)
	}
	var want []targetRequest
	if req.Targets != nil {
		want = *req.Targets
	}
	if len(p.Targets) != len(want) {
		t.Fatalf("post has %d targets, asked for %d: %q", len(p.Targets), len(want), raw)
	}
	for i, tg := range p.Targets {
		w := want[i]
		if tg.ChannelID != w.ChannelID || !equalPtr(tg.TextOverride, w.Text) || !equalPtr(tg.FirstComment, w.FirstComment) ||
			len(tg.Media) != len(w.Media) || tg.Status != store.TargetPending || tg.WorkspaceID != e.A.WS.ID {
			t.Errorf("target %d = %+v, asked for %+v", i, tg, w)
		}
	}
	wantLabels := map[string]bool{}
	if req.Labels != nil {
		for _, l := range *req.Labels {
			wantLabels[strings.ToLower(strings.TrimSpace(l))] = true
		}
	}
	for _, l := range p.Labels {
		if !wantLabels[strings.ToLower(l.Label)] {
			t.Errorf("label %q was not asked for: %q", l.Label, raw)
		}
	}
	// MySQL's collation may fold more spellings together than lower-casing does.
	if len(p.Labels) > len(wantLabels) || (len(p.Labels) < len(wantLabels) && e.Dialect != store.MySQL) || (len(wantLabels) > 0 && len(p.Labels) == 0) {
		t.Errorf("post has labels %v, asked for %v", p.Labels, wantLabels)
	}
	if p.AuthorID != e.A.user(workflow.Author).ID || p.Status != string(workflow.Draft) || p.Revision != 1 {
		t.Errorf("created post = %+v", p)
	}
	if got := (rowCounts{before.posts + 1, before.targets + int64(len(p.Targets)), before.labels + int64(len(p.Labels)), before.audit + 1}); after != got {
		t.Errorf("rows after create = %+v, want %+v", after, got)
	}
}

func equalPtr(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

var calendarSeeds = []string{
	"from=2026-03-01&to=2026-04-01",
	"from=2026-03-01&to=2026-04-01&tz=Europe/Paris",
	"from=2026-03-29&to=2026-03-30&tz=Europe/Paris",
	"from=2026-03-01T00:00:00Z&to=2026-03-15T00:00:00%2B01:00",
	"from=2026-03-01&to=2026-04-01&status=draft,scheduled&label=planned&channel=$A2&author=1",
	"from=2026-03-01&to=2026-04-01&channel=$B",
	"from=2026-03-01&to=2026-04-01&label=b",
	"from=2026-03-01&to=2026-06-09",
	"from=2026-03-01&to=2026-06-10",
	"from=2026-04-01&to=2026-03-01",
	"from=2026-03-01&to=2026-03-01",
	"from=0000-01-01&to=0000-02-01",
	"from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z",
	"from=9999-12-30&to=9999-12-31",
	"from=9999-12-31T23:59:59%2B23:59&to=9999-12-31T23:59:59-23:59",
	"from=2026-03-01&to=2026-04-01&tz=Local",
	"from=2026-03-01&to=2026-04-01&tz=../../etc/passwd",
	"from=2026-03-01&to=2026-04-01&tz=%00",
	"from=2026-03-01&to=2026-04-01&status=%ff",
	"from=2026-03-01&to=2026-04-01&label=%ff%fe",
	"from=2026-03-01&to=2026-04-01&channel=1,,2,%20,3",
	"from=2026-03-01&to=2026-04-01&channel=99999999999999999999",
	"from=2026-03-01&to=2026-04-01&author=0",
	"from=2026-03-01&from=2026-03-02&to=2026-04-01&to=2026-04-02",
	"from[]=2026-03-01&to[]=2026-04-01",
	"from=%&to=%%",
	"from=2026-03-01&to=2026-04-01&label=' OR '1'='1",
	"",
	"&&&==&",
}

func FuzzCalendar(f *testing.F) {
	envs := fuzzEnvs(f)
	for _, s := range calendarSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		for _, e := range envs {
			checkCalendar(t, e, e.fuzzIDs(query))
		}
	})
}

// urlSafe percent-encodes what cannot appear raw in a request line (spaces, controls, non-ASCII,
// '#', a '%' that starts no escape), so any fuzz input reaches the handler as a query string.
func urlSafe(q string) string {
	var sb strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '%' && i+2 < len(q) && isHex(q[i+1]) && isHex(q[i+2]):
			sb.WriteByte(c)
		case c <= ' ' || c >= 0x7f || c == '#' || c == '%':
			fmt.Fprintf(&sb, "%%%02X", c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func checkCalendar(t *testing.T, e *fuzzEnv, query string) {
	r := e.do(t, apiCall{Method: http.MethodGet, Path: wsPath(e.A, "/calendar?"+urlSafe(query)), As: e.A.user(workflow.Viewer)})
	if r.Status != http.StatusOK {
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("want 200 or 422: %s", r)
		}
		return
	}
	var cal calendarResponse
	r.decode(t, &cal)
	if !cal.To.After(cal.From) || cal.To.Sub(cal.From) > maxCalendarRange {
		t.Errorf("range %v – %v was accepted", cal.From, cal.To)
	}
	var last time.Time
	for _, pv := range cal.Posts {
		if pv.ScheduledAt == nil || pv.ScheduledAt.Before(cal.From) || !pv.ScheduledAt.Before(cal.To) || pv.ScheduledAt.Before(last) {
			t.Errorf("post %d at %v is outside %v – %v or out of order", pv.ID, pv.ScheduledAt, cal.From, cal.To)
			continue
		}
		last = *pv.ScheduledAt
		// Every post is A's, whole: the same targets and labels as when loaded on its own.
		p, err := e.Store.Post(testCtx, e.A.WS.ID, pv.ID)
		if err != nil {
			t.Errorf("calendar of A shows post %d, which is not A's: %v", pv.ID, err)
			continue
		}
		full := viewPost(p)
		if !slices.EqualFunc(pv.Targets, full.Targets, func(a, b targetView) bool { return a.ID == b.ID && a.ChannelID == b.ChannelID }) ||
			!slices.Equal(pv.Labels, full.Labels) {
			t.Errorf("calendar post %d has targets %v labels %v, the post has %v %v", pv.ID, pv.Targets, pv.Labels, full.Targets, full.Labels)
		}
	}
}
