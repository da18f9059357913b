package content

import "testing"

func TestFileExtension(t *testing.T) {
	for _, tc := range []struct {
		mime string
		kind MediaKind
		want string
	}{
		{"image/jpeg", KindImage, ".jpg"},
		{" Image/PNG; charset=binary", KindImage, ".png"},
		{"image/webp", KindImage, ".webp"},
		{"image/gif", KindGIF, ".gif"},
		{"video/quicktime", KindVideo, ".mov"},
		{"video/webm", KindVideo, ".webm"},
		{"application/octet-stream", KindGIF, ".gif"},
		{"video/x-matroska", KindVideo, ".mp4"},
		{"image/bmp", KindImage, ""},
		{"", KindImage, ""},
	} {
		if got := FileExtension(tc.mime, tc.kind); got != tc.want {
			t.Errorf("FileExtension(%q, %s) = %q, want %q", tc.mime, tc.kind, got, tc.want)
		}
	}
}
