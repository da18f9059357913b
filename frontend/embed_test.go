package frontend

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, path string, gz bool) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPlaceholderWhenNotBuilt(t *testing.T) {
	fsys := fstest.MapFS{"dist/placeholder.html": {Data: []byte("<p>run make ui</p>")}}
	h := handler(fsys, Config{})
	for _, p := range []string{"/", "/invite", "/assets/x.js"} {
		// The server hands the UI what no API route took, with Gin's 404 preset: the page must
		// set its own status.
		rec := httptest.NewRecorder()
		h.ServeHTTP(&notFoundPreset{ResponseWriter: rec}, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "make ui") {
			t.Errorf("GET %s: %d %q, want the placeholder", p, rec.Code, rec.Body.String())
		}
	}
}

// notFoundPreset is a ResponseWriter whose status is 404 unless the handler sets one, as Gin's
// NoRoute leaves it.
type notFoundPreset struct {
	http.ResponseWriter
	wrote bool
}

func (w *notFoundPreset) WriteHeader(code int) { w.wrote = true; w.ResponseWriter.WriteHeader(code) }

func (w *notFoundPreset) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusNotFound)
	}
	return w.ResponseWriter.Write(b)
}

// The committed placeholder says how to build the UI; a fresh clone embeds only it.
func TestCommittedPlaceholder(t *testing.T) {
	page, err := dist.ReadFile("dist/placeholder.html")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte("make ui")) {
		t.Error("the placeholder page does not say how to build the UI (make ui)")
	}
}

func TestBuiltAppServesConfigAndAssets(t *testing.T) {
	index := `<html><head><title>Herald</title><!--herald:config--><script src="/assets/app-1.js"></script></head><body></body></html>`
	js := strings.Repeat("console.log('herald');\n", 200)
	fsys := fstest.MapFS{
		"dist/placeholder.html":    {Data: []byte("placeholder")},
		"dist/app/index.html":      {Data: []byte(index)},
		"dist/app/assets/app-1.js": {Data: []byte(js)},
	}
	cfg := Config{Version: "1.2.3", PublicURL: "https://herald.example", Demo: true, Networks: []string{"sandbox"},
		DemoAccounts: []DemoAccount{{Email: "a@example.com", Name: "</script><script>alert(1)</script>", Role: "author"}}}
	h := handler(fsys, cfg)

	for _, p := range []string{"/", "/index.html", "/invite", "/some/client/route"} {
		rec := get(t, h, p, false)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, "<title>Herald</title>") {
			t.Fatalf("GET %s: %d %q", p, rec.Code, body)
		}
		if rec.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: the page must be revalidated (Cache-Control %q)", p, rec.Header().Get("Cache-Control"))
		}
		start := strings.Index(body, "<script>window.HERALD=")
		end := strings.Index(body[start:], "</script>")
		if start < 0 || end < 0 || strings.Contains(body, "<!--herald:config-->") {
			t.Fatalf("GET %s: no injected config in %q", p, body)
		}
		if strings.Contains(body, "<script>alert") {
			t.Fatal("a config value closed the script element")
		}
		var got Config
		raw := strings.TrimPrefix(body[start:start+end], "<script>window.HERALD=")
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("the injected config is not JSON: %v: %s", err, raw)
		}
		if got.Version != "1.2.3" || got.PublicURL != cfg.PublicURL || !got.Demo || got.Networks[0] != "sandbox" || got.DemoAccounts[0].Name != cfg.DemoAccounts[0].Name {
			t.Errorf("config = %+v", got)
		}
	}

	rec := get(t, h, "/assets/app-1.js", true)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d, headers %v", rec.Code, rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != js {
		t.Error("the gzipped asset does not decompress to the file")
	}
	if rec := get(t, h, "/assets/missing.js", false); rec.Code != http.StatusNotFound {
		t.Errorf("a missing asset must be a 404, not the page: %d", rec.Code)
	}
}
