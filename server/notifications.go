package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
)

type notificationView struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	PostID    *int64     `json:"post_id"`
	TargetID  *int64     `json:"target_id"`
	ChannelID *int64     `json:"channel_id"`
	Message   string     `json:"message"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func (s *Server) listNotifications(c *gin.Context) {
	f := fields{}
	limit, cursor := listQuery(c, f)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	ns, more, err := s.store.Notifications(c.Request.Context(), workspaceID(c), c.Query("unread") == "true", cursor, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[notificationView]{Items: []notificationView{}}
	for _, n := range ns {
		out.Items = append(out.Items, notificationView{ID: n.ID, Kind: n.Kind, PostID: n.PostID, TargetID: n.TargetID, ChannelID: n.ChannelID,
			Message: n.Message, CreatedAt: n.CreatedAt.UTC(), ReadAt: utcOrNil(n.ReadAt)})
	}
	if more {
		out.NextCursor = cursorAfter(ns[len(ns)-1].ID)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) readNotification(c *gin.Context) {
	id, err := idParam(c, "nid")
	if err == nil {
		err = s.store.MarkNotificationRead(c.Request.Context(), workspaceID(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type snapshotView struct {
	TakenAt     time.Time `json:"taken_at"`
	Likes       *int64    `json:"likes"`
	Reposts     *int64    `json:"reposts"`
	Replies     *int64    `json:"replies"`
	Quotes      *int64    `json:"quotes"`
	Impressions *int64    `json:"impressions"`
	Clicks      *int64    `json:"clicks"`
}

type targetEngagement struct {
	TargetID  int64          `json:"target_id"`
	ChannelID int64          `json:"channel_id"`
	History   []snapshotView `json:"history"`
	Latest    *snapshotView  `json:"latest,omitempty"`
}

// engagement returns each published target's engagement history, for the post's chart.
func (s *Server) engagement(c *gin.Context) {
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
	snaps, err := s.store.Snapshots(ctx, p.WorkspaceID, p.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	byTarget := map[int64][]snapshotView{}
	for _, sn := range snaps {
		byTarget[sn.TargetID] = append(byTarget[sn.TargetID], snapshotView{TakenAt: sn.TakenAt.UTC(), Likes: sn.Likes, Reposts: sn.Reposts,
			Replies: sn.Replies, Quotes: sn.Quotes, Impressions: sn.Impressions, Clicks: sn.Clicks})
	}
	out := []targetEngagement{}
	for _, t := range p.Targets {
		h := byTarget[t.ID]
		te := targetEngagement{TargetID: t.ID, ChannelID: t.ChannelID, History: []snapshotView{}}
		if len(h) > 0 {
			te.History = h
			te.Latest = &h[len(h)-1]
		}
		out = append(out, te)
	}
	c.JSON(http.StatusOK, gin.H{"post_id": p.ID, "targets": out})
}

type resolveRequest struct {
	Outcome string `json:"outcome"`
	URL     string `json:"url"`
}

// resolveTarget records a person's decision about an unconfirmed, missed or failed target.
func (s *Server) resolveTarget(c *gin.Context) {
	pid, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	tid, err := idParam(c, "tid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req resolveRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.URL != "" && (!strings.HasPrefix(req.URL, "https://") && !strings.HasPrefix(req.URL, "http://") || len(req.URL) > 1000) {
		s.fail(c, fieldErr(map[string]string{"url": "must be the http(s) address of the published post"}))
		return
	}
	ctx := c.Request.Context()
	if err := s.store.ResolveTarget(ctx, workspaceID(c), pid, tid, req.Outcome, req.URL, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	if req.Outcome == store.ResolveRetry {
		s.wake()
	}
	p, err := s.store.Post(ctx, workspaceID(c), pid)
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
