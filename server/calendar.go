package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
)

// maxCalendarRange bounds one calendar query: a month view with its leading and trailing weeks
// is 42 days; list views may ask for a quarter.
const maxCalendarRange = 100 * 24 * time.Hour

type calendarResponse struct {
	From      time.Time  `json:"from"`
	To        time.Time  `json:"to"`
	TimeZone  string     `json:"time_zone"`
	Posts     []postView `json:"posts"`
	Truncated bool       `json:"truncated"`
}

// leanCalendarResponse is the calendar with fields=lean: what a calendar grid shows of each post.
type leanCalendarResponse struct {
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	TimeZone  string         `json:"time_zone"`
	Posts     []leanPostView `json:"posts"`
	Truncated bool           `json:"truncated"`
}

// Range bounds must fall within these years (UTC). Posts are planned between 2000 and 2200; a
// bound outside 0000–9999 could not even be written back as JSON, and MySQL's DATETIME starts at
// the year 1000.
const minCalendarYear, maxCalendarYear = 1900, 2300

// parseBound reads a range bound: an RFC 3339 time, or a date (YYYY-MM-DD) meaning midnight in loc.
func parseBound(v string, loc *time.Location) (time.Time, bool) {
	var t time.Time
	if pt, err := time.Parse(time.RFC3339, v); err == nil {
		t = pt
	} else if d, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		t = LocalToInstant(d.Year(), d.Month(), d.Day(), 0, 0, loc)
	} else {
		return time.Time{}, false
	}
	if y := t.UTC().Year(); y < minCalendarYear || y > maxCalendarYear {
		return time.Time{}, false
	}
	return t, true
}

func (s *Server) calendar(c *gin.Context) {
	ctx := c.Request.Context()
	ws, err := s.store.Workspace(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	tzName := ws.TimeZone
	if v := c.Query("tz"); v != "" {
		tzName = v
	}
	loc, ok := loadZone(tzName)
	if !ok {
		f.add("tz", "must be an IANA time zone such as Europe/Paris")
		loc = time.UTC
	}
	from, okFrom := parseBound(c.Query("from"), loc)
	to, okTo := parseBound(c.Query("to"), loc)
	if !okFrom {
		f.add("from", "must be a date (2026-11-01) or an RFC 3339 time, between the years 1900 and 2300")
	}
	if !okTo {
		f.add("to", "must be a date (2026-12-01) or an RFC 3339 time, between the years 1900 and 2300")
	}
	if okFrom && okTo {
		if !to.After(from) {
			f.add("to", "must be after from")
		} else if to.Sub(from) > maxCalendarRange {
			f.add("to", "the range may span at most 100 days")
		}
	}
	lean := false
	switch c.Query("fields") {
	case "", "full":
	case "lean":
		lean = true
	default:
		f.add("fields", "must be full or lean")
	}
	q := store.CalendarQuery{WorkspaceID: ws.ID, From: from, To: to, Lean: lean,
		ChannelIDs: idList(c, f, "channel"), Statuses: stringList(c, f, "status", validStatus),
		Labels: stringList(c, f, "label", validLabel), AuthorIDs: idList(c, f, "author")}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	posts, truncated, err := s.store.Calendar(ctx, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	if lean {
		// Lean posts hold only the start of their text, so they are not scored here (the score
		// would be wrong, and it is stored): a lean card shows the score a full load or an edit
		// computed, or none yet.
		out := leanCalendarResponse{From: from.UTC(), To: to.UTC(), TimeZone: tzName, Posts: make([]leanPostView, 0, len(posts)), Truncated: truncated}
		for i := range posts {
			out.Posts = append(out.Posts, viewLeanPost(&posts[i]))
		}
		c.JSON(http.StatusOK, out)
		return
	}
	// Each card shows its voice score; posts saved since the profile last changed are scored
	// here once and keep the score until their next edit.
	if err := s.scorePosts(ctx, ws.ID, posts); err != nil {
		s.fail(c, err)
		return
	}
	out := calendarResponse{From: from.UTC(), To: to.UTC(), TimeZone: tzName, Posts: make([]postView, 0, len(posts)), Truncated: truncated}
	for i := range posts {
		out.Posts = append(out.Posts, viewPost(&posts[i]))
	}
	c.JSON(http.StatusOK, out)
}
