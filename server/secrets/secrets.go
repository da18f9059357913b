// Package secrets encrypts channel credentials (OAuth access and refresh
// tokens, app secrets) before they reach the database, so a leaked dump or
// backup does not hand an attacker every connected social-media account.
//
// Values are sealed with AES-256-GCM under a key from a Keyring. Every sealed
// value names the key that sealed it, so an operator can rotate keys without
// a flag day: put the new key first in HERALD_SECRET_KEY, keep the old ones
// after it, and let the token-refresh job re-seal rows with Keyring.Rotate.
// Once no row needs rotation the old keys can be dropped.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// KeySize is the length in bytes of a raw key: AES-256.
const KeySize = 32

// MinPassphraseLen is the shortest secret, in characters, that ParseKeyring
// accepts as a passphrase. It only catches obvious mistakes (an empty or
// placeholder value); it is no substitute for a generated key.
const MinPassphraseLen = 16

// passphraseInfo is the HKDF info string that turns a passphrase into a key.
// Changing it would make every existing ciphertext unreadable, so a new
// derivation needs a new string (and a new kid), never an edit of this one.
const passphraseInfo = "herald secret key v1"

// sealedVersion prefixes every sealed value so a future format can be told
// apart from this one without guessing.
const sealedVersion = "v1"

// maxKIDLen bounds key ids; they are stored in every sealed value, so long
// ones waste space in every row.
const maxKIDLen = 32

var (
	// ErrUnknownKey reports a sealed value whose key id is not in the ring,
	// which usually means an old key was removed from HERALD_SECRET_KEY while
	// rows sealed under it remained. It is distinct from ErrCorrupt so the
	// operator can be told to restore the key rather than to reconnect.
	ErrUnknownKey = errors.New("secrets: sealed with a key that is not in the key ring")

	// ErrCorrupt reports a value that is not in the sealed format or fails
	// authentication: it was truncated, edited, or copied from a row with a
	// different owner (aad). The two cases are not distinguished because
	// telling an attacker which check failed helps only the attacker.
	ErrCorrupt = errors.New("secrets: sealed value is malformed or has been tampered with")
)

// key is one AES-256-GCM key and the id written into values it seals.
type key struct {
	id   string
	aead cipher.AEAD
}

// Keyring holds the primary key, which seals new values, and older keys,
// which only open values sealed before a rotation. A Keyring is immutable
// once parsed and safe for concurrent use.
type Keyring struct {
	primary *key
	byID    map[string]*key
}

// ParseKeyring parses the HERALD_SECRET_KEY setting.
//
// The setting is one or more comma-separated entries; the first is the
// primary key and seals new values, the rest only open old ones. Spaces
// around entries are ignored. Each entry is one of:
//
//   - "kid:key", where kid is 1–32 characters of A–Z, a–z, 0–9, '_' or '-'
//     and key is 32 random bytes in base64 (standard or URL alphabet, with or
//     without padding), as GenerateKey produces. Choosing the kid yourself
//     (e.g. "2025a") makes rotations easy to follow in the data.
//   - a bare base64 32-byte key; its kid is the first 8 hex digits of the
//     SHA-256 of the key, so it stays the same every time the key is parsed.
//   - any other secret of at least 16 characters, such as a passphrase. It is
//     stretched into a key with HKDF-SHA256 (no salt, info string
//     "herald secret key v1") and its kid is derived from the stretched key
//     as above. HKDF is fast, not a password hash: it does not slow down
//     guessing, so a passphrase must be long and random to be safe. A
//     passphrase cannot contain ',' and cannot start with a word followed by
//     ':', which would read as "kid:key".
//
// Errors name entries by position and never include any part of the
// setting, so they are safe to log.
func ParseKeyring(spec string) (*Keyring, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("secrets: the secret key setting is empty; generate a key with `openssl rand -base64 32`")
	}
	entries := strings.Split(spec, ",")
	kr := &Keyring{byID: make(map[string]*key, len(entries))}
	position := make(map[string]int, len(entries))
	for i, entry := range entries {
		n := i + 1
		k, err := parseEntry(strings.TrimSpace(entry))
		if err != nil {
			return nil, fmt.Errorf("secrets: key entry %d of %d: %w", n, len(entries), err)
		}
		if first, dup := position[k.id]; dup {
			return nil, fmt.Errorf("secrets: key entries %d and %d have the same key id (or are the same key); give each key its own id", first, n)
		}
		position[k.id] = n
		kr.byID[k.id] = k
		if kr.primary == nil {
			kr.primary = k
		}
	}
	return kr, nil
}

// parseEntry turns one entry of the setting into a key. Its errors must not
// quote the entry: they end up in logs.
func parseEntry(entry string) (*key, error) {
	if entry == "" {
		return nil, errors.New("entry is empty (check for a stray comma)")
	}
	if i := strings.IndexByte(entry, ':'); i > 0 && validKID(entry[:i]) {
		raw, err := decodeKey(entry[i+1:])
		if err != nil {
			return nil, fmt.Errorf("%w (an entry of the form \"kid:key\" needs a base64 32-byte key; a passphrase must not start with a word followed by ':')", err)
		}
		return newKey(entry[:i], raw)
	}
	if raw, err := decodeKey(entry); err == nil {
		return newKey(deriveKID(raw), raw)
	}
	if utf8.RuneCountInString(entry) < MinPassphraseLen {
		return nil, fmt.Errorf("secret is too short: want a base64 32-byte key or a passphrase of at least %d characters", MinPassphraseLen)
	}
	raw, err := hkdf.Key(sha256.New, []byte(entry), nil, passphraseInfo, KeySize)
	if err != nil {
		return nil, fmt.Errorf("stretch passphrase: %w", err)
	}
	return newKey(deriveKID(raw), raw)
}

// decodeKey accepts every common spelling of base64 because keys get pasted
// from openssl (standard, padded), from GenerateKey (URL, unpadded) and from
// password managers that may have stripped the padding.
func decodeKey(s string) ([]byte, error) {
	encodings := []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	}
	decoded := -1
	for _, enc := range encodings {
		raw, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(raw) == KeySize {
			return raw, nil
		}
		decoded = len(raw)
	}
	if decoded >= 0 {
		return nil, fmt.Errorf("key decodes to %d bytes, want %d", decoded, KeySize)
	}
	return nil, errors.New("key is not valid base64")
}

// deriveKID names a key after its hash so that the same key always gets the
// same id without the operator having to choose one. Eight hex digits reveal
// nothing useful about a 256-bit key and are plenty to tell a handful apart.
func deriveKID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:4])
}

// validKID keeps ids to characters that cannot collide with the separators
// of the setting (',' ':') or of sealed values ('.').
func validKID(s string) bool {
	if s == "" || len(s) > maxKIDLen {
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

func newKey(id string, raw []byte) (*key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	// Random nonces are prepended to the ciphertext by this AEAD, which is
	// exactly the nonce||ciphertext layout of the sealed format. The 2^32
	// messages-per-key limit of random 96-bit nonces is far beyond what one
	// Herald installation seals, and rotation resets it anyway.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("create GCM: %w", err)
	}
	return &key{id: id, aead: aead}, nil
}

// GenerateKey returns a fresh "kid:key" entry for HERALD_SECRET_KEY: 32 bytes
// from crypto/rand in unpadded URL-safe base64, so it can be pasted into an
// environment file or a shell without quoting. The kid is derived from the
// key, as for a bare key, so removing the "kid:" part later changes nothing.
func GenerateKey() (string, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("secrets: generate key: %w", err)
	}
	return deriveKID(raw) + ":" + base64.RawURLEncoding.EncodeToString(raw), nil
}

// PrimaryID returns the id of the key that seals new values, for start-up
// logs and for the admin page, so an operator can confirm a rotation took.
func (k *Keyring) PrimaryID() string {
	if k == nil || k.primary == nil {
		return ""
	}
	return k.primary.id
}

// String describes the ring without key material, so a Keyring that ends up
// in a log line or a %+v of a config struct shows only its ids.
func (k *Keyring) String() string {
	if k == nil {
		return "secrets.Keyring(nil)"
	}
	return fmt.Sprintf("secrets.Keyring{primary: %q, keys: %d}", k.PrimaryID(), len(k.byID))
}

// GoString is String, so %#v does not walk into the ciphers either.
func (k *Keyring) GoString() string { return k.String() }

// Seal encrypts plaintext under the primary key.
//
// aad names the owner of the value, e.g. "channel:42:access_token". It is
// not stored, but it is authenticated: the value opens only with the same
// aad, so a ciphertext copied into another row (another channel, another
// workspace) fails to open instead of quietly lending its credentials.
//
// The result is self-describing ASCII, "v1.<kid>.<base64url(nonce||ciphertext)>",
// and fits a VARCHAR/TEXT column without further encoding.
func (k *Keyring) Seal(plaintext, aad []byte) (string, error) {
	if k == nil || k.primary == nil {
		return "", errors.New("secrets: seal: the key ring has no keys")
	}
	header := sealedVersion + "." + k.primary.id + "."
	ct := k.primary.aead.Seal(nil, nil, plaintext, additionalData(header, aad))
	return header + base64.RawURLEncoding.EncodeToString(ct), nil
}

// additionalData binds the header as well as the caller's aad, so a value
// cannot be relabelled with another version or kid even if a future key
// happened to accept it. The header ends with '.', which a kid cannot
// contain, so header and aad cannot run into each other ambiguously.
func additionalData(header string, aad []byte) []byte {
	ad := make([]byte, 0, len(header)+len(aad))
	ad = append(ad, header...)
	return append(ad, aad...)
}

// Open decrypts a value produced by Seal with the same aad. It returns
// ErrUnknownKey when the value names a key that is not in the ring and
// ErrCorrupt when it is malformed or fails authentication (including a wrong
// aad); test with errors.Is.
func (k *Keyring) Open(sealed string, aad []byte) ([]byte, error) {
	kid, ct, err := parseSealed(sealed)
	if err != nil {
		return nil, err
	}
	var ring map[string]*key
	if k != nil {
		ring = k.byID
	}
	opener, ok := ring[kid]
	if !ok {
		return nil, fmt.Errorf("%w (key id %q)", ErrUnknownKey, kid)
	}
	header := sealedVersion + "." + kid + "."
	plaintext, err := opener.aead.Open(nil, nil, ct, additionalData(header, aad))
	if err != nil {
		return nil, ErrCorrupt
	}
	return plaintext, nil
}

// parseSealed splits a sealed value into its key id and raw ciphertext.
// The returned kid has passed validKID, so it is safe to quote in errors.
func parseSealed(sealed string) (kid string, ct []byte, err error) {
	version, rest, ok := strings.Cut(sealed, ".")
	if !ok || version != sealedVersion {
		return "", nil, ErrCorrupt
	}
	kid, payload, ok := strings.Cut(rest, ".")
	if !ok || !validKID(kid) {
		return "", nil, ErrCorrupt
	}
	ct, err = base64.RawURLEncoding.Strict().DecodeString(payload)
	if err != nil || len(ct) < gcmOverhead {
		return "", nil, ErrCorrupt
	}
	return kid, ct, nil
}

// gcmOverhead is the nonce (12) plus tag (16) that every ciphertext carries,
// so anything shorter cannot be a sealed value.
const gcmOverhead = 12 + 16

// NeedsRotation reports whether sealed was sealed under a key other than the
// primary, i.e. whether Rotate would re-seal it. It only reads the header, so
// it is cheap enough to run over every row; it reports false for values that
// are not in the sealed format, which Rotate reports as ErrCorrupt.
func (k *Keyring) NeedsRotation(sealed string) bool {
	kid, _, err := parseSealed(sealed)
	if err != nil {
		return false
	}
	return kid != k.PrimaryID()
}

// Rotate re-seals a value under the primary key when it was sealed under an
// older one, returning the new value and true; the caller writes it back.
// A value already under the primary is returned unchanged with false and is
// not decrypted, so running Rotate over every row costs little once the
// rotation is done. Errors are those of Open.
func (k *Keyring) Rotate(sealed string, aad []byte) (string, bool, error) {
	kid, _, err := parseSealed(sealed)
	if err != nil {
		return "", false, err
	}
	if kid == k.PrimaryID() {
		return sealed, false, nil
	}
	plaintext, err := k.Open(sealed, aad)
	if err != nil {
		return "", false, err
	}
	resealed, err := k.Seal(plaintext, aad)
	clear(plaintext)
	if err != nil {
		return "", false, err
	}
	return resealed, true, nil
}
