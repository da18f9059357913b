package egress

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"203.0.113.9": true, "8.8.8.8": true, "2001:4860:4860::8888": true,
		"127.0.0.1": false, "::1": false, "10.0.0.5": false, "172.16.3.4": false, "192.168.1.1": false,
		"169.254.169.254": false, // cloud metadata services
		"100.64.1.1":      false, "0.0.0.0": false, "fe80::1": false, "fd00::1": false, "::ffff:127.0.0.1": false, "224.0.0.1": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestPrivateAddressesRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	get := func(c *http.Client, url string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		return c.Do(req)
	}

	// The test server listens on 127.0.0.1: refused, with the reason people are shown.
	_, err := get(Client(false, 5*time.Second), srv.URL)
	if !errors.Is(err, publishers.ErrPrivateAddress) {
		t.Fatalf("loopback: %v, want ErrPrivateAddress", err)
	}
	if publishers.KindOf(err) != publishers.KindPermanent || publishers.Message(err) != publishers.ErrPrivateAddress.Error() {
		t.Errorf("classified %v, message %q", publishers.KindOf(err), publishers.Message(err))
	}
	// A name that resolves to loopback is refused the same way.
	_, err = get(Client(false, 5*time.Second), "http://localhost:"+srv.Listener.Addr().(interface{ String() string }).String()[len("127.0.0.1:"):])
	if !errors.Is(err, publishers.ErrPrivateAddress) {
		t.Fatalf("localhost: %v, want ErrPrivateAddress", err)
	}
	// Allowed when the operator says so (a Mastodon instance on the company network).
	res, err := get(Client(true, 5*time.Second), srv.URL)
	if err != nil || res.StatusCode != http.StatusTeapot {
		t.Fatalf("allowed: %v %v", res, err)
	}
	res.Body.Close()
}
