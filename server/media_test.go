package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// multipartBody wraps data as the file field of a multipart/form-data body.
func multipartBody(t testing.TB, name string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartPNG is a w×h PNG as an upload body, and its Content-Type.
func multipartPNG(t testing.TB, name string, w, h int) ([]byte, string) {
	return multipartBody(t, name, pngBytes(t, w, h))
}

func upload(t *testing.T, e *testEnv, u *testUser, name string, data []byte) *apiResponse {
	t.Helper()
	body, ct := multipartBody(t, name, data)
	return e.do(t, apiCall{Method: "POST", Path: wsPath(e.A, "/media"), Body: body, Header: map[string]string{"Content-Type": ct}, As: u})
}

// fetch GETs a URL of the test server without credentials, as a network would.
func fetch(t *testing.T, e *testEnv, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.HTTP.URL+url[strings.Index(url, "/media/"):], nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestMediaUpload(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		author := e.A.user(workflow.Author)
		data := pngBytes(t, 800, 400)
		var m mediaFileView
		upload(t, e, author, `C:\photos\café "latte".png`, data).want(t, http.StatusCreated).decode(t, &m)
		sum := sha256.Sum256(data)
		if m.Kind != "image" || m.MIME != "image/png" || m.Width != 800 || m.Height != 400 || m.SizeBytes != int64(len(data)) ||
			m.SHA256 != hex.EncodeToString(sum[:]) || m.FileName != `café "latte".png` || !strings.HasSuffix(m.URL, ".png") {
			t.Fatalf("upload view = %+v", m)
		}
		// Anyone with the URL gets the file (networks fetch it without a session), cacheable.
		res, got := fetch(t, e, m.URL, nil)
		if res.StatusCode != 200 || !bytes.Equal(got, data) || res.Header.Get("Content-Type") != "image/png" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("GET %s: %d %s, %d bytes", m.URL, res.StatusCode, res.Header, len(got))
		}
		// The thumbnail is a JPEG at most 320 pixels wide.
		res, thumb := fetch(t, e, m.ThumbnailURL, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("thumbnail: %d %s", res.StatusCode, res.Header)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(thumb))
		if err != nil || cfg.Width != 320 || cfg.Height != 160 {
			t.Errorf("thumbnail is %dx%d (%v), want 320x160", cfg.Width, cfg.Height, err)
		}
		// A wrong or truncated token is a 404 in the error envelope.
		for _, bad := range []string{"/media/" + strings.Repeat("A", 43) + ".png", "/media/short.png", "/media/" + strings.Repeat("A", 43) + "/thumb"} {
			if res, _ := fetch(t, e, bad, nil); res.StatusCode != 404 {
				t.Errorf("GET %s: %d, want 404", bad, res.StatusCode)
			}
		}

		// The type is sniffed from the bytes, never taken from the name.
		env := upload(t, e, author, "notes.png", []byte("just some text, not an image at all")).wantErr(t, http.StatusUnsupportedMediaType, "unsupported_file_type")
		if env.Fields["file"] == "" {
			t.Errorf("the refusal names no field: %+v", env)
		}
		// A PNG header with a broken body has no size: refused next to the file field.
		broken := append([]byte{}, data[:40]...)
		upload(t, e, author, "broken.png", broken).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
		// Not multipart at all.
		e.do(t, apiCall{Method: "POST", Path: wsPath(e.A, "/media"), Body: data, Header: map[string]string{"Content-Type": "image/png"}, As: author}).
			wantErr(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
		// Viewers cannot upload.
		body, ct := multipartBody(t, "a.png", data)
		e.do(t, apiCall{Method: "POST", Path: wsPath(e.A, "/media"), Body: body, Header: map[string]string{"Content-Type": ct}, As: e.A.user(workflow.Viewer)}).
			wantErr(t, http.StatusForbidden, "forbidden")
	})
}

// Videos are streamed into chunks of 1 MiB and served back with range requests.
func TestMediaVideoChunksAndRanges(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		video := make([]byte, 2*store.MediaChunkSize+12345)
		copy(video, []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"))
		for i := 32; i < len(video); i++ {
			video[i] = byte(i * 7)
		}
		var m mediaFileView
		upload(t, e, e.A.user(workflow.Author), "clip.mp4", video).want(t, http.StatusCreated).decode(t, &m)
		if m.Kind != "video" || m.MIME != "video/mp4" || m.SizeBytes != int64(len(video)) || !strings.HasSuffix(m.URL, ".mp4") {
			t.Fatalf("video upload = %+v", m)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM media_chunks WHERE media_id = ?", m.ID); n != 3 {
			t.Errorf("%d chunks, want 3", n)
		}
		res, got := fetch(t, e, m.URL, nil)
		if res.StatusCode != 200 || !bytes.Equal(got, video) {
			t.Fatalf("full GET: %d, %d bytes", res.StatusCode, len(got))
		}
		// A range across the chunk boundary.
		from, to := store.MediaChunkSize-10, store.MediaChunkSize+20
		res, got = fetch(t, e, m.URL, map[string]string{"Range": "bytes=" + strconv.Itoa(from) + "-" + strconv.Itoa(to)})
		if res.StatusCode != http.StatusPartialContent || !bytes.Equal(got, video[from:to+1]) {
			t.Fatalf("range GET: %d, %d bytes", res.StatusCode, len(got))
		}
		if res, _ := fetch(t, e, m.ThumbnailURL, nil); res.StatusCode != 404 {
			t.Errorf("a video has no thumbnail: %d", res.StatusCode)
		}
		mf, err := e.Store.MediaByToken(testCtx, mediaTokenOf(m.URL[strings.LastIndex(m.URL, "/")+1:]))
		if err != nil {
			t.Fatal(err)
		}
		all, err := e.Store.MediaBytes(testCtx, mf)
		if err != nil || !bytes.Equal(all, video) {
			t.Errorf("MediaBytes: %v, %d bytes", err, len(all))
		}
	})
}

func TestMediaTooLarge(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.restartWith(t, func(c *Config) { c.MaxUploadBytes = 1 << 20 })
	big := make([]byte, 1<<20+100)
	copy(big, []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"))
	upload(t, e, e.A.user(workflow.Author), "big.mp4", big).wantErr(t, http.StatusRequestEntityTooLarge, "file_too_large")
	if n := e.count(t, "SELECT COUNT(*) FROM media"); n != 0 {
		t.Errorf("a refused upload left %d rows", n)
	}
}

func TestWebPSize(t *testing.T) {
	// A lossless 1x1 WebP and a lossy header, built by hand.
	vp8l := []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	if w, h := webpSize(vp8l); w != 1 || h != 1 {
		t.Errorf("VP8L: %dx%d", w, h)
	}
	vp8 := []byte("RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x00\x00\x00\x9d\x01\x2a\x40\x01\xf0\x00\x00\x00")
	if w, h := webpSize(vp8); w != 320 || h != 240 {
		t.Errorf("VP8: %dx%d", w, h)
	}
	if w, _ := webpSize([]byte("RIFF....WEBP")); w != 0 {
		t.Error("a truncated header must give no size")
	}
}
