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
	media, err := readMedia(ctx, p.Media)
	if err != nil {
		return publishers.Published{}, err
	}
	for {
		res, perr := n.publishOnce(creds, p, media)
		// The sandbox may consider a token expired, or have forgotten it, when the credentials
		// did not say so (they carry no expiry, or a clock disagrees): refresh once and try
		// again, as the oauth2 package's transports do.
		if perr != nil && (perr.Code == "token_expired" || perr.Code == "invalid_token") && !refreshed && creds.RefreshToken != "" {
			nc, err := n.refresh(ctx, creds)
			if err != nil {
				return publishers.Published{}, err
			}
			*creds, refreshed = *nc, true
			continue
		}
		if perr != nil {
			return publishers.Published{}, perr
		}
		return res, nil
	}
}

// publishOnce is one call of the sandbox's "create post" API.
func (n *Network) publishOnce(creds *publishers.Credentials, p publishers.Post, media []mediaInfo) (publishers.Published, *publishers.Error) {
	n.mu.Lock()
	acct, perr := n.authenticateLocked(creds)
	if perr != nil {
		n.mu.Unlock()
		return publishers.Published{}, perr
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
		return publishers.Published{}, n.failure(k, h)
	}
	if p.IdempotencyKey != "" {
		if old := n.byKey[postKey(h, p.IdempotencyKey)]; old != nil {
			res := n.published(old)
			n.mu.Unlock()
			return res, nil
		}
	}
	if perr := refusal(p, media); perr != nil {
		n.mu.Unlock()
		return publishers.Published{}, perr
	}
	k, _ := n.takeFailureLocked(h, postFailures)
	if k == Reject {
		n.mu.Unlock()
		return publishers.Published{}, n.failure(k, h)
	}
	sp := &post{
		ID:             n.st.NextID,
		Handle:         h,
		IdempotencyKey: p.IdempotencyKey,
		Text:           p.Text,
		FirstComment:   p.FirstComment,
		Language:       p.Language,
		Media:          media,
		PublishedAt:    n.clock(),
	}
	n.st.NextID++
	n.st.Posts = append(n.st.Posts, sp)
	n.byID[sp.ID] = sp
	if sp.IdempotencyKey != "" {
		n.byKey[postKey(h, sp.IdempotencyKey)] = sp
	}
	res := n.published(sp)
	n.mu.Unlock()
	n.save()
	if k == TimeoutAfterAccept {
		return publishers.Published{}, n.failure(k, h)
	}
	return res, nil
}

// refusal checks a post against the sandbox's content rules and the #fail hashtag.
func refusal(p publishers.Post, media []mediaInfo) *publishers.Error {
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

// FindPublished looks the post up by its idempotency key on the credentials' account.
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
