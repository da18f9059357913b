package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// TestDeadlineSweep: a post in review at its planned time is not published, and the sweep job
// tells the workspace once; a dispatch pass at that time claims nothing.
func TestDeadlineSweep(t *testing.T) {
	eachDialect(t, t0, func(t *testing.T, e *env) {
		one := 1
		if _, err := e.st.UpdateWorkspace(ctx, e.ws.ID, store.WorkspaceUpdate{RequiredApprovals: &one}, e.owner); err != nil {
			t.Fatal(err)
		}
		ch := e.channel("acme")
		at := t0.Add(time.Hour)
		p, err := e.st.CreatePost(ctx, e.ws.ID, e.owner, store.PostInput{Title: "Launch", Body: "Hello",
			Targets: []store.TargetInput{{ChannelID: ch.ID}}}, &at, "UTC")
		if err != nil {
			t.Fatal(err)
		}
		pol := workflow.Policy{RequiredApprovals: 1}
		if _, _, err := e.st.ApplyPostAction(ctx, e.ws.ID, p.ID, store.PostAction{Action: workflow.Submit, Actor: e.owner, Role: workflow.Owner, Policy: pol}); err != nil {
			t.Fatal(err)
		}
		e.s.sweepDeadlines(ctx)
		e.advance(61 * time.Minute)
		if n := e.dispatch(nil); n != 0 {
			t.Fatalf("an unapproved post was claimed (%d)", n)
		}
		e.s.sweepDeadlines(ctx)
		e.s.sweepDeadlines(ctx)
		ns, _, err := e.st.Notifications(ctx, e.ws.ID, false, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		missed := 0
		for _, n := range ns {
			if n.Kind == store.NotifyApprovalMissed && strings.Contains(n.Message, "“Launch” was not approved") {
				missed++
			}
		}
		if missed != 1 {
			t.Fatalf("missed notices: %d in %+v", missed, ns)
		}
		if tg := e.target(p, ch); tg.Status != store.TargetPending || tg.DueAt != nil {
			t.Fatalf("the target of an unapproved post: %+v", tg)
		}
		if kindTitle(store.NotifyApprovalMissed) != "a post was not approved in time" {
			t.Error("emails name the new kinds in words")
		}
	})
}
