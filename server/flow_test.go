package server

// The happy path through the API, as a team uses it: write, review, schedule, see it on the
// calendar, edit, discuss, duplicate, withdraw and restore; invite someone; change roles; use and
// revoke a personal API token.

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/workflow"
)

func TestEndToEnd(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		owner, admin, editor, author, viewer := e.A.user(workflow.Owner), e.A.user(workflow.Admin), e.A.user(workflow.Editor),
			e.A.user(workflow.Author), e.A.user(workflow.Viewer)
		// The author and the editor work in the browser; the others use API tokens.
		authorS, editorS := e.signIn(t, author), e.signIn(t, editor)
		bySession := func(s *testSession, method, path string, body any) *apiResponse {
			t.Helper()
			return e.do(t, apiCall{Method: method, Path: path, Session: s, Body: body})
		}
		var post postView
		postPath := func(rest string) string { return wsPath(e.A, "/posts/"+idStr(post.ID)+rest) }
		wantStatus := func(v postView, st workflow.Status) {
			t.Helper()
			if v.Status != string(st) {
				t.Fatalf("post is %s, want %s", v.Status, st)
			}
		}

		// An admin adds a second channel.
		var second channelView
		e.post(t, admin, wsPath(e.A, "/channels"), map[string]any{"network": "bluesky", "name": "Bluesky", "handle": "@a.example.com",
			"credentials": map[string]string{"app_password": "xxxx-xxxx"}}).want(t, http.StatusCreated).decode(t, &second)

		// The author writes a post for both channels, with a shorter text for the second.
		bySession(authorS, "POST", wsPath(e.A, "/posts"), map[string]any{
			"title": "Spring launch", "text": "We launch on Sunday, 29 March!", "labels": []string{"launch", "spring"}, "campaign": "Q2",
			"targets": []map[string]any{{"channel_id": e.A.Channel.ID}, {"channel_id": second.ID, "text": "Launch Sunday!"}},
		}).want(t, http.StatusCreated).decode(t, &post)
		wantStatus(post, workflow.Draft)
		if post.Revision != 1 || post.AuthorID != author.ID || len(post.Targets) != 2 || post.Targets[0].ChannelID != e.A.Channel.ID ||
			post.Targets[1].ChannelID != second.ID || post.Targets[1].Text == nil || *post.Targets[1].Text != "Launch Sunday!" ||
			!slices.Equal(post.Labels, []string{"launch", "spring"}) || post.Campaign != "Q2" {
			t.Fatalf("created post = %+v", post)
		}

		// Submit; the editor approves, then schedules it at 02:30 Paris time on the night the
		// clocks jump from 02:00 to 03:00, which Herald reads as 03:30 CEST.
		bySession(authorS, "POST", postPath("/submit"), nil).want(t, http.StatusOK).decode(t, &post)
		wantStatus(post, workflow.InReview)
		bySession(editorS, "POST", postPath("/approve"), map[string]string{"note": "Lovely"}).want(t, http.StatusOK).decode(t, &post)
		wantStatus(post, workflow.Approved)
		if post.Review == nil || !slices.Equal(post.Review.ApprovedBy, []int64{editor.ID}) || post.Review.RequiredApprovals != 1 {
			t.Fatalf("review = %+v", post.Review)
		}
		bySession(editorS, "POST", postPath("/schedule"), map[string]string{"local_time": "2026-03-29T02:30", "time_zone": "Europe/Paris"}).
			want(t, http.StatusOK).decode(t, &post)
		wantStatus(post, workflow.Scheduled)
		wantAt := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
		if post.ScheduledAt == nil || !post.ScheduledAt.Equal(wantAt) || post.TimeZone != "Europe/Paris" || post.LocalTime != "2026-03-29T03:30:00+02:00" {
			t.Fatalf("scheduled_at = %v, time_zone = %q, local_time = %q", post.ScheduledAt, post.TimeZone, post.LocalTime)
		}

		// The calendar for March, in Paris, shows it with its targets, next to the seeded post;
		// never B's post of the same day.
		calendar := func(query string) calendarResponse {
			t.Helper()
			var cal calendarResponse
			e.get(t, viewer, wsPath(e.A, "/calendar?"+query)).want(t, http.StatusOK).decode(t, &cal)
			return cal
		}
		cal := calendar("from=2026-03-01&to=2026-04-01&tz=Europe/Paris")
		if cal.TimeZone != "Europe/Paris" || !cal.From.Equal(time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)) || !cal.To.Equal(time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)) {
			t.Errorf("calendar range = %v – %v in %s", cal.From, cal.To, cal.TimeZone)
		}
		ids := func(c calendarResponse) []int64 {
			var out []int64
			for _, p := range c.Posts {
				out = append(out, p.ID)
			}
			return out
		}
		if got := ids(cal); !slices.Equal(got, []int64{e.A.Post.ID, post.ID}) {
			t.Fatalf("March shows posts %v, want %v", got, []int64{e.A.Post.ID, post.ID})
		}
		if onCal := cal.Posts[1]; len(onCal.Targets) != 2 || onCal.Targets[1].ChannelID != second.ID || !slices.Equal(onCal.Labels, []string{"launch", "spring"}) {
			t.Errorf("calendar post = %+v", onCal)
		}
		if got := ids(calendar("from=2026-03-29&to=2026-03-30&tz=Europe/Paris&status=scheduled&channel=" + idStr(second.ID))); !slices.Equal(got, []int64{post.ID}) {
			t.Errorf("the day of the launch, filtered, shows %v", got)
		}
		if got := ids(calendar("from=2026-04-01&to=2026-05-01")); len(got) != 0 {
			t.Errorf("April shows %v", got)
		}

		// The author edits the scheduled post: a new revision, which needs approving again.
		bySession(authorS, "PATCH", postPath(""), map[string]any{"revision": 1, "text": "We launch on Sunday, 29 March, at 03:30!"}).
			want(t, http.StatusOK).decode(t, &post)
		wantStatus(post, workflow.InReview)
		if post.Revision != 2 || post.ScheduledAt == nil || len(post.Review.ApprovedBy) != 0 {
			t.Fatalf("edited post = %+v, review %+v", post, post.Review)
		}
		bySession(editorS, "PATCH", postPath(""), map[string]any{"revision": 1, "title": "Mine"}).wantErr(t, http.StatusConflict, "revision_conflict")

		// A viewer comments, mentioning two members by handle and by address.
		var cm commentView
		e.post(t, viewer, postPath("/comments"), map[string]string{"text": "@editor can you check? cc @owner@a.example.com, @nobody."}).
			want(t, http.StatusCreated).decode(t, &cm)
		if !slices.Equal(cm.Mentions, []int64{editor.ID, owner.ID}) || cm.AuthorID != viewer.ID {
			t.Errorf("comment = %+v, want mentions of %d and %d", cm, editor.ID, owner.ID)
		}
		var comments page[commentView]
		e.get(t, author, postPath("/comments")).want(t, http.StatusOK).decode(t, &comments)
		if len(comments.Items) != 1 || comments.Items[0].ID != cm.ID {
			t.Errorf("comments = %+v", comments.Items)
		}

		// Duplicate, then cancel and restore the original.
		var dup postView
		bySession(authorS, "POST", postPath("/duplicate"), nil).want(t, http.StatusCreated).decode(t, &dup)
		if dup.ID == post.ID || dup.Status != string(workflow.Draft) || dup.Title != "Copy of Spring launch" || dup.Revision != 1 ||
			len(dup.Targets) != 2 || dup.Targets[1].ChannelID != second.ID || dup.ScheduledAt != nil || !slices.Equal(dup.Labels, post.Labels) {
			t.Errorf("duplicate = %+v", dup)
		}
		bySession(authorS, "POST", postPath("/cancel"), nil).want(t, http.StatusOK).decode(t, &post)
		wantStatus(post, workflow.Canceled)
		for _, tg := range post.Targets {
			if tg.Status != "canceled" {
				t.Errorf("target of a canceled post is %s", tg.Status)
			}
		}
		bySession(authorS, "POST", postPath("/restore"), nil).want(t, http.StatusOK).decode(t, &post)
		wantStatus(post, workflow.Draft)
		for _, tg := range post.Targets {
			if tg.Status != "pending" {
				t.Errorf("target of a restored post is %s", tg.Status)
			}
		}

		// The audit log lists every step, in order, with who took it.
		var audit page[auditView]
		e.get(t, viewer, postPath("/audit")).want(t, http.StatusOK).decode(t, &audit)
		type step struct {
			action string
			actor  int64
		}
		want := []step{{"post.created", author.ID}, {workflow.AuditSubmitted, author.ID}, {workflow.AuditApproved, editor.ID},
			{workflow.AuditScheduled, editor.ID}, {workflow.AuditSentBackToReview, author.ID}, {"comment.created", viewer.ID},
			{workflow.AuditCanceled, author.ID}, {workflow.AuditRestored, author.ID}}
		var got []step
		for i := len(audit.Items) - 1; i >= 0; i-- {
			it := audit.Items[i]
			var actor int64
			if it.ActorID != nil {
				actor = *it.ActorID
			}
			got = append(got, step{it.Action, actor})
		}
		if !slices.Equal(got, want) {
			t.Errorf("audit =\n%v\nwant\n%v", got, want)
		}

		// An admin invites a new editor, who accepts without an account and is signed in.
		var inv invitationView
		e.post(t, admin, wsPath(e.A, "/invitations"), map[string]string{"email": "Newbie@Example.com", "role": "editor"}).
			want(t, http.StatusCreated).decode(t, &inv)
		if inv.Email != "newbie@example.com" || inv.Role != "editor" || inv.Token == "" {
			t.Fatalf("invitation = %+v", inv)
		}
		var open page[invitationView]
		e.get(t, admin, wsPath(e.A, "/invitations")).want(t, http.StatusOK).decode(t, &open)
		if !slices.ContainsFunc(open.Items, func(i invitationView) bool { return i.ID == inv.ID && i.Token == "" }) {
			t.Errorf("open invitations = %+v", open.Items)
		}
		accept := map[string]string{"token": inv.Token, "name": "Newbie", "password": "a long and careful password"}
		r := e.do(t, apiCall{Method: "POST", Path: "/api/v1/invitations/accept", Body: accept}).want(t, http.StatusOK)
		newbie := sessionFrom(t, r)
		var me meResponse
		e.do(t, apiCall{Method: "GET", Path: "/api/v1/me", Session: newbie}).want(t, http.StatusOK).decode(t, &me)
		if me.User.Email != "newbie@example.com" || len(me.Workspaces) != 1 || me.Workspaces[0].ID != e.A.WS.ID || me.Workspaces[0].Role != "editor" {
			t.Errorf("newbie's /me = %+v", me)
		}
		e.do(t, apiCall{Method: "POST", Path: "/api/v1/invitations/accept", Body: accept}).wantErr(t, http.StatusBadRequest, "invitation_invalid")
		members := func() map[int64]string {
			t.Helper()
			var ms page[memberView]
			e.get(t, viewer, wsPath(e.A, "/members")).want(t, http.StatusOK).decode(t, &ms)
			out := map[int64]string{}
			for _, m := range ms.Items {
				out[m.UserID] = m.Role
			}
			return out
		}
		if got := members()[me.User.ID]; got != "editor" {
			t.Errorf("newbie's role = %q", got)
		}
		e.get(t, admin, wsPath(e.A, "/invitations")).want(t, http.StatusOK).decode(t, &open)
		if slices.ContainsFunc(open.Items, func(i invitationView) bool { return i.ID == inv.ID }) {
			t.Error("an accepted invitation is still listed as open")
		}

		// Roles: admins manage everyone but owners; a workspace always keeps an owner.
		memberPath := func(u int64) string { return wsPath(e.A, "/members/"+idStr(u)) }
		e.patch(t, admin, memberPath(author.ID), map[string]string{"role": "editor"}).want(t, http.StatusOK)
		if got := members()[author.ID]; got != "editor" {
			t.Errorf("author's role = %q after promotion", got)
		}
		e.patch(t, admin, memberPath(author.ID), map[string]string{"role": "author"}).want(t, http.StatusOK)
		e.patch(t, admin, memberPath(author.ID), map[string]string{"role": "owner"}).wantErr(t, http.StatusForbidden, "forbidden")
		e.patch(t, admin, memberPath(owner.ID), map[string]string{"role": "viewer"}).wantErr(t, http.StatusForbidden, "forbidden")
		e.delete(t, admin, memberPath(owner.ID)).wantErr(t, http.StatusForbidden, "forbidden")
		e.patch(t, owner, memberPath(owner.ID), map[string]string{"role": "admin"}).wantErr(t, http.StatusConflict, "last_owner")
		e.delete(t, owner, memberPath(owner.ID)).wantErr(t, http.StatusConflict, "last_owner")
		e.delete(t, admin, memberPath(me.User.ID)).want(t, http.StatusNoContent)
		e.do(t, apiCall{Method: "GET", Path: wsPath(e.A, ""), Session: newbie}).wantErr(t, http.StatusNotFound, "not_found")
		if got := members(); got[owner.ID] != "owner" || got[me.User.ID] != "" {
			t.Errorf("members = %v", got)
		}

		// A personal API token works until it is deleted.
		viewerS := e.signIn(t, viewer)
		var tok tokenView
		e.do(t, apiCall{Method: "POST", Path: "/api/v1/me/tokens", Session: viewerS, Body: map[string]any{"name": "script", "expires_in_days": 7}}).
			want(t, http.StatusCreated).decode(t, &tok)
		script := &testUser{User: viewer.User, Token: tok.Token}
		e.get(t, script, "/api/v1/me").want(t, http.StatusOK)
		var toks page[tokenView]
		e.get(t, script, "/api/v1/me/tokens").want(t, http.StatusOK).decode(t, &toks)
		if !slices.ContainsFunc(toks.Items, func(x tokenView) bool {
			return x.ID == tok.ID && x.Token == "" && strings.HasPrefix(tok.Token, x.Prefix) && x.LastUsedAt != nil && x.ExpiresAt != nil
		}) {
			t.Errorf("tokens = %+v", toks.Items)
		}
		e.do(t, apiCall{Method: "DELETE", Path: "/api/v1/me/tokens/" + idStr(tok.ID), Session: viewerS}).want(t, http.StatusNoContent)
		e.get(t, script, "/api/v1/me").wantErr(t, http.StatusUnauthorized, "unauthenticated")
		// An expired token is refused too.
		e.post(t, viewer, "/api/v1/me/tokens", map[string]any{"name": "short-lived", "expires_in_days": 1}).want(t, http.StatusCreated).decode(t, &tok)
		e.Clock.Advance(25 * time.Hour)
		e.get(t, &testUser{User: viewer.User, Token: tok.Token}, "/api/v1/me").wantErr(t, http.StatusUnauthorized, "unauthenticated")
	})
}
