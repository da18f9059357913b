package workflow

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

// These tests pin the vocabulary of the package: the stored values of
// statuses, roles and actions, and the predicates on them. The stored values
// are literal strings here because renaming one would orphan database rows.

func TestStatuses(t *testing.T) {
	tests := []struct {
		s                      Status
		want                   string
		valid, editable, final bool
	}{
		{Draft, "draft", true, true, false},
		{InReview, "in_review", true, true, false},
		{ChangesRequested, "changes_requested", true, true, false},
		{Approved, "approved", true, true, false},
		{Scheduled, "scheduled", true, true, false},
		{Publishing, "publishing", true, false, false},
		{Published, "published", true, false, true},
		{PartiallyPublished, "partially_published", true, false, false},
		{Failed, "failed", true, true, false},
		{Canceled, "canceled", true, false, true},
		{"", "", false, false, false},
		{"Draft", "Draft", false, false, false},
		{"archived", "archived", false, false, false},
	}
	var known []Status
	for _, tt := range tests {
		if string(tt.s) != tt.want {
			t.Errorf("%q: stored value %q", tt.want, string(tt.s))
		}
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v", tt.s, got)
		}
		if got := tt.s.Editable(); got != tt.editable {
			t.Errorf("%q.Editable() = %v", tt.s, got)
		}
		if got := tt.s.Final(); got != tt.final {
			t.Errorf("%q.Final() = %v", tt.s, got)
		}
		if tt.valid {
			known = append(known, tt.s)
		}
		// posts.status is VARCHAR(24).
		if len(tt.s) > 24 {
			t.Errorf("%q does not fit posts.status", tt.s)
		}
	}
	if got := AllStatuses(); !slices.Equal(got, known) {
		t.Errorf("AllStatuses() = %v, want %v", got, known)
	}
}

func TestAllFunctionsReturnCopies(t *testing.T) {
	s := AllStatuses()
	s[0] = "mangled"
	r := AllRoles()
	r[0] = "mangled"
	a := AllActions()
	a[0] = "mangled"
	if AllStatuses()[0] != Draft || AllRoles()[0] != Owner || AllActions()[0] != Edit {
		t.Fatal("changing a returned slice changed the package's list")
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		a          Action
		want       string
		systemOnly bool
	}{
		{Edit, "edit", false},
		{Submit, "submit", false},
		{Approve, "approve", false},
		{RequestChanges, "request_changes", false},
		{Schedule, "schedule", false},
		{PublishNow, "publish_now", false},
		{Reschedule, "reschedule", false},
		{Unschedule, "unschedule", false},
		{Cancel, "cancel", false},
		{Restore, "restore", false},
		{Retry, "retry", false},
		{StartPublishing, "start_publishing", true},
		{MarkPublished, "mark_published", true},
		{MarkPartial, "mark_partially_published", true},
		{MarkFailed, "mark_failed", true},
	}
	var want []Action
	for _, tt := range tests {
		if string(tt.a) != tt.want {
			t.Errorf("%q: value %q", tt.want, string(tt.a))
		}
		if !tt.a.Valid() {
			t.Errorf("%q is not Valid", tt.a)
		}
		if tt.a.SystemOnly() != tt.systemOnly {
			t.Errorf("%q.SystemOnly() = %v", tt.a, tt.a.SystemOnly())
		}
		want = append(want, tt.a)
	}
	if got := AllActions(); !slices.Equal(got, want) {
		t.Errorf("AllActions() = %v, want %v", got, want)
	}
	for _, bad := range []Action{"", "Edit", "publish", "delete"} {
		if bad.Valid() || bad.SystemOnly() {
			t.Errorf("%q counts as an action", bad)
		}
	}
}

func TestRoleAtLeast(t *testing.T) {
	// Each row lists exactly the roles that role is at least.
	atLeast := map[Role][]Role{
		Owner:  {Owner, Admin, Editor, Author, Viewer},
		Admin:  {Admin, Editor, Author, Viewer},
		Editor: {Editor, Author, Viewer},
		Author: {Author, Viewer},
		Viewer: {Viewer},
	}
	unknown := []Role{"", "Owner", "superuser"}
	checked := 0
	for _, r := range append(AllRoles(), unknown...) {
		for _, floor := range append(AllRoles(), unknown...) {
			want := slices.Contains(atLeast[r], floor)
			if got := r.AtLeast(floor); got != want {
				t.Errorf("%q.AtLeast(%q) = %v, want %v", r, floor, got, want)
			}
			checked++
		}
	}
	if checked != 8*8 {
		t.Errorf("checked %d pairs, want 64", checked)
	}
}

func TestRoleCapabilities(t *testing.T) {
	type caps struct{ members, channels, settings, write, review, comment bool }
	tests := []struct {
		r    Role
		want caps
	}{
		{Owner, caps{true, true, true, true, true, true}},
		{Admin, caps{true, true, true, true, true, true}},
		{Editor, caps{false, false, false, true, true, true}},
		{Author, caps{false, false, false, true, false, true}},
		{Viewer, caps{false, false, false, false, false, true}},
		{"", caps{}},
		{"root", caps{}},
	}
	for _, tt := range tests {
		got := caps{
			tt.r.CanManageMembers(), tt.r.CanManageChannels(), tt.r.CanManageSettings(),
			tt.r.CanWritePosts(), tt.r.CanReview(), tt.r.CanComment(),
		}
		if got != tt.want {
			t.Errorf("%q: got %+v, want %+v", tt.r, got, tt.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, s := range []string{"owner", "admin", "editor", "author", "viewer"} {
		r, err := ParseRole(s)
		if err != nil || string(r) != s || !r.Valid() {
			t.Errorf("ParseRole(%q) = %q, %v", s, r, err)
		}
		// memberships.role is VARCHAR(16).
		if len(s) > 16 {
			t.Errorf("%q does not fit memberships.role", s)
		}
	}
	if got := AllRoles(); !slices.Equal(got, []Role{Owner, Admin, Editor, Author, Viewer}) {
		t.Errorf("AllRoles() = %v", got)
	}
	for _, s := range []string{"", "Owner", "ADMIN", " editor", "author ", "guest", "system"} {
		r, err := ParseRole(s)
		if !errors.Is(err, ErrUnknownRole) || r != "" {
			t.Errorf("ParseRole(%q) = %q, %v; want ErrUnknownRole", s, r, err)
		}
	}
	_, err := ParseRole("guest")
	if want := `unknown role "guest": want one of owner, admin, editor, author, viewer`; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func FuzzParseRole(f *testing.F) {
	for _, s := range []string{"owner", "viewer", "", "Owner", "owner\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRole(s)
		if (err == nil) != slices.Contains(AllRoles(), Role(s)) {
			t.Fatalf("ParseRole(%q) = %q, %v", s, r, err)
		}
		if err == nil && string(r) != s {
			t.Fatalf("ParseRole(%q) = %q", s, r)
		}
	})
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		n  int
		ok bool
	}{
		{-100, false}, {-1, false}, {0, true}, {1, true}, {2, true}, {10, true}, {11, false}, {1000, false},
	}
	for _, tt := range tests {
		for _, self := range []bool{false, true} {
			for _, skip := range []bool{false, true} {
				err := Policy{RequiredApprovals: tt.n, AuthorsMaySelfApprove: self, EditorsSkipReview: skip}.Validate()
				if (err == nil) != tt.ok {
					t.Errorf("RequiredApprovals %d: Validate() = %v", tt.n, err)
				}
				if err != nil && !errors.Is(err, ErrInvalidPolicy) {
					t.Errorf("RequiredApprovals %d: %v is not ErrInvalidPolicy", tt.n, err)
				}
			}
		}
	}
	err := Policy{RequiredApprovals: 11}.Validate()
	if want := "invalid approval policy: required approvals must be between 0 and 10, not 11"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if err := DefaultPolicy().Validate(); err != nil || !reflect.DeepEqual(DefaultPolicy(), Policy{RequiredApprovals: 1}) {
		t.Errorf("DefaultPolicy() = %+v, %v", DefaultPolicy(), err)
	}
}

func TestPolicyReviewNeeded(t *testing.T) {
	// Columns: owner, admin, editor, author, viewer, unknown role.
	tests := []struct {
		pol  Policy
		want [6]bool
	}{
		{Policy{RequiredApprovals: 0}, [6]bool{false, false, false, false, false, false}},
		{Policy{RequiredApprovals: -1}, [6]bool{false, false, false, false, false, false}},
		{Policy{RequiredApprovals: 0, EditorsSkipReview: true}, [6]bool{false, false, false, false, false, false}},
		{Policy{RequiredApprovals: 1}, [6]bool{true, true, true, true, true, true}},
		{Policy{RequiredApprovals: 2, AuthorsMaySelfApprove: true}, [6]bool{true, true, true, true, true, true}},
		{Policy{RequiredApprovals: 1, EditorsSkipReview: true}, [6]bool{false, false, false, true, true, true}},
		{Policy{RequiredApprovals: 10, EditorsSkipReview: true}, [6]bool{false, false, false, true, true, true}},
	}
	roles := []Role{Owner, Admin, Editor, Author, Viewer, "ghost"}
	for _, tt := range tests {
		for i, r := range roles {
			if got := tt.pol.ReviewNeeded(r); got != tt.want[i] {
				t.Errorf("%+v.ReviewNeeded(%q) = %v, want %v", tt.pol, r, got, tt.want[i])
			}
		}
	}
}
