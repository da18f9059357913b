package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
	"github.com/heraldhq/herald/server/workflow"
)

// The tests in this file keep openapi.json honest: every route the router serves is documented
// and nothing else is, every $ref resolves, and the request and response schemas have exactly
// the fields of the Go types the handlers decode and encode.

// openapiServer builds a server on a fresh SQLite store, as the binary would.
func openapiServer(t *testing.T) *Server {
	t.Helper()
	st := storetest.Open(t, store.SQLite, nil)
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.ParseKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	return New(st, keys, nil, Config{})
}

// openapiDoc is the embedded document, decoded.
func openapiDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

var openapiGinParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openapiPath turns a Gin path (/posts/:pid) into an OpenAPI path template (/posts/{pid}).
func openapiPath(ginPath string) string { return openapiGinParam.ReplaceAllString(ginPath, "{$1}") }

var openapiMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// openapiOperations maps "METHOD /path/{x}" to each operation of the document.
func openapiOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("openapi.json has no paths")
	}
	ops := map[string]map[string]any{}
	for p, item := range paths {
		for m, v := range item.(map[string]any) {
			if !slices.Contains(openapiMethods, m) {
				continue
			}
			op, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s %s is not an object", m, p)
			}
			ops[strings.ToUpper(m)+" "+p] = op
		}
	}
	return ops
}

// openapiPointer resolves a local JSON pointer ("#/components/schemas/Post") in doc.
func openapiPointer(doc map[string]any, ref string) (any, bool) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// openapiDeref follows $ref (possibly several in a row) to the object it names.
func openapiDeref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	for i := 0; m != nil && i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		target, ok := openapiPointer(doc, ref)
		if !ok {
			t.Fatalf("unresolvable $ref %q", ref)
		}
		m, _ = target.(map[string]any)
	}
	return m
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := openapiServer(t)
	doc := openapiDoc(t)
	ops := openapiOperations(t, doc)

	served := map[string]bool{}
	for _, r := range s.engine.Routes() {
		served[r.Method+" "+openapiPath(r.Path)] = true
	}
	for k := range served {
		if ops[k] == nil {
			t.Errorf("%s is served but not documented in openapi.json", k)
		}
	}
	for k := range ops {
		if !served[k] {
			t.Errorf("%s is documented in openapi.json but not served (stale entry?)", k)
		}
	}

	ids := map[string]string{}
	for k, op := range ops {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", k)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("operationId %q is used by %s and %s", id, prev, k)
		}
		ids[id] = k
		for _, f := range []string{"summary", "description"} {
			if v, _ := op[f].(string); v == "" {
				t.Errorf("%s has no %s", k, f)
			}
		}
		if _, ok := op["responses"].(map[string]any); !ok {
			t.Errorf("%s has no responses", k)
		}
		checkOpenAPIPathParams(t, doc, k, op)
	}

	// The API routes' documentation states who may call them, and lists the errors the
	// middleware in front of them can return.
	for _, r := range s.routes {
		k := r.Method + " " + openapiPath(r.Path)
		op := ops[k]
		if op == nil {
			continue // reported above
		}
		desc, _ := op["description"].(string)
		responses, _ := op["responses"].(map[string]any)
		secReqs := openapiSecurity(doc, op)
		anonymous := len(secReqs) == 0 || slices.ContainsFunc(secReqs, func(req map[string]any) bool { return len(req) == 0 })
		switch r.Access {
		case public:
			if !strings.HasPrefix(desc, "Public") {
				t.Errorf("%s: public route, but its description does not start with \"Public\": %q", k, desc)
			}
			if !anonymous {
				t.Errorf("%s: public route, but its security does not allow anonymous callers", k)
			}
			continue
		case signedIn:
			if !strings.HasPrefix(desc, "Requires a signed-in user") {
				t.Errorf("%s: description should start with \"Requires a signed-in user\": %q", k, desc)
			}
		case workspace:
			want := fmt.Sprintf("Requires %s or above in the workspace.", r.MinRole)
			if !strings.HasPrefix(desc, want) {
				t.Errorf("%s: description should start with %q: %q", k, want, desc)
			}
			if responses["404"] == nil {
				t.Errorf("%s: a workspace route can answer 404 (not a member), but 404 is not documented", k)
			}
			if r.MinRole != workflow.Viewer && responses["403"] == nil {
				t.Errorf("%s: needs %s, so it can answer 403, but 403 is not documented", k, r.MinRole)
			}
		}
		if anonymous {
			t.Errorf("%s: needs authentication, but its security allows anonymous callers", k)
		}
		if responses["401"] == nil {
			t.Errorf("%s: needs authentication, so it can answer 401, but 401 is not documented", k)
		}
		if unsafeMethod(r.Method) {
			if responses["403"] == nil {
				t.Errorf("%s: cookie requests need a CSRF token, so it can answer 403, but 403 is not documented", k)
			}
			for _, req := range secReqs {
				if _, cookie := req["session"]; cookie {
					if _, csrf := req["csrfToken"]; !csrf {
						t.Errorf("%s: an unsafe method with the session cookie also needs csrfToken in its security requirement", k)
					}
				}
			}
		}
	}
}

// openapiSecurity is the operation's security requirements, or the document's default.
func openapiSecurity(doc map[string]any, op map[string]any) []map[string]any {
	raw, ok := op["security"]
	if !ok {
		raw = doc["security"]
	}
	list, _ := raw.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		m, _ := v.(map[string]any)
		out = append(out, m)
	}
	return out
}

var openapiTemplateParam = regexp.MustCompile(`\{([^}]+)\}`)

// checkOpenAPIPathParams asserts that each {x} in the path is a required path parameter of the
// operation, and that no other path parameter is declared.
func checkOpenAPIPathParams(t *testing.T, doc map[string]any, key string, op map[string]any) {
	t.Helper()
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm := openapiDeref(t, doc, p)
		if pm["in"] == "path" {
			if pm["required"] != true {
				t.Errorf("%s: path parameter %v must be required", key, pm["name"])
			}
			declared[fmt.Sprint(pm["name"])] = true
		}
	}
	_, path, _ := strings.Cut(key, " ")
	want := map[string]bool{}
	for _, m := range openapiTemplateParam.FindAllStringSubmatch(path, -1) {
		want[m[1]] = true
		if !declared[m[1]] {
			t.Errorf("%s: path parameter {%s} is not declared", key, m[1])
		}
	}
	for name := range declared {
		if !want[name] {
			t.Errorf("%s: declares path parameter %q that is not in the path", key, name)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	s := openapiServer(t)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: status %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("served document does not parse: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi = %q, want 3.x", v)
	}
	if !bytes.Equal(rec.Body.Bytes(), openapiJSON) {
		t.Error("the served document differs from the embedded openapi.json")
	}
}

// TestOpenAPIFormatted keeps the file in one layout (2-space indentation, as json.Indent writes
// it), so hand edits produce small diffs.
func TestOpenAPIFormatted(t *testing.T) {
	var compact, indented bytes.Buffer
	if err := json.Compact(&compact, openapiJSON); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	indented.WriteByte('\n')
	if !bytes.Equal(indented.Bytes(), openapiJSON) {
		t.Error("openapi.json is not 2-space indented JSON with a final newline; reformat it (e.g. python3 -m json.tool --indent 2 --no-ensure-ascii)")
	}
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := openapiDoc(t)
	used := map[string]bool{}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if !strings.HasPrefix(ref, "#/components/") {
					t.Errorf("%s: $ref %q does not point into #/components", where, ref)
				} else if _, ok := openapiPointer(doc, ref); !ok {
					t.Errorf("%s: $ref %q points to nothing", where, ref)
				}
				used[ref] = true
			}
			for k, x := range v {
				walk(where+"/"+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s/%d", where, i), x)
			}
		}
	}
	walk("#", doc)
	if len(used) == 0 {
		t.Fatal("the document has no $ref at all")
	}

	// Unused components are dead text that drifts; security schemes are used by name, not $ref.
	components, _ := doc["components"].(map[string]any)
	for kind, v := range components {
		if kind == "securitySchemes" {
			continue
		}
		for name := range v.(map[string]any) {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is never referenced", ref)
			}
		}
	}
	schemes, _ := components["securitySchemes"].(map[string]any)
	checkSchemes := func(where string, raw any) {
		list, _ := raw.([]any)
		for _, req := range list {
			for name := range req.(map[string]any) {
				if schemes[name] == nil {
					t.Errorf("%s: security scheme %q is not defined", where, name)
				}
			}
		}
	}
	checkSchemes("security", doc["security"])
	for k, op := range openapiOperations(t, doc) {
		checkSchemes(k, op["security"])
	}
}

// openapiOmitted lists fields of a Go request type that an operation always refuses; its schema
// leaves them out rather than document a field that can only ever be an error.
type openapiOmitted []string

func TestOpenAPIRequestSchemasMatchGoTypes(t *testing.T) {
	timeFields := openapiOmitted{"scheduled_at", "local_time", "time_zone"}
	tests := []struct {
		operationID string
		goType      any
		omit        openapiOmitted
	}{
		{"signIn", signInRequest{}, nil},
		{"updateMe", updateMeRequest{}, nil},
		{"changePassword", changePasswordRequest{}, nil},
		{"createToken", createTokenRequest{}, nil},
		{"acceptInvitation", acceptInvitationRequest{}, nil},
		{"createWorkspace", workspaceRequest{}, nil},
		{"updateWorkspace", workspaceRequest{}, nil},
		{"updateMember", roleRequest{}, nil},
		{"createInvitation", invitationRequest{}, nil},
		{"createChannel", channelRequest{}, nil},
		{"updateChannel", channelRequest{}, openapiOmitted{"network"}}, // "cannot be changed"
		{"setChannelSlots", slotsRequest{}, nil},
		{"createPost", postRequest{}, openapiOmitted{"revision"}}, // "is only for edits"
		{"editPost", postRequest{}, timeFields},                   // time changes are actions
		{"submitPost", actionRequest{}, timeFields},               // "this action does not take a time"
		{"approvePost", actionRequest{}, timeFields},
		{"requestChanges", actionRequest{}, timeFields},
		{"schedulePost", actionRequest{}, nil},
		{"reschedulePost", actionRequest{}, nil},
		{"unschedulePost", actionRequest{}, timeFields},
		{"publishPostNow", actionRequest{}, timeFields},
		{"cancelPost", actionRequest{}, timeFields},
		{"restorePost", actionRequest{}, timeFields},
		{"retryPost", actionRequest{}, timeFields},
		{"createComment", commentRequest{}, nil},
		{"validateContent", validateRequest{}, nil},
		{"connectChannel", connectRequest{}, nil},
		{"chooseConnectAccounts", chooseRequest{}, nil},
		{"resolveTarget", resolveRequest{}, nil},
		{"setNotificationSettings", notificationSettingsRequest{}, nil},
		{"setVoiceProfile", profileRequest{}, nil},
		{"checkVoice", checkRequest{}, nil},
		{"rewriteInVoice", rewriteRequest{}, nil},
		{"acknowledgeVoiceWarnings", ackRequest{}, nil},
		{"createTemplate", templateRequest{}, nil},
		{"updateTemplate", templateRequest{}, nil},
		{"createSnippet", snippetRequest{}, nil},
		{"updateSnippet", snippetRequest{}, nil},
		{"createHashtagGroup", hashtagGroupRequest{}, nil},
		{"updateHashtagGroup", hashtagGroupRequest{}, nil},
		{"composeText", composeRequest{}, nil},
		{"createMultiStepPolicy", approvalPolicyRequest{}, nil},
		{"updateMultiStepPolicy", approvalPolicyRequest{}, nil},
		{"setReviewSettings", reviewSettingsRequest{}, nil},
		{"createClientLink", clientLinkRequest{}, nil},
	}
	doc := openapiDoc(t)
	inTable := map[string]bool{}
	for _, tc := range tests {
		inTable[tc.operationID] = true
	}
	byID := map[string]map[string]any{}
	for k, op := range openapiOperations(t, doc) {
		id, _ := op["operationId"].(string)
		byID[id] = op
		if op["requestBody"] != nil && !inTable[id] && !openapiMultipart(t, doc, op) {
			t.Errorf("%s (%s) has a request body; add its Go request type to this test's table", id, k)
		}
	}
	for _, tc := range tests {
		t.Run(tc.operationID, func(t *testing.T) {
			op := byID[tc.operationID]
			if op == nil {
				t.Fatalf("no operation %q in openapi.json", tc.operationID)
			}
			body := openapiDeref(t, doc, op["requestBody"])
			media, _ := body["content"].(map[string]any)["application/json"].(map[string]any)
			if media == nil {
				t.Fatal("no application/json request body")
			}
			checkOpenAPISchema(t, doc, tc.operationID, reflect.TypeOf(tc.goType), media["schema"], openapiSchemaCheck{request: true, omit: tc.omit})
		})
	}
}

// openapiMultipart reports an upload: a request body that is multipart/form-data only, with a
// binary file field (its Go side is a form file, not a decoded struct).
func openapiMultipart(t *testing.T, doc map[string]any, op map[string]any) bool {
	t.Helper()
	content, _ := openapiDeref(t, doc, op["requestBody"])["content"].(map[string]any)
	mp, _ := content["multipart/form-data"].(map[string]any)
	if mp == nil || len(content) != 1 {
		return false
	}
	props, _ := openapiDeref(t, doc, mp["schema"])["properties"].(map[string]any)
	file, _ := props["file"].(map[string]any)
	if file["format"] != "binary" {
		t.Errorf("%v: a multipart upload must describe its file field as a binary string", op["operationId"])
	}
	return true
}

// TestOpenAPIResponseSchemasMatchGoTypes checks the component schemas against views.go: the
// same fields, the same JSON types, and required exactly when the field is not omitempty.
func TestOpenAPIResponseSchemasMatchGoTypes(t *testing.T) {
	tests := []struct {
		component string
		goType    any
	}{
		{"User", userView{}},
		{"ApprovalPolicy", policyView{}},
		{"Workspace", workspaceView{}},
		{"Member", memberView{}},
		{"Invitation", invitationView{}},
		{"Slot", slotView{}},
		{"Channel", channelView{}},
		{"Media", mediaView{}},
		{"ThreadPart", threadView{}},
		{"Target", targetView{}},
		{"Post", postView{}},
		{"Review", reviewView{}},
		{"ReviewDecision", reviewItem{}},
		{"Comment", commentView{}},
		{"AuditEvent", auditView{}},
		{"ApiToken", tokenView{}},
		{"Calendar", calendarResponse{}},
		{"CalendarLean", leanCalendarResponse{}},
		{"Rules", rulesResponse{}},
		{"MediaFile", mediaFileView{}},
		{"Revision", revisionView{}},
		{"Me", meResponse{}},
		{"Notification", notificationView{}},
		{"NotificationSettings", notificationSettingsView{}},
		{"EngagementSnapshot", snapshotView{}},
		{"TargetEngagement", targetEngagement{}},
		{"Page", page[any]{}},
		{"VoiceProfileView", profileView{}},
		{"VoiceCheck", checkResponse{}},
		{"Finding", findingView{}},
		{"PostVoice", postVoiceView{}},
		{"Acknowledgement", ackView{}},
		{"Template", templateView{}},
		{"Snippet", snippetView{}},
		{"HashtagGroup", hashtagGroupView{}},
		{"Compose", composeResponse{}},
		{"MultiStepPolicy", approvalPolicyView{}},
		{"ReviewSettings", reviewSettingsView{}},
		{"ReviewStep", reviewStepView{}},
		{"ClientLink", clientLinkView{}},
		{"Rewrite", rewriteResponse{}},
		{"ClientConfig", configResponse{}},
		{"Error", struct {
			Error APIError `json:"error"`
		}{}},
	}
	doc := openapiDoc(t)
	for _, tc := range tests {
		t.Run(tc.component, func(t *testing.T) {
			schema, ok := openapiPointer(doc, "#/components/schemas/"+tc.component)
			if !ok {
				t.Fatalf("no components/schemas/%s", tc.component)
			}
			checkOpenAPISchema(t, doc, tc.component, reflect.TypeOf(tc.goType), schema, openapiSchemaCheck{})
		})
	}
}

type openapiSchemaCheck struct {
	// request schemas must be closed (additionalProperties: false): the decoder refuses unknown
	// fields. Response schemas must mark non-omitempty fields required.
	request bool
	// omit applies to the top-level object only.
	omit openapiOmitted
}

var openapiTimeType = reflect.TypeOf(time.Time{})

// checkOpenAPISchema compares a Go type with a schema, recursing into nested objects and lists.
func checkOpenAPISchema(t *testing.T, doc map[string]any, where string, typ reflect.Type, raw any, c openapiSchemaCheck) {
	t.Helper()
	schema := openapiDeref(t, doc, raw)
	if schema == nil {
		t.Errorf("%s: no schema", where)
		return
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if want := openapiJSONType(typ); want != "" && !openapiTypeAllows(schema, want) {
		t.Errorf("%s: schema type %v, but the Go type %s is a JSON %s", where, schema["type"], typ, want)
		return
	}
	switch {
	case typ == openapiTimeType:
		if schema["format"] != "date-time" {
			t.Errorf("%s: a time.Time should have format date-time, not %v", where, schema["format"])
		}
	case typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array:
		if items, ok := schema["items"]; ok {
			checkOpenAPISchema(t, doc, where+"[]", typ.Elem(), items, openapiSchemaCheck{request: c.request})
		} else {
			t.Errorf("%s: array schema without items", where)
		}
	case typ.Kind() == reflect.Struct:
		checkOpenAPIObject(t, doc, where, typ, schema, c)
	}
}

func checkOpenAPIObject(t *testing.T, doc map[string]any, where string, typ reflect.Type, schema map[string]any, c openapiSchemaCheck) {
	t.Helper()
	if c.request && schema["additionalProperties"] != false {
		t.Errorf("%s: request schemas must set additionalProperties: false (unknown fields are a 400)", where)
	}
	props, _ := schema["properties"].(map[string]any)
	var goNames, docNames, goRequired, docRequired []string
	fieldType := map[string]reflect.Type{}
	for _, f := range openapiJSONFields(typ) {
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if slices.Contains(c.omit, name) {
			continue
		}
		goNames = append(goNames, name)
		fieldType[name] = f.Type
		if !slices.Contains(strings.Split(opts, ","), "omitempty") {
			goRequired = append(goRequired, name)
		}
	}
	for name := range props {
		docNames = append(docNames, name)
	}
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			docRequired = append(docRequired, fmt.Sprint(r))
		}
	}
	sort.Strings(goNames)
	sort.Strings(docNames)
	if !slices.Equal(goNames, docNames) {
		t.Errorf("%s: schema properties %v, Go type %s has json fields %v", where, docNames, typ, goNames)
	}
	if !c.request {
		sort.Strings(goRequired)
		sort.Strings(docRequired)
		if !slices.Equal(goRequired, docRequired) {
			t.Errorf("%s: schema requires %v, but the fields always present (not omitempty) in %s are %v", where, docRequired, typ, goRequired)
		}
	}
	for _, name := range goNames {
		if p, ok := props[name]; ok {
			checkOpenAPISchema(t, doc, where+"."+name, fieldType[name], p, openapiSchemaCheck{request: c.request})
		}
	}
}

// openapiJSONFields lists the fields encoding/json writes for a struct type: its exported fields,
// with the fields of embedded structs without a json name promoted in their place.
func openapiJSONFields(typ reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, openapiJSONFields(f.Type)...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		out = append(out, f)
	}
	return out
}

// openapiJSONType is the JSON Schema type encoding/json gives a Go type, or "" when it is not fixed.
func openapiJSONType(typ reflect.Type) string {
	if typ == openapiTimeType {
		return "string"
	}
	switch typ.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return ""
}

// openapiTypeAllows reports whether the schema's type is want (or a list containing it, as for
// nullable fields).
func openapiTypeAllows(schema map[string]any, want string) bool {
	switch v := schema["type"].(type) {
	case string:
		return v == want
	case []any:
		return slices.Contains(v, any(want))
	}
	return false
}
