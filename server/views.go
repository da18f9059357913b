package server

import (
	"fmt"
	"sync"
	"time"

	"github.com/heraldhq/herald/server/store"
)

// Response types: what the API shows of each model. Secrets (password hashes, token hashes,
// channel credentials) have no field here, so they cannot leak by accident.

type userView struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func viewUser(u *store.User) userView { return userView{ID: u.ID, Email: u.Email, Name: u.Name} }

type policyView struct {
	RequiredApprovals     int  `json:"required_approvals"`
	AuthorsMaySelfApprove bool `json:"authors_may_self_approve"`
	EditorsSkipReview     bool `json:"editors_skip_review"`
}

type workspaceView struct {
	ID                 int64      `json:"id"`
	Name               string     `json:"name"`
	TimeZone           string     `json:"time_zone"`
	Role               string     `json:"role,omitempty"`
	ApprovalPolicy     policyView `json:"approval_policy"`
	GracePeriodSeconds int        `json:"grace_period_seconds"`
	CreatedAt          time.Time  `json:"created_at"`
}

func viewWorkspace(w *store.Workspace, role string) workspaceView {
	return workspaceView{ID: w.ID, Name: w.Name, TimeZone: w.TimeZone, Role: role,
		ApprovalPolicy:     policyView{w.RequiredApprovals, w.AuthorsMaySelfApprove, w.EditorsSkipReview},
		GracePeriodSeconds: w.GracePeriodSeconds, CreatedAt: w.CreatedAt.UTC()}
}

type memberView struct {
	UserID   int64     `json:"user_id"`
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

type invitationView struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	// Token and AcceptURL are shown once, when the invitation is created.
	Token     string `json:"token,omitempty"`
	AcceptURL string `json:"accept_url,omitempty"`
}

func viewInvitation(i *store.Invitation) invitationView {
	return invitationView{ID: i.ID, Email: i.Email, Role: i.Role, ExpiresAt: i.ExpiresAt.UTC(), CreatedAt: i.CreatedAt.UTC()}
}

type slotView struct {
	Weekday int    `json:"weekday"`
	Time    string `json:"time"`
}

type channelView struct {
	ID             int64      `json:"id"`
	Network        string     `json:"network"`
	Name           string     `json:"name"`
	Handle         string     `json:"handle"`
	AvatarURL      string     `json:"avatar_url"`
	TimeZone       string     `json:"time_zone"`
	Paused         bool       `json:"paused"`
	Status         string     `json:"status"`
	StatusReason   string     `json:"status_reason"`
	HasCredentials bool       `json:"has_credentials"`
	TokenExpiresAt *time.Time `json:"token_expires_at"`
	Slots          []slotView `json:"slots"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func viewChannel(c *store.Channel) channelView {
	v := channelView{ID: c.ID, Network: c.Network, Name: c.Name, Handle: c.Handle, AvatarURL: c.AvatarURL,
		TimeZone: c.TimeZone, Paused: c.Paused, Status: c.Status, StatusReason: c.StatusReason, HasCredentials: c.Credentials != nil && *c.Credentials != "",
		TokenExpiresAt: utcOrNil(c.TokenExpiresAt), Slots: []slotView{}, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
	for _, sl := range c.Slots {
		v.Slots = append(v.Slots, slotView{Weekday: sl.Weekday, Time: fmt.Sprintf("%02d:%02d", sl.MinuteOfDay/60, sl.MinuteOfDay%60)})
	}
	return v
}

type mediaView struct {
	URL       string `json:"url"`
	Kind      string `json:"kind"`
	MIME      string `json:"mime,omitempty"`
	SizeBytes int64  `json:"size_bytes,omitempty"`
	AltText   string `json:"alt_text,omitempty"`
}

type targetView struct {
	ID           int64       `json:"id"`
	ChannelID    int64       `json:"channel_id"`
	Text         *string     `json:"text"`
	Media        []mediaView `json:"media"`
	FirstComment *string     `json:"first_comment"`
	Status       string      `json:"status"`
	ExternalID   string      `json:"external_id,omitempty"`
	ExternalURL  string      `json:"external_url,omitempty"`
	Attempts     int         `json:"attempts"`
	LastError    *string     `json:"last_error"`
	PublishedAt  *time.Time  `json:"published_at"`
}

type postView struct {
	ID          int64        `json:"id"`
	AuthorID    int64        `json:"author_id"`
	Title       string       `json:"title"`
	Text        string       `json:"text"`
	Labels      []string     `json:"labels"`
	Campaign    string       `json:"campaign"`
	Status      string       `json:"status"`
	Revision    int          `json:"revision"`
	ScheduledAt *time.Time   `json:"scheduled_at"`
	TimeZone    string       `json:"time_zone"`
	LocalTime   string       `json:"local_time,omitempty"`
	Thread      []threadView `json:"thread"`
	// VoiceScore is the brand voice score (0–100) of the current revision, null when the
	// workspace has no voice profile.
	VoiceScore *int         `json:"voice_score"`
	Targets    []targetView `json:"targets"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	Review     *reviewView  `json:"review,omitempty"`
}

type threadView struct {
	Text  string      `json:"text"`
	Media []mediaView `json:"media"`
}

type reviewView struct {
	RequiredApprovals int          `json:"required_approvals"`
	ApprovedBy        []int64      `json:"approved_by"`
	Decisions         []reviewItem `json:"decisions"`
	// Steps are the post's approval steps in order (empty when it needs no review), and
	// CurrentStep the index of the one it waits for (len(steps) when all are done).
	Steps       []reviewStepView `json:"steps"`
	CurrentStep int              `json:"current_step"`
}

type reviewItem struct {
	// ReviewerID is 0 for a decision made through a client review link, named in Client.
	ReviewerID   int64     `json:"reviewer_id"`
	ClientLinkID *int64    `json:"client_link_id,omitempty"`
	Client       string    `json:"client,omitempty"`
	Decision     string    `json:"decision"`
	Note         string    `json:"note,omitempty"`
	Revision     int       `json:"revision"`
	At           time.Time `json:"at"`
}

func viewPost(p *store.Post) postView {
	v := postView{ID: p.ID, AuthorID: p.AuthorID, Title: p.Title, Text: p.Body, Labels: []string{}, Campaign: p.Campaign,
		Status: p.Status, Revision: p.Revision, ScheduledAt: utcOrNil(p.ScheduledAt), TimeZone: p.TimeZone, VoiceScore: p.VoiceScore,
		Thread: []threadView{}, Targets: []targetView{}, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	for _, part := range p.Thread {
		tv := threadView{Text: part.Text, Media: []mediaView{}}
		for _, m := range part.Media {
			tv.Media = append(tv.Media, mediaView(m))
		}
		v.Thread = append(v.Thread, tv)
	}
	if p.ScheduledAt != nil {
		if loc, err := cachedZone(p.TimeZone); err == nil {
			v.LocalTime = p.ScheduledAt.In(loc).Format(time.RFC3339)
		}
	}
	for _, l := range p.Labels {
		v.Labels = append(v.Labels, l.Label)
	}
	for _, t := range p.Targets {
		tv := targetView{ID: t.ID, ChannelID: t.ChannelID, Text: t.TextOverride, FirstComment: t.FirstComment, Media: []mediaView{},
			Status: t.Status, ExternalID: t.ExternalID, ExternalURL: t.ExternalURL, Attempts: t.Attempts, LastError: t.LastError,
			PublishedAt: utcOrNil(t.PublishedAt)}
		for _, m := range t.Media {
			tv.Media = append(tv.Media, mediaView(m))
		}
		v.Targets = append(v.Targets, tv)
	}
	return v
}

type commentView struct {
	ID        int64     `json:"id"`
	AuthorID  int64     `json:"author_id"`
	Text      string    `json:"text"`
	Mentions  []int64   `json:"mentions"`
	CreatedAt time.Time `json:"created_at"`
}

func viewComment(c *store.Comment) commentView {
	m := c.Mentions
	if m == nil {
		m = []int64{}
	}
	return commentView{ID: c.ID, AuthorID: c.AuthorID, Text: c.Body, Mentions: m, CreatedAt: c.CreatedAt.UTC()}
}

type auditView struct {
	ID         int64     `json:"id"`
	ActorID    *int64    `json:"actor_id"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   int64     `json:"entity_id"`
	Summary    string    `json:"summary"`
	At         time.Time `json:"at"`
}

func viewAudit(e *store.AuditEvent) auditView {
	return auditView{ID: e.ID, ActorID: e.ActorID, Actor: e.ActorLabel, Action: e.Action, EntityType: e.EntityType,
		EntityID: e.EntityID, Summary: e.Summary, At: e.At.UTC()}
}

type tokenView struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	CreatedAt  time.Time  `json:"created_at"`
	// Token is shown once, when created.
	Token string `json:"token,omitempty"`
}

func viewToken(t *store.APIToken) tokenView {
	return tokenView{ID: t.ID, Name: t.Name, Prefix: t.Prefix, LastUsedAt: utcOrNil(t.LastUsedAt),
		ExpiresAt: utcOrNil(t.ExpiresAt), CreatedAt: t.CreatedAt.UTC()}
}

// page is the shape of every paginated list: the items and the cursor of the next page.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// zones caches loaded time zones: time.LoadLocation reads and parses the zone file on every call,
// which cost about 19 ms per month view in a non-UTC workspace (herald bench calendar).
var zones sync.Map

func cachedZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}

func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
