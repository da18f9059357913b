package server

// The role matrix: every route of the server's route table × every role, with and without
// credentials, by API token and by cookie session. A route added to apiRoutes without a case
// here fails the test, so the matrix cannot fall behind the router.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/workflow"
)

// roleCase is one way to call a route with the ids of workspace ws.
type roleCase struct {
	// Variant names the case when a route has several (e.g. own post / someone else's post).
	Variant string
	// Params are the path parameters other than :wid, which the runner sets.
	Params map[string]string
	// Query is appended after "?".
	Query string
	Body  any
	// Header adds request headers (a multipart upload's Content-Type).
	Header map[string]string
	// Want is the status for a caller the route admits (at or above MinRole), unless
	// roleExceptions says otherwise for that role.
	Want int
	// As makes the call as this user instead of the role's seeded user, for self-service cases
	// that would otherwise spoil the seeded user (signing out, changing the password, leaving).
	As *testUser
}

// caseBuilder makes fresh fixtures in ws for one call by a user with u's role; personal
// resources (API tokens) are made for u.
type caseBuilder func(t testing.TB, e *testEnv, ws *seeded, u *testUser) []roleCase

func routeKey(rt route) string { return rt.Method + " " + rt.Path }

func oneCase(c roleCase) []roleCase { return []roleCase{c} }

// roleCases has one builder per route of apiRoutes, keyed by "METHOD /path/:param".
func roleCases() map[string]caseBuilder {
	const v = "/api/v1"
	const ws = v + "/workspaces/:wid"
	future := func(e *testEnv) string { return e.Clock.Now().Add(40 * 24 * time.Hour).Format(time.RFC3339) }
	// postIn makes a fresh post by writer in status st and returns its path parameters.
	postIn := func(t testing.TB, e *testEnv, w *seeded, writer workflow.Role, st workflow.Status) map[string]string {
		return map[string]string{"pid": idStr(e.freshPost(t, w, w.user(writer), st).ID)}
	}
	freshChannel := func(t testing.TB, e *testEnv, w *seeded) map[string]string {
		return map[string]string{"cid": idStr(e.freshChannel(t, w, nil).ID)}
	}
	simple := func(want int) caseBuilder {
		return func(testing.TB, *testEnv, *seeded, *testUser) []roleCase { return oneCase(roleCase{Want: want}) }
	}
	cases := map[string]caseBuilder{
		"POST " + v + "/auth/signin": func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			nu := e.freshUser(t, w, u.Role)
			return oneCase(roleCase{Body: map[string]string{"email": nu.Email, "password": nu.Password}, Want: http.StatusOK})
		},
		"POST " + v + "/auth/signout": func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			return oneCase(roleCase{As: e.freshUser(t, w, u.Role), Want: http.StatusNoContent})
		},
		"GET " + v + "/me": simple(http.StatusOK),
		"PATCH " + v + "/me": func(_ testing.TB, _ *testEnv, _ *seeded, u *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]string{"name": u.Name}, Want: http.StatusOK})
		},
		"POST " + v + "/me/password": func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			nu := e.freshUser(t, w, u.Role)
			return oneCase(roleCase{As: nu, Body: map[string]string{"current_password": nu.Password, "new_password": nu.Password + " again"}, Want: http.StatusOK})
		},
		"GET " + v + "/me/tokens": simple(http.StatusOK),
		"POST " + v + "/me/tokens": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"name": "ci", "expires_in_days": 30}, Want: http.StatusCreated})
		},
		"DELETE " + v + "/me/tokens/:tid": func(t testing.TB, e *testEnv, _ *seeded, u *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"tid": idStr(e.newToken(t, u).ID)}, Want: http.StatusNoContent})
		},
		"POST " + v + "/invitations/accept": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			_, token := e.freshInvitation(t, w)
			return oneCase(roleCase{Body: map[string]string{"token": token, "name": "New Person", "password": "a long enough password"}, Want: http.StatusOK})
		},
		"GET " + v + "/networks": simple(http.StatusOK),
		"GET " + v + "/rules":    simple(http.StatusOK),
		"POST " + v + "/validate": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"text": "Hello", "networks": []string{"mastodon", "bluesky"}}, Want: http.StatusOK})
		},
		"GET " + v + "/connect/:network/callback": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			// An unknown state sends the browser back to the app with an error.
			return oneCase(roleCase{Params: map[string]string{"network": "mastodon"}, Query: "state=unknown&code=x", Want: http.StatusSeeOther})
		},
		"GET " + v + "/workspaces": simple(http.StatusOK),
		"POST " + v + "/workspaces": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]string{"name": "Side project", "time_zone": "America/New_York"}, Want: http.StatusCreated})
		},
		"GET " + ws: simple(http.StatusOK),
		"PATCH " + ws: func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			// The same name: the approval policy must stay as it is for the other cases.
			return oneCase(roleCase{Body: map[string]string{"name": w.WS.Name}, Want: http.StatusOK})
		},
		"GET " + ws + "/audit":   simple(http.StatusOK),
		"GET " + ws + "/members": simple(http.StatusOK),
		"PATCH " + ws + "/members/:uid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return []roleCase{
				{Variant: "author to editor", Params: map[string]string{"uid": idStr(e.freshUser(t, w, workflow.Author).ID)},
					Body: map[string]string{"role": "editor"}, Want: http.StatusOK},
				{Variant: "author to owner", Params: map[string]string{"uid": idStr(e.freshUser(t, w, workflow.Author).ID)},
					Body: map[string]string{"role": "owner"}, Want: http.StatusOK},
			}
		},
		"DELETE " + ws + "/members/:uid": func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			leaver := e.freshUser(t, w, u.Role)
			return []roleCase{
				{Variant: "another member", Params: map[string]string{"uid": idStr(e.freshUser(t, w, workflow.Author).ID)}, Want: http.StatusNoContent},
				{Variant: "leave", As: leaver, Params: map[string]string{"uid": idStr(leaver.ID)}, Want: http.StatusNoContent},
			}
		},
		"GET " + ws + "/invitations": simple(http.StatusOK),
		"POST " + ws + "/invitations": func(_ testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return []roleCase{
				{Variant: "author", Body: map[string]string{"email": fmt.Sprintf("new%d@%s.example.com", e.next(), w.Key), "role": "author"}, Want: http.StatusCreated},
				{Variant: "owner", Body: map[string]string{"email": fmt.Sprintf("new%d@%s.example.com", e.next(), w.Key), "role": "owner"}, Want: http.StatusCreated},
			}
		},
		"DELETE " + ws + "/invitations/:iid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			inv, _ := e.freshInvitation(t, w)
			return oneCase(roleCase{Params: map[string]string{"iid": idStr(inv.ID)}, Want: http.StatusNoContent})
		},
		"GET " + ws + "/channels": simple(http.StatusOK),
		"POST " + ws + "/channels": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"network": "mastodon", "name": "New channel", "time_zone": "Europe/Berlin",
				"slots": []map[string]any{{"weekday": 1, "time": "09:30"}}}, Want: http.StatusCreated})
		},
		"GET " + ws + "/channels/:cid": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"cid": idStr(w.Channel.ID)}, Want: http.StatusOK})
		},
		"PATCH " + ws + "/channels/:cid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: freshChannel(t, e, w), Body: map[string]string{"name": "Renamed"}, Want: http.StatusOK})
		},
		"DELETE " + ws + "/channels/:cid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: freshChannel(t, e, w), Want: http.StatusNoContent})
		},
		"POST " + ws + "/channels/:cid/pause": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: freshChannel(t, e, w), Want: http.StatusOK})
		},
		"POST " + ws + "/channels/:cid/resume": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: freshChannel(t, e, w), Want: http.StatusOK})
		},
		"PUT " + ws + "/channels/:cid/slots": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: freshChannel(t, e, w), Body: map[string]any{"slots": []map[string]any{{"weekday": 2, "time": "10:15"}}}, Want: http.StatusOK})
		},
		"POST " + ws + "/connect/:network": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			// The test server registers no networks, so an admin learns the network is unknown
			// here; what this case checks is the role gate in front of it.
			return oneCase(roleCase{Params: map[string]string{"network": "mastodon"}, Body: map[string]string{"instance": "mastodon.example"}, Want: http.StatusNotFound})
		},
		"GET " + ws + "/connect/:network/choices": func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			// A choice kept for this very user, as the OAuth callback keeps it.
			return oneCase(roleCase{Params: map[string]string{"network": "pagesnet"}, Query: "key=" + e.freshChoice(t, w, u, "pagesnet"), Want: http.StatusOK})
		},
		"POST " + ws + "/connect/:network/choose": func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			// No networks are registered here: admins learn the network is unknown (the flow is
			// in connect_test.go); what this case checks is the role gate in front of it.
			return oneCase(roleCase{Params: map[string]string{"network": "pagesnet"},
				Body: map[string]any{"key": e.freshChoice(t, w, u, "pagesnet"), "ids": []string{"p1"}}, Want: http.StatusNotFound})
		},
		"GET " + ws + "/notification-settings": simple(http.StatusOK),
		"PUT " + ws + "/notification-settings": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]string{"webhook_url": "https://hooks.example/herald", "email": "ops@example.com"}, Want: http.StatusOK})
		},
		"GET " + ws + "/notifications": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Query: "unread=true&limit=10", Want: http.StatusOK})
		},
		"POST " + ws + "/notifications/:nid/read": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"nid": idStr(e.freshNotification(t, w).ID)}, Want: http.StatusNoContent})
		},
		"GET " + ws + "/posts/:pid/engagement": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(w.Post.ID)}, Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/targets/:tid/resolve": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			p, tid := e.freshFailedTarget(t, w)
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(p.ID), "tid": idStr(tid)},
				Body: map[string]string{"outcome": "published", "url": "https://mastodon.example/@a/1"}, Want: http.StatusOK})
		},
		"GET " + ws + "/posts": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Query: "status=draft,in_review&label=launch&limit=20", Want: http.StatusOK})
		},
		"POST " + ws + "/posts": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"text": "Hello", "labels": []string{"news"},
				"targets": []map[string]any{{"channel_id": w.Channel.ID}}}, Want: http.StatusCreated})
		},
		"GET " + ws + "/posts/:pid": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(w.Post.ID)}, Want: http.StatusOK})
		},
		"PATCH " + ws + "/posts/:pid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			body := map[string]any{"revision": 1, "text": "Edited"}
			return []roleCase{
				{Variant: "own draft", Params: postIn(t, e, w, workflow.Author, workflow.Draft), Body: body, Want: http.StatusOK},
				{Variant: "someone else's draft", Params: postIn(t, e, w, workflow.Editor, workflow.Draft), Body: body, Want: http.StatusOK},
			}
		},
		"POST " + ws + "/posts/:pid/submit": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return []roleCase{
				{Variant: "own draft", Params: postIn(t, e, w, workflow.Author, workflow.Draft), Want: http.StatusOK},
				{Variant: "someone else's draft", Params: postIn(t, e, w, workflow.Editor, workflow.Draft), Want: http.StatusOK},
			}
		},

		"POST " + ws + "/posts/:pid/schedule": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: postIn(t, e, w, workflow.Author, workflow.Approved), Body: map[string]string{"scheduled_at": future(e)}, Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/reschedule": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return []roleCase{
				{Variant: "own draft", Params: postIn(t, e, w, workflow.Author, workflow.Draft),
					Body: map[string]string{"local_time": "2026-05-04T09:30", "time_zone": "Europe/Paris"}, Want: http.StatusOK},
				{Variant: "own scheduled post", Params: postIn(t, e, w, workflow.Author, workflow.Scheduled),
					Body: map[string]string{"scheduled_at": future(e)}, Want: http.StatusOK},
			}
		},
		"POST " + ws + "/posts/:pid/unschedule": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: postIn(t, e, w, workflow.Author, workflow.Scheduled), Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/publish-now": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: postIn(t, e, w, workflow.Author, workflow.Approved), Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/retry": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: postIn(t, e, w, workflow.Author, workflow.Failed), Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/cancel": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return []roleCase{
				{Variant: "own draft", Params: postIn(t, e, w, workflow.Author, workflow.Draft), Want: http.StatusOK},
				{Variant: "own approved post", Params: postIn(t, e, w, workflow.Author, workflow.Approved), Want: http.StatusOK},
			}
		},
		"POST " + ws + "/posts/:pid/restore": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: postIn(t, e, w, workflow.Author, workflow.Canceled), Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/duplicate": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(w.Post.ID)}, Want: http.StatusCreated})
		},
		"GET " + ws + "/posts/:pid/comments": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(w.Post.ID)}, Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/comments": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(w.Post.ID)}, Body: map[string]string{"text": "Nice, @editor"}, Want: http.StatusCreated})
		},
		"GET " + ws + "/posts/:pid/revisions": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: postIn(t, e, w, workflow.Author, workflow.Approved), Want: http.StatusOK})
		},
		"GET " + ws + "/posts/:pid/audit": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(w.Post.ID)}, Want: http.StatusOK})
		},
		"POST " + ws + "/media": func(t testing.TB, _ *testEnv, _ *seeded, _ *testUser) []roleCase {
			body, ct := multipartPNG(t, "pixel.png", 3, 2)
			return oneCase(roleCase{Body: body, Header: map[string]string{"Content-Type": ct}, Want: http.StatusCreated})
		},
		"GET " + ws + "/calendar": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Query: "from=2026-03-01&to=2026-04-01&tz=Europe/Paris&status=draft", Want: http.StatusOK})
		},
	}
	// The brand voice, library, approval and client link routes have their cases next to their
	// tests (voice_api_test.go).
	for k, b := range voiceRoleCases() {
		if cases[k] != nil {
			panic("two role cases for " + k)
		}
		cases[k] = b
	}
	return cases
}

// roleException is a caller the route's MinRole admits but the handler or the workflow still
// refuses. Each is a rule of the product, listed here rather than by loosening the matrix.
type roleException struct {
	Route, Variant string
	Role           workflow.Role
	Status         int
	Code           string
	Why            string
}

var roleExceptions = func() []roleException {
	const ws = "/api/v1/workspaces/:wid"
	var out []roleException
	add := func(route, variant, why string, roles ...workflow.Role) {
		for _, r := range roles {
			out = append(out, roleException{route, variant, r, http.StatusForbidden, "forbidden", why})
		}
	}
	add("DELETE "+ws+"/members/:uid", "another member", "members may leave, but only admins remove others", workflow.Viewer, workflow.Author, workflow.Editor)
	add("PATCH "+ws+"/members/:uid", "author to owner", "only owners grant the owner role", workflow.Admin)
	add("POST "+ws+"/invitations", "owner", "only owners invite owners", workflow.Admin)
	add("PATCH "+ws+"/posts/:pid", "someone else's draft", "authors may only change their own posts", workflow.Author)
	add("POST "+ws+"/posts/:pid/submit", "someone else's draft", "authors may only change their own posts", workflow.Author)
	add("POST "+ws+"/posts/:pid/reschedule", "own scheduled post", "moving a scheduled post is a reviewer's decision", workflow.Author)
	add("POST "+ws+"/posts/:pid/cancel", "own approved post", "withdrawing an approved post is a reviewer's decision", workflow.Author)
	add("POST "+ws+"/posts/:pid/approve", "", "authors approve only where an approval policy names them", workflow.Author)
	add("POST "+ws+"/posts/:pid/request-changes", "", "authors request changes only where an approval policy names them", workflow.Author)
	add("POST "+ws+"/posts/:pid/voice/acknowledgements", "someone else's post", "authors acknowledge warnings on their own posts", workflow.Author)
	for _, lib := range []string{"templates/:tplid", "snippets/:snid", "hashtag-groups/:hgid"} {
		add("PATCH "+ws+"/"+lib, "someone else's", "authors change only what they added to the library", workflow.Author)
		add("DELETE "+ws+"/"+lib, "someone else's", "authors remove only what they added to the library", workflow.Author)
	}
	return out
}()

func findException(key, variant string, r workflow.Role) (roleException, bool) {
	for _, ex := range roleExceptions {
		if ex.Route == key && ex.Variant == variant && ex.Role == r {
			return ex, true
		}
	}
	return roleException{}, false
}

// pathFor fills rt's path with ws's id and c's parameters, and appends c's query.
func pathFor(t testing.TB, rt route, ws *seeded, c roleCase) string {
	t.Helper()
	params := map[string]string{"wid": idStr(ws.WS.ID)}
	for k, v := range c.Params {
		params[k] = v
	}
	p := fillPath(t, rt.Path, params)
	if c.Query != "" {
		p += "?" + c.Query
	}
	return p
}

func TestRoleMatrix(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		for _, mode := range []string{"token", "session"} {
			t.Run(mode, func(t *testing.T) { runRoleMatrix(t, e, mode == "session") })
		}
	})
}

// matrixRoles are the roles to try a route with. With API tokens, all of them. With cookie
// sessions, which reach the same role checks through another door (where writes also need the
// CSRF token), the state-changing routes at the boundary: the route's minimum role and the role
// just below it (or one role for routes without a minimum), and every role an exception names.
func matrixRoles(rt route, sessions bool) []workflow.Role {
	all := workflow.AllRoles()
	if !sessions {
		return all
	}
	if rt.Access != workspace {
		return []workflow.Role{workflow.Viewer}
	}
	var out []workflow.Role
	for i, r := range all {
		below := i > 0 && all[i-1] == rt.MinRole
		excepted := false
		for _, ex := range roleExceptions {
			excepted = excepted || (ex.Route == routeKey(rt) && ex.Role == r)
		}
		if r == rt.MinRole || below || excepted {
			out = append(out, r)
		}
	}
	return out
}

func runRoleMatrix(t *testing.T, e *testEnv, sessions bool) {
	cases := roleCases()
	covered := map[string]bool{}
	usedExceptions := map[roleException]bool{}
	for _, rt := range e.Server.routes {
		key := routeKey(rt)
		build, ok := cases[key]
		if !ok {
			t.Fatalf("route %s has no case in roleCases: add one (and its exceptions, if any)", key)
		}
		covered[key] = true
		if sessions && (rt.Access == public || !unsafeMethod(rt.Method)) {
			// Anonymous calls and reads were covered in the token pass; what a cookie changes
			// is writes.
			continue
		}
		t.Run(strings.TrimPrefix(strings.ReplaceAll(key, "/api/v1", ""), " "), func(t *testing.T) {
			owner := e.A.user(workflow.Owner)
			if rt.Access == public {
				for _, c := range build(t, e, e.A, owner) {
					r := e.do(t, apiCall{Method: rt.Method, Path: pathFor(t, rt, e.A, c), Body: c.Body, Header: c.Header})
					if r.Status != c.Want {
						t.Errorf("anonymous %s: got %d, want %d: %s", c.Variant, r.Status, c.Want, r)
					}
				}
				return
			}
			// No credentials: 401 before anything else, whatever the route.
			if !sessions {
				c := build(t, e, e.A, owner)[0]
				e.do(t, apiCall{Method: rt.Method, Path: pathFor(t, rt, e.A, c), Body: c.Body, Header: c.Header}).wantErr(t, http.StatusUnauthorized, "unauthenticated")
			}

			// A refused call must change nothing, so the refused roles share one set of fixtures.
			var refusedCases []roleCase
			for _, role := range matrixRoles(rt, sessions) {
				u := e.A.user(role)
				cases := refusedCases
				refused := rt.Access == workspace && !role.AtLeast(rt.MinRole)
				if !refused || cases == nil {
					cases = build(t, e, e.A, u)
				}
				if refused {
					refusedCases = cases
				}
				for _, c := range cases {
					caller := u
					if c.As != nil {
						caller = c.As
					}
					want, code, why := c.Want, "", ""
					if rt.Access == workspace && !role.AtLeast(rt.MinRole) {
						want, code, why = http.StatusForbidden, "forbidden", "below the route's minimum role "+string(rt.MinRole)
					} else if ex, ok := findException(key, c.Variant, role); ok {
						want, code, why = ex.Status, ex.Code, ex.Why
						usedExceptions[ex] = true
					}
					cl := apiCall{Method: rt.Method, Path: pathFor(t, rt, e.A, c), Body: c.Body, Header: c.Header}
					if sessions {
						cl.Session = e.sessionOf(t, caller)
					} else {
						cl.As = caller
					}
					var before string
					if want >= 400 {
						before = e.fingerprint(t, e.A)
					}
					r := e.do(t, cl)
					if r.Status != want {
						t.Errorf("%s %s: got %d, want %d (%s): %s", role, c.Variant, r.Status, want, why, r)
						continue
					}
					if code != "" && r.Err.Code != code {
						t.Errorf("%s %s: code %q, want %q: %s", role, c.Variant, r.Err.Code, code, r)
					}
					if want >= 400 {
						if after := e.fingerprint(t, e.A); after != before {
							t.Errorf("%s %s: a refused request changed the workspace:\nbefore: %s\nafter:  %s", role, c.Variant, before, after)
						}
					}
				}
			}
		})
	}
	for key := range cases {
		if !covered[key] {
			t.Errorf("roleCases has %s, which is not a route any more", key)
		}
	}
	for _, ex := range roleExceptions {
		if !usedExceptions[ex] && !t.Failed() && !sessions {
			t.Errorf("exception never reached (stale?): %+v", ex)
		}
	}
}

// TestRoleExceptionsHaveAllowedRoles checks the other side of each exception: a role above the
// excepted one gets through, so the 403 is about the role and not about a broken fixture.
func TestRoleExceptionsHaveAllowedRoles(t *testing.T) {
	for _, ex := range roleExceptions {
		found := false
		for _, r := range workflow.AllRoles() {
			if _, refused := findException(ex.Route, ex.Variant, r); !refused && r.AtLeast(ex.Role) {
				found = true
			}
		}
		if !found {
			t.Errorf("no role above %s passes %s (%s): the case would test nothing", ex.Role, ex.Route, ex.Variant)
		}
	}
}
