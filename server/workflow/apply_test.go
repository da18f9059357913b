package workflow

import (
	"errors"
	"strings"
	"testing"
)

// These tables cover what the exhaustive grid holds fixed: posts that
// already have approvals, authors whose role differs from the editor's, and
// the order in which failures are reported.

var (
	owner     = Actor{UserID: ownerID, Role: Owner}
	admin     = Actor{UserID: adminID, Role: Admin}
	editor    = Actor{UserID: editorID, Role: Editor}
	ownAuthor = Actor{UserID: writerID, Role: Author}
	ownEditor = Actor{UserID: writerID, Role: Editor}
	viewer    = Actor{UserID: viewerID, Role: Viewer}
	scheduler = Actor{System: true}
)

func TestApprove(t *testing.T) {
	two := Policy{RequiredApprovals: 2}
	three := Policy{RequiredApprovals: 3}
	selfTwo := Policy{RequiredApprovals: 2, AuthorsMaySelfApprove: true}
	tests := []struct {
		name       string
		approvedBy []int64
		authorRole Role
		actor      Actor
		pol        Policy
		wantTo     Status // empty when an error is expected
		wantAudit  string
		wantErr    error
	}{
		{"first of two stays in review", nil, Author, editor, two, InReview, "post.approval_added", nil},
		{"second of two approves", []int64{adminID}, Author, editor, two, Approved, "post.approved", nil},
		{"second of three stays in review", []int64{adminID}, Author, editor, three, InReview, "post.approval_added", nil},
		{"third of three approves", []int64{adminID, ownerID}, Author, editor, three, Approved, "post.approved", nil},
		{"same approver twice is refused", []int64{editorID}, Author, editor, two, "", "", ErrAlreadyApproved},
		{"same approver refused even when one is enough", []int64{editorID}, Author, editor, DefaultPolicy(), "", "", ErrAlreadyApproved},
		{"duplicate rows count once", []int64{adminID, adminID}, Author, editor, three, InReview, "post.approval_added", nil},
		{"duplicate rows plus a new approver make two", []int64{adminID, adminID}, Author, editor, two, Approved, "post.approved", nil},
		{"stale self-approval is not counted", []int64{writerID}, Editor, editor, two, InReview, "post.approval_added", nil},
		{"self-approval counts when allowed", []int64{writerID}, Editor, editor, selfTwo, Approved, "post.approved", nil},
		{"author approves own post when allowed", []int64{editorID}, Editor, ownEditor, selfTwo, Approved, "post.approved", nil},
		{"author approves own post when not allowed", []int64{editorID}, Editor, ownEditor, two, "", "", ErrSelfApproval},
		{"self-approval is reported before a duplicate", []int64{writerID}, Editor, ownEditor, two, "", "", ErrSelfApproval},
		{"one approval is enough when no review is required", nil, Author, editor, Policy{}, Approved, "post.approved", nil},
		{"author role may not approve even with self-approval", nil, Author, ownAuthor, selfTwo, "", "", ErrForbidden},
		{"owner approves", nil, Author, owner, DefaultPolicy(), Approved, "post.approved", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Post{Status: InReview, AuthorID: writerID, AuthorRole: tt.authorRole, ApprovedBy: tt.approvedBy}
			got, err := Apply(p, tt.actor, Approve, tt.pol)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %+v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			want := Result{From: InReview, To: tt.wantTo, RecordApproval: true, AuditAction: tt.wantAudit}
			if err != nil || got != want {
				t.Fatalf("got %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// TestReviewFollowsAuthorRole checks that whether an edit sends a post back
// to review depends on who wrote it, not on who edits it.
func TestReviewFollowsAuthorRole(t *testing.T) {
	skip := Policy{RequiredApprovals: 1, EditorsSkipReview: true}
	tests := []struct {
		name       string
		authorRole Role
		actor      Actor
		pol        Policy
		from       Status
		act        Action
		want       Status
		wantErr    error
	}{
		{"editor edits an author's approved post", Author, editor, skip, Approved, Edit, InReview, nil},
		{"owner edits an editor's approved post", Editor, owner, skip, Approved, Edit, Approved, nil},
		{"admin-written post skips review", Admin, editor, skip, Scheduled, Edit, Scheduled, nil},
		{"owner-written post skips review", Owner, admin, skip, Draft, Submit, Approved, nil},
		{"author who left needs review", Viewer, editor, skip, Scheduled, Edit, InReview, nil},
		{"author demoted to viewer needs review to schedule", Viewer, editor, skip, Draft, Schedule, "", ErrNeedsReview},
		{"unknown author role needs review", "", editor, skip, Draft, PublishNow, "", ErrNeedsReview},
		{"editor schedules own draft when editors skip review", Editor, ownEditor, skip, Draft, Schedule, Scheduled, nil},
		{"editor publishes an author's draft without review when none is required", Author, editor, Policy{}, Draft, PublishNow, Scheduled, nil},
		{"editor-written post is reviewed when editors do not skip", Editor, ownEditor, DefaultPolicy(), Draft, Submit, InReview, nil},
		{"changes requested cannot be scheduled directly", Editor, ownEditor, skip, ChangesRequested, Schedule, "", ErrInvalidTransition},
		{"in-review post edited after the policy dropped review stays in review", Author, editor, Policy{}, InReview, Edit, InReview, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Post{Status: tt.from, AuthorID: writerID, AuthorRole: tt.authorRole}
			got, err := Apply(p, tt.actor, tt.act, tt.pol)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %+v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.To != tt.want {
				t.Fatalf("got %+v, %v; want status %s", got, err, tt.want)
			}
		})
	}
}

// TestCheckOrder pins which error wins when several apply, since the HTTP
// layer turns them into different status codes.
func TestCheckOrder(t *testing.T) {
	stranger := Actor{UserID: otherAuthorID, Role: Author}
	tests := []struct {
		name    string
		status  Status
		actor   Actor
		act     Action
		want    error
		wantMsg string
	}{
		{"unknown action beats everything", Published, viewer, "fly", ErrUnknownAction, `unknown action "fly"`},
		{"unknown action from the scheduler", Scheduled, scheduler, "", ErrUnknownAction, `unknown action ""`},
		{"scheduler cannot edit", Draft, scheduler, Edit, ErrForbidden, "not allowed: the scheduler may only start and finish publishing, not edit a post"},
		{"scheduler cannot approve even where approving is invalid", Published, scheduler, Approve, ErrForbidden, ""},
		{"owner cannot claim a post went out", Publishing, owner, MarkPublished, ErrForbidden, "not allowed: only the scheduler may start and finish publishing"},
		{"human system action beats invalid transition", Draft, owner, StartPublishing, ErrForbidden, ""},
		{"viewer beats invalid transition", Published, viewer, Edit, ErrForbidden, "not allowed: viewers cannot change posts"},
		{"viewer on a valid transition", Draft, viewer, Submit, ErrForbidden, ""},
		{"foreign author beats invalid transition", Published, stranger, Cancel, ErrForbidden, "not allowed: authors may only change their own posts"},
		{"author asking for a reviewer action beats invalid transition", Published, ownAuthor, Approve, ErrForbidden, "not allowed: only editors, admins and owners may approve a post"},
		{"unknown role is forbidden", Draft, Actor{UserID: writerID, Role: "superuser"}, Edit, ErrForbidden, `not allowed: "superuser" is not a workspace role`},
		{"empty role is forbidden", Draft, Actor{UserID: writerID}, Edit, ErrForbidden, ""},
		{"own author: nobody can cancel a published post", Published, ownAuthor, Cancel, ErrInvalidTransition, "cannot cancel a post that is published"},
		{"own author: an editor could cancel an approved post", Approved, ownAuthor, Cancel, ErrForbidden, "not allowed: only editors, admins and owners may cancel a post that is approved"},
		{"own author: nobody can reschedule while publishing", Publishing, ownAuthor, Reschedule, ErrInvalidTransition, "cannot reschedule a post that is publishing"},
		{"own author: an editor could reschedule a scheduled post", Scheduled, ownAuthor, Reschedule, ErrForbidden, ""},
		{"invalid transition beats needs-review", InReview, editor, Schedule, ErrInvalidTransition, "cannot schedule a post that is in review"},
		{"needs review", Draft, editor, Schedule, ErrNeedsReview, ""},
		{"unknown post status is an invalid transition", "archived", editor, Edit, ErrInvalidTransition, `cannot edit a post that is in an unknown status "archived"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Post{Status: tt.status, AuthorID: writerID, AuthorRole: Author}
			got, err := Apply(p, tt.actor, tt.act, DefaultPolicy())
			if m := matchingSentinels(err); len(m) != 1 || m[0] != tt.want {
				t.Fatalf("got %+v, %v (matches %v); want %v", got, err, m, tt.want)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("message %q, want %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

func TestTransitionError(t *testing.T) {
	tests := []struct {
		from Status
		act  Action
		want string
	}{
		{Draft, Approve, "cannot approve a post that is draft"},
		{Draft, RequestChanges, "cannot request changes on a post that is draft"},
		{ChangesRequested, Approve, "cannot approve a post that is waiting for changes"},
		{Published, PublishNow, "cannot immediately publish a post that is published"},
		{PartiallyPublished, Edit, "cannot edit a post that is partially published"},
		{Canceled, Unschedule, "cannot unschedule a post that is canceled"},
		{Draft, StartPublishing, "cannot start publishing a post that is draft"},
		{Draft, MarkPartial, "cannot mark as partially published a post that is draft"},
		{Draft, MarkFailed, "cannot mark as failed a post that is draft"},
		{"", Submit, `cannot submit a post that is in an unknown status ""`},
	}
	for _, tt := range tests {
		var err error = &TransitionError{From: tt.from, Action: tt.act}
		if err.Error() != tt.want {
			t.Errorf("got %q, want %q", err.Error(), tt.want)
		}
		if !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("%q does not match ErrInvalidTransition", err)
		}
		if errors.Is(err, ErrForbidden) {
			t.Errorf("%q matches ErrForbidden", err)
		}
	}

	// The HTTP layer reads From out of the error to show the current status.
	_, err := Apply(Post{Status: Published, AuthorID: writerID}, editor, Approve, DefaultPolicy())
	var te *TransitionError
	if !errors.As(err, &te) || te.From != Published || te.Action != Approve {
		t.Fatalf("errors.As: got %#v", err)
	}
}

// TestErrorMessages checks that every error a user may see reads as a
// sentence of its own and that no two are confusable.
func TestErrorMessages(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range append(sentinels, ErrUnknownRole, ErrInvalidPolicy) {
		msg := e.Error()
		if msg == "" || strings.HasSuffix(msg, ".") || msg != strings.ToLower(msg[:1])+msg[1:] {
			t.Errorf("%q: want a non-empty message starting in lower case without a final period", msg)
		}
		if seen[msg] {
			t.Errorf("two errors say %q", msg)
		}
		seen[msg] = true
	}
}

// TestEveryVerbReads makes sure each action has a verb that reads in an
// error message, so adding an action without one shows up here.
func TestEveryVerbReads(t *testing.T) {
	for _, act := range AllActions() {
		v := act.verb()
		if strings.Contains(v, "_") {
			t.Errorf("%s: verb %q is an identifier, not words", act, v)
		}
	}
	for _, st := range AllStatuses() {
		if strings.Contains(st.phrase(), "_") {
			t.Errorf("%s: phrase %q is an identifier, not words", st, st.phrase())
		}
	}
}

func TestApplyIgnoresHasSchedule(t *testing.T) {
	// Schedule carries its time in the same request, so the stored flag must
	// not change the outcome.
	for _, has := range []bool{false, true} {
		p := Post{Status: Approved, AuthorID: writerID, AuthorRole: Author, HasSchedule: has}
		got, err := Apply(p, editor, Schedule, DefaultPolicy())
		if err != nil || got.To != Scheduled {
			t.Errorf("HasSchedule=%v: got %+v, %v", has, got, err)
		}
	}
}
