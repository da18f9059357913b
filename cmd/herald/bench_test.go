package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/heraldhq/herald/server/store"
)

// runBench runs `herald bench calendar` small and fast, and checks it reports every p95 line. The
// p95 limit is generous: this test checks the command works, not the machine's speed, which the
// full-size run in BENCHMARKS.md measures.
func runBench(t *testing.T, extra ...string) string {
	t.Helper()
	args := append([]string{"bench", "calendar", "--posts", "2000", "--queries", "20", "--warmup", "5", "--max-p95", "5s"}, extra...)
	var out, errs bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(""), &out, &errs); code != 0 {
		t.Fatalf("herald %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out.String(), errs.String())
	}
	s := out.String()
	for _, want := range []string{
		"seeded:   workspace", "100%",
		"p95 calendar month:", "p95 status=scheduled:", "p95 one label:", "p95 one channel:",
		"ok: every store-query p95",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	return s
}

func TestBenchCalendarSQLite(t *testing.T) {
	s := runBench(t)
	if !strings.Contains(s, "database: SQLite") {
		t.Errorf("output does not name the database:\n%s", s)
	}
}

func TestBenchCalendarMySQL(t *testing.T) {
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		t.Skip("TEST_MYSQL_DSN not set")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("TEST_MYSQL_DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	cfg.DBName = store.BenchDatabasePrefix + "_" + hex.EncodeToString(b[:])
	url := cfg.FormatDSN()
	loc, err := store.ParseURL(url, "")
	if err != nil {
		t.Fatal(err)
	}
	// The command drops its database itself; this covers a run that failed half-way.
	t.Cleanup(func() { _ = store.DropBenchDatabase(context.Background(), loc) })
	s := runBench(t, "--database-url", url)
	if !strings.Contains(s, "database: MariaDB") && !strings.Contains(s, "database: MySQL") {
		t.Errorf("output does not name the database:\n%s", s)
	}
}

func TestBenchRefusesOtherMySQLDatabases(t *testing.T) {
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"bench", "calendar", "--database-url", "mysql://root@127.0.0.1:1/herald"}, strings.NewReader(""), &out, &errs)
	if code == 0 || !strings.Contains(errs.String(), "herald_bench") {
		t.Fatalf("exit %d, stderr %q: want a refusal naming the herald_bench prefix", code, errs.String())
	}
}

func TestSummarizePercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := summarize(d)
	if p.p50 != 50*time.Millisecond || p.p95 != 95*time.Millisecond || p.p99 != 99*time.Millisecond || p.max != 100*time.Millisecond {
		t.Fatalf("percentiles of 1..100 ms: %+v", p)
	}
}
