package server

// Bad input, CSRF, sign-in throttling, and what never reaches a client (database error text,
// channel credentials, token plaintexts). Every call goes through testEnv.do, which also checks
// the error envelope and scans it for database text.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/workflow"
)

// inputCase is one bad request and the error it must get.
type inputCase struct {
	name   string
	method string
	path   string
	as     *testUser
	body   any
	header map[string]string
	status int
	code   string
	// fields must all be present in the envelope's fields (more may be).
	fields []string
}

func runInputCases(t *testing.T, e *testEnv, cases []inputCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.fingerprint(t, e.A)
			r := e.do(t, apiCall{Method: c.method, Path: c.path, As: c.as, Body: c.body, Header: c.header})
			env := r.wantErr(t, c.status, c.code)
			for _, f := range c.fields {
				if env.Fields[f] == "" {
					t.Errorf("want a message for field %q: %s", f, r)
				}
			}
			if after := e.fingerprint(t, e.A); after != before {
				t.Errorf("a refused request changed the workspace")
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		owner, admin, editor, author := e.A.user(workflow.Owner), e.A.user(workflow.Admin), e.A.user(workflow.Editor), e.A.user(workflow.Author)
		posts := wsPath(e.A, "/posts")
		draft := e.freshPost(t, e.A, author, workflow.Draft)
		draftPath := wsPath(e.A, "/posts/"+idStr(draft.ID))
		chID := e.A.Channel.ID
		huge := `{"text":"` + strings.Repeat("a", 1<<20) + `"}`
		labels21 := make([]string, 21)
		for i := range labels21 {
			labels21[i] = fmt.Sprint("l", i)
		}
		runInputCases(t, e, []inputCase{
			// Size and content type.
			{name: "413 post", method: "POST", path: posts, as: author, body: huge, status: 413, code: "body_too_large"},
			{name: "413 sign-in", method: "POST", path: "/api/v1/auth/signin", body: huge, status: 413, code: "body_too_large"},
			{name: "413 action", method: "POST", path: draftPath + "/submit", as: author, body: huge, status: 413, code: "body_too_large"},
			{name: "413 edit", method: "PATCH", path: draftPath, as: author, body: huge, status: 413, code: "body_too_large"},
			{name: "415 text/plain", method: "POST", path: posts, as: author, body: `{"text":"x"}`, header: map[string]string{"Content-Type": "text/plain"}, status: 415, code: "unsupported_media_type"},
			{name: "415 form", method: "POST", path: posts, as: author, body: `text=x`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type"},

			// Malformed JSON.
			{name: "empty body", method: "POST", path: posts, as: author, body: "", status: 400, code: "malformed_json"},
			{name: "blank body", method: "POST", path: posts, as: author, body: " \n ", status: 400, code: "malformed_json"},
			{name: "truncated", method: "POST", path: posts, as: author, body: `{"text":"x"`, status: 400, code: "malformed_json"},
			{name: "trailing comma", method: "POST", path: posts, as: author, body: `{"text":"x",}`, status: 400, code: "malformed_json"},
			{name: "two objects", method: "POST", path: posts, as: author, body: `{"text":"x"}{"text":"y"}`, status: 400, code: "malformed_json"},
			{name: "trailing garbage", method: "POST", path: posts, as: author, body: `{"text":"x"} nope`, status: 400, code: "malformed_json"},
			{name: "array", method: "POST", path: posts, as: author, body: `[{"text":"x"}]`, status: 400, code: "malformed_json"},
			{name: "string", method: "POST", path: posts, as: author, body: `"x"`, status: 400, code: "malformed_json"},
			{name: "not JSON", method: "POST", path: posts, as: author, body: `<xml/>`, status: 400, code: "malformed_json"},
			{name: "malformed action body", method: "POST", path: draftPath + "/submit", as: author, body: `{`, status: 400, code: "malformed_json"},

			// Unknown fields and wrong types name the field.
			{name: "unknown field", method: "POST", path: posts, as: author, body: `{"text":"x","txt":"y"}`, status: 400, code: "unknown_field", fields: []string{"txt"}},
			{name: "unknown nested field", method: "POST", path: posts, as: author, body: fmt.Sprintf(`{"text":"x","targets":[{"channel_id":%d,"colour":"red"}]}`, chID), status: 400, code: "unknown_field", fields: []string{"colour"}},
			{name: "unknown action field", method: "POST", path: draftPath + "/submit", as: author, body: `{"force":true}`, status: 400, code: "unknown_field", fields: []string{"force"}},
			{name: "text is a number", method: "POST", path: posts, as: author, body: `{"text":5}`, status: 400, code: "invalid_type", fields: []string{"text"}},
			{name: "labels is a string", method: "POST", path: posts, as: author, body: `{"text":"x","labels":"news"}`, status: 400, code: "invalid_type", fields: []string{"labels"}},
			{name: "targets is an object", method: "POST", path: posts, as: author, body: `{"text":"x","targets":{}}`, status: 400, code: "invalid_type", fields: []string{"targets"}},
			{name: "revision is a string", method: "PATCH", path: draftPath, as: author, body: `{"revision":"1","text":"x"}`, status: 400, code: "invalid_type", fields: []string{"revision"}},
			{name: "role is a number", method: "POST", path: wsPath(e.A, "/invitations"), as: admin, body: `{"email":"x@example.com","role":3}`, status: 400, code: "invalid_type", fields: []string{"role"}},

			// Validation: 422 with a message per field.
			{name: "empty text", method: "POST", path: posts, as: author, body: map[string]any{"text": ""}, status: 422, code: "validation_failed", fields: []string{"text"}},
			{name: "blank text", method: "POST", path: posts, as: author, body: map[string]any{"text": " \n\t "}, status: 422, code: "validation_failed", fields: []string{"text"}},
			{name: "control character", method: "POST", path: posts, as: author, body: map[string]any{"text": "ring \a"}, status: 422, code: "validation_failed", fields: []string{"text"}},
			{name: "bad time zone", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "time_zone": "Mars/Olympus_Mons"}, status: 422, code: "validation_failed", fields: []string{"time_zone"}},
			{name: "path as time zone", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "time_zone": "../../etc/passwd"}, status: 422, code: "validation_failed", fields: []string{"time_zone"}},
			{name: "unknown channel", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "targets": []map[string]any{{"channel_id": 999999}}}, status: 422, code: "validation_failed", fields: []string{"targets[0].channel_id"}},
			{name: "channel twice", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "targets": []map[string]any{{"channel_id": chID}, {"channel_id": chID}}}, status: 422, code: "validation_failed", fields: []string{"targets[1].channel_id"}},
			{name: "channel zero", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "targets": []map[string]any{{}}}, status: 422, code: "validation_failed", fields: []string{"targets[0].channel_id"}},
			{name: "bad media", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "targets": []map[string]any{{"channel_id": chID, "media": []map[string]any{{"url": "javascript:alert(1)", "kind": "pdf", "size_bytes": -1}}}}}, status: 422, code: "validation_failed",
				fields: []string{"targets[0].media[0].url", "targets[0].media[0].kind", "targets[0].media[0].size_bytes"}},
			{name: "bad scheduled_at", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "scheduled_at": "tomorrow"}, status: 422, code: "validation_failed", fields: []string{"scheduled_at"}},
			{name: "scheduled_at far away", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "scheduled_at": "9999-12-31T23:59:59Z"}, status: 422, code: "validation_failed", fields: []string{"scheduled_at"}},
			{name: "both times", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "scheduled_at": "2026-04-01T10:00:00Z", "local_time": "2026-04-01T10:00"}, status: 422, code: "validation_failed", fields: []string{"scheduled_at"}},
			{name: "bad local_time", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "local_time": "2026-13-01T10:00"}, status: 422, code: "validation_failed", fields: []string{"local_time"}},
			{name: "empty label", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "labels": []string{"ok", " "}}, status: 422, code: "validation_failed", fields: []string{"labels[1]"}},
			{name: "too many labels", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "labels": labels21}, status: 422, code: "validation_failed", fields: []string{"labels"}},
			{name: "long title", method: "POST", path: posts, as: author, body: map[string]any{"title": strings.Repeat("é", 201)}, status: 422, code: "validation_failed", fields: []string{"title"}},
			{name: "long text", method: "POST", path: posts, as: author, body: map[string]any{"text": strings.Repeat("x", maxPostText+1)}, status: 422, code: "validation_failed", fields: []string{"text"}},
			{name: "revision on create", method: "POST", path: posts, as: author, body: map[string]any{"text": "x", "revision": 1}, status: 422, code: "validation_failed", fields: []string{"revision"}},
			{name: "edit without revision", method: "PATCH", path: draftPath, as: author, body: map[string]any{"text": "x"}, status: 422, code: "validation_failed", fields: []string{"revision"}},
			{name: "edit with a time", method: "PATCH", path: draftPath, as: author, body: map[string]any{"revision": 1, "scheduled_at": "2026-04-01T10:00:00Z"}, status: 422, code: "validation_failed", fields: []string{"scheduled_at"}},
			{name: "edit nothing", method: "PATCH", path: draftPath, as: author, body: map[string]any{"revision": 1}, status: 422, code: "validation_failed", fields: []string{"text"}},
			{name: "submit with a time", method: "POST", path: draftPath + "/submit", as: author, body: map[string]any{"scheduled_at": "2026-04-01T10:00:00Z"}, status: 422, code: "validation_failed", fields: []string{"scheduled_at"}},
			{name: "reschedule without time", method: "POST", path: draftPath + "/reschedule", as: author, body: map[string]any{}, status: 422, code: "validation_failed", fields: []string{"scheduled_at"}},
			{name: "reschedule into the past", method: "POST", path: draftPath + "/reschedule", as: author, body: map[string]any{"scheduled_at": "2026-01-01T10:00:00Z"}, status: 422, code: "validation_failed", fields: []string{"scheduled_at"}},
			{name: "changes without note", method: "POST", path: wsPath(e.A, "/posts/"+idStr(e.freshPost(t, e.A, author, workflow.InReview).ID)+"/request-changes"), as: editor, body: map[string]any{"note": "  "}, status: 422, code: "validation_failed", fields: []string{"note"}},
			{name: "empty comment", method: "POST", path: draftPath + "/comments", as: author, body: map[string]any{"text": " "}, status: 422, code: "validation_failed", fields: []string{"text"}},
			{name: "bad channel", method: "POST", path: wsPath(e.A, "/channels"), as: admin, body: map[string]any{"network": "myspace", "name": "x"}, status: 422, code: "validation_failed", fields: []string{"network"}},
			{name: "bad avatar", method: "POST", path: wsPath(e.A, "/channels"), as: admin, body: map[string]any{"network": "mastodon", "name": "x", "avatar_url": "file:///etc/passwd"}, status: 422, code: "validation_failed", fields: []string{"avatar_url"}},
			{name: "bad slots", method: "PUT", path: wsPath(e.A, "/channels/"+idStr(chID)+"/slots"), as: admin, body: map[string]any{"slots": []map[string]any{{"weekday": 7, "time": "25:00"}}}, status: 422, code: "validation_failed", fields: []string{"slots[0].weekday", "slots[0].time"}},
			{name: "change network", method: "PATCH", path: wsPath(e.A, "/channels/"+idStr(chID)), as: admin, body: map[string]any{"network": "x"}, status: 422, code: "validation_failed", fields: []string{"network"}},
			{name: "bad invitation", method: "POST", path: wsPath(e.A, "/invitations"), as: admin, body: map[string]any{"email": "nope", "role": "boss"}, status: 422, code: "validation_failed", fields: []string{"email", "role"}},
			{name: "bad role", method: "PATCH", path: wsPath(e.A, "/members/"+idStr(author.ID)), as: admin, body: map[string]any{"role": "Admin "}, status: 422, code: "validation_failed", fields: []string{"role"}},
			{name: "bad workspace", method: "PATCH", path: wsPath(e.A, ""), as: owner, body: map[string]any{"time_zone": "Nowhere", "approval_policy": map[string]any{"required_approvals": 11}, "grace_period_seconds": -1}, status: 422, code: "validation_failed",
				fields: []string{"time_zone", "approval_policy.required_approvals", "grace_period_seconds"}},
			{name: "nameless workspace", method: "POST", path: "/api/v1/workspaces", as: owner, body: map[string]any{}, status: 422, code: "validation_failed", fields: []string{"name"}},
			{name: "nameless token", method: "POST", path: "/api/v1/me/tokens", as: owner, body: map[string]any{"name": ""}, status: 422, code: "validation_failed", fields: []string{"name"}},
			{name: "token forever", method: "POST", path: "/api/v1/me/tokens", as: owner, body: map[string]any{"name": "x", "expires_in_days": 100000}, status: 422, code: "validation_failed", fields: []string{"expires_in_days"}},
			{name: "wrong current password", method: "POST", path: "/api/v1/me/password", as: owner, body: map[string]any{"current_password": "nope", "new_password": "short"}, status: 422, code: "validation_failed", fields: []string{"current_password", "new_password"}},
			{name: "empty sign-in", method: "POST", path: "/api/v1/auth/signin", body: map[string]any{}, status: 422, code: "validation_failed", fields: []string{"email", "password"}},
			{name: "accept without token", method: "POST", path: "/api/v1/invitations/accept", body: map[string]any{}, status: 422, code: "validation_failed", fields: []string{"token"}},
			{name: "accept with short password", method: "POST", path: "/api/v1/invitations/accept", body: map[string]any{"token": e.A.InvitationToken, "name": "", "password": "short"}, status: 422, code: "validation_failed", fields: []string{"password", "name"}},
			{name: "accept unknown token", method: "POST", path: "/api/v1/invitations/accept", body: map[string]any{"token": "hrld_inv_nope", "name": "X", "password": "long enough password"}, status: 400, code: "invitation_invalid"},

			// Query strings.
			{name: "calendar without range", method: "GET", path: wsPath(e.A, "/calendar"), as: owner, status: 422, code: "validation_failed", fields: []string{"from", "to"}},
			{name: "calendar bad zone", method: "GET", path: wsPath(e.A, "/calendar?from=2026-03-01&to=2026-04-01&tz=Mars/Base"), as: owner, status: 422, code: "validation_failed", fields: []string{"tz"}},
			{name: "calendar backwards", method: "GET", path: wsPath(e.A, "/calendar?from=2026-04-01&to=2026-03-01"), as: owner, status: 422, code: "validation_failed", fields: []string{"to"}},
			{name: "calendar too long", method: "GET", path: wsPath(e.A, "/calendar?from=2026-01-01&to=2026-12-01"), as: owner, status: 422, code: "validation_failed", fields: []string{"to"}},
			{name: "calendar bad filters", method: "GET", path: wsPath(e.A, "/calendar?from=2026-03-01&to=2026-04-01&status=lost&channel=abc&author=-1&label=%00"), as: owner, status: 422, code: "validation_failed", fields: []string{"status", "channel", "author", "label"}},
			{name: "list bad paging", method: "GET", path: wsPath(e.A, "/posts?limit=0&cursor=-5"), as: owner, status: 422, code: "validation_failed", fields: []string{"limit", "cursor"}},
			{name: "list huge limit", method: "GET", path: wsPath(e.A, "/audit?limit=100000"), as: owner, status: 422, code: "validation_failed", fields: []string{"limit"}},

			// Unknown things are 404s, wrong methods 405s, all in the envelope.
			{name: "no such endpoint", method: "GET", path: "/api/v1/nope", as: owner, status: 404, code: "not_found"},
			{name: "no such method", method: "DELETE", path: "/api/v1/me", as: owner, status: 405, code: "method_not_allowed"},
			{name: "post id not a number", method: "GET", path: wsPath(e.A, "/posts/abc"), as: owner, status: 404, code: "not_found"},
			{name: "post id zero", method: "GET", path: wsPath(e.A, "/posts/0"), as: owner, status: 404, code: "not_found"},
			{name: "post id too big", method: "GET", path: wsPath(e.A, "/posts/99999999999999999999"), as: owner, status: 404, code: "not_found"},
			{name: "no such post", method: "POST", path: wsPath(e.A, "/posts/999999/submit"), as: owner, status: 404, code: "not_found"},
			{name: "workspace id not a number", method: "GET", path: "/api/v1/workspaces/abc", as: owner, status: 404, code: "not_found"},
			{name: "no such workspace", method: "GET", path: "/api/v1/workspaces/999999", as: owner, status: 404, code: "not_found"},
			{name: "no such member", method: "PATCH", path: wsPath(e.A, "/members/999999"), as: owner, body: map[string]any{"role": "viewer"}, status: 404, code: "not_found"},
			{name: "no such token", method: "DELETE", path: "/api/v1/me/tokens/999999", as: owner, status: 404, code: "not_found"},

			// Authentication.
			{name: "no credentials", method: "GET", path: "/api/v1/me", status: 401, code: "unauthenticated"},
			{name: "basic auth", method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic b3duZXI6cHc="}, status: 401, code: "unauthenticated"},
			{name: "unknown token", method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer hrld_pat_nope"}, status: 401, code: "unauthenticated"},
			{name: "unknown session", method: "GET", path: "/api/v1/me", header: map[string]string{"Cookie": sessionCookie + "=hrld_ses_nope"}, status: 401, code: "session_expired"},
		})

		t.Run("workflow conflicts", func(t *testing.T) {
			// Approving a draft: no one could.
			env := e.post(t, editor, draftPath+"/approve", nil).wantErr(t, http.StatusConflict, "invalid_transition")
			if env.Details["status"] != "draft" || env.Details["action"] != "approve" {
				t.Errorf("details = %v", env.Details)
			}
			// An editor approving their own post.
			own := e.freshPost(t, e.A, editor, workflow.InReview)
			e.post(t, editor, wsPath(e.A, "/posts/"+idStr(own.ID)+"/approve"), nil).wantErr(t, http.StatusConflict, "self_approval")
			// Approving twice needs two approvals to matter: with one required, the second is a
			// transition error; scheduling an unreviewed draft needs review.
			e.post(t, editor, wsPath(e.A, "/posts/"+idStr(e.freshPost(t, e.A, author, workflow.Draft).ID)+"/schedule"), map[string]any{"scheduled_at": "2026-05-01T10:00:00Z"}).
				wantErr(t, http.StatusConflict, "needs_review")
			// Deleting a channel posts target.
			e.delete(t, admin, wsPath(e.A, "/channels/"+idStr(chID))).wantErr(t, http.StatusConflict, "channel_in_use")
		})

		t.Run("stale edit", func(t *testing.T) {
			p := e.freshPost(t, e.A, author, workflow.Draft)
			path := wsPath(e.A, "/posts/"+idStr(p.ID))
			var v postView
			e.patch(t, author, path, map[string]any{"revision": 1, "text": "first"}).want(t, http.StatusOK).decode(t, &v)
			if v.Revision != 2 {
				t.Fatalf("revision = %d, want 2", v.Revision)
			}
			env := e.patch(t, author, path, map[string]any{"revision": 1, "text": "second"}).wantErr(t, http.StatusConflict, "revision_conflict")
			if cur, _ := env.Details["current_revision"].(float64); cur != 2 {
				t.Errorf("details.current_revision = %v, want 2", env.Details["current_revision"])
			}
			var got postView
			e.get(t, author, path).want(t, http.StatusOK).decode(t, &got)
			if got.Text != "first" || got.Revision != 2 {
				t.Errorf("a stale edit changed the post: %+v", got)
			}
		})
	})
}

func TestCSRF(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		owner := e.A.user(workflow.Owner)
		sess, other := e.signIn(t, owner), e.signIn(t, e.A.user(workflow.Admin))
		// Every state-changing route refuses a cookie without the CSRF token, before it looks at
		// anything else, and changes nothing.
		for _, rt := range e.Server.routes {
			if rt.Access == public || !unsafeMethod(rt.Method) {
				continue
			}
			params := map[string]string{}
			for _, p := range pathParams(rt.Path) {
				params[p] = "999999"
			}
			params["wid"] = idStr(e.A.WS.ID)
			path := fillPath(t, rt.Path, params)
			before := e.fingerprint(t, e.A)
			for _, c := range []apiCall{
				{Method: rt.Method, Path: path, Session: sess, NoCSRF: true, Body: map[string]any{}},
				{Method: rt.Method, Path: path, Session: sess, CSRF: "forged", Body: map[string]any{}},
				// Another session's token does not do either.
				{Method: rt.Method, Path: path, Session: &testSession{Cookie: sess.Cookie, CSRF: other.CSRF}, Body: map[string]any{}},
			} {
				e.do(t, c).wantErr(t, http.StatusForbidden, "forbidden")
			}
			if after := e.fingerprint(t, e.A); after != before {
				t.Errorf("%s without CSRF changed the workspace", routeKey(rt))
			}
		}
		// Safe methods need no token; with the token, writes go through.
		e.do(t, apiCall{Method: "GET", Path: "/api/v1/me", Session: sess, NoCSRF: true}).want(t, http.StatusOK)
		e.do(t, apiCall{Method: "POST", Path: wsPath(e.A, "/posts"), Session: sess, Body: map[string]any{"text": "by cookie"}}).want(t, http.StatusCreated)
		// /me hands the token back to a page that reloads.
		var me meResponse
		e.do(t, apiCall{Method: "GET", Path: "/api/v1/me", Session: sess}).want(t, http.StatusOK).decode(t, &me)
		if me.CSRFToken != sess.CSRF {
			t.Errorf("/me csrf_token = %q, want the session's", me.CSRFToken)
		}
		// Accepting an invitation while signed in with a cookie also needs the token.
		_, token := e.freshInvitation(t, e.A)
		e.do(t, apiCall{Method: "POST", Path: "/api/v1/invitations/accept", Session: sess, NoCSRF: true, Body: map[string]any{"token": token}}).
			wantErr(t, http.StatusForbidden, "forbidden")
		// Signing out ends the session.
		e.do(t, apiCall{Method: "POST", Path: "/api/v1/auth/signout", Session: sess}).want(t, http.StatusNoContent)
		e.do(t, apiCall{Method: "GET", Path: "/api/v1/me", Session: sess}).wantErr(t, http.StatusUnauthorized, "session_expired")
	})
}

func TestSignIn(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		signin := func(t *testing.T, email, password string, header map[string]string) *apiResponse {
			t.Helper()
			return e.do(t, apiCall{Method: "POST", Path: "/api/v1/auth/signin", Body: map[string]string{"email": email, "password": password}, Header: header})
		}
		u := e.A.user(workflow.Editor)

		t.Run("wrong password and unknown email look the same", func(t *testing.T) {
			wrong := signin(t, u.Email, "not the password", nil).wantErr(t, http.StatusUnauthorized, "invalid_credentials")
			unknown := signin(t, "nobody@a.example.com", "not the password", nil).wantErr(t, http.StatusUnauthorized, "invalid_credentials")
			if wrong.Message != unknown.Message || len(wrong.Fields) != 0 || len(unknown.Fields) != 0 {
				t.Errorf("wrong password %+v vs unknown email %+v", wrong, unknown)
			}
			// Case and spaces in the email do not matter.
			signin(t, "  "+strings.ToUpper(u.Email)+" ", u.Password, nil).want(t, http.StatusOK)
		})

		t.Run("a second sign-in keeps the first session", func(t *testing.T) {
			first := e.signIn(t, u)
			second := e.signIn(t, u)
			for _, s := range []*testSession{first, second} {
				e.do(t, apiCall{Method: "GET", Path: "/api/v1/me", Session: s}).want(t, http.StatusOK)
			}
		})

		t.Run("per account", func(t *testing.T) {
			e.restart(t)
			victim, other := e.plainUser(t), e.plainUser(t)
			for i := 0; i < 10; i++ {
				signin(t, victim.Email, "guess "+strconv.Itoa(i), nil).wantErr(t, http.StatusUnauthorized, "invalid_credentials")
			}
			// Even the right password is refused now, so the answer says nothing about it.
			r := signin(t, victim.Email, victim.Password, nil)
			r.wantErr(t, http.StatusTooManyRequests, "too_many_attempts")
			checkRetryAfter(t, r, 15*time.Minute)
			// The same address may still sign in to another account.
			signin(t, other.Email, other.Password, nil).want(t, http.StatusOK)
			// The window slides: fifteen minutes later the account is free again.
			e.Clock.Advance(15*time.Minute + time.Second)
			signin(t, victim.Email, victim.Password, nil).want(t, http.StatusOK)
		})

		t.Run("per address", func(t *testing.T) {
			e.restart(t)
			// Fifty attempts on fifty accounts from one address use up its allowance.
			for i := 0; i < 50; i++ {
				v := e.plainUser(t)
				signin(t, v.Email, "guess", nil).wantErr(t, http.StatusUnauthorized, "invalid_credentials")
			}
			fresh := e.plainUser(t)
			r := signin(t, fresh.Email, fresh.Password, nil)
			r.wantErr(t, http.StatusTooManyRequests, "too_many_attempts")
			checkRetryAfter(t, r, 15*time.Minute)
			// Headers a client sets itself do not make it another address.
			for i, h := range []map[string]string{
				{"X-Forwarded-For": "203.0.113.7"},
				{"X-Forwarded-For": "198.51.100.9, 203.0.113.8"},
				{"X-Real-IP": "203.0.113.9"},
				{"Forwarded": "for=203.0.113.10"},
			} {
				if r := signin(t, fresh.Email, fresh.Password, h); r.Status != http.StatusTooManyRequests {
					t.Errorf("spoofed header %d %v got past the address throttle: %s", i, h, r)
				}
			}
		})

		t.Run("per address behind a trusted proxy", func(t *testing.T) {
			// Behind a reverse proxy the operator names it, and the address it forwards counts.
			e.restartWith(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.1", "::1"} })
			from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
			for i := 0; i < 50; i++ {
				v := e.plainUser(t)
				signin(t, v.Email, "guess", from("203.0.113.1")).wantErr(t, http.StatusUnauthorized, "invalid_credentials")
			}
			fresh := e.plainUser(t)
			signin(t, fresh.Email, fresh.Password, from("203.0.113.1")).wantErr(t, http.StatusTooManyRequests, "too_many_attempts")
			signin(t, fresh.Email, fresh.Password, from("198.51.100.2")).want(t, http.StatusOK)
		})

		t.Run("per IPv6 /64", func(t *testing.T) {
			// One host holds a whole /64, so the /64 is the address.
			e.restartWith(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.1", "::1"} })
			for i := 0; i < 50; i++ {
				v := e.plainUser(t)
				signin(t, v.Email, "guess", map[string]string{"X-Forwarded-For": fmt.Sprintf("2001:db8:1:2::%x", i+1)}).
					wantErr(t, http.StatusUnauthorized, "invalid_credentials")
			}
			fresh := e.plainUser(t)
			signin(t, fresh.Email, fresh.Password, map[string]string{"X-Forwarded-For": "2001:db8:1:2:ffff:ffff:ffff:ffff"}).
				wantErr(t, http.StatusTooManyRequests, "too_many_attempts")
			signin(t, fresh.Email, fresh.Password, map[string]string{"X-Forwarded-For": "2001:db8:1:3::1"}).want(t, http.StatusOK)
		})

		t.Run("overlong email", func(t *testing.T) {
			signin(t, strings.Repeat("a", 1000)+"@example.com", "whatever", nil).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		})
	})
}

// TestRepeatedAndOddRequests: requests that are legal but unusual get ordinary answers on every
// database.
func TestRepeatedAndOddRequests(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		viewer, author := e.A.user(workflow.Viewer), e.A.user(workflow.Author)
		// Marking a notification read is idempotent (MySQL reports no changed row the second time).
		n := e.freshNotification(t, e.A)
		for i := 0; i < 2; i++ {
			e.post(t, viewer, wsPath(e.A, "/notifications/"+idStr(n.ID)+"/read"), nil).want(t, http.StatusNoContent)
		}
		// Filters with bytes that are not text, and cursors past every id, find nothing.
		for _, q := range []string{"/posts?campaign=%ff%fe", "/posts?campaign=%00", "/posts?cursor=9223372036854775807",
			"/notifications?cursor=9223372036854775807&unread=true", "/audit?cursor=1"} {
			e.get(t, e.A.user(workflow.Owner), wsPath(e.A, q)).want(t, http.StatusOK)
		}
		// Unknown fields are named as sent, even with quotes in the name; an empty name is still
		// an unknown field.
		env := e.post(t, author, wsPath(e.A, "/posts"), `{"text":"x","say \"hi\"":1}`).wantErr(t, http.StatusBadRequest, "unknown_field")
		if env.Fields[`say "hi"`] == "" {
			t.Errorf("fields = %v", env.Fields)
		}
		e.post(t, author, wsPath(e.A, "/posts"), `{"":""}`).wantErr(t, http.StatusBadRequest, "unknown_field")
		// Calendar bounds outside the years anyone plans for are refused, not rendered broken.
		for _, q := range []string{"from=0000-01-01&to=0000-02-01", "from=9999-12-31T23:59:59%2B23:59&to=9999-12-31T23:59:59-23:59"} {
			e.get(t, viewer, wsPath(e.A, "/calendar?"+q)).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		}
	})
}

// checkRetryAfter wants a Retry-After header of whole seconds, at most window.
func checkRetryAfter(t *testing.T, r *apiResponse, window time.Duration) {
	t.Helper()
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || n < 1 || n > int(window.Seconds()) {
		t.Errorf("Retry-After = %q, want 1..%d seconds", r.Header.Get("Retry-After"), int(window.Seconds()))
	}
}

// TestDatabaseErrorsStayInside breaks the database under the server and checks that clients get
// the generic 500 envelope with a request id, that the log has the cause under the same id, and
// that a failed write leaves no partial rows.
func TestDatabaseErrorsStayInside(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		author := e.A.user(workflow.Author)
		db := e.sqlDB(t)
		check := func(t *testing.T, r *apiResponse) {
			t.Helper()
			env := r.wantErr(t, http.StatusInternalServerError, "internal")
			if len(env.Fields) != 0 || len(env.Details) != 0 {
				t.Errorf("a 500 must say nothing of its cause: %s", r)
			}
			if !strings.Contains(e.Logs.String(), "request_id="+env.RequestID) {
				t.Errorf("the log has no line for request %s:\n%s", env.RequestID, e.Logs.String())
			}
		}
		t.Run("missing table on read", func(t *testing.T) {
			if _, err := db.ExecContext(testCtx, "DROP TABLE comments"); err != nil {
				t.Fatal(err)
			}
			check(t, e.do(t, apiCall{Method: "GET", Path: wsPath(e.A, "/posts/"+idStr(e.A.Post.ID)+"/comments"), As: author, Allow5xx: true}))
		})
		t.Run("missing table in a write rolls back", func(t *testing.T) {
			if _, err := db.ExecContext(testCtx, "DROP TABLE post_labels"); err != nil {
				t.Fatal(err)
			}
			posts := e.count(t, "SELECT COUNT(*) FROM posts")
			targets := e.count(t, "SELECT COUNT(*) FROM targets")
			audit := e.count(t, "SELECT COUNT(*) FROM audit_events")
			check(t, e.do(t, apiCall{Method: "POST", Path: wsPath(e.A, "/posts"), As: author, Allow5xx: true,
				Body: map[string]any{"text": "x", "labels": []string{"a"}, "targets": []map[string]any{{"channel_id": e.A.Channel.ID}}}}))
			if e.count(t, "SELECT COUNT(*) FROM posts") != posts || e.count(t, "SELECT COUNT(*) FROM targets") != targets ||
				e.count(t, "SELECT COUNT(*) FROM audit_events") != audit {
				t.Error("a failed create left rows behind")
			}
		})
		t.Run("database gone", func(t *testing.T) {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			for _, c := range []apiCall{
				{Method: "GET", Path: "/api/v1/me", As: author},
				{Method: "POST", Path: "/api/v1/auth/signin", Body: map[string]string{"email": author.Email, "password": author.Password}},
				{Method: "GET", Path: wsPath(e.A, "/calendar?from=2026-03-01&to=2026-04-01"), As: author},
			} {
				c.Allow5xx = true
				check(t, e.do(t, c))
			}
		})
	})
}

// TestSecretsNeverInResponses: channel credentials go in and never come out, and the database
// holds them sealed; tokens are shown once and stored as hashes.
func TestSecretsNeverInResponses(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		admin := e.A.user(workflow.Admin)
		const secret = "tok-S3CR3T-9f8e7d"
		var ch channelView
		r := e.post(t, admin, wsPath(e.A, "/channels"), map[string]any{"network": "mastodon", "name": "Secretive",
			"credentials": map[string]string{"access_token": secret, "refresh_token": secret + "-refresh"}}).want(t, http.StatusCreated)
		r.decode(t, &ch)
		if !ch.HasCredentials || ch.Status != "connected" {
			t.Errorf("channel = %+v", ch)
		}
		noSecret := func(what string, body []byte, secrets ...string) {
			t.Helper()
			for _, s := range secrets {
				if strings.Contains(string(body), s) {
					t.Errorf("%s shows a secret: %s", what, body)
				}
			}
		}
		noSecret("create", r.Body, secret)
		sealedOf := func(id int64) (string, string) {
			var sealed, kid string
			if err := e.sqlDB(t).QueryRowContext(testCtx, "SELECT credentials, credentials_key_id FROM channels WHERE id = ?", id).Scan(&sealed, &kid); err != nil {
				t.Fatal(err)
			}
			return sealed, kid
		}
		sealed, kid := sealedOf(ch.ID)
		if sealed == "" || strings.Contains(sealed, secret) || strings.Contains(sealed, "access_token") || kid != e.Keys.PrimaryID() {
			t.Errorf("channels.credentials must hold ciphertext under the primary key: %q (key %q)", sealed, kid)
		}
		plain, err := e.Keys.Open(sealed, scheduler.ChannelAAD(ch.ID))
		if err != nil {
			t.Fatalf("open sealed credentials: %v", err)
		}
		var creds map[string]string
		if err := json.Unmarshal(plain, &creds); err != nil || creds["access_token"] != secret {
			t.Errorf("sealed credentials = %s", plain)
		}
		if _, err := e.Keys.Open(sealed, scheduler.ChannelAAD(e.A.Channel.ID)); err == nil {
			t.Error("credentials sealed for one channel open as another's")
		}

		// Replace and then clear them; neither the old nor the new value ever shows.
		const secret2 = "tok-N3W-S3CR3T-1a2b"
		r = e.patch(t, admin, wsPath(e.A, "/channels/"+idStr(ch.ID)), map[string]any{"credentials": map[string]string{"access_token": secret2}}).want(t, http.StatusOK)
		noSecret("update", r.Body, secret, secret2)
		if s2, _ := sealedOf(ch.ID); s2 == sealed || strings.Contains(s2, secret2) {
			t.Errorf("updated credentials not resealed: %q", s2)
		}
		for _, path := range []string{"/channels", "/channels/" + idStr(ch.ID), "/channels/" + idStr(e.A.Channel.ID), "/audit", ""} {
			noSecret("GET "+path, e.get(t, admin, wsPath(e.A, path)).want(t, http.StatusOK).Body, secret, secret2, e.A.ChannelSecret)
		}
		r = e.patch(t, admin, wsPath(e.A, "/channels/"+idStr(ch.ID)), map[string]any{"credentials": map[string]string{}}).want(t, http.StatusOK)
		r.decode(t, &ch)
		if ch.HasCredentials || ch.Status != "disconnected" {
			t.Errorf("cleared channel = %+v", ch)
		}

		// The webhook signing secret is shown once, when issued, and stored sealed.
		owner := e.A.user(workflow.Owner)
		var ns notificationSettingsView
		e.do(t, apiCall{Method: "PUT", Path: wsPath(e.A, "/notification-settings"), As: owner, Body: map[string]string{"webhook_url": "https://hooks.example/h"}}).
			want(t, http.StatusOK).decode(t, &ns)
		if !strings.HasPrefix(ns.WebhookSecret, "whsec_") {
			t.Fatalf("settings = %+v", ns)
		}
		noSecret("GET notification settings", e.get(t, owner, wsPath(e.A, "/notification-settings")).want(t, http.StatusOK).Body, ns.WebhookSecret)
		if e.count(t, "SELECT COUNT(*) FROM workspaces WHERE webhook_secret LIKE ?", "%"+ns.WebhookSecret+"%") != 0 {
			t.Error("the webhook secret is stored in plain text")
		}

		// Tokens: the plaintext is in the create answer only; the database has the hash.
		var tok tokenView
		e.post(t, owner, "/api/v1/me/tokens", map[string]any{"name": "deploy"}).want(t, http.StatusCreated).decode(t, &tok)
		if !strings.HasPrefix(tok.Token, "hrld_pat_") || !strings.HasPrefix(tok.Token, tok.Prefix) {
			t.Fatalf("token = %+v", tok)
		}
		var inv invitationView
		e.post(t, owner, wsPath(e.A, "/invitations"), map[string]any{"email": "secret-invitee@example.com", "role": "viewer"}).want(t, http.StatusCreated).decode(t, &inv)
		if inv.Token == "" || !strings.HasSuffix(inv.AcceptURL, inv.Token) {
			t.Fatalf("invitation = %+v", inv)
		}
		sess := e.signIn(t, owner)
		for _, path := range []string{"/api/v1/me/tokens", "/api/v1/me", wsPath(e.A, "/invitations"), wsPath(e.A, "/members"), wsPath(e.A, "/audit")} {
			body := e.get(t, owner, path).want(t, http.StatusOK).Body
			noSecret("GET "+path, body, tok.Token, inv.Token, sess.Cookie.Value, "$argon2id", auth.HashToken(tok.Token))
		}
		if e.count(t, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", auth.HashToken(tok.Token)) != 1 ||
			e.count(t, "SELECT COUNT(*) FROM invitations WHERE token_hash = ?", auth.HashToken(inv.Token)) != 1 ||
			e.count(t, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", auth.HashToken(sess.Cookie.Value)) != 1 {
			t.Error("tokens must be stored as their hashes")
		}
		for _, q := range []string{"SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR prefix = ?", "SELECT COUNT(*) FROM sessions WHERE token_hash = ? OR csrf_token = ?"} {
			if e.count(t, q, tok.Token, sess.Cookie.Value) != 0 {
				t.Errorf("a plaintext token is stored: %s", q)
			}
		}
	})
}

// TestLongNamesAndNotes drives the longest values the API accepts into the rows derived from
// them (the audit log's actor and summary), which have their own column limits.
func TestLongNamesAndNotes(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		editor := e.freshUser(t, e.A, workflow.Editor)
		long := strings.Repeat("é", 200)
		e.patch(t, editor, "/api/v1/me", map[string]string{"name": long}).want(t, http.StatusOK)
		var tok tokenView
		e.post(t, editor, "/api/v1/me/tokens", map[string]any{"name": strings.Repeat("ü", 100)}).want(t, http.StatusCreated).decode(t, &tok)
		editor.Token = tok.Token
		// An action by the token writes an audit row whose actor is "name (API token name)".
		p := e.freshPost(t, e.A, e.A.user(workflow.Author), workflow.InReview)
		note := strings.Repeat("ñ", maxNote)
		e.post(t, editor, wsPath(e.A, "/posts/"+idStr(p.ID)+"/request-changes"), map[string]string{"note": note}).want(t, http.StatusOK)
		var audit page[auditView]
		e.get(t, editor, wsPath(e.A, "/posts/"+idStr(p.ID)+"/audit")).want(t, http.StatusOK).decode(t, &audit)
		if len(audit.Items) == 0 || audit.Items[0].Action != workflow.AuditChangesRequested {
			t.Fatalf("audit = %+v", audit.Items)
		}
		for _, s := range []string{audit.Items[0].Actor, audit.Items[0].Summary} {
			if strings.ContainsRune(s, '\uFFFD') {
				t.Errorf("audit text was cut inside a character: %q", s)
			}
		}
		if !strings.HasPrefix(audit.Items[0].Actor, long[:20]) {
			t.Errorf("actor = %q", audit.Items[0].Actor)
		}
		// Labels that differ only in case are one label on every database; spellings MySQL's
		// collation equates (café, cafe) never fail the save.
		var v postView
		e.post(t, e.A.user(workflow.Author), wsPath(e.A, "/posts"), map[string]any{"text": "x", "labels": []string{"News", "news", "NEWS", "café", "cafe"}}).
			want(t, http.StatusCreated).decode(t, &v)
		got := strings.Join(v.Labels, ",")
		if !slices.Contains(v.Labels, "News") || !slices.Contains(v.Labels, "café") || strings.Contains(got, "news") || strings.Contains(got, "NEWS") {
			t.Errorf("labels = %v, want News and café (and, except on MySQL, cafe)", v.Labels)
		}
	})
}
