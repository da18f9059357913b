package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
)

type revisionView struct {
	Revision  int                   `json:"revision"`
	Kind      string                `json:"kind"`
	ActorID   *int64                `json:"actor_id"`
	CreatedAt time.Time             `json:"created_at"`
	Content   store.RevisionContent `json:"content"`
}

// listRevisions returns the content a post had each time it was submitted for review and each
// time it was approved, oldest first, so a reviewer can see what changed since the last
// approved revision.
func (s *Server) listRevisions(c *gin.Context) {
	id, err := idParam(c, "pid")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := s.store.PostExists(ctx, workspaceID(c), id); err != nil {
		s.fail(c, err)
		return
	}
	revs, err := s.store.Revisions(ctx, workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[revisionView]{Items: make([]revisionView, 0, len(revs))}
	for _, r := range revs {
		v := revisionView{Revision: r.Revision, Kind: r.Kind, ActorID: r.ActorID, CreatedAt: r.CreatedAt.UTC()}
		if err := json.Unmarshal([]byte(r.Content), &v.Content); err != nil {
			s.fail(c, fmt.Errorf("revision %d of post %d: %w", r.ID, id, err))
			return
		}
		out.Items = append(out.Items, v)
	}
	c.JSON(http.StatusOK, out)
}
