// Package auth holds the security primitives behind sign-in, sessions and
// API tokens: password hashing, token generation, and attempt throttling.
// It has no HTTP or database code, so the handlers and the store can share
// it and each primitive can be tested on its own.
//
// A sign-in handler is expected to use it in this order: check the Limiter
// for the address and the account, look the user up, call CheckPassword (or
// CheckDummy when there is no such user, so both paths cost the same), store
// a new hash when needsRehash is set, Reset the account's limiter, and issue
// a session token from NewToken, storing only its hash.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters. They are stored in every encoded
// hash, so changing the defaults never breaks existing passwords; it only
// makes CheckPassword report needsRehash until the user next signs in.
type Params struct {
	// Memory is in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen is the salt length in bytes.
	SaltLen uint32
	// KeyLen is the hash length in bytes.
	KeyLen uint32
}

// DefaultParams are used for every new password: 64 MiB, 3 passes, 2 lanes,
// a 16-byte salt and a 32-byte hash. That is well above OWASP's minimum for
// argon2id (19 MiB, 2 passes, 1 lane) and close to RFC 9106's second
// recommended option (64 MiB, 3 passes), with 2 lanes instead of 4 because a
// small self-hosted server rarely has cores to spare. One check takes about
// 150 ms on a two-core cloud VM (BenchmarkCheckPassword measures it). Treat it
// as read-only: CheckPassword and CheckDummy compare against it.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// TestParams are cheap parameters for tests that create many users, so that
// suites stay fast under -race. Never use them outside tests.
var TestParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on parameters read back from an encoded hash. A corrupted or
// hostile row must not make CheckPassword allocate gigabytes or spin for
// minutes, and must not reach the argon2 package's panics.
const (
	maxMemory  = 1 << 20 // KiB, i.e. 1 GiB
	maxTime    = 64
	minSaltLen = 8 // RFC 9106's minimum
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// hashSlots caps how many argon2 computations run at once. Each one holds
// Memory KiB (64 MiB by default) until it finishes, so a burst of sign-in
// requests from many addresses could otherwise exhaust a small server's
// memory; queueing them costs latency instead.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

func idKey(password, salt []byte, p Params) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// ErrMalformedHash reports an encoded hash that CheckPassword cannot use. It
// means a damaged users row or a hash from another system, not a wrong
// password, so it should be logged rather than shown to the user.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// validate rejects parameters that argon2 would panic on or that are too
// expensive to be anything but a mistake.
func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range %d..%d", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// HashPassword hashes password with argon2id under p and a fresh random
// salt, returning the PHC string format used by the reference implementation
// and most other libraries, e.g.
//
//	$argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>
//
// with salt and hash in unpadded standard base64. Validate new passwords with
// ValidatePassword first; HashPassword itself accepts any string.
func HashPassword(password string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: read salt: %w", err)
	}
	hash := idKey([]byte(password), salt, p)
	return encodeHash(p, salt, hash), nil
}

func encodeHash(p Params, salt, hash []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(hash))
}

// decodeHash parses the PHC string strictly: it is the one place untrusted
// bytes (a database column) choose how much work and memory we spend.
func decodeHash(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return Params{}, nil, nil, fmt.Errorf("%w: want 5 '$'-separated fields", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: unsupported algorithm (only argon2id)", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, fmt.Errorf("%w: unsupported argon2 version (only v=%d)", ErrMalformedHash, argon2.Version)
	}
	m, t, threads, err := parseCost(parts[3])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %v", ErrMalformedHash, err)
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt is not unpadded base64", ErrMalformedHash)
	}
	hash, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: hash is not unpadded base64", ErrMalformedHash)
	}
	p := Params{Memory: m, Time: t, Threads: threads, SaltLen: uint32(len(salt)), KeyLen: uint32(len(hash))}
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %v", ErrMalformedHash, err)
	}
	return p, salt, hash, nil
}

// parseCost reads "m=<KiB>,t=<passes>,p=<lanes>" in exactly that order, as
// every argon2 implementation writes it.
func parseCost(s string) (m, t uint32, p uint8, err error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return 0, 0, 0, errors.New("want m=,t=,p= parameters")
	}
	var v [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		value, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return 0, 0, 0, fmt.Errorf("want parameter %s= in position %d", name, i+1)
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		v[i], err = strconv.ParseUint(value, 10, bits)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("parameter %s is not a valid number", name)
		}
	}
	return uint32(v[0]), uint32(v[1]), uint8(v[2]), nil
}

// CheckPassword reports whether password matches the encoded hash, comparing
// in constant time. needsRehash is true when the password matched but the
// hash was made with parameters other than DefaultParams (weaker or
// stronger), so the caller should store HashPassword(password, DefaultParams)
// while it has the plaintext; it is always false when ok is false. err is
// non-nil only for a hash that cannot be used (see ErrMalformedHash), never
// for a wrong password.
func CheckPassword(encoded, password string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := idKey([]byte(password), salt, p)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != DefaultParams, nil
}

// CheckDummy does the work of CheckPassword against a hash no password
// matches. Call it when sign-in names an account that does not exist, so
// that the response takes as long as for a real account with a wrong
// password and its timing does not reveal which email addresses have
// accounts. It follows DefaultParams, which is what real hashes converge to.
func CheckDummy(password string) {
	p := DefaultParams
	if p.validate() != nil {
		// HashPassword refuses such parameters too, so there is no real
		// hash whose timing this could be compared with.
		return
	}
	// The salt and hash are zeros: timing depends only on the parameters,
	// and no password derives an all-zero hash.
	want := make([]byte, p.KeyLen)
	got := idKey([]byte(password), make([]byte, p.SaltLen), p)
	subtle.ConstantTimeCompare(got, want)
}

// Password length limits. The minimum follows NIST SP 800-63B for
// user-chosen passwords with room to spare; there are no composition rules,
// which push users to predictable patterns. The maximum is in bytes because
// hashing cost and request size depend on bytes; it still allows passphrases
// of 64 characters in any script.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 256
)

var (
	// ErrPasswordTooShort is returned by ValidatePassword; handlers can map
	// it to a field error with errors.Is.
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters", MinPasswordChars)
	// ErrPasswordTooLong is returned by ValidatePassword; handlers can map it
	// to a field error with errors.Is.
	ErrPasswordTooLong = fmt.Errorf("password must be at most %d bytes (%d characters of plain ASCII, fewer with accents or other scripts)", MaxPasswordBytes, MaxPasswordBytes)
	// ErrPasswordNotUTF8 is returned by ValidatePassword for bytes that are
	// not text. Browsers always send UTF-8, so this means a broken client,
	// and a password nobody can type again is worse than an error now.
	ErrPasswordNotUTF8 = errors.New("password must be valid UTF-8 text")
)

// ValidatePassword checks a new password (sign-up, reset, change) against
// the length rules. Characters are counted as Unicode code points, so
// "pässwörd12" is 10 characters though it is 12 bytes. It is not applied to
// sign-in, where a password set under older rules must still work.
func ValidatePassword(pw string) error {
	if !utf8.ValidString(pw) {
		return ErrPasswordNotUTF8
	}
	if utf8.RuneCountInString(pw) < MinPasswordChars {
		return ErrPasswordTooShort
	}
	if len(pw) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	return nil
}
