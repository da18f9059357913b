package publishers

import (
	"strings"
	"testing"
)

func TestPublicURLProblem(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string // a fragment of the message; "" for no problem
	}{
		{"https://herald.example.com/media/1.jpg", ""},
		{"http://203.0.113.7/media/1.jpg", ""},
		{"", "has none"},
		{"http://localhost:8080/media/1.jpg", "localhost"},
		{"http://127.0.0.1:8080/m.jpg", "private address"},
		{"http://[::1]:8080/m.jpg", "private address"},
		{"http://10.1.2.3/m.jpg", "private address"},
		{"http://192.168.1.20/m.jpg", "private address"},
		{"http://100.72.1.1/m.jpg", "private address"},
		{"http://herald.local/m.jpg", "herald.local"},
		{"http://herald/m.jpg", "herald"},
		{"ftp://example.com/m.jpg", "ftp:"},
		{"::not a url", "not a URL"},
	} {
		got := PublicURLProblem("Instagram", tc.url)
		if tc.want == "" {
			if got != "" {
				t.Errorf("%q: unexpected problem %q", tc.url, got)
			}
			continue
		}
		if !strings.Contains(got, tc.want) || !strings.Contains(got, "HERALD_PUBLIC_URL") || !strings.Contains(got, "Instagram") {
			t.Errorf("%q: got %q, want it to mention %q, HERALD_PUBLIC_URL and the network", tc.url, got, tc.want)
		}
	}
}

func TestPartKey(t *testing.T) {
	if PartKey("k", 0) != "k" || PartKey("k", 2) != "k-2" {
		t.Fatalf("PartKey: %q %q", PartKey("k", 0), PartKey("k", 2))
	}
	if PartKey("", 1) != "" {
		t.Fatalf("PartKey of an empty key: %q", PartKey("", 1))
	}
}
