package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Seconds reads a number of seconds that may have a fraction ("1.337", "30"), as Discord's
// X-RateLimit-Reset-After and the Retry-After headers give them. ok is false for anything
// else, including negative numbers.
func Seconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e7 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// RetryAfter reads a Retry-After header: seconds, or an HTTP date measured from the answer's
// Date header when it has one (so a difference between the network's clock and Herald's does
// not matter), else from now.
func RetryAfter(header http.Header, now time.Time) (time.Duration, bool) {
	base := now
	if d, err := http.ParseTime(header.Get("Date")); err == nil {
		base = d
	}
	return RetryAfterAt(header.Get("Retry-After"), base)
}

// RetryAfterAt reads the value of a Retry-After header: seconds, or an HTTP date measured from
// base (a date already past asks for one second). ok is false for an empty or unreadable value.
func RetryAfterAt(v string, base time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if d, ok := Seconds(v); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(base); d > 0 {
			return d, true
		}
		return time.Second, true
	}
	return 0, false
}
