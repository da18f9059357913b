package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

func (s *Server) listWorkspaces(c *gin.Context) {
	wss, err := s.store.WorkspacesForUser(c.Request.Context(), callerOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[workspaceView]{Items: []workspaceView{}}
	for i := range wss {
		out.Items = append(out.Items, viewWorkspace(&wss[i].Workspace, wss[i].Role))
	}
	c.JSON(http.StatusOK, out)
}

type policyRequest struct {
	RequiredApprovals     *int  `json:"required_approvals"`
	AuthorsMaySelfApprove *bool `json:"authors_may_self_approve"`
	EditorsSkipReview     *bool `json:"editors_skip_review"`
}

type workspaceRequest struct {
	Name               *string        `json:"name"`
	TimeZone           *string        `json:"time_zone"`
	ApprovalPolicy     *policyRequest `json:"approval_policy"`
	GracePeriodSeconds *int           `json:"grace_period_seconds"`
}

func (r *workspaceRequest) validate(creating bool) (store.WorkspaceUpdate, error) {
	f := fields{}
	var u store.WorkspaceUpdate
	if r.Name != nil {
		n := strings.TrimSpace(*r.Name)
		if err := checkName("name", n, 200, true); err != nil {
			return u, err
		}
		u.Name = &n
	} else if creating {
		f.add("name", "is required")
	}
	if r.TimeZone != nil {
		if _, ok := loadZone(*r.TimeZone); !ok {
			f.add("time_zone", "must be an IANA time zone such as Europe/Paris")
		}
		u.TimeZone = r.TimeZone
	}
	if p := r.ApprovalPolicy; p != nil {
		if p.RequiredApprovals != nil {
			if *p.RequiredApprovals < 0 || *p.RequiredApprovals > 10 {
				f.add("approval_policy.required_approvals", "must be between 0 and 10")
			}
			u.RequiredApprovals = p.RequiredApprovals
		}
		u.AuthorsMaySelfApprove = p.AuthorsMaySelfApprove
		u.EditorsSkipReview = p.EditorsSkipReview
	}
	if r.GracePeriodSeconds != nil {
		if *r.GracePeriodSeconds < 0 || *r.GracePeriodSeconds > 7*24*3600 {
			f.add("grace_period_seconds", "must be between 0 and 604800 (7 days)")
		}
		u.GracePeriodSeconds = r.GracePeriodSeconds
	}
	return u, f.err()
}

func (s *Server) createWorkspace(c *gin.Context) {
	var req workspaceRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	u, err := req.validate(true)
	if err != nil {
		s.fail(c, err)
		return
	}
	w := &store.Workspace{Name: *u.Name, TimeZone: "UTC", RequiredApprovals: 1, GracePeriodSeconds: 3600}
	if u.TimeZone != nil {
		w.TimeZone = *u.TimeZone
	}
	if u.RequiredApprovals != nil {
		w.RequiredApprovals = *u.RequiredApprovals
	}
	if u.AuthorsMaySelfApprove != nil {
		w.AuthorsMaySelfApprove = *u.AuthorsMaySelfApprove
	}
	if u.EditorsSkipReview != nil {
		w.EditorsSkipReview = *u.EditorsSkipReview
	}
	if u.GracePeriodSeconds != nil {
		w.GracePeriodSeconds = *u.GracePeriodSeconds
	}
	cl := callerOf(c)
	if err := s.store.CreateWorkspace(c.Request.Context(), w, cl.User.ID, cl.actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewWorkspace(w, string(workflow.Owner)))
}

func (s *Server) getWorkspace(c *gin.Context) {
	w, err := s.store.Workspace(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewWorkspace(w, string(roleOf(c))))
}

func (s *Server) updateWorkspace(c *gin.Context) {
	var req workspaceRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	u, err := req.validate(false)
	if err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.store.UpdateWorkspace(c.Request.Context(), workspaceID(c), u, callerOf(c).actor())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewWorkspace(w, string(roleOf(c))))
}

func (s *Server) listMembers(c *gin.Context) {
	ms, err := s.store.Members(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[memberView]{Items: []memberView{}}
	for _, m := range ms {
		out.Items = append(out.Items, memberView{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: m.Role, JoinedAt: m.CreatedAt.UTC()})
	}
	c.JSON(http.StatusOK, out)
}

type roleRequest struct {
	Role string `json:"role"`
}

// mayGrant says whether a member with role r may give or take away role target: only owners
// touch ownership; admins manage everyone else.
func mayGrant(r, target workflow.Role) bool {
	if target == workflow.Owner {
		return r == workflow.Owner
	}
	return r.CanManageMembers()
}

func (s *Server) updateMember(c *gin.Context) {
	uid, err := idParam(c, "uid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req roleRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	newRole, err := workflow.ParseRole(req.Role)
	if err != nil {
		s.fail(c, fieldErr(map[string]string{"role": "must be one of owner, admin, editor, author, viewer"}))
		return
	}
	ctx := c.Request.Context()
	cur, err := s.store.Role(ctx, workspaceID(c), uid)
	if err != nil {
		s.fail(c, err)
		return
	}
	me := roleOf(c)
	if !mayGrant(me, workflow.Role(cur)) || !mayGrant(me, newRole) {
		s.fail(c, forbidden("Only owners can grant or remove the owner role."))
		return
	}
	if err := s.store.SetRole(ctx, workspaceID(c), uid, string(newRole), callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	s.listMembers(c)
}

func (s *Server) removeMember(c *gin.Context) {
	uid, err := idParam(c, "uid")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	cl := callerOf(c)
	cur, err := s.store.Role(ctx, workspaceID(c), uid)
	if err != nil {
		s.fail(c, err)
		return
	}
	if uid != cl.User.ID && !mayGrant(roleOf(c), workflow.Role(cur)) {
		s.fail(c, forbidden("Only admins can remove other members, and only owners can remove an owner."))
		return
	}
	if err := s.store.RemoveMember(ctx, workspaceID(c), uid, cl.actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listInvitations(c *gin.Context) {
	invs, err := s.store.Invitations(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[invitationView]{Items: []invitationView{}}
	for i := range invs {
		out.Items = append(out.Items, viewInvitation(&invs[i]))
	}
	c.JSON(http.StatusOK, out)
}

type invitationRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

func (s *Server) createInvitation(c *gin.Context) {
	var req invitationRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	email := store.NormalizeEmail(req.Email)
	if !validEmail(email) {
		f.add("email", "must be an email address")
	}
	role, err := workflow.ParseRole(req.Role)
	if err != nil {
		f.add("role", "must be one of owner, admin, editor, author, viewer")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if !mayGrant(roleOf(c), role) {
		s.fail(c, forbidden("Only owners can invite owners."))
		return
	}
	token, hash, err := auth.NewToken("hrld_inv_")
	if err != nil {
		s.fail(c, err)
		return
	}
	cl := callerOf(c)
	inv := &store.Invitation{WorkspaceID: workspaceID(c), Email: email, Role: string(role), TokenHash: hash,
		InvitedBy: cl.User.ID, ExpiresAt: s.now().Add(7 * 24 * time.Hour)}
	if err := s.store.CreateInvitation(c.Request.Context(), inv, cl.actor()); err != nil {
		s.fail(c, err)
		return
	}
	v := viewInvitation(inv)
	v.Token = token
	v.AcceptURL = strings.TrimRight(s.cfg.PublicURL, "/") + "/invite#" + token
	c.JSON(http.StatusCreated, v)
}

func (s *Server) revokeInvitation(c *gin.Context) {
	id, err := idParam(c, "iid")
	if err == nil {
		err = s.store.RevokeInvitation(c.Request.Context(), workspaceID(c), id, callerOf(c).actor())
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// validEmail is a plausibility check (one @, a dot in the domain, no spaces), not RFC 5322.
func validEmail(e string) bool {
	if len(e) < 3 || len(e) > 254 || strings.ContainsAny(e, " \t\r\n<>,;\"") {
		return false
	}
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && !strings.Contains(domain, "@") && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func (s *Server) workspaceAudit(c *gin.Context) {
	s.listAudit(c, store.AuditFilter{WorkspaceID: workspaceID(c)})
}
