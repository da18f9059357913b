package slack

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// history is conversations.history's (and conversations.replies') answer.
type history struct {
	Messages []struct {
		TS         string `json:"ts"`
		Text       string `json:"text"`
		BotID      string `json:"bot_id"`
		Subtype    string `json:"subtype"`
		ReplyCount int64  `json:"reply_count"`
		Files      []struct {
			ID string `json:"id"`
		} `json:"files"`
	} `json:"messages"`
	HasMore          bool `json:"has_more"`
	ResponseMetadata struct {
		NextCursor string `json:"next_cursor"`
	} `json:"response_metadata"`
}

// reactionsAnswer is reactions.get's answer for a message.
type reactionsAnswer struct {
	Message struct {
		Reactions []struct {
			Name  string `json:"name"`
			Count int64  `json:"count"`
		} `json:"reactions"`
	} `json:"message"`
}

// Metrics reads, for each message ts, its reactions (reactions.get: the sum of every reaction's
// count, as likes) and its thread's replies (conversations.replies: the parent's reply_count).
// Messages Slack no longer has are absent from the map. A webhook channel has no message ids and
// gets an empty map.
func (c *Client) Metrics(ctx context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	out := map[string]publishers.Metrics{}
	if creds != nil && creds.Get(ExtraMode) == ModeWebhook {
		return out, nil
	}
	s, err := botSession(creds)
	if err != nil {
		return nil, err
	}
	for _, ts := range externalIDs {
		if ts == "" {
			continue
		}
		if _, seen := out[ts]; seen {
			continue
		}
		var r reactionsAnswer
		if _, err := c.apiCall(ctx, opRead, s.token, "reactions.get", url.Values{"channel": {s.channel}, "timestamp": {ts}, "full": {"true"}}, &r); err != nil {
			if gone(err) {
				continue
			}
			return nil, err
		}
		var likes int64
		for _, re := range r.Message.Reactions {
			likes += re.Count
		}
		var h history
		if _, err := c.apiCall(ctx, opRead, s.token, "conversations.replies", url.Values{"channel": {s.channel}, "ts": {ts}, "limit": {"1"}}, &h); err != nil {
			if gone(err) {
				continue
			}
			return nil, err
		}
		var replies int64
		if len(h.Messages) > 0 {
			replies = h.Messages[0].ReplyCount
		}
		out[ts] = publishers.Metrics{Likes: &likes, Replies: &replies}
	}
	return out, nil
}

// gone reports whether Slack said the message no longer exists.
func gone(err error) bool {
	var pe *publishers.Error
	return errors.As(err, &pe) && (pe.Code == "message_not_found" || pe.Code == "thread_not_found")
}

// FindPublished's search bounds.
const (
	findLead  = 5 * time.Minute
	findSkew  = 5 * time.Minute
	findPages = 3
	findLimit = 200
)

// FindPublished looks for p in the channel's history between 5 minutes before its scheduled
// time and now: a message from the app's bot with the same text (as Herald sent it, escaped).
// It returns (nil, nil) only when the history of that window was read to its end. A webhook
// channel cannot read the channel: it answers "cannot tell".
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	const cannotTell = "could not tell whether the post was published on Slack"
	if creds != nil && creds.Get(ExtraMode) == ModeWebhook {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: "a Slack incoming webhook cannot read the channel, so Herald cannot tell whether the post was published; check the channel"}
	}
	s, err := botSession(creds)
	if err != nil {
		return nil, unknown(err, cannotTell)
	}
	now := c.opts.Now()
	args := url.Values{"channel": {s.channel}, "limit": {strconv.Itoa(findLimit)}, "inclusive": {"true"},
		"latest": {slackTS(now.Add(findSkew))}}
	if !p.ScheduledAt.IsZero() {
		args.Set("oldest", slackTS(p.ScheduledAt.Add(-findLead)))
	}
	want := strings.TrimSpace(escape(p.Text))
	found := ""
	for page := 0; page < findPages; page++ {
		var h history
		if _, err := c.apiCall(ctx, opRead, s.token, "conversations.history", args, &h); err != nil {
			return nil, unknown(err, cannotTell)
		}
		for _, m := range h.Messages {
			if (s.botID == "" || m.BotID == s.botID) && strings.TrimSpace(m.Text) == want && len(m.Files) == len(p.Media) {
				// Newest first: the last match is the earliest.
				found = m.TS
			}
		}
		if !h.HasMore || h.ResponseMetadata.NextCursor == "" {
			if found == "" {
				return nil, nil
			}
			break
		}
		args.Set("cursor", h.ResponseMetadata.NextCursor)
	}
	if found == "" {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: "the channel had too many messages around the post's time for Herald to read them all; check the channel"}
	}
	pub := c.published(ctx, s, found)
	return &pub, nil
}

// slackTS formats a time as a message ts bound.
func slackTS(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + strconv.FormatInt(int64(t.Nanosecond()/1000)+1_000_000, 10)[1:]
}

// unknown turns a failure of FindPublished into "cannot tell", keeping the cause.
func unknown(err error, msg string) error {
	e := &publishers.Error{Kind: publishers.KindUnknown, Network: Name, Message: msg, Err: err}
	var pe *publishers.Error
	if errors.As(err, &pe) {
		e.Status, e.RetryAfter = pe.Status, pe.RetryAfter
		if pe.Message != "" {
			e.Message = msg + ": " + pe.Message
		}
	}
	return e
}
