package metagraphtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/publishers/apispec"
)

// SpecDir is the folder of Meta's Graph API node specs the fake checks requests against, found by
// package apispec (the repository's copy, or HERALD_SPECS_DIR).
const SpecDir = apispec.MetaDir

// Spec is Meta's machine-generated description of the Graph API nodes Herald uses (the Business
// SDK codegen's api_specs): per node type, its fields (name and type) and its edges (method,
// endpoint, parameters with type and required flag, return type), plus the enum types.
type Spec struct {
	nodes map[string]*nodeSpec
	enums map[string][]string
}

type nodeSpec struct {
	name   string
	fields map[string]string
	apis   []*apiSpec
	// handWritten marks a node whose spec file is not vendored; its description was written
	// from Meta's reference documentation (see handWrittenNodes).
	handWritten bool
}

type apiSpec struct {
	method   string
	endpoint string // "" for the node itself
	ret      string
	params   map[string]paramSpec
}

type paramSpec struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

var (
	specOnce   sync.Once
	loadedSpec *Spec
	specErr    error
)

// LoadSpec reads the node specs once per test binary.
func LoadSpec() (*Spec, error) {
	specOnce.Do(func() {
		dir, err := apispec.Path(SpecDir)
		if err != nil {
			specErr = err
			return
		}
		loadedSpec, specErr = parseSpec(dir)
	})
	return loadedSpec, specErr
}

// requiredNodes are the node files the fake cannot work without.
var requiredNodes = []string{"Page", "PagePost", "Photo", "Comment", "IGUser", "IGMedia", "IGComment",
	"ShadowIGMediaBuilder", "ContentPublishingLimitResponse", "InsightsResult", "InstagramInsightsResult"}

func parseSpec(dir string) (*Spec, error) {
	s := &Spec{nodes: map[string]*nodeSpec{}, enums: map[string][]string{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		if base == "enum_types" {
			var enums []struct {
				Name   string   `json:"name"`
				Values []string `json:"values"`
			}
			if err := json.Unmarshal(b, &enums); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for _, e := range enums {
				s.enums[e.Name] = e.Values
			}
			continue
		}
		var doc struct {
			APIs []struct {
				Method   string      `json:"method"`
				Endpoint *string     `json:"endpoint"`
				Return   string      `json:"return"`
				Params   []paramSpec `json:"params"`
			} `json:"apis"`
			Fields []struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"fields"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		n := &nodeSpec{name: base, fields: map[string]string{}}
		for _, fl := range doc.Fields {
			n.fields[fl.Name] = fl.Type
		}
		for _, a := range doc.APIs {
			api := &apiSpec{method: strings.ToUpper(a.Method), ret: a.Return, params: map[string]paramSpec{}}
			if a.Endpoint != nil {
				api.endpoint = *a.Endpoint
			}
			for _, p := range a.Params {
				api.params[p.Name] = p
			}
			n.apis = append(n.apis, api)
		}
		s.nodes[base] = n
	}
	for _, name := range requiredNodes {
		if s.nodes[name] == nil {
			return nil, fmt.Errorf("%s: %s.json is missing", dir, name)
		}
	}
	if len(s.enums) == 0 {
		return nil, fmt.Errorf("%s: enum_types.json is missing or empty", dir)
	}
	for _, n := range handWrittenNodes() {
		if s.nodes[n.name] == nil {
			s.nodes[n.name] = n
		}
	}
	return s, nil
}

// handWrittenNodes describe the nodes Herald touches whose spec files are not vendored: the User
// (GET /me, /me/accounts, /me/permissions, from Meta's User reference) and the Page video
// (AdVideo: the subset of facebook-business-sdk-codegen's api_specs/specs/AdVideo.json that
// Herald uses, read at commit 13694bef508ba19700955d87031f3f7402774315).
func handWrittenNodes() []*nodeSpec {
	user := &nodeSpec{name: "User", handWritten: true,
		fields: map[string]string{"id": "string", "name": "string", "first_name": "string", "last_name": "string", "email": "string"},
		apis: []*apiSpec{
			{method: "GET", endpoint: "", ret: "User", params: map[string]paramSpec{}},
			{method: "GET", endpoint: "accounts", ret: "Page", params: map[string]paramSpec{
				"is_place": {Name: "is_place", Type: "bool"}, "is_promotable": {Name: "is_promotable", Type: "bool"}}},
			{method: "GET", endpoint: "permissions", ret: "PermissionStatus", params: map[string]paramSpec{
				"permission": {Name: "permission", Type: "string"}, "status": {Name: "status", Type: "string"}}},
		}}
	permission := &nodeSpec{name: "PermissionStatus", handWritten: true,
		fields: map[string]string{"permission": "string", "status": "string"}}
	video := &nodeSpec{name: "AdVideo", handWritten: true,
		fields: map[string]string{"id": "string", "created_time": "datetime", "description": "string", "permalink_url": "string",
			"title": "string", "published": "bool", "updated_time": "datetime", "length": "float"},
		apis: []*apiSpec{
			{method: "GET", endpoint: "", ret: "AdVideo", params: map[string]paramSpec{}},
			{method: "GET", endpoint: "comments", ret: "Comment", params: map[string]paramSpec{
				"filter": {Name: "filter", Type: "videocomments_filter_enum_param"}, "order": {Name: "order", Type: "videocomments_order_enum_param"},
				"since": {Name: "since", Type: "datetime"}}},
			{method: "POST", endpoint: "comments", ret: "Comment", params: map[string]paramSpec{
				"attachment_id": {Name: "attachment_id", Type: "string"}, "attachment_url": {Name: "attachment_url", Type: "string"},
				"message": {Name: "message", Type: "string"}}},
			{method: "GET", endpoint: "reactions", ret: "Profile", params: map[string]paramSpec{
				"type": {Name: "type", Type: "videoreactions_type_enum_param"}}},
			{method: "GET", endpoint: "likes", ret: "Profile", params: map[string]paramSpec{}},
		}}
	return []*nodeSpec{user, permission, video}
}

// HandWritten lists the node types checked against a hand-written description.
func (s *Spec) HandWritten() []string {
	var out []string
	for name, n := range s.nodes {
		if n.handWritten {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// find returns the API of a node type for a method and edge ("" for the node itself).
func (s *Spec) find(typ, method, edge string) *apiSpec {
	n := s.nodes[typ]
	if n == nil {
		return nil
	}
	for _, a := range n.apis {
		if a.method == method && a.endpoint == edge {
			return a
		}
	}
	return nil
}

// Graph's parameters that every call takes, outside the node specs.
var (
	genericParams = map[string]bool{"access_token": true, "appsecret_proof": true, "fields": true, "format": true,
		"pretty": true, "suppress_http_code": true, "method": true, "locale": true}
	// pagingParams are the cursor- and time-based paging parameters of list edges.
	pagingParams = map[string]bool{"limit": true, "after": true, "before": true, "since": true, "until": true, "offset": true}
	// edgeModifiers are what field expansion may apply to any edge besides its own parameters.
	edgeModifiers = map[string]string{"limit": "unsigned int", "summary": "bool", "after": "string", "before": "string",
		"since": "datetime", "until": "datetime"}
)

// specError is a request the spec refuses: Graph's message and the parameter it blames.
type specError struct {
	message string
	blame   string
}

// checkParams checks a request's parameters against an API: every one must be described, of
// the right type (and a valid enum value), and every required one present. files are the
// multipart file parts. uploads is true for the edges that take a file (the Page's photos and
// videos), whose file part is outside the SDK's parameter lists.
func (s *Spec) checkParams(api *apiSpec, params map[string][]string, files []string, list, uploads bool) *specError {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if genericParams[name] || (list && pagingParams[name]) {
			continue
		}
		p, ok := api.params[name]
		if !ok {
			return &specError{message: "(#100) Invalid parameter", blame: name}
		}
		for _, v := range params[name] {
			if p.Type == "file" {
				return &specError{message: fmt.Sprintf("(#100) Param %s must be a file upload", name), blame: name}
			}
			if why := s.checkValue(p.Type, v); why != "" {
				return &specError{message: fmt.Sprintf("(#100) Param %s %s", name, why), blame: name}
			}
		}
	}
	for _, f := range files {
		if p, ok := api.params[f]; ok && p.Type == "file" {
			continue
		}
		if uploads && f == "source" {
			continue
		}
		return &specError{message: "(#100) Invalid parameter", blame: f}
	}
	req := make([]string, 0)
	for name, p := range api.params {
		if p.Required && len(params[name]) == 0 && !contains(files, name) {
			req = append(req, name)
		}
	}
	sort.Strings(req)
	if len(req) > 0 {
		return &specError{message: fmt.Sprintf("(#100) The parameter %s is required", req[0]), blame: req[0]}
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// checkValue returns why v is not a value of type typ ("" when it is).
func (s *Spec) checkValue(typ, v string) string {
	typ = strings.TrimSpace(typ)
	if inner, ok := strings.CutPrefix(typ, "list<"); ok && strings.HasSuffix(inner, ">") {
		inner = strings.TrimSuffix(inner, ">")
		items, why := splitList(v, inner)
		if why != "" {
			return why
		}
		for _, it := range items {
			if w := s.checkValue(inner, it); w != "" {
				return "must be a list of " + inner + " (" + strconv.Quote(it) + " " + w + ")"
			}
		}
		return ""
	}
	switch typ {
	case "string", "":
		return ""
	case "bool":
		switch strings.ToLower(v) {
		case "true", "false", "1", "0":
			return ""
		}
		return "must be a boolean value"
	case "int":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "must be an integer"
		}
		return ""
	case "unsigned int":
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			return "must be a non-negative integer"
		}
		return ""
	case "float":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "must be a number"
		}
		return ""
	case "datetime":
		if _, ok := parseDatetime(v); !ok {
			return "must be a UNIX timestamp or a date and time"
		}
		return ""
	case "map":
		var m map[string]any
		if json.Unmarshal([]byte(v), &m) != nil {
			return "must be a JSON object"
		}
		return ""
	case "Object":
		// An Object parameter is JSON, or an id for the parameters that take one.
		if strings.TrimSpace(v) == "" {
			return "must not be empty"
		}
		return ""
	case "list":
		if _, why := splitList(v, "string"); why != "" {
			return why
		}
		return ""
	case "file":
		return "must be a file upload"
	}
	if values, ok := s.enums[typ]; ok {
		for _, e := range values {
			if e == v {
				return ""
			}
		}
		return "must be one of {" + strings.Join(values, ", ") + "}"
	}
	// Node types as parameter types take an id.
	return ""
}

// splitList reads a list parameter: a JSON array, or (for lists of plain values) values
// separated by commas, as Graph accepts both.
func splitList(v, inner string) ([]string, string) {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "[") {
		var raw []json.RawMessage
		if err := json.Unmarshal([]byte(t), &raw); err != nil {
			return nil, "must be a JSON array"
		}
		out := make([]string, 0, len(raw))
		for _, r := range raw {
			var str string
			if json.Unmarshal(r, &str) == nil {
				out = append(out, str)
				continue
			}
			if inner == "map" {
				var m map[string]any
				if json.Unmarshal(r, &m) != nil {
					return nil, "must be a list of objects"
				}
			}
			out = append(out, string(r))
		}
		return out, ""
	}
	// The codegen's "Object" is loosely typed: Graph takes such lists as comma-separated names
	// (insights' metric=post_media_view,post_clicks). A map must be JSON.
	if inner == "map" {
		return nil, "must be a JSON array of objects"
	}
	if t == "" {
		return nil, "must not be empty"
	}
	return strings.Split(t, ","), ""
}

// parseDatetime reads what Graph takes as a datetime: a UNIX timestamp or an ISO 8601 time.
func parseDatetime(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// fieldSel is one item of a fields expression: name, modifiers (.limit(0)), sub-fields ({a,b}).
type fieldSel struct {
	name   string
	mods   []modifier
	sub    []fieldSel
	hasSub bool
}

type modifier struct {
	name, args string
}

// parseFields reads a fields expression: "id,message,comments.summary(true).limit(0){id},
// instagram_business_account{id,username}".
func parseFields(s string) ([]fieldSel, error) {
	p := &fieldParser{s: s}
	out, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at %d", p.s[p.i], p.i)
	}
	return out, nil
}

type fieldParser struct {
	s string
	i int
}

func (p *fieldParser) list() ([]fieldSel, error) {
	var out []fieldSel
	for {
		f, err := p.item()
		if err != nil {
			return nil, err
		}
		out = append(out, f)
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return out, nil
	}
}

func (p *fieldParser) name() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *fieldParser) item() (fieldSel, error) {
	f := fieldSel{name: p.name()}
	if f.name == "" {
		return f, fmt.Errorf("a field name is expected at %d", p.i)
	}
	for p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		m := modifier{name: p.name()}
		if m.name == "" || p.i >= len(p.s) || p.s[p.i] != '(' {
			return f, fmt.Errorf("a modifier like .limit(10) is expected at %d", p.i)
		}
		end := strings.IndexByte(p.s[p.i:], ')')
		if end < 0 {
			return f, fmt.Errorf("unclosed ( at %d", p.i)
		}
		m.args = p.s[p.i+1 : p.i+end]
		p.i += end + 1
		f.mods = append(f.mods, m)
	}
	if p.i < len(p.s) && p.s[p.i] == '{' {
		p.i++
		sub, err := p.list()
		if err != nil {
			return f, err
		}
		if p.i >= len(p.s) || p.s[p.i] != '}' {
			return f, fmt.Errorf("unclosed { in the fields")
		}
		p.i++
		f.sub, f.hasSub = sub, true
	}
	return f, nil
}

// checkFields checks a fields expression against a node type: every name is a field or an edge
// of the type, modifiers apply to edges and are among the edge's parameters (or Graph's paging
// and summary modifiers), and sub-fields are checked against the field's or edge's type when the
// spec describes it.
func (s *Spec) checkFields(typ string, sel []fieldSel) *specError {
	n := s.nodes[typ]
	if n == nil {
		// A type the specs do not describe (a plain Object): nothing to check against.
		return nil
	}
	for _, f := range sel {
		if ft, ok := n.fields[f.name]; ok {
			if len(f.mods) > 0 {
				return &specError{message: fmt.Sprintf("(#100) Field %s of node type (%s) takes no modifiers", f.name, typ), blame: f.name}
			}
			if f.hasSub {
				if e := s.checkFields(elemType(ft), f.sub); e != nil {
					return e
				}
			}
			continue
		}
		edge := s.find(typ, "GET", f.name)
		if edge == nil {
			return &specError{message: fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (%s)", f.name, typ), blame: f.name}
		}
		for _, m := range f.mods {
			pt, ok := edge.params[m.name]
			typName := pt.Type
			if !ok {
				typName, ok = edgeModifiers[m.name]
			}
			if !ok {
				return &specError{message: fmt.Sprintf("(#100) Invalid parameter %s for edge %s of node type (%s)", m.name, f.name, typ), blame: m.name}
			}
			if why := s.checkValue(typName, m.args); why != "" {
				return &specError{message: fmt.Sprintf("(#100) Param %s of %s %s", m.name, f.name, why), blame: m.name}
			}
		}
		if f.hasSub {
			if e := s.checkFields(edge.ret, f.sub); e != nil {
				return e
			}
		}
	}
	return nil
}

// elemType is the node type of a field type ("list<Page>" → "Page").
func elemType(t string) string {
	if inner, ok := strings.CutPrefix(t, "list<"); ok {
		return strings.TrimSuffix(inner, ">")
	}
	return t
}
