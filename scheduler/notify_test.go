package scheduler

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
)

func TestWebhookNotifierSignsTheBody(t *testing.T) {
	const secret = "whsec_test"
	var got struct {
		body      []byte
		sig, ts   string
		kind      string
		signature bool
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, _ = io.ReadAll(r.Body)
		got.sig, got.ts = r.Header.Get("X-Herald-Signature"), r.Header.Get("X-Herald-Timestamp")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(got.ts + "."))
		mac.Write(got.body)
		got.signature = hmac.Equal([]byte(got.sig), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))
		var m map[string]any
		json.Unmarshal(got.body, &m)
		got.kind, _ = m["kind"].(string)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	wn := &WebhookNotifier{Client: srv.Client(), Now: func() time.Time { return now },
		Secret: func(*store.Workspace) (string, error) { return secret, nil }}
	post := int64(7)
	err := wn.Deliver(context.Background(), &store.Workspace{ID: 1, Name: "Acme", WebhookURL: srv.URL},
		&store.Notification{ID: 3, WorkspaceID: 1, Kind: store.NotifyFailed, PostID: &post, Message: "X refused the post", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if !got.signature || got.ts != "1795341600" || got.kind != "failed" {
		t.Fatalf("signature ok=%v ts=%s kind=%s body=%s", got.signature, got.ts, got.kind, got.body)
	}
	// A workspace without a webhook is not an error; a failing receiver is.
	if err := wn.Deliver(context.Background(), &store.Workspace{ID: 1}, &store.Notification{}); err != nil {
		t.Fatal(err)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer bad.Close()
	if err := wn.Deliver(context.Background(), &store.Workspace{ID: 1, WebhookURL: bad.URL}, &store.Notification{}); err == nil {
		t.Fatal("a 500 from the receiver was not reported")
	}
}

// smtpSink is a minimal SMTP server: enough of RFC 5321 for net/smtp to deliver one message.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func newSMTPSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(l string) { io.WriteString(c, l+"\r\n") }
	say("220 sink ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[8:]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func TestEmailNotifierSendsToTheWorkspaceAddress(t *testing.T) {
	sink := newSMTPSink(t)
	e, err := ParseSMTPURL("smtp://"+sink.ln.Addr().String(), "herald@example.com")
	if err != nil {
		t.Fatal(err)
	}
	post := int64(12)
	err = e.Deliver(context.Background(), &store.Workspace{ID: 1, Name: "Café Ré", NotifyEmail: "team@example.com"},
		&store.Notification{Kind: store.NotifyMissed, PostID: &post, Message: "Not published: Herald was not running."})
	if err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.msgs) != 1 || !strings.Contains(sink.msgs[0], "Not published: Herald was not running.") ||
		!strings.Contains(sink.msgs[0], "Subject: =?utf-8?q?") || !strings.Contains(sink.rcpt[0], "team@example.com") {
		t.Fatalf("message %q to %v", sink.msgs, sink.rcpt)
	}
	// No address configured: nothing is sent.
	if err := e.Deliver(context.Background(), &store.Workspace{ID: 2}, &store.Notification{}); err != nil || len(sink.msgs) != 1 {
		t.Fatalf("sent without an address: %v", err)
	}
	if _, err := ParseSMTPURL("http://x", "a@b.c"); err == nil {
		t.Fatal("a non-smtp URL was accepted")
	}
}
