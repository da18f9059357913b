package publishers

import (
	"errors"
	"testing"
)

func TestCheckState(t *testing.T) {
	if err := CheckState("x", "s", "s"); err != nil {
		t.Errorf("matching state refused: %v", err)
	}
	for _, tc := range [][2]string{{"s", "t"}, {"", ""}, {"s", ""}} {
		err := CheckState("x", tc[0], tc[1])
		var pe *Error
		if !errors.As(err, &pe) || pe.Kind != KindPermanent || pe.Network != "x" || pe.Code != "state_mismatch" {
			t.Errorf("CheckState(%q, %q) = %v", tc[0], tc[1], err)
		}
	}
}
