package workflow

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The tests in this file do not know the transition table. They state what
// must hold for any post, actor, action and policy, including malformed ones
// the HTTP layer should never send, and check it over a large space of
// inputs, along random walks through a post's life, and under the fuzzer.

// reviewNeededForTest is the policy rule restated independently of
// Policy.ReviewNeeded, so that the properties do not trust the code they
// check.
func reviewNeededForTest(pol Policy, authorRole Role) bool {
	if pol.RequiredApprovals < 1 {
		return false
	}
	reviewer := authorRole == Owner || authorRole == Admin || authorRole == Editor
	return !(pol.EditorsSkipReview && reviewer)
}

// countableApprovers counts the distinct users in approvers whose approval
// the policy accepts for a post written by authorID.
func countableApprovers(approvers []int64, authorID int64, pol Policy) int {
	set := map[int64]bool{}
	for _, id := range approvers {
		if id != authorID || pol.AuthorsMaySelfApprove {
			set[id] = true
		}
	}
	return len(set)
}

// checkStep asserts every property of one call to Apply. It reports through
// t.Errorf and returns false on the first violation so callers can stop a
// walk early.
func checkStep(t testing.TB, p Post, a Actor, act Action, pol Policy, r Result, err error) bool {
	t.Helper()
	fail := func(format string, args ...any) bool {
		t.Helper()
		t.Errorf("post %+v, actor %+v, %q, policy %+v → %+v, %v: "+format,
			append([]any{p, a, act, pol, r, err}, args...)...)
		return false
	}

	if err != nil {
		if r != (Result{}) {
			return fail("an error came with a non-zero result")
		}
		if m := matchingSentinels(err); len(m) != 1 {
			return fail("the error matches %d sentinels, want exactly one", len(m))
		}
		return true
	}

	// Statuses stay valid and the result describes this post.
	if !p.Status.Valid() {
		return fail("an action succeeded from an invalid status")
	}
	if r.From != p.Status {
		return fail("From is not the post's status")
	}
	if !r.To.Valid() {
		return fail("the action led to an invalid status")
	}
	if !strings.HasPrefix(r.AuditAction, "post.") {
		return fail("audit action %q is not a post action", r.AuditAction)
	}

	// Only the scheduler publishes, and the scheduler does nothing else.
	if a.System != act.SystemOnly() {
		return fail("a system action was taken by a person, or a human action by the scheduler")
	}
	if !a.System {
		if !a.Role.Valid() || a.Role == Viewer {
			return fail("a viewer or an unknown role changed a post")
		}
		if a.Role == Author && a.UserID != p.AuthorID {
			return fail("an author changed someone else's post")
		}
	}
	if p.Status == Publishing && !(a.System && (act == MarkPublished || act == MarkPartial || act == MarkFailed)) {
		return fail("something other than the scheduler's Mark actions left publishing")
	}
	if r.To == Publishing && !(act == StartPublishing && p.Status == Scheduled) {
		return fail("entered publishing other than by the scheduler claiming a scheduled post")
	}

	// Published is never left; canceled is left only by Restore, to draft.
	if p.Status == Published {
		return fail("an action succeeded on a published post")
	}
	if p.Status == Canceled && (act != Restore || r.To != Draft) {
		return fail("left canceled other than by Restore to draft")
	}

	// Revisions and approvals.
	if act == Edit && !(r.BumpRevision && r.ClearApprovals) {
		return fail("an edit did not bump the revision and clear approvals")
	}
	if act != Edit && r.BumpRevision {
		return fail("only edits change content")
	}
	if act == Reschedule && (r.To != r.From || r.ClearApprovals) {
		return fail("a reschedule changed the status or dropped approvals")
	}
	if r.RecordApproval != (act == Approve) {
		return fail("RecordApproval on the wrong action")
	}
	if act == Approve {
		if a.UserID == p.AuthorID && !pol.AuthorsMaySelfApprove {
			return fail("a self-approval was accepted under a policy that forbids it")
		}
		if slices.Contains(p.ApprovedBy, a.UserID) {
			return fail("the same user approved the same revision twice")
		}
		if r.To == Approved {
			n := countableApprovers(append(slices.Clone(p.ApprovedBy), a.UserID), p.AuthorID, pol)
			if n < max(1, pol.RequiredApprovals) {
				return fail("approved with %d distinct approvers", n)
			}
		}
	}

	// Content nobody approved reaches approved or scheduled only when its
	// author needs no review. Content that was approved before may move
	// between the two (unschedule, schedule, publish now, retry).
	approvedZone := func(s Status) bool { return s == Approved || s == Scheduled }
	wasApproved := approvedZone(p.Status) || p.Status == Failed || p.Status == PartiallyPublished
	if approvedZone(r.To) && act != Approve && (!wasApproved || act == Edit) &&
		reviewNeededForTest(pol, p.AuthorRole) {
		return fail("unreviewed content reached %s", r.To)
	}
	return true
}

func TestPropertiesEveryInput(t *testing.T) {
	statuses := append(AllStatuses(), "", "archived")
	actions := append(AllActions(), "", "fly")
	authorRoles := append(AllRoles(), "")
	approvals := [][]int64{nil, {editorID}, {writerID}, {adminID, editorID}, {editorID, editorID}}
	actors := []Actor{
		{UserID: ownerID, Role: Owner},
		{UserID: adminID, Role: Admin},
		{UserID: editorID, Role: Editor},
		{UserID: writerID, Role: Author},
		{UserID: writerID, Role: Editor},
		{UserID: otherAuthorID, Role: Author},
		{UserID: viewerID, Role: Viewer},
		{UserID: writerID, Role: "superuser"},
		{System: true},
		{System: true, UserID: writerID, Role: Owner},
	}
	var policies []Policy
	for _, n := range []int{-1, 0, 1, 2, 3} {
		for _, self := range []bool{false, true} {
			for _, skip := range []bool{false, true} {
				policies = append(policies, Policy{RequiredApprovals: n, AuthorsMaySelfApprove: self, EditorsSkipReview: skip})
			}
		}
	}

	calls, successes, failures := 0, 0, 0
	for _, st := range statuses {
		for _, role := range authorRoles {
			for _, approvedBy := range approvals {
				p := Post{Status: st, AuthorID: writerID, AuthorRole: role, ApprovedBy: approvedBy, HasSchedule: st == Scheduled}
				for _, a := range actors {
					for _, act := range actions {
						for _, pol := range policies {
							r, err := Apply(p, a, act, pol)
							calls++
							if err == nil {
								successes++
							}
							if !checkStep(t, p, a, act, pol, r, err) {
								if failures++; failures == 20 {
									t.Fatal("stopping after 20 violations")
								}
							}
						}
					}
				}
			}
		}
	}
	const want = 12 * 6 * 5 * 10 * 17 * 20
	if calls != want {
		t.Errorf("made %d calls, want %d", calls, want)
	}
	if successes == 0 {
		t.Error("no call succeeded; the input space is wrong")
	}
	t.Logf("%d calls, %d succeeded", calls, successes)
}

// walkModel is what the database would hold for one post.
type walkModel struct {
	status    Status
	approvers map[int64]bool // approvals bound to the current revision
	revision  int
}

func (m *walkModel) approvedBy() []int64 {
	var ids []int64
	for id := range m.approvers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// TestPropertiesRandomWalk plays many random lives of a post, persisting each
// Result the way the store would, and checks invariants of the whole story
// rather than of a single step: above all, that whenever review is required,
// content that is scheduled or goes out was approved by enough distinct
// people at its current revision.
func TestPropertiesRandomWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	policies := []Policy{
		{RequiredApprovals: 0},
		{RequiredApprovals: 1},
		{RequiredApprovals: 2},
		{RequiredApprovals: 3},
		{RequiredApprovals: 1, AuthorsMaySelfApprove: true},
		{RequiredApprovals: 2, AuthorsMaySelfApprove: true},
		{RequiredApprovals: 1, EditorsSkipReview: true},
		{RequiredApprovals: 2, EditorsSkipReview: true, AuthorsMaySelfApprove: true},
	}
	const walks, steps = 150, 200
	visited := map[Status]bool{}
	sawTwoApprover := false
	for _, pol := range policies {
		for _, writerRole := range []Role{Author, Editor, Admin} {
			actors := []Actor{
				{UserID: ownerID, Role: Owner},
				{UserID: adminID, Role: Admin},
				{UserID: editorID, Role: Editor},
				{UserID: 4, Role: Editor},
				{UserID: writerID, Role: writerRole},
				{UserID: otherAuthorID, Role: Author},
				{UserID: viewerID, Role: Viewer},
				{System: true},
			}
			actions := AllActions()
			for range walks {
				m := walkModel{status: Draft, approvers: map[int64]bool{}, revision: 1}
				for range steps {
					a := actors[rng.IntN(len(actors))]
					act := actions[rng.IntN(len(actions))]
					p := Post{Status: m.status, AuthorID: writerID, AuthorRole: writerRole, ApprovedBy: m.approvedBy()}
					r, err := Apply(p, a, act, pol)
					if !checkStep(t, p, a, act, pol, r, err) {
						return
					}
					if err != nil {
						continue
					}
					// Persist the result as the store would.
					prev := m.revision
					m.status = r.To
					if r.BumpRevision {
						m.revision++
					}
					if r.ClearApprovals {
						m.approvers = map[int64]bool{}
					}
					if r.RecordApproval {
						m.approvers[a.UserID] = true
					}
					visited[m.status] = true

					if m.revision != prev && act != Edit {
						t.Fatalf("%s changed the revision", act)
					}
					if act == Approve && m.status == Approved && pol.RequiredApprovals >= 2 {
						sawTwoApprover = true
					}
					switch m.status {
					case Approved, Scheduled, Publishing, Published, PartiallyPublished, Failed:
						if !reviewNeededForTest(pol, writerRole) {
							break
						}
						n := countableApprovers(m.approvedBy(), writerID, pol)
						if n < max(1, pol.RequiredApprovals) {
							t.Fatalf("policy %+v, writer %s: post is %s with %d countable approvals %v after %s by %+v",
								pol, writerRole, m.status, n, m.approvedBy(), act, a)
						}
					}
				}
			}
		}
	}
	for _, st := range AllStatuses() {
		if !visited[st] {
			t.Errorf("no walk reached %s; the walk is too short to mean much", st)
		}
	}
	if !sawTwoApprover {
		t.Error("no walk approved a post under a two-approval policy")
	}
}

// TestTwoApprovalsNeedTwoPeople drives a single reviewer as hard as possible
// against a two-approval policy: every action they can take, in every order
// up to a depth, must never make the post approved.
func TestTwoApprovalsNeedTwoPeople(t *testing.T) {
	pol := Policy{RequiredApprovals: 2}
	reviewers := []Actor{{UserID: editorID, Role: Editor}, {UserID: writerID, Role: Editor}}
	type state struct {
		status    Status
		approvers string // sorted user ids, as a comparable key
	}
	// Depth-first search over everything the editor and the post's own
	// editor-author can do together. The author may not self-approve, so at
	// most one countable approval can ever exist.
	seen := map[state]bool{}
	var explore func(st Status, approvers []int64)
	explore = func(st Status, approvers []int64) {
		key := state{st, fmt.Sprint(approvers)}
		if seen[key] {
			return
		}
		seen[key] = true
		for _, a := range reviewers {
			for _, act := range AllActions() {
				p := Post{Status: st, AuthorID: writerID, AuthorRole: Editor, ApprovedBy: approvers}
				r, err := Apply(p, a, act, pol)
				if err != nil {
					continue
				}
				if r.To == Approved && act == Approve {
					t.Fatalf("approved by %v plus %d with a two-approval policy", approvers, a.UserID)
				}
				next := slices.Clone(approvers)
				if r.ClearApprovals {
					next = nil
				}
				if r.RecordApproval && !slices.Contains(next, a.UserID) {
					next = append(next, a.UserID)
					slices.Sort(next)
				}
				explore(r.To, next)
			}
		}
	}
	explore(Draft, nil)
	if len(seen) < 4 {
		t.Fatalf("explored only %d states", len(seen))
	}
}

// FuzzApply feeds Apply arbitrary posts, actors, actions and policies and
// checks the same properties. Run it with
// go test -fuzz FuzzApply ./server/workflow/.
func FuzzApply(f *testing.F) {
	f.Add("in_review", "approve", "editor", false, int64(3), int64(10), "author", []byte{3}, 2, false, false)
	f.Add("draft", "schedule", "editor", false, int64(10), int64(10), "editor", []byte{}, 1, false, true)
	f.Add("publishing", "mark_failed", "", true, int64(0), int64(10), "author", []byte{}, 1, false, false)
	f.Add("canceled", "restore", "author", false, int64(10), int64(10), "author", []byte{2, 3}, 0, true, false)
	f.Add("scheduled", "edit", "owner", false, int64(1), int64(10), "viewer", []byte{10}, 3, true, true)
	f.Fuzz(func(t *testing.T, status, action, role string, system bool, userID, authorID int64,
		authorRole string, approvers []byte, required int, self, skip bool) {
		var approvedBy []int64
		for _, b := range approvers {
			approvedBy = append(approvedBy, int64(b%16))
		}
		p := Post{Status: Status(status), AuthorID: authorID, AuthorRole: Role(authorRole), ApprovedBy: approvedBy}
		a := Actor{UserID: userID, Role: Role(role), System: system}
		pol := Policy{RequiredApprovals: required, AuthorsMaySelfApprove: self, EditorsSkipReview: skip}
		r, err := Apply(p, a, Action(action), pol)
		checkStep(t, p, a, Action(action), pol, r, err)
	})
}
