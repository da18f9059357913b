package server

// Workspace isolation: every route that takes an id, called by workspace A's owner with
// workspace B's ids, answers 404 not_found (never a 403 that would reveal the row exists) and
// leaves B's rows exactly as they were. The routes come from the server's route table and the
// bodies from the role matrix's builders, so a new route is covered as soon as it has a case.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/server/workflow"
)

func TestWorkspaceIsolation(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		cases := roleCases()
		attacker := e.A.user(workflow.Owner)
		for _, rt := range e.Server.routes {
			params := slices.DeleteFunc(pathParams(rt.Path), func(p string) bool {
				switch p {
				case "wid", "uid", "iid", "cid", "pid", "tid", "nid", "tplid", "snid", "hgid", "apid", "clid":
					return false // ids of rows
				case "network":
					return true // a name, the same in every workspace
				}
				t.Fatalf("%s: is :%s an id? classify it here", routeKey(rt), p)
				return false
			})
			if len(params) == 0 {
				continue
			}
			key := routeKey(rt)
			build, ok := cases[key]
			if !ok {
				t.Fatalf("route %s has no case in roleCases", key)
			}
			t.Run(strings.TrimPrefix(key, "/api/v1"), func(t *testing.T) {
				// Which workspace id goes into :wid: B's own, and (for routes that take other ids)
				// A's, where the caller is the owner, with B's ids for the rest.
				wids := []*seeded{e.B}
				if slices.ContainsFunc(params, func(p string) bool { return p != "wid" }) && slices.Contains(params, "wid") {
					wids = append(wids, e.A)
				}
				// Make B's fixtures first, then take B's picture once, then make every call.
				type attempt struct {
					c   roleCase
					wid *seeded
				}
				var attempts []attempt
				for _, wid := range wids {
					for _, c := range build(t, e, e.B, e.B.user(workflow.Owner)) {
						attempts = append(attempts, attempt{c, wid})
					}
				}
				before := e.dump(t, e.B, true)
				for _, a := range attempts {
					p := map[string]string{}
					for k, v := range a.c.Params {
						p[k] = v
					}
					p["wid"] = idStr(a.wid.WS.ID)
					path := fillPath(t, rt.Path, p)
					if a.c.Query != "" {
						path += "?" + a.c.Query
					}
					r := e.do(t, apiCall{Method: rt.Method, Path: path, Body: a.c.Body, Header: a.c.Header, As: attacker})
					if r.Status != http.StatusNotFound || r.Err.Code != "not_found" {
						t.Errorf("%s with :wid of %s: got %d, want 404 not_found: %s", a.c.Variant, a.wid.Key, r.Status, r)
					}
				}
				if after := e.dump(t, e.B, true); after != before {
					t.Errorf("calls with B's ids changed workspace B:\n%s", diffLines(before, after))
				}
			})
		}

		// Ids inside bodies and query strings: B's channel in a post's targets is an unknown
		// channel (422, like any id that does not exist), and filters by B's ids find nothing.
		t.Run("ids in bodies and filters", func(t *testing.T) {
			author := e.A.user(workflow.Author)
			before := e.dump(t, e.B, true)
			for _, body := range []map[string]any{
				{"text": "x", "targets": []map[string]any{{"channel_id": e.B.Channel.ID}}},
				{"text": "x", "targets": []map[string]any{{"channel_id": e.A.Channel.ID}, {"channel_id": e.B.Channel.ID}}},
			} {
				env := e.post(t, author, wsPath(e.A, "/posts"), body).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
				n := len(body["targets"].([]map[string]any)) - 1
				if msg := env.Fields[fmt.Sprintf("targets[%d].channel_id", n)]; msg == "" {
					t.Errorf("B's channel must be reported like an unknown one: %+v", env)
				}
			}
			own := e.freshPost(t, e.A, author, workflow.Draft)
			e.patch(t, author, wsPath(e.A, "/posts/"+idStr(own.ID)), map[string]any{"revision": 1, "targets": []map[string]any{{"channel_id": e.B.Channel.ID}}}).
				wantErr(t, http.StatusUnprocessableEntity, "validation_failed")

			owner := e.A.user(workflow.Owner)
			var list page[postView]
			e.get(t, owner, wsPath(e.A, fmt.Sprintf("/posts?channel=%d&author=%d", e.B.Channel.ID, e.B.user(workflow.Author).ID))).want(t, http.StatusOK).decode(t, &list)
			var cal calendarResponse
			e.get(t, owner, wsPath(e.A, fmt.Sprintf("/calendar?from=2026-03-01&to=2026-04-01&channel=%d", e.B.Channel.ID))).want(t, http.StatusOK).decode(t, &cal)
			if len(list.Items) != 0 || len(cal.Posts) != 0 {
				t.Errorf("filters by B's ids found rows in A: %d posts, %d calendar posts", len(list.Items), len(cal.Posts))
			}
			// Mentions resolve among A's members only: @editor is A's editor, never B's.
			var cm commentView
			e.post(t, owner, wsPath(e.A, "/posts/"+idStr(e.A.Post.ID)+"/comments"), map[string]string{"text": "@editor @editor@b.example.com"}).
				want(t, http.StatusCreated).decode(t, &cm)
			if !slices.Equal(cm.Mentions, []int64{e.A.user(workflow.Editor).ID}) {
				t.Errorf("mentions = %v, want only A's editor %d", cm.Mentions, e.A.user(workflow.Editor).ID)
			}
			// B's invitation token cannot be used to read or revoke anything in A, and A's lists
			// never show B's rows.
			for _, path := range []string{"/members", "/invitations", "/channels", "/posts", "/audit", "/calendar?from=2026-03-01&to=2026-04-01"} {
				r := e.get(t, owner, wsPath(e.A, path)).want(t, http.StatusOK)
				for _, leak := range []string{e.B.Channel.Name, e.B.user(workflow.Editor).Email, e.B.Invitation.Email, e.B.Post.Title, e.B.WS.Name} {
					if strings.Contains(string(r.Body), leak) {
						t.Errorf("GET %s in A shows %q of B", path, leak)
					}
				}
			}
			if after := e.dump(t, e.B, true); after != before {
				t.Errorf("workspace B changed:\n%s", diffLines(before, after))
			}
		})
	})
}

// diffLines shows the lines of a and b that differ, for dump comparisons.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var sb strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&sb, "- %s\n+ %s\n", x, y)
		}
	}
	return sb.String()
}
