package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// inProcess is the default transport of the sandbox's OAuth client: requests for the sandbox's
// own endpoints (BaseURL + "/sandbox/…") are handed to Handler directly, so connecting and
// refreshing work without a socket, whatever the host's network set-up (a reverse proxy, TLS
// the process cannot verify, no route from the server to its own public name). The requests and
// responses are real HTTP messages all the same: the oauth2 package encodes and decodes them.
// Anything else goes to next.
type inProcess struct {
	n    *Network
	next http.RoundTripper
}

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL
	if u == nil || !strings.EqualFold(u.Scheme, t.n.baseURL.Scheme) || !strings.EqualFold(u.Host, t.n.baseURL.Host) ||
		!strings.HasPrefix(u.Path, "/sandbox/") {
		return t.next.RoundTrip(req)
	}
	if err := req.Context().Err(); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	in := req.Clone(req.Context())
	in.RequestURI = u.RequestURI()
	in.RemoteAddr = "in-process"
	in.Host = u.Host
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}}
	t.n.handler.ServeHTTP(rec, in)
	if req.Body != nil {
		_ = req.Body.Close() // a RoundTripper must close the request body
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{
		Status:        http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

// recorder is the minimal http.ResponseWriter inProcess needs.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
