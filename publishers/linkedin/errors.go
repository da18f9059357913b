package linkedin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// apiError is LinkedIn's error body. The REST API answers
// {"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"…"}; validation
// failures add errorDetails.inputErrors with their own codes (DUPLICATE_POST). The OAuth
// endpoints answer RFC 6749 errors instead ({"error":…,"error_description":…}).
// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling
type apiError struct {
	Status           int    `json:"status"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Code             string `json:"code"`
	Message          string `json:"message"`
	ErrorDetails     struct {
		InputErrors []struct {
			Code        string `json:"code"`
			Description string `json:"description"`
		} `json:"inputErrors"`
	} `json:"errorDetails"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// CodeDuplicatePost is the input-error code LinkedIn gives a post whose content it already
// published for the author ("Content is a duplicate of urn:li:share:…").
const CodeDuplicatePost = "DUPLICATE_POST"

// duplicateOf finds the URN a duplicate refers to.
var duplicateOf = regexp.MustCompile(`duplicate of (urn:li:[a-zA-Z]+:[0-9A-Za-z_-]+)`)

// classify is the one table from a LinkedIn error answer to a publishers.Error:
//
//	status                          kind          message
//	401                             AuthExpired   access expired or revoked; reconnect
//	403                             Permanent     LinkedIn's reason: a missing permission or page role
//	404                             Permanent     not found (the post, image, video or page is gone)
//	400, 422 with DUPLICATE_POST    Permanent     a duplicate of a post already published (code DUPLICATE_POST)
//	400, 422                        Permanent     LinkedIn's validation message
//	426 (NONEXISTENT_VERSION)       Permanent     the API version was sunset; set a newer one
//	408                             Retryable     LinkedIn timed out reading the request
//	429                             RateLimited   no reset header: RetryAfter = Options.RateLimitWait (or Retry-After)
//	502, 504 after a create         Unknown       a gateway gave up waiting: the post may exist
//	5xx                             Retryable     (RetryAfter from Retry-After when given)
//	other 4xx                       Permanent     LinkedIn's message
//	anything else                   Retryable     an unexpected answer
//
// LinkedIn documents no Retry-After, but a proxy in front of it may send one; an HTTP date in it
// is measured from the answer's Date (httpapi.RetryAfter), so Herald's clock does not matter.
func (c *Client) classify(status int, header http.Header, body []byte, o op) *publishers.Error {
	text, code := errorText(body)
	e := &publishers.Error{Network: Name, Status: status, Code: code}
	with := func(prefix, fallback string) string {
		if text != "" {
			return prefix + text
		}
		return fallback
	}
	switch {
	case status == http.StatusUnauthorized:
		e.Kind = publishers.KindAuthExpired
		e.Message = "LinkedIn no longer accepts this channel's access (it expired or was revoked; LinkedIn access ends every 60 days); reconnect the channel"
	case status == http.StatusForbidden:
		e.Kind = publishers.KindPermanent
		e.Message = with("LinkedIn refused (a permission or page role is missing): ",
			"LinkedIn refused: the app or the connected account lacks a permission for this (for a page, the member must be its administrator)")
	case status == http.StatusNotFound:
		e.Kind = publishers.KindPermanent
		e.Message = with("not found on LinkedIn: ", "not found on LinkedIn: the post, image, video or page no longer exists")
	case (status == http.StatusBadRequest || status == http.StatusUnprocessableEntity) && code == CodeDuplicatePost:
		e.Kind = publishers.KindPermanent
		e.Message = "LinkedIn refused the post as a duplicate of one already published"
		if m := duplicateOf.FindStringSubmatch(text); m != nil {
			e.Message += " (" + m[1] + ")"
		}
		e.Message += "; change the text to publish it again"
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		e.Kind = publishers.KindPermanent
		e.Message = with("LinkedIn rejected the request: ", fmt.Sprintf("LinkedIn rejected the request (HTTP %d)", status))
	case status == http.StatusUpgradeRequired:
		e.Kind = publishers.KindPermanent
		e.Message = "LinkedIn no longer serves API version " + c.opts.Version + " (" + with("", "NONEXISTENT_VERSION") +
			"); upgrade Herald or configure a newer LinkedIn version"
	case status == http.StatusRequestTimeout:
		e.Kind = publishers.KindRetryable
		e.Message = "LinkedIn timed out reading the request"
	case status == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = c.opts.RateLimitWait
		if d, ok := httpapi.RetryAfter(header, c.opts.Now()); ok {
			e.RetryAfter = d
		}
		e.Message = fmt.Sprintf("rate limited by LinkedIn (it gives no reset time; its daily limits reset at midnight UTC); Herald waits %s before trying again",
			e.RetryAfter.Round(time.Second))
	case (status == http.StatusBadGateway || status == http.StatusGatewayTimeout) && o == opCreatePost:
		// A gateway in front of LinkedIn stopped waiting; LinkedIn may still have created it.
		e.Kind = publishers.KindUnknown
		e.Message = "LinkedIn's gateway timed out after the post was sent, so it may have been published; Herald will check before trying again"
	case status >= 500 && status <= 599:
		e.Kind = publishers.KindRetryable
		e.Message = with("LinkedIn had a temporary problem: ", "LinkedIn had a temporary problem")
		if d, ok := httpapi.RetryAfter(header, c.opts.Now()); ok {
			e.RetryAfter = d
		}
	case status >= 400 && status <= 499:
		e.Kind = publishers.KindPermanent
		e.Message = with("LinkedIn refused the request: ", fmt.Sprintf("LinkedIn refused the request (HTTP %d)", status))
	default:
		e.Kind = publishers.KindRetryable
		e.Message = fmt.Sprintf("unexpected answer from LinkedIn (HTTP %d)", status)
	}
	return e
}

// errorText returns the message of a LinkedIn error body, made safe to show, and its most
// specific code (an input error's code, then the body's code, then an OAuth error code).
// Bodies that are not LinkedIn JSON (a proxy's HTML page) give nothing.
func errorText(body []byte) (text, code string) {
	var ae apiError
	if json.Unmarshal(body, &ae) != nil {
		return "", ""
	}
	text = ae.Message
	code = ae.Code
	if len(ae.ErrorDetails.InputErrors) > 0 {
		ie := ae.ErrorDetails.InputErrors[0]
		if ie.Code != "" {
			code = ie.Code
		}
		if text == "" {
			text = ie.Description
		}
	}
	if ae.Error != "" {
		if code == "" {
			code = ae.Error
		}
		if text == "" {
			text = ae.ErrorDescription
		}
	}
	if code == "" && ae.ServiceErrorCode != 0 {
		code = strconv.Itoa(ae.ServiceErrorCode)
	}
	// LinkedIn prefixes some messages with the Java exception that produced them.
	if i := strings.Index(text, "Exception: "); i >= 0 && !strings.Contains(text[:i], " ") {
		text = text[i+len("Exception: "):]
	}
	return httpapi.Clean(text), httpapi.Clean(code)
}

// transportError classifies a request that got no answer (see httpapi.Network.TransportError):
// unknown once a create-post request was written, retryable otherwise.
func transportError(err error, o op, wrote bool) *publishers.Error {
	return api.TransportError(err, o == opCreatePost, wrote)
}

// permanent is a refusal Herald decides itself.
func permanent(format string, args ...any) *publishers.Error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Message: fmt.Sprintf(format, args...)}
}
