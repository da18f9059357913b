package bluesky

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/bluesky/blueskytest"
)

// decodeTID is the inverse of encodeTID.
func decodeTID(s string) uint64 {
	var v uint64
	for i := 0; i < len(s); i++ {
		v = v<<5 | uint64(strings.IndexByte(tidAlphabet, s[i]))
	}
	return v
}

func TestRecordKeyIsAPlausibleTID(t *testing.T) {
	lo := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := lo.Add(time.Duration(1<<rkeySpanBits) * time.Microsecond)
	seen := map[string]string{}
	for i := range 5000 {
		key := fmt.Sprintf("4b1c2d3e-0000-4000-8000-%012d", i)
		rk := RecordKey(key)
		if !validTID(rk) || !blueskytest.ValidTID(rk) {
			t.Fatalf("RecordKey(%q) = %q is not a valid TID", key, rk)
		}
		v := decodeTID(rk)
		if v>>63 != 0 {
			t.Fatalf("%q has the top bit set", rk)
		}
		at := time.UnixMicro(int64(v >> 10))
		if at.Before(lo) || !at.Before(hi) || at.After(time.Now()) {
			t.Fatalf("%q encodes %s, outside [%s, %s)", rk, at, lo, hi)
		}
		if other, dup := seen[rk]; dup {
			t.Fatalf("%q and %q share the record key %q", key, other, rk)
		}
		seen[rk] = key
		if RecordKey(key) != rk {
			t.Fatalf("RecordKey(%q) is not deterministic", key)
		}
		if RecordKey(commentKey(key)) == rk {
			t.Fatalf("a post and its comment share a key")
		}
	}
}

// TestRecordKeyIsStable pins the derivation: FindPublished recomputes the keys of posts
// published by earlier versions of Herald, so these values must never change.
func TestRecordKeyIsStable(t *testing.T) {
	for key, want := range map[string]string{
		"00000000-0000-0000-0000-000000000000": "3ksmfe4uqoswz",
		"b7c4c1f6-1d1e-4c55-9b8f-2f1d5d0f4a11": "3jmebmg5ctquy",
	} {
		if got := RecordKey(key); got != want {
			t.Errorf("RecordKey(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestEncodeTID(t *testing.T) {
	if got := encodeTID(0); got != "2222222222222" {
		t.Errorf("encodeTID(0) = %q", got)
	}
	// The example TID of the atproto specification round-trips.
	if got := encodeTID(decodeTID("3jzfcijpj2z2a")); got != "3jzfcijpj2z2a" {
		t.Errorf("round trip = %q", got)
	}
	for _, bad := range []string{"", "3jzfcijpj2z2", "kjzfcijpj2z2a", "3jzfcijpj2z2A", "3jzfcijpj2z21"} {
		if validTID(bad) {
			t.Errorf("validTID(%q) = true", bad)
		}
	}
}
