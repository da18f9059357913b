package blueskytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"

	"github.com/heraldhq/herald/publishers/apispec"
)

// Lexicons are AT Protocol's schemas: one JSON document per NSID, holding named definitions
// ("main" and others) of records, queries, procedures, objects and their fields. The fake loads
// the copies in shared/specs/atproto-lexicons and checks what clients send against them, so a
// client that passes its tests here sends what a real PDS accepts.

// lexicons holds loaded lexicon documents by NSID.
type lexicons struct {
	defs map[string]map[string]any // NSID → def name → def
}

// findLexiconDir returns the lexicons' folder (package apispec), or "" when it is missing.
func findLexiconDir() string {
	p, err := apispec.Path(apispec.Lexicons)
	if err != nil {
		return ""
	}
	return p
}

// loadLexicons reads every *.json document under dir.
func loadLexicons(dir string) (*lexicons, error) {
	l := &lexicons{defs: map[string]map[string]any{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc struct {
			ID   string         `json:"id"`
			Defs map[string]any `json:"defs"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if doc.ID == "" {
			return fmt.Errorf("%s: no id", path)
		}
		m := map[string]any{}
		for k, v := range doc.Defs {
			m[k] = v
		}
		l.defs[doc.ID] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// def returns a definition by NSID and name.
func (l *lexicons) def(nsid, name string) (map[string]any, bool) {
	d, ok := l.defs[nsid][name].(map[string]any)
	return d, ok
}

// resolveRef splits a reference ("#image", "app.bsky.embed.images", "x.y.z#name") made from
// inside document nsid into the NSID and def name it names.
func resolveRef(nsid, ref string) (string, string) {
	switch {
	case strings.HasPrefix(ref, "#"):
		return nsid, ref[1:]
	case strings.Contains(ref, "#"):
		i := strings.IndexByte(ref, '#')
		return ref[:i], ref[i+1:]
	}
	return ref, "main"
}

// typeName is the $type a union member carries: the NSID for a main def, NSID#name otherwise.
func typeName(nsid, name string) string {
	if name == "main" {
		return nsid
	}
	return nsid + "#" + name
}

// blobLookup tells the validator about uploaded blobs: their MIME type and size by CID.
type blobLookup func(cid string) (mime string, size int64, ok bool)

// validator checks values against lexicon definitions.
type validator struct {
	lex   *lexicons
	blobs blobLookup
}

// record validates a record against the record def of collection.
func (v *validator) record(collection string, val any) error {
	d, ok := v.lex.def(collection, "main")
	if !ok || d["type"] != "record" {
		return fmt.Errorf("no record lexicon for %s", collection)
	}
	schema, _ := d["record"].(map[string]any)
	return v.value(collection, schema, val, "Record")
}

// input validates a procedure's JSON body (when the method has a lexicon).
func (v *validator) input(nsid string, val any) error {
	d, ok := v.lex.def(nsid, "main")
	if !ok {
		return nil
	}
	in, _ := d["input"].(map[string]any)
	schema, _ := in["schema"].(map[string]any)
	if schema == nil {
		return nil
	}
	return v.value(nsid, schema, val, "Input")
}

// output validates a method's JSON answer (the fake checks itself with it).
func (v *validator) output(nsid string, val any) error {
	d, ok := v.lex.def(nsid, "main")
	if !ok {
		return nil
	}
	out, _ := d["output"].(map[string]any)
	schema, _ := out["schema"].(map[string]any)
	if schema == nil {
		return nil
	}
	return v.value(nsid, schema, val, "Output")
}

// params validates a query's URL parameters. Methods without a lexicon in the folder
// (app.bsky.actor.getProfile) are not checked.
func (v *validator) params(nsid string, q url.Values) error {
	d, ok := v.lex.def(nsid, "main")
	if !ok {
		return nil
	}
	p, _ := d["parameters"].(map[string]any)
	if p == nil {
		return nil
	}
	props, _ := p["properties"].(map[string]any)
	for _, r := range strSlice(p["required"]) {
		if len(q[r]) == 0 {
			return fmt.Errorf("Params must have the property %q", r)
		}
	}
	for name, raw := range props {
		schema, _ := raw.(map[string]any)
		vals := q[name]
		if len(vals) == 0 {
			continue
		}
		path := "Params/" + name
		switch schema["type"] {
		case "array":
			items, _ := schema["items"].(map[string]any)
			if n, ok := num(schema["maxLength"]); ok && float64(len(vals)) > n {
				return fmt.Errorf("%s must not have more than %v elements", path, n)
			}
			for i, s := range vals {
				if err := v.scalarParam(nsid, items, s, fmt.Sprintf("%s/%d", path, i)); err != nil {
					return err
				}
			}
		default:
			if len(vals) > 1 {
				return fmt.Errorf("%s must be a single value", path)
			}
			if err := v.scalarParam(nsid, schema, vals[0], path); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *validator) scalarParam(nsid string, schema map[string]any, s, path string) error {
	switch schema["type"] {
	case "integer":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s must be an integer", path)
		}
		return v.value(nsid, schema, float64(n), path)
	case "boolean":
		if s != "true" && s != "false" {
			return fmt.Errorf("%s must be a boolean", path)
		}
		return nil
	}
	return v.value(nsid, schema, s, path)
}

// value validates val (decoded JSON: map[string]any, []any, string, float64, bool, nil)
// against schema, a definition inside document nsid.
func (v *validator) value(nsid string, schema map[string]any, val any, path string) error {
	if schema == nil {
		return nil
	}
	switch schema["type"] {
	case "ref":
		ref, _ := schema["ref"].(string)
		ns, name := resolveRef(nsid, ref)
		d, ok := v.lex.def(ns, name)
		if !ok {
			return fmt.Errorf("%s: unknown lexicon reference %s", path, ref)
		}
		return v.value(ns, d, val, path)
	case "union":
		obj, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("%s must be an object", path)
		}
		t, _ := obj["$type"].(string)
		if t == "" {
			return fmt.Errorf("%s must have the property \"$type\"", path)
		}
		var names []string
		for _, r := range strSlice(schema["refs"]) {
			ns, name := resolveRef(nsid, r)
			full := typeName(ns, name)
			names = append(names, full)
			if t == full || t == ns+"#main" && name == "main" {
				d, ok := v.lex.def(ns, name)
				if !ok {
					return fmt.Errorf("%s: unknown lexicon reference %s", path, r)
				}
				return v.value(ns, d, val, path)
			}
		}
		// Unions are open in principle, but a post's embed or a facet's feature that no client
		// understands is a client bug: the fake refuses it.
		return fmt.Errorf("%s $type must be one of (%s)", path, strings.Join(names, ", "))
	case "object":
		obj, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("%s must be an object", path)
		}
		nullable := map[string]bool{}
		for _, n := range strSlice(schema["nullable"]) {
			nullable[n] = true
		}
		for _, r := range strSlice(schema["required"]) {
			if x, ok := obj[r]; !ok || x == nil && !nullable[r] {
				return fmt.Errorf("%s must have the property %q", path, r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for name, raw := range props {
			x, ok := obj[name]
			if !ok || x == nil && nullable[name] {
				continue
			}
			ps, _ := raw.(map[string]any)
			if err := v.value(nsid, ps, x, path+"/"+name); err != nil {
				return err
			}
		}
		return nil
	case "array":
		arr, ok := val.([]any)
		if !ok {
			return fmt.Errorf("%s must be an array", path)
		}
		if n, ok := num(schema["maxLength"]); ok && float64(len(arr)) > n {
			return fmt.Errorf("%s must not have more than %v elements", path, n)
		}
		if n, ok := num(schema["minLength"]); ok && float64(len(arr)) < n {
			return fmt.Errorf("%s must not have fewer than %v elements", path, n)
		}
		items, _ := schema["items"].(map[string]any)
		for i, x := range arr {
			if err := v.value(nsid, items, x, fmt.Sprintf("%s/%d", path, i)); err != nil {
				return err
			}
		}
		return nil
	case "string":
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("%s must be a string", path)
		}
		return checkString(schema, s, path)
	case "integer":
		f, ok := val.(float64)
		if !ok || f != math.Trunc(f) {
			return fmt.Errorf("%s must be an integer", path)
		}
		if n, ok := num(schema["minimum"]); ok && f < n {
			return fmt.Errorf("%s can not be less than %v", path, n)
		}
		if n, ok := num(schema["maximum"]); ok && f > n {
			return fmt.Errorf("%s can not be greater than %v", path, n)
		}
		return nil
	case "boolean":
		if _, ok := val.(bool); !ok {
			return fmt.Errorf("%s must be a boolean", path)
		}
		return nil
	case "blob":
		return v.blob(schema, val, path)
	case "cid-link":
		obj, ok := val.(map[string]any)
		if _, isStr := obj["$link"].(string); !ok || !isStr {
			return fmt.Errorf("%s must be a CID link", path)
		}
		return nil
	case "bytes":
		obj, ok := val.(map[string]any)
		if _, isStr := obj["$bytes"].(string); !ok || !isStr {
			return fmt.Errorf("%s must be bytes", path)
		}
		return nil
	case "unknown":
		if _, ok := val.(map[string]any); !ok {
			return fmt.Errorf("%s must be an object", path)
		}
		return nil
	case "record":
		rs, _ := schema["record"].(map[string]any)
		return v.value(nsid, rs, val, path)
	}
	return nil
}

// blob checks a blob reference: its shape, that it names an uploaded blob, and the def's
// accept and maxSize, which a PDS enforces when a record references the blob.
func (v *validator) blob(schema map[string]any, val any, path string) error {
	obj, ok := val.(map[string]any)
	if !ok || obj["$type"] != "blob" {
		return fmt.Errorf("%s should be a blob ref", path)
	}
	ref, _ := obj["ref"].(map[string]any)
	cid, _ := ref["$link"].(string)
	mime, _ := obj["mimeType"].(string)
	size, okSize := num(obj["size"])
	if cid == "" || mime == "" || !okSize {
		return fmt.Errorf("%s should be a blob ref with ref.$link, mimeType and size", path)
	}
	if v.blobs != nil {
		m, s, ok := v.blobs(cid)
		if !ok {
			return fmt.Errorf("%s: could not find blob %s", path, cid)
		}
		if m != mime || float64(s) != size {
			return fmt.Errorf("%s: blob %s does not match the uploaded mimeType or size", path, cid)
		}
	}
	if n, ok := num(schema["maxSize"]); ok && size > n {
		return fmt.Errorf("%s: this file is too large. It is %v bytes but the maximum size is %v bytes", path, size, n)
	}
	if acc := strSlice(schema["accept"]); len(acc) > 0 {
		okMime := false
		for _, a := range acc {
			if a == "*/*" || a == mime || strings.HasSuffix(a, "/*") && strings.HasPrefix(mime, strings.TrimSuffix(a, "*")) {
				okMime = true
			}
		}
		if !okMime {
			return fmt.Errorf("%s: wrong type of file. It is %s but it must match %s", path, mime, strings.Join(acc, ", "))
		}
	}
	return nil
}

// checkString applies a string def's limits and format.
func checkString(schema map[string]any, s, path string) error {
	if n, ok := num(schema["maxLength"]); ok && float64(len(s)) > n {
		return fmt.Errorf("%s must not be longer than %v characters", path, n)
	}
	if n, ok := num(schema["minLength"]); ok && float64(len(s)) < n {
		return fmt.Errorf("%s must not be shorter than %v characters", path, n)
	}
	if n, ok := num(schema["maxGraphemes"]); ok && float64(uniseg.GraphemeClusterCount(s)) > n {
		return fmt.Errorf("%s must not be longer than %v graphemes", path, n)
	}
	if n, ok := num(schema["minGraphemes"]); ok && float64(uniseg.GraphemeClusterCount(s)) < n {
		return fmt.Errorf("%s must not be shorter than %v graphemes", path, n)
	}
	if enum := strSlice(schema["enum"]); len(enum) > 0 {
		found := false
		for _, e := range enum {
			found = found || e == s
		}
		if !found {
			return fmt.Errorf("%s must be one of (%s)", path, strings.Join(enum, "|"))
		}
	}
	if c, ok := schema["const"].(string); ok && s != c {
		return fmt.Errorf("%s must be %s", path, c)
	}
	if f, _ := schema["format"].(string); f != "" {
		if err := checkFormat(f, s); err != nil {
			return fmt.Errorf("%s must be a valid %s: %v", path, f, err)
		}
	}
	return nil
}

// Formats, after atproto's syntax specifications.
var (
	didRe      = regexp.MustCompile(`^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$`)
	handleRe   = regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
	nsidRe     = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+(\.[a-zA-Z]([a-zA-Z0-9]{0,62})?)$`)
	tidRe      = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)
	rkeyRe     = regexp.MustCompile(`^[a-zA-Z0-9_~.:-]{1,512}$`)
	languageRe = regexp.MustCompile(`^(i|[a-zA-Z]{2,3})(-[a-zA-Z0-9]{1,8})*$`)
	cidRe      = regexp.MustCompile(`^[a-zA-Z0-9+=]{8,256}$`)
	datetimeRe = regexp.MustCompile(`^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{1,20})?(Z|([+-][0-2][0-9]:[0-5][0-9]))$`)
)

func checkFormat(format, s string) error {
	bad := errors.New("invalid syntax")
	switch format {
	case "did":
		if len(s) > 2048 || !didRe.MatchString(s) {
			return bad
		}
	case "handle":
		if len(s) > 253 || !handleRe.MatchString(s) {
			return bad
		}
	case "at-identifier":
		if checkFormat("did", s) != nil && checkFormat("handle", s) != nil {
			return bad
		}
	case "nsid":
		if len(s) > 317 || !nsidRe.MatchString(s) {
			return bad
		}
	case "tid":
		if !tidRe.MatchString(s) {
			return bad
		}
	case "record-key":
		if s == "." || s == ".." || !rkeyRe.MatchString(s) {
			return bad
		}
	case "language":
		if !languageRe.MatchString(s) {
			return bad
		}
	case "cid":
		if !cidRe.MatchString(s) {
			return bad
		}
	case "datetime":
		if !datetimeRe.MatchString(s) {
			return bad
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return bad
		}
	case "uri":
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" || len(s) > 8192 || strings.ContainsAny(s, " \t\n") {
			return bad
		}
	case "at-uri":
		if !strings.HasPrefix(s, "at://") || len(s) > 8192 {
			return bad
		}
		parts := strings.Split(strings.TrimPrefix(s, "at://"), "/")
		if checkFormat("at-identifier", parts[0]) != nil || len(parts) > 3 {
			return bad
		}
	}
	return nil
}

func num(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}

func strSlice(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
