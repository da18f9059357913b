package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// Limits on post content. The networks' own rules (length as each counts it, media) are checked
// per target by the publishers' content rules; these only keep rows sane.
const (
	maxPostText     = 100_000
	maxTitle        = 200
	maxLabels       = 20
	maxLabel        = 64
	maxCampaign     = 100
	maxTargets      = 50
	maxMedia        = 20
	maxFirstComment = 10_000
	maxThreadParts  = 50
	maxNote         = 2_000
	maxComment      = 10_000
)

type mediaRequest struct {
	URL       string `json:"url"`
	Kind      string `json:"kind"`
	MIME      string `json:"mime"`
	SizeBytes int64  `json:"size_bytes"`
	AltText   string `json:"alt_text"`
}

type targetRequest struct {
	ChannelID    int64          `json:"channel_id"`
	Text         *string        `json:"text"`
	Media        []mediaRequest `json:"media"`
	FirstComment *string        `json:"first_comment"`
}

type threadPartRequest struct {
	Text  string         `json:"text"`
	Media []mediaRequest `json:"media"`
}

type postRequest struct {
	Title *string `json:"title"`
	Text  *string `json:"text"`
	// Thread is the later parts of a thread, published as replies to the first.
	Thread   *[]threadPartRequest `json:"thread"`
	Labels   *[]string            `json:"labels"`
	Campaign *string              `json:"campaign"`
	Targets  *[]targetRequest     `json:"targets"`
	// Planned time, on create: scheduled_at (RFC 3339) or local_time (YYYY-MM-DDTHH:MM) in time_zone.
	ScheduledAt *string `json:"scheduled_at"`
	LocalTime   *string `json:"local_time"`
	TimeZone    *string `json:"time_zone"`
	// Revision is required on edits: the revision the client last saw.
	Revision *int `json:"revision"`
}

func (r *postRequest) edit(f fields) store.PostEdit {
	var e store.PostEdit
	if r.Title != nil {
		t := strings.TrimSpace(*r.Title)
		if err := checkName("title", t, maxTitle, false); err != nil {
			f.add("title", err.(*APIError).Fields["title"])
		}
		e.Title = &t
	}
	if r.Text != nil {
		checkText(f, "text", *r.Text, maxPostText)
		e.Body = r.Text
	}
	if r.Campaign != nil {
		cp := strings.TrimSpace(*r.Campaign)
		if err := checkName("campaign", cp, maxCampaign, false); err != nil {
			f.add("campaign", err.(*APIError).Fields["campaign"])
		}
		e.Campaign = &cp
	}
	if r.Labels != nil {
		labels := make([]string, 0, len(*r.Labels))
		if len(*r.Labels) > maxLabels {
			f.add("labels", fmt.Sprintf("at most %d labels", maxLabels))
		}
		for i, l := range *r.Labels {
			l = strings.TrimSpace(l)
			if l == "" || len([]rune(l)) > maxLabel || checkName("l", l, maxLabel, true) != nil {
				f.add(fmt.Sprintf("labels[%d]", i), fmt.Sprintf("must be 1 to %d characters of text", maxLabel))
			}
			labels = append(labels, l)
		}
		e.Labels = &labels
	}
	if r.Targets != nil {
		ts := make([]store.TargetInput, 0, len(*r.Targets))
		if len(*r.Targets) > maxTargets {
			f.add("targets", fmt.Sprintf("at most %d channels per post", maxTargets))
		}
		seen := map[int64]bool{}
		for i, t := range *r.Targets {
			p := fmt.Sprintf("targets[%d]", i)
			if t.ChannelID <= 0 {
				f.add(p+".channel_id", "is required")
			} else if seen[t.ChannelID] {
				f.add(p+".channel_id", "this channel is listed twice")
			}
			seen[t.ChannelID] = true
			if t.Text != nil {
				checkText(f, p+".text", *t.Text, maxPostText)
			}
			if t.FirstComment != nil {
				checkText(f, p+".first_comment", *t.FirstComment, maxFirstComment)
			}
			media := parseMedia(f, p, t.Media)
			ts = append(ts, store.TargetInput{ChannelID: t.ChannelID, Text: t.Text, Media: media, FirstComment: t.FirstComment})
		}
		e.Targets = &ts
	}
	if r.Thread != nil {
		if len(*r.Thread) > maxThreadParts {
			f.add("thread", fmt.Sprintf("at most %d later parts", maxThreadParts))
		}
		parts := make([]store.ThreadPart, 0, len(*r.Thread))
		for i, tp := range *r.Thread {
			p := fmt.Sprintf("thread[%d]", i)
			checkText(f, p+".text", tp.Text, maxPostText)
			media := parseMedia(f, p, tp.Media)
			if strings.TrimSpace(tp.Text) == "" && len(media) == 0 {
				f.add(p+".text", "write this part, or remove it")
			}
			parts = append(parts, store.ThreadPart{Text: tp.Text, Media: media})
		}
		e.Thread = &parts
	}
	return e
}

// parseMedia checks the attachments of a target or a thread part named by prefix.
func parseMedia(f fields, prefix string, in []mediaRequest) []store.Media {
	if len(in) > maxMedia {
		f.add(prefix+".media", fmt.Sprintf("at most %d attachments", maxMedia))
	}
	var media []store.Media
	for j, m := range in {
		mp := fmt.Sprintf("%s.media[%d]", prefix, j)
		u, err := url.Parse(m.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(m.URL) > 2000 {
			f.add(mp+".url", "must be an http(s) URL")
		}
		if m.Kind != "image" && m.Kind != "video" && m.Kind != "gif" {
			f.add(mp+".kind", "must be image, video or gif")
		}
		if m.SizeBytes < 0 {
			f.add(mp+".size_bytes", "must not be negative")
		}
		checkText(f, mp+".alt_text", m.AltText, 2000)
		if len(m.MIME) > 100 {
			f.add(mp+".mime", "is too long")
		}
		media = append(media, store.Media{URL: m.URL, Kind: m.Kind, MIME: m.MIME, SizeBytes: m.SizeBytes, AltText: m.AltText})
	}
	return media
}

// plannedTime reads scheduled_at or local_time + time_zone; the zone defaults to def.
func plannedTime(f fields, scheduledAt, localTime, zone *string, def string) (*time.Time, string) {
	tzName := def
	if zone != nil {
		tzName = *zone
	}
	loc, ok := loadZone(tzName)
	if !ok {
		f.add("time_zone", "must be an IANA time zone such as Europe/Paris")
		return nil, ""
	}
	switch {
	case scheduledAt != nil && localTime != nil:
		f.add("scheduled_at", "give scheduled_at or local_time, not both")
	case scheduledAt != nil:
		t, err := time.Parse(time.RFC3339, *scheduledAt)
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			f.add("scheduled_at", "must be an RFC 3339 time such as 2026-03-30T09:00:00+02:00")
			return nil, ""
		}
		return &t, tzName
	case localTime != nil:
		var t time.Time
		var err error
		for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
			if t, err = time.Parse(layout, *localTime); err == nil {
				break
			}
		}
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			f.add("local_time", "must be a local time such as 2026-03-30T09:00")
			return nil, ""
		}
		at := LocalToInstant(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), loc)
		return &at, tzName
	}
	return nil, tzName
}

func (s *Server) createPost(c *gin.Context) {
	var req postRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	ws, err := s.store.Workspace(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	if req.Revision != nil {
		f.add("revision", "is only for edits")
	}
	e := req.edit(f)
	if (e.Body == nil || strings.TrimSpace(*e.Body) == "") && (e.Title == nil || *e.Title == "") {
		f.add("text", "write some text or a title")
	}
	at, tz := plannedTime(f, req.ScheduledAt, req.LocalTime, req.TimeZone, ws.TimeZone)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	in := store.PostInput{}
	if e.Title != nil {
		in.Title = *e.Title
	}
	if e.Body != nil {
		in.Body = *e.Body
	}
	if e.Campaign != nil {
		in.Campaign = *e.Campaign
	}
	if e.Labels != nil {
		in.Labels = *e.Labels
	}
	if e.Targets != nil {
		in.Targets = *e.Targets
	}
	if e.Thread != nil {
		in.Thread = *e.Thread
	}
	p, err := s.store.CreatePost(c.Request.Context(), ws.ID, callerOf(c).actor(), in, at, tz)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.scoreOne(c.Request.Context(), p); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewPost(p))
}

func (s *Server) getPost(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, err := s.store.Post(ctx, workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.withReview(c, p, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// withReview adds the review state: the approval steps and where the post stands in them, who
// approved this revision, and every decision. ws may be nil when the caller has not loaded the
// workspace already.
func (s *Server) withReview(c *gin.Context, p *store.Post, ws *store.Workspace) (postView, error) {
	ctx := c.Request.Context()
	if err := s.scoreOne(ctx, p); err != nil {
		return postView{}, err
	}
	v := viewPost(p)
	if ws == nil {
		var err error
		if ws, err = s.store.Workspace(ctx, p.WorkspaceID); err != nil {
			return v, err
		}
	}
	r, err := s.store.PostReview(ctx, ws, p)
	if err != nil {
		return v, err
	}
	rv := &reviewView{RequiredApprovals: ws.RequiredApprovals, ApprovedBy: r.Approvers, Decisions: []reviewItem{},
		Steps: []reviewStepView{}, CurrentStep: r.Progress.Current}
	for i, st := range r.Steps {
		sv := viewStep(st)
		rv.Steps = append(rv.Steps, reviewStepView{Name: sv.Name, Role: sv.Role, Members: sv.Members, Client: sv.Client, Mode: sv.Mode,
			MinApprovals: sv.MinApprovals, Done: r.Progress.Done[i], Current: i == r.Progress.Current, ApprovedBy: nonNil(r.Progress.Counted[i])})
	}
	for _, d := range r.Decisions {
		it := reviewItem{ReviewerID: d.ReviewerID, ClientLinkID: d.ClientLinkID, Decision: d.Decision, Revision: d.Revision, At: d.CreatedAt.UTC()}
		if d.ClientLinkID != nil {
			it.Client = r.ClientNames[*d.ClientLinkID]
		}
		if d.Note != nil {
			it.Note = *d.Note
		}
		rv.Decisions = append(rv.Decisions, it)
	}
	v.Review = rv
	return v, nil
}

func policyOf(w *store.Workspace) workflow.Policy {
	return workflow.Policy{RequiredApprovals: w.RequiredApprovals, AuthorsMaySelfApprove: w.AuthorsMaySelfApprove, EditorsSkipReview: w.EditorsSkipReview}
}

func (s *Server) editPost(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req postRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	if req.Revision == nil || *req.Revision < 1 {
		f.add("revision", "send the revision you edited (from the post you loaded)")
	}
	if req.ScheduledAt != nil || req.LocalTime != nil || req.TimeZone != nil {
		f.add("scheduled_at", "change the time with the reschedule or schedule actions")
	}
	e := req.edit(f)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	s.runAction(c, id, store.PostAction{Action: workflow.Edit, Revision: *req.Revision, Edit: e})
}

type actionRequest struct {
	Revision    *int    `json:"revision"`
	Note        *string `json:"note"`
	ScheduledAt *string `json:"scheduled_at"`
	LocalTime   *string `json:"local_time"`
	TimeZone    *string `json:"time_zone"`
}

// decodeOptionalJSON is decodeJSON for endpoints whose body may be empty.
func decodeOptionalJSON(c *gin.Context, dst any) error {
	if c.Request.Body == nil || c.Request.ContentLength == 0 {
		return nil
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return decodeJSON(c, dst) // reports the read error the same way
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	return decodeJSON(c, dst)
}

// postAction handles the workflow endpoints (submit, approve, schedule, …).
func (s *Server) postAction(act workflow.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := idParam(c, "pid")
		if err != nil {
			s.fail(c, err)
			return
		}
		var req actionRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
		f := fields{}
		pa := store.PostAction{Action: act}
		if req.Revision != nil {
			pa.Revision = *req.Revision
		}
		if req.Note != nil {
			checkText(f, "note", *req.Note, maxNote)
			pa.Note = strings.TrimSpace(*req.Note)
		}
		if act == workflow.RequestChanges && pa.Note == "" {
			f.add("note", "say what needs to change")
		}
		if act == workflow.Schedule || act == workflow.Reschedule {
			def := ""
			if req.TimeZone == nil {
				p, err := s.store.Post(c.Request.Context(), workspaceID(c), id)
				if err != nil {
					s.fail(c, err)
					return
				}
				def = p.TimeZone
			}
			pa.ScheduledAt, pa.TimeZone = plannedTime(f, req.ScheduledAt, req.LocalTime, req.TimeZone, def)
			if act == workflow.Reschedule && pa.ScheduledAt == nil {
				f.add("scheduled_at", "choose the new time")
			}
		} else if req.ScheduledAt != nil || req.LocalTime != nil || req.TimeZone != nil {
			f.add("scheduled_at", "this action does not take a time")
		}
		if err := f.err(); err != nil {
			s.fail(c, err)
			return
		}
		s.runAction(c, id, pa)
	}
}

func (s *Server) runAction(c *gin.Context, id int64, pa store.PostAction) {
	ctx := c.Request.Context()
	ws, err := s.store.Workspace(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	cl := callerOf(c)
	pa.Actor, pa.Role, pa.Policy = cl.actor(), roleOf(c), policyOf(ws)
	// Authors approve and request changes only where a policy names them. Checking that first
	// keeps the gates below (content rules, brand voice) from telling an author anything about a
	// post they may not review.
	if (pa.Action == workflow.Approve || pa.Action == workflow.RequestChanges) && !pa.Role.CanReview() {
		pol, err := s.store.PostPolicy(ctx, ws, id)
		if err != nil {
			s.fail(c, err)
			return
		}
		named := false
		for _, st := range append(pol.Steps, pol.LabelSteps...) {
			named = named || slices.Contains(st.Members, cl.User.ID)
		}
		if !named {
			s.fail(c, forbidden("Only editors, admins and owners, and the approvers an approval policy names, may review a post."))
			return
		}
	}
	if rulesGate[pa.Action] {
		cur, err := s.store.Post(ctx, ws.ID, id)
		if err != nil {
			s.fail(c, err)
			return
		}
		if pa.Revision == 0 {
			// Bind the action to the revision that was checked: a concurrent edit makes it a 409.
			pa.Revision = cur.Revision
		}
		if err := s.enforceRules(ctx, cur); err != nil {
			s.fail(c, err)
			return
		}
		// The brand voice gates what an author commits for review. An author acting on someone
		// else's post is refused by the workflow below, before learning anything about it.
		if needsVoiceGate(pa.Action, workflow.Status(cur.Status)) && (cur.AuthorID == cl.User.ID || pa.Role.CanReview()) {
			if err := s.voiceGate(ctx, c, ws, cur); err != nil {
				s.fail(c, err)
				return
			}
		}
	}
	p, _, err := s.store.ApplyPostAction(ctx, ws.ID, id, pa)
	if err != nil {
		s.fail(c, err)
		return
	}
	if p.Status == string(workflow.Scheduled) {
		s.wake()
	}
	v, err := s.withReview(c, p, ws)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) duplicatePost(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.store.DuplicatePost(c.Request.Context(), workspaceID(c), id, callerOf(c).actor())
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.scoreOne(c.Request.Context(), p); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewPost(p))
}

// cursorAfter is the next_cursor of a page whose last item has id: the next page starts after it.
func cursorAfter(id int64) string { return strconv.FormatInt(id, 10) }

// listQuery reads the shared list parameters: limit (1–200) and cursor.
func listQuery(c *gin.Context, f fields) (limit int, cursor int64) {
	limit = 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			f.add("limit", "must be a number from 1 to 200")
		}
		limit = n
	}
	if v := c.Query("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			f.add("cursor", "is not a cursor from a previous page")
		}
		cursor = n
	}
	return
}

// idList parses comma-separated or repeated numeric query values.
func idList(c *gin.Context, f fields, name string) []int64 {
	var out []int64
	for _, raw := range c.QueryArray(name) {
		for _, part := range strings.Split(raw, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			n, err := strconv.ParseInt(part, 10, 64)
			if err != nil || n < 1 {
				f.add(name, "must be a list of ids")
				return nil
			}
			out = append(out, n)
		}
	}
	if len(out) > 100 {
		f.add(name, "at most 100 values")
	}
	return out
}

func stringList(c *gin.Context, f fields, name string, valid func(string) bool) []string {
	var out []string
	for _, raw := range c.QueryArray(name) {
		for _, part := range strings.Split(raw, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			if !valid(part) {
				f.add(name, "has an unknown value: "+truncate(part, 40))
				return nil
			}
			out = append(out, part)
		}
	}
	if len(out) > 100 {
		f.add(name, "at most 100 values")
	}
	return out
}

func validStatus(s string) bool { return workflow.Status(s).Valid() }
func validLabel(s string) bool {
	return len([]rune(s)) <= maxLabel && checkName("l", s, maxLabel, true) == nil
}

func (s *Server) listPosts(c *gin.Context) {
	f := fields{}
	limit, cursor := listQuery(c, f)
	pf := store.PostFilter{WorkspaceID: workspaceID(c), Limit: limit, BeforeID: cursor,
		Statuses: stringList(c, f, "status", validStatus), Labels: stringList(c, f, "label", validLabel),
		ChannelIDs: idList(c, f, "channel"), AuthorIDs: idList(c, f, "author"), Campaign: c.Query("campaign")}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	posts, more, err := s.store.Posts(c.Request.Context(), pf)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.scorePosts(c.Request.Context(), pf.WorkspaceID, posts); err != nil {
		s.fail(c, err)
		return
	}
	out := page[postView]{Items: make([]postView, 0, len(posts))}
	for i := range posts {
		out.Items = append(out.Items, viewPost(&posts[i]))
	}
	if more {
		out.NextCursor = cursorAfter(posts[len(posts)-1].ID)
	}
	c.JSON(http.StatusOK, out)
}

type commentRequest struct {
	Text string `json:"text"`
}

var mentionRE = regexp.MustCompile(`(?:^|[^\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)`)

func (s *Server) createComment(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req commentRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.Text = strings.TrimSpace(req.Text)
	if req.Text == "" {
		f.add("text", "write a comment")
	}
	checkText(f, "text", req.Text, maxComment)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	ws := workspaceID(c)
	members, err := s.store.Members(ctx, ws)
	if err != nil {
		s.fail(c, err)
		return
	}
	// @alice matches the member whose email is alice@… ; @alice@example.com matches exactly.
	var mentions []int64
	seen := map[int64]bool{}
	for _, m := range mentionRE.FindAllStringSubmatch(req.Text, 50) {
		name := strings.ToLower(strings.TrimRight(m[1], "."))
		for _, mem := range members {
			local, _, _ := strings.Cut(mem.Email, "@")
			if (mem.Email == name || local == name) && !seen[mem.UserID] {
				seen[mem.UserID] = true
				mentions = append(mentions, mem.UserID)
			}
		}
	}
	cm := &store.Comment{WorkspaceID: ws, PostID: id, AuthorID: callerOf(c).User.ID, Body: req.Text, Mentions: mentions}
	if err := s.store.CreateComment(ctx, cm, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewComment(cm))
}

func (s *Server) listComments(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	limit, cursor := listQuery(c, f)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := s.store.PostExists(ctx, workspaceID(c), id); err != nil {
		s.fail(c, err)
		return
	}
	cms, more, err := s.store.Comments(ctx, workspaceID(c), id, cursor, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[commentView]{Items: []commentView{}}
	for i := range cms {
		out.Items = append(out.Items, viewComment(&cms[i]))
	}
	if more {
		out.NextCursor = cursorAfter(cms[len(cms)-1].ID)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) postAudit(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.PostExists(c.Request.Context(), workspaceID(c), id); err != nil {
		s.fail(c, err)
		return
	}
	s.listAudit(c, store.AuditFilter{WorkspaceID: workspaceID(c), EntityType: "post", EntityID: id})
}

func (s *Server) listAudit(c *gin.Context, af store.AuditFilter) {
	f := fields{}
	af.Limit, af.BeforeID = listQuery(c, f)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	evs, more, err := s.store.AuditEvents(c.Request.Context(), af)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[auditView]{Items: []auditView{}}
	for i := range evs {
		out.Items = append(out.Items, viewAudit(&evs[i]))
	}
	if more {
		out.NextCursor = cursorAfter(evs[len(evs)-1].ID)
	}
	c.JSON(http.StatusOK, out)
}
