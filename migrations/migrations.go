// Package migrations holds Herald's numbered SQL migrations, one folder per SQL dialect.
//
// Files are named NNNN_description.sql and are applied in order by server/store's migrator, at
// start-up and by `herald migrate up`. They are forward-only: a released file is never edited; a
// change is a new file. MySQL files hold exactly one DDL statement each, because MySQL commits DDL
// implicitly and a file that failed half-way could not be rolled back. Both folders hold the same
// numbers, so the two dialects stay in step (a test checks this).
package migrations

import "embed"

// FS holds mysql/*.sql and sqlite/*.sql.
//
//go:embed mysql/*.sql sqlite/*.sql
var FS embed.FS
