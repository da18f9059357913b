package server

// Threads and the content-rules gate: the later parts of a thread are stored with the post,
// checked against each target network's rules like the post itself, and refused where a target
// network does not publish threads, naming the target and the part.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

func TestThreadsAndTheRulesGate(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		admin, author := e.A.user(workflow.Admin), e.A.user(workflow.Author)
		channel := func(network string) int64 {
			ch := &store.Channel{WorkspaceID: e.A.WS.ID, Network: network, Name: network + " channel", TimeZone: "UTC", Status: store.ChannelConnected}
			if err := e.Store.CreateChannel(testCtx, ch, e.Server.sealer(map[string]string{"access_token": "t"}), admin.actor()); err != nil {
				t.Fatal(err)
			}
			return ch.ID
		}
		x, li := channel("x"), channel("linkedin")
		long := strings.Repeat("é", 281)

		var post postView
		e.post(t, author, wsPath(e.A, "/posts"), map[string]any{
			"text":    "1/3 A thread about our new roast",
			"thread":  []map[string]any{{"text": "2/3 Single origin, from Huila."}, {"text": long}},
			"targets": []map[string]any{{"channel_id": x}, {"channel_id": li}},
		}).want(t, http.StatusCreated).decode(t, &post)
		if len(post.Thread) != 2 || post.Thread[0].Text != "2/3 Single origin, from Huila." || post.Thread[1].Media == nil {
			t.Fatalf("thread %+v", post.Thread)
		}
		got := e.get(t, author, wsPath(e.A, "/posts/"+idStr(post.ID)))
		var again postView
		got.want(t, http.StatusOK).decode(t, &again)
		if len(again.Thread) != 2 {
			t.Fatalf("thread not stored: %+v", again.Thread)
		}

		// Submitting names each broken rule: the long part on X, the thread on LinkedIn.
		env := e.post(t, author, wsPath(e.A, "/posts/"+idStr(post.ID)+"/submit"), nil).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		if msg := env.Fields["targets[0].thread[1].text"]; !strings.Contains(msg, "Too long for X: 281 of 280") {
			t.Errorf("X part: %v", env.Fields)
		}
		if msg := env.Fields["targets[1].thread"]; !strings.Contains(msg, "LinkedIn does not publish threads") {
			t.Errorf("LinkedIn: %v", env.Fields)
		}

		// Fixing the part and dropping LinkedIn lets it through; the edit is a new revision.
		var edited postView
		e.patch(t, author, wsPath(e.A, "/posts/"+idStr(post.ID)), map[string]any{
			"revision": post.Revision,
			"thread":   []map[string]any{{"text": "2/3 Single origin, from Huila."}, {"text": "3/3 In shops Monday."}},
			"targets":  []map[string]any{{"channel_id": x}},
		}).want(t, http.StatusOK).decode(t, &edited)
		if edited.Revision != post.Revision+1 || edited.Thread[1].Text != "3/3 In shops Monday." {
			t.Fatalf("edited %+v", edited)
		}
		e.post(t, author, wsPath(e.A, "/posts/"+idStr(post.ID)+"/submit"), nil).want(t, http.StatusOK)

		// Bad parts are refused field by field.
		env = e.post(t, author, wsPath(e.A, "/posts"), map[string]any{"text": "x",
			"thread": []map[string]any{{"text": "  "}, {"text": "ok", "media": []map[string]any{{"url": "ftp://x", "kind": "image"}}}}}).
			wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		if env.Fields["thread[0].text"] == "" || env.Fields["thread[1].media[0].url"] == "" {
			t.Errorf("fields %v", env.Fields)
		}

		// /validate checks thread parts too.
		var v struct {
			Results map[string]struct {
				OK       bool
				Problems []struct{ Field, Code string }
			}
		}
		e.post(t, author, "/api/v1/validate", map[string]any{"text": "one", "thread": []map[string]any{{"text": long}}, "networks": []string{"x", "mastodon", "linkedin"}}).
			want(t, http.StatusOK).decode(t, &v)
		if v.Results["x"].OK || v.Results["x"].Problems[0].Field != "thread[0].text" || !v.Results["mastodon"].OK ||
			v.Results["linkedin"].OK || v.Results["linkedin"].Problems[0].Code != "thread_unsupported" {
			t.Errorf("validate: %+v", v.Results)
		}
	})
}
