package httpapi

import (
	"net/http"
	"time"
)

// Observe returns a copy of client (a new client with timeout when client is nil) whose
// transport hands every answer, with its request, to observe: a publisher records the
// rate-limit headers of every answer that way, including those to the requests the oauth2
// package makes with the client (the token exchange). The client given is never changed.
func Observe(client *http.Client, timeout time.Duration, observe func(*http.Request, *http.Response)) *http.Client {
	var hc http.Client
	if client != nil {
		hc = *client
	} else {
		hc.Timeout = timeout
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &observingTransport{base: base, observe: observe}
	return &hc
}

type observingTransport struct {
	base    http.RoundTripper
	observe func(*http.Request, *http.Response)
}

func (t *observingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		t.observe(req, resp)
	}
	return resp, err
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the wrapped transport.
func (t *observingTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
