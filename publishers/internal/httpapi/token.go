package httpapi

import (
	"errors"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// TokenRefusal is the token endpoint's refusal of a code exchange or a token refresh made with
// the oauth2 package.
type TokenRefusal struct {
	Status int
	Header http.Header
	// Code is the RFC 6749 error code, made safe to show (Clean).
	Code string
	// Body is the answer's body, for networks whose error object says more than the code.
	Body []byte
}

// TokenFailure reads an error of the oauth2 package's Exchange or token refresh: the token
// endpoint's refusal when it refused. Otherwise noAnswer is true when the request got no
// answer (a transport failure, err naming the URL) and false when the endpoint answered 2xx
// with nothing Herald could read (no access token, not JSON). The oauth2 package's own error
// text repeats the answer's body, so a message should be built from the refusal instead.
func TokenFailure(err error) (refusal *TokenRefusal, noAnswer bool) {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		var ue *url.Error
		return nil, errors.As(err, &ue)
	}
	r := &TokenRefusal{Header: http.Header{}, Code: Clean(re.ErrorCode), Body: re.Body}
	if re.Response != nil {
		r.Status = re.Response.StatusCode
		r.Header = re.Response.Header
	}
	return r, false
}
