package workflow

import "slices"

// Action is something a person or the scheduler asks to do with a post. The
// values appear in the API and in logs, so they must never be renamed.
type Action string

// The actions. The comments say which statuses each one moves between;
// Apply has the full rules, including who may ask.
const (
	// Edit changes content (text, targets, media, labels...) and bumps the
	// revision, so approvals of the old revision stop counting.
	Edit Action = "edit"
	// Submit asks for review: draft | changes_requested → in_review, or
	// straight to approved when the workspace needs no review for this post.
	Submit Action = "submit"
	// Approve adds the actor's approval to the current revision.
	Approve Action = "approve"
	// RequestChanges sends an in-review or approved post back to its author.
	RequestChanges Action = "request_changes"
	// Schedule moves approved → scheduled. The caller checks that a time is
	// set, because the time arrives in the same request as the action.
	Schedule Action = "schedule"
	// PublishNow moves approved | scheduled → scheduled; the caller sets the
	// time to now so the scheduler picks the post up on its next pass.
	PublishNow Action = "publish_now"
	// Reschedule changes the planned time only. It does not touch content,
	// so it does not bump the revision or clear approvals.
	Reschedule Action = "reschedule"
	// Unschedule moves scheduled → approved.
	Unschedule Action = "unschedule"
	// Cancel withdraws a post that has not started publishing.
	Cancel Action = "cancel"
	// Restore brings a canceled post back as a draft, so no draft is ever lost.
	Restore Action = "restore"
	// Retry moves failed | partially_published → scheduled so the scheduler
	// re-attempts the targets that failed.
	Retry Action = "retry"
	// StartPublishing is the scheduler claiming a due post: scheduled → publishing.
	StartPublishing Action = "start_publishing"
	// MarkPublished is the scheduler recording that every target went out.
	MarkPublished Action = "mark_published"
	// MarkPartial is the scheduler recording that some targets failed.
	MarkPartial Action = "mark_partially_published"
	// MarkFailed is the scheduler recording that every target failed.
	MarkFailed Action = "mark_failed"
)

var allActions = []Action{
	Edit, Submit, Approve, RequestChanges, Schedule, PublishNow, Reschedule,
	Unschedule, Cancel, Restore, Retry,
	StartPublishing, MarkPublished, MarkPartial, MarkFailed,
}

// AllActions returns every action, the human ones first. It returns a fresh
// slice so callers may reorder it freely.
func AllActions() []Action { return slices.Clone(allActions) }

// Valid reports whether a is one of the known actions.
func (a Action) Valid() bool { return slices.Contains(allActions, a) }

// SystemOnly reports whether only the scheduler may perform a. The HTTP layer
// can use it to refuse these actions before loading anything.
func (a Action) SystemOnly() bool {
	switch a {
	case StartPublishing, MarkPublished, MarkPartial, MarkFailed:
		return true
	}
	return false
}

// reviewerOnly reports whether a needs an editor or above no matter who wrote
// the post, because it decides what the workspace publishes.
func (a Action) reviewerOnly() bool {
	switch a {
	case Approve, RequestChanges, Schedule, PublishNow, Unschedule, Retry:
		return true
	}
	return false
}

// verb is how a reads after "cannot" in an error message.
func (a Action) verb() string {
	switch a {
	case RequestChanges:
		return "request changes on"
	case PublishNow:
		return "immediately publish"
	case StartPublishing:
		return "start publishing"
	case MarkPublished:
		return "mark as published"
	case MarkPartial:
		return "mark as partially published"
	case MarkFailed:
		return "mark as failed"
	}
	return string(a)
}
