package telegram

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/telegram/telegramtest"
)

// fixture is a fake Bot API with one bot that is an administrator of one public channel.
type fixture struct {
	srv     *telegramtest.Server
	c       *Client
	bot     telegramtest.Bot
	channel int64
	creds   *publishers.Credentials
}

func newFixture(t *testing.T, mod ...func(*Options)) *fixture {
	t.Helper()
	srv := telegramtest.NewServer(t)
	bot := srv.AddBot("herald_bot")
	ch := srv.AddChat("channel", "Herald News", "heraldnews")
	srv.SetMember(ch, bot.ID, telegramtest.Admin)
	opts := Options{HTTPClient: &http.Client{Timeout: 5 * time.Second}, APIURL: srv.URL}
	for _, m := range mod {
		m(&opts)
	}
	return &fixture{srv: srv, c: New(opts), bot: bot, channel: ch, creds: &publishers.Credentials{
		AccessToken: bot.Token,
		Extra:       map[string]string{ExtraChatID: strconv.FormatInt(ch, 10), ExtraBotID: strconv.FormatInt(bot.ID, 10), ExtraBotUsername: bot.Username},
	}}
}

func media(kind content.MediaKind, mime, data string) publishers.Media {
	return publishers.Media{
		Kind: kind, MIME: mime, AltText: "alt", Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil },
	}
}
