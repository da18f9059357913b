package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/heraldhq/herald/migrations"
)

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// MigrationStatus is a migration with when it was applied (nil when pending).
type MigrationStatus struct {
	Migration
	AppliedAt *time.Time
}

// LoadMigrations reads the embedded files for a dialect, sorted by version.
func LoadMigrations(d Dialect) ([]Migration, error) {
	dir := string(d)
	entries, err := fs.ReadDir(migrations.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, name, v)
		}
		seen[v] = name
		body, err := fs.ReadFile(migrations.FS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func (s *Store) ensureMigrationTable(ctx context.Context) error {
	ddl := `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  applied_at DATETIME NOT NULL)`
	if s.dialect == MySQL {
		ddl = strings.Replace(ddl, "DATETIME", "DATETIME(6)", 1) + " ENGINE=InnoDB"
	}
	return s.db.WithContext(ctx).Exec(ddl).Error
}

// MigrationStatus lists every known migration and whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	all, err := LoadMigrations(s.dialect)
	if err != nil {
		return nil, err
	}
	if err := s.ensureMigrationTable(ctx); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", scrub(err))
	}
	type row struct {
		Version   int
		AppliedAt time.Time
	}
	var rows []row
	if err := s.db.WithContext(ctx).Raw("SELECT version, applied_at FROM schema_migrations").Scan(&rows).Error; err != nil {
		return nil, scrub(err)
	}
	applied := map[int]time.Time{}
	for _, r := range rows {
		applied[r.Version] = r.AppliedAt
	}
	out := make([]MigrationStatus, len(all))
	for i, m := range all {
		out[i].Migration = m
		if at, ok := applied[m.Version]; ok {
			at := at.UTC()
			out[i].AppliedAt = &at
		}
	}
	return out, nil
}

// PendingMigrations counts migrations not yet applied; /readyz is not ready while it is non-zero.
func (s *Store) PendingMigrations(ctx context.Context) (int, error) {
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range st {
		if m.AppliedAt == nil {
			n++
		}
	}
	return n, nil
}

// Migrate applies every pending migration in order and returns how many it applied. It is safe to
// run again, and safe to run from several processes at once: on MySQL a named lock serialises
// migrators; on SQLite the immediate transaction does.
func (s *Store) Migrate(ctx context.Context, progress func(m Migration)) (int, error) {
	if s.dialect == MySQL {
		conn, err := s.lockMySQL(ctx)
		if err != nil {
			return 0, err
		}
		defer conn()
	}
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range st {
		if m.AppliedAt != nil {
			continue
		}
		if progress != nil {
			progress(m.Migration)
		}
		if err := s.apply(ctx, m.Migration); err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		applied++
	}
	return applied, nil
}

func (s *Store) apply(ctx context.Context, m Migration) error {
	stmts := splitStatements(m.SQL)
	record := func(exec func(string, ...any) error) error {
		return exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, s.now())
	}
	if s.dialect == SQLite {
		// SQLite DDL is transactional: the file and its record commit together or not at all.
		tx := s.db.WithContext(ctx).Begin()
		if tx.Error != nil {
			return tx.Error
		}
		exec := func(q string, args ...any) error { return tx.Exec(q, args...).Error }
		// Another process may have applied it since we read the status; the immediate
		// transaction holds the write lock, so this check is exact.
		var done int64
		if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&done).Error; err != nil {
			tx.Rollback()
			return err
		}
		if done > 0 {
			tx.Rollback()
			return nil
		}
		for _, q := range stmts {
			if err := exec(q); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := record(exec); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit().Error
	}
	// MySQL commits DDL implicitly, so each file holds one statement. If a previous run died after
	// the DDL but before recording it, the DDL now fails as "already exists": that counts as applied.
	exec := func(q string, args ...any) error { return s.db.WithContext(ctx).Exec(q, args...).Error }
	for _, q := range stmts {
		if err := exec(q); err != nil && !alreadyApplied(err) {
			return scrub(err)
		}
	}
	return record(exec)
}

// alreadyApplied recognises MySQL errors that mean a DDL statement's effect is already there:
// duplicate key name (1061), table exists (1050), duplicate column (1060).
func alreadyApplied(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1050, 1060, 1061:
			return true
		}
	}
	return false
}

func (s *Store) lockMySQL(ctx context.Context) (func(), error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, scrub(err)
	}
	var got int
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('herald_migrate', 60)").Scan(&got); err != nil || got != 1 {
		_ = conn.Close()
		if err == nil {
			err = errors.New("another process holds the migration lock")
		}
		return nil, fmt.Errorf("migration lock: %w", scrub(err))
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK('herald_migrate')")
		_ = conn.Close()
	}, nil
}

// splitStatements splits a migration file on semicolons that end a line, dropping comment lines.
// Migration files are written by us, so a full SQL lexer is not needed; no statement here has a
// semicolon at the end of a line inside a string.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			if stmt != "" {
				out = append(out, stmt)
			}
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}
