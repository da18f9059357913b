package publishers

import (
	"fmt"
	"strings"
)

// The wording of what went wrong after a post's first part was published, shared by the
// publishers that publish threads as reply chains (Mastodon, Bluesky, the sandbox), so people see
// the same sentences whatever the network. Parts are numbered from 1, the first post.

// ThreadPartWarning says, for the people who approved a thread of total parts, that part n (2 or
// more) failed with err after the first post was published, and what Herald left undone because
// of it: a thread stops at the first part that fails, and its first comment (when firstComment)
// is then not posted, since it would reply to the wrong part.
//
// An unknown outcome (the network may have published the part without confirming it) is said as
// such: Herald does not retry a part, and a person who adds it by hand should look first.
func ThreadPartWarning(displayName string, n, total int, err error, firstComment bool) string {
	reason := strings.TrimSuffix(strings.TrimSpace(Message(err)), ".")
	var s string
	if KindOf(err) == KindUnknown {
		s = fmt.Sprintf("Part %d of %d may or may not have been published: %s did not confirm it (%s); the earlier parts are online. Check the thread on %s before adding the rest by hand.",
			n, total, displayName, reason, displayName)
	} else {
		// A reason of several sentences ends with a full stop, not a semicolon.
		sep := "; the"
		if strings.Contains(reason, ". ") {
			sep = ". The"
		}
		s = fmt.Sprintf("Part %d of %d was not published: %s%s earlier parts are online.", n, total, reason, sep)
	}
	if rest := notAttempted(n, total, firstComment); rest != "" {
		s += " Herald stopped there, so " + rest
	}
	return s
}

// notAttempted names what follows part n of total that Herald did not publish, as the end of a
// sentence ("part 3 and the first comment were not published either."); "" when nothing does.
func notAttempted(n, total int, firstComment bool) string {
	var items []string
	switch {
	case n+1 == total:
		items = append(items, fmt.Sprintf("part %d", total))
	case n+1 < total:
		items = append(items, fmt.Sprintf("parts %d to %d", n+1, total))
	}
	if firstComment {
		items = append(items, "the first comment")
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		verb := "was"
		if strings.HasPrefix(items[0], "parts ") {
			verb = "were"
		}
		return items[0] + " " + verb + " not published either."
	}
	return strings.Join(items, " and ") + " were not published either."
}

// FirstCommentWarning says that a post's first comment failed with err after the post (and every
// part of its thread) was published.
func FirstCommentWarning(displayName string, err error) string {
	reason := strings.TrimSuffix(strings.TrimSpace(Message(err)), ".")
	if KindOf(err) == KindUnknown {
		return fmt.Sprintf("The first comment may or may not have been published: %s did not confirm it (%s). Check on %s before adding it by hand.",
			displayName, reason, displayName)
	}
	return fmt.Sprintf("The first comment was not published: %s; the post itself is online.", reason)
}

// MissingAfterFoundWarning says that a post found after an uncertain outcome (FindPublished) lacks
// what should follow it: parts from..total of its thread (from > total when every part is there)
// and, when comment, its first comment. FindPublished never publishes, so people must add them.
func MissingAfterFoundWarning(displayName string, from, total int, comment bool) string {
	var what string
	switch {
	case from == total:
		what = fmt.Sprintf("part %d of %d", from, total)
	case from < total:
		what = fmt.Sprintf("parts %d to %d of %d", from, total, total)
	}
	if comment {
		if what != "" {
			what += " and "
		}
		what += "the first comment"
	}
	if what == "" {
		return ""
	}
	them := "it"
	if from < total || from == total && comment {
		them = "them"
	}
	return "The post was found on " + displayName + " after its outcome was uncertain, but " + what +
		" did not follow it, and Herald does not publish " + them + " later on its own. Add " + them + " on " + displayName + " by hand if still wanted."
}
