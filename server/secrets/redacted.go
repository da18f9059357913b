package secrets

import (
	"fmt"
	"io"
	"log/slog"
)

// redactedText is what every printing or encoding path shows instead of the
// secret.
const redactedText = "[redacted]"

// Redacted holds a secret (an access token, a client secret, a password) in
// a struct that might be logged, printed or encoded, and shows "[redacted]"
// in every such case: fmt with any verb, encoding/json, encoding.TextMarshaler
// users, and log/slog. Only Reveal returns the value.
//
// It is a struct holding a pointer rather than a named string because fmt
// cannot call methods on unexported struct fields and would print a string
// field verbatim; a pointer in the same position prints as an address.
// Decoding is deliberately not supported: a value that round-trips through
// JSON comes back as "[redacted]", so secrets are loaded with Redact, never
// unmarshalled into a Redacted.
//
// The zero value holds the empty secret. Two Redacted values are == only if
// they are copies of the same Redact call; compare revealed values instead.
type Redacted struct {
	value *string
}

// Redact wraps secret so that it does not leak when printed.
func Redact(secret string) Redacted {
	return Redacted{value: &secret}
}

// Reveal returns the secret. Call it at the point of use (building an HTTP
// request, checking a password) and do not keep the result around.
func (r Redacted) Reveal() string {
	if r.value == nil {
		return ""
	}
	return *r.value
}

// IsZero reports whether the secret is empty, so code can check that a
// credential is configured without revealing it, and so the json
// "omitzero" option leaves unset secrets out.
func (r Redacted) IsZero() bool {
	return r.Reveal() == ""
}

// String implements fmt.Stringer.
func (Redacted) String() string { return redactedText }

// GoString implements fmt.GoStringer for %#v.
func (Redacted) GoString() string { return redactedText }

// Format implements fmt.Formatter. It is what makes every verb safe: without
// it, a verb that does not apply to the type (%d, say) makes fmt report the
// mistake by printing the raw value.
func (Redacted) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, redactedText)
}

// MarshalJSON implements json.Marshaler.
func (Redacted) MarshalJSON() ([]byte, error) {
	return []byte(`"` + redactedText + `"`), nil
}

// MarshalText implements encoding.TextMarshaler, which slog's text handler
// and many encoders prefer over String.
func (Redacted) MarshalText() ([]byte, error) {
	return []byte(redactedText), nil
}

// LogValue implements slog.LogValuer.
func (Redacted) LogValue() slog.Value {
	return slog.StringValue(redactedText)
}
