package content

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// checkMedia applies the attachment rules: required media, count, solo kinds, then each
// attachment's kind, type, size, duration, shape and alt text.
func checkMedia(res *Result, r Rules, media []Media) {
	name := r.displayName()
	add := func(code, severity, field, msg string) {
		res.Problems = append(res.Problems, Problem{Code: code, Severity: severity, Field: field, Start: -1, End: -1, Message: msg})
	}
	if len(media) == 0 {
		if r.MediaRequired {
			add(CodeMediaRequired, SeverityError, "media", fmt.Sprintf("%s needs at least one image or video", name))
		}
		return
	}
	if r.MaxMedia <= 0 {
		add(CodeTooManyMedia, SeverityError, "media", fmt.Sprintf("%s does not take attachments: remove %s", name, plural(len(media), "attachment")))
		return
	}
	if len(media) > r.MaxMedia {
		add(CodeTooManyMedia, SeverityError, "media", fmt.Sprintf("Too many attachments for %s: %d of %d", name, len(media), r.MaxMedia))
	}
	for _, kind := range r.SoloKinds {
		n := 0
		for _, m := range media {
			if m.Kind == kind {
				n++
			}
		}
		switch {
		case n == 0 || len(media) == 1:
		case n == len(media):
			add(CodeTooManyMedia, SeverityError, "media", fmt.Sprintf("%s takes only one %s per post; this one has %d", name, kindNoun(kind), n))
		default:
			add(CodeMixedMedia, SeverityError, "media", fmt.Sprintf("%s cannot combine a %s with other attachments", name, kindNoun(kind)))
		}
	}

	for i, m := range media {
		field := fmt.Sprintf("media[%d]", i)
		what := fmt.Sprintf("Attachment %d (%s)", i+1, kindNoun(m.Kind))
		allowed, ok := r.AllowedMIME[m.Kind]
		switch {
		case m.Kind != KindImage && m.Kind != KindGIF && m.Kind != KindVideo:
			add(CodeMediaType, SeverityError, field, fmt.Sprintf("Attachment %d has an unknown kind %q: use image, gif or video", i+1, string(m.Kind)))
			continue
		case !ok:
			add(CodeMediaType, SeverityError, field, fmt.Sprintf("%s: %s does not accept %ss", what, name, kindNoun(m.Kind)))
			continue
		}
		if mime := normalizeMIME(m.MIME); mime != "" {
			if len(allowed) > 0 && !slices.Contains(allowed, mime) {
				add(CodeMediaType, SeverityError, field, fmt.Sprintf("%s: %s does not accept %s; use %s", what, name, mime, strings.Join(allowed, ", ")))
			} else if len(allowed) == 0 && !strings.HasPrefix(mime, family(m.Kind)) {
				add(CodeMediaType, SeverityError, field, fmt.Sprintf("%s: %s is not a %s type", what, mime, kindNoun(m.Kind)))
			}
		}
		if max := r.maxBytes(m.Kind); max > 0 && m.SizeBytes > max {
			add(CodeMediaTooLarge, SeverityError, field, fmt.Sprintf("%s is too large for %s: %s of %s", what, name, size(m.SizeBytes, max), size(max, max)))
		}
		if m.Kind == KindVideo && r.MaxVideoSeconds > 0 && m.DurationSec > r.MaxVideoSeconds {
			add(CodeVideoTooLong, SeverityError, field, fmt.Sprintf("%s is too long for %s: %s of %s", what, name, duration(m.DurationSec), duration(r.MaxVideoSeconds)))
		}
		if m.Kind == KindImage && m.Width > 0 && m.Height > 0 && (r.MinAspectRatio > 0 || r.MaxAspectRatio > 0) {
			ratio := float64(m.Width) / float64(m.Height)
			// Networks round the ratio they show; allow the rounding of the limits they state.
			const slack = 0.005
			if r.MinAspectRatio > 0 && ratio < r.MinAspectRatio-slack || r.MaxAspectRatio > 0 && ratio > r.MaxAspectRatio+slack {
				add(CodeAspectRatio, SeverityError, field, fmt.Sprintf("%s is %d×%d (%.2f:1); %s takes images from %.2f:1 to %.2f:1",
					what, m.Width, m.Height, ratio, name, r.MinAspectRatio, r.MaxAspectRatio))
			}
		}
		if r.AltTextRecommended && strings.TrimSpace(m.AltText) == "" {
			add(CodeAltTextMissing, SeverityWarning, field, fmt.Sprintf("%s has no alt text; people on %s who use screen readers rely on it", what, name))
		}
	}
}

// maxBytes returns the size limit for a kind.
func (r Rules) maxBytes(k MediaKind) int64 {
	switch k {
	case KindImage:
		return r.MaxImageBytes
	case KindGIF:
		return r.MaxGIFBytes
	case KindVideo:
		return r.MaxVideoBytes
	}
	return 0
}

// normalizeMIME lower-cases a MIME type, drops parameters and maps the common non-standard
// "image/jpg" to "image/jpeg", so "Image/JPG; q=1" matches "image/jpeg".
func normalizeMIME(m string) string {
	m, _, _ = strings.Cut(m, ";")
	m = strings.ToLower(strings.TrimSpace(m))
	if m == "image/jpg" || m == "image/pjpeg" {
		return "image/jpeg"
	}
	return m
}

// family is the MIME prefix a kind's types share.
func family(k MediaKind) string {
	if k == KindVideo {
		return "video/"
	}
	return "image/"
}

// kindNoun names a kind in a sentence.
func kindNoun(k MediaKind) string {
	switch k {
	case KindImage:
		return "image"
	case KindGIF:
		return "GIF"
	case KindVideo:
		return "video"
	}
	return "attachment"
}

// plural formats a count with its noun.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// size formats n bytes in megabytes, in the unit the limit is stated in (MiB when the limit is
// a whole number of them, else decimal), so "5 MB" limits compare with sizes shown the same way.
// It rounds up, so a size over the limit never shows as equal to it.
func size(n, limit int64) string {
	unit := float64(1_000_000)
	if limit%miB == 0 {
		unit = miB
	}
	v := float64(n) / unit
	switch {
	case v < 0.1:
		return number(int(n)) + " bytes"
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f MB", v)
	case v < 10:
		return fmt.Sprintf("%.2f MB", math.Ceil(v*100)/100)
	}
	return fmt.Sprintf("%.1f MB", math.Ceil(v*10)/10)
}

// duration formats seconds as m:ss (or h:mm:ss), rounding up so a video over the limit never
// shows as equal to it.
func duration(sec float64) string {
	s := int64(math.Ceil(sec))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// extensions name the file types attachments come in.
var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
	"image/heic": ".heic", "image/heif": ".heif", "image/avif": ".avif",
	"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "video/ogg": ".ogv",
}

// FileExtension is the file name extension of an attachment of type mimeType (parameters
// aside), for the file names publishers give uploads: some networks decide from the name how to
// show a file. A type it does not know gets ".gif" for a GIF, ".mp4" for a video, and "" for
// anything else, rather than a name that claims a type the file does not have.
func FileExtension(mimeType string, kind MediaKind) string {
	base, _, _ := strings.Cut(mimeType, ";")
	if ext, ok := extensions[strings.ToLower(strings.TrimSpace(base))]; ok {
		return ext
	}
	switch kind {
	case KindGIF:
		return ".gif"
	case KindVideo:
		return ".mp4"
	}
	return ""
}
