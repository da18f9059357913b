// Package frontend embeds Herald's web UI and serves it with the server's configuration injected.
//
// `make ui` builds the Vite project in this directory into dist/app/, which is not committed. A
// fresh clone holds only dist/placeholder.html, which says how to build the UI, so `go build ./...`
// works without Node. The built UI is a single page: every path that is not a file gets its
// index.html, with a `<script>window.HERALD = {…}</script>` (Config) added to its head so the page
// knows the server's version, public URL, demo mode and networks before its first request.
package frontend

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Config is what the page learns at load time, as window.HERALD. It must never hold a secret:
// every visitor, signed in or not, receives it.
type Config struct {
	// Version is the server's version.
	Version string `json:"version"`
	// PublicURL is where people reach Herald.
	PublicURL string `json:"public_url"`
	// Demo is true when the server runs with --demo.
	Demo bool `json:"demo"`
	// DemoAccounts lists the demo users (set only in demo mode), so the sign-in page can offer
	// them. Their password is the fixed demo password, printed by `herald serve --demo` and in
	// the README: it protects nothing.
	DemoAccounts []DemoAccount `json:"demo_accounts,omitempty"`
	// DemoPassword is the demo users' password (demo mode only; see DemoAccounts).
	DemoPassword string `json:"demo_password,omitempty"`
	// Sandbox is true when the built-in sandbox network is enabled.
	Sandbox bool `json:"sandbox"`
	// Networks names the networks channels can be connected to on this server.
	Networks []string `json:"networks"`
}

// DemoAccount is one demo user.
type DemoAccount struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// Built reports whether the real UI is embedded (false: only the placeholder page).
func Built() bool { return built(dist) }

func built(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "dist/app/index.html")
	return err == nil
}

// Handler serves the UI: the built app when it is embedded, else the placeholder page.
func Handler(cfg Config) http.Handler { return handler(dist, cfg) }

// handler serves the UI from fsys, which holds dist/ (the embedded files, or a test's).
func handler(fsys fs.FS, cfg Config) http.Handler {
	if cfg.Networks == nil {
		cfg.Networks = []string{}
	}
	if !built(fsys) {
		page, err := fs.ReadFile(fsys, "dist/placeholder.html")
		if err != nil {
			panic(err) // the embed pattern and the committed placeholder guarantee it
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			// Explicitly: the server hands the UI the requests no API route took, with 404 preset.
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(page)
		})
	}
	sub, err := fs.Sub(fsys, "dist/app")
	if err != nil {
		panic(err)
	}
	raw, err := fs.ReadFile(sub, "index.html")
	if err != nil {
		panic(err)
	}
	return &app{files: sub, index: injectConfig(raw, cfg)}
}

// injectConfig puts the config script where the page marks it (<!--herald:config-->), or at the
// end of the head. encoding/json escapes <, > and & as \u003c…, so no value can close the script.
func injectConfig(page []byte, cfg Config) []byte {
	js, err := json.Marshal(cfg)
	if err != nil {
		panic(err) // Config has only strings, booleans and slices of them
	}
	script := []byte("<script>window.HERALD=" + string(js) + "</script>")
	if i := bytes.Index(page, []byte("<!--herald:config-->")); i >= 0 {
		return append(append(append([]byte{}, page[:i]...), script...), page[i+len("<!--herald:config-->"):]...)
	}
	if i := bytes.Index(page, []byte("</head>")); i >= 0 {
		return append(append(append([]byte{}, page[:i]...), script...), page[i:]...)
	}
	return append(script, page...)
}

// app serves the built single-page app.
type app struct {
	files fs.FS
	index []byte
	// gz caches the gzip form of compressible assets, made on first request.
	gz sync.Map // name → []byte
}

// started is the Last-Modified of embedded files, which carry no time of their own.
var started = time.Now()

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || name == "index.html" {
		a.serveIndex(w, r)
		return
	}
	data, err := fs.ReadFile(a.files, name)
	if err != nil {
		if strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
			// A missing script or image must not be answered with the page: the browser would
			// try to run HTML as JavaScript and report a confusing error.
			http.NotFound(w, r)
			return
		}
		a.serveIndex(w, r) // a client-side route such as /invite
		return
	}
	h := w.Header()
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every asset's name: a changed file has a new name.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	a.write(w, r, name, data)
}

func (a *app) serveIndex(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	a.write(w, r, "index.html", a.index)
}

// write sends data, gzipped when the client accepts it and the type compresses well.
func (a *app) write(w http.ResponseWriter, r *http.Request, name string, data []byte) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if compressible(name) && len(data) > 1024 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		data = a.gzipped(name, data)
	}
	http.ServeContent(w, r, "", started, bytes.NewReader(data))
}

func (a *app) gzipped(name string, data []byte) []byte {
	if v, ok := a.gz.Load(name); ok {
		return v.([]byte)
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(data)
	_ = zw.Close()
	out := b.Bytes()
	a.gz.Store(name, out)
	return out
}

func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".mjs", ".css", ".html", ".json", ".svg", ".map", ".txt":
		return true
	}
	return false
}
