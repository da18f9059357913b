package publishers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Kind classifies a publishing failure by what the scheduler should do about it.
type Kind int

// The kinds of failure.
const (
	// KindRetryable: a transient failure (5xx, network error before the request was sent). Retry
	// with backoff.
	KindRetryable Kind = iota + 1
	// KindRateLimited: wait until RetryAfter, taken from the network's headers.
	KindRateLimited
	// KindAuthExpired: the token is revoked or expired and cannot be refreshed; hold the channel's
	// posts and ask a person to reconnect.
	KindAuthExpired
	// KindPermanent: the network refused this post (validation, duplicate, forbidden); show its
	// message to the user. Retrying would fail the same way.
	KindPermanent
	// KindUnknown: the request may have reached the network (a timeout after sending, a dropped
	// connection): the post may exist. Never retry blindly; reconcile with FindPublished.
	KindUnknown
)

func (k Kind) String() string {
	switch k {
	case KindRetryable:
		return "retryable"
	case KindRateLimited:
		return "rate_limited"
	case KindAuthExpired:
		return "auth_expired"
	case KindPermanent:
		return "permanent"
	case KindUnknown:
		return "unknown"
	}
	return "invalid"
}

// Error is a classified failure from a network.
type Error struct {
	Kind    Kind
	Network string
	// Status is the HTTP status, when there was a response.
	Status int
	// Code is the network's error code, when it has one (e.g. "ExpiredToken").
	Code string
	// Message is the network's own explanation, in plain words, for the user.
	Message string
	// RetryAfter is how long to wait, for KindRateLimited (and optionally KindRetryable).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Network, e.Kind)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil && e.Message == "" {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf classifies any error: a *Error's kind; context deadline and network errors after a
// request was sent count as unknown outcomes; anything else is retryable.
func KindOf(err error) Kind {
	if errors.Is(err, ErrPrivateAddress) {
		return KindPermanent // refused before anything was sent; it would be refused again
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KindUnknown
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return KindUnknown
	}
	return KindRetryable
}

// Errorf makes a classified error with a user-facing message.
func Errorf(network string, kind Kind, status int, format string, args ...any) *Error {
	return &Error{Network: network, Kind: kind, Status: status, Message: fmt.Sprintf(format, args...)}
}

// Message is a failure's reason in plain words for people: the network's own message when it
// gave one, otherwise what kind of failure it was.
func Message(err error) string {
	if errors.Is(err, ErrPrivateAddress) {
		return ErrPrivateAddress.Error()
	}
	var pe *Error
	if errors.As(err, &pe) && pe.Message != "" {
		return pe.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "The network did not answer in time."
	}
	return "The network could not be reached."
}

// FieldError is a refusal about one value a person typed when connecting (a bot token the network
// does not know, a chat the bot is not an administrator of): the server shows Message next to
// the field named Field.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ErrPrivateAddress refuses a connection to an address that is not on the public internet: Herald
// does not let people point it at services inside its own network. Operators who publish to a
// server on their private network allow it with HERALD_ALLOW_PRIVATE_NETWORKS=1.
var ErrPrivateAddress = errors.New("Herald does not connect to private or local network addresses; an administrator can allow them with HERALD_ALLOW_PRIVATE_NETWORKS=1")
