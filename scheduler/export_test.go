package scheduler

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
)

// Env exposes the test world to the external tests (package scheduler_test). They exist because
// some tests need packages that import this one, such as the server for its local-time
// conversion, which an internal test cannot import without a cycle.
type Env = env

// NewEnv makes a world on SQLite or MySQL whose fake clock starts at start.
func NewEnv(t *testing.T, d store.Dialect, start time.Time) *Env { return newEnv(t, d, start) }

// Channel creates a connected channel with sealed credentials.
func (e *env) Channel(name string) *store.Channel { return e.channel(name) }

// Schedule takes a new post through the workflow to scheduled at at.
func (e *env) Schedule(body string, at time.Time, chans ...*store.Channel) *store.Post {
	return e.schedule(body, at, chans...)
}

// Dispatch runs one claim pass and waits for its publishes.
func (e *env) Dispatch() int { return e.dispatch(nil) }

// AdvanceTo moves the fake clock to at.
func (e *env) AdvanceTo(at time.Time) { e.advance(at.Sub(e.now())) }

// Target returns the post's target on channel c as stored now.
func (e *env) Target(p *store.Post, c *store.Channel) store.Target { return e.target(p, c) }

// PublishCalls is how many times the fake network was asked to publish the target.
func (e *env) PublishCalls(tg store.Target) int { return e.net.publishCalls(tg.IdempotencyKey) }
