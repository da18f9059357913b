package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// message is the part of the Bot API's Message Herald reads.
type message struct {
	MessageID int64 `json:"message_id"`
	Date      int64 `json:"date"`
	Chat      chat  `json:"chat"`
}

// linkPreviewOptions is the Bot API's LinkPreviewOptions.
type linkPreviewOptions struct {
	IsDisabled bool `json:"is_disabled"`
}

// sendMessageParams are sendMessage's parameters. parse_mode is left out on purpose: the text
// goes out exactly as approved, with no Markdown or HTML interpretation.
type sendMessageParams struct {
	ChatID             string             `json:"chat_id"`
	Text               string             `json:"text"`
	LinkPreviewOptions linkPreviewOptions `json:"link_preview_options"`
}

// inputMedia is an InputMediaPhoto or InputMediaVideo of sendMediaGroup.
type inputMedia struct {
	Type              string `json:"type"`  // "photo" or "video"
	Media             string `json:"media"` // "attach://<part name>"
	Caption           string `json:"caption,omitempty"`
	SupportsStreaming bool   `json:"supports_streaming,omitempty"`
}

// Publish sends the post: sendMessage for text alone, sendPhoto, sendVideo or sendAnimation for
// one attachment (the text as its caption), sendMediaGroup for two to ten photos and videos
// (the text as the first item's caption).
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if creds == nil || creds.AccessToken == "" || creds.Get(ExtraChatID) == "" {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no bot token or chat is stored for this channel; reconnect it"}
	}
	token, chatID := creds.AccessToken, creds.Get(ExtraChatID)
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "a Telegram post needs text or an attachment"}
	}
	switch {
	case len(p.Media) == 0:
		var m message
		err := c.callJSON(ctx, opSend, token, "sendMessage", sendMessageParams{
			ChatID: chatID, Text: p.Text, LinkPreviewOptions: linkPreviewOptions{IsDisabled: c.opts.DisableLinkPreviews},
		}, &m)
		if err != nil {
			return publishers.Published{}, err
		}
		return c.published(m), nil
	case len(p.Media) == 1:
		return c.sendOne(ctx, token, chatID, p.Text, p.Media[0])
	case len(p.Media) <= 10:
		return c.sendGroup(ctx, token, chatID, p.Text, p.Media)
	}
	return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
		Message: fmt.Sprintf("Telegram takes at most 10 attachments in one post, not %d", len(p.Media))}
}

// sendOne sends one attachment with the text as its caption.
func (c *Client) sendOne(ctx context.Context, token, chatID, caption string, m publishers.Media) (publishers.Published, error) {
	method, field := "sendPhoto", "photo"
	switch m.Kind {
	case content.KindVideo:
		method, field = "sendVideo", "video"
	case content.KindGIF:
		method, field = "sendAnimation", "animation"
	}
	data, err := readMedia(ctx, 1, m)
	if err != nil {
		return publishers.Published{}, err
	}
	fields := [][2]string{{"chat_id", chatID}}
	if caption != "" {
		fields = append(fields, [2]string{"caption", caption})
	}
	if m.Kind == content.KindVideo {
		fields = append(fields, [2]string{"supports_streaming", "true"})
	}
	body, ctype, err := multipartBody(fields, []filePart{{name: field, media: m, data: data, n: 1}})
	if err != nil {
		return publishers.Published{}, encodeError(err)
	}
	var msg message
	if err := c.call(ctx, opSend, token, method, body, ctype, &msg); err != nil {
		return publishers.Published{}, err
	}
	return c.published(msg), nil
}

// sendGroup sends two to ten photos and videos as an album; the caption goes on the first item,
// which Telegram shows as the album's caption.
func (c *Client) sendGroup(ctx context.Context, token, chatID, caption string, media []publishers.Media) (publishers.Published, error) {
	items := make([]inputMedia, 0, len(media))
	parts := make([]filePart, 0, len(media))
	for i, m := range media {
		typ := "photo"
		switch m.Kind {
		case content.KindVideo:
			typ = "video"
		case content.KindGIF:
			return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
				Message: "Telegram sends a GIF only on its own, not in an album with other attachments"}
		}
		data, err := readMedia(ctx, i+1, m)
		if err != nil {
			return publishers.Published{}, err
		}
		name := "file" + strconv.Itoa(i)
		item := inputMedia{Type: typ, Media: "attach://" + name, SupportsStreaming: typ == "video"}
		if i == 0 {
			item.Caption = caption
		}
		items = append(items, item)
		parts = append(parts, filePart{name: name, media: m, data: data, n: i + 1})
	}
	mediaJSON, err := json.Marshal(items)
	if err != nil {
		return publishers.Published{}, encodeError(err)
	}
	body, ctype, err := multipartBody([][2]string{{"chat_id", chatID}, {"media", string(mediaJSON)}}, parts)
	if err != nil {
		return publishers.Published{}, encodeError(err)
	}
	var msgs []message
	if err := c.call(ctx, opSend, token, "sendMediaGroup", body, ctype, &msgs); err != nil {
		return publishers.Published{}, err
	}
	if len(msgs) == 0 {
		return publishers.Published{}, badAnswer(opSend, fmt.Errorf("sendMediaGroup returned no messages"))
	}
	return c.published(msgs[0]), nil
}

// published describes a sent message. The link uses the chat's username as Telegram returned it
// with the message, so a renamed channel still gets a working link.
func (c *Client) published(m message) publishers.Published {
	at := time.Unix(m.Date, 0).UTC()
	if m.Date == 0 {
		at = c.opts.Now().UTC()
	}
	return publishers.Published{ExternalID: strconv.FormatInt(m.MessageID, 10), URL: PostURL(m.Chat.ID, m.Chat.Username, m.MessageID), PublishedAt: at}
}

// PostURL is the t.me link of a message: https://t.me/<username>/<id> in a public chat,
// https://t.me/c/<internal id>/<id> in a private channel or supergroup (the chat id without its
// -100 prefix, a link that opens for members only), and "" in a basic group, which has no links.
func PostURL(chatID int64, username string, messageID int64) string {
	if username != "" {
		return fmt.Sprintf("https://t.me/%s/%d", username, messageID)
	}
	if s := strconv.FormatInt(chatID, 10); strings.HasPrefix(s, "-100") && len(s) > 4 {
		return fmt.Sprintf("https://t.me/c/%s/%d", s[4:], messageID)
	}
	return ""
}

// filePart is one uploaded file of a multipart body.
type filePart struct {
	name  string
	media publishers.Media
	data  []byte
	n     int // 1-based, for file names and messages
}

// multipartBody encodes fields and files as multipart/form-data, how the Bot API takes uploads.
func multipartBody(fields [][2]string, files []filePart) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, "", err
		}
	}
	for _, f := range files {
		mimeType := f.media.MIME
		if mimeType == "" {
			mimeType = "application/octet-stream"
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="attachment-%d%s"`, f.name, f.n, content.FileExtension(mimeType, f.media.Kind)))
		h.Set("Content-Type", mimeType)
		part, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		if _, err := part.Write(f.data); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// readMedia reads attachment n (1-based) from Herald's storage.
func readMedia(ctx context.Context, n int, m publishers.Media) ([]byte, error) {
	if m.Open == nil {
		return nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: fmt.Sprintf("attachment %d has no content", n)}
	}
	data, err := m.Open(ctx)
	if err != nil {
		return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: fmt.Sprintf("attachment %d could not be read from Herald's storage", n), Err: err}
	}
	return data, nil
}

func encodeError(err error) error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the attachments could not be encoded", Err: err}
}
