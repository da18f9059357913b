// Package content holds the content rules of each social network Herald publishes to, and the one
// function that applies them: Check. The API (POST /api/v1/validate), the calendar UI and the
// scheduler all call it, so a post that the composer shows as fitting is the post the scheduler
// accepts, and both agree with what the network will do.
//
// A rule set (Rules) says how a network counts length (a Counter), its limits on length, hashtags,
// mentions and attachments, and which parts it requires. Check returns, for one network, the
// length as that network counts it, the limit that applied, whether the post can be published,
// and every problem found, each with a stable code, a severity, a plain-English message and a
// position.
//
// Positions are Unicode code-point (rune) offsets into the text exactly as it was given, before
// any normalisation: Start is the first rune of the span and End the rune after its last, so
// []rune(text)[Start:End] is the span. Problems that are not about a span of text use -1 for
// both. Browsers index strings in UTF-16 code units; the UI converts (Array.from(text) indexes
// by code point).
package content
