package apispec

import (
	"net/url"
	"sort"
	"strings"
)

// Template is an OpenAPI path template ("/api/v1/statuses/{id}") split into segments, to match
// request paths against it.
type Template struct {
	segments []string // "{id}" for a parameter
	literals int      // how many segments are literal
}

// ParseTemplate splits a path template.
func ParseTemplate(template string) Template {
	t := Template{segments: split(template)}
	for _, seg := range t.segments {
		if !isParam(seg) {
			t.literals++
		}
	}
	return t
}

func split(path string) []string { return strings.Split(strings.Trim(path, "/"), "/") }

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") }

// Matches reports whether path fits the template: as many segments, the literal ones equal, a
// parameter any non-empty segment.
func (t Template) Matches(path string) bool { return t.matches(split(path)) }

func (t Template) matches(segs []string) bool {
	if len(segs) != len(t.segments) {
		return false
	}
	for i, seg := range t.segments {
		if isParam(seg) {
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

// Value is the value of path parameter name in path ("" when the template has no such
// parameter).
func (t Template) Value(path, name string) string {
	segs := split(path)
	for i, seg := range t.segments {
		if seg == "{"+name+"}" && i < len(segs) {
			v, _ := url.PathUnescape(segs[i])
			return v
		}
	}
	return ""
}

// Routes finds which of a description's operations a request is for.
type Routes struct {
	list []route
}

type route struct {
	method, template string
	t                Template
	index            int
}

// Add registers the operation for method and template; index is the caller's for it, which
// Find returns.
func (r *Routes) Add(method, template string, index int) {
	// Kept in template order, so that of two equally specific templates the same one always
	// wins, whatever the order of the description's paths.
	i := sort.Search(len(r.list), func(i int) bool { return r.list[i].template > template })
	r.list = append(r.list, route{})
	copy(r.list[i+1:], r.list[i:])
	r.list[i] = route{method: strings.ToUpper(method), template: template, t: ParseTemplate(template), index: index}
}

// Find returns the index of the operation for method and path: of the templates path
// matches, the one with the most literal segments (/accounts/verify_credentials before
// /accounts/{id}); -1 when the description has none. pathKnown reports whether path matches a
// template for some method.
func (r *Routes) Find(method, path string) (index int, pathKnown bool) {
	segs := split(path)
	index, literals := -1, -1
	for _, rt := range r.list {
		if !rt.t.matches(segs) {
			continue
		}
		pathKnown = true
		if rt.method == method && rt.t.literals > literals {
			index, literals = rt.index, rt.t.literals
		}
	}
	return index, pathKnown
}
