package store

import (
	"context"
	"time"
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
}

// CalendarMax is the most posts one calendar query returns.
const CalendarMax = 5000

// Calendar returns the posts scheduled in the range, ordered by time, with their targets and
// labels, in three indexed queries whatever the number of posts: posts on
// (workspace_id, scheduled_at, id), then targets and labels joined to the same range.
func (s *Store) Calendar(ctx context.Context, q CalendarQuery) ([]Post, bool, error) {
	if q.Limit <= 0 || q.Limit > CalendarMax {
		q.Limit = CalendarMax
	}
	from, to := q.From.UTC(), q.To.UTC()
	base := s.db.WithContext(ctx).Model(&Post{}).
		Where("posts.workspace_id = ? AND posts.scheduled_at >= ? AND posts.scheduled_at < ?", q.WorkspaceID, from, to)
	base = s.applyFilters(base, q.WorkspaceID, q.Statuses, q.Labels, q.ChannelIDs, q.AuthorIDs)
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
	// The targets and labels are read by joining to the same range rather than with an IN list of
	// thousands of ids; rows of posts cut by the limit or the filters are skipped by the index map.
	last := *posts[len(posts)-1].ScheduledAt
	var targets []Target
	if err := s.db.WithContext(ctx).Table("targets").Select("targets.*").
		Joins("JOIN posts ON posts.id = targets.post_id").
		Where("posts.workspace_id = ? AND posts.scheduled_at >= ? AND posts.scheduled_at <= ? AND targets.workspace_id = ?", q.WorkspaceID, from, last, q.WorkspaceID).
		Order("targets.id").Find(&targets).Error; err != nil {
		return nil, false, translate(err)
	}
	for _, t := range targets {
		if i, ok := index[t.PostID]; ok {
			posts[i].Targets = append(posts[i].Targets, t)
		}
	}
	var labels []PostLabel
	if err := s.db.WithContext(ctx).Table("post_labels").Select("post_labels.*").
		Joins("JOIN posts ON posts.id = post_labels.post_id").
		Where("posts.workspace_id = ? AND posts.scheduled_at >= ? AND posts.scheduled_at <= ? AND post_labels.workspace_id = ?", q.WorkspaceID, from, last, q.WorkspaceID).
		Order("post_labels.label").Find(&labels).Error; err != nil {
		return nil, false, translate(err)
	}
	for _, l := range labels {
		if i, ok := index[l.PostID]; ok {
			posts[i].Labels = append(posts[i].Labels, l)
		}
	}
	return posts, truncated, nil
}
