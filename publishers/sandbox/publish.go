package sandbox

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// Publish creates the post on the sandbox. In order, as a real network's API would:
//
//  1. An access token that expires within five minutes is refreshed first (creds is replaced by
//     the new credentials, which the caller saves); an expired one with no refresh token, or a
//     revoked one, fails with KindAuthExpired.
//  2. The ExpiredToken, RateLimit and ServerError switches fail the request.
//  3. A post already published under the same idempotency key, on the same account, is
//     returned as it is (the sandbox honours idempotency).
//  4. A post that breaks the sandbox's content rules, that carries the hashtag #fail, or that
//     meets the Reject switch is refused (KindPermanent).
//  5. The post is stored; with the TimeoutAfterAccept switch the call then fails with KindUnknown
//     as if the answer was lost, and FindPublished finds the post.
//
// The later parts of a thread are posts of their own that reply to the part before them (the
// sandbox's "create post" call takes the post it replies to), created one call after the other
// under their own keys (publishers.PartKey), each going through the steps above: every part meets
// the failure switches, and a part with #fail is refused. The first comment goes with the last
// part, as it goes with the post itself when there is no thread, so it is shown under the last
// part. Once the first post exists Publish succeeds: a part that fails stops the thread there
// (the parts after it and the first comment are not sent) and becomes a Published.Warnings entry.
func (n *Network) Publish(ctx context.Context, creds *publishers.Credentials, p publishers.Post) (publishers.Published, error) {
	if err := ctx.Err(); err != nil {
		return publishers.Published{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "the publish was cancelled before it was sent", Err: err}
	}
	if creds == nil {
		return publishers.Published{}, authError("no_token", "Sandbox got no access token; connect the account again.")
	}
	refreshed := false
	if nc, changed, err := n.Refresh(ctx, creds); err != nil {
		return publishers.Published{}, err
	} else if changed {
		*creds, refreshed = *nc, true
	}
	total := 1 + len(p.Thread)
	// commentOn gives the first comment to the last part: the one it replies to.
	commentOn := func(i int) string {
		if i == total-1 {
			return p.FirstComment
		}
		return ""
	}
	media, err := readMedia(ctx, p.Media)
	if err != nil {
		return publishers.Published{}, err
	}
	first, err := n.create(ctx, creds, &refreshed, createRequest{Key: p.IdempotencyKey, Text: p.Text,
		FirstComment: commentOn(0), Language: p.Language}, media)
	if err != nil {
		return publishers.Published{}, err
	}
	res := first.res
	hasComment := strings.TrimSpace(p.FirstComment) != ""
	last := first.id
	for i, part := range p.Thread {
		var got created
		media, err := readMedia(ctx, part.Media)
		if err == nil {
			got, err = n.create(ctx, creds, &refreshed, createRequest{Key: publishers.PartKey(p.IdempotencyKey, i+1), Text: part.Text,
				FirstComment: commentOn(i + 1), Language: p.Language, ReplyTo: last}, media)
		}
		if err != nil {
			res.Warnings = append(res.Warnings, publishers.ThreadPartWarning(displayName, i+2, total, err, hasComment))
			n.log.Warn("sandbox: the post was published but a later part of its thread was not",
				"post_id", res.ExternalID, "part", i+2, "parts", total, "kind", publishers.KindOf(err).String())
			return res, nil
		}
		last = got.id
	}
	return res, nil
}

// displayName is how warnings name the sandbox.
const displayName = "the sandbox"

// createRequest is one call of the sandbox's "create post" API.
type createRequest struct {
	Key, Text, FirstComment, Language string
	// ReplyTo is the id of the post this one replies to (0: none).
	ReplyTo int64
}

// created is what a create call answers: the post's id and its Published.
type created struct {
	id  int64
	res publishers.Published
}

// create makes one create call, refreshing the token once when the sandbox says it expired
// (refreshed records that it was, for the whole publish).
func (n *Network) create(ctx context.Context, creds *publishers.Credentials, refreshed *bool, req createRequest, media []mediaInfo) (created, error) {
	if err := ctx.Err(); err != nil {
		return created{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "the publish was cancelled before it was sent", Err: err}
	}
	for {
		c, perr := n.publishOnce(creds, req, media)
		// The sandbox may consider a token expired, or have forgotten it, when the credentials
		// did not say so (they carry no expiry, or a clock disagrees): refresh once and try
		// again, as the oauth2 package's transports do.
		if perr != nil && (perr.Code == "token_expired" || perr.Code == "invalid_token") && !*refreshed && creds.RefreshToken != "" {
			nc, err := n.refresh(ctx, creds)
			if err != nil {
				return created{}, err
			}
			*creds, *refreshed = *nc, true
			continue
		}
		if perr != nil {
			return created{}, perr
		}
		return c, nil
	}
}

// publishOnce is one call of the sandbox's "create post" API.
func (n *Network) publishOnce(creds *publishers.Credentials, req createRequest, media []mediaInfo) (created, *publishers.Error) {
	n.mu.Lock()
	acct, perr := n.authenticateLocked(creds)
	if perr != nil {
		n.mu.Unlock()
		return created{}, perr
	}
	h := acct.Handle
	if k, ok := n.takeFailureLocked(h, requestFailures); ok {
		if k == ExpiredToken {
			n.revokeAccountLocked(h, creds.AccessToken)
		}
		n.mu.Unlock()
		if k == ExpiredToken {
			n.save()
		}
		return created{}, n.failure(k, h)
	}
	if req.Key != "" {
		if old := n.byKey[postKey(h, req.Key)]; old != nil {
			c := created{id: old.ID, res: n.published(old)}
			n.mu.Unlock()
			return c, nil
		}
	}
	if req.ReplyTo != 0 && n.byID[req.ReplyTo] == nil {
		n.mu.Unlock()
		return created{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Status: http.StatusNotFound, Code: "not_found",
			Message: "Sandbox refused the post: the post it replies to does not exist."}
	}
	if perr := refusal(req, media); perr != nil {
		n.mu.Unlock()
		return created{}, perr
	}
	k, _ := n.takeFailureLocked(h, postFailures)
	if k == Reject {
		n.mu.Unlock()
		return created{}, n.failure(k, h)
	}
	sp := &post{
		ID:             n.st.NextID,
		Handle:         h,
		IdempotencyKey: req.Key,
		Text:           req.Text,
		FirstComment:   req.FirstComment,
		Language:       req.Language,
		Media:          media,
		ReplyTo:        req.ReplyTo,
		PublishedAt:    n.clock(),
	}
	n.st.NextID++
	n.st.Posts = append(n.st.Posts, sp)
	n.byID[sp.ID] = sp
	if sp.IdempotencyKey != "" {
		n.byKey[postKey(h, sp.IdempotencyKey)] = sp
	}
	c := created{id: sp.ID, res: n.published(sp)}
	n.mu.Unlock()
	n.save()
	if k == TimeoutAfterAccept {
		return created{}, n.failure(k, h)
	}
	return c, nil
}

// refusal checks a post against the sandbox's content rules and the #fail hashtag.
func refusal(p createRequest, media []mediaInfo) *publishers.Error {
	c := content.Content{Text: p.Text, FirstComment: p.FirstComment}
	for _, m := range media {
		c.Media = append(c.Media, content.Media{Kind: content.MediaKind(m.Kind), MIME: m.MIME, SizeBytes: m.Size, AltText: m.AltText})
	}
	res := content.Check(rules, c)
	for _, pr := range res.Problems {
		if pr.Severity == content.SeverityError {
			return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Status: http.StatusUnprocessableEntity,
				Code: pr.Code, Message: "Sandbox refused the post. " + pr.Message + "."}
		}
	}
	for _, tag := range content.Hashtags(p.Text) {
		if strings.EqualFold(tag.Text, "#fail") {
			return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Status: http.StatusUnprocessableEntity, Code: "rejected",
				Message: "Sandbox refused the post: it contains #fail, which the sandbox always refuses so you can see how Herald shows a failure. Remove #fail to publish it."}
		}
	}
	return nil
}

// rules are the sandbox's content rules, read-only.
var rules = Rules()

// failure is the error an injected failure produces.
func (n *Network) failure(k FailureKind, h string) *publishers.Error {
	switch k {
	case ExpiredToken:
		return authError("token_revoked", "Sandbox revoked the access token of @"+h+" (the “Expired token” failure switch is on); connect the account again.")
	case RateLimit:
		return &publishers.Error{Kind: publishers.KindRateLimited, Network: Name, Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "Sandbox rate limit: 0 of 50 posts left in this window", RetryAfter: 60 * time.Second}
	case ServerError:
		return &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Status: http.StatusServiceUnavailable, Code: "service_unavailable",
			Message: "Sandbox is temporarily unavailable (HTTP 503); nothing was published."}
	case Reject:
		return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Status: http.StatusUnprocessableEntity, Code: "rejected",
			Message: "Sandbox refused the post: it breaks a pretend community rule (the “Refuse the post” failure switch is on, at " + n.base + "/sandbox/switches)."}
	case TimeoutAfterAccept:
		return &publishers.Error{Kind: publishers.KindUnknown, Network: Name, Code: "timeout",
			Message: "Sandbox did not answer in time after receiving the post; it may have been published.", Err: ErrSimulatedTimeout}
	}
	return &publishers.Error{Kind: publishers.KindRetryable, Network: Name, Message: "Sandbox failed: " + string(k)}
}

// readMedia reads the attachments, as a network client uploads them, and keeps their description.
func readMedia(ctx context.Context, ms []publishers.Media) ([]mediaInfo, error) {
	var out []mediaInfo
	for i, m := range ms {
		if m.Open == nil {
			return nil, publishers.Errorf(Name, publishers.KindPermanent, 0, "attachment %d has no content to upload", i+1)
		}
		b, err := m.Open(ctx)
		if err != nil {
			// Nothing reached the network: a retry is safe.
			return nil, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
				Message: "could not read attachment " + strconv.Itoa(i+1), Err: err}
		}
		out = append(out, mediaInfo{Kind: string(m.Kind), MIME: m.MIME, AltText: m.AltText, Size: int64(len(b))})
	}
	return out, nil
}

// FindPublished looks the post up by its idempotency key on the credentials' account, and the
// later parts of its thread by theirs: a part that is missing makes a warning that says so.
func (n *Network) FindPublished(_ context.Context, creds *publishers.Credentials, p publishers.Post) (*publishers.Published, error) {
	if p.IdempotencyKey == "" {
		return nil, publishers.Errorf(Name, publishers.KindUnknown, 0, "without an idempotency key the sandbox cannot tell whether the post was published")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	acct, perr := n.authenticateLocked(creds)
	if perr != nil {
		return nil, perr
	}
	old := n.byKey[postKey(acct.Handle, p.IdempotencyKey)]
	if old == nil {
		return nil, nil
	}
	res := n.published(old)
	// The parts of a thread are looked up by their own keys: a sure answer, since the sandbox
	// keeps every post. The first comment goes with the last part, so it is missing exactly
	// when a part is.
	total := 1 + len(p.Thread)
	for i := 1; i < total; i++ {
		if n.byKey[postKey(acct.Handle, publishers.PartKey(p.IdempotencyKey, i))] == nil {
			res.Warnings = append(res.Warnings, publishers.MissingAfterFoundWarning(displayName, i+1, total, strings.TrimSpace(p.FirstComment) != ""))
			break
		}
	}
	return &res, nil
}

// Metrics returns the simulated engagement of the account's posts among externalIDs; ids of
// other accounts' posts, or unknown ones, are absent.
func (n *Network) Metrics(_ context.Context, creds *publishers.Credentials, externalIDs []string) (map[string]publishers.Metrics, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	acct, perr := n.authenticateLocked(creds)
	if perr != nil {
		return nil, perr
	}
	now := n.clock()
	out := make(map[string]publishers.Metrics, len(externalIDs))
	for _, s := range externalIDs {
		id, ok := parseID(s)
		if !ok {
			continue
		}
		p := n.byID[id]
		if p == nil || p.Handle != acct.Handle {
			continue
		}
		out[s] = engagementOf(p, now).metrics()
	}
	return out, nil
}

func (n *Network) published(p *post) publishers.Published {
	id := strconv.FormatInt(p.ID, 10)
	return publishers.Published{ExternalID: id, URL: n.postURL(p.Handle, id), PublishedAt: p.PublishedAt}
}

func (n *Network) postURL(h, id string) string { return n.base + "/sandbox/@" + h + "/" + id }

func (n *Network) accountURL(h string) string { return n.base + "/sandbox/@" + h }

// engagement is a post's simulated counters at some moment.
type engagement struct {
	Likes, Reposts, Replies, Quotes, Impressions, Clicks int64
}

func (e engagement) metrics() publishers.Metrics {
	v := e
	return publishers.Metrics{Likes: &v.Likes, Reposts: &v.Reposts, Replies: &v.Replies, Quotes: &v.Quotes, Impressions: &v.Impressions, Clicks: &v.Clicks}
}

func engagementOf(p *post, now time.Time) engagement {
	return simulate(p.ID, now.Sub(p.PublishedAt))
}

// simulate returns the engagement of post id after elapsed time. Each post gets its own reach
// and rates from a hash of its id, and every counter is that post's constant times one growth
// curve of the elapsed time, so counters never go down and keep their proportions: impressions
// far above likes (2–7 %), reposts and replies a fraction of likes, similar to each other. The
// curve rises quickly (most of the reach within a few hours, so the demo shows numbers soon after
// publishing) and keeps a slow logarithmic tail, so charts still grow days later.
func simulate(id int64, elapsed time.Duration) engagement {
	h := elapsed.Hours()
	if h <= 0 {
		return engagement{}
	}
	growth := 1 - math.Exp(-h/1.5) + 0.25*math.Log1p(h/24)
	r := newRand(uint64(id))
	reach := 300 + 4700*r.float()               // impressions after the first burst
	likes := reach * (0.02 + 0.05*r.float())    // 2–7 % of impressions
	reposts := likes * (0.15 + 0.15*r.float())  // 15–30 % of likes
	replies := reposts * (0.8 + 0.4*r.float())  // about as many as reposts
	quotes := likes * (0.04 + 0.06*r.float())   // a few
	clicks := reach * (0.008 + 0.022*r.float()) // 0.8–3 % of impressions
	at := func(total float64) int64 { return int64(math.Floor(total * growth)) }
	return engagement{
		Impressions: at(reach), Likes: at(likes), Reposts: at(reposts),
		Replies: at(replies), Quotes: at(quotes), Clicks: at(clicks),
	}
}

// splitmix is SplitMix64: a tiny deterministic generator, so a post's numbers are the same in
// every process and after every restart.
type splitmix struct{ s uint64 }

func newRand(seed uint64) *splitmix { return &splitmix{s: seed ^ 0x5a4e_6442_6f78_2121} }

func (r *splitmix) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a number in [0, 1).
func (r *splitmix) float() float64 { return float64(r.next()>>11) / (1 << 53) }
