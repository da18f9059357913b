package pubtest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/publishers"
)

// recorder is a testing.TB that records failures instead of failing the test; Fatalf ends the
// goroutine, as testing's does.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (r *recorder) Helper() {}

func (r *recorder) Error(args ...any) { r.add(fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) { r.add(fmt.Sprintf(format, args...)) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.add(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, s)
}

// run calls f with a new recorder in a goroutine of its own (so Fatalf can end it) and returns
// what failed.
func run(f func(tb testing.TB)) []string {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.failed
}

func TestWantKind(t *testing.T) {
	rate := &publishers.Error{Kind: publishers.KindRateLimited, Network: "x"}
	if failed := run(func(tb testing.TB) {
		if pe := WantKind(tb, fmt.Errorf("wrapped: %w", rate), publishers.KindRateLimited); pe != rate {
			tb.Errorf("returned %v", pe)
		}
	}); len(failed) != 0 {
		t.Errorf("a matching kind failed: %q", failed)
	}
	for name, err := range map[string]error{
		"nil":        nil,
		"plain":      errors.New("boom"),
		"other kind": rate,
		"private":    fmt.Errorf("%w: %w", publishers.ErrPrivateAddress, &publishers.Error{Kind: publishers.KindRetryable}),
	} {
		if failed := run(func(tb testing.TB) { WantKind(tb, err, publishers.KindRetryable) }); len(failed) != 1 {
			t.Errorf("%s: failures %q, want one", name, failed)
		}
	}
}

func TestNoSecrets(t *testing.T) {
	secrets := map[string]string{"token": "tok-123", "code": "code-456", "unset": ""}
	var f Failures
	if failed := run(func(tb testing.TB) { f.Add(tb, nil) }); len(failed) != 1 || f.Len() != 0 {
		t.Errorf("a missing failure: %q, %d kept", failed, f.Len())
	}
	clean := &publishers.Error{Kind: publishers.KindPermanent, Network: "x", Message: "refused", Err: context.Canceled}
	f.Add(t, clean)
	if failed := run(func(tb testing.TB) { f.NoSecrets(tb, "level=WARN msg=refused", secrets) }); len(failed) != 0 || f.Len() != 1 {
		t.Errorf("clean failures and logs: %q", failed)
	}

	// A secret deep in a wrapped cause, one only %#v shows, and one in the log.
	deep := &publishers.Error{Kind: publishers.KindRetryable, Message: "lost", Err: fmt.Errorf("dial: %w", errors.New("POST ?t=tok-123"))}
	f.Add(t, deep)
	f.Add(t, &publishers.Error{Kind: publishers.KindPermanent, Message: "refused", Code: "code-456"})
	failed := run(func(tb testing.TB) { f.NoSecrets(tb, "level=WARN code=code-456", secrets) })
	var token, code, log bool
	for _, s := range failed {
		token = token || strings.HasPrefix(s, "the token appears")
		code = code || strings.HasPrefix(s, "the code appears in \"&publishers.Error")
		log = log || s == "the code appears in the log"
		if strings.Contains(s, "the unset") {
			t.Errorf("an empty secret was looked for: %q", s)
		}
	}
	if !token || !code || !log {
		t.Errorf("failures %q: token %v, code in %%#v %v, log %v", failed, token, code, log)
	}
}
