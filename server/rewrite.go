package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/voice"
	"github.com/heraldhq/herald/voice/rewrite"
)

type rewriteRequest struct {
	Text      string   `json:"text"`
	ChannelID int64    `json:"channel_id"`
	Labels    []string `json:"labels"`
	Campaign  string   `json:"campaign"`
	Language  string   `json:"language"`
	Locale    string   `json:"locale"`
}

// voiceRewrite asks the configured model to rewrite a text in the brand's voice, then checks
// the answer: the author sees the rewrite with its findings and decides. Nothing is saved.
func (s *Server) voiceRewrite(c *gin.Context) {
	if s.cfg.Rewrite == nil {
		s.fail(c, apiErr(http.StatusNotFound, "rewrite_not_configured",
			"Rewriting in the brand's voice is not set up on this server: an administrator sets HERALD_LLM_BASE_URL (and HERALD_LLM_API_KEY, HERALD_LLM_MODEL)."))
		return
	}
	var req rewriteRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	cr := checkRequest{Text: req.Text, Labels: req.Labels, Campaign: req.Campaign, Language: req.Language, Locale: req.Locale}
	f := fields{}
	cr.validate(f)
	if strings.TrimSpace(req.Text) == "" {
		f.add("text", "write something to rewrite")
	}
	if req.ChannelID < 0 {
		f.add("channel_id", "must be a channel id")
	}
	ctx := c.Request.Context()
	networks, err := s.channelNetworks(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, ok := networks[req.ChannelID]; req.ChannelID > 0 && !ok {
		f.add("channel_id", "no such channel in this workspace")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if ok, retry := s.rewriteRL.Allow("rewrite:" + strconv.FormatInt(callerOf(c).User.ID, 10)); !ok {
		e := apiErr(http.StatusTooManyRequests, "rate_limited", "Too many rewrites for now; try again later.")
		e.retryAfter = max(1, int(retry.Seconds()))
		s.fail(c, e)
		return
	}
	p, _, _, err := s.profileOf(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	locale := req.Locale
	if locale == "" {
		locale = localeOf(c)
	}
	in := voice.Input{Text: req.Text, Channel: req.ChannelID, Network: networks[req.ChannelID], Labels: req.Labels,
		Campaign: req.Campaign, Language: req.Language, Locale: locale}
	system, user := voice.RewritePrompt(p, in)
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	text, err := s.cfg.Rewrite.Rewrite(rctx, system, user)
	if err != nil {
		var re *rewrite.Error
		switch {
		case errors.Is(err, rewrite.ErrRefused) && errors.As(err, &re):
			s.log.WarnContext(ctx, "rewrite refused by the model server", "request_id", requestID(c), "status", re.Status, "err", re.Message)
			s.fail(c, apiErr(http.StatusBadGateway, "rewrite_refused",
				fmt.Sprintf("The model server refused the request (HTTP %d): %s An administrator should check HERALD_LLM_MODEL and HERALD_LLM_API_KEY.", re.Status, strings.TrimSuffix(re.Message, ".")+".")))
		case errors.Is(err, rewrite.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
			s.fail(c, apiErr(http.StatusServiceUnavailable, "rewrite_unavailable", "The model server could not answer; try again in a moment."))
		default:
			s.fail(c, err)
		}
		return
	}
	targets := func(t string) []checkTarget {
		return []checkTarget{{field: "text", text: t, channel: req.ChannelID, network: networks[req.ChannelID]}}
	}
	before := checkTexts(p, targets(req.Text), req.Labels, req.Campaign, req.Language, locale)
	after := checkTexts(p, targets(text), req.Labels, req.Campaign, req.Language, locale)
	c.JSON(http.StatusOK, rewriteResponse{Text: text, Findings: nonNil(after.findings), Score: after.score,
		OriginalScore: before.score, Model: s.cfg.Rewrite.Model()})
}

// clientConfig is the configuration the web UI needs: the version and the optional features
// this server has turned on. A feature that is off is absent, not false, so the UI never shows
// a button that would only answer 404.
func (s *Server) clientConfig() configResponse {
	out := configResponse{Version: s.cfg.Version, Features: []string{}}
	if s.cfg.Rewrite != nil {
		out.Features = append(out.Features, "voice_rewrite")
	}
	slices.Sort(out.Features)
	return out
}

func (s *Server) getConfig(c *gin.Context) { c.JSON(http.StatusOK, s.clientConfig()) }
