package discord

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/discord/discordtest"
)

type fixture struct {
	srv   *discordtest.Server
	c     *Client
	hook  discordtest.Webhook
	creds *publishers.Credentials
}

func newFixture(t *testing.T, mod ...func(*Options)) *fixture {
	t.Helper()
	srv := discordtest.NewServer(t)
	hook := srv.AddWebhook("Herald")
	opts := Options{HTTPClient: &http.Client{Timeout: 5 * time.Second}, APIURL: srv.APIURL()}
	for _, m := range mod {
		m(&opts)
	}
	return &fixture{srv: srv, c: New(opts), hook: hook, creds: &publishers.Credentials{AccessToken: hook.Token, Extra: map[string]string{
		ExtraWebhookID: hook.ID, ExtraGuildID: hook.GuildID, ExtraChannelID: hook.ChannelID,
	}}}
}

// pasted is the webhook's URL as Discord shows it to people.
func (f *fixture) pasted() string {
	return "https://discord.com/api/webhooks/" + f.hook.ID + "/" + f.hook.Token
}

func media(kind content.MediaKind, mime, alt, data string) publishers.Media {
	return publishers.Media{Kind: kind, MIME: mime, AltText: alt, Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil }}
}
