package publishers

import (
	"crypto/rand"
	"encoding/base64"

	"golang.org/x/oauth2"
)

// NewState returns a random OAuth state value (32 bytes, base64url).
func NewState() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewVerifier returns a PKCE code verifier (RFC 7636).
func NewVerifier() string { return oauth2.GenerateVerifier() }

// AuthCodeURL builds the authorization URL with state and the S256 PKCE challenge.
func AuthCodeURL(cfg *oauth2.Config, in OAuthStart, extra ...oauth2.AuthCodeOption) string {
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(in.Verifier)}, extra...)
	return cfg.AuthCodeURL(in.State, opts...)
}
