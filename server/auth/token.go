package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Token prefixes. A readable prefix tells a user (and a secret scanner such
// as GitHub's) what a leaked string is and where to revoke it; the trailing
// underscore keeps the prefix visible next to the base64 body.
const (
	// PrefixAPIToken marks personal access tokens for the public API.
	PrefixAPIToken = "hrld_pat_"
	// PrefixSession marks browser session tokens, which live in a cookie.
	PrefixSession = "hrld_ses_"
)

// tokenBytes is the entropy of every token: 256 bits, far beyond guessing,
// which is what lets us store an unsalted fast hash of it.
const tokenBytes = 32

// maxPrefixLen keeps prefixes to labels, not payloads.
const maxPrefixLen = 32

// NewToken returns a new random token, prefix followed by 32 random bytes in
// unpadded base64url, and the hash to store in its place. Only the hash goes
// into the database, so a leaked dump or backup cannot be replayed; the
// plaintext is shown to the user once (API tokens) or set in a cookie
// (sessions). prefix must be 1–32 characters of A–Z, a–z, 0–9, '_' or '-',
// which keeps tokens safe in headers, cookies and URLs.
func NewToken(prefix string) (plaintext string, hash string, err error) {
	if !validPrefix(prefix) {
		return "", "", errors.New("auth: token prefix must be 1-32 characters of A-Z, a-z, 0-9, '_' or '-'")
	}
	body, err := randomString()
	if err != nil {
		return "", "", fmt.Errorf("auth: new token: %w", err)
	}
	plaintext = prefix + body
	return plaintext, HashToken(plaintext), nil
}

func validPrefix(s string) bool {
	if s == "" || len(s) > maxPrefixLen {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// HashToken returns the hex SHA-256 of the whole token, prefix included, as
// stored by NewToken. Look a presented token up by this hash. A plain hash is
// enough (no salt, no argon2) because the token is 256 random bits: there is
// nothing to guess, and every authenticated request has to find its token
// through an index on a deterministic value.
func HashToken(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

// NewCSRFToken returns a random unpadded base64url string of 256 bits for
// the synchronizer-token or double-submit pattern. It has no prefix because
// it is never shown to users and is bound to a session, not stored alone.
func NewCSRFToken() (string, error) {
	s, err := randomString()
	if err != nil {
		return "", fmt.Errorf("auth: new CSRF token: %w", err)
	}
	return s, nil
}

func randomString() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// EqualTokens compares two secrets (a CSRF token from a form against the
// session's copy, say) in constant time. Both are hashed first so that the
// comparison takes the same time whatever their lengths, which a plain
// subtle.ConstantTimeCompare would reveal.
func EqualTokens(a, b string) bool {
	ha := sha256.Sum256([]byte(a))
	hb := sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
