package server

import (
	"testing"
	"time"
)

func TestLocalToInstantDST(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		name      string
		loc       *time.Location
		y         int
		mo        time.Month
		d, h, mi  int
		wantUTC   string
		wantLocal string
	}{
		{"ordinary winter day", paris, 2026, time.January, 15, 9, 0, "2026-01-15T08:00:00Z", "09:00"},
		{"day after spring-forward", paris, 2026, time.March, 30, 9, 0, "2026-03-30T07:00:00Z", "09:00"},
		{"day after fall-back", paris, 2026, time.October, 26, 9, 0, "2026-10-26T08:00:00Z", "09:00"},
		// 02:30 does not exist on 29 March 2026 in Paris: clocks jump 02:00 → 03:00. It moves forward by the gap.
		{"inside the spring-forward gap", paris, 2026, time.March, 29, 2, 30, "2026-03-29T01:30:00Z", "03:30"},
		// 02:30 happens twice on 25 October 2026 in Paris: the first occurrence (CEST, +02:00) is meant.
		{"inside the fall-back overlap", paris, 2026, time.October, 25, 2, 30, "2026-10-25T00:30:00Z", "02:30"},
		{"New York gap", ny, 2026, time.March, 8, 2, 15, "2026-03-08T07:15:00Z", "03:15"},
		{"UTC", time.UTC, 2026, time.June, 1, 12, 0, "2026-06-01T12:00:00Z", "12:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := LocalToInstant(c.y, c.mo, c.d, c.h, c.mi, c.loc)
			if got.UTC().Format(time.RFC3339) != c.wantUTC {
				t.Errorf("got %s, want %s", got.UTC().Format(time.RFC3339), c.wantUTC)
			}
			if l := got.In(c.loc).Format("15:04"); l != c.wantLocal {
				t.Errorf("local %s, want %s", l, c.wantLocal)
			}
		})
	}
}
