package store

import (
	"encoding/json"
	"time"
)

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only called with plain structs of strings and numbers, which always encode.
		panic(err)
	}
	return string(b)
}

// dbTime is how a time goes into a query: UTC at microsecond precision, the precision of
// DATETIME(6). With nanoseconds the MySQL driver sends a nine-digit fraction that MariaDB will
// not use as an index range bound, so a claim walked every pending target instead of seeking.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
