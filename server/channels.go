package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server/store"
)

// knownNetworks are the networks a channel may be created for by hand: those Herald has content
// rules for (connecting one by OAuth or app password goes through /connect instead).
var knownNetworks = content.Networks()

type slotRequest struct {
	Weekday int    `json:"weekday"`
	Time    string `json:"time"`
}

type channelRequest struct {
	Network     *string            `json:"network"`
	Name        *string            `json:"name"`
	Handle      *string            `json:"handle"`
	AvatarURL   *string            `json:"avatar_url"`
	TimeZone    *string            `json:"time_zone"`
	Paused      *bool              `json:"paused"`
	Slots       *[]slotRequest     `json:"slots"`
	Credentials *map[string]string `json:"credentials"`
}

func parseSlots(f fields, in []slotRequest) []store.PostingSlot {
	if len(in) > 200 {
		f.add("slots", "at most 200 posting slots")
		return nil
	}
	out := make([]store.PostingSlot, 0, len(in))
	for i, sl := range in {
		if sl.Weekday < 0 || sl.Weekday > 6 {
			f.add(fmt.Sprintf("slots[%d].weekday", i), "must be 0 (Sunday) to 6 (Saturday)")
		}
		h, m, ok := parseHHMM(sl.Time)
		if !ok {
			f.add(fmt.Sprintf("slots[%d].time", i), "must be a time of day like 09:30")
		}
		out = append(out, store.PostingSlot{Weekday: sl.Weekday, MinuteOfDay: h*60 + m})
	}
	return out
}

func parseHHMM(s string) (int, int, bool) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) != 2 || len(ms) != 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

func (r *channelRequest) validate(creating bool) (store.ChannelUpdate, error) {
	f := fields{}
	var u store.ChannelUpdate
	if creating {
		if r.Network == nil || !slices.Contains(knownNetworks, *r.Network) {
			f.add("network", "must be one of "+strings.Join(knownNetworks, ", "))
		}
		if r.Name == nil {
			f.add("name", "is required")
		}
	} else if r.Network != nil {
		f.add("network", "cannot be changed; add a new channel instead")
	}
	if r.Name != nil {
		n := strings.TrimSpace(*r.Name)
		if err := checkName("name", n, 200, true); err != nil {
			return u, err
		}
		u.Name = &n
	}
	if r.Handle != nil {
		if err := checkName("handle", *r.Handle, 200, false); err != nil {
			return u, err
		}
		u.Handle = r.Handle
	}
	if r.AvatarURL != nil {
		if *r.AvatarURL != "" {
			pu, err := url.Parse(*r.AvatarURL)
			if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" || len(*r.AvatarURL) > 1000 {
				f.add("avatar_url", "must be an http(s) URL of at most 1000 characters")
			}
		}
		u.AvatarURL = r.AvatarURL
	}
	if r.TimeZone != nil {
		if _, ok := loadZone(*r.TimeZone); !ok {
			f.add("time_zone", "must be an IANA time zone such as Europe/Paris")
		}
		u.TimeZone = r.TimeZone
	}
	u.Paused = r.Paused
	if r.Slots != nil {
		slots := parseSlots(f, *r.Slots)
		u.Slots = &slots
	}
	if r.Credentials != nil && len(*r.Credentials) > 20 {
		f.add("credentials", "at most 20 entries")
	}
	return u, f.err()
}

// sealer encrypts credentials under the primary key, bound to the channel id.
func (s *Server) sealer(creds map[string]string) store.Sealer {
	return func(id int64) (string, string, error) {
		b, err := json.Marshal(creds)
		if err != nil {
			return "", "", err
		}
		return scheduler.SealCredentials(s.keys, id, b)
	}
}

func (s *Server) createChannel(c *gin.Context) {
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	u, err := req.validate(true)
	if err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.store.Workspace(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	ch := &store.Channel{WorkspaceID: w.ID, Network: *req.Network, Name: *u.Name, TimeZone: w.TimeZone, Status: store.ChannelDisconnected}
	if u.Handle != nil {
		ch.Handle = *u.Handle
	}
	if u.AvatarURL != nil {
		ch.AvatarURL = *u.AvatarURL
	}
	if u.TimeZone != nil {
		ch.TimeZone = *u.TimeZone
	}
	if u.Paused != nil {
		ch.Paused = *u.Paused
	}
	if u.Slots != nil {
		ch.Slots = *u.Slots
	}
	var seal store.Sealer
	if req.Credentials != nil && len(*req.Credentials) > 0 {
		seal = s.sealer(*req.Credentials)
		ch.Status = store.ChannelConnected
	}
	if err := s.store.CreateChannel(c.Request.Context(), ch, seal, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	got, err := s.store.Channel(c.Request.Context(), w.ID, ch.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewChannel(got))
}

func (s *Server) listChannels(c *gin.Context) {
	chs, err := s.store.Channels(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[channelView]{Items: []channelView{}}
	for i := range chs {
		out.Items = append(out.Items, viewChannel(&chs[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getChannel(c *gin.Context) {
	id, err := idParam(c, "cid")
	if err != nil {
		s.fail(c, err)
		return
	}
	ch, err := s.store.Channel(c.Request.Context(), workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewChannel(ch))
}

func (s *Server) updateChannel(c *gin.Context) {
	id, err := idParam(c, "cid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	u, err := req.validate(false)
	if err != nil {
		s.fail(c, err)
		return
	}
	if req.Credentials != nil {
		if len(*req.Credentials) == 0 {
			empty, none, disc := "", "", store.ChannelDisconnected
			u.Credentials, u.CredentialsKeyID, u.Status = &empty, &none, &disc
		} else {
			sealed, kid, err := s.sealer(*req.Credentials)(id)
			if err != nil {
				s.fail(c, err)
				return
			}
			conn := store.ChannelConnected
			u.Credentials, u.CredentialsKeyID, u.Status = &sealed, &kid, &conn
		}
	}
	s.applyChannelUpdate(c, id, u)
}

func (s *Server) applyChannelUpdate(c *gin.Context, id int64, u store.ChannelUpdate) {
	ch, err := s.store.UpdateChannel(c.Request.Context(), workspaceID(c), id, u, callerOf(c).actor())
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ch.Paused && ch.Status == store.ChannelConnected {
		// Posts held while the channel was paused or disconnected go out now.
		if n, err := s.store.ReleaseHeld(c.Request.Context(), ch.WorkspaceID, ch.ID); err == nil && n > 0 {
			s.wake()
		}
	}
	c.JSON(http.StatusOK, viewChannel(ch))
}

func (s *Server) pauseChannel(c *gin.Context)  { s.setPaused(c, true) }
func (s *Server) resumeChannel(c *gin.Context) { s.setPaused(c, false) }

func (s *Server) setPaused(c *gin.Context, paused bool) {
	id, err := idParam(c, "cid")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.applyChannelUpdate(c, id, store.ChannelUpdate{Paused: &paused})
}

type slotsRequest struct {
	Slots []slotRequest `json:"slots"`
}

func (s *Server) setSlots(c *gin.Context) {
	id, err := idParam(c, "cid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req slotsRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	slots := parseSlots(f, req.Slots)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	s.applyChannelUpdate(c, id, store.ChannelUpdate{Slots: &slots})
}

func (s *Server) deleteChannel(c *gin.Context) {
	id, err := idParam(c, "cid")
	if err == nil {
		err = s.store.DeleteChannel(c.Request.Context(), workspaceID(c), id, callerOf(c).actor())
	}
	if err != nil {
		if err == store.ErrInUse {
			err = apiErr(http.StatusConflict, "channel_in_use", "Posts target this channel, so it cannot be deleted; pause it instead.")
		}
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
