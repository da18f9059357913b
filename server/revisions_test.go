package server

import (
	"net/http"
	"testing"

	"github.com/heraldhq/herald/server/workflow"
)

// A post's content is kept at each submission and approval: what the reviewer diffs against.
func TestPostRevisions(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		author, editor := e.A.user(workflow.Author), e.A.user(workflow.Editor)
		var p postView
		e.post(t, author, wsPath(e.A, "/posts"), map[string]any{"title": "Soup", "text": "Soup of the day", "labels": []string{"menu"},
			"targets": []map[string]any{{"channel_id": e.A.Channel.ID, "text": "Soupe du jour",
				"media": []map[string]any{{"url": "https://cdn.example/soup.jpg", "kind": "image", "alt_text": "A bowl"}}}}}).
			want(t, http.StatusCreated).decode(t, &p)
		path := wsPath(e.A, "/posts/"+idStr(p.ID))
		var revs page[revisionView]
		e.get(t, author, path+"/revisions").want(t, http.StatusOK).decode(t, &revs)
		if len(revs.Items) != 0 {
			t.Fatalf("a draft has revisions: %+v", revs.Items)
		}
		e.post(t, author, path+"/submit", nil).want(t, http.StatusOK)
		e.post(t, editor, path+"/request-changes", map[string]string{"note": "Shorter"}).want(t, http.StatusOK)
		e.patch(t, author, path, map[string]any{"revision": 1, "text": "Soup!"}).want(t, http.StatusOK)
		e.post(t, author, path+"/submit", nil).want(t, http.StatusOK)
		e.post(t, editor, path+"/approve", nil).want(t, http.StatusOK)
		e.get(t, author, path+"/revisions").want(t, http.StatusOK).decode(t, &revs)
		kinds := ""
		for _, r := range revs.Items {
			kinds += r.Kind + " "
		}
		if kinds != "submitted submitted approved " {
			t.Fatalf("kinds = %q", kinds)
		}
		first, approved := revs.Items[0], revs.Items[2]
		if first.Content.Text != "Soup of the day" || first.Revision != 1 || *first.ActorID != author.ID {
			t.Errorf("first submission = %+v", first)
		}
		if approved.Content.Text != "Soup!" || approved.Revision != 2 || *approved.ActorID != editor.ID || approved.Content.Title != "Soup" ||
			len(approved.Content.Labels) != 1 || approved.Content.Labels[0] != "menu" {
			t.Errorf("approved = %+v", approved)
		}
		tg := approved.Content.Targets
		if len(tg) != 1 || tg[0].ChannelID != e.A.Channel.ID || *tg[0].Text != "Soupe du jour" || tg[0].FirstComment != nil || tg[0].Media[0].AltText != "A bowl" {
			t.Errorf("approved targets = %+v", tg)
		}
		e.get(t, author, wsPath(e.A, "/posts/999999/revisions")).wantErr(t, http.StatusNotFound, "not_found")
	})
}
