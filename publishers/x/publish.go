package x

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// tweetRequest is the body of POST /2/tweets (TweetCreateRequest in X's API description, which
// allows no other properties).
type tweetRequest struct {
	Text  string      `json:"text,omitempty"`
	Media *tweetMedia `json:"media,omitempty"`
	Reply *tweetReply `json:"reply,omitempty"`
}

type tweetMedia struct {
	MediaIDs []string `json:"media_ids"`
}

type tweetReply struct {
	InReplyToTweetID string `json:"in_reply_to_tweet_id"`
}

// created is the data of TweetCreateResponse.
type created struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Publish posts p: its attachments, the post, then each part of its thread as a reply to the
// part before, then its first comment as a reply to the last part. Once the first post exists
// Publish succeeds, and what fails afterwards is reported in Published.Warnings (see the package
// documentation). Published.Quota carries the account's 24-hour post cap as X last reported it.
//
// creds may be renewed on the way (an expired or refused token); the caller compares and saves.
func (c *Client) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "a post on X needs text or an attachment"}
	}
	s, err := c.session(ctx, creds, true)
	if err != nil {
		return publishers.Published{}, err
	}
	first, quota, err := s.post(ctx, p.Text, p.Media, "")
	if err != nil {
		return publishers.Published{}, err
	}
	username := creds.Get(ExtraUsername)
	pub := publishers.Published{ExternalID: first.ID, URL: postURL(username, first.ID), PublishedAt: createdAt(first.ID, c.opts.Now()), Quota: quota}

	warn := func(msg string) {
		pub.Warnings = append(pub.Warnings, msg)
		c.opts.Logger.WarnContext(ctx, "x: the post was published but a later part was not",
			"post_id", pub.ExternalID, "warning", msg)
	}
	last := first.ID
	total := 1 + len(p.Thread)
	complete := true
	for i, part := range p.Thread {
		n := i + 2 // the first post is part 1
		if strings.TrimSpace(part.Text) == "" && len(part.Media) == 0 {
			warn(fmt.Sprintf("Part %d of %d of the thread is empty and was skipped.", n, total))
			continue
		}
		got, q, err := s.post(ctx, part.Text, part.Media, last)
		if q != nil {
			pub.Quota = q
		}
		if err != nil {
			warn(partFailure(fmt.Sprintf("Part %d of %d of the thread", n, total), n, total, err))
			complete = false
			break
		}
		last = got.ID
	}
	if strings.TrimSpace(p.FirstComment) != "" {
		if !complete {
			warn("The first comment was not posted because the thread is incomplete; post it by hand once the thread is finished.")
		} else {
			_, q, err := s.post(ctx, p.FirstComment, nil, last)
			if q != nil {
				pub.Quota = q
			}
			if err != nil {
				warn(partFailure("The first comment", 0, 0, err))
			}
		}
	}
	return pub, nil
}

// partFailure says in plain words that a reply after the post failed, and what that leaves.
func partFailure(what string, n, total int, err error) string {
	var s string
	if publishers.KindOf(err) == publishers.KindUnknown {
		// The reply may exist: retrying could post it twice, and so could a person who does not
		// look first.
		s = what + " may or may not have been published (X did not confirm it); check the thread on X, because Herald does not retry it."
	} else {
		s = what + " was not published: " + strings.TrimSuffix(publishers.Message(err), ".") + "."
	}
	if n > 0 && n < total {
		if n+1 == total {
			s += fmt.Sprintf(" Part %d was not attempted.", total)
		} else {
			s += fmt.Sprintf(" Parts %d to %d were not attempted.", n+1, total)
		}
	}
	return s
}

// post uploads media and creates one post, replying to replyTo when set. The quota is the
// 24-hour post cap the answer carried (nil without one), also on a refusal.
func (s *session) post(ctx context.Context, text string, media []publishers.Media, replyTo string) (created, *publishers.Quota, error) {
	body := tweetRequest{Text: text}
	if len(media) > 0 {
		ids := make([]string, 0, len(media))
		for i, m := range media {
			id, err := s.upload(ctx, i+1, m)
			if err != nil {
				return created{}, nil, err
			}
			ids = append(ids, id)
		}
		body.Media = &tweetMedia{MediaIDs: ids}
	}
	if replyTo != "" {
		body.Reply = &tweetReply{InReplyToTweetID: replyTo}
	}
	var out struct {
		Data created `json:"data"`
	}
	resp, err := s.postJSON(ctx, opCreate, s.c.opts.APIBaseURL, "/2/tweets", body, &out)
	var quota *publishers.Quota
	if resp != nil {
		if q, ok := quotaFrom(resp.header, s.c.opts.Now()); ok {
			quota = &q
		}
	}
	if err != nil {
		return created{}, quota, err
	}
	if out.Data.ID == "" {
		return created{}, quota, badAnswer(opCreate, fmt.Errorf("the created post has no id"))
	}
	return out.Data, quota, nil
}

// twitterEpoch is the start of X's snowflake ids, in Unix milliseconds.
const twitterEpoch = 1288834974657

// createdAt is when X created post id, read from the id itself (a snowflake: milliseconds since
// X's epoch in the bits above the 22 lowest), since the create answer has no created_at. now
// stands in for an id that is not a snowflake or decodes to an implausible time.
func createdAt(id string, now time.Time) time.Time {
	n, err := strconv.ParseInt(id, 10, 64)
	if err == nil && n > 0 {
		t := time.UnixMilli(n>>22 + twitterEpoch).UTC()
		if t.After(time.Date(2010, 11, 5, 0, 0, 0, 0, time.UTC)) && t.Before(now.Add(24*time.Hour)) {
			return t
		}
	}
	return now.UTC()
}
