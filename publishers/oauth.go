package publishers

import (
	"crypto/rand"
	"crypto/subtle"
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

// CheckState compares the state Herald generated for a connection attempt with the one the
// callback carries, in constant time. A mismatch (or no expected state) is a permanent failure of
// the network's: the sign-in response belongs to another attempt.
func CheckState(network, expected, got string) error {
	if expected == "" || subtle.ConstantTimeCompare([]byte(expected), []byte(got)) != 1 {
		return &Error{Kind: KindPermanent, Network: network, Code: "state_mismatch",
			Message: "the sign-in response does not belong to this connection attempt; start connecting again"}
	}
	return nil
}

// AppCredentials are the client id and secret of the app an administrator registered with a
// network (an X project's OAuth 2.0 client, a Meta app, a LinkedIn app). They come from the
// HERALD_<NETWORK>_CLIENT_ID and HERALD_<NETWORK>_CLIENT_SECRET environment variables.
type AppCredentials struct {
	ClientID     string
	ClientSecret string
}

// Configured reports whether a client id was given (some networks take public clients, which
// have no secret).
func (a AppCredentials) Configured() bool { return a.ClientID != "" }

// CallbackPlaceholder stands, in a Meta.Setup message, for this installation's OAuth callback URL
// for the network; the server replaces it before showing the message.
const CallbackPlaceholder = "{callback}"
