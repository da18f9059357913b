// Package rewritetest is a fake OpenAI-compatible chat completions server for tests. It checks
// every request against the API's shape (POST /v1/chat/completions, JSON with a model and
// messages whose roles are system, user or assistant, a Bearer key when one is set) and answers
// like the API: a chat.completion object, or an error object with the API's status codes.
package rewritetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the fake.
type Server struct {
	*httptest.Server
	// Key is the API key the fake expects ("" accepts requests without one).
	Key string
	// Model is the only model the fake knows.
	Model string

	mu       sync.Mutex
	reply    func(system, user string) string
	fail     int // HTTP status to answer with, 0 for none
	requests []Request
}

// Request is what the fake received.
type Request struct {
	Model       string
	System      string
	User        string
	Temperature *float64
}

// New starts a fake expecting key and model; reply computes the assistant's answer.
func New(t testing.TB, key, model string, reply func(system, user string) string) *Server {
	t.Helper()
	s := &Server{Key: key, Model: model, reply: reply}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Fail makes the next requests answer status (0 stops).
func (s *Server) Fail(status int) {
	s.mu.Lock()
	s.fail = status
	s.mu.Unlock()
}

// Requests returns what the fake received.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "Unknown request URL: "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", "Use POST.")
		return
	}
	if s.Key != "" && r.Header.Get("Authorization") != "Bearer "+s.Key {
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Content-Type must be application/json.")
		return
	}
	var body struct {
		Model       string           `json:"model"`
		Messages    []map[string]any `json:"messages"`
		Temperature *float64         `json:"temperature"`
		N           *int             `json:"n"`
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	if body.Model == "" || len(body.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "you must provide a model parameter and messages")
		return
	}
	if body.Model != s.Model {
		writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found", fmt.Sprintf("The model `%s` does not exist.", body.Model))
		return
	}
	if body.Temperature != nil && (*body.Temperature < 0 || *body.Temperature > 2) {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "temperature must be between 0 and 2")
		return
	}
	var req Request
	req.Model, req.Temperature = body.Model, body.Temperature
	for i, m := range body.Messages {
		role, _ := m["role"].(string)
		content, ok := m["content"].(string)
		if !ok || (role != "system" && role != "user" && role != "assistant") {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", fmt.Sprintf("Invalid value for 'messages[%d]'.", i))
			return
		}
		switch role {
		case "system":
			req.System += content
		case "user":
			req.User += content
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	fail, reply := s.fail, s.reply
	s.mu.Unlock()
	if fail != 0 {
		code := "server_error"
		if fail == http.StatusTooManyRequests {
			code = "rate_limit_exceeded"
			w.Header().Set("Retry-After", "20")
		}
		writeError(w, fail, "server_error", code, "The server had an error while processing your request.")
		return
	}
	answer := reply(req.System, req.User)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": body.Model,
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": answer}, "finish_reason": "stop"}},
		"usage":   map[string]any{"prompt_tokens": len(req.System+req.User) / 4, "completion_tokens": len(answer) / 4, "total_tokens": len(req.System+req.User+answer) / 4},
	})
}
