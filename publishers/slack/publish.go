package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// Publish posts through the channel's webhook or with its bot token.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "a Slack post needs text"}
	}
	if creds != nil && creds.Get(ExtraMode) == ModeWebhook {
		return c.publishWebhook(ctx, creds, p)
	}
	s, err := botSession(creds)
	if err != nil {
		return publishers.Published{}, err
	}
	if len(p.Media) > 0 {
		return c.publishFiles(ctx, s, p)
	}
	var posted struct {
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	}
	if _, err := c.apiCall(ctx, opSend, s.token, "chat.postMessage", url.Values{"channel": {s.channel}, "text": {escape(p.Text)}}, &posted); err != nil {
		return publishers.Published{}, err
	}
	if posted.TS == "" {
		return publishers.Published{}, badAnswer(opSend, fmt.Errorf("chat.postMessage returned no ts"))
	}
	return c.published(ctx, s, posted.TS), nil
}

// publishWebhook posts {"text": …} to the incoming webhook. Slack answers "ok" and nothing else,
// so the post has no id and no link.
func (c *Client) publishWebhook(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if len(p.Media) > 0 {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "a Slack incoming webhook cannot post images; remove the attachments, or reconnect the channel with a bot token"}
	}
	path := creds.AccessToken
	if !strings.HasPrefix(path, "/services/") {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no webhook is stored for this Slack channel; reconnect it"}
	}
	body, err := json.Marshal(map[string]string{"text": escape(p.Text)})
	if err != nil {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the message could not be encoded", Err: err}
	}
	req := httpapi.Request{Method: http.MethodPost, URL: c.hooks + path, Body: body, Once: true,
		Header: http.Header{"Content-Type": {"application/json"}}}
	resp, fail := httpapi.Do(ctx, c.http, req, 64<<10, c.redact)
	if fail != nil {
		return publishers.Published{}, hookAPI.Failed(fail, true)
	}
	if resp.Status == http.StatusOK {
		return publishers.Published{PublishedAt: c.opts.Now().UTC()}, nil
	}
	return publishers.Published{}, classify(resp.Status, resp.Header, apiResponse{Error: webhookCode(resp.Body)}, opSend, c.opts.Now())
}

// uploadTicket is files.getUploadURLExternal's answer.
type uploadTicket struct {
	UploadURL string `json:"upload_url"`
	FileID    string `json:"file_id"`
}

// completedFile is the part of files.completeUploadExternal's files Herald reads: where each
// file was shared, when Slack already says.
type completedFile struct {
	ID     string `json:"id"`
	Shares struct {
		Public  map[string][]struct{ TS string } `json:"public"`
		Private map[string][]struct{ TS string } `json:"private"`
	} `json:"shares"`
}

// publishFiles uploads each attachment (files.getUploadURLExternal, then a POST of its bytes to
// the URL Slack returned) and shares them all in one message with the text as its initial
// comment (files.completeUploadExternal). Slack shares files asynchronously: the message's ts is
// read from the answer when it is there, otherwise looked for in the channel's history.
func (c *Client) publishFiles(ctx context.Context, s session, p publishers.Post) (publishers.Published, error) {
	type fileRef struct {
		ID    string `json:"id"`
		Title string `json:"title,omitempty"`
	}
	refs := make([]fileRef, 0, len(p.Media))
	for i, m := range p.Media {
		id, err := c.upload(ctx, s, i+1, m)
		if err != nil {
			return publishers.Published{}, err
		}
		refs = append(refs, fileRef{ID: id})
	}
	files, err := json.Marshal(refs)
	if err != nil {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: "the files could not be encoded", Err: err}
	}
	args := url.Values{"files": {string(files)}, "channel_id": {s.channel}}
	if strings.TrimSpace(p.Text) != "" {
		args.Set("initial_comment", escape(p.Text))
	}
	var done struct {
		Files []completedFile `json:"files"`
	}
	if _, err := c.apiCall(ctx, opSend, s.token, "files.completeUploadExternal", args, &done); err != nil {
		return publishers.Published{}, err
	}
	ts := ""
	for _, f := range done.Files {
		for _, shares := range []map[string][]struct{ TS string }{f.Shares.Public, f.Shares.Private} {
			if list := shares[s.channel]; len(list) > 0 && ts == "" {
				ts = list[0].TS
			}
		}
	}
	if ts == "" {
		ts = c.findShare(ctx, s, refs[0].ID)
	}
	if ts == "" {
		return publishers.Published{PublishedAt: c.opts.Now().UTC(), Warnings: []string{
			"Slack had not yet shown the message with the files when Herald looked, so the post has no link in Herald and its engagement cannot be collected."}}, nil
	}
	return c.published(ctx, s, ts), nil
}

// upload sends attachment n (1-based) and returns its file id.
func (c *Client) upload(ctx context.Context, s session, n int, m publishers.Media) (string, error) {
	if m.Open == nil {
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: fmt.Sprintf("attachment %d has no content", n)}
	}
	data, err := m.Open(ctx)
	if err != nil {
		return "", &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: fmt.Sprintf("attachment %d could not be read from Herald's storage", n), Err: err}
	}
	args := url.Values{"filename": {fmt.Sprintf("attachment-%d%s", n, content.FileExtension(m.MIME, m.Kind))}, "length": {strconv.Itoa(len(data))}}
	if alt := strings.TrimSpace(m.AltText); alt != "" {
		if r := []rune(alt); len(r) > 1000 {
			alt = string(r[:1000])
		}
		args.Set("alt_txt", alt)
	}
	var ticket uploadTicket
	if _, err := c.apiCall(ctx, opWrite, s.token, "files.getUploadURLExternal", args, &ticket); err != nil {
		return "", err
	}
	if ticket.UploadURL == "" || ticket.FileID == "" {
		return "", badAnswer(opWrite, fmt.Errorf("files.getUploadURLExternal returned no upload URL"))
	}
	ctype := m.MIME
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	resp, fail := httpapi.Do(ctx, c.http, httpapi.Request{Method: http.MethodPost, URL: ticket.UploadURL, Body: data,
		Header: http.Header{"Content-Type": {ctype}}}, 64<<10, c.redact)
	if fail != nil {
		return "", transportError(fail, opWrite)
	}
	if resp.Status != http.StatusOK {
		e := classify(resp.Status, resp.Header, apiResponse{Error: webhookCode(resp.Body)}, opWrite, c.opts.Now())
		e.Message = fmt.Sprintf("Slack did not take attachment %d: %s", n, e.Message)
		return "", e
	}
	return ticket.FileID, nil
}

// findShare polls the channel's latest messages for the one sharing fileID, for up to ShareWait.
func (c *Client) findShare(ctx context.Context, s session, fileID string) string {
	deadline := time.Now().Add(c.opts.ShareWait)
	wait := 250 * time.Millisecond
	for {
		var h history
		if _, err := c.apiCall(ctx, opRead, s.token, "conversations.history", url.Values{"channel": {s.channel}, "limit": {"20"}}, &h); err == nil {
			for _, m := range h.Messages {
				for _, f := range m.Files {
					if f.ID == fileID {
						return m.TS
					}
				}
			}
		}
		if time.Now().Add(wait).After(deadline) {
			return ""
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ""
		case <-t.C:
		}
		wait *= 2
	}
}

// published describes the message ts in the channel, with its permalink (chat.getPermalink;
// when that fails, the link Slack's permalinks are made of).
func (c *Client) published(ctx context.Context, s session, ts string) publishers.Published {
	pub := publishers.Published{ExternalID: ts, PublishedAt: tsTime(ts, c.opts.Now())}
	var link struct {
		Permalink string `json:"permalink"`
	}
	if _, err := c.apiCall(ctx, opRead, s.token, "chat.getPermalink", url.Values{"channel": {s.channel}, "message_ts": {ts}}, &link); err == nil && link.Permalink != "" {
		pub.URL = link.Permalink
	} else if s.teamURL != "" {
		pub.URL = s.teamURL + "archives/" + s.channel + "/p" + strings.ReplaceAll(ts, ".", "")
	}
	return pub
}

// tsTime reads a message ts ("1712345678.123456", seconds since 1970) as a time.
func tsTime(ts string, fallback time.Time) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return fallback.UTC()
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(n, us*1000).UTC()
}
