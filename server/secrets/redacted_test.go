package secrets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"
)

const secretValue = "s3cret-oauth-token"

// credentials mimics the structs Redacted is meant for: exported and
// unexported fields, values and pointers, a slice and a map.
type credentials struct {
	Channel      string
	AccessToken  Redacted
	RefreshToken *Redacted
	clientSecret Redacted
	Extra        []Redacted
	ByName       map[string]Redacted
}

func newCredentials() credentials {
	r := Redact(secretValue)
	return credentials{
		Channel:      "mastodon",
		AccessToken:  Redact(secretValue),
		RefreshToken: &r,
		clientSecret: Redact(secretValue),
		Extra:        []Redacted{Redact(secretValue)},
		ByName:       map[string]Redacted{"k": Redact(secretValue)},
	}
}

func TestRedactedReveal(t *testing.T) {
	r := Redact(secretValue)
	if got := r.Reveal(); got != secretValue {
		t.Errorf("Reveal = %q, want %q", got, secretValue)
	}
	if r.IsZero() {
		t.Error("IsZero = true for a set secret")
	}
	var zero Redacted
	if zero.Reveal() != "" || !zero.IsZero() {
		t.Errorf("zero value: Reveal = %q, IsZero = %v", zero.Reveal(), zero.IsZero())
	}
	if !Redact("").IsZero() {
		t.Error("Redact(\"\").IsZero() = false")
	}
}

func TestRedactedFmt(t *testing.T) {
	c := newCredentials()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10.3s"} {
		for _, arg := range []any{Redact(secretValue), c, &c, c.Extra, c.ByName} {
			out := fmt.Sprintf(verb, arg)
			if strings.Contains(out, secretValue) || strings.Contains(out, fmt.Sprintf("%x", secretValue)) {
				t.Errorf("fmt %s of %T leaked: %s", verb, arg, out)
			}
		}
	}
	if got := fmt.Sprint(Redact(secretValue)); got != "[redacted]" {
		t.Errorf("Sprint = %q, want [redacted]", got)
	}
	if got := fmt.Sprintf("%+v", c); !strings.Contains(got, "AccessToken:[redacted]") {
		t.Errorf("%%+v = %s, want the field shown as [redacted]", got)
	}
	// Errors wrap values with %v all the time.
	err := fmt.Errorf("refresh failed for %v", Redact(secretValue))
	if strings.Contains(err.Error(), secretValue) {
		t.Errorf("error leaked: %v", err)
	}
	var buf bytes.Buffer
	log.New(&buf, "", 0).Printf("creds: %+v", c)
	if strings.Contains(buf.String(), secretValue) {
		t.Errorf("log leaked: %s", buf.String())
	}
}

func TestRedactedJSON(t *testing.T) {
	out, err := json.Marshal(newCredentials())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), secretValue) {
		t.Fatalf("json leaked: %s", out)
	}
	if !strings.Contains(string(out), `"AccessToken":"[redacted]"`) {
		t.Errorf("json = %s, want AccessToken shown as \"[redacted]\"", out)
	}
	type withOmit struct {
		Token Redacted `json:"token,omitzero"`
	}
	if out, _ := json.Marshal(withOmit{}); string(out) != "{}" {
		t.Errorf("omitzero of an unset secret = %s, want {}", out)
	}
	text, err := Redact(secretValue).MarshalText()
	if err != nil || string(text) != "[redacted]" {
		t.Errorf("MarshalText = %q, %v", text, err)
	}
}

func TestRedactedDoesNotDecode(t *testing.T) {
	// Unmarshalling into a Redacted must fail loudly rather than leave a
	// config field silently empty.
	var v struct{ Token Redacted }
	if err := json.Unmarshal([]byte(`{"Token":"abc"}`), &v); err == nil {
		t.Errorf("json.Unmarshal into Redacted succeeded: %q", v.Token.Reveal())
	}
}

func TestRedactedSlog(t *testing.T) {
	c := newCredentials()
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(newHandler(&buf))
			logger.Info("refreshing",
				"token", Redact(secretValue),
				slog.Any("ptr", c.RefreshToken),
				"creds", c,
				slog.Group("channel", "secret", Redact(secretValue)),
			)
			logger.With("token", Redact(secretValue)).Info("with")
			out := buf.String()
			if strings.Contains(out, secretValue) {
				t.Fatalf("slog leaked: %s", out)
			}
			if !strings.Contains(out, "[redacted]") {
				t.Errorf("slog output %s does not show [redacted]", out)
			}
		})
	}
	if v := Redact(secretValue).LogValue(); v.String() != "[redacted]" {
		t.Errorf("LogValue = %v", v)
	}
}
