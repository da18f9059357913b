package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

var ctx = context.Background()

func TestMigrationsSameVersionsInBothDialects(t *testing.T) {
	my, err := store.LoadMigrations(store.MySQL)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := store.LoadMigrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(my) != len(lite) {
		t.Fatalf("mysql has %d migrations, sqlite %d", len(my), len(lite))
	}
	for i := range my {
		if my[i].Version != lite[i].Version || my[i].Name != lite[i].Name {
			t.Errorf("migration %d: mysql %04d_%s vs sqlite %04d_%s", i, my[i].Version, my[i].Name, lite[i].Version, lite[i].Name)
		}
		// Branches developed side by side take numbers from ranges set aside for them (the brand
		// voice work uses 0070–0099), so versions increase but may skip; the migrator applies
		// every pending version in order, whatever the gaps.
		if i > 0 && my[i].Version <= my[i-1].Version {
			t.Errorf("migration versions must increase; got %d after %d", my[i].Version, my[i-1].Version)
		}
	}
}

func TestMigrateIsRerunnable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n, err := s.Migrate(ctx, nil)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v", n, err)
		}
		pending, err := s.PendingMigrations(ctx)
		if err != nil || pending != 0 {
			t.Fatalf("pending %d err %v", pending, err)
		}
	})
}

// seed makes a workspace with an owner and one channel.
func seed(t *testing.T, s *store.Store) (ws *store.Workspace, owner *store.User, ch *store.Channel) {
	t.Helper()
	owner = &store.User{Email: "Owner@Example.com", Name: "Owner"}
	if err := s.CreateUser(ctx, owner); err != nil {
		t.Fatal(err)
	}
	ws = &store.Workspace{Name: "Acme", TimeZone: "Europe/Paris", RequiredApprovals: 1}
	if err := s.CreateWorkspace(ctx, ws, owner.ID, store.Actor{UserID: owner.ID, Label: "Owner"}); err != nil {
		t.Fatal(err)
	}
	ch = &store.Channel{WorkspaceID: ws.ID, Network: "mastodon", Name: "Acme on Mastodon", TimeZone: "UTC", Status: store.ChannelConnected,
		Slots: []store.PostingSlot{{Weekday: 1, MinuteOfDay: 540}, {Weekday: 1, MinuteOfDay: 540}}}
	if err := s.CreateChannel(ctx, ch, nil, store.Actor{UserID: owner.ID}); err != nil {
		t.Fatal(err)
	}
	return
}

func TestUsersAndWorkspaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ws, owner, ch := seed(t, s)
		if owner.Email != "owner@example.com" {
			t.Errorf("email not normalized: %s", owner.Email)
		}
		if err := s.CreateUser(ctx, &store.User{Email: "OWNER@example.com"}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("duplicate email: got %v", err)
		}
		role, err := s.Role(ctx, ws.ID, owner.ID)
		if err != nil || role != "owner" {
			t.Fatalf("role %q %v", role, err)
		}
		if err := s.RemoveMember(ctx, ws.ID, owner.ID, store.Actor{}); !errors.Is(err, store.ErrLastOwner) {
			t.Errorf("removing the last owner: got %v", err)
		}
		got, err := s.Channel(ctx, ws.ID, ch.ID)
		if err != nil || len(got.Slots) != 1 {
			t.Fatalf("channel slots %+v %v", got, err)
		}
		if _, err := s.Channel(ctx, ws.ID+1, ch.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("channel of another workspace: %v", err)
		}
	})
}

func TestPostLifecycleAndConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ws, owner, ch := seed(t, s)
		author := &store.User{Email: "author@example.com", Name: "Author"}
		if err := s.CreateUser(ctx, author); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, ws.ID, author.ID, "author", store.Actor{UserID: owner.ID}); err != nil {
			t.Fatal(err)
		}
		a := store.Actor{UserID: author.ID, Label: "Author"}
		p, err := s.CreatePost(ctx, ws.ID, a, store.PostInput{Body: "Bonjour", Labels: []string{"launch", "launch"},
			Targets: []store.TargetInput{{ChannelID: ch.ID}}}, nil, "Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Targets) != 1 || len(p.Labels) != 1 || p.Revision != 1 || p.Status != "draft" {
			t.Fatalf("created %+v", p)
		}
		// A channel from nowhere is a field error and writes nothing.
		_, err = s.CreatePost(ctx, ws.ID, a, store.PostInput{Body: "x", Targets: []store.TargetInput{{ChannelID: 999999}}}, nil, "UTC")
		var ve *store.ValidationError
		if !errors.As(err, &ve) || ve.Fields["targets[0].channel_id"] == "" {
			t.Fatalf("unknown channel: %v", err)
		}
		list, _, err := s.Posts(ctx, store.PostFilter{WorkspaceID: ws.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("half-written post left behind: %d %v", len(list), err)
		}
		pol := workflow.Policy{RequiredApprovals: 1}
		body := "Bonjour à tous"
		p, _, err = s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: workflow.Edit, Actor: a, Role: workflow.Author, Policy: pol, Revision: 1, Edit: store.PostEdit{Body: &body}})
		if err != nil || p.Revision != 2 || p.Body != body {
			t.Fatalf("edit: %+v %v", p, err)
		}
		// A stale revision is a conflict carrying the current one.
		_, _, err = s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: workflow.Edit, Actor: a, Role: workflow.Author, Policy: pol, Revision: 1, Edit: store.PostEdit{Body: &body}})
		var ce *store.ConflictError
		if !errors.As(err, &ce) || ce.Current != 2 {
			t.Fatalf("stale edit: %v", err)
		}
		p, _, err = s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: workflow.Submit, Actor: a, Role: workflow.Author, Policy: pol})
		if err != nil || p.Status != "in_review" {
			t.Fatalf("submit: %v %v", p.Status, err)
		}
		o := store.Actor{UserID: owner.ID, Label: "Owner"}
		p, _, err = s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: workflow.Approve, Actor: o, Role: workflow.Owner, Policy: pol, Note: "ok"})
		if err != nil || p.Status != "approved" {
			t.Fatalf("approve: %v %v", p.Status, err)
		}
		at := time.Now().Add(48 * time.Hour)
		p, _, err = s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: workflow.Schedule, Actor: o, Role: workflow.Owner, Policy: pol, ScheduledAt: &at})
		if err != nil || p.Status != "scheduled" || p.ScheduledAt == nil {
			t.Fatalf("schedule: %v %v", p.Status, err)
		}
		// Editing scheduled content sends it back to review; the approval no longer counts.
		body2 := "Bonjour à toutes et à tous"
		p, _, err = s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: workflow.Edit, Actor: a, Role: workflow.Author, Policy: pol, Revision: p.Revision, Edit: store.PostEdit{Body: &body2}})
		if err != nil || p.Status != "in_review" {
			t.Fatalf("edit scheduled: %v %v", p.Status, err)
		}
		approvers, err := s.CurrentApprovers(ctx, ws.ID, p.ID, p.Revision)
		if err != nil || len(approvers) != 0 {
			t.Fatalf("approvers after edit: %v %v", approvers, err)
		}
		cal, _, err := s.Calendar(ctx, store.CalendarQuery{WorkspaceID: ws.ID, From: time.Now(), To: time.Now().Add(72 * time.Hour)})
		if err != nil || len(cal) != 1 || len(cal[0].Targets) != 1 || len(cal[0].Labels) != 1 {
			t.Fatalf("calendar: %+v %v", cal, err)
		}
		cal, _, err = s.Calendar(ctx, store.CalendarQuery{WorkspaceID: ws.ID, From: time.Now(), To: time.Now().Add(72 * time.Hour), Labels: []string{"other"}})
		if err != nil || len(cal) != 0 {
			t.Fatalf("calendar label filter: %d %v", len(cal), err)
		}
		events, _, err := s.AuditEvents(ctx, store.AuditFilter{WorkspaceID: ws.ID, EntityType: "post", EntityID: p.ID})
		if err != nil || len(events) < 6 {
			t.Fatalf("audit: %d %v", len(events), err)
		}
	})
}
