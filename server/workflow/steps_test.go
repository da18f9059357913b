package workflow

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// The users of the step tests, besides those of the grid: a second editor, and an author the
// policies name as the legal reviewer.
const (
	editor2ID int64 = 4
	legalID   int64 = 20
	clientA   int64 = 501
	clientB   int64 = 502
)

var (
	editorsStep = Step{Name: "Editors", Role: Editor}
	twoEditors  = Step{Name: "Two editors", Role: Editor, MinApprovals: 2}
	adminsStep  = Step{Name: "Admins", Role: Admin}
	legalStep   = Step{Name: "Legal", Members: []int64{legalID}}
	bothLegal   = Step{Name: "Legal and admin", Members: []int64{legalID, adminID}, Mode: AllOf}
	clientStep  = Step{Name: "Client", Client: true}
)

func TestStepValidate(t *testing.T) {
	for _, tc := range []struct {
		step Step
		want string // "" when valid
	}{
		{editorsStep, ""}, {twoEditors, ""}, {legalStep, ""}, {bothLegal, ""}, {clientStep, ""},
		{Step{Name: "Owners", Role: Owner, Mode: AnyOf}, ""},
		{Step{Name: " ", Role: Editor}, "needs a name"},
		{Step{Name: "x"}, "exactly one"},
		{Step{Name: "x", Role: Editor, Members: []int64{1}}, "exactly one"},
		{Step{Name: "x", Client: true, Members: []int64{1}}, "exactly one"},
		{Step{Name: "x", Role: Author}, "editors or above"},
		{Step{Name: "x", Role: "boss"}, "editors or above"},
		{Step{Name: "x", Role: Editor, Mode: "most"}, "mode"},
		{Step{Name: "x", Role: Editor, Mode: AllOf}, "named members"},
		{Step{Name: "x", Role: Editor, MinApprovals: 11}, "between 1 and 10"},
		{Step{Name: "x", Client: true, MinApprovals: 2}, "one client approval"},
		{Step{Name: "x", Members: []int64{1, 2}, MinApprovals: 3}, "names 2 members but needs 3"},
		{Step{Name: "x", Members: []int64{1, 1}}, "named twice"},
		{Step{Name: "x", Members: []int64{0}}, "not a user id"},
	} {
		err := tc.step.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.step, err)
		case tc.want != "" && (err == nil || !errors.Is(err, ErrInvalidStep) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: got %v, want an ErrInvalidStep saying %q", tc.step, err, tc.want)
		}
	}
	many := make([]Step, MaxSteps+1)
	for i := range many {
		many[i] = editorsStep
	}
	if err := (Policy{Steps: many}).Validate(); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("too many steps: %v", err)
	}
	if err := (Policy{LabelSteps: []Step{{Name: "x"}}}).Validate(); !errors.Is(err, ErrInvalidPolicy) || !errors.Is(err, ErrInvalidStep) {
		t.Errorf("an invalid label step: %v", err)
	}
}

func TestStepsFor(t *testing.T) {
	names := func(ss []Step) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		pol        Policy
		authorRole Role
		want       string
	}{
		{Policy{}, Author, ""},
		{Policy{RequiredApprovals: 2}, Author, "Review"},
		{Policy{RequiredApprovals: 2, EditorsSkipReview: true}, Editor, ""},
		{Policy{RequiredApprovals: 2, EditorsSkipReview: true}, Author, "Review"},
		{Policy{RequiredApprovals: 1, Steps: []Step{editorsStep, adminsStep}}, Author, "Editors,Admins"},
		{Policy{RequiredApprovals: 0, Steps: []Step{editorsStep}}, Author, "Editors"},
		{Policy{Steps: []Step{}}, Author, ""}, // an empty list (not nil) means: no workspace review
		{Policy{RequiredApprovals: 1, LabelSteps: []Step{legalStep}}, Author, "Review,Legal"},
		{Policy{RequiredApprovals: 1, EditorsSkipReview: true, LabelSteps: []Step{legalStep}}, Owner, "Legal"},
		{Policy{LabelSteps: []Step{clientStep}}, Viewer, "Client"},
	} {
		got := tc.pol.StepsFor(tc.authorRole)
		if names(got) != tc.want {
			t.Errorf("%+v for %s: %q, want %q", tc.pol, tc.authorRole, names(got), tc.want)
		}
		if tc.pol.ReviewNeeded(tc.authorRole) != (tc.want != "") {
			t.Errorf("%+v for %s: ReviewNeeded disagrees with StepsFor", tc.pol, tc.authorRole)
		}
	}
	if s := (Policy{RequiredApprovals: 3}).StepsFor(Author)[0]; s.Role != Editor || s.MinApprovals != 3 {
		t.Errorf("the legacy step: %+v", s)
	}
}

func users(ids ...int64) []Approver {
	out := make([]Approver, len(ids))
	for i, id := range ids {
		if id >= clientA {
			out[i] = Approver{ClientLinkID: id}
		} else {
			out[i] = Approver{UserID: id}
		}
	}
	return out
}

// testRoles are the members' roles as the store would load them.
var testRoles = map[int64]Role{ownerID: Owner, adminID: Admin, editorID: Editor, editor2ID: Editor, legalID: Author,
	writerID: Editor, otherAuthorID: Author, viewerID: Viewer}

func TestEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		steps     []Step
		approvals []Approver
		self      bool
		current   int
		counted   string
	}{
		{"nothing yet", []Step{editorsStep, legalStep}, nil, false, 0, "[] []"},
		{"first step done", []Step{editorsStep, legalStep}, users(editorID), false, 1, "[3] []"},
		{"legal before editors does not count", []Step{editorsStep, legalStep}, users(legalID, editorID), false, 1, "[3] []"},
		{"in order", []Step{editorsStep, legalStep}, users(editorID, legalID), false, 2, "[3] [20]"},
		{"two editors, one twice", []Step{twoEditors}, users(editorID, editorID), false, 0, "[3]"},
		{"two editors", []Step{twoEditors}, users(editorID, adminID), false, 1, "[3 2]"},
		{"the author does not count", []Step{editorsStep}, users(writerID), false, 0, "[]"},
		{"the author counts when allowed", []Step{editorsStep}, users(writerID), true, 1, "[10]"},
		{"one person, two steps", []Step{editorsStep, adminsStep}, users(adminID, adminID), false, 2, "[2] [2]"},
		{"all named members", []Step{bothLegal}, users(legalID), false, 0, "[20]"},
		{"all named members done", []Step{bothLegal}, users(legalID, editorID, adminID), false, 1, "[20 2]"},
		{"client first", []Step{clientStep, editorsStep}, users(clientA), false, 1, "[] []"},
		{"client approval counts whenever it came", []Step{editorsStep, clientStep, legalStep}, users(clientA, editorID, legalID), false, 3, "[3] [] [20]"},
		{"client step waits for the client", []Step{editorsStep, clientStep, legalStep}, users(editorID, legalID), false, 1, "[3] [] []"},
		{"clients count nowhere else", []Step{editorsStep}, users(clientA, clientB), false, 0, "[]"},
		{"extra approvals after the last step", []Step{editorsStep}, users(editorID, adminID), false, 1, "[3]"},
		{"an approval by someone who left stops counting", []Step{editorsStep}, users(99), false, 0, "[]"},
		{"an author's approval never counts for a role step", []Step{twoEditors}, users(editorID, legalID), false, 0, "[3]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Evaluate(tc.steps, tc.approvals, writerID, tc.self, testRoles)
			var counted []string
			for _, c := range p.Counted {
				counted = append(counted, fmt.Sprint(c))
			}
			if p.Current != tc.current || strings.Join(counted, " ") != strings.ReplaceAll(tc.counted, "[]", "[]") {
				t.Errorf("current %d, counted %s; want %d, %s", p.Current, strings.Join(counted, " "), tc.current, tc.counted)
			}
			for i, d := range p.Done {
				if d != (i < p.Current) {
					t.Errorf("step %d done=%v with current %d", i, d, p.Current)
				}
			}
		})
	}
}

func TestApproveWithSteps(t *testing.T) {
	legal := Actor{UserID: legalID, Role: Author}
	editor2 := Actor{UserID: editor2ID, Role: Editor}
	client := Actor{ClientLink: clientA}
	partnership := Policy{RequiredApprovals: 1, LabelSteps: []Step{legalStep}}
	withClient := Policy{Steps: []Step{editorsStep, clientStep}}
	clientFirst := Policy{Steps: []Step{clientStep}, LabelSteps: []Step{legalStep}}
	for _, tc := range []struct {
		name      string
		pol       Policy
		approvals []Approver
		actor     Actor
		wantTo    Status
		wantAudit string
		wantErr   error
	}{
		{"editor completes the workspace step, legal still to come", partnership, nil, editor, InReview, AuditApprovalAdded, nil},
		{"legal cannot go first", partnership, nil, legal, "", "", ErrNotApprover},
		{"legal completes the last step", partnership, users(editorID), legal, Approved, AuditApproved, nil},
		{"an editor is not legal", partnership, users(editorID), editor2, "", "", ErrNotApprover},
		{"the same editor again is not legal either", partnership, users(editorID), editor, "", "", ErrNotApprover},
		{"legal cannot approve twice", Policy{Steps: []Step{legalStep, {Name: "Legal again", Members: []int64{legalID, adminID}, MinApprovals: 2}}}, users(legalID, legalID), legal, "", "", ErrAlreadyApproved},
		{"a person may sign two steps", Policy{Steps: []Step{editorsStep, adminsStep}}, users(adminID), admin, Approved, AuditApproved, nil},
		{"two editors: the first", Policy{Steps: []Step{twoEditors}}, nil, editor, InReview, AuditApprovalAdded, nil},
		{"two editors: the same one again", Policy{Steps: []Step{twoEditors}}, users(editorID), editor, "", "", ErrAlreadyApproved},
		{"two editors: the second", Policy{Steps: []Step{twoEditors}}, users(editorID), editor2, Approved, AuditApproved, nil},
		{"admins only", Policy{Steps: []Step{adminsStep}}, nil, editor, "", "", ErrNotApprover},
		{"all named: the first of two", Policy{Steps: []Step{bothLegal}}, nil, legal, InReview, AuditApprovalAdded, nil},
		{"all named: both", Policy{Steps: []Step{bothLegal}}, users(legalID), admin, Approved, AuditApproved, nil},
		{"all named: someone else", Policy{Steps: []Step{bothLegal}}, users(legalID), owner, "", "", ErrNotApprover},
		{"an editor cannot stand in for the client", withClient, users(editorID), admin, "", "", ErrNotApprover},
		{"the client completes the approval", withClient, users(editorID), client, Approved, AuditApproved, nil},
		{"the client approves early", withClient, nil, client, InReview, AuditClientApproved, nil},
		{"then the editor completes it", withClient, users(clientA), editor, Approved, AuditApproved, nil},
		{"a client link approves once", withClient, users(clientA), client, "", "", ErrAlreadyApproved},
		{"a second client link may approve too", withClient, users(clientA), Actor{ClientLink: clientB}, InReview, AuditClientApproved, nil},
		{"client then legal", clientFirst, users(clientA), legal, Approved, AuditApproved, nil},
		{"client approval on a legacy policy is recorded", DefaultPolicy(), nil, client, InReview, AuditClientApproved, nil},
		{"legal may not approve a post whose policy does not name them", DefaultPolicy(), nil, legal, "", "", ErrForbidden},
		{"a named author may not approve their own post", Policy{Steps: []Step{{Name: "Self", Members: []int64{writerID}}}}, nil, ownAuthor, "", "", ErrSelfApproval},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Post{Status: InReview, AuthorID: writerID, AuthorRole: Author, Approvals: tc.approvals, Roles: testRoles}
			got, err := Apply(p, tc.actor, Approve, tc.pol)
			if tc.wantErr != nil {
				if m := matchingSentinels(err); len(m) != 1 || m[0] != tc.wantErr {
					t.Fatalf("got %+v, %v; want error %v", got, err, tc.wantErr)
				}
				return
			}
			want := Result{From: InReview, To: tc.wantTo, RecordApproval: true, AuditAction: tc.wantAudit}
			if err != nil || got != want {
				t.Fatalf("got %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

func TestNamedApproverMayRequestChanges(t *testing.T) {
	legal := Actor{UserID: legalID, Role: Author}
	pol := Policy{RequiredApprovals: 1, LabelSteps: []Step{legalStep}}
	p := Post{Status: InReview, AuthorID: writerID, AuthorRole: Author}
	r, err := Apply(p, legal, RequestChanges, pol)
	if err != nil || r.To != ChangesRequested || r.AuditAction != AuditChangesRequested {
		t.Fatalf("%+v, %v", r, err)
	}
	// Named in another post's policy is not enough; and a named author may do nothing else.
	if _, err := Apply(p, legal, RequestChanges, DefaultPolicy()); !errors.Is(err, ErrForbidden) {
		t.Errorf("without the label step: %v", err)
	}
	for _, act := range []Action{Schedule, PublishNow, Unschedule, Retry, Edit, Cancel} {
		if _, err := Apply(Post{Status: Approved, AuthorID: writerID, AuthorRole: Author}, legal, act, pol); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s by a named approver: %v, want forbidden", act, err)
		}
	}
	// A viewer named in a step is still a viewer.
	v := Actor{UserID: legalID, Role: Viewer}
	if _, err := Apply(p, v, Approve, pol); !errors.Is(err, ErrForbidden) {
		t.Errorf("a named viewer approved: %v", err)
	}
}

func TestClientActor(t *testing.T) {
	for _, a := range []Actor{{ClientLink: 1, System: true}, {ClientLink: 1, UserID: writerID, Role: Owner}} {
		if _, err := Apply(Post{Status: InReview}, a, Approve, DefaultPolicy()); !errors.Is(err, ErrForbidden) {
			t.Errorf("%+v: %v", a, err)
		}
	}
	c := Actor{ClientLink: 9}
	r, err := Apply(Post{Status: Scheduled, AuthorID: writerID, AuthorRole: Author}, c, RequestChanges, DefaultPolicy())
	if err != nil || r.To != ChangesRequested || !r.ClearApprovals || r.AuditAction != AuditClientChangesRequested {
		t.Fatalf("client request changes on a scheduled post: %+v, %v", r, err)
	}
	if _, err := Apply(Post{Status: Scheduled, AuthorID: writerID, AuthorRole: Author}, editor, RequestChanges, DefaultPolicy()); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("an editor unschedules first: %v", err)
	}
}

// TestApprovalSequences walks every sequence of up to four approval attempts, by a pool of
// members and client links, under every policy below, feeding each recorded approval into the
// next call as the store does. It checks what must hold whatever the order:
//
//   - a post is approved only when, going through the steps in order, each step has enough
//     distinct approvers among the recorded approvals given after the previous step completed
//     (client steps: any client approval);
//   - a member's approval is recorded only when they are an approver of the step the post was
//     waiting for, never twice for one step, and never for the author unless allowed;
//   - every refusal is exactly one of the package's errors;
//   - once approved, the post stays approved for the rest of the sequence (no further approve).
func TestApprovalSequences(t *testing.T) {
	pool := []Actor{
		{UserID: editorID, Role: Editor}, {UserID: editor2ID, Role: Editor}, {UserID: adminID, Role: Admin},
		{UserID: legalID, Role: Author}, {UserID: writerID, Role: Editor}, {UserID: viewerID, Role: Viewer},
		{ClientLink: clientA}, {ClientLink: clientB},
	}
	policies := []Policy{
		DefaultPolicy(),
		{RequiredApprovals: 2},
		{RequiredApprovals: 2, AuthorsMaySelfApprove: true},
		{Steps: []Step{editorsStep, legalStep}},
		{Steps: []Step{twoEditors, adminsStep}},
		{Steps: []Step{bothLegal}},
		{Steps: []Step{editorsStep, clientStep}},
		{Steps: []Step{clientStep}, LabelSteps: []Step{legalStep}},
		{RequiredApprovals: 1, LabelSteps: []Step{clientStep, bothLegal}},
		{RequiredApprovals: 1, EditorsSkipReview: true, LabelSteps: []Step{legalStep}},
	}
	sequences := 0
	var walk func(pol Policy, seq []int)
	walk = func(pol Policy, seq []int) {
		sequences++
		p := Post{Status: InReview, AuthorID: writerID, AuthorRole: Editor, Approvals: []Approver{}, Roles: testRoles}
		steps := pol.approvalSteps(p.AuthorRole)
		for i, ai := range seq {
			a := pool[ai]
			before := Evaluate(steps, p.Approvals, p.AuthorID, pol.AuthorsMaySelfApprove, p.Roles)
			r, err := Apply(p, a, Approve, pol)
			where := fmt.Sprintf("policy %+v, sequence %v, step %d (%+v)", pol, seq, i, a)
			if p.Status == Approved {
				if err == nil {
					t.Fatalf("%s: approved an approved post", where)
				}
				continue
			}
			if err != nil {
				if m := matchingSentinels(err); len(m) != 1 {
					t.Fatalf("%s: error %v matches %d sentinels", where, err, len(m))
				}
				continue
			}
			if !r.RecordApproval {
				t.Fatalf("%s: approve did not record", where)
			}
			if a.ClientLink == 0 {
				if before.Complete() {
					t.Fatalf("%s: a member approved a post whose steps were all done", where)
				}
				cur := steps[before.Current]
				if !cur.admits(a.UserID, a.Role) || slices.Contains(before.Counted[before.Current], a.UserID) {
					t.Fatalf("%s: recorded an approval step %d (%s) does not take", where, before.Current, cur.Name)
				}
				if a.UserID == p.AuthorID && !pol.AuthorsMaySelfApprove {
					t.Fatalf("%s: recorded a self-approval", where)
				}
				p.Approvals = append(p.Approvals, Approver{UserID: a.UserID})
			} else {
				p.Approvals = append(p.Approvals, Approver{ClientLinkID: a.ClientLink})
			}
			p.Status = r.To
			if r.To == Approved && !satisfied(steps, p.Approvals, p.AuthorID, pol.AuthorsMaySelfApprove) {
				t.Fatalf("%s: approved with %+v", where, p.Approvals)
			}
			if r.To != Approved && satisfied(steps, p.Approvals, p.AuthorID, pol.AuthorsMaySelfApprove) {
				t.Fatalf("%s: every step is satisfied by %+v but the post is still in review", where, p.Approvals)
			}
		}
		if len(seq) == 4 {
			return
		}
		for i := range pool {
			walk(pol, append(slices.Clone(seq), i))
		}
	}
	for _, pol := range policies {
		walk(pol, nil)
	}
	want := 0
	for n, k := 1, 0; k <= 4; k++ {
		want += n
		n *= len(pool)
	}
	if sequences != want*len(policies) {
		t.Fatalf("walked %d sequences, want %d", sequences, want*len(policies))
	}
}

// satisfied restates what approval means, without Evaluate: going through the steps in order,
// step k is satisfied by the member approvals recorded after step k-1 was satisfied (each
// approval is used by the first step it can serve), or by any client approval for a client step.
func satisfied(steps []Step, approvals []Approver, authorID int64, self bool) bool {
	client := slices.ContainsFunc(approvals, func(a Approver) bool { return a.ClientLinkID != 0 })
	pos := 0
	for _, s := range steps {
		if s.Client {
			if !client {
				return false
			}
			continue
		}
		need := max(1, s.MinApprovals)
		if s.Mode == AllOf {
			need = len(s.Members)
		}
		got := map[int64]bool{}
		for pos < len(approvals) && len(got) < need {
			a := approvals[pos]
			pos++
			if a.ClientLinkID != 0 || a.UserID == authorID && !self {
				continue
			}
			if len(s.Members) > 0 && !slices.Contains(s.Members, a.UserID) {
				continue
			}
			got[a.UserID] = true
		}
		if len(got) < need {
			return false
		}
	}
	return true
}

func TestDeadlinesExhaustive(t *testing.T) {
	planned := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	d := Deadlines{Lead: 2 * time.Hour, RemindBefore: 24 * time.Hour}
	deadline := planned.Add(-2 * time.Hour)
	times := map[string]time.Time{
		"long before":         deadline.Add(-48 * time.Hour),
		"at the reminder":     deadline.Add(-24 * time.Hour),
		"just before":         deadline.Add(-time.Second),
		"at the deadline":     deadline,
		"after the deadline":  deadline.Add(time.Hour),
		"after the plan time": planned.Add(time.Hour),
	}
	cells := 0
	for _, st := range AllStatuses() {
		for tn, now := range times {
			for _, need := range []bool{false, true} {
				for _, reminded := range []bool{false, true} {
					for _, told := range []bool{false, true} {
						cells++
						got := d.Due(st, planned, now, need, reminded, told)
						want := NoDeadlineAction
						open := st == Draft || st == InReview || st == ChangesRequested
						past := !now.Before(deadline)
						switch {
						case !need || !open:
						case past && !told:
							want = DeadlineMissed
						case !past && st == InReview && !reminded && tn != "long before":
							want = RemindApprovers
						}
						if got != want {
							t.Errorf("%s, %s, review needed %v, reminded %v, told %v: %v, want %v", st, tn, need, reminded, told, got, want)
						}
					}
				}
			}
		}
	}
	if cells != 10*6*2*2*2 {
		t.Fatalf("%d cells", cells)
	}
	if got := (Deadlines{}).Due(InReview, planned, planned.Add(-time.Minute), true, false, false); got != NoDeadlineAction {
		t.Errorf("no reminder without RemindBefore: %v", got)
	}
	if got := (Deadlines{}).Due(InReview, planned, planned, true, false, false); got != DeadlineMissed {
		t.Errorf("with no lead the deadline is the planned time: %v", got)
	}
	if got := d.Due(InReview, time.Time{}, planned, true, false, false); got != NoDeadlineAction {
		t.Errorf("a post with no planned time has no deadline: %v", got)
	}
}

func TestClashes(t *testing.T) {
	at := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	same := func(a, b string) float64 {
		if a == b {
			return 1
		}
		return 0.2
	}
	c := SubmitChecks{DuplicateWindow: 7 * 24 * time.Hour, Similarity: 0.9, ConflictWindow: 30 * time.Minute}
	mine := []Planned{{PostID: 1, ChannelID: 10, At: at, Text: "Hello"}, {PostID: 1, ChannelID: 11, At: at, Text: "Bonjour"}}
	others := []Planned{
		{PostID: 2, ChannelID: 10, At: at.Add(-3 * 24 * time.Hour), Text: "Hello"},           // duplicate
		{PostID: 3, ChannelID: 10, At: at.Add(10 * time.Minute), Text: "Other"},              // conflict
		{PostID: 4, ChannelID: 10, At: at.Add(20 * time.Minute), Text: "Hello"},              // both
		{PostID: 5, ChannelID: 12, At: at, Text: "Hello"},                                    // another channel
		{PostID: 6, ChannelID: 10, At: at.Add(8 * 24 * time.Hour), Text: "Hello"},            // too far
		{PostID: 1, ChannelID: 10, At: at, Text: "Hello"},                                    // itself
		{PostID: 7, ChannelID: 11, At: at.Add(30 * time.Minute), Text: "Hi"},                 // exactly the window: no conflict
		{PostID: 8, ChannelID: 11, At: time.Time{}, Text: "Bonjour"},                         // unplanned
		{PostID: 2, ChannelID: 10, At: at.Add(-3*24*time.Hour + time.Second), Text: "Hello"}, // reported once
	}
	var got []string
	for _, cl := range c.Clashes(mine, others, same) {
		got = append(got, fmt.Sprintf("%s:%d@%d", cl.Kind, cl.PostID, cl.ChannelID))
	}
	want := "duplicate:2@10,conflict:3@10,conflict:4@10,duplicate:4@10"
	if strings.Join(got, ",") != want {
		t.Errorf("clashes %v, want %s", got, want)
	}
	if n := len((SubmitChecks{}).Clashes(mine, others, same)); n != 0 {
		t.Errorf("zero windows check nothing, got %d", n)
	}
}
