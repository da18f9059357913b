package scheduler_test

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
)

// TestPostAfterSpringForwardGoesOutAtItsLocalTime plans a post for 09:00 in Paris on the day
// after clocks moved from CET (UTC+1) to CEST (UTC+2), through the server's local-time
// conversion, and checks it goes out at 07:00 UTC exactly: not an hour off, as it would be if
// the offset from before the change were used.
func TestPostAfterSpringForwardGoesOutAtItsLocalTime(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Saturday noon, before the change at 01:00 UTC on Sunday 29 March 2026.
	start := time.Date(2026, time.March, 28, 12, 0, 0, 0, time.UTC)
	want := time.Date(2026, time.March, 30, 7, 0, 0, 0, time.UTC)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := scheduler.NewEnv(t, d, start)
			ch := e.Channel("main")
			at := server.LocalToInstant(2026, time.March, 30, 9, 0, paris)
			if !at.Equal(want) {
				t.Fatalf("09:00 Paris on 30 March is %v, want %v", at.UTC(), want)
			}
			p := e.Schedule("Bonjour", at, ch)

			e.AdvanceTo(want.Add(-time.Second))
			if n := e.Dispatch(); n != 0 {
				t.Fatalf("published at %v, before 09:00 Paris", want.Add(-time.Second))
			}
			e.AdvanceTo(want)
			if n := e.Dispatch(); n != 1 {
				t.Fatalf("not published at 09:00 Paris (%v)", want)
			}
			tg := e.Target(p, ch)
			if tg.Status != store.TargetPublished || tg.PublishedAt == nil || !tg.PublishedAt.Equal(want) {
				t.Fatalf("target %s published at %v, want %v", tg.Status, tg.PublishedAt, want)
			}
			if local := tg.PublishedAt.In(paris); local.Hour() != 9 || local.Minute() != 0 {
				t.Errorf("published at %v Paris time, want 09:00", local)
			}
			if n := e.PublishCalls(tg); n != 1 {
				t.Errorf("%d publish calls", n)
			}
		})
	}
}
