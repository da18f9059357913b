package xtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/heraldhq/herald/publishers/apispec"
)

// SpecFile is the X API v2 OpenAPI description the fake checks requests against (see package
// apispec for where it is found).
const SpecFile = apispec.X

// spec is the part of the OpenAPI 3.0 description the checks need.
type spec struct {
	ops        []*operation
	parameters map[string]*parameter
	schemas    map[string]*schema
}

type operation struct {
	method, template string
	segments         []string
	literals         int
	params           []*parameter // resolved
	body             *requestBody
	// scopes are the OAuth 2.0 user-token scopes the operation requires (all of them).
	scopes []string
}

type parameter struct {
	Ref      string  `json:"$ref"`
	Name     string  `json:"name"`
	In       string  `json:"in"`
	Required bool    `json:"required"`
	Explode  *bool   `json:"explode"`
	Schema   *schema `json:"schema"`
}

type requestBody struct {
	Required bool `json:"required"`
	Content  map[string]struct {
		Schema *schema `json:"schema"`
	} `json:"content"`
}

type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	Items                *schema            `json:"items"`
	Enum                 []any              `json:"enum"`
	Pattern              string             `json:"pattern"`
	MinItems             *int               `json:"minItems"`
	MaxItems             *int               `json:"maxItems"`
	UniqueItems          bool               `json:"uniqueItems"`
	MinLength            *int               `json:"minLength"`
	MaxLength            *int               `json:"maxLength"`
	Minimum              *float64           `json:"minimum"`
	Maximum              *float64           `json:"maximum"`
	AllOf                []*schema          `json:"allOf"`
	OneOf                []*schema          `json:"oneOf"`
	AnyOf                []*schema          `json:"anyOf"`
}

// closed reports whether the schema forbids properties it does not name
// (additionalProperties: false); OpenAPI allows them otherwise.
func (s *schema) closed() bool {
	return strings.TrimSpace(string(s.AdditionalProperties)) == "false"
}

var (
	specOnce   sync.Once
	loadedSpec *spec
	specErr    error
)

// loadSpec finds and parses the description once per test binary.
func loadSpec() (*spec, error) {
	specOnce.Do(func() {
		b, err := apispec.Read(SpecFile)
		if err != nil {
			specErr = err
			return
		}
		loadedSpec, specErr = parseSpec(b)
	})
	return loadedSpec, specErr
}

func parseSpec(b []byte) (*spec, error) {
	// The description is YAML; as JSON it decodes into the same structs as any OpenAPI document.
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SpecFile, err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]*parameter `json:"parameters"`
			Schemas    map[string]*schema    `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(j, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", SpecFile, err)
	}
	if len(doc.Paths) == 0 {
		return nil, errors.New(SpecFile + ": no paths")
	}
	s := &spec{parameters: doc.Components.Parameters, schemas: doc.Components.Schemas}
	for template, methods := range doc.Paths {
		var shared []*parameter
		if raw, ok := methods["parameters"]; ok {
			_ = json.Unmarshal(raw, &shared)
		}
		for method, raw := range methods {
			switch method {
			case "get", "post", "put", "patch", "delete":
			default:
				continue
			}
			var o struct {
				Parameters  []*parameter          `json:"parameters"`
				RequestBody *requestBody          `json:"requestBody"`
				Security    []map[string][]string `json:"security"`
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", SpecFile, method, template, err)
			}
			op := &operation{method: strings.ToUpper(method), template: template,
				segments: strings.Split(strings.Trim(template, "/"), "/"), body: o.RequestBody}
			for _, p := range append(append([]*parameter{}, shared...), o.Parameters...) {
				if rp := s.resolveParam(p); rp != nil {
					op.params = append(op.params, rp)
				}
			}
			for _, seg := range op.segments {
				if !strings.HasPrefix(seg, "{") {
					op.literals++
				}
			}
			for _, req := range o.Security {
				if scopes, ok := req["OAuth2UserToken"]; ok {
					op.scopes = scopes
				}
			}
			s.ops = append(s.ops, op)
		}
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].template < s.ops[j].template })
	return s, nil
}

func (s *spec) resolveParam(p *parameter) *parameter {
	for i := 0; p != nil && p.Ref != "" && i < 4; i++ {
		const prefix = "#/components/parameters/"
		if !strings.HasPrefix(p.Ref, prefix) {
			return nil
		}
		p = s.parameters[strings.TrimPrefix(p.Ref, prefix)]
	}
	return p
}

// resolve follows $ref (to #/components/schemas/…).
func (s *spec) resolve(sch *schema) *schema {
	for i := 0; sch != nil && sch.Ref != "" && i < 8; i++ {
		const prefix = "#/components/schemas/"
		if !strings.HasPrefix(sch.Ref, prefix) {
			return nil
		}
		sch = s.schemas[strings.TrimPrefix(sch.Ref, prefix)]
	}
	return sch
}

// find returns the operation for a method and path (nil when the description has none), and
// whether the path exists with another method.
func (s *spec) find(method, path string) (*operation, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *operation
	pathKnown := false
	for _, op := range s.ops {
		if !op.matches(segs) {
			continue
		}
		pathKnown = true
		if op.method == method && (best == nil || op.literals > best.literals) {
			best = op
		}
	}
	return best, pathKnown
}

func (op *operation) matches(segs []string) bool {
	if len(segs) != len(op.segments) {
		return false
	}
	for i, seg := range op.segments {
		if strings.HasPrefix(seg, "{") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if seg != segs[i] {
			return false
		}
	}
	return true
}

// pathValue is the value of path parameter name in path, for op's template.
func (op *operation) pathValue(path, name string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, seg := range op.segments {
		if seg == "{"+name+"}" && i < len(segs) {
			v, _ := url.PathUnescape(segs[i])
			return v
		}
	}
	return ""
}

// check returns the ways a request departs from the description: a method and path it does not
// have; a query parameter it does not describe (X refuses those with 400), a required one
// missing, or a parameter value its schema refuses (enum, pattern, bounds, array sizes); a
// required body missing; a JSON body its schema refuses, with properties it does not name where
// the schema says additionalProperties: false.
func (s *spec) check(method, path string, query url.Values, contentType string, body []byte) (*operation, []string) {
	op, pathKnown := s.find(method, path)
	if op == nil {
		if pathKnown {
			return nil, []string{fmt.Sprintf("method %s is not described for %s", method, path)}
		}
		return nil, nil
	}
	var problems []string
	described := map[string]bool{}
	for _, p := range op.params {
		switch p.In {
		case "query":
			described[p.Name] = true
			vals, ok := query[p.Name]
			if !ok {
				if p.Required {
					problems = append(problems, fmt.Sprintf("required query parameter %q is missing", p.Name))
				}
				continue
			}
			for _, v := range vals {
				problems = append(problems, s.checkParam(p, v)...)
			}
			if len(vals) > 1 {
				problems = append(problems, fmt.Sprintf("query parameter %q is given %d times", p.Name, len(vals)))
			}
		case "path":
			problems = append(problems, s.checkParam(p, op.pathValue(path, p.Name))...)
		}
	}
	names := make([]string, 0, len(query))
	for name := range query {
		if !described[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		problems = append(problems, fmt.Sprintf("query parameter %q is not described for %s %s", name, method, op.template))
	}
	if op.body == nil {
		if len(strings.TrimSpace(string(body))) > 0 {
			problems = append(problems, "the operation takes no request body")
		}
		return op, problems
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if op.body.Required {
			problems = append(problems, "the required request body is missing")
		}
		return op, problems
	}
	mt := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	c, ok := op.body.Content[mt]
	if !ok {
		return op, append(problems, fmt.Sprintf("the body's content type %q is not described", mt))
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return op, append(problems, "the body is not JSON: "+err.Error())
	}
	return op, append(problems, s.validate(v, c.Schema, "body")...)
}

// checkParam checks one parameter value: arrays (X's comma-separated form: style form, explode
// false) item by item, scalars against their schema.
func (s *spec) checkParam(p *parameter, raw string) []string {
	sch := s.resolve(p.Schema)
	if sch == nil {
		return nil
	}
	where := fmt.Sprintf("parameter %q", p.Name)
	if sch.Type != "array" {
		return s.checkScalar(raw, sch, where)
	}
	var items []string
	if p.Explode != nil && !*p.Explode {
		items = strings.Split(raw, ",")
	} else {
		items = []string{raw}
	}
	var problems []string
	if sch.MinItems != nil && len(items) < *sch.MinItems {
		problems = append(problems, fmt.Sprintf("%s has %d items, fewer than %d", where, len(items), *sch.MinItems))
	}
	if sch.MaxItems != nil && len(items) > *sch.MaxItems {
		problems = append(problems, fmt.Sprintf("%s has %d items, more than %d", where, len(items), *sch.MaxItems))
	}
	seen := map[string]bool{}
	for i, it := range items {
		if sch.UniqueItems && seen[it] {
			problems = append(problems, fmt.Sprintf("%s repeats %q", where, it))
		}
		seen[it] = true
		problems = append(problems, s.checkScalar(it, s.resolve(sch.Items), fmt.Sprintf("%s[%d]", where, i))...)
	}
	return problems
}

// checkScalar checks a parameter value given as text.
func (s *spec) checkScalar(raw string, sch *schema, where string) []string {
	if sch == nil {
		return nil
	}
	switch sch.Type {
	case "integer":
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return []string{fmt.Sprintf("%s must be an integer, not %q", where, raw)}
		}
		return s.validate(float64(n), sch, where)
	case "number":
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return []string{fmt.Sprintf("%s must be a number, not %q", where, raw)}
		}
		return s.validate(f, sch, where)
	case "boolean":
		if raw != "true" && raw != "false" {
			return []string{fmt.Sprintf("%s must be true or false, not %q", where, raw)}
		}
		return nil
	}
	return s.validate(raw, sch, where)
}

// validate checks a decoded JSON value against sch: type, enum, pattern, lengths, bounds, array
// sizes, required properties, and properties the schema does not name when it is closed. It
// returns the problems, with JSON paths.
func (s *spec) validate(value any, sch *schema, path string) []string {
	sch = s.resolve(sch)
	if sch == nil {
		return nil
	}
	var problems []string
	for _, part := range sch.AllOf {
		problems = append(problems, s.validate(value, part, path)...)
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
		problems = append(problems, closest...)
	}
	if sch.Type != "" && !typeMatches(value, sch.Type) {
		return append(problems, fmt.Sprintf("%s must be %s", path, article(sch.Type)))
	}
	if len(sch.Enum) > 0 {
		ok := false
		for _, e := range sch.Enum {
			ok = ok || fmt.Sprint(e) == fmt.Sprint(value)
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("%s must be one of %v", path, sch.Enum))
		}
	}
	switch v := value.(type) {
	case string:
		n := len([]rune(v))
		if sch.MinLength != nil && n < *sch.MinLength {
			problems = append(problems, fmt.Sprintf("%s is shorter than %d characters", path, *sch.MinLength))
		}
		if sch.MaxLength != nil && n > *sch.MaxLength {
			problems = append(problems, fmt.Sprintf("%s is longer than %d characters", path, *sch.MaxLength))
		}
		if sch.Pattern != "" {
			if re, err := compilePattern(sch.Pattern); err == nil && !re.MatchString(v) {
				problems = append(problems, fmt.Sprintf("%s %q does not match %s", path, v, sch.Pattern))
			}
		}
		if sch.Format == "date-time" {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				problems = append(problems, fmt.Sprintf("%s %q is not a date-time (YYYY-MM-DDTHH:mm:ssZ)", path, v))
			}
		}
	case float64:
		if sch.Minimum != nil && v < *sch.Minimum {
			problems = append(problems, fmt.Sprintf("%s is less than %v", path, *sch.Minimum))
		}
		if sch.Maximum != nil && v > *sch.Maximum {
			problems = append(problems, fmt.Sprintf("%s is more than %v", path, *sch.Maximum))
		}
	case []any:
		if sch.MinItems != nil && len(v) < *sch.MinItems {
			problems = append(problems, fmt.Sprintf("%s has %d items, fewer than %d", path, len(v), *sch.MinItems))
		}
		if sch.MaxItems != nil && len(v) > *sch.MaxItems {
			problems = append(problems, fmt.Sprintf("%s has %d items, more than %d", path, len(v), *sch.MaxItems))
		}
		if sch.Items != nil {
			for i, it := range v {
				problems = append(problems, s.validate(it, sch.Items, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case map[string]any:
		for _, name := range sch.Required {
			if _, ok := v[name]; !ok {
				problems = append(problems, fmt.Sprintf("%s.%s is required", path, name))
			}
		}
		names := make([]string, 0, len(v))
		for name := range v {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ps, ok := sch.Properties[name]
			if !ok {
				if sch.closed() {
					problems = append(problems, fmt.Sprintf("%s.%s is not a property X accepts here", path, name))
				}
				continue
			}
			problems = append(problems, s.validate(v[name], ps, path+"."+name)...)
		}
	}
	return problems
}

func article(t string) string {
	switch t {
	case "array", "integer", "object":
		return "an " + t
	}
	return "a " + t
}

func typeMatches(v any, t string) bool {
	switch t {
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := v.(float64)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return true
}

var (
	patternMu sync.Mutex
	patterns  = map[string]*regexp.Regexp{}
)

func compilePattern(p string) (*regexp.Regexp, error) {
	patternMu.Lock()
	defer patternMu.Unlock()
	if re, ok := patterns[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	patterns[p] = re
	return re, nil
}
