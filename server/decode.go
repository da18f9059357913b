package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// decodeJSON reads the body into dst strictly: malformed JSON, unknown fields, wrong types and
// trailing data are 400s naming the field; a body over the limit is a 413.
func decodeJSON(c *gin.Context, dst any) error {
	// Requiring a JSON content type means a cross-site HTML form (which can only send
	// form-encoded or text/plain bodies without a CORS preflight) can never reach a handler.
	if ct := c.GetHeader("Content-Type"); !isJSONType(ct) {
		return apiErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.")
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apiErr(http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("The request body is larger than %d bytes.", mbe.Limit))
		}
		return apiErr(http.StatusBadRequest, "bad_body", "The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return apiErr(http.StatusBadRequest, "malformed_json", "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apiErr(http.StatusBadRequest, "malformed_json", "The request body must hold one JSON object.")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return apiErr(http.StatusBadRequest, "malformed_json", "The request body must hold one JSON object.")
	}
	return nil
}

func jsonError(err error) *APIError {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return apiErr(http.StatusBadRequest, "malformed_json", fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return apiErr(http.StatusBadRequest, "malformed_json", "The request body must be a JSON object.")
		}
		e := apiErr(http.StatusBadRequest, "invalid_type", "A field has the wrong type.")
		e.Fields = map[string]string{field: "must be " + jsonKind(te.Type.Kind().String())}
		return e
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apiErr(http.StatusBadRequest, "malformed_json", "The request body is not valid JSON (it ends too early).")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json quotes the name with %q; unquote it rather than trim, so a name that
		// itself holds quotes or escapes comes back as sent.
		quoted := strings.TrimPrefix(err.Error(), "json: unknown field ")
		name, uerr := strconv.Unquote(quoted)
		if uerr != nil {
			name = quoted
		}
		e := apiErr(http.StatusBadRequest, "unknown_field", fmt.Sprintf("Unknown field %q.", name))
		if name != "" {
			// An empty key cannot name a form field; the message still says what was wrong.
			e.Fields = map[string]string{name: "unknown field"}
		}
		return e
	}
	return apiErr(http.StatusBadRequest, "malformed_json", "The request body is not valid JSON.")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "ptr":
		return "a value of another type"
	}
	return "of another type"
}

// fields collects field-level messages while validating a request.
type fields map[string]string

func (f fields) add(name, msg string) {
	if _, ok := f[name]; !ok {
		f[name] = msg
	}
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return fieldErr(f)
}

func isJSONType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}
