package telegram

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/telegram/telegramtest"
)

func TestConnectPublicChannel(t *testing.T) {
	f := newFixture(t)
	for _, typed := range []string{"@heraldnews", "heraldnews", "https://t.me/heraldnews", "t.me/heraldnews/", strconv.FormatInt(f.channel, 10)} {
		creds, acct, err := f.c.ConnectForm(context.Background(), map[string]string{FieldToken: " " + f.bot.Token + " ", FieldChat: typed})
		if err != nil {
			t.Fatalf("%q: %v", typed, err)
		}
		if creds.AccessToken != f.bot.Token || creds.Get(ExtraChatID) != strconv.FormatInt(f.channel, 10) ||
			creds.Get(ExtraBotUsername) != "herald_bot" || creds.Get(ExtraBotID) != strconv.FormatInt(f.bot.ID, 10) {
			t.Errorf("%q: credentials %+v", typed, creds)
		}
		want := publishers.Account{ExternalID: strconv.FormatInt(f.channel, 10), Name: "Herald News", Handle: "@heraldnews", URL: "https://t.me/heraldnews"}
		if acct != want {
			t.Errorf("%q: account %+v, want %+v", typed, acct, want)
		}
	}
	if f.srv.Requests("getMe") != 5 || f.srv.Requests("getChat") != 5 || f.srv.Requests("getChatMember") != 5 {
		t.Errorf("calls: getMe %d getChat %d getChatMember %d", f.srv.Requests("getMe"), f.srv.Requests("getChat"), f.srv.Requests("getChatMember"))
	}
}

func TestConnectPrivateChannelAndGroup(t *testing.T) {
	f := newFixture(t)
	private := f.srv.AddChat("channel", "Staff only", "")
	f.srv.SetMember(private, f.bot.ID, telegramtest.Admin)
	_, acct, err := f.c.ConnectForm(context.Background(), map[string]string{FieldToken: f.bot.Token, FieldChat: strconv.FormatInt(private, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if acct.Name != "Staff only" || acct.Handle != "" || acct.URL != "" {
		t.Errorf("account %+v", acct)
	}
	group := f.srv.AddChat("supergroup", "Community", "herald_community")
	f.srv.SetMember(group, f.bot.ID, telegramtest.Member{Status: "administrator"})
	if _, _, err := f.c.ConnectForm(context.Background(), map[string]string{FieldToken: f.bot.Token, FieldChat: "@herald_community"}); err != nil {
		t.Errorf("supergroup administrator: %v", err)
	}
}

// Each refusal names its field in plain words, after as few calls as it takes.
func TestConnectRefusals(t *testing.T) {
	f := newFixture(t)
	revoked := f.srv.AddBot("old_bot")
	f.srv.RevokeToken(revoked.Token)
	f.srv.AddChat("channel", "Not joined", "notjoined")
	noPost := f.srv.AddChat("channel", "Read only", "readonly")
	f.srv.SetMember(noPost, f.bot.ID, telegramtest.Member{Status: "administrator", CanPostMessages: false})
	kicked := f.srv.AddChat("channel", "Kicked", "kickedout")
	f.srv.SetMember(kicked, f.bot.ID, telegramtest.Member{Status: "kicked"})
	member := f.srv.AddChat("supergroup", "Chat", "plainmember")
	f.srv.SetMember(member, f.bot.ID, telegramtest.Member{Status: "member"})
	person := f.srv.AddChat("private", "", "someperson")
	f.srv.SetMember(person, f.bot.ID, telegramtest.Member{Status: "member"})
	privateNotIn := f.srv.AddChat("channel", "Secret", "")

	cases := []struct {
		name, token, chat, field, says string
	}{
		{"no token", "", "@heraldnews", FieldToken, "@BotFather"},
		{"not a token", "hello", "@heraldnews", FieldToken, "not a bot token"},
		{"unknown token", "123456789:AAEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "@heraldnews", FieldToken, "does not know this token"},
		{"revoked token", revoked.Token, "@heraldnews", FieldToken, "revoked"},
		{"no chat", f.bot.Token, " ", FieldChat, "@username"},
		{"not a chat", f.bot.Token, "my channel!", FieldChat, "@username"},
		{"invite link", f.bot.Token, "https://t.me/+AbCdEf", FieldChat, "invite link"},
		{"unknown chat", f.bot.Token, "@nosuchchannel", FieldChat, "cannot find this chat"},
		{"private channel the bot is not in", f.bot.Token, strconv.FormatInt(privateNotIn, 10), FieldChat, "cannot find this chat"},
		{"a person", f.bot.Token, "@someperson", FieldChat, "person's chat"},
		{"bot not in the channel", f.bot.Token, "@notjoined", FieldChat, "not an administrator"},
		{"bot may not post", f.bot.Token, "@readonly", FieldChat, `"Post messages"`},
		{"bot kicked", f.bot.Token, "@kickedout", FieldChat, "was removed"},
		{"bot only a member", f.bot.Token, "@plainmember", FieldChat, "not an administrator"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			creds, _, err := f.c.ConnectForm(context.Background(), map[string]string{FieldToken: tc.token, FieldChat: tc.chat})
			if creds != nil {
				t.Error("credentials returned with an error")
			}
			fe := publishertest.WantField(t, err, tc.field)
			if !strings.Contains(fe.Message, tc.says) {
				t.Errorf("message %q does not say %q", fe.Message, tc.says)
			}
			if tc.token != "" && strings.Contains(fe.Message, tc.token) {
				t.Error("the token is in the message")
			}
		})
	}
}

// A refusal that is not about a field (Telegram is down or limiting) is a classified error.
func TestConnectTransientFailures(t *testing.T) {
	f := newFixture(t)
	f.srv.Inject(1, telegramtest.RateLimited(7).On("getChat"))
	_, _, err := f.c.ConnectForm(context.Background(), map[string]string{FieldToken: f.bot.Token, FieldChat: "@heraldnews"})
	if pe := publishertest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter.Seconds() != 7 {
		t.Errorf("retry after %s", pe.RetryAfter)
	}
	f.srv.Inject(1, telegramtest.ServerError(502).On("getMe"))
	_, _, err = f.c.ConnectForm(context.Background(), map[string]string{FieldToken: f.bot.Token, FieldChat: "@heraldnews"})
	publishertest.WantKind(t, err, publishers.KindRetryable)
}

func TestMeta(t *testing.T) {
	m := New(Options{}).Meta()
	if m.Name != Name || m.Connect != publishers.ConnectForm || m.Rules.MaxLength != 4096 || m.Rules.MaxCaption != 1024 {
		t.Errorf("meta %+v", m)
	}
	if m.Capabilities.FindPublished || m.Capabilities.Idempotency || m.Capabilities.FirstComment || m.Capabilities.MetricsNote == "" {
		t.Errorf("capabilities %+v", m.Capabilities)
	}
	if len(m.Form) != 2 || m.Form[0].Name != FieldToken || !m.Form[0].Secret || m.Form[1].Name != FieldChat || m.Form[1].Secret {
		t.Errorf("form %+v", m.Form)
	}
	for _, fld := range m.Form {
		if fld.Label == "" || fld.Help == "" || fld.Placeholder == "" {
			t.Errorf("field %+v lacks words", fld)
		}
	}
}
