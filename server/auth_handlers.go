package server

import (
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
)

type signInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type meResponse struct {
	User       userView        `json:"user"`
	CSRFToken  string          `json:"csrf_token,omitempty"`
	Workspaces []workspaceView `json:"workspaces"`
}

func (s *Server) signIn(c *gin.Context) {
	var req signInRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	if strings.TrimSpace(req.Email) == "" {
		f.add("email", "enter your email address")
	}
	if req.Password == "" {
		f.add("password", "enter your password")
	}
	if len(req.Email) > 254 {
		// No account has such an address; refusing it here keeps megabyte-long throttle keys out
		// of memory.
		f.add("email", "is too long to be an email address")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	email := store.NormalizeEmail(req.Email)
	for _, lim := range []struct {
		l   *auth.Limiter
		key string
	}{{s.ipRL, addressKey(c.ClientIP())}, {s.emailRL, "email:" + email}} {
		if ok, wait := lim.l.Allow(lim.key); !ok {
			e := apiErr(http.StatusTooManyRequests, "too_many_attempts", "Too many sign-in attempts. Please wait before trying again.")
			e.retryAfter = int(math.Ceil(wait.Seconds()))
			s.fail(c, e)
			return
		}
	}
	ctx := c.Request.Context()
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(c, err)
		return
	}
	ok := false
	if err == nil && u.PasswordHash != "" {
		var rehash bool
		ok, rehash, _ = auth.CheckPassword(u.PasswordHash, req.Password)
		if ok && rehash {
			if h, err := auth.HashPassword(req.Password, s.pwd); err == nil {
				_ = s.store.SetPassword(ctx, u.ID, h, -1)
			}
		}
	} else {
		// Same work for unknown accounts, so timing does not tell which emails exist.
		auth.CheckDummy(req.Password)
	}
	if !ok {
		s.fail(c, apiErr(http.StatusUnauthorized, "invalid_credentials", "The email or password is wrong."))
		return
	}
	s.emailRL.Reset("email:" + email)
	if err := s.startSession(c, u); err != nil {
		s.fail(c, err)
		return
	}
}

// addressKey is the per-address throttle key of a client: its IPv4 address, or its IPv6 /64,
// since one host commonly holds a whole /64 and could otherwise try from a new address each time.
func addressKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return "ip:" + p.String()
		}
	}
	return "ip:" + addr.String()
}

// startSession creates a session, sets its cookie and answers like /me.
func (s *Server) startSession(c *gin.Context, u *store.User) error {
	token, hash, err := auth.NewToken("hrld_ses_")
	if err != nil {
		return err
	}
	csrf, err := auth.NewCSRFToken()
	if err != nil {
		return err
	}
	now := s.now()
	sess := &store.Session{UserID: u.ID, TokenHash: hash, CSRFToken: csrf, UserAgent: truncate(c.Request.UserAgent(), 255),
		IP: truncate(c.ClientIP(), 64), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.store.CreateSession(c.Request.Context(), sess); err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	return s.respondMe(c, u, csrf)
}

func (s *Server) respondMe(c *gin.Context, u *store.User, csrf string) error {
	wss, err := s.store.WorkspacesForUser(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	resp := meResponse{User: viewUser(u), CSRFToken: csrf, Workspaces: []workspaceView{}}
	for i := range wss {
		resp.Workspaces = append(resp.Workspaces, viewWorkspace(&wss[i].Workspace, wss[i].Role))
	}
	c.JSON(http.StatusOK, resp)
	return nil
}

func (s *Server) signOut(c *gin.Context) {
	cl := callerOf(c)
	if cl.Session != nil {
		if err := s.store.DeleteSession(c.Request.Context(), cl.Session.ID); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	cl := callerOf(c)
	csrf := ""
	if cl.Session != nil {
		csrf = cl.Session.CSRFToken
	}
	if err := s.respondMe(c, cl.User, csrf); err != nil {
		s.fail(c, err)
	}
}

type updateMeRequest struct {
	Name *string `json:"name"`
}

func (s *Server) updateMe(c *gin.Context) {
	var req updateMeRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	cl := callerOf(c)
	if req.Name != nil {
		name := strings.TrimSpace(*req.Name)
		if err := checkName("name", name, 200, true); err != nil {
			s.fail(c, err)
			return
		}
		if err := s.store.UpdateUserName(c.Request.Context(), cl.User.ID, name); err != nil {
			s.fail(c, err)
			return
		}
		cl.User.Name = name
	}
	c.JSON(http.StatusOK, gin.H{"user": viewUser(cl.User)})
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	cl := callerOf(c)
	f := fields{}
	if ok, _, _ := auth.CheckPassword(cl.User.PasswordHash, req.CurrentPassword); !ok {
		f.add("current_password", "is not your current password")
	}
	if err := auth.ValidatePassword(req.NewPassword); err != nil {
		f.add("new_password", err.Error())
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	h, err := auth.HashPassword(req.NewPassword, s.pwd)
	if err != nil {
		s.fail(c, err)
		return
	}
	keep := int64(0)
	if cl.Session != nil {
		keep = cl.Session.ID
	}
	if err := s.store.SetPassword(c.Request.Context(), cl.User.ID, h, keep); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"message": "Password changed. Your other sessions were signed out."})
}

type createTokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days"`
}

func (s *Server) createToken(c *gin.Context) {
	var req createTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.Name = strings.TrimSpace(req.Name)
	if err := checkName("name", req.Name, 100, true); err != nil {
		s.fail(c, err)
		return
	}
	if req.ExpiresInDays != nil && (*req.ExpiresInDays < 1 || *req.ExpiresInDays > 3650) {
		f.add("expires_in_days", "must be between 1 and 3650")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	plain, hash, err := auth.NewToken("hrld_pat_")
	if err != nil {
		s.fail(c, err)
		return
	}
	t := &store.APIToken{UserID: callerOf(c).User.ID, Name: req.Name, TokenHash: hash, Prefix: plain[:13]}
	if req.ExpiresInDays != nil {
		exp := s.now().Add(time.Duration(*req.ExpiresInDays) * 24 * time.Hour)
		t.ExpiresAt = &exp
	}
	if err := s.store.CreateAPIToken(c.Request.Context(), t); err != nil {
		s.fail(c, err)
		return
	}
	v := viewToken(t)
	v.Token = plain
	c.JSON(http.StatusCreated, v)
}

func (s *Server) listTokens(c *gin.Context) {
	ts, err := s.store.APITokens(c.Request.Context(), callerOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[tokenView]{Items: []tokenView{}}
	for i := range ts {
		out.Items = append(out.Items, viewToken(&ts[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) deleteToken(c *gin.Context) {
	id, err := idParam(c, "tid")
	if err == nil {
		err = s.store.DeleteAPIToken(c.Request.Context(), callerOf(c).User.ID, id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type acceptInvitationRequest struct {
	Token    string `json:"token"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// acceptInvitation joins the invited workspace. A person without an account gives a name and a
// password and is signed in; a person with one must be signed in as the invited address.
func (s *Server) acceptInvitation(c *gin.Context) {
	var req acceptInvitationRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if strings.TrimSpace(req.Token) == "" {
		s.fail(c, fieldErr(map[string]string{"token": "is required"}))
		return
	}
	ctx := c.Request.Context()
	var existing int64
	if ck, err := c.Cookie(sessionCookie); err == nil && ck != "" {
		if sess, _, err := s.store.SessionByTokenHash(ctx, auth.HashToken(ck)); err == nil {
			if !auth.EqualTokens(c.GetHeader(csrfHeader), sess.CSRFToken) {
				s.fail(c, forbidden("Missing or wrong CSRF token."))
				return
			}
			existing = sess.UserID
		}
	}
	var nu *store.User
	if req.Password != "" {
		f := fields{}
		if err := auth.ValidatePassword(req.Password); err != nil {
			f.add("password", err.Error())
		}
		name := strings.TrimSpace(req.Name)
		if name == "" || len([]rune(name)) > 200 {
			f.add("name", "enter your name (at most 200 characters)")
		}
		if err := f.err(); err != nil {
			s.fail(c, err)
			return
		}
		h, err := auth.HashPassword(req.Password, s.pwd)
		if err != nil {
			s.fail(c, err)
			return
		}
		nu = &store.User{Name: name, PasswordHash: h}
	}
	uid, _, err := s.store.AcceptInvitation(ctx, auth.HashToken(strings.TrimSpace(req.Token)), nu, existing)
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.store.UserByID(ctx, uid)
	if err != nil {
		s.fail(c, err)
		return
	}
	if existing == uid {
		if err := s.respondMe(c, u, ""); err != nil {
			s.fail(c, err)
		}
		return
	}
	if err := s.startSession(c, u); err != nil {
		s.fail(c, err)
	}
}
