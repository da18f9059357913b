// Package voice checks a post against a brand's voice: the words the brand uses and avoids, its
// hashtags, links, emoji, sentence form, required disclaimers and expected language. It is pure
// Go with no database and no network, so the same checker runs in the composer's live check, at
// submit, in the review queue and in the API, and can be tested exhaustively.
//
// A Profile is a workspace's voice: a description for people, and Rules for the checker, with
// Patches that apply to posts carrying a label or going to one channel. Check resolves the rules
// for one channel and set of labels and returns Findings.
//
// # Spans
//
// A Finding points at the text it is about with a Span that carries two pairs of offsets into the
// text as the author wrote it:
//
//   - Start and End are byte offsets, always on extended grapheme cluster boundaries (so a span
//     never cuts an emoji, a flag or a letter from its accent): text[Start:End] is what to
//     underline, for Go and other byte-oriented clients.
//   - Start16 and End16 are the same positions in UTF-16 code units, which is how JavaScript
//     indexes strings: text.slice(Start16, End16) in a browser is the same text. The HTTP API
//     returns both; browser clients use the UTF-16 pair.
//
// A suggested Fix replaces its own span (which may differ from the finding's, e.g. an insertion
// at the end of the text, or a span widened to include a French article that must change) with
// its Replacement.
//
// # Matching
//
// Vocabulary matching folds case and accents (Énorme, enorme and ÉNORME are one word), treats
// the ligatures œ and æ as oe and ae, and compares singular forms, so a term written "user"
// also finds "users", and "utilisateur" finds "utilisateurs"; plural rules follow the text's
// language (English or French; both when it is not known). French elision is understood:
// "l'utilisateur" contains the word "utilisateur", and a suggested replacement that changes the
// first sound rewrites the article too ("l'utilisateur" → "le client").
package voice
