package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"

	"github.com/heraldhq/herald/server/workflow"
)

// ErrNotFound means the row does not exist in the caller's workspace. The API answers 404 whether
// the row is missing or belongs to another workspace, so its existence is never revealed.
var ErrNotFound = errors.New("not found")

// ErrDuplicate means a unique constraint refused the write (e.g. an email already registered).
var ErrDuplicate = errors.New("already exists")

// ErrInUse means the row is referenced and cannot be removed (e.g. a channel with posts).
var ErrInUse = errors.New("in use")

// ErrLastOwner means the change would leave a workspace without an owner.
var ErrLastOwner = errors.New("a workspace needs at least one owner")

// ConflictError reports a stale write: the caller edited revision Given but the post is now at
// Current. The API answers 409 with the current revision so the client can reload and merge.
type ConflictError struct {
	Given, Current int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the post was changed by someone else (you edited revision %d, it is now at %d)", e.Given, e.Current)
}

// ValidationError carries field-level messages about input the database layer checked (for
// example a channel id that is not in the workspace). Keys are JSON paths such as "targets[0].channel_id".
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func invalid(field, msg string) error {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// translate maps driver and GORM errors to the store's typed errors; anything else is returned
// wrapped, for the server to log and answer with a generic 500.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return ErrDuplicate
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return ErrInUse
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	var nf *ValidationError
	var ce *ConflictError
	if errors.As(err, &nf) || errors.As(err, &ce) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrDuplicate) || errors.Is(err, ErrInUse) || errors.Is(err, ErrLastOwner) || errors.Is(err, ErrInvitationInvalid) {
		return err
	}
	// The workflow's verdicts (forbidden, invalid transition, needs review…) are domain errors
	// returned from inside a transaction, not database failures: their text is shown to the user.
	var te *workflow.TransitionError
	if errors.As(err, &te) || errors.Is(err, workflow.ErrForbidden) || errors.Is(err, workflow.ErrSelfApproval) ||
		errors.Is(err, workflow.ErrAlreadyApproved) || errors.Is(err, workflow.ErrNeedsReview) || errors.Is(err, workflow.ErrUnknownAction) ||
		errors.Is(err, workflow.ErrNotApprover) {
		return err
	}
	return fmt.Errorf("database: %w", scrub(err))
}
