package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
)

type notificationSettingsRequest struct {
	WebhookURL string `json:"webhook_url"`
	Email      string `json:"email"`
	// RotateSecret issues a new webhook signing secret even when the URL is unchanged.
	RotateSecret bool `json:"rotate_secret"`
}

type notificationSettingsView struct {
	WebhookURL string `json:"webhook_url"`
	Email      string `json:"email"`
	// WebhookSecret is shown once, when it is issued: receivers check X-Herald-Signature with it.
	WebhookSecret string `json:"webhook_secret,omitempty"`
}

// WebhookAAD binds a workspace's sealed webhook secret to the workspace.
func WebhookAAD(workspaceID int64) []byte {
	return []byte("herald:webhook:" + strconv.FormatInt(workspaceID, 10))
}

func (s *Server) getNotificationSettings(c *gin.Context) {
	w, err := s.store.Workspace(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, notificationSettingsView{WebhookURL: w.WebhookURL, Email: w.NotifyEmail})
}

// setNotificationSettings chooses where failed, unconfirmed, missed and needs-reconnect
// notifications go besides the app: an HMAC-signed webhook and/or an email address.
func (s *Server) setNotificationSettings(c *gin.Context) {
	var req notificationSettingsRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.WebhookURL = strings.TrimSpace(req.WebhookURL)
	if req.WebhookURL != "" {
		u, err := url.Parse(req.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(req.WebhookURL) > 1000 {
			f.add("webhook_url", "must be an http(s) URL without credentials, at most 1000 characters")
		}
	}
	req.Email = strings.TrimSpace(req.Email)
	if req.Email != "" && !validEmail(store.NormalizeEmail(req.Email)) {
		f.add("email", "must be an email address")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	ws := workspaceID(c)
	cur, err := s.store.Workspace(ctx, ws)
	if err != nil {
		s.fail(c, err)
		return
	}
	settings := store.NotificationSettings{WebhookURL: req.WebhookURL, Email: req.Email}
	var secret string
	if req.WebhookURL != "" && (req.RotateSecret || cur.WebhookSecret == nil || *cur.WebhookSecret == "" || cur.WebhookURL != req.WebhookURL) {
		var b [32]byte
		_, _ = rand.Read(b[:])
		secret = "whsec_" + base64.RawURLEncoding.EncodeToString(b[:])
		sealed, err := s.keys.Seal([]byte(secret), WebhookAAD(ws))
		if err != nil {
			s.fail(c, err)
			return
		}
		settings.WebhookSecret = &sealed
	}
	w, err := s.store.SetNotificationSettings(ctx, ws, settings, callerOf(c).actor())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, notificationSettingsView{WebhookURL: w.WebhookURL, Email: w.NotifyEmail, WebhookSecret: secret})
}
