// Package storetest opens fresh, migrated stores for tests: always an SQLite file in a temporary
// directory, and a fresh MySQL database when TEST_MYSQL_DSN is set (CI sets it), so every store
// suite runs on both databases.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	gormmysql "gorm.io/driver/mysql"

	"github.com/heraldhq/herald/server/store"
)

// MySQLDSN returns TEST_MYSQL_DSN, or "" when MySQL tests are not enabled.
func MySQLDSN() string { return os.Getenv("TEST_MYSQL_DSN") }

// MySQLRequired reports whether HERALD_REQUIRE_MYSQL is set (CI sets it): then a missing or
// unreachable MySQL fails the tests instead of skipping them.
func MySQLRequired() bool { return os.Getenv("HERALD_REQUIRE_MYSQL") != "" }

// Dialects lists the dialects under test: SQLite always, MySQL when TEST_MYSQL_DSN is set (or
// required, so that its absence fails loudly).
func Dialects() []store.Dialect {
	if MySQLDSN() != "" || MySQLRequired() {
		return []store.Dialect{store.SQLite, store.MySQL}
	}
	return []store.Dialect{store.SQLite}
}

// Each runs fn once per dialect under test, each with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d, nil))
		})
	}
}

// Open returns a fresh migrated store of the dialect, removed when the test ends. now may be nil.
func Open(t testing.TB, d store.Dialect, now func() time.Time) *store.Store {
	t.Helper()
	loc := Fresh(t, d)
	s, err := store.Open(context.Background(), loc, store.Options{Now: now})
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return s
}

// Fresh makes an empty database of the dialect and returns where it is; it is dropped when the
// test ends.
func Fresh(t testing.TB, d store.Dialect) store.Location {
	t.Helper()
	switch d {
	case store.SQLite:
		loc, err := store.ParseURL("sqlite://"+filepath.Join(t.TempDir(), "herald.db"), "")
		if err != nil {
			t.Fatal(err)
		}
		return loc
	case store.MySQL:
		dsn := MySQLDSN()
		if dsn == "" {
			if MySQLRequired() {
				t.Fatal("HERALD_REQUIRE_MYSQL is set but TEST_MYSQL_DSN is empty: the MySQL suites would be skipped")
			}
			t.Skip("TEST_MYSQL_DSN not set")
		}
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("TEST_MYSQL_DSN: %v", err)
		}
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "herald_t_" + hex.EncodeToString(b[:])
		admin, err := gorm.Open(gormmysql.Open(cfg.FormatDSN()), &gorm.Config{})
		if err != nil {
			t.Fatalf("connect to MySQL: %v", err)
		}
		if err := admin.Exec(fmt.Sprintf("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", name)).Error; err != nil {
			t.Fatalf("create database: %v", err)
		}
		t.Cleanup(func() {
			admin.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS `%s`", name))
			if db, err := admin.DB(); err == nil {
				db.Close()
			}
		})
		cfg.DBName = name
		loc, err := store.ParseURL(cfg.FormatDSN(), "")
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	t.Fatalf("unknown dialect %s", d)
	return store.Location{}
}
