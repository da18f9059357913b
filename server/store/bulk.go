package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/heraldhq/herald/server/workflow"
)

// This file fills a database with a large synthetic calendar for `herald bench`. It writes rows
// directly, in batched INSERTs, without the workflow checks and audit events of CreatePost: it is
// for benchmark databases only, never for a workspace people use.

// BenchDatabasePrefix starts the name of every MySQL database the benchmarks may drop and recreate.
const BenchDatabasePrefix = "herald_bench"

// BulkSpec describes the synthetic calendar BulkSeedCalendar writes.
type BulkSpec struct {
	// Posts is the number of posts in the measured workspace.
	Posts int
	// TargetsPerPost is how many channels each post goes to (default 3). The workspace gets
	// max(3, TargetsPerPost) channels.
	TargetsPerPost int
	// Months is the span the posts are spread over, uniformly (default 24). The span starts on the
	// first day of the month Months/2 months before Now, in UTC, so every month in it is whole.
	Months int
	// NoisePercent sizes a second workspace, as a percentage of Posts (default 10; negative means
	// none). Its posts share the time span and interleave with the measured workspace's rows, so a
	// query that forgot its workspace_id filter, or an index that does not lead with it, shows.
	NoisePercent int
	// Now divides the past (mostly published) from the future (scheduled, approved, drafts).
	Now time.Time
	// Seed makes the data reproducible (default 1).
	Seed uint64
}

// BulkResult says what BulkSeedCalendar wrote, for the queries that follow.
type BulkResult struct {
	WorkspaceID      int64
	NoiseWorkspaceID int64
	ChannelIDs       []int64
	AuthorIDs        []int64
	// Labels is the label vocabulary; about half the posts carry one or two of them.
	Labels []string
	// From and To bound the span: the first day of the first month and of the month after the last.
	From, To time.Time
	// Posts, Targets and PostLabels count the rows written in the measured workspace.
	Posts, Targets, PostLabels int
}

// benchLabels are the labels posts carry; a real team uses a handful, not hundreds.
var benchLabels = []string{"launch", "promo", "blog", "event", "hiring", "product", "community", "evergreen"}

// bulkChunk is the number of posts written per transaction, with their targets and labels.
const bulkChunk = 2000

// bulkBatch is the number of rows per INSERT statement. SQLite gets fewer: the pure-Go driver
// matches each bound parameter against the whole argument list, so a statement's cost grows with
// the square of its parameters, and 100 rows (about 1,600 parameters) is the sweet spot.
func (s *Store) bulkBatch() int {
	if s.dialect == SQLite {
		return 100
	}
	return 1000
}

func (sp *BulkSpec) normalize() error {
	if sp.Posts <= 0 {
		return errors.New("bulk seed: Posts must be positive")
	}
	if sp.TargetsPerPost == 0 {
		sp.TargetsPerPost = 3
	}
	if sp.TargetsPerPost < 0 || sp.TargetsPerPost > 50 {
		return errors.New("bulk seed: TargetsPerPost must be between 1 and 50")
	}
	if sp.Months == 0 {
		sp.Months = 24
	}
	if sp.Months < 1 || sp.Months > 600 {
		return errors.New("bulk seed: Months must be between 1 and 600")
	}
	if sp.NoisePercent == 0 {
		sp.NoisePercent = 10
	}
	if sp.NoisePercent < 0 {
		sp.NoisePercent = 0
	}
	if sp.Now.IsZero() {
		return errors.New("bulk seed: Now is required")
	}
	if sp.Seed == 0 {
		sp.Seed = 1
	}
	return nil
}

// BulkSpan returns the whole months a spec's posts are spread over: [from, to) in UTC.
func BulkSpan(now time.Time, months int) (from, to time.Time) {
	now = now.UTC()
	from = time.Date(now.Year(), now.Month()-time.Month(months/2), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, months, 0)
}

// bulkWorkspace is one seeded workspace's fixed rows.
type bulkWorkspace struct {
	id       int64
	channels []int64
	authors  []int64
}

// BulkSeedCalendar writes two workspaces (the measured one and a smaller noise one), their
// authors and channels, then spec.Posts posts (plus the noise workspace's) spread uniformly over
// the span, with a realistic status mix for their time, labels on about half, and
// spec.TargetsPerPost targets each. Rows go in with multi-row INSERTs (1,000 rows on MySQL), one transaction
// per 2,000 posts; progress, when not nil, is called after each transaction with the posts written
// so far (both workspaces) and the total.
func (s *Store) BulkSeedCalendar(ctx context.Context, spec BulkSpec, progress func(done, total int)) (*BulkResult, error) {
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x9e3779b97f4a7c15))
	now := spec.Now.UTC().Truncate(time.Second)
	from, to := BulkSpan(now, spec.Months)
	channels := max(3, spec.TargetsPerPost)
	noise := spec.Posts * spec.NoisePercent / 100

	db := s.db.WithContext(ctx)
	measured, err := s.bulkWorkspace(db, "Bench workspace", channels, now)
	if err != nil {
		return nil, err
	}
	res := &BulkResult{WorkspaceID: measured.id, ChannelIDs: measured.channels, AuthorIDs: measured.authors,
		Labels: append([]string(nil), benchLabels...), From: from, To: to}
	g := bulkGen{rng: rng, now: now, from: from, span: to.Sub(from), targets: spec.TargetsPerPost}
	var other *bulkWorkspace
	if noise > 0 {
		if other, err = s.bulkWorkspace(db, "Bench noise workspace", channels, now); err != nil {
			return nil, err
		}
		res.NoiseWorkspaceID = other.id
	}

	// Every post's workspace and times first, then the rows in the order of their creation, as a
	// database that has been in use fills: ids grow with created_at, and both workspaces' rows
	// interleave in every table and index. A month's posts are then spread over the ids created in
	// the weeks before it, or, for posts planned months ahead, over the last thirty days of ids.
	plan := make([]bulkSlot, spec.Posts+noise)
	for i := range plan {
		plan[i] = g.slot(i >= spec.Posts)
	}
	slices.SortStableFunc(plan, func(a, b bulkSlot) int { return a.created.Compare(b.created) })

	total := len(plan)
	batch := s.bulkBatch()
	for start := 0; start < total; start += bulkChunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := min(start+bulkChunk, total)
		posts := make([]Post, 0, end-start)
		for _, sl := range plan[start:end] {
			ws := measured
			if sl.noise {
				ws = other
			}
			posts = append(posts, g.post(ws, sl))
		}
		var nt, nl int
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Omit(clause.Associations).CreateInBatches(&posts, batch).Error; err != nil {
				return fmt.Errorf("insert posts: %w", err)
			}
			var targets []Target
			var labels []PostLabel
			for i := range posts {
				p := &posts[i]
				for j := range p.Targets {
					p.Targets[j].PostID = p.ID
				}
				for j := range p.Labels {
					p.Labels[j].PostID = p.ID
				}
				targets = append(targets, p.Targets...)
				labels = append(labels, p.Labels...)
				if p.WorkspaceID == measured.id {
					nt += len(p.Targets)
					nl += len(p.Labels)
				}
			}
			if err := tx.CreateInBatches(&targets, batch).Error; err != nil {
				return fmt.Errorf("insert targets: %w", err)
			}
			if len(labels) > 0 {
				if err := tx.CreateInBatches(&labels, batch).Error; err != nil {
					return fmt.Errorf("insert labels: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, scrub(err)
		}
		for _, sl := range plan[start:end] {
			if !sl.noise {
				res.Posts++
			}
		}
		res.Targets += nt
		res.PostLabels += nl
		if progress != nil {
			progress(end, total)
		}
	}
	if s.dialect == SQLite {
		// Fresh statistics let SQLite's planner weigh the indexes as it would on a database that
		// has been running (and had ANALYZE run by `PRAGMA optimize`).
		if err := db.Exec("ANALYZE").Error; err != nil {
			return nil, err
		}
	} else {
		for _, t := range []string{"posts", "targets", "post_labels"} {
			if err := db.Exec("ANALYZE TABLE " + t).Error; err != nil {
				return nil, scrub(err)
			}
		}
	}
	return res, nil
}

// bulkWorkspace creates a workspace in UTC with five authors and the given number of channels.
func (s *Store) bulkWorkspace(db *gorm.DB, name string, channels int, now time.Time) (*bulkWorkspace, error) {
	out := &bulkWorkspace{}
	err := db.Transaction(func(tx *gorm.DB) error {
		w := Workspace{Name: name, TimeZone: "UTC", RequiredApprovals: 1, GracePeriodSeconds: 3600, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&w).Error; err != nil {
			return err
		}
		out.id = w.ID
		for i := range 5 {
			u := User{Email: fmt.Sprintf("author%d.ws%d@bench.herald.local", i+1, w.ID), Name: fmt.Sprintf("Author %d", i+1), CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&u).Error; err != nil {
				return err
			}
			role := "author"
			if i == 0 {
				role = "owner"
			}
			if err := tx.Create(&Membership{WorkspaceID: w.ID, UserID: u.ID, Role: role, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				return err
			}
			out.authors = append(out.authors, u.ID)
		}
		networks := []string{"mastodon", "bluesky", "linkedin", "x", "threads", "facebook", "instagram"}
		for i := range channels {
			c := Channel{WorkspaceID: w.ID, Network: networks[i%len(networks)], Name: fmt.Sprintf("%s channel %d", name, i+1),
				Handle: fmt.Sprintf("@bench%d", i+1), TimeZone: "UTC", Status: ChannelConnected, CreatedAt: now, UpdatedAt: now}
			if err := tx.Omit(clause.Associations).Create(&c).Error; err != nil {
				return err
			}
			out.channels = append(out.channels, c.ID)
		}
		return nil
	})
	return out, scrub(err)
}

// bulkGen makes plausible posts: a title, a few sentences of text, a status that fits the time.
type bulkGen struct {
	rng     *rand.Rand
	now     time.Time
	from    time.Time
	span    time.Duration
	targets int
}

var benchWords = strings.Fields(`coffee roast morning launch new blend single origin team update
	week tips brewing guide espresso filter customers thanks event join us today tomorrow webinar
	behind the scenes story sustainability farm partners harvest season limited edition order now
	recipe cold brew latte art workshop community hiring barista shop opening hours holiday`)

func (g *bulkGen) words(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(benchWords[g.rng.IntN(len(benchWords))])
	}
	return b.String()
}

// uuid returns a version-4-shaped id from the seeded generator, so reruns write the same data.
func (g *bulkGen) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, (b>>48)&0xfff, b&0xffffffffffff)
}

func (g *bulkGen) pick(weights []int) int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	r := g.rng.IntN(sum)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

var (
	pastStatuses   = []workflow.Status{workflow.Published, workflow.PartiallyPublished, workflow.Failed, workflow.Canceled}
	pastWeights    = []int{88, 4, 3, 5}
	futureStatuses = []workflow.Status{workflow.Scheduled, workflow.Approved, workflow.InReview, workflow.ChangesRequested, workflow.Draft, workflow.Canceled}
	futureWeights  = []int{45, 15, 10, 5, 22, 3}
)

// bulkSlot is a post's workspace and times, drawn before its content so rows can be written in
// the order they would have been created.
type bulkSlot struct {
	noise       bool
	at, created time.Time
}

func (g *bulkGen) slot(noise bool) bulkSlot {
	// Posts go out at five-minute marks, as people schedule them, and are written up to three
	// weeks ahead; posts planned further ahead than that were written in the last thirty days.
	at := g.from.Add(time.Duration(g.rng.Int64N(int64(g.span)))).Truncate(5 * time.Minute)
	created := at.Add(-time.Duration(1+g.rng.IntN(21*24)) * time.Hour)
	if created.After(g.now) {
		created = g.now.Add(-time.Duration(1+g.rng.IntN(30*24)) * time.Hour)
	}
	return bulkSlot{noise: noise, at: at, created: created}
}

func (g *bulkGen) post(ws *bulkWorkspace, sl bulkSlot) Post {
	at, created := sl.at, sl.created
	var status workflow.Status
	if at.Before(g.now) {
		status = pastStatuses[g.pick(pastWeights)]
	} else {
		status = futureStatuses[g.pick(futureWeights)]
	}
	updated := created.Add(time.Duration(g.rng.IntN(48)) * time.Hour)
	if updated.After(g.now) {
		updated = g.now
	}
	p := Post{
		WorkspaceID: ws.id, AuthorID: ws.authors[g.rng.IntN(len(ws.authors))],
		Title: g.words(3 + g.rng.IntN(5)), Body: g.words(25 + g.rng.IntN(35)),
		Status: string(status), Revision: 1 + g.rng.IntN(3), ScheduledAt: &at, TimeZone: "UTC",
		CreatedAt: created, UpdatedAt: updated,
	}
	if g.rng.IntN(4) == 0 {
		p.Campaign = "campaign " + g.words(1)
	}
	if g.rng.IntN(2) == 0 {
		n := 1 + g.rng.IntN(2)
		first := g.rng.IntN(len(benchLabels))
		for i := range n {
			p.Labels = append(p.Labels, PostLabel{WorkspaceID: ws.id, Label: benchLabels[(first+i)%len(benchLabels)]})
		}
	}
	// Each post goes to TargetsPerPost distinct channels, starting at a random one.
	first := g.rng.IntN(len(ws.channels))
	for i := range g.targets {
		t := Target{WorkspaceID: ws.id, ChannelID: ws.channels[(first+i)%len(ws.channels)], Status: TargetPending,
			IdempotencyKey: g.uuid(), CreatedAt: created, UpdatedAt: updated}
		if g.rng.IntN(10) == 0 {
			s := g.words(20 + g.rng.IntN(20))
			t.TextOverride = &s
		}
		if g.rng.IntN(3) == 0 {
			t.Media = []Media{{URL: "https://cdn.bench.herald.local/" + g.uuid() + ".jpg", Kind: "image", MIME: "image/jpeg", SizeBytes: 200_000 + g.rng.Int64N(2_000_000), AltText: g.words(6)}}
		}
		switch status {
		case workflow.Published, workflow.PartiallyPublished:
			t.Status = TargetPublished
			if status == workflow.PartiallyPublished && i == 0 {
				t.Status = TargetFailed
			}
		case workflow.Failed:
			t.Status = TargetFailed
		case workflow.Canceled:
			t.Status = TargetCanceled
		}
		switch t.Status {
		case TargetPublished:
			pub := at.Add(time.Duration(g.rng.IntN(90)) * time.Second)
			t.PublishedAt = &pub
			t.Attempts = 1
			t.ExternalID = fmt.Sprintf("%d", g.rng.Uint64()>>1)
			t.ExternalURL = "https://social.example/@bench/" + t.ExternalID
			t.UpdatedAt = pub
		case TargetFailed:
			t.Attempts = 3
			msg := "permanent: the network rejected the post (422 media too large)"
			t.LastError = &msg
		}
		p.Targets = append(p.Targets, t)
	}
	return p
}

// ServerVersion reports the database engine and version, e.g. "MariaDB 10.11.6" or "SQLite 3.41.2".
func (s *Store) ServerVersion(ctx context.Context) (string, error) {
	var v string
	if s.dialect == SQLite {
		if err := s.db.WithContext(ctx).Raw("SELECT sqlite_version()").Scan(&v).Error; err != nil {
			return "", err
		}
		return "SQLite " + v, nil
	}
	if err := s.db.WithContext(ctx).Raw("SELECT VERSION()").Scan(&v).Error; err != nil {
		return "", scrub(err)
	}
	if strings.Contains(strings.ToLower(v), "mariadb") {
		return "MariaDB " + v, nil
	}
	return "MySQL " + v, nil
}

// RecreateBenchDatabase drops and recreates the MySQL database loc names, which must start with
// BenchDatabasePrefix: the prefix is what makes dropping it safe, since no one keeps real data in a
// database named that way. It does nothing for SQLite.
func RecreateBenchDatabase(ctx context.Context, loc Location) error {
	return benchAdmin(ctx, loc, func(db *sql.DB, name string) error {
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			return scrub(err)
		}
		_, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
		return scrub(err)
	})
}

// DropBenchDatabase drops the MySQL database loc names, which must start with BenchDatabasePrefix.
// It does nothing for SQLite.
func DropBenchDatabase(ctx context.Context, loc Location) error {
	return benchAdmin(ctx, loc, func(db *sql.DB, name string) error {
		_, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`")
		return scrub(err)
	})
}

// benchAdmin connects to the MySQL server of loc without selecting a database and runs fn.
func benchAdmin(ctx context.Context, loc Location, fn func(db *sql.DB, name string) error) error {
	if loc.Dialect != MySQL {
		return nil
	}
	cfg, err := mysql.ParseDSN(loc.DSN)
	if err != nil {
		return errors.New("invalid MySQL DSN")
	}
	name := cfg.DBName
	if !strings.HasPrefix(name, BenchDatabasePrefix) || strings.ContainsAny(name, "`\\/. ") {
		return fmt.Errorf("refusing to drop MySQL database %q: benchmark databases must be named %s…", name, BenchDatabasePrefix)
	}
	cfg.DBName = ""
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return errors.New("invalid MySQL DSN")
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to %s: %w", loc.Redacted(), scrub(err))
	}
	return fn(db, name)
}

// BenchMoveDue makes the scheduled posts of the workspaces, and their targets waiting to be
// published, due at due, in one transaction: a reschedule of all of them at once. The scheduler
// benchmarks schedule their posts through the workflow well ahead (thousands of posts take longer
// to schedule than the few seconds a burst is planned ahead) and then make them all due at one
// instant with this. Like the rest of this file it writes no audit event: benchmark databases
// only. It returns how many targets moved.
func (s *Store) BenchMoveDue(ctx context.Context, due time.Time, workspaceIDs ...int64) (int64, error) {
	var moved int64
	err := s.tx(ctx, func(db *gorm.DB) error {
		now := s.now()
		if err := db.Model(&Post{}).Where("workspace_id IN ? AND status = ?", workspaceIDs, string(workflow.Scheduled)).
			Updates(map[string]any{"scheduled_at": dbTime(due), "updated_at": now}).Error; err != nil {
			return err
		}
		// Only the planned targets of scheduled posts: a draft's targets are pending too, with no
		// due time, and must stay off the schedule.
		scheduled := db.Model(&Post{}).Select("id").Where("workspace_id IN ? AND status = ?", workspaceIDs, string(workflow.Scheduled))
		res := db.Model(&Target{}).Where("workspace_id IN ? AND status = ? AND due_at IS NOT NULL AND post_id IN (?)", workspaceIDs, TargetPending, scheduled).
			Updates(map[string]any{"due_at": dbTime(due), "updated_at": now})
		moved = res.RowsAffected
		return res.Error
	})
	return moved, translate(err)
}

// BenchTargetCounts counts the targets of the workspaces by status (a benchmark's progress).
func (s *Store) BenchTargetCounts(ctx context.Context, workspaceIDs ...int64) (map[string]int, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := s.db.WithContext(ctx).Model(&Target{}).Select("status, COUNT(*) AS n").
		Where("workspace_id IN ?", workspaceIDs).Group("status").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// BenchTargets returns every target of the workspaces in id order, for a benchmark to check and
// time its outcomes: a workspace people use may hold far too many for one read.
func (s *Store) BenchTargets(ctx context.Context, workspaceIDs ...int64) ([]Target, error) {
	var out []Target
	err := s.db.WithContext(ctx).Where("workspace_id IN ?", workspaceIDs).Order("id").Find(&out).Error
	return out, translate(err)
}
