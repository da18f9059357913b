package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// webhook is the part of Discord's webhook object Herald reads.
type webhook struct {
	ID        string `json:"id"`
	Type      int    `json:"type"`
	Name      string `json:"name"`
	Avatar    string `json:"avatar"`
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id"`
}

// message is the part of Discord's message object Herald reads.
type message struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
	Timestamp string `json:"timestamp"`
}

// allowedMentions is Discord's allowed mentions object.
type allowedMentions struct {
	Parse []string `json:"parse"`
}

// noEveryone lets explicit user and role mentions notify but not @everyone or @here (see the
// package documentation for why).
var noEveryone = allowedMentions{Parse: []string{"users", "roles"}}

// attachment is a partial attachment object of the payload: which files[n] part it describes,
// and its alt text.
type attachment struct {
	ID          int    `json:"id"`
	Filename    string `json:"filename"`
	Description string `json:"description,omitempty"`
}

// executeParams are the JSON/form params of Execute Webhook that Herald sends.
type executeParams struct {
	Content         string          `json:"content,omitempty"`
	Username        string          `json:"username,omitempty"`
	AllowedMentions allowedMentions `json:"allowed_mentions"`
	Attachments     []attachment    `json:"attachments,omitempty"`
}

// maxAltText is the longest attachment description Discord takes (1,024 characters).
const maxAltText = 1024

// ConnectForm checks a webhook URL's shape, then reads the webhook from Discord (its name,
// channel and server). A URL Discord does not know is a *publishers.FieldError on the URL.
func (c *Client) ConnectForm(ctx context.Context, values map[string]string) (*publishers.Credentials, publishers.Account, error) {
	raw := strings.TrimSpace(values[FieldWebhookURL])
	if raw == "" {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldWebhookURL,
			Message: "Paste the webhook's URL: in the channel's settings, Integrations → Webhooks → Copy Webhook URL."}
	}
	w, ok := parseWebhookURL(raw)
	if !ok {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldWebhookURL,
			Message: "This is not a Discord webhook URL. It looks like https://discord.com/api/webhooks/ followed by a number and a long code; copy it again from the channel's settings (Integrations → Webhooks)."}
	}
	username := strings.TrimSpace(values[FieldUsername])
	if msg := usernameProblem(username); msg != "" {
		return nil, publishers.Account{}, &publishers.FieldError{Field: FieldUsername, Message: msg}
	}
	var wh webhook
	if err := c.call(ctx, opRead, w, http.MethodGet, "", nil, "", &wh); err != nil {
		if publishers.KindOf(err) == publishers.KindAuthExpired {
			return nil, publishers.Account{}, &publishers.FieldError{Field: FieldWebhookURL,
				Message: "Discord does not know this webhook: it was deleted, or the URL is incomplete. Copy the URL again from the channel's settings."}
		}
		return nil, publishers.Account{}, err
	}
	if wh.ChannelID == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "Discord's description of the webhook names no channel"}
	}
	creds := &publishers.Credentials{AccessToken: w.token, Extra: map[string]string{
		ExtraWebhookID: w.id, ExtraGuildID: wh.GuildID, ExtraChannelID: wh.ChannelID,
	}}
	if username != "" {
		creds.Extra[ExtraUsername] = username
	}
	name := wh.Name
	if username != "" {
		name = username
	}
	acct := publishers.Account{ExternalID: w.id, Name: name, URL: channelURL(wh.GuildID, wh.ChannelID)}
	if wh.Avatar != "" {
		acct.AvatarURL = "https://cdn.discordapp.com/avatars/" + w.id + "/" + wh.Avatar + ".png"
	}
	return creds, acct, nil
}

// usernameProblem says why Discord would refuse name as a webhook's username, or "" when it
// would not (https://discord.com/developers/docs/resources/webhook: 1–80 characters, not
// "clyde" or "discord"; usernames also may not contain @, #, :, ``` nor be "everyone" or "here").
func usernameProblem(name string) string {
	if name == "" {
		return ""
	}
	lower := strings.ToLower(name)
	switch {
	case utf8.RuneCountInString(name) > 80:
		return "Discord takes at most 80 characters for the name."
	case strings.Contains(lower, "discord") || strings.Contains(lower, "clyde"):
		return "Discord does not allow \"discord\" or \"clyde\" in a webhook's name."
	case strings.ContainsAny(name, "@#:") || strings.Contains(name, "```"):
		return "Discord does not allow @, #, : or ``` in a name."
	case lower == "everyone" || lower == "here":
		return "Discord does not allow this name."
	}
	return ""
}

// channelURL is the link to a channel, or "" without its ids.
func channelURL(guildID, channelID string) string {
	if guildID == "" || channelID == "" {
		return ""
	}
	return "https://discord.com/channels/" + guildID + "/" + channelID
}

// Publish executes the webhook with the post's text and attachments and waits for the created
// message.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	s, err := sessionOf(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "a Discord post needs text or an attachment"}
	}
	if len(p.Media) > 10 {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: fmt.Sprintf("Discord takes at most 10 attachments in one message, not %d", len(p.Media))}
	}
	params := executeParams{Content: p.Text, Username: s.username, AllowedMentions: noEveryone}
	var body []byte
	var ctype string
	if len(p.Media) == 0 {
		if body, err = json.Marshal(params); err != nil {
			return publishers.Published{}, encodeError(err)
		}
		ctype = "application/json"
	} else {
		if body, ctype, err = multipartBody(ctx, params, p.Media); err != nil {
			return publishers.Published{}, err
		}
	}
	var m message
	if err := c.call(ctx, opExecute, s.webhookURL, http.MethodPost, "?wait=true", body, ctype, &m); err != nil {
		return publishers.Published{}, err
	}
	if m.ID == "" {
		return publishers.Published{}, badAnswer(opExecute, errors.New("the created message has no id"))
	}
	at, err := time.Parse(time.RFC3339Nano, m.Timestamp)
	if err != nil {
		at = c.opts.Now()
	}
	channel := m.ChannelID
	if channel == "" {
		channel = s.channelID
	}
	u := ""
	if base := channelURL(s.guildID, channel); base != "" {
		u = base + "/" + m.ID
	}
	return publishers.Published{ExternalID: m.ID, URL: u, PublishedAt: at.UTC()}, nil
}

// multipartBody encodes the message as payload_json and the attachments as files[n] parts.
func multipartBody(ctx context.Context, params executeParams, media []publishers.Media) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	type part struct {
		name, filename, mime string
		data                 []byte
	}
	parts := make([]part, 0, len(media))
	for i, m := range media {
		if m.Open == nil {
			return nil, "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: fmt.Sprintf("attachment %d has no content", i+1)}
		}
		data, err := m.Open(ctx)
		if err != nil {
			return nil, "", &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: fmt.Sprintf("attachment %d could not be read from Herald's storage", i+1), Err: err}
		}
		mimeType := m.MIME
		if mimeType == "" {
			mimeType = "application/octet-stream"
		}
		filename := fmt.Sprintf("attachment-%d%s", i+1, content.FileExtension(mimeType, m.Kind))
		alt := strings.TrimSpace(m.AltText)
		if r := []rune(alt); len(r) > maxAltText {
			alt = string(r[:maxAltText])
		}
		params.Attachments = append(params.Attachments, attachment{ID: i, Filename: filename, Description: alt})
		parts = append(parts, part{name: fmt.Sprintf("files[%d]", i), filename: filename, mime: mimeType, data: data})
	}
	payload, err := json.Marshal(params)
	if err != nil {
		return nil, "", encodeError(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(h)
	if err == nil {
		_, err = pw.Write(payload)
	}
	for _, p := range parts {
		if err != nil {
			break
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.filename))
		h.Set("Content-Type", p.mime)
		var fw interface{ Write([]byte) (int, error) }
		if fw, err = w.CreatePart(h); err == nil {
			_, err = fw.Write(p.data)
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, "", encodeError(err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

func encodeError(err error) error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the message could not be encoded", Err: err}
}
