package mastodontest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/heraldhq/herald/publishers/apispec"
)

// SpecFile is the Mastodon OpenAPI description the fake checks requests against, found by
// package apispec (the repository's copy, or HERALD_SPECS_DIR).
const SpecFile = apispec.Mastodon

// spec is the part of an OpenAPI 3.1 document the fake uses.
type spec struct {
	ops     []*operation
	routes  apispec.Routes // indexes ops
	schemas map[string]*schema
}

type operation struct {
	method   string
	template string
	params   []parameter
	body     *requestBody
	scopes   []string // any one of them grants access; empty when the operation needs no token
}

type parameter struct {
	Name     string  `json:"name"`
	In       string  `json:"in"`
	Required bool    `json:"required"`
	Schema   *schema `json:"schema"`
}

type requestBody struct {
	Required bool `json:"required"`
	Content  map[string]struct {
		Schema *schema `json:"schema"`
	} `json:"content"`
}

// schema is a JSON Schema as the Mastodon description uses it.
type schema struct {
	Ref        string             `json:"$ref"`
	Type       typeList           `json:"type"`
	Properties map[string]*schema `json:"properties"`
	Required   []string           `json:"required"`
	Items      *schema            `json:"items"`
	Enum       []any              `json:"enum"`
	AllOf      []*schema          `json:"allOf"`
	OneOf      []*schema          `json:"oneOf"`
	AnyOf      []*schema          `json:"anyOf"`
}

// typeList is a schema's "type": one name or a list (["string","null"]).
type typeList []string

func (t *typeList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*t = typeList{one}
		return nil
	}
	var many []string
	if json.Unmarshal(b, &many) == nil {
		*t = many
	}
	return nil
}

var (
	specOnce   sync.Once
	loadedSpec *spec
	specPath   string
	specErr    error
)

// loadSpec finds and parses the description once per test binary.
func loadSpec() (*spec, string, error) {
	specOnce.Do(func() {
		specPath = findSpec()
		if specPath == "" {
			specErr = errors.New("not found")
			return
		}
		loadedSpec, specErr = parseSpec(specPath)
	})
	return loadedSpec, specPath, specErr
}

// findSpec returns the description's path, or "" when it cannot be found.
func findSpec() string {
	p, err := apispec.Path(SpecFile)
	if err != nil {
		return ""
	}
	return p
}

func parseSpec(path string) (*spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]*schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &spec{schemas: doc.Components.Schemas}
	for template, methods := range doc.Paths {
		for method, raw := range methods {
			var o struct {
				Parameters  []parameter           `json:"parameters"`
				RequestBody *requestBody          `json:"requestBody"`
				Security    []map[string][]string `json:"security"`
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				continue // "parameters" or another path-level key
			}
			op := &operation{method: strings.ToUpper(method), template: template, params: o.Parameters, body: o.RequestBody}
			for _, req := range o.Security {
				op.scopes = append(op.scopes, req["OAuth2"]...)
			}
			s.routes.Add(op.method, template, len(s.ops))
			s.ops = append(s.ops, op)
		}
	}
	return s, nil
}

// find returns the operation for a method and path (nil when the description has none), and
// whether the path exists with another method.
func (s *spec) find(method, path string) (*operation, bool) {
	i, pathKnown := s.routes.Find(method, path)
	if i < 0 {
		return nil, pathKnown
	}
	return s.ops[i], pathKnown
}

// check returns the ways a request departs from the description: a method and path it does not
// have, a required parameter missing, a required body or body property missing. Bodies are read
// as JSON, form or multipart alike (Mastodon takes all three, and RFC 6749 requires a form for
// the token endpoint although the description lists JSON).
func (s *spec) check(r *http.Request, body []byte) []string {
	op, pathKnown := s.find(r.Method, r.URL.Path)
	if op == nil {
		if pathKnown {
			return []string{fmt.Sprintf("method %s is not described for %s", r.Method, r.URL.Path)}
		}
		return []string{fmt.Sprintf("%s %s is not in the Mastodon API description", r.Method, r.URL.Path)}
	}
	var problems []string
	q := r.URL.Query()
	for _, p := range op.params {
		if !p.Required {
			continue
		}
		switch p.In {
		case "query":
			if _, ok := q[p.Name]; !ok {
				problems = append(problems, fmt.Sprintf("required query parameter %q is missing", p.Name))
			}
		case "header":
			if r.Header.Get(p.Name) == "" {
				problems = append(problems, fmt.Sprintf("required header %q is missing", p.Name))
			}
		}
	}
	if op.body == nil {
		return problems
	}
	fields, err := bodyFields(r.Header.Get("Content-Type"), body)
	if err != nil {
		return append(problems, "the body cannot be read: "+err.Error())
	}
	if len(fields) == 0 {
		if op.body.Required {
			problems = append(problems, "the required request body is missing")
		}
		return problems
	}
	if op.template == "/oauth/token" && fields["grant_type"] != "authorization_code" {
		// The description lists the authorization_code grant's parameters as required for every
		// grant; refresh_token and client_credentials grants send no code or redirect_uri.
		return problems
	}
	sch := op.bodySchema()
	if sch == nil {
		return problems
	}
	if missing := s.missingRequired(sch, fields); len(missing) > 0 {
		problems = append(problems, "required body parameters are missing: "+strings.Join(missing, ", "))
	}
	return problems
}

// bodySchema is the operation's body schema (they all share one schema across content types).
func (op *operation) bodySchema() *schema {
	if op.body == nil {
		return nil
	}
	for _, ct := range []string{"application/json", "multipart/form-data", "application/x-www-form-urlencoded"} {
		if c, ok := op.body.Content[ct]; ok {
			return c.Schema
		}
	}
	return nil
}

// missingRequired lists the required properties obj lacks: every allOf part must be satisfied,
// and one alternative of a oneOf or anyOf (the closest is reported when none is).
func (s *spec) missingRequired(sch *schema, obj map[string]any) []string {
	sch = s.resolve(sch)
	if sch == nil {
		return nil
	}
	var missing []string
	for _, name := range sch.Required {
		if _, ok := obj[name]; !ok {
			missing = append(missing, name)
		}
	}
	for _, part := range sch.AllOf {
		missing = append(missing, s.missingRequired(part, obj)...)
	}
	if alts := append(append([]*schema{}, sch.OneOf...), sch.AnyOf...); len(alts) > 0 {
		var closest []string
		for i, alt := range alts {
			m := s.missingRequired(alt, obj)
			if len(m) == 0 {
				closest = nil
				break
			}
			if i == 0 || len(m) < len(closest) {
				closest = m
			}
		}
		missing = append(missing, closest...)
	}
	return missing
}

// resolve follows $ref (to #/components/schemas/…).
func (s *spec) resolve(sch *schema) *schema {
	for i := 0; sch != nil && sch.Ref != "" && i < 8; i++ {
		ref := sch.Ref
		const prefix = "#/components/schemas/"
		if !strings.HasPrefix(ref, prefix) {
			return nil
		}
		target := s.schemas[strings.TrimPrefix(ref, prefix)]
		if target == nil {
			return nil
		}
		if sch.Type == nil && sch.Properties == nil && sch.AllOf == nil && sch.OneOf == nil {
			sch = target
			continue
		}
		// A $ref next to its own keywords ({"type":"string","$ref":enum}): both apply.
		merged := *sch
		merged.Ref = ""
		merged.AllOf = append(append([]*schema{}, sch.AllOf...), target)
		sch = &merged
	}
	return sch
}

// validate checks value against sch strictly: types, enums, required properties, and no
// property the schema does not name (a client that sends one has a typo the instance would
// silently ignore). It returns the problems, with JSON paths.
func (s *spec) validate(value any, sch *schema, path string) []string {
	sch = s.resolve(sch)
	if sch == nil {
		return nil
	}
	if alts := append(append([]*schema{}, sch.OneOf...), sch.AnyOf...); len(alts) > 0 {
		var closest []string
		for i, alt := range alts {
			p := s.validate(value, alt, path)
			if len(p) == 0 {
				closest = nil
				break
			}
			if i == 0 || len(p) < len(closest) {
				closest = p
			}
		}
		if len(closest) > 0 {
			return closest
		}
	}
	var problems []string
	if len(sch.Type) > 0 && !typeMatches(value, sch.Type) {
		return []string{fmt.Sprintf("%s must be %s", path, strings.Join(sch.Type, " or "))}
	}
	if len(sch.Enum) > 0 {
		ok := false
		for _, e := range sch.Enum {
			if fmt.Sprint(e) == fmt.Sprint(value) {
				ok = true
			}
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("%s must be one of %v", path, sch.Enum))
		}
	}
	if obj, ok := value.(map[string]any); ok {
		props, required := s.flatten(sch)
		if props != nil {
			for _, name := range required {
				if _, ok := obj[name]; !ok {
					problems = append(problems, fmt.Sprintf("%s.%s is required", path, name))
				}
			}
			names := make([]string, 0, len(obj))
			for name := range obj {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				ps, ok := props[name]
				if !ok {
					problems = append(problems, fmt.Sprintf("%s.%s is not a parameter of this method", path, name))
					continue
				}
				problems = append(problems, s.validate(obj[name], ps, path+"."+name)...)
			}
		}
	}
	if arr, ok := value.([]any); ok && sch.Items != nil {
		for i, v := range arr {
			problems = append(problems, s.validate(v, sch.Items, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return problems
}

// flatten merges an object schema's properties and required names across allOf parts; nil
// properties means the schema says nothing about them.
func (s *spec) flatten(sch *schema) (map[string]*schema, []string) {
	sch = s.resolve(sch)
	if sch == nil {
		return nil, nil
	}
	var props map[string]*schema
	required := append([]string{}, sch.Required...)
	if sch.Properties != nil {
		props = map[string]*schema{}
		for k, v := range sch.Properties {
			props[k] = v
		}
	}
	for _, part := range sch.AllOf {
		pp, rr := s.flatten(part)
		if pp != nil && props == nil {
			props = map[string]*schema{}
		}
		for k, v := range pp {
			props[k] = v
		}
		required = append(required, rr...)
	}
	return props, required
}

func typeMatches(v any, types typeList) bool {
	for _, t := range types {
		switch t {
		case "null":
			if v == nil {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "integer":
			if f, ok := v.(float64); ok && f == float64(int64(f)) {
				return true
			}
		case "number":
			if _, ok := v.(float64); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		}
	}
	return false
}

// bodyFields reads a request body into named fields: JSON as decoded; a form or multipart body
// as strings, with Rails-style "name[]" fields gathered into arrays. Multipart files count as
// present fields.
func bodyFields(contentType string, body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	fields := map[string]any{}
	add := func(name, value string) {
		if base, ok := strings.CutSuffix(name, "[]"); ok {
			arr, _ := fields[base].([]any)
			fields[base] = append(arr, value)
			return
		}
		fields[name] = value
	}
	switch mt {
	case "application/json":
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, fmt.Errorf("not a JSON object: %w", err)
		}
		return obj, nil
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for name, vals := range v {
			for _, val := range vals {
				add(name, val)
			}
		}
		return fields, nil
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return fields, nil
			}
			if err != nil {
				return nil, err
			}
			if part.FormName() == "" {
				continue
			}
			if part.FileName() != "" {
				fields[part.FormName()] = "(file)"
				continue
			}
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			add(part.FormName(), string(b))
		}
	}
	return nil, fmt.Errorf("unsupported content type %q", contentType)
}
