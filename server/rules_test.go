package server

// Media a network downloads itself (Instagram, Threads) must be reachable from the internet: the
// gate says so at submission, naming HERALD_PUBLIC_URL, instead of a failure at publication.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

func TestMediaANetworkDownloadsMustBePublic(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		e.restartWith(t, func(c *Config) { c.Registry = publishers.NewRegistry(instagram.New(instagram.Options{})) })
		admin, author := e.A.user(workflow.Admin), e.A.user(workflow.Author)
		ch := &store.Channel{WorkspaceID: e.A.WS.ID, Network: "instagram", Name: "Brand IG", TimeZone: "UTC", Status: store.ChannelConnected}
		if err := e.Store.CreateChannel(testCtx, ch, e.Server.sealer(map[string]string{"access_token": "t"}), admin.actor()); err != nil {
			t.Fatal(err)
		}
		post := func(url string) int64 {
			var p postView
			e.post(t, author, wsPath(e.A, "/posts"), map[string]any{"text": "New roast",
				"targets": []map[string]any{{"channel_id": ch.ID, "media": []map[string]any{{"url": url, "kind": "image", "mime": "image/jpeg", "alt_text": "a cup"}}}}}).
				want(t, http.StatusCreated).decode(t, &p)
			return p.ID
		}
		// An upload served from a Herald that only this machine reaches.
		id := post("http://localhost:8080/media/abcdefghijklmnopqrstuvwxyz.jpg")
		env := e.post(t, author, wsPath(e.A, "/posts/"+idStr(id)+"/submit"), nil).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		if msg := env.Fields["targets[0].media[0]"]; !strings.Contains(msg, "HERALD_PUBLIC_URL") || !strings.Contains(msg, "Instagram") {
			t.Errorf("fields %v", env.Fields)
		}
		// A public address goes through.
		e.post(t, author, wsPath(e.A, "/posts/"+idStr(post("https://cdn.example.com/roast.jpg"))+"/submit"), nil).want(t, http.StatusOK)
	})
}
