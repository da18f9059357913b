package publishertest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// fatalTB records a Fatalf and stops the check, as testing.T does, without failing this test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

// fails reports whether check called Fatalf.
func fails(check func(testing.TB)) (msg string, failed bool) {
	tb := &fatalTB{TB: nil}
	defer func() {
		if r := recover(); r != nil {
			if r != tb {
				panic(r)
			}
			msg, failed = tb.msg, true
		}
	}()
	check(tb)
	return "", false
}

func TestWantKindAndField(t *testing.T) {
	rate := fmt.Errorf("wrapped: %w", &publishers.Error{Kind: publishers.KindRateLimited, Network: "x"})
	if _, failed := fails(func(tb testing.TB) {
		if pe := WantKind(tb, rate, publishers.KindRateLimited); pe.Network != "x" {
			t.Errorf("returned %+v", pe)
		}
	}); failed {
		t.Error("WantKind refused the kind it was given")
	}
	for name, err := range map[string]error{"nil": nil, "plain": errors.New("x"), "other kind": rate} {
		if msg, failed := fails(func(tb testing.TB) { WantKind(tb, err, publishers.KindPermanent) }); !failed {
			t.Errorf("WantKind accepted %s", name)
		} else if msg == "" {
			t.Errorf("%s: no message", name)
		}
	}
	field := fmt.Errorf("wrapped: %w", &publishers.FieldError{Field: "token", Message: "m"})
	if _, failed := fails(func(tb testing.TB) { WantField(tb, field, "token") }); failed {
		t.Error("WantField refused its field")
	}
	for name, err := range map[string]error{"nil": nil, "other field": field, "not a field error": rate} {
		if _, failed := fails(func(tb testing.TB) { WantField(tb, err, "chat") }); !failed {
			t.Errorf("WantField accepted %s", name)
		}
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := NewClock(start)
	c.Advance(time.Minute)
	if err := c.Sleep(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep after cancel: %v", err)
	}
	if got := c.Now(); !got.Equal(start.Add(time.Minute + 5*time.Second)) {
		t.Errorf("now %s", got)
	}
	if s := c.Slept(); len(s) != 1 || s[0] != 5*time.Second {
		t.Errorf("slept %v", s)
	}
}
