package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"gorm.io/gorm"
)

// CalendarQuery selects the posts planned in [From, To) in one workspace.
type CalendarQuery struct {
	WorkspaceID int64
	From, To    time.Time
	ChannelIDs  []int64
	Statuses    []string
	Labels      []string
	AuthorIDs   []int64
	// Limit caps the posts returned (default and maximum 5,000); Truncated reports a cut.
	Limit int
	// Lean reads only what a calendar grid shows: the post's id, author, title, the start of its
	// text (LeanTextRunes), status, time and zone; its labels; per target the id, channel, status
	// and published URL. Media, overrides and errors are left out, which is most of a month's
	// bytes (see BENCHMARKS.md, "Calendar UI").
	Lean bool
}

// LeanTextRunes is how much of a post's text a lean calendar query reads.
const LeanTextRunes = 160

// CalendarMax is the most posts one calendar query returns.
const CalendarMax = 5000

// Calendar returns the posts scheduled in the range, ordered by time, with their targets and
// labels, in three indexed queries whatever the number of posts: posts on
// (workspace_id, scheduled_at, id), then targets and labels joined to the same range.
func (s *Store) Calendar(ctx context.Context, q CalendarQuery) ([]Post, bool, error) {
	if q.Limit <= 0 || q.Limit > CalendarMax {
		q.Limit = CalendarMax
	}
	from, to := dbTime(q.From), dbTime(q.To)
	base := s.db.WithContext(ctx).Model(&Post{}).
		Where("posts.workspace_id = ? AND posts.scheduled_at >= ? AND posts.scheduled_at < ?", q.WorkspaceID, from, to)
	if q.Lean {
		// SUBSTR counts characters on both databases (not bytes), so no rune is cut in two.
		base = base.Select("posts.id, posts.workspace_id, posts.author_id, posts.title, SUBSTR(posts.body, 1, ?) AS body, posts.status, posts.revision, posts.scheduled_at, posts.time_zone, posts.voice_score, posts.created_at, posts.updated_at", LeanTextRunes)
	}
	base = s.calendarFilters(base, q)
	var posts []Post
	if err := base.Order("posts.scheduled_at, posts.id").Limit(q.Limit + 1).Find(&posts).Error; err != nil {
		return nil, false, translate(err)
	}
	truncated := len(posts) > q.Limit
	if truncated {
		posts = posts[:q.Limit]
	}
	if len(posts) == 0 {
		return posts, false, nil
	}
	index := make(map[int64]int, len(posts))
	for i := range posts {
		index[posts[i].ID] = i
	}
	// The targets and labels are read by joining to the same range, with the same filters, rather
	// than with an IN list of thousands of ids; rows of posts cut by the limit are skipped by the
	// index map. Without the filters, a calendar filtered to one label would read every target of
	// the month to keep a tenth of them.
	last := *posts[len(posts)-1].ScheduledAt
	inRange := func(table string) *gorm.DB {
		cols := table + ".*"
		if q.Lean && table == "targets" {
			cols = "targets.id, targets.workspace_id, targets.post_id, targets.channel_id, targets.status, targets.external_url"
		}
		db := s.db.WithContext(ctx).Table(table).Select(cols).
			Joins("JOIN posts ON posts.id = "+table+".post_id").
			Where("posts.workspace_id = ? AND posts.scheduled_at >= ? AND posts.scheduled_at <= ? AND "+table+".workspace_id = ?", q.WorkspaceID, from, last, q.WorkspaceID)
		return s.calendarFilters(db, q)
	}
	// Targets come in the posts' index order and are put in id order per post here: an ORDER BY
	// targets.id sorts every target of the month, text columns and all, in a temporary table that
	// MariaDB (and MySQL before 8.0.13) writes to disk because of those columns: a quarter of the
	// query's time in `herald bench calendar` (see BENCHMARKS.md).
	var targets []Target
	if err := inRange("targets").Find(&targets).Error; err != nil {
		return nil, false, translate(err)
	}
	for _, t := range targets {
		if i, ok := index[t.PostID]; ok {
			posts[i].Targets = append(posts[i].Targets, t)
		}
	}
	for i := range posts {
		slices.SortFunc(posts[i].Targets, func(a, b Target) int { return cmp.Compare(a.ID, b.ID) })
	}
	var labels []PostLabel
	// Labels keep their SQL order: MySQL orders them by its collation, which Go does not know.
	if err := inRange("post_labels").Order("post_labels.label").Find(&labels).Error; err != nil {
		return nil, false, translate(err)
	}
	for _, l := range labels {
		if i, ok := index[l.PostID]; ok {
			posts[i].Labels = append(posts[i].Labels, l)
		}
	}
	return posts, truncated, nil
}

// calendarFilters narrows a query on posts (or joined to posts) to the query's filters, in the form
// each database plans well for a calendar range. MySQL and MariaDB turn `posts.id IN (subquery)`
// into a semi-join driven by the range on idx_posts_calendar, as applyFilters writes it. SQLite
// instead reads the subquery's whole list (every post of the channel or label in the workspace,
// all months) and looks each one up: with 100,000 posts, one channel's month took 157 ms in the
// sqlite3 shell against 8 ms as EXISTS. So on SQLite the label and channel filters are correlated
// EXISTS probes on the (post_id, label) and (post_id, channel_id) keys, one per post in the range.
// The probes need no workspace_id of their own: they only reach rows of posts already scoped by it.
func (s *Store) calendarFilters(db *gorm.DB, q CalendarQuery) *gorm.DB {
	if s.dialect != SQLite {
		return s.applyFilters(db, q.WorkspaceID, q.Statuses, q.Labels, q.ChannelIDs, q.AuthorIDs)
	}
	if len(q.Statuses) > 0 {
		db = db.Where("posts.status IN ?", q.Statuses)
	}
	if len(q.AuthorIDs) > 0 {
		db = db.Where("posts.author_id IN ?", q.AuthorIDs)
	}
	if len(q.Labels) > 0 {
		db = db.Where("EXISTS (SELECT 1 FROM post_labels fl WHERE fl.post_id = posts.id AND fl.label IN ?)", q.Labels)
	}
	if len(q.ChannelIDs) > 0 {
		db = db.Where("EXISTS (SELECT 1 FROM targets ft WHERE ft.post_id = posts.id AND ft.channel_id IN ?)", q.ChannelIDs)
	}
	return db
}
