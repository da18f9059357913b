package workflow

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// This file checks Apply against every status × action × writer × actor ×
// policy. The expected outcome comes from the explicit tables below, written
// from the product rules rather than from apply.go, so a change to either one
// alone makes this test fail. Audit actions are literal strings on purpose:
// they are stored in the database, so renaming a constant must fail here.

// move is the expected result of an allowed action.
type move struct {
	to    Status
	audit string
}

// baseMoves lists every (action, from) pair that someone may perform on a
// post whose author needs review, with no approvals yet and one approval
// required. A pair that is not listed is an invalid transition.
var baseMoves = map[Action]map[Status]move{
	Edit: {
		Draft:            {Draft, "post.edited"},
		InReview:         {InReview, "post.edited"},
		ChangesRequested: {ChangesRequested, "post.edited"},
		Approved:         {InReview, "post.sent_back_to_review"},
		Scheduled:        {InReview, "post.sent_back_to_review"},
		Failed:           {Draft, "post.edited"},
	},
	Submit: {
		Draft:            {InReview, "post.submitted"},
		ChangesRequested: {InReview, "post.submitted"},
	},
	Approve: {
		InReview: {Approved, "post.approved"},
	},
	RequestChanges: {
		InReview: {ChangesRequested, "post.changes_requested"},
		Approved: {ChangesRequested, "post.changes_requested"},
	},
	Schedule: {
		Approved: {Scheduled, "post.scheduled"},
	},
	PublishNow: {
		Approved:  {Scheduled, "post.publish_now_requested"},
		Scheduled: {Scheduled, "post.publish_now_requested"},
	},
	Reschedule: {
		Draft:            {Draft, "post.rescheduled"},
		InReview:         {InReview, "post.rescheduled"},
		ChangesRequested: {ChangesRequested, "post.rescheduled"},
		Approved:         {Approved, "post.rescheduled"},
		Scheduled:        {Scheduled, "post.rescheduled"},
	},
	Unschedule: {
		Scheduled: {Approved, "post.unscheduled"},
	},
	Cancel: {
		Draft:            {Canceled, "post.canceled"},
		InReview:         {Canceled, "post.canceled"},
		ChangesRequested: {Canceled, "post.canceled"},
		Approved:         {Canceled, "post.canceled"},
		Scheduled:        {Canceled, "post.canceled"},
		Failed:           {Canceled, "post.canceled"},
	},
	Restore: {
		Canceled: {Draft, "post.restored"},
	},
	Retry: {
		Failed:             {Scheduled, "post.retried"},
		PartiallyPublished: {Scheduled, "post.retried"},
	},
	StartPublishing: {
		Scheduled: {Publishing, "post.publishing"},
	},
	MarkPublished: {
		Publishing: {Published, "post.published"},
	},
	MarkPartial: {
		Publishing: {PartiallyPublished, "post.partially_published"},
	},
	MarkFailed: {
		Publishing: {Failed, "post.failed"},
	},
}

// noReviewMoves replaces or extends baseMoves when the post's author needs no
// review: content is trusted as written.
var noReviewMoves = map[Action]map[Status]move{
	Edit: {
		Approved:  {Approved, "post.edited"},
		Scheduled: {Scheduled, "post.edited"},
	},
	Submit: {
		Draft:            {Approved, "post.auto_approved"},
		ChangesRequested: {Approved, "post.auto_approved"},
	},
	Schedule: {
		Draft: {Scheduled, "post.scheduled"},
	},
	PublishNow: {
		Draft: {Scheduled, "post.publish_now_requested"},
	},
}

// needsReviewAt lists the pairs of noReviewMoves that fail with
// ErrNeedsReview, rather than being invalid, when review is needed.
var needsReviewAt = map[Action][]Status{
	Schedule:   {Draft},
	PublishNow: {Draft},
}

// who says which actors may ask for an action at all.
type who int

const (
	ownerOrReviewer who = iota // the post's own author, or editor+
	reviewerOnly               // editor+
	systemOnly                 // the scheduler
)

var whoMay = map[Action]who{
	Edit:            ownerOrReviewer,
	Submit:          ownerOrReviewer,
	Approve:         reviewerOnly,
	RequestChanges:  reviewerOnly,
	Schedule:        reviewerOnly,
	PublishNow:      reviewerOnly,
	Reschedule:      ownerOrReviewer,
	Unschedule:      reviewerOnly,
	Cancel:          ownerOrReviewer,
	Restore:         ownerOrReviewer,
	Retry:           reviewerOnly,
	StartPublishing: systemOnly,
	MarkPublished:   systemOnly,
	MarkPartial:     systemOnly,
	MarkFailed:      systemOnly,
}

// reviewerOnlyAt lists the statuses in which an ownerOrReviewer action needs
// editor+ after all.
var reviewerOnlyAt = map[Action][]Status{
	Cancel:     {Approved, Scheduled, Failed},
	Reschedule: {Scheduled},
}

// clearsApprovals lists the actions after which old approvals stop counting.
var clearsApprovals = map[Action]bool{Edit: true, RequestChanges: true, Restore: true}

// The users of the grid. The post is always written by writerID.
const (
	ownerID       int64 = 1
	adminID       int64 = 2
	editorID      int64 = 3
	writerID      int64 = 10
	otherAuthorID int64 = 11
	viewerID      int64 = 12
)

type writerCase struct {
	name string
	role Role
}

var writerCases = []writerCase{
	{"author-written", Author},
	{"editor-written", Editor},
}

type actorKind int

const (
	kindReviewer    actorKind = iota // owner, admin or editor who did not write the post
	kindWriter                       // the post's own author, with the writer's role
	kindOtherAuthor                  // an author who did not write the post
	kindViewer
	kindSystem
	kindClient // a client acting through a review link
)

type actorCase struct {
	name  string
	actor Actor
	kind  actorKind
}

func gridActors(w writerCase) []actorCase {
	return []actorCase{
		{"owner", Actor{UserID: ownerID, Role: Owner}, kindReviewer},
		{"admin", Actor{UserID: adminID, Role: Admin}, kindReviewer},
		{"editor", Actor{UserID: editorID, Role: Editor}, kindReviewer},
		{"own-" + string(w.role), Actor{UserID: writerID, Role: w.role}, kindWriter},
		{"other-author", Actor{UserID: otherAuthorID, Role: Author}, kindOtherAuthor},
		{"viewer", Actor{UserID: viewerID, Role: Viewer}, kindViewer},
		{"system", Actor{System: true}, kindSystem},
		{"client", Actor{ClientLink: 77}, kindClient},
	}
}

// policyCase spells out what each policy means for the grid's post (no
// approvals yet), instead of asking Policy.ReviewNeeded.
type policyCase struct {
	name                string
	pol                 Policy
	authorNeedsReview   bool // for a post written by an author
	editorNeedsReview   bool // for a post written by an editor
	oneApprovalApproves bool // does the first approval make the post approved
	selfApprove         bool // may the writer approve their own post
}

var policyCases = []policyCase{
	{"no-review", Policy{RequiredApprovals: 0}, false, false, true, false},
	{"one-approval", Policy{RequiredApprovals: 1}, true, true, true, false},
	{"two-approvals", Policy{RequiredApprovals: 2}, true, true, false, false},
	{"self-approve", Policy{RequiredApprovals: 1, AuthorsMaySelfApprove: true}, true, true, true, true},
	{"editors-skip", Policy{RequiredApprovals: 1, EditorsSkipReview: true}, true, false, true, false},
}

// outcome is what a grid cell expects: either err (a sentinel for
// errors.Is) or res.
type outcome struct {
	err error
	res Result
}

// expect computes a cell's outcome from the tables above, following the
// order of checks the package promises.
func expect(st Status, act Action, w writerCase, ac actorCase, pc policyCase) outcome {
	forbidden := outcome{err: ErrForbidden}
	if ac.kind == kindClient {
		// A client may approve a post in review (its approval counts only for client steps,
		// which these policies do not have, so the post stays in review) and send back a post
		// in review, approved or even scheduled. Nothing else.
		switch {
		case act == Approve && st == InReview:
			return outcome{res: Result{From: st, To: InReview, RecordApproval: true, AuditAction: "post.client_approved"}}
		case act == RequestChanges && (st == InReview || st == Approved || st == Scheduled):
			return outcome{res: Result{From: st, To: ChangesRequested, ClearApprovals: true, AuditAction: "post.client_changes_requested"}}
		case act == Approve || act == RequestChanges:
			return outcome{err: ErrInvalidTransition}
		}
		return forbidden
	}
	isSystem := ac.kind == kindSystem
	if isSystem != (whoMay[act] == systemOnly) {
		return forbidden
	}
	canReview := ac.kind == kindReviewer || (ac.kind == kindWriter && w.role == Editor)
	if !isSystem {
		if ac.kind == kindViewer || ac.kind == kindOtherAuthor {
			return forbidden
		}
		if whoMay[act] == reviewerOnly && !canReview {
			return forbidden
		}
	}

	needsReview := pc.authorNeedsReview
	if w.role == Editor {
		needsReview = pc.editorNeedsReview
	}
	m, ok := baseMoves[act][st]
	if !needsReview {
		if nm, found := noReviewMoves[act][st]; found {
			m, ok = nm, true
		}
	}
	blocked := needsReview && slices.Contains(needsReviewAt[act], st)
	if !ok && !blocked {
		return outcome{err: ErrInvalidTransition}
	}
	if !isSystem && !canReview && slices.Contains(reviewerOnlyAt[act], st) {
		return forbidden
	}
	if blocked {
		return outcome{err: ErrNeedsReview}
	}
	if act == Approve {
		if ac.kind == kindWriter && !pc.selfApprove {
			return outcome{err: ErrSelfApproval}
		}
		if !pc.oneApprovalApproves {
			m = move{InReview, "post.approval_added"}
		}
	}
	return outcome{res: Result{
		From:           st,
		To:             m.to,
		BumpRevision:   act == Edit,
		ClearApprovals: clearsApprovals[act],
		RecordApproval: act == Approve,
		AuditAction:    m.audit,
	}}
}

// sentinels are every error Apply may return; each failure must match
// exactly one of them.
var sentinels = []error{
	ErrForbidden, ErrInvalidTransition, ErrSelfApproval,
	ErrAlreadyApproved, ErrNeedsReview, ErrUnknownAction, ErrNotApprover,
}

func matchingSentinels(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

func TestApplyExhaustive(t *testing.T) {
	// The literal below is 10 statuses × 15 actions × 2 writers × 8 actors ×
	// 5 policies. The dimensions are asserted first so that the count means
	// what it says.
	const wantCells = 10 * 15 * 2 * 8 * 5
	if got := len(AllStatuses()); got != 10 {
		t.Fatalf("AllStatuses: %d statuses, the grid assumes 10", got)
	}
	if got := len(AllActions()); got != 15 {
		t.Fatalf("AllActions: %d actions, the grid assumes 15", got)
	}
	for _, act := range AllActions() {
		if _, ok := whoMay[act]; !ok {
			t.Fatalf("whoMay has no row for %q", act)
		}
	}

	cells := 0
	outcomes := map[string]int{}
	reached := map[string]bool{} // "action/from" pairs that succeeded at least once
	for _, st := range AllStatuses() {
		for _, act := range AllActions() {
			for _, w := range writerCases {
				for _, ac := range gridActors(w) {
					for _, pc := range policyCases {
						cells++
						name := fmt.Sprintf("%s/%s/%s/%s/%s", st, act, w.name, ac.name, pc.name)
						p := Post{
							Status:      st,
							AuthorID:    writerID,
							AuthorRole:  w.role,
							HasSchedule: st == Scheduled,
						}
						want := expect(st, act, w, ac, pc)
						got, err := Apply(p, ac.actor, act, pc.pol)
						checkCell(t, name, st, act, want, got, err)
						if want.err == nil {
							outcomes["ok"]++
							reached[string(act)+"/"+string(st)] = true
						} else {
							outcomes[want.err.Error()]++
						}
					}
				}
			}
		}
	}
	if cells != wantCells {
		t.Errorf("checked %d cells, want %d", cells, wantCells)
	}
	t.Logf("%d cells: %v", cells, outcomes)

	// Every row of the move tables must be exercised, or a typo in a status
	// there would silently test nothing.
	for _, table := range []map[Action]map[Status]move{baseMoves, noReviewMoves} {
		for act, froms := range table {
			for from := range froms {
				if !reached[string(act)+"/"+string(from)] {
					t.Errorf("no grid cell performed %s from %s", act, from)
				}
			}
		}
	}
	// The grid's posts have no approvals yet, its actions are all known and
	// its policies have one step that every editor may approve, so
	// ErrAlreadyApproved, ErrUnknownAction and ErrNotApprover are left to
	// TestApprove, TestCheckOrder and the tests of steps.
	for _, e := range sentinels {
		if e == ErrAlreadyApproved || e == ErrUnknownAction || e == ErrNotApprover {
			continue
		}
		if outcomes[e.Error()] == 0 {
			t.Errorf("no grid cell expected %v", e)
		}
	}
}

func checkCell(t *testing.T, name string, st Status, act Action, want outcome, got Result, err error) {
	t.Helper()
	if want.err == nil {
		if err != nil {
			t.Errorf("%s: got error %v, want %+v", name, err, want.res)
			return
		}
		if got != want.res {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want.res)
		}
		return
	}
	if err == nil {
		t.Errorf("%s: got %+v, want error %v", name, got, want.err)
		return
	}
	if m := matchingSentinels(err); len(m) != 1 || m[0] != want.err {
		t.Errorf("%s: got error %q (matches %v), want %v", name, err, m, want.err)
	}
	if got != (Result{}) {
		t.Errorf("%s: got non-zero result %+v with error", name, got)
	}
	if want.err == ErrInvalidTransition {
		var te *TransitionError
		if !errors.As(err, &te) || te.From != st || te.Action != act {
			t.Errorf("%s: got %#v, want *TransitionError{%s, %s}", name, err, st, act)
		}
	}
}
