package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// stateVersion is the version of the state file's format.
const stateVersion = 1

// state is everything the sandbox keeps across restarts (Options.StatePath).
type state struct {
	Version  int                 `json:"version"`
	NextID   int64               `json:"next_post_id"`
	Accounts map[string]*account `json:"accounts"` // by handle
	Posts    []*post             `json:"posts"`    // by id, ascending
	// Tokens are keyed by hashToken(token): neither memory nor the file holds a usable token.
	Access        map[string]*accessToken  `json:"access_tokens"`
	Refresh       map[string]*refreshToken `json:"refresh_tokens"`
	RevokedStatic map[string]time.Time     `json:"revoked_static_tokens,omitempty"`
}

func newState() state {
	return state{
		Version:       stateVersion,
		NextID:        1,
		Accounts:      map[string]*account{},
		Access:        map[string]*accessToken{},
		Refresh:       map[string]*refreshToken{},
		RevokedStatic: map[string]time.Time{},
	}
}

// account is a pretend account.
type account struct {
	Handle    string    `json:"handle"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// post is a published post.
type post struct {
	ID             int64       `json:"id"`
	Handle         string      `json:"handle"`
	IdempotencyKey string      `json:"idempotency_key,omitempty"`
	Text           string      `json:"text"`
	FirstComment   string      `json:"first_comment,omitempty"`
	Language       string      `json:"language,omitempty"`
	Media          []mediaInfo `json:"media,omitempty"`
	// ReplyTo is the id of the post this one replies to: a later part of a thread replies to
	// the part before it. 0 for a post that replies to nothing.
	ReplyTo     int64     `json:"reply_to,omitempty"`
	PublishedAt time.Time `json:"published_at"`
}

// mediaInfo describes an attachment; the sandbox reads the bytes (as a network would upload
// them) but keeps only this.
type mediaInfo struct {
	Kind    string `json:"kind"`
	MIME    string `json:"mime,omitempty"`
	AltText string `json:"alt_text,omitempty"`
	Size    int64  `json:"size"`
}

type accessToken struct {
	Handle  string    `json:"handle"`
	Expiry  time.Time `json:"expiry"`
	Revoked bool      `json:"revoked,omitempty"`
}

type refreshToken struct {
	Handle  string `json:"handle"`
	Revoked bool   `json:"revoked,omitempty"`
	// RotatedAt is when a refresh replaced this token; it stays usable for refreshGrace.
	RotatedAt time.Time `json:"rotated_at,omitzero"`
}

// authCode is an authorization code waiting for its exchange. Codes are not persisted.
type authCode struct {
	Handle      string
	RedirectURI string
	Challenge   string
	Expiry      time.Time
}

// hashToken is the key a token is stored under.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randomToken returns prefix followed by 32 random bytes, base64url.
func randomToken(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// postKey indexes posts by account and idempotency key: a network scopes idempotency keys to
// the client and account that sent them.
func postKey(handle, key string) string { return handle + "\x00" + key }

// reindex rebuilds the lookup maps from n.st.Posts.
func (n *Network) reindex() {
	n.byID = make(map[int64]*post, len(n.st.Posts))
	n.byKey = make(map[string]*post, len(n.st.Posts))
	for _, p := range n.st.Posts {
		n.byID[p.ID] = p
		if p.IdempotencyKey != "" {
			n.byKey[postKey(p.Handle, p.IdempotencyKey)] = p
		}
		if p.ID >= n.st.NextID {
			n.st.NextID = p.ID + 1
		}
	}
}

// ensureAccountLocked returns the account with handle h, creating it with name when missing;
// a non-empty name replaces the stored one (a person connecting again may rename it).
func (n *Network) ensureAccountLocked(h, name string) *account {
	a := n.st.Accounts[h]
	if a == nil {
		if name == "" {
			name = "@" + h
		}
		a = &account{Handle: h, Name: name, CreatedAt: n.clock()}
		n.st.Accounts[h] = a
		return a
	}
	if name != "" {
		a.Name = name
	}
	return a
}

// issueTokensLocked creates an access and a refresh token for handle h.
func (n *Network) issueTokensLocked(h string) (access, refresh string, expiry time.Time) {
	now := n.clock()
	n.pruneLocked(now)
	access, refresh = randomToken("sbx_at_"), randomToken("sbx_rt_")
	expiry = now.Add(AccessTokenLifetime)
	n.st.Access[hashToken(access)] = &accessToken{Handle: h, Expiry: expiry}
	n.st.Refresh[hashToken(refresh)] = &refreshToken{Handle: h}
	return access, refresh, expiry
}

// pruneLocked forgets tokens that can no longer be used by anyone, so the state stays small.
func (n *Network) pruneLocked(now time.Time) {
	for k, t := range n.st.Access {
		if now.Sub(t.Expiry) > 24*time.Hour {
			delete(n.st.Access, k)
		}
	}
	for k, t := range n.st.Refresh {
		if !t.RotatedAt.IsZero() && now.Sub(t.RotatedAt) > refreshGrace {
			delete(n.st.Refresh, k)
		}
	}
	for k, code := range n.codes {
		if now.After(code.Expiry) {
			delete(n.codes, k)
		}
	}
}

// revokeAccountLocked revokes every token of handle h, and the static token tok when it is one.
func (n *Network) revokeAccountLocked(h, tok string) {
	for _, t := range n.st.Access {
		if t.Handle == h {
			t.Revoked = true
		}
	}
	for _, t := range n.st.Refresh {
		if t.Handle == h {
			t.Revoked = true
		}
	}
	if isStaticToken(tok) {
		n.st.RevokedStatic[hashToken(tok)] = n.clock()
	}
}

func isStaticToken(tok string) bool {
	return tok == legacyDemoToken || (len(tok) > len(demoTokenPrefix) && tok[:len(demoTokenPrefix)] == demoTokenPrefix)
}

// load reads the state file. A missing file is a first start; one that cannot be read is moved
// aside (so the next save does not destroy what someone may want to look at) and the sandbox
// starts empty.
func (n *Network) load() {
	b, err := os.ReadFile(n.statePath)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	st := newState()
	if err == nil {
		err = json.Unmarshal(b, &st)
		if err == nil && st.Version != stateVersion {
			err = fmt.Errorf("unsupported version %d", st.Version)
		}
	}
	if err != nil {
		aside := n.statePath + ".corrupt"
		n.log.Warn("sandbox: cannot read the state file; starting empty", "path", n.statePath, "moved_to", aside, "err", err)
		if rerr := os.Rename(n.statePath, aside); rerr != nil {
			n.log.Warn("sandbox: cannot move the state file aside", "path", n.statePath, "err", rerr)
		}
		return
	}
	// Maps that were empty when saved come back nil.
	if st.Accounts == nil {
		st.Accounts = map[string]*account{}
	}
	if st.Access == nil {
		st.Access = map[string]*accessToken{}
	}
	if st.Refresh == nil {
		st.Refresh = map[string]*refreshToken{}
	}
	if st.RevokedStatic == nil {
		st.RevokedStatic = map[string]time.Time{}
	}
	if st.NextID < 1 {
		st.NextID = 1
	}
	sort.Slice(st.Posts, func(i, j int) bool { return st.Posts[i].ID < st.Posts[j].ID })
	n.mu.Lock()
	n.st = st
	n.reindex()
	n.mu.Unlock()
}

// save writes the state file, when there is one. Failing to write is logged, not returned: the
// sandbox's memory is the truth while it runs, and a demo should not fail a publish over it.
func (n *Network) save() {
	if n.statePath == "" {
		return
	}
	n.saveMu.Lock()
	defer n.saveMu.Unlock()
	n.mu.Lock()
	b, err := json.MarshalIndent(&n.st, "", "  ")
	n.mu.Unlock()
	if err == nil {
		err = writeFileAtomic(n.statePath, append(b, '\n'))
	}
	if err != nil {
		n.log.Warn("sandbox: cannot save the state file", "path", n.statePath, "err", err)
	}
}

// writeFileAtomic replaces path with b: readers see the old file or the new one, never half of
// one, and a crash leaves at worst a stray temporary file.
func writeFileAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; not every platform can sync a directory.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// parseID parses a post's external id.
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
