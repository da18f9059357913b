package instagram

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

// Graph messages that quote the token or the app secret reach neither errors, warnings nor logs.
func TestSecretsNeverAppearInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	token, secret := e.creds.AccessToken, e.srv.App().ClientSecret
	quote := "(#100) Invalid parameter: access_token=" + token + " secret=" + secret
	ctx := context.Background()
	post := publishers.Post{Text: "x", FirstComment: "c", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}}

	var texts []string
	for _, edge := range []string{"content_publishing_limit", "media", "media_publish"} {
		e.srv.Inject(1, metagraphtest.InvalidParameter(quote).On("", edge))
		_, err := e.c.Publish(ctx, e.creds, post)
		if err == nil {
			t.Fatalf("%s: no error", edge)
		}
		texts = append(texts, err.Error(), publishers.Message(err))
	}
	e.srv.Inject(1, metagraphtest.InvalidParameter(quote).On(http.MethodPost, "comments"))
	pub, err := e.c.Publish(ctx, e.creds, post)
	if err != nil || len(pub.Warnings) != 1 {
		t.Fatalf("%v %v", err, pub.Warnings)
	}
	texts = append(texts, pub.Warnings[0], logs.String())
	for _, text := range texts {
		if strings.Contains(text, token) || strings.Contains(text, secret) {
			t.Errorf("a secret appears in %q", text)
		}
		if !strings.Contains(text, "[redacted]") && text != logs.String() {
			t.Errorf("Graph's message was not kept (scrubbed): %q", text)
		}
	}
}
