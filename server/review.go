package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// Approval policies: ordered steps of approvers, the workspace's own and per label. Admins
// manage them, like the rest of the approval policy; every member may read them.

type stepRequest struct {
	Name         string  `json:"name"`
	Role         string  `json:"role"`
	Members      []int64 `json:"members"`
	Client       bool    `json:"client"`
	Mode         string  `json:"mode"`
	MinApprovals int     `json:"min_approvals"`
}

type approvalPolicyRequest struct {
	Name  *string `json:"name"`
	Label *string `json:"label"`
	// Position orders the policies; label policies add their steps in this order.
	Position *int           `json:"position"`
	Steps    *[]stepRequest `json:"steps"`
}

func (r *approvalPolicyRequest) apply(f fields, p *store.ApprovalPolicy, creating bool) {
	if r.Name != nil {
		n := strings.TrimSpace(*r.Name)
		if err := checkName("name", n, 100, true); err != nil {
			f.add("name", err.(*APIError).Fields["name"])
		}
		p.Name = n
	} else if creating {
		f.add("name", "is required")
	}
	if r.Label != nil {
		l := strings.TrimSpace(*r.Label)
		if l != "" && !validLabel(l) {
			f.add("label", fmt.Sprintf("must be a label of 1 to %d characters, or empty for the workspace's own policy", maxLabel))
		}
		p.Label = l
	}
	if r.Position != nil {
		if *r.Position < 0 || *r.Position > 1000 {
			f.add("position", "must be between 0 and 1000")
		}
		p.Position = *r.Position
	}
	if r.Steps != nil {
		if len(*r.Steps) > workflow.MaxSteps {
			f.add("steps", fmt.Sprintf("at most %d steps", workflow.MaxSteps))
		}
		steps := make([]workflow.Step, 0, len(*r.Steps))
		for i, sr := range *r.Steps {
			st := workflow.Step{Name: strings.TrimSpace(sr.Name), Role: workflow.Role(sr.Role), Members: sr.Members,
				Client: sr.Client, Mode: workflow.StepMode(sr.Mode), MinApprovals: sr.MinApprovals}
			if len([]rune(st.Name)) > 100 {
				f.add(fmt.Sprintf("steps[%d].name", i), "must be at most 100 characters")
			}
			if err := st.Validate(); err != nil {
				f.add(fmt.Sprintf("steps[%d]", i), strings.TrimPrefix(err.Error(), workflow.ErrInvalidStep.Error()+": "))
			}
			steps = append(steps, st)
		}
		p.Steps = steps
	} else if creating {
		f.add("steps", "list the steps, in order")
	}
	if p.Label != "" && len(p.Steps) == 0 && (creating || r.Steps != nil) {
		f.add("steps", "a label's policy adds at least one step")
	}
}

func (s *Server) listApprovalPolicies(c *gin.Context) {
	ps, err := s.store.ApprovalPolicies(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[approvalPolicyView]{Items: []approvalPolicyView{}}
	for i := range ps {
		out.Items = append(out.Items, viewApprovalPolicy(&ps[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) createApprovalPolicy(c *gin.Context) {
	var req approvalPolicyRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	p := &store.ApprovalPolicy{WorkspaceID: workspaceID(c)}
	f := fields{}
	req.apply(f, p, true)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.CreateApprovalPolicy(c.Request.Context(), p, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewApprovalPolicy(p))
}

func (s *Server) updateApprovalPolicy(c *gin.Context) {
	id, err := idParam(c, "apid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req approvalPolicyRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, err := s.store.ApprovalPolicyByID(ctx, workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.apply(f, p, false)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.UpdateApprovalPolicy(ctx, p, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewApprovalPolicy(p))
}

func (s *Server) deleteApprovalPolicy(c *gin.Context) {
	id, err := idParam(c, "apid")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.DeleteApprovalPolicy(c.Request.Context(), workspaceID(c), id, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type reviewSettingsRequest struct {
	ApprovalLeadMinutes   *int `json:"approval_lead_minutes"`
	ReminderMinutes       *int `json:"reminder_minutes"`
	DuplicateWindowDays   *int `json:"duplicate_window_days"`
	DuplicateSimilarity   *int `json:"duplicate_similarity"`
	ConflictWindowMinutes *int `json:"conflict_window_minutes"`
}

func (s *Server) getReviewSettings(c *gin.Context) {
	rs, err := s.store.ReviewSettingsFor(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewReviewSettings(rs))
}

func (s *Server) setReviewSettings(c *gin.Context) {
	var req reviewSettingsRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	rs, err := s.store.ReviewSettingsFor(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	maxLead := int(workflow.MaxDeadlineLead.Minutes())
	set := func(name string, v *int, dst *int, lo, hi int) {
		if v == nil {
			return
		}
		if *v < lo || *v > hi {
			f.add(name, fmt.Sprintf("must be between %d and %d", lo, hi))
		}
		*dst = *v
	}
	set("approval_lead_minutes", req.ApprovalLeadMinutes, &rs.ApprovalLeadMinutes, 0, maxLead)
	set("reminder_minutes", req.ReminderMinutes, &rs.ReminderMinutes, 0, maxLead)
	set("duplicate_window_days", req.DuplicateWindowDays, &rs.DuplicateWindowDays, 0, 90)
	set("duplicate_similarity", req.DuplicateSimilarity, &rs.DuplicateSimilarity, 50, 100)
	set("conflict_window_minutes", req.ConflictWindowMinutes, &rs.ConflictWindowMinutes, 0, 24*60)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.SetReviewSettings(ctx, rs, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewReviewSettings(rs))
}
