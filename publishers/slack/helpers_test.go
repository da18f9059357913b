package slack

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/slack/slacktest"
)

// fixture is a fake workspace with an app whose bot is a member of #announcements, and an
// incoming webhook posting to the same channel.
type fixture struct {
	srv       *slacktest.Server
	c         *Client
	bot       slacktest.Bot
	channel   slacktest.Channel
	hookPath  string
	botCreds  *publishers.Credentials
	hookCreds *publishers.Credentials
}

func newFixture(t *testing.T, mod ...func(*Options)) *fixture {
	t.Helper()
	srv := slacktest.NewServer(t)
	bot := srv.AddBot("herald")
	ch := srv.AddChannel("announcements", false, bot.UserID)
	hook := srv.AddHook(ch.ID)
	opts := Options{HTTPClient: &http.Client{Timeout: 5 * time.Second}, APIURL: srv.APIURL(), HooksURL: srv.HooksURL(), ShareWait: time.Second}
	for _, m := range mod {
		m(&opts)
	}
	return &fixture{srv: srv, c: New(opts), bot: bot, channel: ch, hookPath: hook,
		botCreds: &publishers.Credentials{AccessToken: bot.Token, Extra: map[string]string{
			ExtraMode: ModeBot, ExtraChannelID: ch.ID, ExtraTeamURL: "https://acme.slack.com/", ExtraBotID: bot.BotID}},
		hookCreds: &publishers.Credentials{AccessToken: hook, Extra: map[string]string{ExtraMode: ModeWebhook}},
	}
}

// pastedHook is the webhook's URL as Slack shows it to people.
func (f *fixture) pastedHook() string { return "https://hooks.slack.com" + f.hookPath }

func image(alt, data string) publishers.Media {
	return publishers.Media{Kind: content.KindImage, MIME: "image/png", AltText: alt, Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil }}
}
