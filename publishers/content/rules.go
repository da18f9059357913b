package content

import (
	"slices"
	"sort"
)

// Rules is one network's content rules. Zero means "no limit" for every numeric limit and
// MaxMedia, where zero means the network takes no attachments at all.
//
// The built-in rule sets are returned by ForNetwork. Rules is a plain value so a caller can adapt
// one, e.g. a Mastodon instance configured for 5,000 characters (from GET /api/v2/instance):
//
//	r, _ := content.ForNetwork("mastodon")
//	r.MaxLength = 5000
//	res := content.Check(r, c)
type Rules struct {
	// Network is the rule set's name, the key used by ForNetwork and CheckAll ("x").
	Network string
	// Name is how messages name the network ("X"); Network is used when empty.
	Name string

	// MaxLength is the most the text may count, by Counter.
	MaxLength int
	// MaxCaption, when not zero, replaces MaxLength when media is attached: Telegram sends the
	// text of a post with media as a caption, which has a lower limit.
	MaxCaption int
	// MaxBytes, when not zero, limits the text's size in UTF-8 bytes as well: Bluesky allows
	// 300 graphemes but also at most 3,000 bytes, which long emoji sequences can exceed first.
	MaxBytes int
	// Counter is how the network counts length; nil means Chars.
	Counter Counter

	// MaxHashtags and MaxMentions limit hashtags and mentions in the text, and separately in the
	// first comment (see Hashtags and Mentions for what counts).
	MaxHashtags int
	MaxMentions int

	// MaxMedia is the most attachments a post may have; 0 means none are accepted.
	MaxMedia int
	// MediaRequired means a post needs at least one attachment (Instagram).
	MediaRequired bool
	// AllowedMIME lists, per kind, the MIME types accepted. A kind that is absent is not
	// accepted at all; a kind mapped to an empty list accepts any MIME type of the right family
	// (image/… for images and GIFs, video/… for videos).
	AllowedMIME map[MediaKind][]string
	// SoloKinds are kinds that must be the only attachment of their post: on X a video or a
	// GIF cannot be combined with anything, not even a second one.
	SoloKinds []MediaKind
	// MaxImageBytes, MaxGIFBytes and MaxVideoBytes limit the size of each attachment by kind.
	MaxImageBytes int64
	MaxGIFBytes   int64
	MaxVideoBytes int64
	// MaxVideoSeconds limits the duration of each video.
	MaxVideoSeconds float64
	// MinAspectRatio and MaxAspectRatio bound width/height of each image (Instagram: 4:5 to
	// 1.91:1), checked when both dimensions are known.
	MinAspectRatio float64
	MaxAspectRatio float64
	// AltTextRecommended makes a missing alt text a warning: on these networks readers rely on
	// it and many will not boost a post without it.
	AltTextRecommended bool

	// Threads means Herald can publish a thread here: later parts as replies to the first.
	// MaxThreadParts bounds the parts, the first one included (0: no limit).
	Threads        bool
	MaxThreadParts int

	// FirstComment means Herald can post a first comment on this network.
	FirstComment bool
	// MaxFirstComment is the most the first comment may count, by Counter.
	MaxFirstComment int
}

// displayName is the network's name for messages.
func (r Rules) displayName() string {
	if r.Name != "" {
		return r.Name
	}
	if r.Network != "" {
		return r.Network
	}
	return "this network"
}

// clone returns a copy of r that shares no map or slice with it, so callers of ForNetwork cannot
// change the built-in rules by accident.
func (r Rules) clone() Rules {
	if r.AllowedMIME != nil {
		m := make(map[MediaKind][]string, len(r.AllowedMIME))
		for k, v := range r.AllowedMIME {
			m[k] = slices.Clone(v)
		}
		r.AllowedMIME = m
	}
	r.SoloKinds = slices.Clone(r.SoloKinds)
	return r
}

// ForNetwork returns a copy of the built-in rules for a network, looked up without regard to
// case, and whether there are any.
func ForNetwork(name string) (Rules, bool) {
	r, ok := builtin[canonical(name)]
	if !ok {
		return Rules{}, false
	}
	return r.clone(), true
}

// Networks returns the names of the built-in rule sets, sorted.
func Networks() []string {
	names := make([]string, 0, len(builtin))
	for name := range builtin {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Size units. Networks that say "MB" in their documentation mean MiB in their checks (X answers
// "File size exceeds 5242880 bytes" for its 5 MB image limit); Bluesky's lexicons give bytes.
const (
	miB = 1 << 20
	giB = 1 << 30
)

// threadParts bounds a thread on the networks where Herald publishes later parts as a reply
// chain: Herald's bound (X's own composer stops at 25), not one the networks document.
const threadParts = 25

// MIME types shared by several rule sets.
var (
	jpegPNGWebP   = []string{"image/jpeg", "image/png", "image/webp"}
	gifOnly       = []string{"image/gif"}
	mp4MOV        = []string{"video/mp4", "video/quicktime"}
	anyMIME       = []string(nil)
	onlyVideoSolo = []MediaKind{KindVideo}
)

// builtin holds the rule sets. Where a figure comes from matters when a network changes it, so
// each says where it was checked: the product issue, NETWORKS.md, the machine-readable specs in
// shared/specs, or the network's documentation as known when this was written ("network docs",
// to re-check before relying on it). Limits nobody could vouch for are left at zero (unchecked)
// rather than guessed: a false "too large" blocks a post the network would take.
var builtin = map[string]*Rules{
	"x": {
		Network: "x", Name: "X",
		Threads: true, MaxThreadParts: threadParts,
		MaxLength: 280, Counter: XWeighted, // twitter-text v3 (NETWORKS.md)
		MaxMedia: 4, SoloKinds: []MediaKind{KindVideo, KindGIF}, // 4 images, or 1 video, or 1 GIF
		AllowedMIME: map[MediaKind][]string{KindImage: jpegPNGWebP, KindGIF: gifOnly, KindVideo: mp4MOV},
		// Product issue; X's own errors state the sizes in MiB.
		MaxImageBytes: 5 * miB, MaxGIFBytes: 15 * miB, MaxVideoBytes: 512 * miB, MaxVideoSeconds: 140,
		// The X publisher posts the first comment as a self-reply: a post of its own, same limit.
		FirstComment: true, MaxFirstComment: 280,
	},
	"bluesky": {
		Network: "bluesky", Name: "Bluesky",
		Threads: true, MaxThreadParts: threadParts,
		// app.bsky.feed.post: maxGraphemes 300 and maxLength 3000 (bytes).
		MaxLength: 300, MaxBytes: 3000, Counter: Graphemes,
		// app.bsky.embed.images: up to 4, image/*, maxSize 2,000,000 ("formerly limited to
		// 1 MB"). app.bsky.embed.video: one video/mp4, maxSize 300,000,000 ("formerly 100mb").
		// Three minutes: product issue. An animated GIF has no embed of its own; the Bluesky app
		// converts it to a video first, which Herald does not.
		MaxMedia: 4, SoloKinds: onlyVideoSolo,
		AllowedMIME:   map[MediaKind][]string{KindImage: anyMIME, KindVideo: {"video/mp4"}},
		MaxImageBytes: 2_000_000, MaxVideoBytes: 300_000_000, MaxVideoSeconds: 180,
		AltTextRecommended: true,
		// The first comment is a post of its own (a reply): the same 300 graphemes.
		FirstComment: true, MaxFirstComment: 300,
	},
	"mastodon": {
		Network: "mastodon", Name: "Mastodon",
		Threads: true, MaxThreadParts: threadParts,
		// Default instance configuration (GET /api/v2/instance in the Mastodon OpenAPI spec):
		// max_characters 500, characters_reserved_per_url 23, max_media_attachments 4,
		// image_size_limit 16,777,216, video_size_limit 103,809,024, supported_mime_types. A
		// video stands alone (PostStatusService); GIFs become looping videos but may sit with images.
		MaxLength: 500, Counter: MastodonCounter,
		MaxMedia: 4, SoloKinds: onlyVideoSolo,
		AllowedMIME: map[MediaKind][]string{
			KindImage: {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "image/avif"},
			KindGIF:   gifOnly,
			KindVideo: {"video/mp4", "video/quicktime", "video/webm", "video/ogg"},
		},
		MaxImageBytes: 16 * miB, MaxGIFBytes: 16 * miB, MaxVideoBytes: 99 * miB,
		// Not in the product issue: Mastodon's culture expects descriptions (description_limit
		// is 1,500), so Herald nudges as it does for Bluesky.
		AltTextRecommended: true,
		// The first comment is a status of its own (a self-reply): the same limit.
		FirstComment: true, MaxFirstComment: 500,
	},
	"linkedin": {
		Network: "linkedin", Name: "LinkedIn",
		MaxLength: 3000, Counter: Chars, // NETWORKS.md
		// Product issue: up to 20 images or one video. Sizes and durations unverified: unchecked.
		MaxMedia: 20, SoloKinds: onlyVideoSolo,
		AllowedMIME: map[MediaKind][]string{KindImage: {"image/jpeg", "image/png", "image/gif"}, KindVideo: {"video/mp4"}},
		// Network docs (Comments API): the publisher posts the first comment as the author;
		// a comment's text is at most 1,250 characters.
		FirstComment: true, MaxFirstComment: 1250,
	},
	"instagram": {
		Network: "instagram", Name: "Instagram",
		MaxLength: 2200, Counter: Chars, MaxHashtags: 30, MaxMentions: 20, // NETWORKS.md
		// Product issue: media required, carousels up to 10 (images and videos may mix).
		// Network docs (Content Publishing): JPEG only, 8 MB, aspect 4:5 to 1.91:1; video (reels)
		// MP4 or MOV, up to 300 MB and 15 minutes. No GIFs.
		MaxMedia: 10, MediaRequired: true,
		AllowedMIME:   map[MediaKind][]string{KindImage: {"image/jpeg"}, KindVideo: mp4MOV},
		MaxImageBytes: 8 * miB, MaxVideoBytes: 300 * miB, MaxVideoSeconds: 15 * 60,
		MinAspectRatio: 4.0 / 5.0, MaxAspectRatio: 1.91,
		FirstComment: true, MaxFirstComment: 2200, // network docs: comments share the caption's limit
	},
	"threads": {
		Network: "threads", Name: "Threads",
		Threads: true, MaxThreadParts: threadParts,
		MaxLength: 500, Counter: Chars, // NETWORKS.md
		// Product issue: 10 media (carousel), image 8 MB, video 5 minutes. Network docs: JPEG or
		// PNG images; MP4 or MOV video up to 1 GB.
		MaxMedia:      10,
		AllowedMIME:   map[MediaKind][]string{KindImage: {"image/jpeg", "image/png"}, KindVideo: mp4MOV},
		MaxImageBytes: 8 * miB, MaxVideoBytes: 1 * giB, MaxVideoSeconds: 5 * 60,
		// The Threads publisher posts the first comment as a reply: a post of its own, same limit.
		FirstComment: true, MaxFirstComment: 500,
	},
	"facebook": {
		Network: "facebook", Name: "Facebook",
		MaxLength: 63206, Counter: Chars, // product issue
		// A Page post carries several photos or one video. The cap of 10 photos is Herald's
		// choice, not a documented Graph API limit; sizes unverified: unchecked.
		MaxMedia: 10, SoloKinds: onlyVideoSolo,
		AllowedMIME: map[MediaKind][]string{KindImage: anyMIME, KindGIF: gifOnly, KindVideo: anyMIME},
		// The first comment is a comment by the Page on its post (POST /{post-id}/comments);
		// Facebook cuts comments at 8,000 characters.
		FirstComment: true, MaxFirstComment: 8000,
	},
	"telegram": {
		Network: "telegram", Name: "Telegram",
		MaxLength: 4096, MaxCaption: 1024, Counter: Chars, // NETWORKS.md
		// sendMediaGroup takes 2–10 photos and videos; an animation (GIF) is sent alone with
		// sendAnimation. Bot API upload limits: 10 MB photos, 50 MB other files.
		MaxMedia: 10, SoloKinds: []MediaKind{KindGIF},
		AllowedMIME:   map[MediaKind][]string{KindImage: {"image/jpeg", "image/png", "image/webp"}, KindGIF: gifOnly, KindVideo: {"video/mp4"}},
		MaxImageBytes: 10 * miB, MaxGIFBytes: 50 * miB, MaxVideoBytes: 50 * miB,
	},
	"discord": {
		Network: "discord", Name: "Discord",
		MaxLength: 2000, Counter: Chars, // NETWORKS.md
		// Up to 10 attachments; 10 MiB each on a server without boosts (network docs).
		MaxMedia:      10,
		AllowedMIME:   map[MediaKind][]string{KindImage: anyMIME, KindGIF: gifOnly, KindVideo: anyMIME},
		MaxImageBytes: 10 * miB, MaxGIFBytes: 10 * miB, MaxVideoBytes: 10 * miB,
	},
	"slack": {
		Network: "slack", Name: "Slack",
		MaxLength: 40000, Counter: Chars, // chat.postMessage truncates text beyond 40,000
		// A bot-token channel uploads files (files.completeUploadExternal takes up to 10, of any
		// type); an incoming webhook cannot, and its publisher refuses attachments in plain words.
		MaxMedia:    10,
		AllowedMIME: map[MediaKind][]string{KindImage: anyMIME, KindGIF: gifOnly, KindVideo: anyMIME},
	},
	"sandbox": {
		Network: "sandbox", Name: "Sandbox",
		Threads: true, MaxThreadParts: threadParts,
		// The demo network: small, strict limits so every kind of problem can be shown.
		MaxLength: 500, Counter: Chars,
		MaxMedia:     4,
		AllowedMIME:  map[MediaKind][]string{KindImage: {"image/jpeg", "image/png", "image/gif", "image/webp"}},
		FirstComment: true, MaxFirstComment: 500,
	},
}
