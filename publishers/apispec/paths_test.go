package apispec

import "testing"

func TestTemplate(t *testing.T) {
	tpl := ParseTemplate("/api/v1/statuses/{id}/context")
	for path, want := range map[string]bool{
		"/api/v1/statuses/123/context": true,
		"api/v1/statuses/123/context/": true,
		"/api/v1/statuses//context":    false,
		"/api/v1/statuses/123":         false,
		"/api/v1/accounts/123/context": false,
	} {
		if got := tpl.Matches(path); got != want {
			t.Errorf("Matches(%q) = %v", path, got)
		}
	}
	if v := tpl.Value("/api/v1/statuses/a%2Fb/context", "id"); v != "a/b" {
		t.Errorf("Value = %q", v)
	}
	if v := tpl.Value("/api/v1/statuses/1/context", "other"); v != "" {
		t.Errorf("Value of a missing parameter = %q", v)
	}
}

func TestRoutes(t *testing.T) {
	var r Routes
	r.Add("get", "/api/v1/accounts/{id}", 0)
	r.Add("GET", "/api/v1/accounts/verify_credentials", 1)
	r.Add("POST", "/api/v1/statuses", 2)
	cases := []struct {
		method, path string
		index        int
		known        bool
	}{
		{"GET", "/api/v1/accounts/verify_credentials", 1, true},
		{"GET", "/api/v1/accounts/42", 0, true},
		{"DELETE", "/api/v1/statuses", -1, true},
		{"GET", "/api/v2/nothing", -1, false},
	}
	for _, tc := range cases {
		if i, known := r.Find(tc.method, tc.path); i != tc.index || known != tc.known {
			t.Errorf("Find(%s %s) = %d, %v; want %d, %v", tc.method, tc.path, i, known, tc.index, tc.known)
		}
	}
}
