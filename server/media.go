package server

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/store"
)

// Upload limits. Images are decoded in memory (for their size and a thumbnail), so they are
// capped lower than videos, which are streamed into the database chunk by chunk.
const (
	maxImageUpload = 16 << 20
	// DefaultMaxUploadBytes is the largest upload (a video) when Config.MaxUploadBytes is zero.
	DefaultMaxUploadBytes = 100 << 20
	thumbSize             = 320
)

// uploadTypes are the file types Herald accepts, as sniffed from the bytes (never as claimed by
// the browser), with the extension their public URL ends in.
var uploadTypes = map[string]struct{ kind, ext string }{
	"image/jpeg":      {"image", ".jpg"},
	"image/png":       {"image", ".png"},
	"image/webp":      {"image", ".webp"},
	"image/gif":       {"gif", ".gif"},
	"video/mp4":       {"video", ".mp4"},
	"video/quicktime": {"video", ".mov"},
	"video/webm":      {"video", ".webm"},
}

type mediaFileView struct {
	ID           int64     `json:"id"`
	URL          string    `json:"url"`
	ThumbnailURL string    `json:"thumbnail_url"`
	Kind         string    `json:"kind"`
	MIME         string    `json:"mime"`
	SizeBytes    int64     `json:"size_bytes"`
	Width        int       `json:"width"`
	Height       int       `json:"height"`
	FileName     string    `json:"file_name"`
	SHA256       string    `json:"sha256"`
	CreatedAt    time.Time `json:"created_at"`
}

func (s *Server) viewMedia(m *store.MediaFile) mediaFileView {
	base := strings.TrimRight(s.cfg.PublicURL, "/") + "/media/" + m.Token
	return mediaFileView{ID: m.ID, URL: base + uploadTypes[m.MIME].ext, ThumbnailURL: base + "/thumb", Kind: m.Kind, MIME: m.MIME,
		SizeBytes: m.SizeBytes, Width: m.Width, Height: m.Height, FileName: m.FileName, SHA256: m.SHA256, CreatedAt: m.CreatedAt.UTC()}
}

// isUpload reports whether a request is a media upload, which gets the larger body limit.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v1/workspaces/") && strings.HasSuffix(r.URL.Path, "/media")
}

// uploadMedia stores one file sent as multipart/form-data in the field "file". The type is
// sniffed from the bytes; images have their dimensions read and a thumbnail made. The answer's
// url is what a post's media list references; it works without a session, for the networks that
// fetch media themselves.
func (s *Server) uploadMedia(c *gin.Context) {
	if mt := c.ContentType(); mt != "multipart/form-data" {
		s.fail(c, apiErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the file as multipart/form-data in a field named file."))
		return
	}
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			s.fail(c, tooLarge(mbe.Limit))
		case errors.Is(err, http.ErrMissingFile):
			s.fail(c, fieldErr(map[string]string{"file": "choose a file to upload"}))
		default:
			s.fail(c, apiErr(http.StatusBadRequest, "bad_body", "The upload could not be read; send it as multipart/form-data."))
		}
		return
	}
	defer file.Close()
	defer func() {
		if c.Request.MultipartForm != nil {
			_ = c.Request.MultipartForm.RemoveAll()
		}
	}()
	head := make([]byte, 512)
	n, _ := io.ReadFull(file, head)
	head = head[:n]
	mime := sniff(head)
	t, ok := uploadTypes[mime]
	if !ok {
		s.fail(c, &APIError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_file_type",
			Message: "Herald accepts JPEG, PNG, WebP and GIF images and MP4, MOV and WebM videos.",
			Fields:  map[string]string{"file": "this file is not an image or video Herald accepts"}})
		return
	}
	m := &store.MediaFile{WorkspaceID: workspaceID(c), Kind: t.kind, MIME: mime, FileName: cleanFileName(header.Filename),
		CreatedBy: callerOf(c).User.ID}
	if m.Token, err = mediaToken(); err != nil {
		s.fail(c, err)
		return
	}
	body := io.MultiReader(bytes.NewReader(head), file)
	limit := s.maxUpload()
	if t.kind != "video" {
		limit = min(limit, maxImageUpload)
		data, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
		if err != nil {
			s.fail(c, err)
			return
		}
		if len(data) > limit {
			s.fail(c, tooLarge(int64(limit)))
			return
		}
		m.Width, m.Height = imageSize(mime, data)
		m.Thumb, m.ThumbMIME = thumbnail(mime, data)
		// A file the standard library can decode must decode: a damaged image is refused now,
		// not by the network at publication time.
		if m.Width == 0 || (mime != "image/webp" && m.Thumb == nil) {
			s.fail(c, fieldErr(map[string]string{"file": "the image could not be read; it may be damaged"}))
			return
		}
		body = bytes.NewReader(data)
	}
	if err := s.store.CreateMedia(c.Request.Context(), m, body, int64(limit), callerOf(c).actor()); err != nil {
		if errors.Is(err, store.ErrTooLarge) {
			err = tooLarge(int64(limit))
		}
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.viewMedia(m))
}

func (s *Server) maxUpload() int {
	if s.cfg.MaxUploadBytes > 0 {
		return int(s.cfg.MaxUploadBytes)
	}
	return DefaultMaxUploadBytes
}

func tooLarge(limit int64) *APIError {
	return &APIError{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large",
		Message: fmt.Sprintf("The file is larger than %d MB.", limit>>20),
		Fields:  map[string]string{"file": fmt.Sprintf("at most %d MB", limit>>20)}}
}

// mediaToken is 32 random bytes, base64url: the unguessable name of an upload.
func mediaToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) || name == "." || name == "/" {
		return ""
	}
	return truncate(name, 255)
}

// sniff names a file's type from its first bytes. http.DetectContentType knows the image formats
// and MP4 and WebM; QuickTime files are recognised by their ftyp brand.
func sniff(head []byte) string {
	if len(head) >= 12 && string(head[4:8]) == "ftyp" && string(head[8:12]) == "qt  " {
		return "video/quicktime"
	}
	mt := http.DetectContentType(head)
	mt, _, _ = strings.Cut(mt, ";")
	return mt
}

// imageSize reads an image's dimensions from its header (0, 0 when it cannot be read).
func imageSize(mime string, data []byte) (int, int) {
	if mime == "image/webp" {
		return webpSize(data)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// webpSize reads the dimensions of a WebP file (lossy VP8, lossless VP8L or extended VP8X), whose
// decoder is not in the standard library.
func webpSize(b []byte) (int, int) {
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0
	}
	switch string(b[12:16]) {
	case "VP8 ":
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0
		}
		return int(binary.LittleEndian.Uint16(b[26:28]) & 0x3fff), int(binary.LittleEndian.Uint16(b[28:30]) & 0x3fff)
	case "VP8L":
		if b[20] != 0x2f {
			return 0, 0
		}
		bits := binary.LittleEndian.Uint32(b[21:25])
		return int(bits&0x3fff) + 1, int((bits>>14)&0x3fff) + 1
	case "VP8X":
		w := int(b[24]) | int(b[25])<<8 | int(b[26])<<16
		h := int(b[27]) | int(b[28])<<8 | int(b[29])<<16
		return w + 1, h + 1
	}
	return 0, 0
}

// thumbnail makes a JPEG at most thumbSize pixels on its longer side, for the composer. Formats
// the standard library cannot decode (WebP) get none: the UI shows the file itself.
func thumbnail(mime string, data []byte) ([]byte, string) {
	var src image.Image
	var err error
	switch mime {
	case "image/jpeg":
		src, err = jpeg.Decode(bytes.NewReader(data))
	case "image/png":
		src, err = png.Decode(bytes.NewReader(data))
	case "image/gif":
		src, err = gif.Decode(bytes.NewReader(data))
	default:
		return nil, ""
	}
	if err != nil {
		return nil, ""
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, ""
	}
	tw, th := w, h
	if w > thumbSize || h > thumbSize {
		if w >= h {
			tw, th = thumbSize, max(1, h*thumbSize/w)
		} else {
			tw, th = max(1, w*thumbSize/h), thumbSize
		}
	}
	// Transparent areas become white, as most networks show them.
	flat := image.NewRGBA(b)
	draw.Draw(flat, b, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, b, src, b.Min, draw.Over)
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	// Area averaging: each thumbnail pixel is the mean of the source pixels it covers.
	for y := 0; y < th; y++ {
		y0, y1 := y*h/th, max((y+1)*h/th, y*h/th+1)
		for x := 0; x < tw; x++ {
			x0, x1 := x*w/tw, max((x+1)*w/tw, x*w/tw+1)
			var r, g, bl, n uint32
			for sy := y0; sy < y1; sy++ {
				off := flat.PixOffset(b.Min.X+x0, b.Min.Y+sy)
				for sx := x0; sx < x1; sx++ {
					r += uint32(flat.Pix[off])
					g += uint32(flat.Pix[off+1])
					bl += uint32(flat.Pix[off+2])
					off += 4
					n++
				}
			}
			i := dst.PixOffset(x, y)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(r/n), uint8(g/n), uint8(bl/n), 255
		}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, ""
	}
	return out.Bytes(), "image/jpeg"
}

// mediaFile splits "/media/{token}.{ext}" into the token.
func mediaTokenOf(file string) string {
	token, _, _ := strings.Cut(file, ".")
	if len(token) < 20 || len(token) > 64 {
		return ""
	}
	return token
}

// serveMedia serves an upload to anyone holding its URL: the networks that fetch media, and the
// people writing the post. Uploads never change, so they are cached for a year.
func (s *Server) serveMedia(c *gin.Context) {
	token := mediaTokenOf(c.Param("file"))
	if token == "" {
		s.fail(c, errNotFound)
		return
	}
	m, err := s.store.MediaByToken(c.Request.Context(), token)
	if err != nil {
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", m.MIME)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+m.SHA256+`"`)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(c.Writer, c.Request, "", m.CreatedAt, s.store.NewMediaReader(c.Request.Context(), m))
}

// serveMediaThumb serves an upload's thumbnail, or the image itself when it has none (WebP).
func (s *Server) serveMediaThumb(c *gin.Context) {
	token := mediaTokenOf(c.Param("file"))
	if token == "" {
		s.fail(c, errNotFound)
		return
	}
	thumb, mt, err := s.store.MediaThumb(c.Request.Context(), token)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(thumb) == 0 {
		m, err := s.store.MediaByToken(c.Request.Context(), token)
		if err != nil {
			s.fail(c, err)
			return
		}
		if m.Kind == "video" || m.SizeBytes > maxImageUpload {
			s.fail(c, apiErr(http.StatusNotFound, "no_thumbnail", "This file has no thumbnail."))
			return
		}
		s.serveMedia(c)
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Data(http.StatusOK, mt, thumb)
}
