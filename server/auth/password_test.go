package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Hashes of "correct horse battery staple" with salt "herald-fixed-sal",
// made by the reference C implementation (libargon2, argon2id_hash_encoded).
// Matching them proves the format and parameters interoperate, so hashes can
// be imported from or exported to other systems.
const (
	refPassword    = "correct horse battery staple"
	refCheapHash   = "$argon2id$v=19$m=64,t=2,p=1$aGVyYWxkLWZpeGVkLXNhbA$5wpldsBBhQGPkZBgAjkeXi/zWR6KKvWlyLDLzd24f1Y"
	refDefaultHash = "$argon2id$v=19$m=65536,t=3,p=2$aGVyYWxkLWZpeGVkLXNhbA$mcK2DJc78kE63bApFJBAAs35YtmqCKgW+7H5SUNvNic"
)

var phcFormat = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestHashPasswordRoundTrip(t *testing.T) {
	for _, pw := range []string{"correct horse battery staple", "pässwörd-ünïcode", "", strings.Repeat("x", 256)} {
		encoded, err := HashPassword(pw, TestParams)
		if err != nil {
			t.Fatalf("HashPassword: %v", err)
		}
		if !phcFormat.MatchString(encoded) {
			t.Errorf("encoded %q is not in PHC format", encoded)
		}
		if !strings.Contains(encoded, "$m=64,t=1,p=1$") {
			t.Errorf("encoded %q does not record TestParams", encoded)
		}
		ok, _, err := CheckPassword(encoded, pw)
		if err != nil || !ok {
			t.Errorf("CheckPassword(own hash) = %v, %v", ok, err)
		}
	}
}

func TestHashPasswordSalted(t *testing.T) {
	// Equal passwords must not produce equal hashes, or one cracked
	// password would reveal every account that shares it.
	a, _ := HashPassword("same password", TestParams)
	b, _ := HashPassword("same password", TestParams)
	if a == b {
		t.Fatalf("two hashes of one password are equal: %s", a)
	}
}

func TestCheckPasswordWrong(t *testing.T) {
	encoded, err := HashPassword("correct horse battery staple", TestParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "correct horse battery stapl", "Correct horse battery staple", "correct horse battery staple "} {
		ok, needsRehash, err := CheckPassword(encoded, pw)
		if ok || needsRehash || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v, %v; want false, false, nil", pw, ok, needsRehash, err)
		}
	}
}

func TestCheckPasswordReferenceVectors(t *testing.T) {
	ok, needsRehash, err := CheckPassword(refCheapHash, refPassword)
	if err != nil || !ok {
		t.Fatalf("reference hash: ok = %v, err = %v", ok, err)
	}
	if !needsRehash {
		t.Error("a hash with weaker parameters than DefaultParams should need rehashing")
	}
	if ok, _, _ := CheckPassword(refCheapHash, refPassword+"!"); ok {
		t.Error("reference hash accepted a wrong password")
	}
}

func TestCheckPasswordDefaultParams(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with the full default cost")
	}
	ok, needsRehash, err := CheckPassword(refDefaultHash, refPassword)
	if err != nil || !ok || needsRehash {
		t.Fatalf("CheckPassword(default-cost reference) = %v, %v, %v; want true, false, nil", ok, needsRehash, err)
	}
}

func TestCheckPasswordNeedsRehash(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		want bool
	}{
		{"test params", TestParams, true},
		{"more memory", Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"shorter salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := HashPassword("pw-for-rehash", tt.p)
			if err != nil {
				t.Fatal(err)
			}
			ok, needsRehash, err := CheckPassword(encoded, "pw-for-rehash")
			if !ok || err != nil || needsRehash != tt.want {
				t.Errorf("CheckPassword = %v, %v, %v; want needsRehash %v", ok, needsRehash, err, tt.want)
			}
		})
	}

	// Changing the defaults must flag old hashes; run against cheap
	// defaults so the check stays fast.
	saved := DefaultParams
	t.Cleanup(func() { DefaultParams = saved })
	DefaultParams = TestParams
	encoded, _ := HashPassword("pw-for-rehash", TestParams)
	if ok, needsRehash, _ := CheckPassword(encoded, "pw-for-rehash"); !ok || needsRehash {
		t.Errorf("hash with current defaults: ok = %v, needsRehash = %v; want true, false", ok, needsRehash)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	const salt = "aGVyYWxkLWZpeGVkLXNhbA"
	const hash = "5wpldsBBhQGPkZBgAjkeXi/zWR6KKvWlyLDLzd24f1Y"
	tests := []struct {
		name    string
		encoded string
	}{
		{"empty", ""},
		{"plaintext password stored by mistake", "hunter2"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=2,p=1$" + salt + "$" + hash},
		{"argon2d", "$argon2d$v=19$m=64,t=2,p=1$" + salt + "$" + hash},
		{"old version", "$argon2id$v=16$m=64,t=2,p=1$" + salt + "$" + hash},
		{"no version", "$argon2id$m=64,t=2,p=1$" + salt + "$" + hash},
		{"no leading dollar", "argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + hash},
		{"trailing field", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + hash + "$"},
		{"missing hash", "$argon2id$v=19$m=64,t=2,p=1$" + salt},
		{"params out of order", "$argon2id$v=19$t=2,m=64,p=1$" + salt + "$" + hash},
		{"missing param", "$argon2id$v=19$m=64,t=2$" + salt + "$" + hash},
		{"extra param", "$argon2id$v=19$m=64,t=2,p=1,k=1$" + salt + "$" + hash},
		{"negative", "$argon2id$v=19$m=64,t=-2,p=1$" + salt + "$" + hash},
		{"plus sign", "$argon2id$v=19$m=+64,t=2,p=1$" + salt + "$" + hash},
		{"time zero", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash},
		{"threads zero", "$argon2id$v=19$m=64,t=2,p=0$" + salt + "$" + hash},
		{"threads overflow", "$argon2id$v=19$m=64,t=2,p=256$" + salt + "$" + hash},
		{"memory overflow", "$argon2id$v=19$m=4294967296,t=2,p=1$" + salt + "$" + hash},
		{"memory too large", "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + hash},
		{"memory below 8 per lane", "$argon2id$v=19$m=8,t=2,p=4$" + salt + "$" + hash},
		{"time too large", "$argon2id$v=19$m=64,t=100000,p=1$" + salt + "$" + hash},
		{"salt not base64", "$argon2id$v=19$m=64,t=2,p=1$!!!!$" + hash},
		{"salt padded", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "==$" + hash},
		{"salt too short", "$argon2id$v=19$m=64,t=2,p=1$YWJj$" + hash},
		{"empty salt", "$argon2id$v=19$m=64,t=2,p=1$$" + hash},
		{"empty hash", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$"},
		{"hash too short", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$YWJjZGVm"},
		{"hash url alphabet", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + strings.ReplaceAll(hash, "/", "_")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, needsRehash, err := CheckPassword(tt.encoded, refPassword)
			if ok || needsRehash {
				t.Errorf("CheckPassword = %v, %v; want false, false", ok, needsRehash)
			}
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("err = %v, want ErrMalformedHash", err)
			}
		})
	}
}

func TestHashPasswordRejectsBadParams(t *testing.T) {
	for _, p := range []Params{
		{},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 0, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 4},
		{Memory: 1 << 30, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		if _, err := HashPassword("password123", p); err == nil {
			t.Errorf("HashPassword accepted %+v", p)
		}
	}
}

func TestCheckDummy(t *testing.T) {
	// CheckDummy has no result to assert; this checks it does not panic
	// and does the work (under cheap defaults, to stay fast).
	saved := DefaultParams
	t.Cleanup(func() { DefaultParams = saved })
	DefaultParams = TestParams
	CheckDummy("anything")
	CheckDummy("")

	DefaultParams = Params{}
	CheckDummy("invalid defaults must not panic")
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"empty", "", ErrPasswordTooShort},
		{"9 characters", "123456789", ErrPasswordTooShort},
		{"10 characters", "1234567890", nil},
		{"10 characters, 13 bytes", "pässwörd1ü", nil},
		{"9 characters, 11 bytes", "pässwörd1", ErrPasswordTooShort},
		{"spaces count", "          ", nil},
		{"256 bytes", strings.Repeat("a", 256), nil},
		{"257 bytes", strings.Repeat("a", 257), ErrPasswordTooLong},
		{"64 four-byte characters", strings.Repeat("😀", 64), nil},
		{"65 four-byte characters", strings.Repeat("😀", 65), ErrPasswordTooLong},
		{"invalid UTF-8", "abcdefghij\xff", ErrPasswordNotUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePassword(tt.pw)
			if !errors.Is(err, tt.want) {
				t.Errorf("ValidatePassword = %v, want %v", err, tt.want)
			}
		})
	}
	if msg := ErrPasswordTooShort.Error(); !strings.Contains(msg, "10 characters") {
		t.Errorf("message %q should state the minimum", msg)
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add(refCheapHash, refPassword)
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "pw")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$", "")
	f.Add("$$$$$", "x")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, encoded, password string) {
		// Keep each run cheap; the parser, which is what is being fuzzed,
		// has already run by then, and expensive but valid parameters are
		// bounded by validate.
		if p, _, _, err := decodeHash(encoded); err == nil && uint64(p.Memory)*uint64(p.Time) > 4096 {
			t.Skip()
		}
		ok, needsRehash, err := CheckPassword(encoded, password)
		if err != nil && (ok || needsRehash) {
			t.Fatalf("CheckPassword = %v, %v alongside error %v", ok, needsRehash, err)
		}
		if needsRehash && !ok {
			t.Fatal("needsRehash without a match")
		}
	})
}

// BenchmarkCheckPassword measures one sign-in's hashing cost under
// DefaultParams, to check the defaults against a deployment's hardware.
func BenchmarkCheckPassword(b *testing.B) {
	for b.Loop() {
		if ok, _, err := CheckPassword(refDefaultHash, refPassword); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
