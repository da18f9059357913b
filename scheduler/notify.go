package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/server/store"
)

// Notifiers delivers through each notifier in turn; the first error is returned after all tried,
// so one broken channel does not stop the others.
type Notifiers []Notifier

// Deliver implements Notifier.
func (ns Notifiers) Deliver(ctx context.Context, ws *store.Workspace, n *store.Notification) error {
	var first error
	for _, x := range ns {
		if err := x.Deliver(ctx, ws, n); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// EmailNotifier sends notifications to the workspace's notification address over SMTP.
// smtp.SendMail upgrades to TLS with STARTTLS whenever the server offers it.
type EmailNotifier struct {
	Addr string // host:port
	Auth smtp.Auth
	From string
	// Send is smtp.SendMail; tests may replace it.
	Send func(addr string, a smtp.Auth, from string, to []string, msg []byte) error
	Now  func() time.Time
}

// ParseSMTPURL reads HERALD_SMTP_URL: smtp://user:password@host:port (port 587 by default).
func ParseSMTPURL(raw, from string) (*EmailNotifier, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("HERALD_SMTP_URL must look like smtp://user:password@host:587")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, errors.New("HERALD_SMTP_FROM must be an email address")
	}
	port := u.Port()
	if port == "" {
		port = "587"
	}
	e := &EmailNotifier{Addr: net.JoinHostPort(u.Hostname(), port), From: from, Send: smtp.SendMail, Now: time.Now}
	if u.User != nil {
		pw, _ := u.User.Password()
		e.Auth = smtp.PlainAuth("", u.User.Username(), pw, u.Hostname())
	}
	return e, nil
}

// Deliver implements Notifier.
func (e *EmailNotifier) Deliver(_ context.Context, ws *store.Workspace, n *store.Notification) error {
	if ws.NotifyEmail == "" {
		return nil
	}
	subject := fmt.Sprintf("[Herald] %s: %s", ws.Name, kindTitle(n.Kind))
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		e.From, ws.NotifyEmail, mimeHeader(subject), e.Now().UTC().Format(time.RFC1123Z))
	b.WriteString(n.Message)
	if n.PostID != nil {
		fmt.Fprintf(&b, "\r\n\r\nPost %d in workspace %q.", *n.PostID, ws.Name)
	}
	b.WriteString("\r\n")
	return e.Send(e.Addr, e.Auth, e.From, []string{ws.NotifyEmail}, []byte(b.String()))
}

func kindTitle(k string) string {
	switch k {
	case store.NotifyFailed:
		return "a post failed to publish"
	case store.NotifyUnconfirmed:
		return "a post needs checking"
	case store.NotifyMissed:
		return "a post was missed"
	case store.NotifyNeedsReconnect:
		return "a channel needs reconnecting"
	case store.NotifyTokenExpiring:
		return "a channel's access expires soon"
	case store.NotifyAlarm:
		return "scheduled posts are waiting"
	case store.NotifyApprovalReminder:
		return "a post waits for approval"
	case store.NotifyApprovalMissed:
		return "a post was not approved in time"
	case store.NotifyClientReview:
		return "a client reviewed a post"
	}
	return k
}

// mimeHeader encodes a header value as RFC 2047 when it is not plain ASCII.
func mimeHeader(s string) string {
	for _, r := range s {
		if r > 126 || r < 32 {
			return "=?utf-8?q?" + qEncode(s) + "?="
		}
	}
	return s
}

func qEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}
