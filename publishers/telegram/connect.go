package telegram

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// user is the Bot API's User (getMe's result).
type user struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username"`
}

// chat is the part of the Bot API's Chat and ChatFullInfo Herald reads.
type chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"` // "private", "group", "supergroup" or "channel"
	Title    string `json:"title"`
	Username string `json:"username"`
}

// chatMember is the part of the Bot API's ChatMember Herald reads. can_post_messages is set for
// administrators of channels only.
type chatMember struct {
	Status          string `json:"status"` // "creator", "administrator", "member", "restricted", "left", "kicked"
	CanPostMessages *bool  `json:"can_post_messages"`
}

// tokenShape is a bot token as @BotFather issues it: the bot's numeric id, a colon and a
// 35-character secret (the length is not documented, so any reasonably long secret passes).
var tokenShape = regexp.MustCompile(`^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$`)

// usernameShape is a public chat's username: 5–32 letters, digits and underscores
// (https://core.telegram.org/method/account.checkUsername).
var usernameShape = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

// ConnectForm checks a bot token and a chat with Telegram: the token must be a bot's (getMe),
// the chat must exist and be visible to the bot (getChat), and the bot must be an administrator
// allowed to post there (getChatMember). A value Telegram refuses is reported as a
// *publishers.FieldError on its field; a failure to reach Telegram as a *publishers.Error.
func (c *Client) ConnectForm(ctx context.Context, values map[string]string) (*publishers.Credentials, publishers.Account, error) {
	token := strings.TrimSpace(values[FieldToken])
	chatRef, ferr := parseChat(values[FieldChat])
	switch {
	case token == "":
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldToken, Message: "Paste the token @BotFather gave you when you created the bot."}
	case !tokenShape.MatchString(token):
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldToken,
			Message: "This is not a bot token. A token is the bot's number, a colon and a long code, like 123456789:AAE…; copy it again from @BotFather."}
	case ferr != nil:
		return nil, publishers.Account{}, ferr
	}

	var me user
	if err := c.callJSON(ctx, opRead, token, "getMe", struct{}{}, &me); err != nil {
		if publishers.KindOf(err) == publishers.KindAuthExpired {
			return nil, publishers.Account{}, &publishers.FieldError{Field: FieldToken,
				Message: "Telegram does not know this token: it may be mistyped, or it was revoked in @BotFather. Copy the bot's current token from @BotFather (/mybots → API Token)."}
		}
		return nil, publishers.Account{}, err
	}

	var ch chat
	if err := c.callJSON(ctx, opRead, token, "getChat", map[string]any{"chat_id": chatRef}, &ch); err != nil {
		if fe := chatFieldError(err, me.Username); fe != nil {
			return nil, publishers.Account{}, fe
		}
		return nil, publishers.Account{}, err
	}
	if ch.Type == "private" {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldChat,
			Message: "This is a person's chat, not a channel or group. Enter the @username or id of the channel Herald should post to."}
	}

	var m chatMember
	if err := c.callJSON(ctx, opRead, token, "getChatMember", map[string]any{"chat_id": ch.ID, "user_id": me.ID}, &m); err != nil {
		if fe := chatFieldError(err, me.Username); fe != nil {
			return nil, publishers.Account{}, fe
		}
		return nil, publishers.Account{}, err
	}
	if fe := checkRights(m, ch, me.Username); fe != nil {
		return nil, publishers.Account{}, fe
	}

	id := strconv.FormatInt(ch.ID, 10)
	creds := &publishers.Credentials{
		AccessToken: token,
		Extra: map[string]string{
			ExtraChatID:      id,
			ExtraBotID:       strconv.FormatInt(me.ID, 10),
			ExtraBotUsername: me.Username,
		},
	}
	acct := publishers.Account{ExternalID: id, Name: ch.Title}
	if ch.Username != "" {
		acct.Handle = "@" + ch.Username
		acct.URL = "https://t.me/" + ch.Username
	}
	if acct.Name == "" {
		acct.Name = acct.Handle
	}
	// The chat's photo is left out on purpose: its download URL contains the bot token.
	return creds, acct, nil
}

// parseChat reads what a person typed as the chat: "@name", "name", "t.me/name",
// "https://t.me/name" or a numeric id. It returns the value for chat_id.
func parseChat(v string) (any, *publishers.FieldError) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, &publishers.FieldError{Field: FieldChat, Message: "Enter the channel's @username, or its numeric id for a private channel."}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	for _, prefix := range []string{"https://", "http://"} {
		v = strings.TrimPrefix(v, prefix)
	}
	for _, prefix := range []string{"t.me/", "telegram.me/", "www.t.me/"} {
		v = strings.TrimPrefix(v, prefix)
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "@"), "/")
	if strings.HasPrefix(v, "+") || strings.HasPrefix(v, "joinchat/") {
		return nil, &publishers.FieldError{Field: FieldChat,
			Message: "An invite link cannot be used. For a private channel, enter its numeric id (it starts with -100; Telegram's web app shows it in the address bar when the channel is open)."}
	}
	if !usernameShape.MatchString(v) {
		return nil, &publishers.FieldError{Field: FieldChat,
			Message: "Enter the channel's @username (like @yourchannel) or its numeric id (like -1001234567890)."}
	}
	return "@" + v, nil
}

// chatFieldError turns Telegram's refusal of a chat into advice on the chat field; nil when err
// is not about the chat (a rate limit, an outage).
func chatFieldError(err error, bot string) *publishers.FieldError {
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		return nil
	}
	code := strings.ToLower(pe.Code)
	switch {
	case strings.Contains(code, "chat not found"):
		return &publishers.FieldError{Field: FieldChat,
			Message: "Telegram cannot find this chat, or the bot is not in it. Check the name, and add @" + bot + " to the channel as an administrator."}
	case pe.Kind == publishers.KindAuthExpired && pe.Message == msgMigrated:
		return &publishers.FieldError{Field: FieldChat,
			Message: "This group was upgraded to a supergroup and has a new id. Enter its @username or new id."}
	case pe.Kind == publishers.KindAuthExpired && pe.Status != 401 && pe.Status != 404:
		return &publishers.FieldError{Field: FieldChat,
			Message: "The bot is not a member of this chat. Add @" + bot + " to the channel as an administrator allowed to post messages, then try again."}
	case pe.Kind == publishers.KindPermanent:
		return &publishers.FieldError{Field: FieldChat, Message: "Telegram refused this chat: " + strings.TrimPrefix(pe.Message, "Telegram refused the post: ")}
	}
	return nil
}

// checkRights says why the bot cannot post in ch, or nil when it can: it must be an
// administrator, and in a channel one whose can_post_messages is true.
func checkRights(m chatMember, ch chat, bot string) *publishers.FieldError {
	what := "group"
	if ch.Type == "channel" {
		what = "channel"
	}
	switch m.Status {
	case "creator":
		return nil
	case "administrator":
		if ch.Type == "channel" && (m.CanPostMessages == nil || !*m.CanPostMessages) {
			return &publishers.FieldError{Field: FieldChat,
				Message: "@" + bot + " is an administrator of this channel but may not post messages. In the channel's administrators, turn on \"Post messages\" for the bot, then try again."}
		}
		return nil
	case "kicked":
		return &publishers.FieldError{Field: FieldChat,
			Message: "@" + bot + " was removed from this " + what + ". Add it back as an administrator allowed to post messages, then try again."}
	}
	return &publishers.FieldError{Field: FieldChat,
		Message: "@" + bot + " is not an administrator of this " + what + ". Add the bot as an administrator allowed to post messages, then try again."}
}
