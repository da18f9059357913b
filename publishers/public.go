package publishers

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// PublicURLProblem says, in plain words for the person who scheduled the post, why a network
// that downloads media itself (Instagram, Threads) could not fetch u; "" when u looks reachable
// from the internet. It does not resolve names: a public-looking host that resolves to a private
// address is found out by the network.
func PublicURLProblem(network, u string) string {
	const fix = " Set HERALD_PUBLIC_URL to an https:// address that the internet can reach (for example behind a reverse proxy), so that %s can download the media from Herald."
	msg := func(why string) string { return why + strings.Replace(fix, "%s", network, 1) }
	if u == "" {
		return msg(network + " downloads media from a URL, and this attachment has none.")
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return msg("The attachment's address " + strconv.Quote(u) + " is not a URL.")
	}
	if pu.Scheme != "https" && pu.Scheme != "http" {
		return msg("The attachment's address uses " + pu.Scheme + ":, which " + network + " cannot download.")
	}
	host := strings.ToLower(pu.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") ||
		strings.HasSuffix(host, ".internal") || !strings.Contains(host, ".") && net.ParseIP(host) == nil {
		return msg("The attachment is served from " + host + ", a name only this network of computers knows.")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() ||
			prefixCGNAT.Contains(ip.Unmap()) {
			return msg("The attachment is served from " + host + ", a private address.")
		}
	}
	return ""
}

var prefixCGNAT = netip.MustParsePrefix("100.64.0.0/10")

// PartKey is the idempotency key of part i of a thread (i = 0 is the first post, whose key is
// the target's own): a stable value per part, so a retry of a thread can tell which parts exist.
// A post without a key has parts without keys: an empty key must not become a key ("-1") that
// every post without one would share.
func PartKey(key string, i int) string {
	if i == 0 || key == "" {
		return key
	}
	return key + "-" + strconv.Itoa(i)
}
