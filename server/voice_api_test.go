package server

// The brand voice, library, multi-step approval and client link endpoints: their role-matrix
// cases, their fixtures, and the flows the issue asks for, through the real API on every dialect.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
	"github.com/heraldhq/herald/voice"
)

// testProfile is the voice profile of the flows: French, with a banned word, a preferred word,
// a sensitive word, the brand's hashtag and vous.
func testProfile() voice.Profile {
	return voice.Profile{
		Description: "Chaleureuse, précise, jamais insistante.",
		Rules: voice.Rules{
			Language: "fr",
			Terms: []voice.Term{
				{Kind: voice.Banned, Use: "offert", Avoid: []string{"gratuit"}, Reason: "le juridique refuse « gratuit »"},
				{Kind: voice.Preferred, Use: "client", Avoid: []string{"utilisateur"}, Gender: "m"},
				{Kind: voice.Sensitive, Avoid: []string{"licenciement"}},
			},
			Form: voice.FormRules{Address: voice.AddressVous},
		},
	}
}

// setProfile stores p as ws's voice profile through the store, as the API would.
func (e *testEnv) setProfile(t testing.TB, ws *seeded, p voice.Profile) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	if _, err := e.Store.SetVoiceProfile(testCtx, ws.WS.ID, string(b), -1, ws.user(workflow.Owner).actor()); err != nil {
		t.Fatal(err)
	}
}

// postWith makes a draft in ws by author with text and labels, on ws's channel.
func (e *testEnv) postWith(t testing.TB, ws *seeded, author *testUser, text string, labels []string, at *time.Time) *store.Post {
	t.Helper()
	p, err := e.Store.CreatePost(testCtx, ws.WS.ID, author.actor(), store.PostInput{Title: fmt.Sprintf("Post %d", e.next()), Body: text,
		Labels: labels, Targets: []store.TargetInput{{ChannelID: ws.Channel.ID}}}, at, "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *testEnv) freshTemplate(t testing.TB, ws *seeded, by *testUser) *store.Template {
	t.Helper()
	tpl := &store.Template{WorkspaceID: ws.WS.ID, Name: fmt.Sprintf("Template %d", e.next()), Body: "Rendez-vous le {{event_date}}",
		Variants: map[string]string{}, Labels: []string{}, CreatedBy: by.ID}
	if err := e.Store.SaveTemplate(testCtx, tpl, by.actor()); err != nil {
		t.Fatal(err)
	}
	return tpl
}

func (e *testEnv) freshSnippet(t testing.TB, ws *seeded, by *testUser) *store.Snippet {
	t.Helper()
	sn := &store.Snippet{WorkspaceID: ws.WS.ID, Code: fmt.Sprintf("sig%d", e.next()), Body: "L'équipe Herald", CreatedBy: by.ID}
	if err := e.Store.SaveSnippet(testCtx, sn, by.actor()); err != nil {
		t.Fatal(err)
	}
	return sn
}

func (e *testEnv) freshHashtagGroup(t testing.TB, ws *seeded, by *testUser) *store.HashtagGroup {
	t.Helper()
	g := &store.HashtagGroup{WorkspaceID: ws.WS.ID, Name: fmt.Sprintf("Group %d", e.next()), Tags: []string{"#Herald", "#Rentrée"}, CreatedBy: by.ID}
	if err := e.Store.SaveHashtagGroup(testCtx, g, by.actor()); err != nil {
		t.Fatal(err)
	}
	return g
}

func (e *testEnv) freshApprovalPolicy(t testing.TB, ws *seeded) *store.ApprovalPolicy {
	t.Helper()
	p := &store.ApprovalPolicy{WorkspaceID: ws.WS.ID, Name: "Legal", Label: fmt.Sprintf("rm-legal-%d", e.next()),
		Steps: []workflow.Step{{Name: "Admins", Role: workflow.Admin}}}
	if err := e.Store.CreateApprovalPolicy(testCtx, p, ws.user(workflow.Owner).actor()); err != nil {
		t.Fatal(err)
	}
	return p
}

// freshClientLink makes a link for ws's seeded post and returns it with its token.
func (e *testEnv) freshClientLink(t testing.TB, ws *seeded, postIDs ...int64) (*store.ClientLink, string) {
	t.Helper()
	if len(postIDs) == 0 {
		postIDs = []int64{ws.Post.ID}
	}
	r := e.post(t, ws.user(workflow.Editor), wsPath(ws, "/client-links"), map[string]any{"name": fmt.Sprintf("Client %d", e.next()), "post_ids": postIDs})
	r.want(t, http.StatusCreated)
	var v clientLinkView
	r.decode(t, &v)
	l, err := e.Store.ClientLinkByID(testCtx, ws.WS.ID, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return l, v.Token
}

// voiceFindingID returns the id of the first finding of rule on the post, through the API.
func (e *testEnv) voiceFindingID(t testing.TB, ws *seeded, postID int64, rule string) string {
	t.Helper()
	var v postVoiceView
	e.get(t, ws.user(workflow.Owner), wsPath(ws, fmt.Sprintf("/posts/%d/voice", postID))).want(t, http.StatusOK).decode(t, &v)
	for _, f := range v.Findings {
		if f.Rule == rule {
			return f.ID
		}
	}
	t.Fatalf("post %d has no %s finding: %+v", postID, rule, v.Findings)
	return ""
}

func voiceRoleCases() map[string]caseBuilder {
	const v = "/api/v1"
	const ws = v + "/workspaces/:wid"
	simple := func(want int) caseBuilder {
		return func(testing.TB, *testEnv, *seeded, *testUser) []roleCase { return oneCase(roleCase{Want: want}) }
	}
	// own and other make the two variants of the library's change and delete routes.
	libraryCases := func(param string, make func(t testing.TB, e *testEnv, w *seeded, by *testUser) int64, body any, want int) caseBuilder {
		return func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			return []roleCase{
				{Variant: "own", Params: map[string]string{param: idStr(make(t, e, w, u))}, Body: body, Want: want},
				{Variant: "someone else's", Params: map[string]string{param: idStr(make(t, e, w, w.user(workflow.Editor)))}, Body: body, Want: want},
			}
		}
	}
	tpl := func(t testing.TB, e *testEnv, w *seeded, by *testUser) int64 { return e.freshTemplate(t, w, by).ID }
	snip := func(t testing.TB, e *testEnv, w *seeded, by *testUser) int64 { return e.freshSnippet(t, w, by).ID }
	group := func(t testing.TB, e *testEnv, w *seeded, by *testUser) int64 { return e.freshHashtagGroup(t, w, by).ID }
	inReview := func(t testing.TB, e *testEnv, w *seeded) map[string]string {
		return map[string]string{"pid": idStr(e.freshPost(t, w, w.user(workflow.Author), workflow.InReview).ID)}
	}
	return map[string]caseBuilder{
		"GET " + v + "/config":         simple(http.StatusOK),
		"GET " + ws + "/voice/profile": simple(http.StatusOK),
		"PUT " + ws + "/voice/profile": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			version := 0
			if row, err := e.Store.VoiceProfileOf(testCtx, w.WS.ID); err == nil {
				version = row.Version
			}
			return oneCase(roleCase{Body: map[string]any{"profile": testProfile(), "version": version}, Want: http.StatusOK})
		},
		"POST " + ws + "/voice/check": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"text": "Merci à nos utilisateurs", "channel_ids": []int64{w.Channel.ID}}, Want: http.StatusOK})
		},
		// The test server has no model server: every admitted role learns the feature is off.
		"POST " + ws + "/voice/rewrite": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"text": "Bonjour"}, Want: http.StatusNotFound})
		},
		"GET " + ws + "/posts/:pid/voice": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"pid": idStr(w.Post.ID)}, Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/voice/acknowledgements": func(t testing.TB, e *testEnv, w *seeded, u *testUser) []roleCase {
			e.setProfile(t, w, testProfile())
			var out []roleCase
			for _, c := range []struct {
				variant string
				author  *testUser
			}{{"own post", u}, {"someone else's post", w.user(workflow.Editor)}} {
				writer := c.author
				if !writer.Role.AtLeast(workflow.Author) {
					writer = w.user(workflow.Author) // a viewer's "own" post cannot exist; the role gate refuses first
				}
				p := e.postWith(t, w, writer, "Aucun licenciement prévu.", nil, nil)
				id := e.voiceFindingID(t, w, p.ID, voice.RuleSensitive)
				out = append(out, roleCase{Variant: c.variant, Params: map[string]string{"pid": idStr(p.ID)},
					Body: map[string]any{"revision": p.Revision, "items": []map[string]string{{"finding_id": id, "note": "C'est le sujet du post."}}}, Want: http.StatusOK})
			}
			return out
		},
		"GET " + ws + "/templates": simple(http.StatusOK),
		"POST " + ws + "/templates": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"name": "Événement", "text": "Rendez-vous le {{event_date}} : {{link}}",
				"variants": map[string]string{"x": "Le {{event_date}} !"}, "labels": []string{"event"}}, Want: http.StatusCreated})
		},
		"GET " + ws + "/templates/:tplid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"tplid": idStr(e.freshTemplate(t, w, w.user(workflow.Author)).ID)}, Want: http.StatusOK})
		},
		"PATCH " + ws + "/templates/:tplid":  libraryCases("tplid", tpl, map[string]any{"name": "Renamed"}, http.StatusOK),
		"DELETE " + ws + "/templates/:tplid": libraryCases("tplid", tpl, nil, http.StatusNoContent),
		"GET " + ws + "/snippets":            simple(http.StatusOK),
		"POST " + ws + "/snippets": func(_ testing.TB, e *testEnv, _ *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"code": fmt.Sprintf("sign-%d", e.next()), "text": "L'équipe"}, Want: http.StatusCreated})
		},
		"GET " + ws + "/snippets/:snid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"snid": idStr(e.freshSnippet(t, w, w.user(workflow.Author)).ID)}, Want: http.StatusOK})
		},
		"PATCH " + ws + "/snippets/:snid":  libraryCases("snid", snip, map[string]any{"text": "Changed"}, http.StatusOK),
		"DELETE " + ws + "/snippets/:snid": libraryCases("snid", snip, nil, http.StatusNoContent),
		"GET " + ws + "/hashtag-groups":    simple(http.StatusOK),
		"POST " + ws + "/hashtag-groups": func(_ testing.TB, e *testEnv, _ *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"name": fmt.Sprintf("Rentrée %d", e.next()), "tags": []string{"#Rentrée", "Herald"}}, Want: http.StatusCreated})
		},
		"GET " + ws + "/hashtag-groups/:hgid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"hgid": idStr(e.freshHashtagGroup(t, w, w.user(workflow.Author)).ID)}, Want: http.StatusOK})
		},
		"PATCH " + ws + "/hashtag-groups/:hgid":  libraryCases("hgid", group, map[string]any{"tags": []string{"#Autre"}}, http.StatusOK),
		"DELETE " + ws + "/hashtag-groups/:hgid": libraryCases("hgid", group, nil, http.StatusNoContent),
		"POST " + ws + "/compose": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"text": "Le {{event_date}}", "variables": map[string]string{"event_date": "12 mai"}}, Want: http.StatusOK})
		},
		"GET " + ws + "/approval-policies": simple(http.StatusOK),
		"POST " + ws + "/approval-policies": func(_ testing.TB, e *testEnv, _ *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"name": "Legal", "label": fmt.Sprintf("rm-legal-%d", e.next()),
				"steps": []map[string]any{{"name": "Admins", "role": "admin"}}}, Want: http.StatusCreated})
		},
		"PUT " + ws + "/approval-policies/:apid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"apid": idStr(e.freshApprovalPolicy(t, w).ID)}, Body: map[string]any{"name": "Legal team"}, Want: http.StatusOK})
		},
		"DELETE " + ws + "/approval-policies/:apid": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: map[string]string{"apid": idStr(e.freshApprovalPolicy(t, w).ID)}, Want: http.StatusNoContent})
		},
		"GET " + ws + "/review-settings": simple(http.StatusOK),
		"PUT " + ws + "/review-settings": func(testing.TB, *testEnv, *seeded, *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"approval_lead_minutes": 0, "reminder_minutes": 0, "duplicate_window_days": 0, "conflict_window_minutes": 0}, Want: http.StatusOK})
		},
		"GET " + ws + "/client-links": simple(http.StatusOK),
		"POST " + ws + "/client-links": func(_ testing.TB, _ *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Body: map[string]any{"name": "ACME", "post_ids": []int64{w.Post.ID}, "expires_in_days": 7, "locale": "fr"}, Want: http.StatusCreated})
		},
		"POST " + ws + "/client-links/:clid/revoke": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			l, _ := e.freshClientLink(t, w)
			return oneCase(roleCase{Params: map[string]string{"clid": idStr(l.ID)}, Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/approve": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: inReview(t, e, w), Body: map[string]string{"note": "ship it"}, Want: http.StatusOK})
		},
		"POST " + ws + "/posts/:pid/request-changes": func(t testing.TB, e *testEnv, w *seeded, _ *testUser) []roleCase {
			return oneCase(roleCase{Params: inReview(t, e, w), Body: map[string]string{"note": "Shorter, please"}, Want: http.StatusOK})
		},
	}
}
