// Package pubtest holds the assertions every publisher's tests make the same way: that a failure
// is a classified *publishers.Error of the expected kind, and that no secret (a token, a client
// secret, an authorization code, a PKCE verifier) reaches an error or a log.
//
// It decides nothing about a network: what to provoke, and which values are secret, stays in
// each publisher's tests.
package pubtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
)

// AsError returns err as a *publishers.Error, and stops the test when it is not one.
func AsError(t testing.TB, err error) *publishers.Error {
	t.Helper()
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *publishers.Error", err, err)
	}
	return pe
}

// WantKind stops the test unless err is a *publishers.Error that publishers.KindOf classifies as
// kind (the scheduler goes by KindOf), and returns it for further checks.
func WantKind(t testing.TB, err error, kind publishers.Kind) *publishers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", kind)
	}
	pe := AsError(t, err)
	if got := publishers.KindOf(err); got != kind {
		t.Fatalf("kind %s, want %s: %v", got, kind, err)
	}
	return pe
}

// Failures gathers the errors a test provokes on purpose, to look for secrets in all of them at
// the end (NoSecrets). Its zero value is empty.
type Failures struct {
	errs []error
}

// Add keeps err. A nil err fails t at the caller's line: the test expected a failure there.
func (f *Failures) Add(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		t.Error("expected a failure")
		return
	}
	f.errs = append(f.errs, err)
}

// Len is how many failures were gathered, so a test can check it provoked as many as it meant to.
func (f *Failures) Len() int { return len(f.errs) }

// NoSecrets fails t for every secret (value by name) that appears in a failure gathered (its
// text, its %+v and %#v forms, and those of every error it wraps) or in logs. Empty values are
// skipped: they would appear everywhere.
func (f *Failures) NoSecrets(t testing.TB, logs string, secrets map[string]string) {
	t.Helper()
	for _, err := range f.errs {
		texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
		}
		for _, text := range texts {
			for name, secret := range secrets {
				if secret != "" && strings.Contains(text, secret) {
					t.Errorf("the %s appears in %q", name, text)
				}
			}
		}
	}
	for name, secret := range secrets {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the %s appears in the log", name)
		}
	}
}
