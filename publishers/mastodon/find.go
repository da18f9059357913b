package mastodon

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// FindPublished's search bounds.
const (
	// findLead is how long before the scheduled time a post may have gone out (a worker that
	// claimed it early).
	findLead = 5 * time.Minute
	// findSkew is how far past Herald's now a status's created_at may be: the instance's clock
	// may run ahead.
	findSkew = 5 * time.Minute
	// findPageSize is the most statuses Mastodon returns per page.
	findPageSize = 40
	// findPages bounds the pages read: three pages reach back 120 statuses, far more than any
	// account posts between a crash and its reconciliation.
	findPages = 3
)

// FindPublished looks for p among the account's recent statuses, without relying on the
// idempotency key (not every compatible server honours it): a status that is not a reply or a
// boost, created within [p.ScheduledAt − 5 min, now], with as many attachments as p and the
// same visible text (the status's HTML reduced to text; whitespace, links and mentions
// compared as Mastodon displays them). When several match, the earliest wins.
//
// It returns (nil, nil) only when the statuses read reach back past the window's start (or to
// the account's first status); otherwise, and on any failure, an error of kind KindUnknown that
// wraps the cause (an expired token or a rate limit can be found by unwrapping). A found post that
// should have replies of its own (the parts of its thread, a first comment) may carry a warning
// that they did not follow it (see missingParts); FindPublished never publishes them.
func (c *Client) FindPublished(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	const cannotTell = "could not tell whether the post was published on Mastodon"
	s, err := c.session(creds)
	if err != nil {
		return nil, unknown(err, cannotTell)
	}
	accountID := creds.Get(ExtraAccountID)
	if accountID == "" {
		var acct account
		if _, err := c.getJSON(ctx, s, "/api/v1/accounts/verify_credentials", nil, &acct); err != nil {
			return nil, unknown(err, cannotTell)
		}
		accountID = acct.ID
	}
	if accountID == "" {
		return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
			Message: cannotTell + ": the server did not say which account the token belongs to"}
	}
	now := c.opts.Now()
	var start time.Time
	if !p.ScheduledAt.IsZero() {
		start = p.ScheduledAt.Add(-findLead)
	}
	want := visibleForms(p.Text)

	var found *status
	covered := false
	maxID := ""
	for page := 0; page < findPages && !covered; page++ {
		q := url.Values{
			"limit":           {strconv.Itoa(findPageSize)},
			"exclude_replies": {"false"},
			"exclude_reblogs": {"true"},
		}
		if maxID != "" {
			q.Set("max_id", maxID)
		}
		var statuses []status
		if _, err := c.getJSON(ctx, s, "/api/v1/accounts/"+url.PathEscape(accountID)+"/statuses", q, &statuses); err != nil {
			return nil, unknown(err, cannotTell)
		}
		if len(statuses) == 0 {
			// The account's whole history has been read.
			covered = true
			break
		}
		for i := range statuses {
			st := &statuses[i]
			created, ok := parseTime(st.CreatedAt)
			if !ok {
				continue
			}
			if !start.IsZero() && created.Before(start) {
				covered = true
				continue
			}
			if created.After(now.Add(findSkew)) || st.Reblog != nil || st.InReplyToID != nil ||
				len(st.MediaAttachments) != len(p.Media) {
				continue
			}
			if want[normalizeSpace(htmlText(st.Content))] {
				// Pages run newest first, so the last match is the earliest.
				found = st
			}
		}
		maxID = statuses[len(statuses)-1].ID
	}
	if found != nil {
		pub := found.published(now)
		if w := c.missingParts(ctx, s, accountID, found.ID, p); w != "" {
			pub.Warnings = append(pub.Warnings, w)
		}
		return &pub, nil
	}
	if covered {
		return nil, nil
	}
	return nil, &publishers.Error{Kind: publishers.KindUnknown, Network: Name,
		Message: "the account's recent statuses do not reach back to the post's scheduled time, so Herald cannot tell whether it was published"}
}

// remoteMention matches "@user@domain" where a mention may start.
var remoteMention = regexp.MustCompile(`(^|[^\p{L}\p{N}_/@])@([\p{L}\p{N}_.-]*[\p{L}\p{N}_])@[\p{L}\p{N}.-]+\.[\p{L}\p{N}-]+`)

// visibleForms are the normalised texts a status made from text may show: as typed, and with
// remote mentions shortened to "@user", as Mastodon displays the mentions it resolves.
func visibleForms(text string) map[string]bool {
	full := normalizeSpace(text)
	short := normalizeSpace(remoteMention.ReplaceAllString(text, "$1@$2"))
	return map[string]bool{full: true, short: true}
}

// normalizeSpace collapses every run of white space to one space and trims the ends: Mastodon
// turns line breaks into <br> and paragraphs into <p>, which come back as different white space.
func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// htmlText reduces a status's HTML content to the text a reader sees: tags are dropped (the
// text inside them kept: Mastodon splits a long link into "invisible" and "ellipsis" spans whose
// concatenation is the URL as typed), <br> and paragraph ends become line breaks, and entities
// are decoded.
func htmlText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		end := tagEnd(s, i)
		name := tagName(s[i+1 : end])
		switch name {
		case "br", "/p", "p":
			b.WriteByte('\n')
		}
		i = end + 1
	}
	return html.UnescapeString(b.String())
}

// tagEnd returns the index of the '>' closing the tag that starts at i, skipping quoted
// attribute values; len(s) when the tag is not closed.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j
		}
	}
	return len(s)
}

// tagName is the lower-case name of a tag's inside ("/p", "br", "a"), with "/" kept for closing
// tags and dropped for self-closing ones.
func tagName(inside string) string {
	inside = strings.TrimSpace(inside)
	n := 0
	for n < len(inside) && inside[n] != ' ' && inside[n] != '\t' && inside[n] != '\n' && inside[n] != '>' {
		n++
	}
	return strings.ToLower(strings.TrimSuffix(inside[:n], "/"))
}

// contextLimit is the most descendants Mastodon returns for a status to a signed-in account
// (ContextsController's CONTEXT_LIMIT): a context that long may have left some out.
const contextLimit = 4096

// missingParts checks, for the found status id, whether the later parts of p's thread and its
// first comment followed it, by walking the account's own replies in the status's context: each
// part must be a reply of the account to the part before, with the part's text, and the first
// comment a reply to the last part. It returns a warning naming what is missing, or "" when
// everything is there or Herald cannot be sure: the context could not be read or may be cut
// short, or the account replied with something Herald cannot match (a reply edited, or written
// by hand). It is sure only when the account has no reply at all where the next part belongs.
func (c *Client) missingParts(ctx context.Context, s session, accountID, id string, p publishers.Post) string {
	comment := strings.TrimSpace(p.FirstComment) != ""
	if len(p.Thread) == 0 && !comment {
		return ""
	}
	var tree struct {
		Descendants []status `json:"descendants"`
	}
	if _, err := c.getJSON(ctx, s, "/api/v1/statuses/"+url.PathEscape(id)+"/context", nil, &tree); err != nil {
		c.opts.Logger.WarnContext(ctx, "mastodon: could not read the found post's replies", "status_id", id,
			"kind", publishers.KindOf(err).String())
		return ""
	}
	if len(tree.Descendants) >= contextLimit {
		return ""
	}
	own := map[string][]status{} // parent id → the account's replies to it
	for _, d := range tree.Descendants {
		if d.InReplyToID != nil && d.Account.ID == accountID && d.Reblog == nil {
			own[*d.InReplyToID] = append(own[*d.InReplyToID], d)
		}
	}
	// next finds the account's reply to parent with text; sure is false when the account replied
	// there with something else.
	next := func(parent, text string, media int) (st *status, sure bool) {
		want := visibleForms(text)
		replies := own[parent]
		for i := range replies {
			if len(replies[i].MediaAttachments) == media && want[normalizeSpace(htmlText(replies[i].Content))] {
				return &replies[i], true
			}
		}
		return nil, len(replies) == 0
	}
	total := 1 + len(p.Thread)
	last := id
	for i, part := range p.Thread {
		st, sure := next(last, part.Text, len(part.Media))
		if st == nil {
			if !sure {
				return ""
			}
			return publishers.MissingAfterFoundWarning(displayName, i+2, total, comment)
		}
		last = st.ID
	}
	if comment {
		if st, sure := next(last, p.FirstComment, 0); st == nil && sure {
			return publishers.MissingAfterFoundWarning(displayName, total+1, total, true)
		}
	}
	return ""
}
