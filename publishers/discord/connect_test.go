package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/discord/discordtest"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
)

func TestConnect(t *testing.T) {
	f := newFixture(t)
	forms := []string{
		f.pasted(),
		" https://discordapp.com/api/webhooks/" + f.hook.ID + "/" + f.hook.Token + "/ ",
		"https://canary.discord.com/api/v10/webhooks/" + f.hook.ID + "/" + f.hook.Token + "?wait=true",
		"https://ptb.discord.com/api/webhooks/" + f.hook.ID + "/" + f.hook.Token,
	}
	for _, typed := range forms {
		creds, acct, err := f.c.ConnectForm(context.Background(), map[string]string{FieldWebhookURL: typed})
		if err != nil {
			t.Fatalf("%q: %v", typed, err)
		}
		if creds.AccessToken != f.hook.Token || creds.Get(ExtraWebhookID) != f.hook.ID || creds.Get(ExtraGuildID) != f.hook.GuildID ||
			creds.Get(ExtraChannelID) != f.hook.ChannelID || creds.Get(ExtraUsername) != "" {
			t.Errorf("credentials %+v", creds)
		}
		want := publishers.Account{ExternalID: f.hook.ID, Name: "Herald", URL: "https://discord.com/channels/" + f.hook.GuildID + "/" + f.hook.ChannelID,
			AvatarURL: "https://cdn.discordapp.com/avatars/" + f.hook.ID + "/a1b2c3d4e5f6.png"}
		if acct != want {
			t.Errorf("account %+v, want %+v", acct, want)
		}
	}
	creds, acct, err := f.c.ConnectForm(context.Background(), map[string]string{FieldWebhookURL: f.pasted(), FieldUsername: " Newsroom "})
	if err != nil || creds.Get(ExtraUsername) != "Newsroom" || acct.Name != "Newsroom" {
		t.Errorf("with a name: %+v %+v %v", creds, acct, err)
	}
	if f.srv.Requests("GET") != 5 || f.srv.Requests("POST") != 0 {
		t.Errorf("requests GET %d POST %d: connecting must not post", f.srv.Requests("GET"), f.srv.Requests("POST"))
	}
}

func TestConnectRefusals(t *testing.T) {
	f := newFixture(t)
	gone := f.srv.AddWebhook("Old")
	f.srv.DeleteWebhook(gone.ID)
	cases := []struct {
		name, url, username, field, says string
	}{
		{"empty", "", "", FieldWebhookURL, "Copy Webhook URL"},
		{"not a URL", "hello", "", FieldWebhookURL, "not a Discord webhook URL"},
		{"other host", "https://evil.example/api/webhooks/" + f.hook.ID + "/" + f.hook.Token, "", FieldWebhookURL, "not a Discord webhook URL"},
		{"http", "http://discord.com/api/webhooks/" + f.hook.ID + "/" + f.hook.Token, "", FieldWebhookURL, "not a Discord webhook URL"},
		{"token cut short", "https://discord.com/api/webhooks/" + f.hook.ID + "/abc", "", FieldWebhookURL, "not a Discord webhook URL"},
		{"deleted webhook", "https://discord.com/api/webhooks/" + gone.ID + "/" + gone.Token, "", FieldWebhookURL, "deleted"},
		{"wrong token", "https://discord.com/api/webhooks/" + f.hook.ID + "/" + strings.Repeat("x", 68), "", FieldWebhookURL, "does not know this webhook"},
		{"name with discord", f.pasted(), "Discord News", FieldUsername, "\"discord\""},
		{"name too long", f.pasted(), strings.Repeat("n", 81), FieldUsername, "80"},
		{"name with @", f.pasted(), "@here", FieldUsername, "@"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			creds, _, err := f.c.ConnectForm(context.Background(), map[string]string{FieldWebhookURL: tc.url, FieldUsername: tc.username})
			if creds != nil {
				t.Error("credentials with an error")
			}
			fe := publishertest.WantField(t, err, tc.field)
			if !strings.Contains(fe.Message, tc.says) {
				t.Errorf("message %q does not say %q", fe.Message, tc.says)
			}
			if strings.Contains(fe.Message, f.hook.Token) || strings.Contains(fe.Message, gone.Token) {
				t.Error("the token is in the message")
			}
		})
	}
	// Malformed values are refused before any call.
	if got := f.srv.Requests("GET"); got != 2 {
		t.Errorf("%d calls to Discord, want 2 (the deleted webhook and the wrong token)", got)
	}
}

func TestConnectTransientFailures(t *testing.T) {
	f := newFixture(t)
	f.srv.Inject(1, discordtest.ServerError(500))
	_, _, err := f.c.ConnectForm(context.Background(), map[string]string{FieldWebhookURL: f.pasted()})
	publishertest.WantKind(t, err, publishers.KindRetryable)
	f.srv.Inject(1, discordtest.RateLimited(2.5))
	_, _, err = f.c.ConnectForm(context.Background(), map[string]string{FieldWebhookURL: f.pasted()})
	publishertest.WantKind(t, err, publishers.KindRateLimited)
}

func TestMeta(t *testing.T) {
	m := New(Options{}).Meta()
	if m.Name != Name || m.Connect != publishers.ConnectForm || m.Rules.MaxLength != 2000 || m.Rules.MaxMedia != 10 {
		t.Errorf("meta %+v", m)
	}
	if m.Capabilities.FindPublished || m.Capabilities.Idempotency || m.Capabilities.MetricsNote == "" {
		t.Errorf("capabilities %+v", m.Capabilities)
	}
	if len(m.Form) != 2 || !m.Form[0].Secret || m.Form[1].Secret || !m.Form[1].Optional {
		t.Errorf("form %+v", m.Form)
	}
	for _, fld := range m.Form {
		if fld.Label == "" || fld.Help == "" || fld.Placeholder == "" {
			t.Errorf("field %+v lacks words", fld)
		}
	}
}
