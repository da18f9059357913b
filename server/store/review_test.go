package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

// TestDeadlineSweepsRace: workers sweeping at the same moment send each notice once.
func TestDeadlineSweepsRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ws, owner, ch := seed(t, s)
		a := store.Actor{UserID: owner.ID, Label: "Owner"}
		at := s.Now().Add(-time.Minute) // planned a minute ago, never approved
		for i := 0; i < 5; i++ {
			p, err := s.CreatePost(ctx, ws.ID, a, store.PostInput{Body: "x", Targets: []store.TargetInput{{ChannelID: ch.ID}}}, &at, "UTC")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: workflow.Submit, Actor: a, Role: workflow.Owner,
				Policy: workflow.Policy{RequiredApprovals: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		totals := make([]store.DeadlineSweep, 4)
		for i := range totals {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := s.SweepApprovalDeadlines(ctx, s.Now())
				if err != nil {
					t.Error(err)
				}
				totals[i] = got
			}()
		}
		wg.Wait()
		missed := 0
		for _, got := range totals {
			missed += got.Missed
		}
		ns, _, err := s.Notifications(ctx, ws.ID, false, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		told := 0
		for _, n := range ns {
			if n.Kind == store.NotifyApprovalMissed {
				told++
			}
		}
		if missed != 5 || told != 5 {
			t.Fatalf("4 sweeps of 5 missed posts reported %d and notified %d times, want 5", missed, told)
		}
	})
}

// TestClientApprovalsCountInOrder: client decisions share the approvals' sequence, so a change
// request by the client ends the run of approvals like an editor's does.
func TestClientApprovalsCountInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ws, owner, ch := seed(t, s)
		a := store.Actor{UserID: owner.ID, Label: "Owner"}
		pol := &store.ApprovalPolicy{WorkspaceID: ws.ID, Name: "Client", Steps: []workflow.Step{{Name: "Client", Client: true}}}
		if err := s.CreateApprovalPolicy(ctx, pol, a); err != nil {
			t.Fatal(err)
		}
		p, err := s.CreatePost(ctx, ws.ID, a, store.PostInput{Body: "x", Targets: []store.TargetInput{{ChannelID: ch.ID}}}, nil, "UTC")
		if err != nil {
			t.Fatal(err)
		}
		l := &store.ClientLink{WorkspaceID: ws.ID, Name: "ACME", TokenHash: "h1", Locale: "en", CreatedBy: owner.ID, ExpiresAt: s.Now().Add(time.Hour)}
		if err := s.CreateClientLink(ctx, l, []int64{p.ID}, a); err != nil {
			t.Fatal(err)
		}
		client := store.Actor{Label: "client link: ACME"}
		do := func(act workflow.Action, actor store.Actor, role workflow.Role, link int64) *store.Post {
			t.Helper()
			got, _, err := s.ApplyPostAction(ctx, ws.ID, p.ID, store.PostAction{Action: act, Actor: actor, Role: role, ClientLink: link,
				Note: "n", Policy: workflow.Policy{RequiredApprovals: 1}})
			if err != nil {
				t.Fatalf("%s: %v", act, err)
			}
			return got
		}
		do(workflow.Submit, a, workflow.Owner, 0)
		if got := do(workflow.RequestChanges, client, "", l.ID); got.Status != string(workflow.ChangesRequested) {
			t.Fatalf("after the client's changes: %s", got.Status)
		}
		do(workflow.Submit, a, workflow.Owner, 0)
		if got := do(workflow.Approve, client, "", l.ID); got.Status != string(workflow.Approved) {
			t.Fatalf("after the client's approval: %s", got.Status)
		}
		w, err := s.Workspace(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, _ = s.Post(ctx, ws.ID, p.ID)
		r, err := s.PostReview(ctx, w, p)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Progress.Complete() || !r.Progress.ClientApproved || r.ClientNames[l.ID] != "ACME" || len(r.Decisions) != 2 || r.Decisions[0].ReviewerID != 0 {
			t.Fatalf("review: %+v", r)
		}
		if byToken, err := s.ClientLinkByToken(ctx, "h1"); err != nil || byToken.PostIDs[0] != p.ID {
			t.Fatalf("link by token: %+v %v", byToken, err)
		}
	})
}
