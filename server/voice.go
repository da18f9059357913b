package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
	"github.com/heraldhq/herald/voice"
)

// Limits of the voice endpoints.
const (
	maxCheckText      = 20_000
	maxCheckChannels  = 50
	maxAckNote        = 2_000
	maxAcksPerRequest = 200
)

// localeOf is the language findings are explained in: ?locale=fr|en, else the Accept-Language
// header's first language, else English.
func localeOf(c *gin.Context) string {
	if l := c.Query("locale"); l == "fr" || l == "en" {
		return l
	}
	for _, part := range strings.Split(c.GetHeader("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "fr"):
			return "fr"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

// profileOf loads and decodes a workspace's voice profile; ok is false when it has none.
func (s *Server) profileOf(ctx context.Context, wsID int64) (*voice.Profile, *store.VoiceProfile, bool, error) {
	row, err := s.store.VoiceProfileOf(ctx, wsID)
	if errors.Is(err, store.ErrNotFound) {
		return &voice.Profile{}, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	var p voice.Profile
	if err := json.Unmarshal([]byte(row.Profile), &p); err != nil {
		// Only this server writes the column, after validating it; a row it cannot read is a bug
		// to log, not something to show.
		return nil, nil, false, fmt.Errorf("voice profile of workspace %d: %w", wsID, err)
	}
	return &p, row, true, nil
}

func (s *Server) getVoiceProfile(c *gin.Context) {
	p, row, _, err := s.profileOf(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewProfile(p, row))
}

type profileRequest struct {
	// Profile is the whole profile; fields it leaves out are empty (rules off).
	Profile *voice.Profile `json:"profile"`
	// Version is the version the client loaded (0 when the workspace had no profile); a newer
	// one is a 409.
	Version *int `json:"version"`
}

func (s *Server) putVoiceProfile(c *gin.Context) {
	var req profileRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	if req.Profile == nil {
		f.add("profile", "is required")
	}
	if req.Version == nil || *req.Version < 0 {
		f.add("version", "send the version you loaded (0 for a workspace without a profile)")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	p := *req.Profile
	if err := p.Validate(); err != nil {
		var ve *voice.ValidationError
		if errors.As(err, &ve) {
			nf := map[string]string{}
			for k, v := range ve.Fields {
				nf["profile."+k] = v
			}
			s.fail(c, fieldErr(nf))
			return
		}
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	wsID := workspaceID(c)
	if err := s.checkProfileChannels(ctx, wsID, &p); err != nil {
		s.fail(c, err)
		return
	}
	canonical, err := json.Marshal(p)
	if err != nil {
		s.fail(c, err)
		return
	}
	row, err := s.store.SetVoiceProfile(ctx, wsID, string(canonical), *req.Version, callerOf(c).actor())
	if err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) {
			s.fail(c, &APIError{Status: http.StatusConflict, Code: "version_conflict",
				Message: "Someone saved the voice profile since you loaded it; reload it and apply your changes again.",
				Details: map[string]any{"current_version": ce.Current}})
			return
		}
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewProfile(&p, row))
}

// checkProfileChannels refuses channel patches for channels that are not the workspace's.
func (s *Server) checkProfileChannels(ctx context.Context, wsID int64, p *voice.Profile) error {
	if len(p.Channels) == 0 {
		return nil
	}
	chans, err := s.store.Channels(ctx, wsID)
	if err != nil {
		return err
	}
	f := fields{}
	for i, cp := range p.Channels {
		if !slices.ContainsFunc(chans, func(ch store.Channel) bool { return ch.ID == cp.ChannelID }) {
			f.add(fmt.Sprintf("profile.channels[%d].channel_id", i), "no such channel in this workspace")
		}
	}
	return f.err()
}

type checkRequest struct {
	Text       string   `json:"text"`
	ChannelIDs []int64  `json:"channel_ids"`
	Labels     []string `json:"labels"`
	Campaign   string   `json:"campaign"`
	// Language is the text's language when the author knows it; empty detects it.
	Language string `json:"language"`
	// Locale is the language of the messages ("en" or "fr"); empty follows Accept-Language.
	Locale string `json:"locale"`
}

func (r *checkRequest) validate(f fields) {
	checkText(f, "text", r.Text, maxCheckText)
	if len(r.ChannelIDs) > maxCheckChannels {
		f.add("channel_ids", fmt.Sprintf("at most %d channels", maxCheckChannels))
	}
	for i, id := range r.ChannelIDs {
		if id <= 0 {
			f.add(fmt.Sprintf("channel_ids[%d]", i), "must be a channel id")
		}
	}
	if len(r.Labels) > maxLabels {
		f.add("labels", fmt.Sprintf("at most %d labels", maxLabels))
	}
	for i, l := range r.Labels {
		if !validLabel(strings.TrimSpace(l)) || strings.TrimSpace(l) == "" {
			f.add(fmt.Sprintf("labels[%d]", i), fmt.Sprintf("must be 1 to %d characters of text", maxLabel))
		}
	}
	checkText(f, "campaign", r.Campaign, maxCampaign)
	if r.Language != "" && !slices.Contains(voice.Languages, r.Language) {
		f.add("language", "must be one of "+strings.Join(voice.Languages, ", ")+" or empty")
	}
	if r.Locale != "" && !slices.Contains(voice.Locales, r.Locale) {
		f.add("locale", "must be en or fr")
	}
}

// checkTarget is one text checked for one channel.
type checkTarget struct {
	field   string // "text" for the post's text, "targets[i].text" for a channel's own text, "thread[i].text"
	text    string
	channel int64
	network string
	// part marks a later part of a thread: what the post as a whole must carry (the brand's
	// hashtags, a disclaimer) is not asked of every reply.
	part bool
}

// postTargets lists the texts of a post to check: each target's text (its own, or the post's)
// for its channel, then the thread's later parts for the same channels.
func postTargets(p *store.Post, networks map[int64]string) []checkTarget {
	var out []checkTarget
	for i, t := range p.Targets {
		ct := checkTarget{field: "text", text: p.Body, channel: t.ChannelID, network: networks[t.ChannelID]}
		if t.TextOverride != nil && *t.TextOverride != "" {
			ct.field, ct.text = fmt.Sprintf("targets[%d].text", i), *t.TextOverride
		}
		out = append(out, ct)
	}
	if len(out) == 0 {
		out = []checkTarget{{field: "text", text: p.Body}}
	}
	channels := out
	for i, part := range p.Thread {
		for _, ch := range channels {
			out = append(out, checkTarget{field: fmt.Sprintf("thread[%d].text", i), text: part.Text, channel: ch.channel, network: ch.network, part: true})
		}
	}
	return out
}

// voiceCheck is the result of checking a post's texts.
type voiceCheck struct {
	findings []findingView
	score    int
	language string
	detected string
}

// checkTexts runs the checker on each target and merges the findings of one text checked for
// several channels: a finding that every channel has is shown once, with their ids.
func checkTexts(p *voice.Profile, targets []checkTarget, labels []string, campaign, lang, locale string) voiceCheck {
	var out voiceCheck
	index := map[string]int{}
	var all []voice.Finding
	for _, t := range targets {
		res := voice.Analyze(p, voice.Input{Text: t.text, Channel: t.channel, Network: t.network, Labels: labels,
			Campaign: campaign, Language: lang, Locale: locale})
		if out.language == "" {
			out.language, out.detected = res.Language, res.Detected
		}
		for _, fd := range res.Findings {
			if t.part && (fd.Rule == voice.RuleHashtagRequired || fd.Rule == voice.RuleDisclaimer) {
				continue
			}
			key := fmt.Sprintf("%s|%s|%d|%d|%s", t.field, fd.Rule, fd.Span.Start, fd.Span.End, fd.Message)
			if i, ok := index[key]; ok {
				if t.channel != 0 && !slices.Contains(out.findings[i].ChannelIDs, t.channel) {
					out.findings[i].ChannelIDs = append(out.findings[i].ChannelIDs, t.channel)
				}
				continue
			}
			index[key] = len(out.findings)
			all = append(all, fd)
			v := viewFinding(fd, t.field)
			if t.channel != 0 {
				v.ChannelIDs = []int64{t.channel}
			}
			out.findings = append(out.findings, v)
		}
	}
	// Ids are stable for a given text: rule, field and UTF-16 span, numbered when repeated.
	seen := map[string]int{}
	for i := range out.findings {
		f := &out.findings[i]
		id := fmt.Sprintf("%s:%s:%d-%d", f.Rule, f.Field, f.Span.Start, f.Span.End)
		seen[id]++
		if n := seen[id]; n > 1 {
			id += fmt.Sprintf("#%d", n)
		}
		f.ID = id
	}
	out.score = voice.Score(all)
	return out
}

// channelNetworks maps a workspace's channel ids to their networks.
func (s *Server) channelNetworks(ctx context.Context, wsID int64) (map[int64]string, error) {
	chans, err := s.store.Channels(ctx, wsID)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(chans))
	for _, ch := range chans {
		m[ch.ID] = ch.Network
	}
	return m, nil
}

func (s *Server) voiceCheck(c *gin.Context) {
	var req checkRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.validate(f)
	ctx := c.Request.Context()
	wsID := workspaceID(c)
	networks, err := s.channelNetworks(ctx, wsID)
	if err != nil {
		s.fail(c, err)
		return
	}
	for i, id := range req.ChannelIDs {
		if _, ok := networks[id]; !ok && id > 0 {
			f.add(fmt.Sprintf("channel_ids[%d]", i), "no such channel in this workspace")
		}
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	p, _, _, err := s.profileOf(ctx, wsID)
	if err != nil {
		s.fail(c, err)
		return
	}
	locale := req.Locale
	if locale == "" {
		locale = localeOf(c)
	}
	targets := []checkTarget{{field: "text", text: req.Text}}
	if len(req.ChannelIDs) > 0 {
		targets = targets[:0]
		for _, id := range req.ChannelIDs {
			targets = append(targets, checkTarget{field: "text", text: req.Text, channel: id, network: networks[id]})
		}
	}
	start := time.Now()
	res := checkTexts(p, targets, req.Labels, req.Campaign, req.Language, locale)
	c.JSON(http.StatusOK, checkResponse{Findings: nonNil(res.findings), Score: res.score, Language: res.language,
		DetectedLanguage: res.detected, ElapsedMicros: time.Since(start).Microseconds()})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Submit-time review: the post's findings and clashes, with the author's acknowledgements.

// postVoice computes the voice review of a post's current revision.
func (s *Server) postVoice(ctx context.Context, ws *store.Workspace, p *store.Post, locale string) (*postVoiceView, error) {
	prof, _, hasProfile, err := s.profileOf(ctx, ws.ID)
	if err != nil {
		return nil, err
	}
	networks, err := s.channelNetworks(ctx, ws.ID)
	if err != nil {
		return nil, err
	}
	labels := postLabels(p)
	targets := postTargets(p, networks)
	res := checkTexts(prof, targets, labels, p.Campaign, "", locale)
	v := &postVoiceView{PostID: p.ID, Revision: p.Revision, HasProfile: hasProfile, Score: res.score, Language: res.language,
		Findings: nonNil(res.findings), Acknowledgements: []ackView{}}
	clashes, err := s.clashFindings(ctx, ws, p, locale)
	if err != nil {
		return nil, err
	}
	v.Findings = append(v.Findings, clashes...)
	acks, err := s.store.Acknowledgements(ctx, ws.ID, p.ID, p.Revision)
	if err != nil {
		return nil, err
	}
	byID := map[string]*store.VoiceAcknowledgement{}
	for i := range acks {
		byID[acks[i].FindingID] = &acks[i]
		v.Acknowledgements = append(v.Acknowledgements, viewAck(&acks[i]))
	}
	for i := range v.Findings {
		f := &v.Findings[i]
		if a := byID[f.ID]; a != nil && f.Severity == string(voice.Warning) {
			f.Acknowledged, f.AckNote = true, a.Note
		}
		switch {
		case f.Severity == string(voice.Error):
			v.Errors++
		case f.Severity == string(voice.Warning) && !f.Acknowledged:
			v.Unacknowledged++
		}
	}
	return v, nil
}

func postLabels(p *store.Post) []string {
	out := make([]string, 0, len(p.Labels))
	for _, l := range p.Labels {
		out = append(out, l.Label)
	}
	return out
}

// clashFindings are the submit checks as findings: near-identical posts and posts too close
// together on the same channel. They are warnings, acknowledged like voice warnings.
func (s *Server) clashFindings(ctx context.Context, ws *store.Workspace, p *store.Post, locale string) ([]findingView, error) {
	if len(p.Targets) == 0 {
		return nil, nil
	}
	rs, err := s.store.ReviewSettingsFor(ctx, ws.ID)
	if err != nil {
		return nil, err
	}
	checks := workflow.SubmitChecks{DuplicateWindow: time.Duration(rs.DuplicateWindowDays) * 24 * time.Hour,
		Similarity: float64(rs.DuplicateSimilarity) / 100, ConflictWindow: time.Duration(rs.ConflictWindowMinutes) * time.Minute}
	// A post without a planned time is compared with what went out or is planned around now
	// (the same text twice in a week); two posts too close together needs a time to mean anything.
	at := s.now()
	if p.ScheduledAt != nil {
		at = *p.ScheduledAt
	} else {
		checks.ConflictWindow = 0
	}
	window := max(checks.DuplicateWindow, checks.ConflictWindow)
	if window == 0 {
		return nil, nil
	}
	var mine []workflow.Planned
	var chans []int64
	for _, t := range p.Targets {
		text := p.Body
		if t.TextOverride != nil && *t.TextOverride != "" {
			text = *t.TextOverride
		}
		mine = append(mine, workflow.Planned{PostID: p.ID, ChannelID: t.ChannelID, At: at, Text: text})
		chans = append(chans, t.ChannelID)
	}
	near, err := s.store.PlannedNear(ctx, ws.ID, chans, at.Add(-window), at.Add(window), p.ID)
	if err != nil {
		return nil, err
	}
	titles := map[int64]string{}
	var others []workflow.Planned
	for _, n := range near {
		others = append(others, workflow.Planned{PostID: n.PostID, ChannelID: n.ChannelID, At: n.At, Text: n.Text})
		titles[n.PostID] = n.Title
		if titles[n.PostID] == "" {
			titles[n.PostID] = truncate(n.Text, 60)
		}
	}
	loc, _ := cachedZone(p.TimeZone)
	if loc == nil {
		loc = time.UTC
	}
	var out []findingView
	for _, cl := range checks.Clashes(mine, others, voice.Similarity) {
		at := cl.At.In(loc).Format("2006-01-02 15:04")
		f := findingView{Severity: string(voice.Warning), Field: "text", ChannelIDs: []int64{cl.ChannelID},
			Span: spanView{End: utf16Len(p.Body), ByteEnd: len(p.Body)}, Excerpt: "", RelatedPostID: cl.PostID}
		if cl.Kind == workflow.ClashDuplicate {
			f.Rule = "review.duplicate"
			f.Message = fmt.Sprintf("Almost the same text (%.0f%% alike) as “%s”, planned on this channel for %s.", cl.Similarity*100, titles[cl.PostID], at)
			if locale == "fr" {
				f.Message = fmt.Sprintf("Texte presque identique (à %.0f\u00a0%%) à «\u00a0%s\u00a0», prévu sur ce canal le %s.", cl.Similarity*100, titles[cl.PostID], at)
			}
		} else {
			f.Rule = "review.conflict"
			f.Message = fmt.Sprintf("“%s” goes out on this channel at %s, too close to this post.", titles[cl.PostID], at)
			if locale == "fr" {
				f.Message = fmt.Sprintf("«\u00a0%s\u00a0» part sur ce canal à %s, trop près de cette publication.", titles[cl.PostID], at)
			}
		}
		f.ID = fmt.Sprintf("%s:post-%d:channel-%d", f.Rule, cl.PostID, cl.ChannelID)
		out = append(out, f)
	}
	return out, nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (s *Server) getPostVoice(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	ws, err := s.store.Workspace(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.store.Post(ctx, ws.ID, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.postVoice(ctx, ws, p, localeOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type ackItem struct {
	FindingID string `json:"finding_id"`
	Note      string `json:"note"`
}

type ackRequest struct {
	Revision *int      `json:"revision"`
	Items    []ackItem `json:"items"`
}

// acknowledge stores the author's notes on warnings of the post's current revision. Only
// warnings can be acknowledged: errors must be fixed, and advice needs nothing.
func (s *Server) acknowledge(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req ackRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	if req.Revision == nil || *req.Revision < 1 {
		f.add("revision", "send the revision whose warnings you acknowledge")
	}
	if len(req.Items) == 0 {
		f.add("items", "acknowledge at least one warning")
	}
	if len(req.Items) > maxAcksPerRequest {
		f.add("items", fmt.Sprintf("at most %d at once", maxAcksPerRequest))
	}
	for i, it := range req.Items {
		if strings.TrimSpace(it.FindingID) == "" || len(it.FindingID) > 200 {
			f.add(fmt.Sprintf("items[%d].finding_id", i), "is required (the id of a finding from GET …/voice)")
		}
		if strings.TrimSpace(it.Note) == "" {
			f.add(fmt.Sprintf("items[%d].note", i), "say why the text stays as it is")
		}
		checkText(f, fmt.Sprintf("items[%d].note", i), it.Note, maxAckNote)
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	ws, err := s.store.Workspace(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.store.Post(ctx, ws.ID, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	cl := callerOf(c)
	if !roleOf(c).CanReview() && p.AuthorID != cl.User.ID {
		s.fail(c, forbidden("Authors may only acknowledge warnings on their own posts."))
		return
	}
	if p.Revision != *req.Revision {
		s.fail(c, &store.ConflictError{Given: *req.Revision, Current: p.Revision})
		return
	}
	v, err := s.postVoice(ctx, ws, p, localeOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	var acks []store.VoiceAcknowledgement
	for i, it := range req.Items {
		k := slices.IndexFunc(v.Findings, func(fv findingView) bool { return fv.ID == it.FindingID })
		switch {
		case k < 0:
			f.add(fmt.Sprintf("items[%d].finding_id", i), "this revision has no such finding")
		case v.Findings[k].Severity != string(voice.Warning):
			f.add(fmt.Sprintf("items[%d].finding_id", i), "only warnings are acknowledged; errors must be fixed")
		default:
			acks = append(acks, store.VoiceAcknowledgement{FindingID: it.FindingID, Rule: v.Findings[k].Rule,
				Excerpt: v.Findings[k].Excerpt, Note: strings.TrimSpace(it.Note)})
		}
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.Acknowledge(ctx, ws.ID, p.ID, p.Revision, acks, cl.actor()); err != nil {
		s.fail(c, err)
		return
	}
	if v, err = s.postVoice(ctx, ws, p, localeOf(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// voiceGate is checked when a post is submitted (or scheduled straight from a draft): errors
// block, and so do warnings the author has not acknowledged. It answers in the one error
// envelope: the field holding the text and the first blocking message, with every finding in
// details.findings.
func (s *Server) voiceGate(ctx context.Context, c *gin.Context, ws *store.Workspace, p *store.Post) error {
	v, err := s.postVoice(ctx, ws, p, localeOf(c))
	if err != nil {
		return err
	}
	if v.Errors == 0 && v.Unacknowledged == 0 {
		return nil
	}
	var blocking []findingView
	for _, f := range v.Findings {
		if f.Severity == string(voice.Error) || f.Severity == string(voice.Warning) && !f.Acknowledged {
			blocking = append(blocking, f)
		}
	}
	// The field message is the first error when there is one: that is what must change.
	first := blocking[0]
	for _, f := range blocking {
		if f.Severity == string(voice.Error) {
			first = f
			break
		}
	}
	ae := &APIError{Status: http.StatusUnprocessableEntity, Fields: map[string]string{first.Field: first.Message},
		Details: map[string]any{"findings": blocking, "revision": p.Revision}}
	if v.Errors > 0 {
		ae.Code = "voice_errors"
		ae.Message = fmt.Sprintf("The text departs from the brand's voice in %d place(s) that must be fixed before it is submitted.", v.Errors)
	} else {
		ae.Code = "voice_unacknowledged"
		ae.Message = fmt.Sprintf("%d warning(s) need an acknowledgement with a note (POST …/posts/%d/voice/acknowledgements) before the post is submitted.", v.Unacknowledged, p.ID)
	}
	return ae
}

// needsVoiceGate reports whether act on a post in status st commits its text for review.
func needsVoiceGate(act workflow.Action, st workflow.Status) bool {
	switch act {
	case workflow.Submit:
		return true
	case workflow.Schedule, workflow.PublishNow:
		return st == workflow.Draft || st == workflow.ChangesRequested
	}
	return false
}

// scorePosts fills in the voice score of posts that have none yet (new, edited, or checked
// against an older profile), and stores it. A workspace without a profile has no scores.
func (s *Server) scorePosts(ctx context.Context, wsID int64, posts []store.Post) error {
	var missing []int
	for i := range posts {
		if posts[i].VoiceScore == nil {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	prof, _, ok, err := s.profileOf(ctx, wsID)
	if err != nil || !ok {
		return err
	}
	networks, err := s.channelNetworks(ctx, wsID)
	if err != nil {
		return err
	}
	updates := make([]store.VoiceScore, 0, len(missing))
	for _, i := range missing {
		p := &posts[i]
		score := checkTexts(prof, postTargets(p, networks), postLabels(p), p.Campaign, "", "en").score
		p.VoiceScore = &score
		updates = append(updates, store.VoiceScore{PostID: p.ID, Revision: p.Revision, Score: score})
	}
	return s.store.SetVoiceScores(ctx, wsID, updates)
}

// scoreOne is scorePosts for one post.
func (s *Server) scoreOne(ctx context.Context, p *store.Post) error {
	ps := []store.Post{*p}
	if err := s.scorePosts(ctx, p.WorkspaceID, ps); err != nil {
		return err
	}
	p.VoiceScore = ps[0].VoiceScore
	return nil
}
