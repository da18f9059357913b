package publishers

import (
	"errors"
	"testing"
	"time"
)

// CannotTell is unknown whatever the cause, keeps the cause for unwrapping and carries its
// status, retry-after and message.
func TestCannotTell(t *testing.T) {
	cause := &Error{Kind: KindRateLimited, Network: "x", Status: 429, RetryAfter: time.Minute, Message: "rate limited"}
	err := CannotTell("x", cause, "could not tell")
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != KindUnknown || pe.Status != 429 || pe.RetryAfter != time.Minute ||
		pe.Message != "could not tell: rate limited" || !errors.Is(err, cause) {
		t.Errorf("CannotTell(publishers error) = %+v", pe)
	}
	plain := errors.New("boom")
	err = CannotTell("x", plain, "could not tell")
	if !errors.As(err, &pe) || pe.Kind != KindUnknown || pe.Message != "could not tell" || !errors.Is(err, plain) {
		t.Errorf("CannotTell(plain error) = %+v", pe)
	}
}
