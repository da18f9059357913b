package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// APIError is the one error shape of every non-2xx response:
//
//	{"error":{"code":"validation_failed","message":"…","fields":{"text":"…"},"request_id":"…"}}
type APIError struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Details carries machine-readable extras, e.g. current_revision on a revision conflict.
	Details   map[string]any `json:"details,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	// retryAfter, when set, becomes a Retry-After header (seconds).
	retryAfter int
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func apiErr(status int, code, msg string) *APIError {
	return &APIError{Status: status, Code: code, Message: msg}
}

func fieldErr(fields map[string]string) *APIError {
	return &APIError{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
		Message: "Some fields need attention.", Fields: fields}
}

var (
	errNotFound     = apiErr(http.StatusNotFound, "not_found", "Not found.")
	errUnauthorized = apiErr(http.StatusUnauthorized, "unauthenticated", "Sign in to continue.")
)

func forbidden(msg string) *APIError { return apiErr(http.StatusForbidden, "forbidden", msg) }

// toAPIError maps domain errors to status and code in one place. Anything unrecognised is a 500
// whose message says nothing about the cause: the cause is logged with the request id.
func toAPIError(err error) *APIError {
	var ae *APIError
	var ve *store.ValidationError
	var ce *store.ConflictError
	var te *workflow.TransitionError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ve):
		return fieldErr(ve.Fields)
	case errors.As(err, &ce):
		return &APIError{Status: http.StatusConflict, Code: "revision_conflict", Message: ce.Error(),
			Details: map[string]any{"current_revision": ce.Current}}
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, store.ErrDuplicate):
		return apiErr(http.StatusConflict, "already_exists", "That already exists.")
	case errors.Is(err, store.ErrInUse):
		return apiErr(http.StatusConflict, "in_use", "It is still in use, so it cannot be removed.")
	case errors.Is(err, store.ErrLastOwner):
		return apiErr(http.StatusConflict, "last_owner", store.ErrLastOwner.Error()+".")
	case errors.Is(err, store.ErrInvitationInvalid):
		return apiErr(http.StatusBadRequest, "invitation_invalid", "This invitation is invalid or has expired.")
	case errors.Is(err, workflow.ErrForbidden):
		return forbidden(capitalize(err.Error()))
	case errors.As(err, &te):
		return &APIError{Status: http.StatusConflict, Code: "invalid_transition", Message: capitalize(te.Error()) + ".",
			Details: map[string]any{"status": string(te.From), "action": string(te.Action)}}
	case errors.Is(err, workflow.ErrSelfApproval):
		return apiErr(http.StatusConflict, "self_approval", capitalize(err.Error())+".")
	case errors.Is(err, workflow.ErrAlreadyApproved):
		return apiErr(http.StatusConflict, "already_approved", capitalize(err.Error())+".")
	case errors.Is(err, workflow.ErrUnknownAction):
		return apiErr(http.StatusBadRequest, "unknown_action", capitalize(err.Error())+".")
	case errors.Is(err, workflow.ErrNotApprover):
		return apiErr(http.StatusForbidden, "not_an_approver", capitalize(err.Error())+".")
	case errors.Is(err, workflow.ErrNeedsReview):
		return apiErr(http.StatusConflict, "needs_review", capitalize(err.Error())+".")
	case errors.Is(err, context.Canceled):
		return apiErr(499, "canceled", "The request was canceled.")
	case errors.Is(err, context.DeadlineExceeded):
		return apiErr(http.StatusServiceUnavailable, "timeout", "The server took too long; please try again.")
	}
	return apiErr(http.StatusInternalServerError, "internal", "Something went wrong on our side. Please try again; if it keeps happening, give this request id to your administrator.")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

// fail answers with the error envelope and stops the handler chain. Internal errors are logged
// with the request id; their text never reaches the client.
func (s *Server) fail(c *gin.Context, err error) {
	ae := *toAPIError(err)
	ae.RequestID = requestID(c)
	if ae.Status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "request_id", ae.RequestID,
			"method", c.Request.Method, "route", c.FullPath(), "err", err.Error())
	}
	if ae.retryAfter > 0 {
		c.Header("Retry-After", fmt.Sprint(ae.retryAfter))
	}
	c.AbortWithStatusJSON(ae.Status, gin.H{"error": ae})
}
