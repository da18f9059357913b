package fakenet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	type fault struct{ path string }
	var q Faults[fault]
	if q.Take(func(*fault) bool { return true }) != nil {
		t.Fatal("an empty queue gave a fault")
	}
	q.Add(2, 1, fault{"/a"})
	q.Add(1, 0, fault{"/b"})
	on := func(path string) func(*fault) bool { return func(f *fault) bool { return f.path == path } }
	var got []string
	for _, path := range []string{"/a", "/b", "/a", "/b", "/a", "/a"} {
		if f := q.Take(on(path)); f != nil {
			got = append(got, f.path)
		} else {
			got = append(got, "-")
		}
	}
	// /a: skipped once, then twice, then spent; /b: once.
	if strings.Join(got, " ") != "- /b /a - /a -" {
		t.Errorf("faults taken: %v", got)
	}
	f := q.Take(func(*fault) bool { return true })
	if f != nil {
		t.Errorf("spent faults still apply: %+v", f)
	}
}

func TestViolations(t *testing.T) {
	var v Violations
	v.Add("%s without %s", "chat.postMessage", "channel")
	v.Expect()
	if l := v.List(); len(l) != 1 || l[0] != "chat.postMessage without channel" {
		t.Errorf("List = %q", l)
	}
	// A violation a test did not expect fails it.
	ft := &fakeT{}
	var w Violations
	w.Check(ft, "x: ")
	w.Add("bad")
	ft.cleanup()
	if len(ft.errors) != 1 || ft.errors[0] != "x: bad" {
		t.Errorf("errors %q", ft.errors)
	}
}

type fakeT struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// Hang holds a request until the client gives up or the server closes; Drop resets the
// connection.
func TestHangAndDrop(t *testing.T) {
	var s *Server
	s = Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/drop" {
			if !Drop(w) {
				t.Error("Drop could not take the connection over")
			}
			return
		}
		s.Hang(r)
	}))
	c := &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := c.Get(s.URL + "/hang"); err == nil {
		t.Error("a withheld answer arrived")
	}
	if _, err := http.Get(s.URL + "/drop"); err == nil {
		t.Error("a dropped connection answered")
	}
	done := make(chan error)
	go func() {
		_, err := http.Get(s.URL + "/hang")
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release a held request")
	}
	select {
	case <-s.Closing():
	default:
		t.Error("Closing is not closed")
	}
}

func TestRequestHelpers(t *testing.T) {
	r, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://h.example/", strings.NewReader("0123456789"))
	r.Header.Set("Authorization", "Bearer  tok ")
	if b := ReadBody(r, 4); string(b) != "0123" {
		t.Errorf("ReadBody = %q", b)
	}
	if b, err := io.ReadAll(r.Body); err != nil || string(b) != "0123" {
		t.Errorf("body put back = %q, %v", b, err)
	}
	if Bearer(r) != "tok" {
		t.Errorf("Bearer = %q", Bearer(r))
	}
	r.Header.Set("Authorization", "Basic x")
	if Bearer(r) != "" {
		t.Errorf("Bearer of Basic = %q", Bearer(r))
	}
	if a, b := RandomString(24), RandomString(24); len(a) != 32 || a == b {
		t.Errorf("RandomString: %q, %q", a, b)
	}
	if !IDLess("9", "10") || IDLess("10", "9") || !IDLess("10", "11") || IDLess("11", "11") {
		t.Error("IDLess does not order by value")
	}
}

func TestVisit(t *testing.T) {
	s := Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("ok") != "" {
			http.Redirect(w, r, "https://client.example/callback?code=c", http.StatusFound)
			return
		}
		http.Error(w, "refused", http.StatusBadRequest)
	}))
	loc, status, _, err := s.Visit(s.URL + "/authorize?ok=1")
	if err != nil || status != http.StatusFound || loc != "https://client.example/callback?code=c" {
		t.Errorf("redirect: %q, %d, %v", loc, status, err)
	}
	loc, status, body, err := s.Visit(s.URL + "/authorize")
	if err != nil || status != http.StatusBadRequest || loc != "" || !strings.Contains(string(body), "refused") {
		t.Errorf("refusal: %q, %d, %q, %v", loc, status, body, err)
	}
	if _, _, _, err := s.Visit("https://elsewhere.example/authorize"); err == nil {
		t.Error("a URL on another host was visited")
	}
}

// The example of RFC 7636, appendix B.
func TestPKCEMatches(t *testing.T) {
	const verifier, challenge = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if !PKCEMatches(verifier, challenge) {
		t.Error("the RFC's verifier does not match its challenge")
	}
	if PKCEMatches("other", challenge) || PKCEMatches("", "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU") {
		t.Error("a wrong or empty verifier matched")
	}
}
