// Package apispec finds the networks' published API descriptions that the fake networks check
// requests against: the Mastodon OpenAPI document, the AT Protocol lexicons, the X API v2 OpenAPI
// document and Meta's Graph API node specs.
//
// Copies, unchanged, live in this package's testdata folder (SOURCES.md says where each came
// from, at which commit, under which licence), so a fresh clone checks requests against them
// without anything beside the repository. HERALD_SPECS_DIR points elsewhere (a newer download)
// when set.
package apispec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Well-known names, relative to the specs folder.
const (
	Mastodon = "mastodon.openapi.json"
	Lexicons = "atproto-lexicons"
	X        = "x-api-v2.openapi.yaml"
	MetaDir  = "meta-graph-api"
)

// ErrNotFound means the description is in neither HERALD_SPECS_DIR nor the repository's copy.
var ErrNotFound = errors.New("apispec: API description not found")

// Dir is the folder holding the descriptions: HERALD_SPECS_DIR when set, otherwise the copy in
// this package's testdata folder.
func Dir() string {
	if d := os.Getenv("HERALD_SPECS_DIR"); d != "" {
		return d
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Join(filepath.Dir(file), "testdata")
}

// Path returns the path of a description (a file or a folder, relative to Dir), or ErrNotFound.
func Path(rel string) (string, error) {
	d := Dir()
	if d == "" {
		return "", ErrNotFound
	}
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w: %s", ErrNotFound, p)
	}
	return p, nil
}

// Read returns a description file's bytes.
func Read(rel string) ([]byte, error) {
	p, err := Path(rel)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}
