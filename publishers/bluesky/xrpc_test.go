package bluesky

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// TestClassify has one row per line of classify's table.
func TestClassify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reset := http.Header{}
	reset.Set("ratelimit-reset", "1800000090")
	retry := http.Header{}
	retry.Set("Retry-After", "7")
	tests := []struct {
		name   string
		status int
		code   string
		h      http.Header
		kind   publishers.Kind
		after  time.Duration
	}{
		{"expired token", 400, "ExpiredToken", nil, publishers.KindAuthExpired, 0},
		{"invalid token", 400, "InvalidToken", nil, publishers.KindAuthExpired, 0},
		{"401 auth required", 401, "AuthRequired", nil, publishers.KindAuthExpired, 0},
		{"401 without code", 401, "", nil, publishers.KindAuthExpired, 0},
		{"account taken down", 400, "AccountTakedown", nil, publishers.KindAuthExpired, 0},
		{"429 with reset", 429, "RateLimitExceeded", reset, publishers.KindRateLimited, 91 * time.Second},
		{"429 without headers", 429, "", nil, publishers.KindRateLimited, time.Minute},
		{"500", 500, "InternalServerError", nil, publishers.KindRetryable, 0},
		{"503 with Retry-After", 503, "", retry, publishers.KindRetryable, 7 * time.Second},
		{"502 upstream", 502, "UpstreamFailure", nil, publishers.KindRetryable, 0},
		{"invalid request", 400, "InvalidRequest", nil, publishers.KindPermanent, 0},
		{"payload too large", 413, "PayloadTooLarge", nil, publishers.KindPermanent, 0},
		{"forbidden", 403, "Forbidden", nil, publishers.KindPermanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			if h == nil {
				h = http.Header{}
			}
			e := classify(tt.status, xrpcError{Error: tt.code, Message: "the server's words"}, h, now)
			if e.Kind != tt.kind || e.RetryAfter != tt.after || e.Status != tt.status || e.Code != tt.code || e.Network != Name {
				t.Fatalf("classify = %+v, want kind %s, RetryAfter %s", e, tt.kind, tt.after)
			}
			if !strings.Contains(e.Message, "the server's words") {
				t.Errorf("message %q lost the server's explanation", e.Message)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	got := redact("token eyJhbGc.abc.def leaked", []string{"eyJhbGc.abc.def", "", "x"})
	if got != "token [redacted] leaked" {
		t.Fatalf("redact = %q", got)
	}
}

func TestJWTExpiry(t *testing.T) {
	// {"alg":"none"}.{"exp":1800000000}.sig
	if exp, ok := jwtExpiry("eyJhbGciOiJub25lIn0.eyJleHAiOjE4MDAwMDAwMDB9.c2ln"); !ok || exp.Unix() != 1_800_000_000 {
		t.Fatalf("jwtExpiry = %v, %v", exp, ok)
	}
	for _, bad := range []string{"", "a.b", "a.!!!.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"} {
		if _, ok := jwtExpiry(bad); ok {
			t.Errorf("jwtExpiry(%q) found an expiry", bad)
		}
	}
}

func TestPDSFromDIDDoc(t *testing.T) {
	doc := `{"id":"did:plc:abc","service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://morel.us-east.host.bsky.network"}]}`
	if got := pdsFromDIDDoc([]byte(doc), "did:plc:abc", "https://bsky.social"); got != "https://morel.us-east.host.bsky.network" {
		t.Errorf("got %q", got)
	}
	if got := pdsFromDIDDoc([]byte(doc), "did:plc:other", "https://bsky.social"); got != "" {
		t.Errorf("a document about another DID was used: %q", got)
	}
	plain := strings.Replace(doc, "https://morel", "http://morel", 1)
	if got := pdsFromDIDDoc([]byte(plain), "did:plc:abc", "https://bsky.social"); got != "" {
		t.Errorf("an https entryway was traded for %q", got)
	}
}

func TestNotFound(t *testing.T) {
	tests := []struct {
		e    publishers.Error
		want bool
	}{
		{publishers.Error{Status: 400, Code: "RecordNotFound"}, true},
		{publishers.Error{Status: 400, Code: "InvalidRequest", Message: "Could not locate record: at://did:plc:x/app.bsky.feed.post/3abc"}, true},
		{publishers.Error{Status: 400, Code: "InvalidRequest", Message: "Could not find repo: did:plc:x"}, false},
		{publishers.Error{Status: 500, Code: "InternalServerError"}, false},
	}
	for _, tt := range tests {
		if got := notFound(&tt.e); got != tt.want {
			t.Errorf("notFound(%+v) = %v", tt.e, got)
		}
	}
}
