//go:build race

package scheduler

// raceEnabled reports whether the tests run under the race detector, which slows everything
// several times over; the real-time test allows more slack then.
const raceEnabled = true
