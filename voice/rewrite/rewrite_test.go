package rewrite_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/voice"
	"github.com/heraldhq/herald/voice/rewrite"
	"github.com/heraldhq/herald/voice/rewrite/rewritetest"
)

func TestRewrite(t *testing.T) {
	fake := rewritetest.New(t, "sk-test-123", "brand-model", func(system, user string) string {
		return "```\n\"" + strings.ReplaceAll(user, "utilisateurs", "clients") + "\"\n```"
	})
	for _, base := range []string{fake.URL + "/v1", fake.URL + "/v1/", fake.URL} {
		c, err := rewrite.New(rewrite.Options{BaseURL: base, APIKey: "sk-test-123", Model: "brand-model"})
		if err != nil {
			t.Fatal(err)
		}
		p := &voice.Profile{Description: "Chaleureuse et directe", Rules: voice.Rules{Language: "fr",
			Terms: []voice.Term{{Kind: voice.Preferred, Use: "client", Avoid: []string{"utilisateur"}}}}}
		sys, user := voice.RewritePrompt(p, voice.Input{Text: "Merci aux utilisateurs"})
		got, err := c.Rewrite(context.Background(), sys, user)
		if err != nil || got != "Merci aux clients" {
			t.Fatalf("%s: %q, %v", base, got, err)
		}
	}
	reqs := fake.Requests()
	if len(reqs) != 3 || !strings.Contains(reqs[0].System, `Say "client", never "utilisateur".`) ||
		!strings.Contains(reqs[0].System, "Chaleureuse et directe") || !strings.Contains(reqs[0].System, "Write in: French") ||
		reqs[0].User != "Merci aux utilisateurs" || reqs[0].Temperature == nil {
		t.Fatalf("requests: %+v", reqs)
	}
}

func TestRewriteErrors(t *testing.T) {
	fake := rewritetest.New(t, "sk-right", "m", func(_, u string) string { return u })
	ctx := context.Background()
	wrongKey, _ := rewrite.New(rewrite.Options{BaseURL: fake.URL, APIKey: "sk-wrong", Model: "m"})
	_, err := wrongKey.Rewrite(ctx, "s", "u")
	var re *rewrite.Error
	if !errors.Is(err, rewrite.ErrRefused) || !errors.As(err, &re) || re.Status != 401 || strings.Contains(err.Error(), "sk-wrong") {
		t.Fatalf("wrong key: %v", err)
	}
	unknown, _ := rewrite.New(rewrite.Options{BaseURL: fake.URL, APIKey: "sk-right", Model: "other"})
	if _, err := unknown.Rewrite(ctx, "s", "u"); !errors.Is(err, rewrite.ErrRefused) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("unknown model: %v", err)
	}
	ok, _ := rewrite.New(rewrite.Options{BaseURL: fake.URL, APIKey: "sk-right", Model: "m"})
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		fake.Fail(status)
		if _, err := ok.Rewrite(ctx, "s", "u"); !errors.Is(err, rewrite.ErrUnavailable) {
			t.Fatalf("HTTP %d: %v", status, err)
		}
	}
	fake.Fail(0)
	fake.Close()
	if _, err := ok.Rewrite(ctx, "s", "u"); !errors.Is(err, rewrite.ErrUnavailable) {
		t.Fatalf("server down: %v", err)
	}
	for _, bad := range []string{"", "ftp://x", "not a url", "http://"} {
		if _, err := rewrite.New(rewrite.Options{BaseURL: bad}); err == nil {
			t.Errorf("New accepted %q", bad)
		}
	}
}

// TestFakeRefusesMalformedRequests proves the fake checks requests: a client that broke the
// API's shape would be caught by the tests that use it.
func TestFakeRefusesMalformedRequests(t *testing.T) {
	fake := rewritetest.New(t, "k", "m", func(_, u string) string { return u })
	for _, tc := range []struct {
		method, path, ctype, body string
		status                    int
	}{
		{"POST", "/v1/completions", "application/json", `{}`, 404},
		{"GET", "/v1/chat/completions", "", ``, 405},
		{"POST", "/v1/chat/completions", "text/plain", `{}`, 400},
		{"POST", "/v1/chat/completions", "application/json", `{"model":"m"}`, 400},
		{"POST", "/v1/chat/completions", "application/json", `{"model":"m","messages":[{"role":"robot","content":"x"}]}`, 400},
		{"POST", "/v1/chat/completions", "application/json", `{"model":"m","messages":[{"role":"user","content":1}]}`, 400},
		{"POST", "/v1/chat/completions", "application/json", `{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3}`, 400},
	} {
		req, _ := http.NewRequest(tc.method, fake.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer k")
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s %s: %d, want %d", tc.method, tc.path, tc.body, resp.StatusCode, tc.status)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("the fake recorded %d malformed requests", n)
	}
}

// TestRewriteErrorNeverQuotesTheKey: some servers quote the key they refused in their error
// message, which Herald logs and shows; the client takes it out, even from a long message it cuts.
func TestRewriteErrorNeverQuotesTheKey(t *testing.T) {
	const key = "sk-live-0123456789abcdef0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		msg := "Incorrect API key provided: " + got + ". " + strings.Repeat("é", 130) + got
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": "invalid_api_key"}})
	}))
	defer srv.Close()
	c, err := rewrite.New(rewrite.Options{BaseURL: srv.URL, APIKey: key, Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Rewrite(context.Background(), "s", "u")
	var re *rewrite.Error
	if !errors.As(err, &re) || re.Status != http.StatusUnauthorized {
		t.Fatalf("want a refusal, got %v", err)
	}
	if strings.Contains(err.Error(), key[:12]) || !strings.Contains(re.Message, "Incorrect API key provided: [API key].") || !utf8.ValidString(re.Message) {
		t.Fatalf("message %q", re.Message)
	}
}
