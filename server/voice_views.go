package server

import (
	"time"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
	"github.com/heraldhq/herald/voice"
)

// Response types of the brand voice, library, approval and client link endpoints.

type ruleView struct {
	ID              string `json:"id"`
	DefaultSeverity string `json:"default_severity"`
}

type profileView struct {
	Profile voice.Profile `json:"profile"`
	// Version is 0 until the profile is first saved; send it back with PUT.
	Version   int        `json:"version"`
	UpdatedAt *time.Time `json:"updated_at"`
	Rules     []ruleView `json:"rules"`
	// RewriteAvailable says whether POST …/voice/rewrite is configured on this server.
	RewriteAvailable bool `json:"rewrite_available"`
}

func (s *Server) viewProfile(p *voice.Profile, row *store.VoiceProfile) profileView {
	v := profileView{Profile: *p, Rules: []ruleView{}, RewriteAvailable: s.cfg.Rewrite != nil}
	v.Profile.Normalize()
	if row != nil {
		v.Version = row.Version
		t := row.UpdatedAt.UTC()
		v.UpdatedAt = &t
	}
	for _, r := range voice.AllRules() {
		v.Rules = append(v.Rules, ruleView{ID: r, DefaultSeverity: string(voice.DefaultSeverity(r))})
	}
	return v
}

// spanView gives a span in UTF-16 code units (start, end: JavaScript string indexes) and in
// bytes of the UTF-8 text (byte_start, byte_end), both on grapheme cluster boundaries.
type spanView struct {
	Start     int `json:"start"`
	End       int `json:"end"`
	ByteStart int `json:"byte_start"`
	ByteEnd   int `json:"byte_end"`
}

func viewSpan(s voice.Span) spanView {
	return spanView{Start: s.Start16, End: s.End16, ByteStart: s.Start, ByteEnd: s.End}
}

type fixView struct {
	Span        spanView `json:"span"`
	Replacement string   `json:"replacement"`
}

type findingView struct {
	// ID names the finding within the post's revision, for acknowledgements.
	ID       string `json:"id"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	// Field is the text the span points into: "text", or "targets[i].text" for a channel's own.
	Field      string   `json:"field"`
	ChannelIDs []int64  `json:"channel_ids"`
	Span       spanView `json:"span"`
	Excerpt    string   `json:"excerpt"`
	Message    string   `json:"message"`
	Fix        *fixView `json:"fix,omitempty"`
	// Acknowledged and AckNote: a warning the author kept, and why.
	Acknowledged bool   `json:"acknowledged"`
	AckNote      string `json:"acknowledgement_note,omitempty"`
	// RelatedPostID is the other post of a duplicate or conflict.
	RelatedPostID int64 `json:"related_post_id,omitempty"`
}

func viewFinding(f voice.Finding, field string) findingView {
	v := findingView{Rule: f.Rule, Severity: string(f.Severity), Field: field, ChannelIDs: []int64{}, Span: viewSpan(f.Span),
		Excerpt: f.Excerpt, Message: f.Message}
	if f.Fix != nil {
		v.Fix = &fixView{Span: viewSpan(f.Fix.Span), Replacement: f.Fix.Replacement}
	}
	return v
}

type checkResponse struct {
	Findings []findingView `json:"findings"`
	Score    int           `json:"score"`
	// Language is the language the rules were applied in; DetectedLanguage what the text reads
	// as ("" when too short to tell).
	Language         string `json:"language"`
	DetectedLanguage string `json:"detected_language"`
	ElapsedMicros    int64  `json:"elapsed_us"`
}

type ackView struct {
	FindingID string    `json:"finding_id"`
	Rule      string    `json:"rule"`
	Excerpt   string    `json:"excerpt"`
	Note      string    `json:"note"`
	UserID    int64     `json:"user_id"`
	At        time.Time `json:"at"`
}

func viewAck(a *store.VoiceAcknowledgement) ackView {
	return ackView{FindingID: a.FindingID, Rule: a.Rule, Excerpt: a.Excerpt, Note: a.Note, UserID: a.UserID, At: a.CreatedAt.UTC()}
}

// postVoiceView is the voice review of a post's current revision, as the review queue shows it.
type postVoiceView struct {
	PostID           int64         `json:"post_id"`
	Revision         int           `json:"revision"`
	HasProfile       bool          `json:"has_profile"`
	Score            int           `json:"score"`
	Language         string        `json:"language"`
	Findings         []findingView `json:"findings"`
	Acknowledgements []ackView     `json:"acknowledgements"`
	// Errors and Unacknowledged count what blocks submission.
	Errors         int `json:"errors"`
	Unacknowledged int `json:"unacknowledged"`
}

type templateView struct {
	ID        int64             `json:"id"`
	Name      string            `json:"name"`
	Text      string            `json:"text"`
	Variants  map[string]string `json:"variants"`
	Labels    []string          `json:"labels"`
	Variables []string          `json:"variables"`
	CreatedBy int64             `json:"created_by"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

func viewTemplate(t *store.Template) templateView {
	v := templateView{ID: t.ID, Name: t.Name, Text: t.Body, Variants: t.Variants, Labels: t.Labels, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
	if v.Variants == nil {
		v.Variants = map[string]string{}
	}
	if v.Labels == nil {
		v.Labels = []string{}
	}
	all := t.Body
	for _, text := range t.Variants {
		all += "\n" + text
	}
	v.Variables = variablesIn(all)
	return v
}

type snippetView struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Text      string    `json:"text"`
	Variables []string  `json:"variables"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewSnippet(s *store.Snippet) snippetView {
	return snippetView{ID: s.ID, Code: s.Code, Text: s.Body, Variables: variablesIn(s.Body), CreatedBy: s.CreatedBy,
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC()}
}

type hashtagGroupView struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Tags      []string  `json:"tags"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewHashtagGroup(g *store.HashtagGroup) hashtagGroupView {
	tags := g.Tags
	if tags == nil {
		tags = []string{}
	}
	return hashtagGroupView{ID: g.ID, Name: g.Name, Tags: tags, CreatedBy: g.CreatedBy, CreatedAt: g.CreatedAt.UTC(), UpdatedAt: g.UpdatedAt.UTC()}
}

type composeResponse struct {
	Text string `json:"text"`
	// Variables are those the text uses; Missing those left unfilled (still written {{name}}).
	Variables       []string `json:"variables"`
	Missing         []string `json:"missing"`
	UnknownSnippets []string `json:"unknown_snippets"`
	// Labels are the template's, to put on the post.
	Labels []string `json:"labels"`
}

type stepView struct {
	Name         string  `json:"name"`
	Role         string  `json:"role,omitempty"`
	Members      []int64 `json:"members"`
	Client       bool    `json:"client"`
	Mode         string  `json:"mode"`
	MinApprovals int     `json:"min_approvals"`
}

func viewStep(st workflow.Step) stepView {
	v := stepView{Name: st.Name, Role: string(st.Role), Members: st.Members, Client: st.Client, Mode: string(st.Mode), MinApprovals: st.MinApprovals}
	if v.Members == nil {
		v.Members = []int64{}
	}
	if v.Mode == "" {
		v.Mode = string(workflow.AnyOf)
	}
	if v.MinApprovals == 0 && v.Mode == string(workflow.AnyOf) {
		v.MinApprovals = 1
	}
	return v
}

type approvalPolicyView struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Label     string     `json:"label"`
	Position  int        `json:"position"`
	Steps     []stepView `json:"steps"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func viewApprovalPolicy(p *store.ApprovalPolicy) approvalPolicyView {
	v := approvalPolicyView{ID: p.ID, Name: p.Name, Label: p.Label, Position: p.Position, Steps: []stepView{},
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	for _, st := range p.Steps {
		v.Steps = append(v.Steps, viewStep(st))
	}
	return v
}

type reviewSettingsView struct {
	ApprovalLeadMinutes   int `json:"approval_lead_minutes"`
	ReminderMinutes       int `json:"reminder_minutes"`
	DuplicateWindowDays   int `json:"duplicate_window_days"`
	DuplicateSimilarity   int `json:"duplicate_similarity"`
	ConflictWindowMinutes int `json:"conflict_window_minutes"`
}

func viewReviewSettings(rs *store.ReviewSettings) reviewSettingsView {
	return reviewSettingsView{rs.ApprovalLeadMinutes, rs.ReminderMinutes, rs.DuplicateWindowDays, rs.DuplicateSimilarity, rs.ConflictWindowMinutes}
}

// reviewStepView is one step of a post's approval and where it stands.
type reviewStepView struct {
	Name         string  `json:"name"`
	Role         string  `json:"role,omitempty"`
	Members      []int64 `json:"members"`
	Client       bool    `json:"client"`
	Mode         string  `json:"mode"`
	MinApprovals int     `json:"min_approvals"`
	Done         bool    `json:"done"`
	Current      bool    `json:"current"`
	ApprovedBy   []int64 `json:"approved_by"`
}

type clientLinkView struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Locale     string     `json:"locale"`
	PostIDs    []int64    `json:"post_ids"`
	Status     string     `json:"status"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedBy  int64      `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	// Token and URL are shown once, when the link is created.
	Token string `json:"token,omitempty"`
	URL   string `json:"url,omitempty"`
}

func viewClientLink(l *store.ClientLink, now time.Time) clientLinkView {
	v := clientLinkView{ID: l.ID, Name: l.Name, Locale: l.Locale, PostIDs: l.PostIDs, Status: "active", ExpiresAt: l.ExpiresAt.UTC(),
		RevokedAt: utcOrNil(l.RevokedAt), LastUsedAt: utcOrNil(l.LastUsedAt), CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt.UTC()}
	if v.PostIDs == nil {
		v.PostIDs = []int64{}
	}
	switch {
	case l.RevokedAt != nil:
		v.Status = "revoked"
	case !now.Before(l.ExpiresAt):
		v.Status = "expired"
	}
	return v
}

type rewriteResponse struct {
	Text          string        `json:"text"`
	Findings      []findingView `json:"findings"`
	Score         int           `json:"score"`
	OriginalScore int           `json:"original_score"`
	Model         string        `json:"model"`
}

type configResponse struct {
	Version string `json:"version"`
	// Features lists the optional features this server has turned on ("voice_rewrite").
	Features []string `json:"features"`
}
