package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/slack/slacktest"
)

func TestConnectWebhook(t *testing.T) {
	f := newFixture(t)
	creds, acct, err := f.c.ConnectForm(context.Background(), map[string]string{FieldWebhookURL: " " + f.pastedHook() + " "})
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessToken != f.hookPath || creds.Get(ExtraMode) != ModeWebhook {
		t.Errorf("credentials %+v", creds)
	}
	parts := strings.Split(f.hookPath, "/")
	if acct.ExternalID != parts[2]+"/"+parts[3] || !strings.Contains(acct.Name, "checked at the first post") || acct.URL != "" {
		t.Errorf("account %+v", acct)
	}
	if strings.Contains(acct.Name+acct.ExternalID, parts[4]) {
		t.Error("the webhook's secret is in the account")
	}
	// A webhook cannot be checked without posting: connecting posts nothing.
	if f.srv.Requests("webhook") != 0 || len(f.srv.Messages(f.channel.ID)) != 0 {
		t.Error("connecting posted through the webhook")
	}
}

func TestConnectBot(t *testing.T) {
	f := newFixture(t)
	creds, acct, err := f.c.ConnectForm(context.Background(), map[string]string{FieldBotToken: f.bot.Token, FieldChannel: " " + f.channel.ID})
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessToken != f.bot.Token || creds.Get(ExtraMode) != ModeBot || creds.Get(ExtraChannelID) != f.channel.ID ||
		creds.Get(ExtraBotID) != f.bot.BotID || creds.Get(ExtraTeamURL) != "https://acme.slack.com/" {
		t.Errorf("credentials %+v", creds)
	}
	want := publishers.Account{ExternalID: f.channel.ID, Name: "#announcements", Handle: "Acme", URL: "https://acme.slack.com/archives/" + f.channel.ID}
	if acct != want {
		t.Errorf("account %+v, want %+v", acct, want)
	}
}

func TestConnectRefusals(t *testing.T) {
	f := newFixture(t)
	revoked := f.srv.AddBot("old")
	f.srv.RevokeToken(revoked.Token)
	readOnly := f.srv.AddBot("reader", "channels:read")
	blind := f.srv.AddBot("blind", "chat:write")
	notMember := f.srv.AddChannel("random", false)
	private := f.srv.AddChannel("secret", true)
	archived := f.srv.AddChannel("old-news", false, f.bot.UserID)
	f.srv.ArchiveChannel(archived.ID)

	cases := []struct {
		name                 string
		hook, token, channel string
		field, says          string
	}{
		{"nothing", "", "", "", FieldWebhookURL, "or a bot token"},
		{"both ways", f.pastedHook(), f.bot.Token, f.channel.ID, FieldWebhookURL, "not both"},
		{"not a webhook", "https://example.com/services/T1/B1/x", "", "", FieldWebhookURL, "not a Slack incoming webhook"},
		{"webhook cut short", "https://hooks.slack.com/services/T0ACME0001/B0HOOK", "", "", FieldWebhookURL, "not a Slack incoming webhook"},
		{"workflow webhook", "https://hooks.slack.com/workflows/T0ACME0001/A01/123/abc", "", "", FieldWebhookURL, "Workflow Builder"},
		{"channel without token", "", "", f.channel.ID, FieldBotToken, "needs a bot token"},
		{"user token", "", "xoxp-1-2-3-abc", f.channel.ID, FieldBotToken, "user token"},
		{"not a token", "", "hello", f.channel.ID, FieldBotToken, "not a bot token"},
		{"no channel", "", f.bot.Token, "", FieldChannel, "ID of the channel"},
		{"channel name", "", f.bot.Token, "#general", FieldChannel, "not its name"},
		{"unknown token", "", "xoxb-1-2-nope", f.channel.ID, FieldBotToken, "does not accept this token"},
		{"revoked token", "", revoked.Token, f.channel.ID, FieldBotToken, "does not accept this token"},
		{"no chat:write", "", readOnly.Token, f.channel.ID, FieldBotToken, "chat:write"},
		{"cannot read channels", "", blind.Token, f.channel.ID, FieldBotToken, "channels:read"},
		{"unknown channel", "", f.bot.Token, "C0NOPE0000", FieldChannel, "no channel with this ID"},
		{"private channel, not invited", "", f.bot.Token, private.ID, FieldChannel, "invite the app first"},
		{"not a member", "", f.bot.Token, notMember.ID, FieldChannel, "/invite @herald"},
		{"archived", "", f.bot.Token, archived.ID, FieldChannel, "archived"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			creds, _, err := f.c.ConnectForm(context.Background(), map[string]string{FieldWebhookURL: tc.hook, FieldBotToken: tc.token, FieldChannel: tc.channel})
			if creds != nil {
				t.Error("credentials with an error")
			}
			fe := publishertest.WantField(t, err, tc.field)
			if !strings.Contains(fe.Message, tc.says) {
				t.Errorf("message %q does not say %q", fe.Message, tc.says)
			}
			for _, secret := range []string{f.bot.Token, revoked.Token, f.hookPath} {
				if strings.Contains(fe.Message, secret) {
					t.Error("a secret is in the message")
				}
			}
		})
	}
}

func TestConnectTransientFailures(t *testing.T) {
	f := newFixture(t)
	f.srv.Inject(1, slacktest.RateLimited(20).On("conversations.info"))
	_, _, err := f.c.ConnectForm(context.Background(), map[string]string{FieldBotToken: f.bot.Token, FieldChannel: f.channel.ID})
	if pe := publishertest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter.Seconds() != 20 {
		t.Errorf("retry after %s", pe.RetryAfter)
	}
	f.srv.Inject(1, slacktest.ServerError(503).On("auth.test"))
	_, _, err = f.c.ConnectForm(context.Background(), map[string]string{FieldBotToken: f.bot.Token, FieldChannel: f.channel.ID})
	publishertest.WantKind(t, err, publishers.KindRetryable)
}

func TestMeta(t *testing.T) {
	m := New(Options{}).Meta()
	if m.Name != Name || m.Connect != publishers.ConnectForm || m.Rules.MaxLength != 40000 || m.Rules.MaxMedia != 10 {
		t.Errorf("meta %+v", m)
	}
	if !m.Capabilities.FindPublished || m.Capabilities.Idempotency || m.Capabilities.MetricsNote == "" || len(m.Capabilities.Metrics) != 2 {
		t.Errorf("capabilities %+v", m.Capabilities)
	}
	if len(m.Form) != 3 || !m.Form[0].Secret || !m.Form[1].Secret || m.Form[2].Secret {
		t.Errorf("form %+v", m.Form)
	}
	for _, fld := range m.Form {
		if fld.Label == "" || fld.Help == "" || fld.Placeholder == "" || !fld.Optional {
			t.Errorf("field %+v", fld)
		}
	}
}
