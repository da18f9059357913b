package metagraph

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"time"
)

// UsageFigures are one usage header's percentages of a limit (0–100; 100 means throttled) and,
// when Meta gives it, how long until access is regained.
type UsageFigures struct {
	CallCount    float64 `json:"call_count"`
	TotalCPUTime float64 `json:"total_cputime"`
	TotalTime    float64 `json:"total_time"`
	// RegainAfter is estimated_time_to_regain_access (Meta sends minutes).
	RegainAfter time.Duration `json:"-"`
}

// Max is the highest of the three percentages.
func (f UsageFigures) Max() float64 { return max(f.CallCount, f.TotalCPUTime, f.TotalTime) }

// BusinessUsage is one entry of X-Business-Use-Case-Usage: a business object (a Page, an
// Instagram account) and the kind of use case ("pages", "instagram", …).
type BusinessUsage struct {
	ObjectID string
	Type     string
	UsageFigures
}

// Usage is what one answer's rate-limit headers said.
type Usage struct {
	// App is X-App-Usage: the app's platform limit (user and app tokens).
	App *UsageFigures
	// Page is X-Page-Usage: the Page's limit, sent on some Page requests.
	Page *UsageFigures
	// Business is X-Business-Use-Case-Usage: the limits of Page tokens and Instagram calls.
	Business []BusinessUsage
	// ObservedAt is when Herald saw the answer (zero from ParseUsage).
	ObservedAt time.Time
}

// Max is the highest percentage of any limit in the headers.
func (u Usage) Max() float64 {
	m := 0.0
	if u.App != nil {
		m = max(m, u.App.Max())
	}
	if u.Page != nil {
		m = max(m, u.Page.Max())
	}
	for _, b := range u.Business {
		m = max(m, b.Max())
	}
	return m
}

// RegainAfter is the longest estimated time to regain access any header gave (0 when none did,
// which is the case while nothing is throttled).
func (u Usage) RegainAfter() time.Duration {
	var d time.Duration
	if u.App != nil {
		d = max(d, u.App.RegainAfter)
	}
	if u.Page != nil {
		d = max(d, u.Page.RegainAfter)
	}
	for _, b := range u.Business {
		d = max(d, b.RegainAfter)
	}
	return d
}

// rawFigures decodes the JSON of a figures object; estimated_time_to_regain_access is minutes.
type rawFigures struct {
	Type        string   `json:"type"`
	CallCount   float64  `json:"call_count"`
	TotalCPU    float64  `json:"total_cputime"`
	TotalTime   float64  `json:"total_time"`
	RegainAfter *float64 `json:"estimated_time_to_regain_access"`
}

func (r rawFigures) figures() UsageFigures {
	f := UsageFigures{CallCount: r.CallCount, TotalCPUTime: r.TotalCPU, TotalTime: r.TotalTime}
	if r.RegainAfter != nil && *r.RegainAfter > 0 {
		f.RegainAfter = time.Duration(*r.RegainAfter * float64(time.Minute))
	}
	return f
}

// ParseUsage reads X-App-Usage, X-Page-Usage and X-Business-Use-Case-Usage; ok is false when
// none of them is present and readable.
func ParseUsage(h http.Header) (Usage, bool) {
	var u Usage
	ok := false
	for _, hdr := range []struct {
		name string
		dst  **UsageFigures
	}{{"X-App-Usage", &u.App}, {"X-Page-Usage", &u.Page}} {
		v := h.Get(hdr.name)
		if v == "" {
			continue
		}
		var r rawFigures
		if json.Unmarshal([]byte(v), &r) == nil {
			f := r.figures()
			*hdr.dst = &f
			ok = true
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var m map[string][]rawFigures
		if json.Unmarshal([]byte(v), &m) == nil {
			ids := make([]string, 0, len(m))
			for id := range m {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				for _, r := range m[id] {
					u.Business = append(u.Business, BusinessUsage{ObjectID: id, Type: r.Type, UsageFigures: r.figures()})
				}
			}
			ok = true
		}
	}
	return u, ok
}

// Usage returns the usage headers last seen on an answer to a request made with token; ok is
// false when none was seen. The scheduler can slow a channel down as Max approaches 100.
func (c *Client) Usage(token string) (Usage, bool) { return c.usage.get(token) }

// usageBook keeps the last usage per token. Tokens are kept only as SHA-256 hashes.
type usageBook struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]Usage
}

func newUsageBook() *usageBook { return &usageBook{m: map[[sha256.Size]byte]Usage{}} }

func (b *usageBook) get(token string) (Usage, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.m[sha256.Sum256([]byte(token))]
	return u, ok
}

func (b *usageBook) observe(token string, h http.Header, now time.Time) {
	u, ok := ParseUsage(h)
	if !ok {
		return
	}
	u.ObservedAt = now
	b.mu.Lock()
	b.m[sha256.Sum256([]byte(token))] = u
	b.mu.Unlock()
}

// blocked reports how long requests with token must still wait, when the last answer said
// access was lost for a while.
func (b *usageBook) blocked(token string, now time.Time) (time.Duration, bool) {
	u, ok := b.get(token)
	if !ok {
		return 0, false
	}
	d := u.RegainAfter()
	if d <= 0 {
		return 0, false
	}
	until := u.ObservedAt.Add(d)
	if !until.After(now) {
		return 0, false
	}
	return until.Sub(now), true
}
