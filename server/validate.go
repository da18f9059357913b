package server

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// checkName validates a short display text: trimmed, no control characters, at most max runes.
func checkName(field, v string, max int, required bool) error {
	f := fields{}
	switch {
	case required && v == "":
		f.add(field, "is required")
	case !utf8.ValidString(v):
		f.add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		f.add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		f.add(field, "must not contain control characters")
	}
	return f.err()
}

// checkText validates long text (post bodies, comments): valid UTF-8, at most max runes. Newlines
// and tabs are fine; other control characters are refused.
func checkText(f fields, field, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		f.add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		f.add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.add(field, "must not contain control characters")
	}
}

// loadZone validates an IANA time zone name.
func loadZone(name string) (*time.Location, bool) {
	if name == "" || len(name) > 64 || strings.Contains(name, "..") {
		return nil, false
	}
	if name == "Local" {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// LocalToInstant turns a wall-clock time in a zone into an instant, with documented rules for the
// two DST edge cases: a time inside the spring-forward gap (which never shows on clocks) moves
// forward by the gap, as clocks do (02:30 on the night clocks jump from 02:00 to 03:00 becomes
// 03:30); a time that shows twice in the fall-back overlap means its first occurrence.
func LocalToInstant(y int, mo time.Month, d, h, mi int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	// The offsets in force around that wall time: a transition within a day either side.
	_, offA := wall.Add(-26 * time.Hour).In(loc).Zone()
	_, offB := wall.Add(26 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range []int{offA, offB} {
		t := wall.Add(-time.Duration(off) * time.Second)
		l := t.In(loc)
		if l.Year() == y && l.Month() == mo && l.Day() == d && l.Hour() == h && l.Minute() == mi {
			if best.IsZero() || t.Before(best) {
				best = t
			}
		}
	}
	if !best.IsZero() {
		return best
	}
	// In the gap: use the offset from before the transition, which lands the same distance past it.
	return wall.Add(-time.Duration(offA) * time.Second)
}
