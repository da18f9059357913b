// Package rewrite asks a language model, through the OpenAI-compatible chat completions API
// (POST /v1/chat/completions), to rewrite a post in the brand's voice. It works with OpenAI
// and with local model servers that speak the same API (Ollama, llama.cpp's server, vLLM,
// LM Studio). The caller checks the answer with the voice checker before showing it.
package rewrite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure a Client.
type Options struct {
	// BaseURL is the API's address: https://api.openai.com/v1, http://localhost:11434/v1, or
	// the same without /v1. Requests go to BaseURL + /v1/chat/completions.
	BaseURL string
	// APIKey is sent as a Bearer token (local servers often need none).
	APIKey string
	// Model names the model (default gpt-4o-mini).
	Model string
	// HTTP is the client (default: a 60-second timeout).
	HTTP *http.Client
}

// Client calls a chat completions endpoint.
type Client struct {
	endpoint string
	key      string
	model    string
	http     *http.Client
}

// New checks the options and returns a client.
func New(o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(o.BaseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("HERALD_LLM_BASE_URL must be an http(s) URL such as https://api.openai.com/v1")
	}
	path := strings.TrimSuffix(u.Path, "/")
	path = strings.TrimSuffix(path, "/v1") + "/v1/chat/completions"
	u.Path, u.RawQuery, u.Fragment = path, "", ""
	c := &Client{endpoint: u.String(), key: strings.TrimSpace(o.APIKey), model: strings.TrimSpace(o.Model), http: o.HTTP}
	if c.model == "" {
		c.model = "gpt-4o-mini"
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	return c, nil
}

// Model is the model the client asks.
func (c *Client) Model() string { return c.model }

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	N           int       `json:"n"`
}

type response struct {
	Choices []struct {
		Message      Message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	} `json:"choices"`
}

type apiError struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	} `json:"error"`
}

// Error kinds, to map to HTTP answers.
var (
	// ErrUnavailable: the model server could not be reached, timed out, is overloaded (429, 5xx)
	// or answered something that is not a completion; trying again later may work.
	ErrUnavailable = errors.New("the rewrite service is unavailable")
	// ErrRefused: the server refused the request (authentication, unknown model, bad request);
	// an administrator must fix the configuration.
	ErrRefused = errors.New("the rewrite service refused the request")
)

// Error carries the kind and the server's own message (never the API key).
type Error struct {
	Kind    error
	Status  int
	Message string
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%v (HTTP %d): %s", e.Kind, e.Status, e.Message)
	}
	return fmt.Sprintf("%v: %s", e.Kind, e.Message)
}

// Unwrap makes errors.Is(err, ErrUnavailable) work.
func (e *Error) Unwrap() error { return e.Kind }

// Rewrite sends the system and user messages and returns the model's answer, trimmed of the
// quotes and code fences models like to add.
func (c *Client) Rewrite(ctx context.Context, system, user string) (string, error) {
	body, _ := json.Marshal(request{Model: c.model, Messages: []Message{{"system", system}, {"user", user}}, Temperature: 0.3, N: 1})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", &Error{Kind: ErrRefused, Message: "invalid endpoint"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		// The transport's error names the URL, which holds no secret; the key is in a header.
		return "", &Error{Kind: ErrUnavailable, Message: "could not reach the model server"}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", &Error{Kind: ErrUnavailable, Status: resp.StatusCode, Message: "the answer was cut off"}
	}
	if resp.StatusCode != http.StatusOK {
		var ae apiError
		msg := http.StatusText(resp.StatusCode)
		if json.Unmarshal(raw, &ae) == nil && ae.Error.Message != "" {
			msg = ae.Error.Message
		}
		// The message is logged and shown to the user, and a server may quote the key it
		// refused (some proxies do, in full): the key is taken out before the message is cut,
		// so that no prefix of it is left either.
		if c.key != "" {
			msg = strings.ReplaceAll(msg, c.key, "[API key]")
		}
		if len(msg) > 300 {
			msg = strings.ToValidUTF8(msg[:300], "")
		}
		kind := ErrRefused
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			kind = ErrUnavailable
		}
		return "", &Error{Kind: kind, Status: resp.StatusCode, Message: msg}
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Choices) == 0 {
		return "", &Error{Kind: ErrUnavailable, Status: resp.StatusCode, Message: "the answer is not a chat completion"}
	}
	out := clean(r.Choices[0].Message.Content)
	if out == "" {
		return "", &Error{Kind: ErrUnavailable, Status: resp.StatusCode, Message: "the model answered nothing"}
	}
	return out, nil
}

// clean removes what models wrap their answer in: a code fence, surrounding quotes, blank lines.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "```") {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
		s = strings.TrimSuffix(strings.TrimSpace(s), "```")
		s = strings.TrimSpace(s)
	}
	for _, q := range [][2]string{{`"`, `"`}, {"“", "”"}, {"«", "»"}} {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) &&
			!strings.Contains(s[len(q[0]):len(s)-len(q[1])], q[0]) {
			s = strings.TrimSpace(s[len(q[0]) : len(s)-len(q[1])])
		}
	}
	return s
}
