// Package store is Herald's persistence layer: the only package that imports GORM.
//
// It runs on MySQL 8 / MariaDB 10.11+ in production and on an embedded, pure-Go SQLite by default.
// Every table that belongs to a workspace carries workspace_id, and every query here that reads such
// a table is scoped by it, so one workspace can never see another's rows.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL dialect a Store talks to.
type Dialect string

// The supported dialects.
const (
	MySQL  Dialect = "mysql"
	SQLite Dialect = "sqlite"
)

// Store wraps the database handle with Herald's queries.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	now     func() time.Time
}

// Options tune Open. The zero value is fine.
type Options struct {
	// Now is the clock; it is injected so tests can control time. Defaults to time.Now.
	Now func() time.Time
	// Logger receives slow-query and error logs from GORM (never query arguments).
	Logger *slog.Logger
	// MaxOpenConns bounds the MySQL pool (default 20).
	MaxOpenConns int
}

// Location is a parsed database location.
type Location struct {
	Dialect Dialect
	// DSN is the driver-specific connection string. For MySQL it may contain a password: never log it.
	DSN string
	// Path is the SQLite file, for messages.
	Path string
}

// Redacted describes the target without credentials, for logs and messages.
func (t Location) Redacted() string {
	if t.Dialect == SQLite {
		return "sqlite:" + t.Path
	}
	cfg, err := mysql.ParseDSN(t.DSN)
	if err != nil {
		return "mysql"
	}
	return fmt.Sprintf("mysql://%s@%s/%s", cfg.User, cfg.Addr, cfg.DBName)
}

// ParseURL turns HERALD_DATABASE_URL into a Target. Accepted forms:
//
//	sqlite:///absolute/path.db, sqlite://relative/path.db, sqlite:path.db, or a path ending in .db
//	mysql://user:pass@host:3306/dbname?param=value
//	mysql://user:pass@tcp(host:3306)/dbname   (the Go MySQL driver's DSN behind a mysql:// prefix)
//	user:pass@tcp(host:3306)/dbname           (the Go MySQL driver's DSN as is, e.g. TEST_MYSQL_DSN)
//
// An empty URL means the embedded SQLite file herald.db under dataDir.
func ParseURL(raw, dataDir string) (Location, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return sqliteTarget(filepath.Join(dataDir, "herald.db")), nil
	case strings.HasPrefix(raw, "sqlite://"):
		return sqliteTarget(strings.TrimPrefix(raw, "sqlite://")), nil
	case strings.HasPrefix(raw, "sqlite:"):
		return sqliteTarget(strings.TrimPrefix(raw, "sqlite:")), nil
	case strings.HasPrefix(raw, "mysql://"):
		rest := strings.TrimPrefix(raw, "mysql://")
		if strings.Contains(rest, "@tcp(") || strings.Contains(rest, "@unix(") {
			return mysqlTarget(rest)
		}
		return mysqlFromURL(raw)
	case strings.Contains(raw, "@tcp(") || strings.Contains(raw, "@unix("):
		return mysqlTarget(raw)
	case strings.HasSuffix(raw, ".db") || strings.HasSuffix(raw, ".sqlite"):
		return sqliteTarget(raw), nil
	}
	return Location{}, errors.New("unsupported database URL: expected sqlite://path or mysql://user:pass@host:port/db")
}

func sqliteTarget(path string) Location {
	q := url.Values{}
	// WAL lets readers proceed while one writer writes; busy_timeout waits instead of failing with
	// SQLITE_BUSY; _txlock=immediate takes the write lock at BEGIN, so two transactions never both
	// read-then-write and deadlock; foreign keys are off by default in SQLite.
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	// No _time_format: glebarez/go-sqlite v1.21 stops reading parameters after it, which would
	// silently drop _txlock (its default format is the same "sqlite" layout anyway).
	return Location{Dialect: SQLite, DSN: "file:" + path + "?" + q.Encode(), Path: path}
}

func mysqlTarget(dsn string) (Location, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return Location{}, errors.New("invalid MySQL DSN (expected user:pass@tcp(host:port)/db)")
	}
	return finishMySQL(cfg)
}

func mysqlFromURL(raw string) (Location, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Location{}, errors.New("invalid MySQL URL (expected mysql://user:pass@host:port/db)")
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" {
		return Location{}, errors.New("MySQL URL names no database (mysql://user:pass@host:port/DB)")
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	for k, v := range u.Query() {
		if len(v) > 0 {
			cfg.Params[k] = v[0]
		}
	}
	return finishMySQL(cfg)
}

func finishMySQL(cfg *mysql.Config) (Location, error) {
	// Herald stores UTC and reads UTC whatever the server's time zone.
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Collation = "utf8mb4_unicode_ci"
	// Parameters are interpolated by the driver (escaped for utf8mb4) instead of each statement
	// being prepared, run and closed on the server: one round trip per statement instead of three,
	// which is most of a burst's database time.
	cfg.InterpolateParams = true
	return Location{Dialect: MySQL, DSN: cfg.FormatDSN()}, nil
}

// Open connects to the target. It does not migrate: call Migrate.
func Open(ctx context.Context, t Location, opt Options) (*Store, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	gcfg := &gorm.Config{
		// Timestamps are stored in UTC at microsecond precision, the precision of DATETIME(6).
		NowFunc:                func() time.Time { return now().UTC().Truncate(time.Microsecond) },
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 newGormLogger(opt.Logger),
	}
	var dial gorm.Dialector
	switch t.Dialect {
	case SQLite:
		if dir := filepath.Dir(t.Path); dir != "" && t.Path != ":memory:" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		dial = sqlite.Open(t.DSN)
	case MySQL:
		dial = gormmysql.New(gormmysql.Config{DSN: t.DSN})
	default:
		return nil, fmt.Errorf("unknown dialect %q", t.Dialect)
	}
	db, err := gorm.Open(dial, gcfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", t.Redacted(), scrub(err))
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	switch t.Dialect {
	case SQLite:
		// One writer at a time is all SQLite allows; a few connections serve concurrent readers.
		sqlDB.SetMaxOpenConns(4)
	case MySQL:
		n := opt.MaxOpenConns
		if n <= 0 {
			n = 20
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s: %w", t.Redacted(), scrub(err))
	}
	return &Store{db: db, dialect: t.Dialect, now: gcfg.NowFunc}, nil
}

// scrub drops driver error text that could echo a DSN; it keeps the error's kind.
func scrub(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return fmt.Errorf("mysql error %d", me.Number)
	}
	return err
}

// Dialect reports which SQL dialect the store speaks.
func (s *Store) Dialect() Dialect { return s.dialect }

// Now is the store's clock, in UTC at microsecond precision.
func (s *Store) Now() time.Time { return s.now() }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// SQL exposes the pool, for health checks and metrics.
func (s *Store) SQL() (*sql.DB, error) { return s.db.DB() }

// Close closes the pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// gormLogger routes GORM's own log lines to slog without SQL arguments, which may hold user text.
type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newGormLogger(l *slog.Logger) logger.Interface {
	if l == nil {
		return logger.Discard
	}
	return &gormLogger{log: l, slow: 500 * time.Millisecond}
}

func (g *gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }
func (g *gormLogger) Info(ctx context.Context, msg string, args ...any) {
	g.log.DebugContext(ctx, "gorm", "msg", msg)
}
func (g *gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	g.log.WarnContext(ctx, "gorm", "msg", msg)
}
func (g *gormLogger) Error(ctx context.Context, msg string, args ...any) {
	g.log.ErrorContext(ctx, "gorm", "msg", msg)
}
func (g *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, context.Canceled) {
		g.log.WarnContext(ctx, "query failed", "err", scrub(err), "elapsed", elapsed)
		return
	}
	if elapsed > g.slow {
		sqlText, _ := fc()
		if len(sqlText) > 200 {
			sqlText = sqlText[:200]
		}
		// The SQL text has arguments inlined by GORM; only its head is logged, and only for slow queries.
		g.log.WarnContext(ctx, "slow query", "elapsed", elapsed, "sql_head", sqlShape(sqlText))
	}
}

// sqlShape keeps the statement's leading keywords and table, never the values.
func sqlShape(s string) string {
	if i := strings.IndexAny(s, "'\"("); i > 0 {
		return s[:i]
	}
	return s
}
