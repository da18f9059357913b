package slack

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// webhookShape is an incoming webhook URL: https://hooks.slack.com/services/T…/B…/<secret>.
var webhookShape = regexp.MustCompile(`^https://hooks\.slack\.com(/services/(T[A-Z0-9]{6,})/(B[A-Z0-9]{6,})/[A-Za-z0-9]{16,64})/?$`)

// tokenShape is a bot token; channelShape a public (C…) or private (G…, older) channel id.
var (
	tokenShape   = regexp.MustCompile(`^xoxb-[0-9]+-[0-9]+-[A-Za-z0-9]+$`)
	channelShape = regexp.MustCompile(`^[CG][A-Z0-9]{6,}$`)
)

// authTest is auth.test's answer.
type authTest struct {
	URL    string `json:"url"`
	Team   string `json:"team"`
	User   string `json:"user"`
	TeamID string `json:"team_id"`
	UserID string `json:"user_id"`
	BotID  string `json:"bot_id"`
}

// conversationInfo is the part of conversations.info's channel Herald reads.
type conversationInfo struct {
	Channel struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		IsArchived bool   `json:"is_archived"`
		IsMember   bool   `json:"is_member"`
		IsPrivate  bool   `json:"is_private"`
	} `json:"channel"`
}

// ConnectForm connects with whichever way the person filled in: an incoming webhook URL (its
// shape only: Slack cannot check one without posting), or a bot token and a channel id, checked
// with auth.test and conversations.info.
func (c *Client) ConnectForm(ctx context.Context, values map[string]string) (*publishers.Credentials, publishers.Account, error) {
	hook := strings.TrimSpace(values[FieldWebhookURL])
	token := strings.TrimSpace(values[FieldBotToken])
	channel := strings.TrimSpace(values[FieldChannel])
	switch {
	case hook != "" && (token != "" || channel != ""):
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldWebhookURL,
			Message: "Fill in either a webhook URL, or a bot token and a channel, not both."}
	case hook != "":
		return connectWebhook(hook)
	case token == "" && channel == "":
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldWebhookURL,
			Message: "Paste an incoming webhook URL, or a bot token and a channel ID."}
	}
	return c.connectBot(ctx, token, channel)
}

func connectWebhook(hook string) (*publishers.Credentials, publishers.Account, error) {
	if strings.Contains(hook, "hooks.slack.com/workflows/") || strings.Contains(hook, "hooks.slack.com/triggers/") {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldWebhookURL,
			Message: "This is a Workflow Builder webhook, which takes its own variables. Use an app's incoming webhook (https://hooks.slack.com/services/…)."}
	}
	m := webhookShape.FindStringSubmatch(hook)
	if m == nil {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldWebhookURL,
			Message: "This is not a Slack incoming webhook URL. It looks like https://hooks.slack.com/services/T…/B…/… ; copy it again from the app's Incoming Webhooks page."}
	}
	creds := &publishers.Credentials{AccessToken: m[1], Extra: map[string]string{ExtraMode: ModeWebhook}}
	// The workspace (T…) and webhook (B…) ids are not secret; the last part of the URL is.
	acct := publishers.Account{ExternalID: m[2] + "/" + m[3], Name: "Slack incoming webhook " + m[3] + " (checked at the first post)"}
	return creds, acct, nil
}

func (c *Client) connectBot(ctx context.Context, token, channel string) (*publishers.Credentials, publishers.Account, error) {
	switch {
	case token == "":
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken, Message: "A channel needs a bot token: paste the app's Bot User OAuth Token (xoxb-…)."}
	case strings.HasPrefix(token, "xoxp-"):
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken,
			Message: "This is a user token (xoxp-). Use the app's Bot User OAuth Token, which starts with xoxb-."}
	case !tokenShape.MatchString(token):
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken,
			Message: "This is not a bot token. Copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page."}
	case channel == "":
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldChannel, Message: "Enter the ID of the channel to post to (like C0123456789)."}
	case !channelShape.MatchString(channel):
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldChannel,
			Message: "Enter the channel's ID (like C0123456789), not its name: open the channel's details in Slack; the ID is at the bottom."}
	}
	var who authTest
	header, err := c.apiCall(ctx, opRead, token, "auth.test", url.Values{}, &who)
	if err != nil {
		if publishers.KindOf(err) == publishers.KindAuthExpired {
			return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken,
				Message: "Slack does not accept this token: it may be mistyped, or the app was uninstalled. Copy the current Bot User OAuth Token."}
		}
		return nil, publishers.Account{}, err
	}
	if who.BotID == "" {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken, Message: "This token does not belong to a bot. Use the app's Bot User OAuth Token (xoxb-…)."}
	}
	if scopes := header.Get("X-OAuth-Scopes"); scopes != "" && !hasScope(scopes, "chat:write") {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken,
			Message: "The app cannot post: add the chat:write scope under OAuth & Permissions, reinstall the app, and paste its token again."}
	}
	var info conversationInfo
	if _, err := c.apiCall(ctx, opRead, token, "conversations.info", url.Values{"channel": {channel}}, &info); err != nil {
		var pe *publishers.Error
		switch {
		case errors.As(err, &pe) && pe.Code == "channel_not_found":
			return nil, publishers.Account{}, &publishers.FieldError{Field: FieldChannel,
				Message: "Slack has no channel with this ID that the app can see. Check the ID; for a private channel, invite the app first (/invite @" + who.User + ")."}
		case errors.As(err, &pe) && pe.Code == "missing_scope":
			return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken, Message: "The app cannot read channels: " + pe.Message + "."}
		case publishers.KindOf(err) == publishers.KindAuthExpired:
			return nil, publishers.Account{}, &publishers.FieldError{Field: FieldBotToken, Message: pe.Message + "."}
		}
		return nil, publishers.Account{}, err
	}
	ch := info.Channel
	switch {
	case ch.IsArchived:
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldChannel, Message: "#" + ch.Name + " is archived. Choose a channel that is in use."}
	case !ch.IsMember:
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldChannel,
			Message: "The app is not a member of #" + ch.Name + ". In Slack, type /invite @" + who.User + " in the channel, then try again."}
	}
	teamURL := who.URL
	if teamURL != "" && !strings.HasSuffix(teamURL, "/") {
		teamURL += "/"
	}
	creds := &publishers.Credentials{AccessToken: token, Extra: map[string]string{
		ExtraMode: ModeBot, ExtraChannelID: ch.ID, ExtraTeamURL: teamURL, ExtraBotID: who.BotID,
	}}
	acct := publishers.Account{ExternalID: ch.ID, Name: "#" + ch.Name, Handle: who.Team}
	if teamURL != "" {
		acct.URL = teamURL + "archives/" + ch.ID
	}
	return creds, acct, nil
}

// hasScope reports whether a comma-separated scope list (X-OAuth-Scopes) holds scope.
func hasScope(list, scope string) bool {
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == scope {
			return true
		}
	}
	return false
}
