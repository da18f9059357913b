package store_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

func TestBulkSeedCalendar(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var calls []int
		res, err := s.BulkSeedCalendar(ctx, store.BulkSpec{Posts: 3000, TargetsPerPost: 3, Months: 12, Now: now, Seed: 7},
			func(done, total int) {
				if total != 3300 {
					t.Errorf("total %d, want 3300 (3000 + 10%% noise)", total)
				}
				calls = append(calls, done)
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 0 || calls[len(calls)-1] != 3300 {
			t.Errorf("progress calls %v, want the last to be 3300", calls)
		}
		if res.Posts != 3000 || res.Targets != 9000 || len(res.ChannelIDs) != 3 || res.NoiseWorkspaceID == 0 {
			t.Errorf("result %+v", res)
		}
		if res.PostLabels < 1000 || res.PostLabels > 3500 {
			t.Errorf("%d labels: about half the posts should carry one or two", res.PostLabels)
		}
		wantFrom := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		if !res.From.Equal(wantFrom) || !res.To.Equal(wantFrom.AddDate(0, 12, 0)) {
			t.Errorf("span %s – %s, want 12 months from %s", res.From, res.To, wantFrom)
		}

		// The whole span, read month by month, holds every post of the workspace once, each
		// with its three targets on distinct channels and a status that fits its time.
		seen := 0
		for m := res.From; m.Before(res.To); m = m.AddDate(0, 1, 0) {
			posts, truncated, err := s.Calendar(ctx, store.CalendarQuery{WorkspaceID: res.WorkspaceID, From: m, To: m.AddDate(0, 1, 0)})
			if err != nil || truncated {
				t.Fatalf("calendar %s: truncated %v, err %v", m.Format("2006-01"), truncated, err)
			}
			for _, p := range posts {
				seen++
				if p.WorkspaceID != res.WorkspaceID {
					t.Fatalf("post %d of workspace %d in the calendar of %d", p.ID, p.WorkspaceID, res.WorkspaceID)
				}
				if len(p.Targets) != 3 || p.Targets[0].ChannelID == p.Targets[1].ChannelID {
					t.Fatalf("post %d targets %+v", p.ID, p.Targets)
				}
				past := p.ScheduledAt.Before(now)
				switch p.Status {
				case "published", "partially_published", "failed":
					if !past {
						t.Fatalf("post %d is %s but scheduled in the future (%s)", p.ID, p.Status, p.ScheduledAt)
					}
				case "scheduled", "approved", "draft", "in_review", "changes_requested":
					if past {
						t.Fatalf("post %d is %s but scheduled in the past (%s)", p.ID, p.Status, p.ScheduledAt)
					}
				}
			}
		}
		if seen != 3000 {
			t.Errorf("calendar months hold %d posts, want 3000", seen)
		}
	})
}

// TestCalendarFiltersOnSeededData checks each calendar filter against the unfiltered month on a
// seeded workspace: the same posts as filtering by hand, in the same order, each with all its
// targets (in id order) and labels, and nothing from the noise workspace.
func TestCalendarFiltersOnSeededData(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		res, err := s.BulkSeedCalendar(ctx, store.BulkSpec{Posts: 2000, TargetsPerPost: 2, Months: 4, Now: now}, nil)
		if err != nil {
			t.Fatal(err)
		}
		month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		q := store.CalendarQuery{WorkspaceID: res.WorkspaceID, From: month, To: month.AddDate(0, 1, 0)}
		all, _, err := s.Calendar(ctx, q)
		if err != nil || len(all) < 300 {
			t.Fatalf("month: %d posts, err %v", len(all), err)
		}
		hasLabel := func(p store.Post, l string) bool {
			for _, x := range p.Labels {
				if x.Label == l {
					return true
				}
			}
			return false
		}
		onChannel := func(p store.Post, c int64) bool {
			for _, x := range p.Targets {
				if x.ChannelID == c {
					return true
				}
			}
			return false
		}
		for _, tc := range []struct {
			name   string
			filter func(q *store.CalendarQuery)
			keep   func(p store.Post) bool
		}{
			{"status", func(q *store.CalendarQuery) { q.Statuses = []string{"scheduled", "draft"} },
				func(p store.Post) bool { return p.Status == "scheduled" || p.Status == "draft" }},
			{"label", func(q *store.CalendarQuery) { q.Labels = []string{res.Labels[1]} },
				func(p store.Post) bool { return hasLabel(p, res.Labels[1]) }},
			{"channel", func(q *store.CalendarQuery) { q.ChannelIDs = []int64{res.ChannelIDs[2]} },
				func(p store.Post) bool { return onChannel(p, res.ChannelIDs[2]) }},
			{"author", func(q *store.CalendarQuery) { q.AuthorIDs = res.AuthorIDs[:2] },
				func(p store.Post) bool { return p.AuthorID == res.AuthorIDs[0] || p.AuthorID == res.AuthorIDs[1] }},
			{"label and channel", func(q *store.CalendarQuery) {
				q.Labels, q.ChannelIDs = []string{res.Labels[0], res.Labels[3]}, []int64{res.ChannelIDs[0]}
			}, func(p store.Post) bool {
				return (hasLabel(p, res.Labels[0]) || hasLabel(p, res.Labels[3])) && onChannel(p, res.ChannelIDs[0])
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fq := q
				tc.filter(&fq)
				got, _, err := s.Calendar(ctx, fq)
				if err != nil {
					t.Fatal(err)
				}
				var want []store.Post
				for _, p := range all {
					if tc.keep(p) {
						want = append(want, p)
					}
				}
				if len(got) != len(want) || len(want) == 0 || len(want) == len(all) {
					t.Fatalf("%d posts, want %d of %d", len(got), len(want), len(all))
				}
				for i := range got {
					g, w := got[i], want[i]
					if g.ID != w.ID || len(g.Targets) != len(w.Targets) || len(g.Labels) != len(w.Labels) {
						t.Fatalf("post %d: got id %d with %d targets and %d labels, want id %d with %d and %d",
							i, g.ID, len(g.Targets), len(g.Labels), w.ID, len(w.Targets), len(w.Labels))
					}
					for j := range g.Targets {
						if g.Targets[j].ID != w.Targets[j].ID || (j > 0 && g.Targets[j].ID < g.Targets[j-1].ID) {
							t.Fatalf("post %d targets out of id order: %+v", g.ID, g.Targets)
						}
					}
				}
			})
		}
	})
}

func TestBenchDatabaseNamesAreGuarded(t *testing.T) {
	loc, err := store.ParseURL("root@tcp(127.0.0.1:1)/herald", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.RecreateBenchDatabase(ctx, loc); err == nil {
		t.Fatal("recreated a database not named herald_bench…")
	}
	if err := store.DropBenchDatabase(ctx, loc); err == nil {
		t.Fatal("dropped a database not named herald_bench…")
	}
}

// BenchmarkCalendarMonth measures one calendar month of a seeded workspace; HERALD_BENCH_POSTS
// sets its size (default 20,000 posts, so about 830 a month). `herald bench calendar` is the
// full-size, recorded figure; this one is for profiling (-cpuprofile) while changing the query.
func BenchmarkCalendarMonth(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("HERALD_BENCH_POSTS")); err == nil && v > 0 {
		n = v
	}
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d, nil)
			now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
			res, err := s.BulkSeedCalendar(ctx, store.BulkSpec{Posts: n, Now: now}, nil)
			if err != nil {
				b.Fatal(err)
			}
			months := 0
			b.ResetTimer()
			for b.Loop() {
				m := res.From.AddDate(0, months%24, 0)
				months++
				posts, _, err := s.Calendar(ctx, store.CalendarQuery{WorkspaceID: res.WorkspaceID, From: m, To: m.AddDate(0, 1, 0)})
				if err != nil || len(posts) == 0 {
					b.Fatalf("calendar: %d posts, err %v", len(posts), err)
				}
			}
		})
	}
}

// The scheduler benchmarks' helpers: a reschedule of every scheduled post at once, which leaves
// drafts and published targets alone, and the reads that follow a burst.
func TestBenchMoveDueCountsAndTargets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ws, owner, ch := seed(t, s)
		a := store.Actor{UserID: owner.ID, Label: "Owner"}
		other := &store.Workspace{Name: "Other", TimeZone: "UTC"}
		if err := s.CreateWorkspace(ctx, other, owner.ID, a); err != nil {
			t.Fatal(err)
		}
		otherCh := &store.Channel{WorkspaceID: other.ID, Network: "mastodon", Name: "Other on Mastodon", TimeZone: "UTC", Status: store.ChannelConnected}
		if err := s.CreateChannel(ctx, otherCh, nil, a); err != nil {
			t.Fatal(err)
		}
		pol := workflow.Policy{RequiredApprovals: 0}
		parked := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
		newPost := func(ws *store.Workspace, ch *store.Channel, body string, schedule bool) *store.Post {
			t.Helper()
			p, err := s.CreatePost(ctx, ws.ID, a, store.PostInput{Body: body, Targets: []store.TargetInput{{ChannelID: ch.ID}}}, nil, "UTC")
			if err != nil {
				t.Fatal(err)
			}
			if !schedule {
				return p
			}
			for _, act := range []store.PostAction{
				{Action: workflow.Submit, Actor: a, Role: workflow.Owner, Policy: pol},
				{Action: workflow.Schedule, Actor: a, Role: workflow.Owner, Policy: pol, ScheduledAt: &parked, TimeZone: "UTC"},
			} {
				if p, _, err = s.ApplyPostAction(ctx, ws.ID, p.ID, act); err != nil {
					t.Fatalf("%s: %v", act.Action, err)
				}
			}
			return p
		}
		first, second := newPost(ws, ch, "first", true), newPost(ws, ch, "second", true)
		draft := newPost(ws, ch, "a draft", false)
		elsewhere := newPost(other, otherCh, "another workspace", true)

		due := time.Now().UTC().Add(2 * time.Second).Truncate(time.Millisecond)
		moved, err := s.BenchMoveDue(ctx, due, ws.ID)
		if err != nil || moved != 2 {
			t.Fatalf("moved %d, %v; want the 2 scheduled targets", moved, err)
		}
		for _, p := range []*store.Post{first, second} {
			got, err := s.Post(ctx, ws.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ScheduledAt == nil || !got.ScheduledAt.Equal(due) || got.Targets[0].DueAt == nil || !got.Targets[0].DueAt.Equal(due) {
				t.Errorf("post %q: scheduled %v, target due %v; want %v", p.Body, got.ScheduledAt, got.Targets[0].DueAt, due)
			}
		}
		if got, _ := s.Post(ctx, ws.ID, draft.ID); got.Targets[0].DueAt != nil || got.ScheduledAt != nil {
			t.Errorf("the draft was put on the schedule: %v %v", got.ScheduledAt, got.Targets[0].DueAt)
		}
		if got, _ := s.Post(ctx, other.ID, elsewhere.ID); !got.Targets[0].DueAt.Equal(parked) {
			t.Errorf("another workspace's target moved to %v", got.Targets[0].DueAt)
		}

		counts, err := s.BenchTargetCounts(ctx, ws.ID, other.ID)
		if err != nil || len(counts) != 1 || counts[store.TargetPending] != 4 {
			t.Errorf("counts %v, %v; want 4 pending", counts, err)
		}
		targets, err := s.BenchTargets(ctx, ws.ID)
		if err != nil || len(targets) != 3 {
			t.Fatalf("%d targets, %v; want 3", len(targets), err)
		}
		for i, tg := range targets {
			if tg.WorkspaceID != ws.ID || i > 0 && tg.ID <= targets[i-1].ID {
				t.Errorf("targets %+v: not the workspace's in id order", targets)
			}
		}
	})
}
