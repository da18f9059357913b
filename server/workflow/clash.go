package workflow

import (
	"cmp"
	"slices"
	"time"
)

// SubmitChecks are the duplicate and conflict checks a post goes through when it is submitted.
// Zero windows switch a check off.
type SubmitChecks struct {
	// DuplicateWindow: another post on the same channel planned (or published) within this long
	// of this one, with near-identical text, is a duplicate.
	DuplicateWindow time.Duration
	// Similarity is how alike two texts must be (0–1, e.g. 0.9) to be near-identical.
	Similarity float64
	// ConflictWindow: another post on the same channel planned within this long of this one is a
	// conflict (two posts too close together).
	ConflictWindow time.Duration
}

// Planned is a post's text on one channel at one time, as the checks see it.
type Planned struct {
	PostID    int64
	ChannelID int64
	At        time.Time
	Text      string
}

// Clash kinds.
const (
	ClashDuplicate = "duplicate"
	ClashConflict  = "conflict"
)

// Clash is another post the submitted one is too close to.
type Clash struct {
	Kind      string
	PostID    int64
	ChannelID int64
	At        time.Time
	// Similarity of the texts, for duplicates.
	Similarity float64
}

// Clashes compares the post's targets (mine) with other posts' (others) and returns the
// duplicates and conflicts, by channel, then time. similar measures two texts (0–1). A post's
// own targets never clash with each other, and each other post is reported once per channel
// and kind.
func (c SubmitChecks) Clashes(mine, others []Planned, similar func(a, b string) float64) []Clash {
	var out []Clash
	seen := map[Clash]bool{}
	for _, m := range mine {
		if m.At.IsZero() {
			continue
		}
		for _, o := range others {
			if o.PostID == m.PostID || o.ChannelID != m.ChannelID || o.At.IsZero() {
				continue
			}
			gap := m.At.Sub(o.At).Abs()
			if c.DuplicateWindow > 0 && gap <= c.DuplicateWindow {
				if s := similar(m.Text, o.Text); s >= c.Similarity {
					k := Clash{Kind: ClashDuplicate, PostID: o.PostID, ChannelID: o.ChannelID}
					if !seen[k] {
						seen[k] = true
						out = append(out, Clash{Kind: ClashDuplicate, PostID: o.PostID, ChannelID: o.ChannelID, At: o.At, Similarity: s})
					}
				}
			}
			if c.ConflictWindow > 0 && gap < c.ConflictWindow {
				k := Clash{Kind: ClashConflict, PostID: o.PostID, ChannelID: o.ChannelID}
				if !seen[k] {
					seen[k] = true
					out = append(out, Clash{Kind: ClashConflict, PostID: o.PostID, ChannelID: o.ChannelID, At: o.At})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Clash) int {
		if n := cmp.Compare(a.ChannelID, b.ChannelID); n != 0 {
			return n
		}
		if n := a.At.Compare(b.At); n != 0 {
			return n
		}
		if n := cmp.Compare(a.Kind, b.Kind); n != 0 {
			return n
		}
		return cmp.Compare(a.PostID, b.PostID)
	})
	return out
}
