package workflow_test

import (
	"errors"
	"fmt"

	"github.com/heraldhq/herald/server/workflow"
)

// An author submits a post, an editor approves it, the author's later edit
// sends it back to review, and the scheduler is the only one who can say it
// went out.
func ExampleApply() {
	pol := workflow.Policy{RequiredApprovals: 1}
	author := workflow.Actor{UserID: 7, Role: workflow.Author}
	editor := workflow.Actor{UserID: 8, Role: workflow.Editor}
	post := workflow.Post{Status: workflow.Draft, AuthorID: 7, AuthorRole: workflow.Author}

	for _, step := range []struct {
		who workflow.Actor
		act workflow.Action
	}{
		{author, workflow.Submit},
		{author, workflow.Approve},
		{editor, workflow.Approve},
		{author, workflow.Edit},
		{editor, workflow.MarkPublished},
	} {
		r, err := workflow.Apply(post, step.who, step.act, pol)
		switch {
		case errors.Is(err, workflow.ErrForbidden):
			fmt.Printf("%s: 403 %v\n", step.act, err)
		case err != nil:
			fmt.Printf("%s: 409 %v\n", step.act, err)
		default:
			fmt.Printf("%s: %s → %s (%s)\n", step.act, r.From, r.To, r.AuditAction)
			post.Status = r.To
		}
	}
	// Output:
	// submit: draft → in_review (post.submitted)
	// approve: 403 not allowed: only editors, admins and owners may approve a post
	// approve: in_review → approved (post.approved)
	// edit: approved → in_review (post.sent_back_to_review)
	// mark_published: 403 not allowed: only the scheduler may start and finish publishing
}
