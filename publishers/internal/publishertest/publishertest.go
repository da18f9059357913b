// Package publishertest holds what the publishers' own tests share: the checks of the classified
// errors every publisher returns, and a settable clock to hand both a client and its fake network
// (Now, and Sleep where a client waits), so that waiting takes no real time.
package publishertest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// WantKind fails the test at once unless err is a *publishers.Error (possibly wrapped) of the
// given kind, and returns it.
func WantKind(t testing.TB, err error, kind publishers.Kind) *publishers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", kind)
	}
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *publishers.Error", err, err)
	}
	if got := publishers.KindOf(err); got != kind {
		t.Fatalf("kind %s, want %s: %v", got, kind, err)
	}
	return pe
}

// WantField fails the test at once unless err is a *publishers.FieldError (possibly wrapped)
// about field, and returns it.
func WantField(t testing.TB, err error, field string) *publishers.FieldError {
	t.Helper()
	var fe *publishers.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *publishers.FieldError", err, err)
	}
	if fe.Field != field {
		t.Fatalf("field %q, want %q: %s", fe.Field, field, fe.Message)
	}
	return fe
}

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

// NewClock returns a clock showing start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Sleep advances the clock by d at once instead of waiting, and records d (Slept). It fails
// with the context's error, without advancing, once ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

// Slept lists the waits Sleep was asked for, in order.
func (c *Clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
