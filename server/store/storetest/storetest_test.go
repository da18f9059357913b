package storetest_test

import (
	"context"
	"testing"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
)

// TestMySQLAvailableWhenRequired makes CI fail when it meant to test MySQL but could not.
func TestMySQLAvailableWhenRequired(t *testing.T) {
	if !storetest.MySQLRequired() && storetest.MySQLDSN() == "" {
		t.Skip("MySQL not configured")
	}
	s := storetest.Open(t, store.MySQL, nil)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("MySQL unreachable: %v", err)
	}
	if s.Dialect() != store.MySQL {
		t.Fatalf("dialect %s", s.Dialect())
	}
}
