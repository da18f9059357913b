package publishers

import (
	"context"
	"testing"
)

func TestThreadPartWarning(t *testing.T) {
	refused := Errorf("mastodon", KindPermanent, 422, "Validation failed: Text character limit of 500 exceeded.")
	lost := &Error{Kind: KindUnknown, Network: "mastodon", Err: context.DeadlineExceeded}
	for _, tc := range []struct {
		name         string
		n, total     int
		err          error
		firstComment bool
		want         string
	}{
		{"last part", 3, 3, refused, false,
			"Part 3 of 3 was not published: Validation failed: Text character limit of 500 exceeded; the earlier parts are online."},
		{"one part left", 3, 4, refused, false,
			"Part 3 of 4 was not published: Validation failed: Text character limit of 500 exceeded; the earlier parts are online. Herald stopped there, so part 4 was not published either."},
		{"parts and comment left", 2, 4, refused, true,
			"Part 2 of 4 was not published: Validation failed: Text character limit of 500 exceeded; the earlier parts are online. Herald stopped there, so parts 3 to 4 and the first comment were not published either."},
		{"only the comment left", 2, 2, refused, true,
			"Part 2 of 2 was not published: Validation failed: Text character limit of 500 exceeded; the earlier parts are online. Herald stopped there, so the first comment was not published either."},
		{"a reason of two sentences", 2, 2, Errorf("sandbox", KindPermanent, 422, "Sandbox refused the post: it contains #fail. Remove #fail to publish it."), false,
			"Part 2 of 2 was not published: Sandbox refused the post: it contains #fail. Remove #fail to publish it. The earlier parts are online."},
		{"unknown outcome", 2, 3, lost, false,
			"Part 2 of 3 may or may not have been published: Mastodon did not confirm it (The network did not answer in time); the earlier parts are online. Check the thread on Mastodon before adding the rest by hand. Herald stopped there, so part 3 was not published either."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ThreadPartWarning("Mastodon", tc.n, tc.total, tc.err, tc.firstComment); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestFirstCommentWarning(t *testing.T) {
	got := FirstCommentWarning("Bluesky", Errorf("bluesky", KindPermanent, 400, "Record/text must not be longer than 300 graphemes"))
	if want := "The first comment was not published: Record/text must not be longer than 300 graphemes; the post itself is online."; got != want {
		t.Errorf("got %q", got)
	}
	got = FirstCommentWarning("Bluesky", &Error{Kind: KindUnknown, Network: "bluesky", Message: "Bluesky did not confirm the post."})
	if want := "The first comment may or may not have been published: Bluesky did not confirm it (Bluesky did not confirm the post). Check on Bluesky before adding it by hand."; got != want {
		t.Errorf("got %q", got)
	}
}

func TestMissingAfterFoundWarning(t *testing.T) {
	for _, tc := range []struct {
		from, total int
		comment     bool
		want        string
	}{
		{4, 3, false, ""},
		{3, 3, false, "The post was found on Bluesky after its outcome was uncertain, but part 3 of 3 did not follow it, and Herald does not publish it later on its own. Add it on Bluesky by hand if still wanted."},
		{2, 3, true, "The post was found on Bluesky after its outcome was uncertain, but parts 2 to 3 of 3 and the first comment did not follow it, and Herald does not publish them later on its own. Add them on Bluesky by hand if still wanted."},
		{2, 1, true, "The post was found on Bluesky after its outcome was uncertain, but the first comment did not follow it, and Herald does not publish it later on its own. Add it on Bluesky by hand if still wanted."},
	} {
		if got := MissingAfterFoundWarning("Bluesky", tc.from, tc.total, tc.comment); got != tc.want {
			t.Errorf("%d..%d comment %v:\ngot  %q\nwant %q", tc.from, tc.total, tc.comment, got, tc.want)
		}
	}
}
