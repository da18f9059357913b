package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
	"github.com/heraldhq/herald/voice"
	"github.com/heraldhq/herald/voice/rewrite"
	"github.com/heraldhq/herald/voice/rewrite/rewritetest"
)

// applyFix16 applies a fix the way the browser does: on UTF-16 offsets.
func applyFix16(text string, f *fixView) string {
	u := utf16.Encode([]rune(text))
	out := append(append(append([]uint16{}, u[:f.Span.Start]...), utf16.Encode([]rune(f.Replacement))...), u[f.Span.End:]...)
	return string(utf16.Decode(out))
}

func findingOf(fs []findingView, rule string) *findingView {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

// TestVoiceDoneWhen walks the path on the API: an author writing in French sees a banned
// term with its replacement, applies it in one step, cannot submit while an error remains,
// acknowledges a warning with a note, submits; an editor sees the findings and the
// acknowledgement in the review queue.
func TestVoiceDoneWhen(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		w := e.A
		author, editor := w.user(workflow.Author), w.user(workflow.Editor)
		var pv profileView
		e.get(t, editor, wsPath(w, "/voice/profile")).want(t, http.StatusOK).decode(t, &pv)
		if pv.Version != 0 || pv.RewriteAvailable || len(pv.Rules) != len(voice.AllRules()) {
			t.Fatalf("empty profile: %+v", pv)
		}
		e.do(t, apiCall{Method: http.MethodPut, Path: wsPath(w, "/voice/profile"), As: editor,
			Body: map[string]any{"profile": testProfile(), "version": 0}}).want(t, http.StatusOK).decode(t, &pv)
		if pv.Version != 1 || pv.Profile.Rules.Terms[0].Use != "offert" {
			t.Fatalf("saved profile: %+v", pv)
		}

		text := "🎉 Nos utilisateurs adorent les envois gratuits."
		// The composer's live check, in French.
		var ck checkResponse
		e.post(t, author, wsPath(w, "/voice/check"), map[string]any{"text": text, "channel_ids": []int64{w.Channel.ID}, "locale": "fr"}).
			want(t, http.StatusOK).decode(t, &ck)
		banned := findingOf(ck.Findings, voice.RuleBanned)
		if banned == nil || banned.Severity != "error" || banned.Fix == nil || banned.Fix.Replacement != "offerts" ||
			!strings.Contains(banned.Message, "«\u00a0gratuits\u00a0»") || banned.Excerpt != "gratuits" {
			t.Fatalf("banned finding: %+v", banned)
		}
		// Spans are UTF-16 for the browser (the emoji counts two) and bytes for Go.
		pref := findingOf(ck.Findings, voice.RulePreferred)
		if pref == nil || pref.Span.Start != 7 || pref.Span.End != 19 || pref.Span.ByteStart != 9 || text[pref.Span.ByteStart:pref.Span.ByteEnd] != "utilisateurs" ||
			len(pref.ChannelIDs) != 1 || ck.Language != "fr" || ck.Score != 65 {
			t.Fatalf("preferred finding %+v, response %+v", pref, ck)
		}

		var p postView
		e.post(t, author, wsPath(w, "/posts"), map[string]any{"text": text, "targets": []map[string]any{{"channel_id": w.Channel.ID}}}).
			want(t, http.StatusCreated).decode(t, &p)
		if p.VoiceScore == nil || *p.VoiceScore != 65 {
			t.Fatalf("voice score on the new post: %v", p.VoiceScore)
		}
		env := e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", p.ID)), nil).wantErr(t, http.StatusUnprocessableEntity, "voice_errors")
		if !strings.Contains(env.Fields["text"], "gratuits") || env.Details["findings"] == nil {
			t.Fatalf("the error envelope names the text and the finding: %+v", env)
		}

		// One click: the browser applies the fix on UTF-16 offsets and saves.
		fixed := applyFix16(text, banned.Fix)
		if fixed != "🎉 Nos utilisateurs adorent les envois offerts." {
			t.Fatalf("fixed text %q", fixed)
		}
		e.patch(t, author, wsPath(w, fmt.Sprintf("/posts/%d", p.ID)), map[string]any{"revision": p.Revision, "text": fixed}).want(t, http.StatusOK).decode(t, &p)
		env = e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", p.ID)), nil).wantErr(t, http.StatusUnprocessableEntity, "voice_unacknowledged")
		if !strings.Contains(env.Fields["text"], "utilisateurs") {
			t.Fatalf("unacknowledged warning: %+v", env)
		}

		var v postVoiceView
		e.get(t, author, wsPath(w, fmt.Sprintf("/posts/%d/voice", p.ID))).want(t, http.StatusOK).decode(t, &v)
		if v.Errors != 0 || v.Unacknowledged != 1 || v.Revision != p.Revision {
			t.Fatalf("voice review before acknowledging: %+v", v)
		}
		warn := findingOf(v.Findings, voice.RulePreferred)
		// An old revision's acknowledgement is refused; an error cannot be acknowledged.
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/voice/acknowledgements", p.ID)), map[string]any{"revision": p.Revision - 1,
			"items": []map[string]string{{"finding_id": warn.ID, "note": "x"}}}).wantErr(t, http.StatusConflict, "revision_conflict")
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/voice/acknowledgements", p.ID)), map[string]any{"revision": p.Revision,
			"items": []map[string]string{{"finding_id": "vocabulary.banned:text:0-1", "note": "x"}}}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/voice/acknowledgements", p.ID)), map[string]any{"revision": p.Revision,
			"items": []map[string]string{{"finding_id": warn.ID, "note": "  "}}}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/voice/acknowledgements", p.ID)), map[string]any{"revision": p.Revision,
			"items": []map[string]string{{"finding_id": warn.ID, "note": "Citation exacte d'un client : on garde son mot."}}}).want(t, http.StatusOK).decode(t, &v)
		if v.Unacknowledged != 0 || len(v.Acknowledgements) != 1 {
			t.Fatalf("after acknowledging: %+v", v)
		}
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", p.ID)), nil).want(t, http.StatusOK).decode(t, &p)
		if p.Status != string(workflow.InReview) {
			t.Fatalf("submitted post is %s", p.Status)
		}

		// The editor's review queue: the findings, and the author's acknowledgement with its note.
		e.get(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/voice", p.ID))).want(t, http.StatusOK).decode(t, &v)
		if f := findingOf(v.Findings, voice.RulePreferred); f == nil || !f.Acknowledged || !strings.Contains(f.AckNote, "Citation exacte") ||
			v.Acknowledgements[0].UserID != author.ID {
			t.Fatalf("editor's view: %+v", v)
		}
		var audit page[auditView]
		e.get(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/audit", p.ID))).want(t, http.StatusOK).decode(t, &audit)
		found := false
		for _, ev := range audit.Items {
			found = found || ev.Action == "voice.acknowledged"
		}
		if !found {
			t.Errorf("no voice.acknowledged audit event: %+v", audit.Items)
		}
		// An edit makes a new revision: the acknowledgement stays with the old one.
		e.patch(t, author, wsPath(w, fmt.Sprintf("/posts/%d", p.ID)), map[string]any{"revision": p.Revision, "text": fixed + " "}).want(t, http.StatusOK)
		e.get(t, author, wsPath(w, fmt.Sprintf("/posts/%d/voice", p.ID))).want(t, http.StatusOK).decode(t, &v)
		if v.Unacknowledged != 1 || len(v.Acknowledgements) != 0 {
			t.Fatalf("acknowledgements belong to their revision: %+v", v)
		}
	})
}

func TestVoiceProfileBadInput(t *testing.T) {
	e := newEnv(t, "sqlite")
	w := e.A
	editor := w.user(workflow.Editor)
	put := func(body any) *apiResponse {
		return e.do(t, apiCall{Method: http.MethodPut, Path: wsPath(w, "/voice/profile"), As: editor, Body: body})
	}
	env := put(`{"profile":{"rules":{"terms":[{"kind":"preferred","oops":1}]}},"version":0}`).wantErr(t, http.StatusBadRequest, "unknown_field")
	if env.Fields["oops"] == "" {
		t.Errorf("unknown field: %+v", env)
	}
	put(`{"profile":{"rules":{"form":{"max_exclamations":"two"}}},"version":0}`).wantErr(t, http.StatusBadRequest, "invalid_type")
	env = put(map[string]any{"profile": map[string]any{"rules": map[string]any{"language": "klingon",
		"terms": []map[string]any{{"kind": "preferred", "avoid": []string{"user"}}}}}, "version": 0}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
	if env.Fields["profile.rules.language"] == "" || env.Fields["profile.rules.terms[0].use"] == "" {
		t.Errorf("field messages: %+v", env.Fields)
	}
	env = put(map[string]any{"profile": map[string]any{"channels": []map[string]any{{"channel_id": e.B.Channel.ID, "language": "fr"}}}, "version": 0}).
		wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
	if env.Fields["profile.channels[0].channel_id"] == "" {
		t.Errorf("another workspace's channel: %+v", env.Fields)
	}
	put(map[string]any{"profile": testProfile()}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
	put(map[string]any{"profile": testProfile(), "version": 0}).want(t, http.StatusOK)
	env = put(map[string]any{"profile": testProfile(), "version": 0}).wantErr(t, http.StatusConflict, "version_conflict")
	if env.Details["current_version"] != float64(1) {
		t.Errorf("conflict details: %+v", env.Details)
	}
	put(map[string]any{"profile": testProfile(), "version": 1}).want(t, http.StatusOK)

	for _, body := range []map[string]any{
		{"text": strings.Repeat("x", maxCheckText+1)},
		{"text": "x", "language": "tlh"},
		{"text": "x", "locale": "de"},
		{"text": "x", "channel_ids": []int64{e.B.Channel.ID}},
		{"text": "x", "labels": []string{""}},
	} {
		e.post(t, editor, wsPath(w, "/voice/check"), body).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
	}
}

// TestMultiStepApproval: partnership posts also need legal, a named author.
func TestMultiStepApproval(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		w := e.A
		admin, editor, author := w.user(workflow.Admin), w.user(workflow.Editor), w.user(workflow.Author)
		legal := e.freshUser(t, w, workflow.Author)
		viewer := w.user(workflow.Viewer)
		policies := wsPath(w, "/approval-policies")
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "Legal", "label": "partnership", "steps": []map[string]any{{"name": "Legal", "members": []int64{e.B.user(workflow.Editor).ID}}}}, "steps[0].members[0]"},
			{map[string]any{"name": "Legal", "label": "partnership", "steps": []map[string]any{{"name": "Legal", "members": []int64{viewer.ID}}}}, "steps[0].members[0]"},
			{map[string]any{"name": "Legal", "label": "partnership", "steps": []map[string]any{{"name": "Authors", "role": "author"}}}, "steps[0]"},
			{map[string]any{"name": "Legal", "label": "partnership", "steps": []map[string]any{}}, "steps"},
			{map[string]any{"label": "partnership", "steps": []map[string]any{{"name": "Legal", "members": []int64{legal.ID}}}}, "name"},
		} {
			env := e.post(t, admin, policies, tc.body).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
			if env.Fields[tc.field] == "" {
				t.Errorf("%v: fields %+v, want %s", tc.body, env.Fields, tc.field)
			}
		}
		var pol approvalPolicyView
		e.post(t, admin, policies, map[string]any{"name": "Legal", "label": "Partnership", "steps": []map[string]any{{"name": "Legal", "members": []int64{legal.ID}}}}).
			want(t, http.StatusCreated).decode(t, &pol)
		e.post(t, admin, policies, map[string]any{"name": "Legal 2", "label": "partnership", "steps": []map[string]any{{"name": "Legal", "members": []int64{legal.ID}}}}).
			wantErr(t, http.StatusUnprocessableEntity, "validation_failed")

		p := e.postWith(t, w, author, "Merci à notre partenaire ! #ad", []string{"partnership"}, nil)
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", p.ID)), nil).want(t, http.StatusOK)
		path := func(a string) string { return wsPath(w, fmt.Sprintf("/posts/%d/%s", p.ID, a)) }
		e.post(t, legal, path("approve"), nil).wantErr(t, http.StatusForbidden, "not_an_approver")
		var v postView
		e.post(t, editor, path("approve"), nil).want(t, http.StatusOK).decode(t, &v)
		if v.Status != string(workflow.InReview) || v.Review.CurrentStep != 1 || len(v.Review.Steps) != 2 || !v.Review.Steps[0].Done ||
			!v.Review.Steps[1].Current || v.Review.Steps[1].Name != "Legal" {
			t.Fatalf("after the editor: %s %+v", v.Status, v.Review)
		}
		e.post(t, admin, path("approve"), nil).wantErr(t, http.StatusForbidden, "not_an_approver")
		e.post(t, e.freshUser(t, w, workflow.Author), path("approve"), nil).wantErr(t, http.StatusForbidden, "forbidden")
		e.post(t, legal, path("approve"), map[string]string{"note": "OK juridique"}).want(t, http.StatusOK).decode(t, &v)
		if v.Status != string(workflow.Approved) || v.Review.CurrentStep != 2 || v.Review.Steps[1].ApprovedBy[0] != legal.ID {
			t.Fatalf("after legal: %s %+v", v.Status, v.Review)
		}
		// Posts without the label follow the workspace's single step.
		q := e.freshPost(t, w, author, workflow.InReview)
		e.post(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/approve", q.ID)), nil).want(t, http.StatusOK).decode(t, &v)
		if v.Status != string(workflow.Approved) || len(v.Review.Steps) != 1 {
			t.Fatalf("a post without the label: %s %+v", v.Status, v.Review)
		}
		// The named approver may send the post back.
		r := e.postWith(t, w, author, "Encore un partenariat #ad", []string{"partnership"}, nil)
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", r.ID)), nil).want(t, http.StatusOK)
		e.post(t, legal, wsPath(w, fmt.Sprintf("/posts/%d/request-changes", r.ID)), map[string]string{"note": "Mention légale manquante"}).want(t, http.StatusOK)
		e.put(t, admin, wsPath(w, fmt.Sprintf("/approval-policies/%d", pol.ID)), map[string]any{"steps": []map[string]any{{"name": "Legal", "members": []int64{legal.ID}, "mode": "all"}}}).
			want(t, http.StatusOK)
		e.delete(t, admin, wsPath(w, fmt.Sprintf("/approval-policies/%d", pol.ID))).want(t, http.StatusNoContent)
	})
}

func (e *testEnv) put(t testing.TB, u *testUser, path string, body any) *apiResponse {
	t.Helper()
	return e.do(t, apiCall{Method: http.MethodPut, Path: path, As: u, Body: body})
}

// clientGet fetches a client page without credentials.
func (e *testEnv) clientGet(t testing.TB, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := e.client.Get(e.HTTP.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, b.String()
}

func (e *testEnv) clientPost(t testing.TB, path string, form url.Values) (int, http.Header, string) {
	t.Helper()
	resp, err := e.client.PostForm(e.HTTP.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, b.String()
}

// TestClientReviewLink: a client approves through a link without an account, the approval
// completes the client step, and the audit log shows it under the link's name.
func TestClientReviewLink(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		w := e.A
		admin, editor, author := w.user(workflow.Admin), w.user(workflow.Editor), w.user(workflow.Author)
		e.post(t, admin, wsPath(w, "/approval-policies"), map[string]any{"name": "Team then client",
			"steps": []map[string]any{{"name": "Editors", "role": "editor"}, {"name": "Client", "client": true}}}).want(t, http.StatusCreated)
		p := e.postWith(t, w, author, "Découvrez notre collection d'automne.", nil, nil)
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", p.ID)), nil).want(t, http.StatusOK)
		e.post(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/approve", p.ID)), nil).want(t, http.StatusOK)
		e.post(t, admin, wsPath(w, fmt.Sprintf("/posts/%d/approve", p.ID)), nil).wantErr(t, http.StatusForbidden, "not_an_approver")

		var link clientLinkView
		e.post(t, editor, wsPath(w, "/client-links"), map[string]any{"name": "ACME", "post_ids": []int64{p.ID}, "locale": "fr", "expires_in_days": 3}).
			want(t, http.StatusCreated).decode(t, &link)
		if !strings.HasPrefix(link.Token, clientTokenPrefix) || link.URL != "http://herald.test/review/"+link.Token || link.Status != "active" {
			t.Fatalf("link: %+v", link)
		}
		var links page[clientLinkView]
		e.get(t, editor, wsPath(w, "/client-links")).want(t, http.StatusOK).decode(t, &links)
		if links.Items[0].Token != "" || links.Items[0].URL != "" || links.Items[0].PostIDs[0] != p.ID {
			t.Fatalf("the token is shown once: %+v", links.Items[0])
		}
		if n := e.count(t, "SELECT COUNT(*) FROM client_links WHERE token_hash = ?", link.Token); n != 0 {
			t.Fatal("the token is stored in clear")
		}

		reviewPage := "/review/" + link.Token
		status, h, body := e.clientGet(t, reviewPage)
		if status != http.StatusOK || !strings.Contains(body, "Découvrez notre collection d&#39;automne.") || !strings.Contains(body, "Publications à valider") {
			t.Fatalf("client page %d:\n%s", status, body)
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") || strings.Contains(csp, "unsafe-inline") ||
			h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("X-Robots-Tag"), "noindex") {
			t.Fatalf("headers: %v", h)
		}
		if status, _, body := e.clientGet(t, reviewPage+"?lang=en"); status != http.StatusOK || !strings.Contains(body, "Posts to review") {
			t.Fatalf("English page %d", status)
		}
		// Asking for changes needs a comment; a stale revision is refused with the new version.
		if status, _, body := e.clientPost(t, reviewPage+fmt.Sprintf("/posts/%d", p.ID), url.Values{"decision": {"changes"}, "revision": {"1"}}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "Indiquez dans le commentaire") {
			t.Fatalf("changes without comment: %d", status)
		}
		if status, _, body := e.clientPost(t, reviewPage+fmt.Sprintf("/posts/%d", p.ID), url.Values{"decision": {"approve"}, "revision": {"9"}}); status != http.StatusConflict ||
			!strings.Contains(body, "a changé") {
			t.Fatalf("stale revision: %d", status)
		}
		status, h, _ = e.clientPost(t, reviewPage+fmt.Sprintf("/posts/%d?lang=fr", p.ID), url.Values{"decision": {"approve"}, "revision": {"1"}, "comment": {"Parfait !"}})
		if status != http.StatusSeeOther || h.Get("Location") != reviewPage+"?done=approved&lang=fr" {
			t.Fatalf("approve: %d %v", status, h)
		}
		var v postView
		e.get(t, editor, wsPath(w, fmt.Sprintf("/posts/%d", p.ID))).want(t, http.StatusOK).decode(t, &v)
		if v.Status != string(workflow.Approved) || v.Review.CurrentStep != 2 {
			t.Fatalf("after the client: %s %+v", v.Status, v.Review)
		}
		last := v.Review.Decisions[len(v.Review.Decisions)-1]
		if last.ReviewerID != 0 || last.Client != "ACME" || last.ClientLinkID == nil || *last.ClientLinkID != link.ID || last.Note != "Parfait !" {
			t.Fatalf("client decision: %+v", last)
		}
		var audit page[auditView]
		e.get(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/audit", p.ID))).want(t, http.StatusOK).decode(t, &audit)
		if ev := audit.Items[0]; ev.Action != workflow.AuditApproved || ev.Actor != "client link: ACME" || ev.ActorID != nil {
			t.Fatalf("audit: %+v", ev)
		}
		var notes page[notificationView]
		e.get(t, editor, wsPath(w, "/notifications")).want(t, http.StatusOK).decode(t, &notes)
		if notes.Items[0].Kind != store.NotifyClientReview || !strings.Contains(notes.Items[0].Message, "ACME") {
			t.Fatalf("notification: %+v", notes.Items[0])
		}
		if status, _, body := e.clientGet(t, reviewPage); status != http.StatusOK || !strings.Contains(body, "Vous avez validé cette version.") {
			t.Fatalf("the page shows the decision: %d", status)
		}

		// The client sends a scheduled post back: it leaves the schedule.
		at := e.Clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
		e.post(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/schedule", p.ID)), map[string]string{"scheduled_at": at}).want(t, http.StatusOK)
		if status, _, _ := e.clientPost(t, reviewPage+fmt.Sprintf("/posts/%d", p.ID), url.Values{"decision": {"changes"}, "revision": {"1"}, "comment": {"Finalement, changez la photo."}}); status != http.StatusSeeOther {
			t.Fatalf("changes on a scheduled post: %d", status)
		}
		e.get(t, editor, wsPath(w, fmt.Sprintf("/posts/%d", p.ID))).want(t, http.StatusOK).decode(t, &v)
		if v.Status != string(workflow.ChangesRequested) || e.count(t, "SELECT COUNT(*) FROM targets WHERE post_id = ? AND due_at IS NOT NULL", p.ID) != 0 {
			t.Fatalf("after the client's changes: %s", v.Status)
		}

		// A post not on the link, a revoked link, an expired link, a wrong token.
		other := e.postWith(t, w, author, "Autre", nil, nil)
		if status, _, _ := e.clientPost(t, reviewPage+fmt.Sprintf("/posts/%d", other.ID), url.Values{"decision": {"approve"}, "revision": {"1"}}); status != http.StatusNotFound {
			t.Fatalf("a post not on the link: %d", status)
		}
		e.post(t, editor, wsPath(w, fmt.Sprintf("/client-links/%d/revoke", link.ID)), nil).want(t, http.StatusOK)
		if status, _, body := e.clientGet(t, reviewPage); status != http.StatusNotFound || !strings.Contains(body, "révoqué") {
			t.Fatalf("revoked: %d", status)
		}
		_, tok2 := e.freshClientLink(t, w, p.ID)
		e.Clock.Advance(15 * 24 * time.Hour)
		if status, _, _ := e.clientGet(t, "/review/"+tok2); status != http.StatusNotFound {
			t.Fatalf("expired: %d", status)
		}
	})
}

func TestClientLinkThrottles(t *testing.T) {
	e := newEnv(t, "sqlite")
	w := e.A
	_, token := e.freshClientLink(t, w)
	for i := 0; i < 20; i++ {
		if status, _, _ := e.clientGet(t, "/review/"+clientTokenPrefix+fmt.Sprintf("wrong%d", i)); status != http.StatusNotFound {
			t.Fatalf("wrong token %d: %d", i, status)
		}
	}
	status, h, _ := e.clientGet(t, "/review/"+clientTokenPrefix+"wrong-again")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("guessing must be throttled: %d %v", status, h)
	}
	// The right token from the same address still works until the per-address limit.
	e.restart(t)
	for i := 0; i < clientLinkRateLimit; i++ {
		if status, _, _ := e.clientGet(t, "/review/"+token); status != http.StatusOK {
			t.Fatalf("request %d: %d", i, status)
		}
	}
	if status, h, _ := e.clientGet(t, "/review/"+token); status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("a link's pages are rate limited: %d", status)
	}
}

func TestApprovalDeadlines(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		w := e.A
		admin, editor, author := w.user(workflow.Admin), w.user(workflow.Editor), w.user(workflow.Author)
		e.put(t, admin, wsPath(w, "/review-settings"), map[string]any{"approval_lead_minutes": 60, "reminder_minutes": 180}).want(t, http.StatusOK)
		e.put(t, admin, wsPath(w, "/review-settings"), map[string]any{"approval_lead_minutes": -1}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		planned := e.Clock.Now().Add(150 * time.Minute).UTC().Truncate(time.Second)
		p := e.postWith(t, w, author, "Lancement à midi", nil, &planned)
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", p.ID)), nil).want(t, http.StatusOK)
		draft := e.postWith(t, w, author, "Brouillon oublié", nil, &planned)
		far := planned.Add(10 * 24 * time.Hour)
		e.postWith(t, w, author, "Plus tard", nil, &far)

		sweep := func() store.DeadlineSweep {
			t.Helper()
			got, err := e.Store.SweepApprovalDeadlines(testCtx, e.Clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := sweep(); got != (store.DeadlineSweep{Reminded: 1}) {
			t.Fatalf("first sweep: %+v", got)
		}
		if got := sweep(); got != (store.DeadlineSweep{}) {
			t.Fatalf("a reminder goes out once: %+v", got)
		}
		var notes page[notificationView]
		e.get(t, editor, wsPath(w, "/notifications")).want(t, http.StatusOK).decode(t, &notes)
		if n := notes.Items[0]; n.Kind != store.NotifyApprovalReminder || !strings.Contains(n.Message, "Review (editors or above)") {
			t.Fatalf("reminder: %+v", n)
		}
		e.Clock.Advance(95 * time.Minute) // past the deadline (planned − 60 min)
		if got := sweep(); got != (store.DeadlineSweep{Missed: 2}) {
			t.Fatalf("after the deadline: %+v", got)
		}
		if got := sweep(); got != (store.DeadlineSweep{}) {
			t.Fatalf("a missed deadline is told once: %+v", got)
		}
		e.get(t, editor, wsPath(w, "/notifications")).want(t, http.StatusOK).decode(t, &notes)
		if n := notes.Items[0]; n.Kind != store.NotifyApprovalMissed || !strings.Contains(n.Message, "will not be published") {
			t.Fatalf("missed: %+v", n)
		}
		if e.count(t, "SELECT COUNT(*) FROM audit_events WHERE entity_id IN (?, ?) AND action = 'post.approval_deadline_missed'", p.ID, draft.ID) != 2 {
			t.Error("missed deadlines are audited")
		}
		// Approved late, it does not go out at the time it missed; a new time is a new decision.
		e.post(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/approve", p.ID)), nil).want(t, http.StatusOK)
		env := e.post(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/schedule", p.ID)), nil).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		if !strings.Contains(env.Fields["scheduled_at"], "missed its approval deadline") {
			t.Fatalf("schedule at the missed time: %+v", env)
		}
		e.post(t, editor, wsPath(w, fmt.Sprintf("/posts/%d/schedule", p.ID)), map[string]string{"scheduled_at": planned.Add(24 * time.Hour).Format(time.RFC3339)}).want(t, http.StatusOK)
	})
}

func TestSubmitChecksDuplicatesAndConflicts(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		w := e.A
		admin, author := w.user(workflow.Admin), w.user(workflow.Author)
		e.put(t, admin, wsPath(w, "/review-settings"), map[string]any{"duplicate_window_days": 7, "duplicate_similarity": 80, "conflict_window_minutes": 30}).want(t, http.StatusOK)
		at := e.Clock.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		first := e.postWith(t, w, author, "Notre nouvelle appli est disponible dès aujourd'hui !", nil, &at)
		near := at.Add(20 * time.Minute)
		second := e.postWith(t, w, author, "Notre nouvelle appli est disponible dès aujourd’hui", nil, &near)
		env := e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", second.ID)), nil).wantErr(t, http.StatusUnprocessableEntity, "voice_unacknowledged")
		raw, _ := json.Marshal(env.Details["findings"])
		var fs []findingView
		_ = json.Unmarshal(raw, &fs)
		dup, conflict := findingOf(fs, "review.duplicate"), findingOf(fs, "review.conflict")
		if dup == nil || conflict == nil || dup.RelatedPostID != first.ID || conflict.RelatedPostID != first.ID {
			t.Fatalf("findings: %+v", fs)
		}
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/voice/acknowledgements", second.ID)), map[string]any{"revision": second.Revision,
			"items": []map[string]string{{"finding_id": dup.ID, "note": "Rappel voulu"}, {"finding_id": conflict.ID, "note": "Deux canaux différents en vrai"}}}).
			want(t, http.StatusOK)
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", second.ID)), nil).want(t, http.StatusOK)
		// Without a planned time, the text is compared with what is planned or went out around
		// now: the same announcement again is a duplicate, but nothing is a conflict.
		again := e.postWith(t, w, author, "Notre nouvelle appli est disponible dès aujourd'hui !", nil, nil)
		env = e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", again.ID)), nil).wantErr(t, http.StatusUnprocessableEntity, "voice_unacknowledged")
		raw, _ = json.Marshal(env.Details["findings"])
		fs = nil
		_ = json.Unmarshal(raw, &fs)
		if findingOf(fs, "review.duplicate") == nil || findingOf(fs, "review.conflict") != nil {
			t.Fatalf("unplanned duplicate: %+v", fs)
		}
		// A different text far enough apart is fine.
		later := at.Add(48 * time.Hour)
		third := e.postWith(t, w, author, "Rendez-vous au salon de Lyon jeudi", nil, &later)
		e.post(t, author, wsPath(w, fmt.Sprintf("/posts/%d/submit", third.ID)), nil).want(t, http.StatusOK)
	})
}

func TestLibraryAndCompose(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		w := e.A
		author, editor := w.user(workflow.Author), w.user(workflow.Editor)
		var tpl templateView
		e.post(t, author, wsPath(w, "/templates"), map[string]any{"name": "Événement", "text": "Rendez-vous le {{event_date}} : {{link}} {{snippet:sig}}",
			"variants": map[string]string{"x": "Le {{ event_date }} !"}, "labels": []string{"event"}}).want(t, http.StatusCreated).decode(t, &tpl)
		if strings.Join(tpl.Variables, ",") != "event_date,link" {
			t.Fatalf("variables %v", tpl.Variables)
		}
		for _, body := range []map[string]any{{"name": "x"}, {"text": "x"}, {"name": "x", "text": "y", "variants": map[string]string{"myspace": "z"}}} {
			e.post(t, author, wsPath(w, "/templates"), body).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		}
		e.post(t, author, wsPath(w, "/snippets"), map[string]any{"code": "sig", "text": "— L'équipe {{team}}"}).want(t, http.StatusCreated)
		env := e.post(t, author, wsPath(w, "/snippets"), map[string]any{"code": "sig", "text": "again"}).wantErr(t, http.StatusConflict, "already_exists")
		if env.Fields["code"] == "" {
			t.Errorf("duplicate code: %+v", env)
		}
		e.post(t, author, wsPath(w, "/snippets"), map[string]any{"code": "Bad Code", "text": "x"}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		var g hashtagGroupView
		e.post(t, author, wsPath(w, "/hashtag-groups"), map[string]any{"name": "Rentrée", "tags": []string{"Rentrée", "#Herald", "#Herald"}}).want(t, http.StatusCreated).decode(t, &g)
		if strings.Join(g.Tags, " ") != "#Rentrée #Herald" {
			t.Fatalf("tags %v", g.Tags)
		}
		e.post(t, author, wsPath(w, "/hashtag-groups"), map[string]any{"name": "Bad", "tags": []string{"#two words"}}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")

		var out composeResponse
		e.post(t, author, wsPath(w, "/compose"), map[string]any{"template_id": tpl.ID, "variables": map[string]string{"event_date": "12 mai", "team": "Herald"}}).
			want(t, http.StatusOK).decode(t, &out)
		if out.Text != "Rendez-vous le 12 mai : {{link}} — L'équipe Herald" || strings.Join(out.Missing, ",") != "link" || out.Labels[0] != "event" {
			t.Fatalf("compose: %+v", out)
		}
		e.post(t, author, wsPath(w, "/compose"), map[string]any{"template_id": tpl.ID, "network": "x", "variables": map[string]string{"event_date": "12 mai"}}).
			want(t, http.StatusOK).decode(t, &out)
		if out.Text != "Le 12 mai !" {
			t.Fatalf("variant: %+v", out)
		}
		e.post(t, author, wsPath(w, "/compose"), map[string]any{"text": "{{snippet:nope}} {{x}}"}).want(t, http.StatusOK).decode(t, &out)
		if out.UnknownSnippets[0] != "nope" || out.Missing[0] != "x" {
			t.Fatalf("unknown snippet: %+v", out)
		}
		for _, body := range []map[string]any{{}, {"text": "a", "template_id": tpl.ID}, {"template_id": 999999}, {"text": "a", "variables": map[string]string{"1bad": "x"}}} {
			e.post(t, author, wsPath(w, "/compose"), body).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		}
		// An author changes their own template; another author may not; an editor may.
		other := e.freshUser(t, w, workflow.Author)
		e.patch(t, other, wsPath(w, fmt.Sprintf("/templates/%d", tpl.ID)), map[string]any{"name": "Mine now"}).wantErr(t, http.StatusForbidden, "forbidden")
		e.patch(t, editor, wsPath(w, fmt.Sprintf("/templates/%d", tpl.ID)), map[string]any{"name": "Événement v2"}).want(t, http.StatusOK)
		e.delete(t, author, wsPath(w, fmt.Sprintf("/templates/%d", tpl.ID))).want(t, http.StatusNoContent)
		e.get(t, author, wsPath(w, fmt.Sprintf("/templates/%d", tpl.ID))).wantErr(t, http.StatusNotFound, "not_found")
	})
}

func TestVoiceScoreOnCalendar(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		w := e.A
		author, editor := w.user(workflow.Author), w.user(workflow.Editor)
		at := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
		p := e.postWith(t, w, author, "Envoi gratuit pour nos utilisateurs", nil, &at)
		calendar := func() *int {
			var cal calendarResponse
			e.get(t, editor, wsPath(w, "/calendar?from=2026-03-01&to=2026-04-01")).want(t, http.StatusOK).decode(t, &cal)
			for _, cp := range cal.Posts {
				if cp.ID == p.ID {
					return cp.VoiceScore
				}
			}
			t.Fatal("the post is not on the calendar")
			return nil
		}
		if s := calendar(); s != nil {
			t.Fatalf("no profile, no score: %v", *s)
		}
		e.put(t, editor, wsPath(w, "/voice/profile"), map[string]any{"profile": testProfile(), "version": 0}).want(t, http.StatusOK)
		if s := calendar(); s == nil || *s != 65 {
			t.Fatalf("score with the profile: %v", s)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM posts WHERE id = ? AND voice_score = 65", p.ID); n != 1 {
			t.Fatal("the score is stored once computed")
		}
		prof := testProfile()
		prof.Rules.Terms = prof.Rules.Terms[2:] // no more banned or preferred words
		e.put(t, editor, wsPath(w, "/voice/profile"), map[string]any{"profile": prof, "version": 1}).want(t, http.StatusOK)
		if s := calendar(); s == nil || *s != 100 {
			t.Fatalf("score after the profile changed: %v", s)
		}
		// A score computed for an older revision is not written over a newer one.
		if err := e.Store.SetVoiceScores(testCtx, w.WS.ID, []store.VoiceScore{{PostID: p.ID, Revision: p.Revision + 1, Score: 1}}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM posts WHERE id = ? AND voice_score = 100", p.ID); n != 1 {
			t.Fatal("a stale score replaced the current one")
		}
	})
}

// TestVoiceRewrite runs the rewrite against a fake OpenAI-compatible server that checks each
// request's shape: the prompt carries the profile, the answer comes back checked, and the
// feature is absent from the UI's configuration when no model server is configured.
func TestVoiceRewrite(t *testing.T) {
	e := newEnv(t, "sqlite")
	w := e.A
	author := w.user(workflow.Author)
	var cfg configResponse
	e.get(t, author, "/api/v1/config").want(t, http.StatusOK).decode(t, &cfg)
	if len(cfg.Features) != 0 {
		t.Fatalf("features without a model server: %v", cfg.Features)
	}
	e.post(t, author, wsPath(w, "/voice/rewrite"), map[string]any{"text": "x"}).wantErr(t, http.StatusNotFound, "rewrite_not_configured")

	fake := rewritetest.New(t, "sk-herald", "house-model", func(system, user string) string {
		// A model that follows the profile's vocabulary but forgets its capitals rule.
		return strings.NewReplacer("utilisateurs", "clients", "gratuit", "offert").Replace(user) + " GÉNIAL"
	})
	client, err := rewrite.New(rewrite.Options{BaseURL: fake.URL + "/v1", APIKey: "sk-herald", Model: "house-model"})
	if err != nil {
		t.Fatal(err)
	}
	e.restartWith(t, func(c *Config) { c.Rewrite = client })
	prof := testProfile()
	prof.Rules.Form.MaxAllCaps = new(int)
	e.setProfile(t, w, prof)
	e.get(t, author, "/api/v1/config").want(t, http.StatusOK).decode(t, &cfg)
	if strings.Join(cfg.Features, ",") != "voice_rewrite" {
		t.Fatalf("features: %v", cfg.Features)
	}
	var pv profileView
	e.get(t, author, wsPath(w, "/voice/profile")).want(t, http.StatusOK).decode(t, &pv)
	if !pv.RewriteAvailable {
		t.Fatal("the profile says rewriting is available")
	}
	var out rewriteResponse
	e.post(t, author, wsPath(w, "/voice/rewrite"), map[string]any{"text": "Envoi gratuit pour nos utilisateurs", "channel_id": w.Channel.ID, "locale": "fr"}).
		want(t, http.StatusOK).decode(t, &out)
	if out.Text != "Envoi offert pour nos clients GÉNIAL" || out.Model != "house-model" || out.OriginalScore != 65 || out.Score != 90 ||
		len(out.Findings) != 1 || out.Findings[0].Rule != voice.RuleAllCaps {
		t.Fatalf("rewrite: %+v", out)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].System, `Never use "gratuit". Say "offert" instead.`) || !strings.Contains(reqs[0].System, "Chaleureuse") ||
		reqs[0].User != "Envoi gratuit pour nos utilisateurs" {
		t.Fatalf("prompt: %+v", reqs)
	}
	fake.Fail(http.StatusServiceUnavailable)
	// The model server's failures are the gateway's (5xx), never the caller's.
	upstream := func() *apiResponse {
		return e.do(t, apiCall{Method: http.MethodPost, Path: wsPath(w, "/voice/rewrite"), As: author, Body: map[string]any{"text": "x"}, Allow5xx: true})
	}
	upstream().wantErr(t, http.StatusServiceUnavailable, "rewrite_unavailable")
	fake.Fail(0)
	wrong, _ := rewrite.New(rewrite.Options{BaseURL: fake.URL, APIKey: "sk-wrong", Model: "house-model"})
	e.restartWith(t, func(c *Config) { c.Rewrite = wrong })
	env := upstream().wantErr(t, http.StatusBadGateway, "rewrite_refused")
	if strings.Contains(env.Message, "sk-wrong") || !strings.Contains(env.Message, "401") {
		t.Fatalf("refused: %+v", env)
	}
	e.post(t, author, wsPath(w, "/voice/rewrite"), map[string]any{"text": " "}).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
}
