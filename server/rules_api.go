package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/publishers/content"
)

// ruleSetView is what a client needs to count a text as a network does, and as POST /validate
// does: the counter's name, the length limits and the entity limits. Attachment rules stay on
// the server (POST /validate reports them).
type ruleSetView struct {
	Network         string `json:"network"`
	Name            string `json:"name"`
	Counter         string `json:"counter"`
	MaxLength       int    `json:"max_length"`
	MaxCaption      int    `json:"max_caption"`
	MaxBytes        int    `json:"max_bytes"`
	MaxHashtags     int    `json:"max_hashtags"`
	MaxMentions     int    `json:"max_mentions"`
	MaxMedia        int    `json:"max_media"`
	MediaRequired   bool   `json:"media_required"`
	FirstComment    bool   `json:"first_comment"`
	MaxFirstComment int    `json:"max_first_comment"`
	Threads         bool   `json:"threads"`
	MaxThreadParts  int    `json:"max_thread_parts"`
}

type rulesResponse struct {
	Networks []ruleSetView `json:"networks"`
	// TLDs are the top-level domains links are recognised by, for the x_weighted and mastodon
	// counters (a link counts 23 only when its host ends in one).
	TLDs []string `json:"tlds"`
}

// listRules describes every built-in rule set, so the composer counts as the user types with the
// same rules as POST /validate (its tests check the two agree on a table of texts).
func (s *Server) listRules(c *gin.Context) {
	out := rulesResponse{Networks: []ruleSetView{}, TLDs: content.TLDs()}
	for _, name := range content.Networks() {
		r, _ := content.ForNetwork(name)
		name := r.Name
		if name == "" {
			name = r.Network
		}
		out.Networks = append(out.Networks, ruleSetView{Network: r.Network, Name: name, Counter: content.CounterName(r.Counter),
			MaxLength: r.MaxLength, MaxCaption: r.MaxCaption, MaxBytes: r.MaxBytes, MaxHashtags: r.MaxHashtags, MaxMentions: r.MaxMentions,
			MaxMedia: r.MaxMedia, MediaRequired: r.MediaRequired, FirstComment: r.FirstComment, MaxFirstComment: r.MaxFirstComment,
			Threads: r.Threads, MaxThreadParts: r.MaxThreadParts})
	}
	c.Header("Cache-Control", "private, max-age=3600")
	c.JSON(http.StatusOK, out)
}
