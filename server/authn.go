package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

const (
	sessionCookie = "herald_session"
	csrfHeader    = "X-CSRF-Token"
	ctxCaller     = "herald_caller"
	ctxWorkspace  = "herald_workspace"
	ctxRole       = "herald_role"
)

// caller is the authenticated user of a request and how they authenticated.
type caller struct {
	User    *store.User
	Session *store.Session  // set for browser sessions
	Token   *store.APIToken // set for API tokens
}

func (c caller) actor() store.Actor {
	label := c.User.Name
	if label == "" {
		label = c.User.Email
	}
	if c.Token != nil {
		label += " (API token " + c.Token.Name + ")"
	}
	return store.Actor{UserID: c.User.ID, Label: label}
}

func callerOf(c *gin.Context) caller {
	v, _ := c.Get(ctxCaller)
	cl, _ := v.(caller)
	return cl
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// authenticate accepts a personal API token (Authorization: Bearer) or a session cookie. Cookie
// requests that change state must carry the session's CSRF token in X-CSRF-Token: a cookie is sent
// by the browser on its own, a custom header is not.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			s.fail(c, apiErr(http.StatusUnauthorized, "unauthenticated", "Use Authorization: Bearer <token>."))
			return
		}
		t, u, err := s.store.APITokenByHash(ctx, auth.HashToken(strings.TrimSpace(tok)))
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				s.fail(c, apiErr(http.StatusUnauthorized, "unauthenticated", "This API token is invalid, expired or revoked."))
				return
			}
			s.fail(c, err)
			return
		}
		if t.LastUsedAt == nil || s.now().Sub(*t.LastUsedAt) > time.Minute {
			_ = s.store.TouchAPIToken(ctx, t.ID)
		}
		c.Set(ctxCaller, caller{User: u, Token: t})
		c.Next()
		return
	}
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck == "" {
		s.fail(c, errUnauthorized)
		return
	}
	sess, u, err := s.store.SessionByTokenHash(ctx, auth.HashToken(ck))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.clearSessionCookie(c)
			s.fail(c, apiErr(http.StatusUnauthorized, "session_expired", "Your session has ended. Please sign in again."))
			return
		}
		s.fail(c, err)
		return
	}
	if unsafeMethod(c.Request.Method) && !auth.EqualTokens(c.GetHeader(csrfHeader), sess.CSRFToken) {
		s.fail(c, forbidden("Missing or wrong CSRF token: send the csrf_token from /api/v1/me in the X-CSRF-Token header."))
		return
	}
	// Sliding expiry, written at most once a minute so reads stay reads.
	if s.now().Sub(sess.LastSeenAt) > time.Minute {
		_ = s.store.TouchSession(ctx, sess.ID, s.now().Add(s.cfg.SessionTTL))
	}
	c.Set(ctxCaller, caller{User: u, Session: sess})
	c.Next()
}

// inWorkspace loads the caller's role in the :wid workspace. A workspace the caller does not
// belong to is a 404, exactly like one that does not exist.
func (s *Server) inWorkspace(c *gin.Context) {
	wid, err := strconv.ParseInt(c.Param("wid"), 10, 64)
	if err != nil || wid <= 0 {
		s.fail(c, errNotFound)
		return
	}
	role, err := s.store.Role(c.Request.Context(), wid, callerOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := workflow.ParseRole(role)
	if err != nil {
		s.fail(c, errNotFound)
		return
	}
	c.Set(ctxWorkspace, wid)
	c.Set(ctxRole, r)
	c.Next()
}

func workspaceID(c *gin.Context) int64 { return c.GetInt64(ctxWorkspace) }

func roleOf(c *gin.Context) workflow.Role {
	v, _ := c.Get(ctxRole)
	r, _ := v.(workflow.Role)
	return r
}

// requireRole refuses callers below min with a 403 that says what is needed.
func (s *Server) requireRole(min workflow.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if r := roleOf(c); !r.AtLeast(min) {
			s.fail(c, forbidden("Your role ("+string(r)+") cannot do this; it needs "+string(min)+" or above."))
			return
		}
		c.Next()
	}
}

// idParam parses a numeric path parameter; anything else is a 404 (no such thing).
func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) secureCookies(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://")
}

func (s *Server) setSessionCookie(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secureCookies(c),
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL.Seconds()),
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secureCookies(c),
		SameSite: http.SameSiteLaxMode, MaxAge: -1,
	})
}
