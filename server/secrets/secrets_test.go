package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Fixed keys keep failures reproducible; they are test data, not secrets.
var (
	rawOld = bytes.Repeat([]byte{0x11}, KeySize)
	rawNew = bytes.Repeat([]byte{0x22}, KeySize)
	oldB64 = base64.StdEncoding.EncodeToString(rawOld)
	newB64 = base64.RawURLEncoding.EncodeToString(rawNew)
)

func mustParse(t *testing.T, spec string) *Keyring {
	t.Helper()
	k, err := ParseKeyring(spec)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustParse(t, "k1:"+oldB64)
	for _, plaintext := range [][]byte{
		nil,
		[]byte("ya29.a0AfH6SMB-access-token"),
		bytes.Repeat([]byte{0, 0xff}, 4096),
	} {
		aad := []byte("channel:42:access_token")
		sealed, err := k.Seal(plaintext, aad)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		if !strings.HasPrefix(sealed, "v1.k1.") {
			t.Errorf("sealed = %q, want prefix v1.k1.", sealed)
		}
		if bytes.Contains([]byte(sealed), plaintext) && len(plaintext) > 0 {
			t.Errorf("sealed value contains the plaintext")
		}
		got, err := k.Open(sealed, aad)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plaintext) {
			t.Errorf("Open = %q, want %q", got, plaintext)
		}
	}
}

func TestSealIsRandomized(t *testing.T) {
	// A deterministic seal would let anyone with the database see which
	// channels share a token; fresh nonces prevent that.
	k := mustParse(t, oldB64)
	a, _ := k.Seal([]byte("same"), nil)
	b, _ := k.Seal([]byte("same"), nil)
	if a == b {
		t.Fatalf("two seals of the same plaintext are equal: %q", a)
	}
}

func TestSealedFormatIsASCII(t *testing.T) {
	k := mustParse(t, oldB64)
	sealed, err := k.Seal([]byte("token"), []byte("channel:1"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(sealed, ".")
	if len(parts) != 3 || parts[0] != "v1" || parts[1] != k.PrimaryID() {
		t.Fatalf("sealed = %q, want v1.<kid>.<payload>", sealed)
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		t.Errorf("payload is not unpadded base64url: %v", err)
	}
}

func TestOpenWrongAADFails(t *testing.T) {
	k := mustParse(t, oldB64)
	sealed, err := k.Seal([]byte("token"), []byte("channel:42"))
	if err != nil {
		t.Fatal(err)
	}
	for _, aad := range []string{"channel:43", "channel:4", "", "channel:42 "} {
		if _, err := k.Open(sealed, []byte(aad)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Open with aad %q: err = %v, want ErrCorrupt", aad, err)
		}
	}
}

func TestOpenTamperedFails(t *testing.T) {
	k := mustParse(t, "a:"+oldB64+",b:"+newB64)
	sealed, err := k.Seal([]byte("refresh-token"), []byte("channel:7"))
	if err != nil {
		t.Fatal(err)
	}
	payload := strings.TrimPrefix(sealed, "v1.a.")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)

	flipped := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return "v1.a." + base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name    string
		sealed  string
		wantErr error
	}{
		{"nonce bit flipped", flipped(0), ErrCorrupt},
		{"ciphertext bit flipped", flipped(14), ErrCorrupt},
		{"tag bit flipped", flipped(len(raw) - 1), ErrCorrupt},
		{"truncated", sealed[:len(sealed)-4], ErrCorrupt},
		{"relabelled to other key", "v1.b." + payload, ErrCorrupt},
		{"other version", "v2.a." + payload, ErrCorrupt},
		{"no version", "a." + payload, ErrCorrupt},
		{"empty", "", ErrCorrupt},
		{"plaintext stored by mistake", "refresh-token", ErrCorrupt},
		{"bad kid", "v1.a:b." + payload, ErrCorrupt},
		{"padded payload", sealed + "==", ErrCorrupt},
		{"extra dot", sealed + ".x", ErrCorrupt},
		{"too short", "v1.a.AAAA", ErrCorrupt},
		{"unknown kid", "v1.zz." + payload, ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Open(tt.sealed, []byte("channel:7"))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open: err = %v, want %v", err, tt.wantErr)
			}
			if got != nil {
				t.Errorf("Open returned plaintext %q alongside an error", got)
			}
		})
	}
}

func TestUnknownKey(t *testing.T) {
	old := mustParse(t, "old:"+oldB64)
	sealed, err := old.Seal([]byte("token"), nil)
	if err != nil {
		t.Fatal(err)
	}
	current := mustParse(t, "new:"+newB64)
	_, err = current.Open(sealed, nil)
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), `"old"`) {
		t.Errorf("error %q should name the missing key id so the operator knows which key to restore", err)
	}
	if _, _, err := current.Rotate(sealed, nil); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Rotate: err = %v, want ErrUnknownKey", err)
	}
}

func TestRotation(t *testing.T) {
	aad := []byte("channel:9")
	before := mustParse(t, "old:"+oldB64)
	sealedOld, err := before.Seal([]byte("token"), aad)
	if err != nil {
		t.Fatal(err)
	}

	// The operator puts the new key first and keeps the old one after it.
	after := mustParse(t, "new:"+newB64+", old:"+oldB64)
	if got := after.PrimaryID(); got != "new" {
		t.Fatalf("PrimaryID = %q, want new", got)
	}
	if got, err := after.Open(sealedOld, aad); err != nil || string(got) != "token" {
		t.Fatalf("old key no longer opens: %q, %v", got, err)
	}
	sealedNew, err := after.Seal([]byte("token"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealedNew, "v1.new.") {
		t.Errorf("new value sealed under %q, want the primary key", sealedNew)
	}
	if !after.NeedsRotation(sealedOld) {
		t.Error("NeedsRotation(old) = false, want true")
	}
	if after.NeedsRotation(sealedNew) {
		t.Error("NeedsRotation(new) = true, want false")
	}
	if after.NeedsRotation("not sealed") {
		t.Error("NeedsRotation(garbage) = true, want false")
	}

	rotated, changed, err := after.Rotate(sealedOld, aad)
	if err != nil || !changed {
		t.Fatalf("Rotate(old) = %q, %v, %v; want re-sealed", rotated, changed, err)
	}
	if after.NeedsRotation(rotated) {
		t.Error("rotated value still needs rotation")
	}
	if got, err := after.Open(rotated, aad); err != nil || string(got) != "token" {
		t.Fatalf("Open(rotated) = %q, %v", got, err)
	}
	if _, err := after.Open(rotated, []byte("channel:10")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("rotation lost the aad binding: err = %v", err)
	}

	// Once every row is rotated the old key can go.
	final := mustParse(t, "new:"+newB64)
	if _, err := final.Open(rotated, aad); err != nil {
		t.Errorf("rotated value needs the old key: %v", err)
	}

	same, changed, err := after.Rotate(sealedNew, aad)
	if err != nil || changed || same != sealedNew {
		t.Errorf("Rotate(new) = %q, %v, %v; want unchanged", same, changed, err)
	}
	if _, _, err := after.Rotate(sealedOld, []byte("channel:10")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Rotate with wrong aad: err = %v, want ErrCorrupt", err)
	}
	if _, _, err := after.Rotate("garbage", aad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Rotate(garbage): err = %v, want ErrCorrupt", err)
	}
}

func TestParseKeyringForms(t *testing.T) {
	std := base64.StdEncoding.EncodeToString(rawOld)
	derived := deriveKID(rawOld)
	tests := []struct {
		name        string
		spec        string
		wantPrimary string
	}{
		{"kid and std base64", "k1:" + std, "k1"},
		{"kid and raw std base64", "k1:" + base64.RawStdEncoding.EncodeToString(rawOld), "k1"},
		{"kid and url base64", "k1:" + base64.URLEncoding.EncodeToString(rawOld), "k1"},
		{"kid and raw url base64", "k1:" + base64.RawURLEncoding.EncodeToString(rawOld), "k1"},
		{"bare key", std, derived},
		{"bare key with spaces", "  " + std + "\n", derived},
		{"passphrase", "correct horse battery staple", ""},
		{"passphrase with colon after a space", "a b:c d e f g h i j", ""},
		{"first entry is primary", "b:" + newB64 + ",a:" + std, "b"},
		{"spaces around entries", " b:" + newB64 + " ,\ta:" + std, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := mustParse(t, tt.spec)
			if tt.wantPrimary != "" && k.PrimaryID() != tt.wantPrimary {
				t.Errorf("PrimaryID = %q, want %q", k.PrimaryID(), tt.wantPrimary)
			}
			if !validKID(k.PrimaryID()) {
				t.Errorf("PrimaryID %q is not a valid kid", k.PrimaryID())
			}
		})
	}
}

func TestParseKeyringSameKeyAnySpelling(t *testing.T) {
	// Every spelling of one key must open what another sealed, or an
	// operator who re-pastes the key without padding would lose data.
	a := mustParse(t, "k:"+base64.StdEncoding.EncodeToString(rawOld))
	b := mustParse(t, "k:"+base64.RawURLEncoding.EncodeToString(rawOld))
	sealed, _ := a.Seal([]byte("x"), nil)
	if _, err := b.Open(sealed, nil); err != nil {
		t.Fatalf("padded and unpadded spellings differ: %v", err)
	}
	bare := mustParse(t, base64.StdEncoding.EncodeToString(rawOld))
	again := mustParse(t, base64.RawURLEncoding.EncodeToString(rawOld))
	if bare.PrimaryID() != again.PrimaryID() {
		t.Errorf("derived kid depends on spelling: %q vs %q", bare.PrimaryID(), again.PrimaryID())
	}
}

func TestParseKeyringPassphraseIsStable(t *testing.T) {
	// The passphrase derivation is part of the storage format: if it changed,
	// every stored token would become unreadable. Pin it; the expected kid was computed
	// independently from RFC 5869 with Python's hmac module.
	const pass = "correct horse battery staple"
	k := mustParse(t, pass)
	sealed, err := k.Seal([]byte("token"), nil)
	if err != nil {
		t.Fatal(err)
	}
	again := mustParse(t, " "+pass+" ")
	if _, err := again.Open(sealed, nil); err != nil {
		t.Fatalf("same passphrase does not open: %v", err)
	}
	if got, want := k.PrimaryID(), "3478fddd"; got != want {
		t.Errorf("passphrase kid = %q, want %q (did the derivation change?)", got, want)
	}
	other := mustParse(t, "correct horse battery stapler")
	if _, err := other.Open(sealed, nil); err == nil {
		t.Error("a different passphrase opened the value")
	}
}

func TestParseKeyringErrorsDoNotLeak(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x33}, 24))
	tests := []struct {
		name    string
		spec    string
		secrets []string // substrings of spec that must not appear in the error
		want    string   // substring the error must contain
	}{
		{"empty", "", nil, "empty"},
		{"blank", " \t\n", nil, "empty"},
		{"too short", "hunter2hunter", []string{"hunter2hunter", "hunter"}, "too short"},
		{"too short second", oldB64 + ",s3cr3tpa55", []string{oldB64, "s3cr3tpa55"}, "entry 2 of 2"},
		{"stray comma", oldB64 + ",", []string{oldB64}, "empty"},
		{"bad base64 after kid", "k1:not*base64*at*all*but*long", []string{"not*base64", "k1:"}, "not valid base64"},
		{"wrong key length", "k1:" + short, []string{short}, "24 bytes"},
		{"passphrase that looks like kid:key", "admin:my long passphrase", []string{"admin", "my long passphrase"}, "kid:key"},
		{"duplicate kid", "k:" + oldB64 + ",k:" + newB64, []string{oldB64, newB64}, "entries 1 and 2"},
		{"duplicate bare key", oldB64 + "," + newB64 + "," + oldB64, []string{oldB64, newB64}, "entries 1 and 3"},
		{"same passphrase twice", "correct horse battery staple,correct horse battery staple", []string{"correct horse", "horse", "staple"}, "same key id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeyring(tt.spec)
			if err == nil {
				t.Fatalf("ParseKeyring succeeded with primary %q, want an error", k.PrimaryID())
			}
			msg := err.Error()
			if strings.TrimSpace(tt.spec) != "" && strings.Contains(msg, strings.TrimSpace(tt.spec)) {
				t.Errorf("error %q echoes the whole setting", msg)
			}
			for _, s := range tt.secrets {
				if strings.Contains(msg, s) {
					t.Errorf("error %q leaks %q", msg, s)
				}
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q should mention %q", msg, tt.want)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		entry, err := GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if seen[entry] {
			t.Fatalf("GenerateKey repeated %q", entry)
		}
		seen[entry] = true
		kid, _, ok := strings.Cut(entry, ":")
		if !ok {
			t.Fatalf("entry %q is not kid:key", entry)
		}
		k := mustParse(t, entry)
		if k.PrimaryID() != kid {
			t.Errorf("PrimaryID = %q, want %q", k.PrimaryID(), kid)
		}
		sealed, err := k.Seal([]byte("t"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Open(sealed, nil); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(entry, " ,\"'$=+/") {
			t.Errorf("entry %q needs quoting in an env file", entry)
		}
	}
}

func TestKeyringDoesNotPrintKeys(t *testing.T) {
	k := mustParse(t, "k1:"+oldB64)
	type config struct {
		Keys *Keyring
		keys *Keyring
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, config{k, k}) + fmt.Sprintf(verb, k)
		if strings.Contains(out, oldB64) || strings.Contains(out, "\x11\x11") || strings.Contains(out, "17 17") {
			t.Errorf("%s printed key material: %s", verb, out)
		}
	}
	if got := k.String(); !strings.Contains(got, `"k1"`) {
		t.Errorf("String = %q, want it to name the primary", got)
	}
}

func TestZeroKeyring(t *testing.T) {
	var k Keyring
	if _, err := k.Seal([]byte("x"), nil); err == nil {
		t.Error("Seal on an empty ring succeeded")
	}
	if _, err := k.Open("v1.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open on an empty ring: err = %v, want ErrUnknownKey", err)
	}
	if k.PrimaryID() != "" {
		t.Errorf("PrimaryID = %q, want empty", k.PrimaryID())
	}
}

func TestKeyringConcurrentUse(t *testing.T) {
	k := mustParse(t, "new:"+newB64+",old:"+oldB64)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			aad := fmt.Appendf(nil, "channel:%d", i)
			for range 100 {
				s, err := k.Seal(aad, aad)
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := k.Open(s, aad); err != nil || !bytes.Equal(got, aad) {
					t.Errorf("Open = %q, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// pinnedSealed was sealed once by this package with key "k:"+oldB64, plaintext
// "token" and aad "channel:1". Values in the database outlive releases, so
// whatever the code becomes, it must still open this.
const pinnedSealed = "v1.k.4zPjkYvFzo3bmd-8YSojjngU8AR_uCc2hwTi3xx8vZMY"

func TestOpenPinnedValue(t *testing.T) {
	k := mustParse(t, "k:"+oldB64)
	got, err := k.Open(pinnedSealed, []byte("channel:1"))
	if err != nil || string(got) != "token" {
		t.Fatalf("Open(pinned) = %q, %v; the sealed format changed incompatibly", got, err)
	}
}

func FuzzOpen(f *testing.F) {
	k, err := ParseKeyring("k:" + oldB64)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{pinnedSealed, "", "v1..", "v1.k.", "v1.k.AAAA", "v1.k." + strings.Repeat("A", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sealed string) {
		got, err := k.Open(sealed, []byte("channel:1"))
		if err != nil && got != nil {
			t.Fatalf("plaintext returned with error %v", err)
		}
		if err == nil && sealed != pinnedSealed {
			// Strict base64 gives each ciphertext one spelling, so anything
			// other than the genuine value opening is a forgery.
			t.Fatalf("forged value %q opened to %q", sealed, got)
		}
		_ = k.NeedsRotation(sealed)
	})
}
