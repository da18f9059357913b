// Package egress makes the HTTP transport for the connections Herald opens on its users' behalf:
// to networks at addresses a person typed (a Mastodon instance, a Bluesky PDS), to attachments'
// URLs, to workspace webhooks. Unless allowed, it refuses to connect to loopback, private,
// link-local and other non-public addresses, so nobody can use Herald to reach services inside
// its own network (server-side request forgery). The check is made on the address actually
// dialled, after name resolution, so a name that resolves to a private address (or changes to
// one between two lookups) is refused too.
package egress

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// cgnat is the shared address space of carrier-grade NAT (RFC 6598), not routable on the internet.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Public reports whether ip is an address on the public internet.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() && !ip.IsLinkLocalMulticast() &&
		!ip.IsInterfaceLocalMulticast() && !ip.IsMulticast() && !ip.IsUnspecified() && !cgnat.Contains(ip)
}

// Transport returns an HTTP transport for outbound calls, with connections kept for reuse in the
// numbers a burst of publishes to one network needs. Unless allowPrivate, it refuses addresses
// that are not public with an error wrapping publishers.ErrPrivateAddress.
func Transport(allowPrivate bool) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2048
	t.MaxIdleConnsPerHost = 512
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w (%s)", publishers.ErrPrivateAddress, address)
			}
			if !Public(ap.Addr()) {
				return fmt.Errorf("%w (%s)", publishers.ErrPrivateAddress, ap.Addr())
			}
			return nil
		}
	}
	t.DialContext = d.DialContext
	// A proxy from the environment would be dialled instead of the target, defeating the check.
	if !allowPrivate {
		t.Proxy = nil
	}
	return t
}

// Client is Transport in a client whose every request is bounded by timeout.
func Client(allowPrivate bool, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: Transport(allowPrivate)}
}
