package bluesky

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// tidAlphabet is base32-sortable, the alphabet of TIDs: sorting the strings sorts the numbers.
const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// Record keys. app.bsky.feed.post records are keyed by TIDs (the lexicon's "key": "tid"): a
// 64-bit number whose top bit is 0, then 53 bits of microseconds since the Unix epoch, then a
// 10-bit clock identifier, written as 13 base32-sortable characters (so the first is one of
// 234567abcdefghij). A client may choose the key, which is what makes Herald's posts
// idempotent: the same target always asks for the same key, and Bluesky keeps one record per key.
//
// RecordKey derives the TID from SHA-256("herald/bluesky/rkey\x00" + idempotency key):
//
//   - the timestamp is 2023-01-01T00:00:00Z plus the top 46 bits of the hash in microseconds,
//     a moment between January 2023 and March 2025: in the past, in the era of Bluesky's own
//     TIDs, so the key looks like any other and sorts among real ones;
//   - the clock identifier is the hash's lowest 10 bits.
//
// That leaves 56 bits of the hash in every key: two targets of one account collide with odds
// near n²/2⁵⁷ (below one in a hundred thousand for a million posts), and a collision cannot
// create a duplicate, only make the second post report the first. The derivation is part of
// Herald's stored state (FindPublished recomputes keys of posts published long ago): never change
// it.
const (
	rkeyDomain   = "herald/bluesky/rkey\x00"
	rkeySpanBits = 46
)

// rkeyEpoch is where derived timestamps start.
var rkeyEpoch = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// RecordKey returns the record key (a TID) of the post with this idempotency key. Part i of its
// thread is keyed RecordKey(publishers.PartKey(key, i)), and its first comment
// RecordKey(key + "-c1").
func RecordKey(idempotencyKey string) string {
	sum := sha256.Sum256([]byte(rkeyDomain + idempotencyKey))
	h := binary.BigEndian.Uint64(sum[:8])
	micros := uint64(rkeyEpoch) + h>>(64-rkeySpanBits)
	clock := h & 0x3FF
	return encodeTID(micros<<10 | clock)
}

// commentKey is the idempotency key of a post's first comment.
func commentKey(idempotencyKey string) string { return idempotencyKey + "-c1" }

// encodeTID writes v as 13 base32-sortable characters, most significant first.
func encodeTID(v uint64) string {
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// validTID reports whether s has TID syntax.
func validTID(s string) bool {
	if len(s) != 13 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := '2' <= c && c <= '7' || 'a' <= c && c <= 'z'
		if i == 0 {
			ok = '2' <= c && c <= '7' || 'a' <= c && c <= 'j'
		}
		if !ok {
			return false
		}
	}
	return true
}
