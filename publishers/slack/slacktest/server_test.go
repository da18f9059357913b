package slacktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type apiAnswer struct {
	OK        bool   `json:"ok"`
	Error     string `json:"error"`
	UploadURL string `json:"upload_url"`
	FileID    string `json:"file_id"`
}

func call(t *testing.T, s *Server, token, method, ctype, body string) (int, apiAnswer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"/"+method, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a apiAnswer
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, a
}

const form = "application/x-www-form-urlencoded"

// Requests that break a method's documented shape are refused as Slack refuses them, and recorded.
func TestRefusesMalformedRequests(t *testing.T) {
	s := NewServer(t)
	s.ExpectViolations()
	bot := s.AddBot("b")
	ch := s.AddChannel("c", false, bot.UserID)
	_, ticket := call(t, s, bot.Token, "files.getUploadURLExternal", form, "filename=a.png&length=5")

	cases := []struct {
		name, method, ctype, body string
		status                    int
		code, violation           string
	}{
		{"unknown method", "chat.postTweet", form, "channel=" + ch.ID, 404, "unknown_method", "unknown method"},
		{"missing channel", "chat.postMessage", form, "text=hi", 200, "channel_not_found", "without channel"},
		{"wrong content type", "chat.postMessage", "application/xml", "<channel/>", 200, "invalid_post_type", "does not read"},
		{"JSON that does not parse", "chat.postMessage", "application/json", `{"channel":`, 200, "invalid_json", "does not parse"},
		{"length not a number", "files.getUploadURLExternal", form, "filename=a.png&length=big", 200, "invalid_arguments", "not a number"},
		{"files not JSON", "files.completeUploadExternal", form, "files=F1,F2&channel_id=" + ch.ID, 200, "invalid_arguments", "JSON array"},
		{"file never uploaded", "files.completeUploadExternal", form, "files=" + url.QueryEscape(`[{"id":"`+ticket.FileID+`"}]`) + "&channel_id=" + ch.ID, 200, "file_not_found", "was not uploaded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Violations())
			status, a := call(t, s, bot.Token, tc.method, tc.ctype, tc.body)
			if status != tc.status || a.OK || a.Error != tc.code {
				t.Errorf("answer %d %+v, want %d %s", status, a, tc.status, tc.code)
			}
			v := s.Violations()
			if len(v) == before || !strings.Contains(strings.Join(v[before:], "\n"), tc.violation) {
				t.Errorf("violations %q, want one with %q", v[before:], tc.violation)
			}
		})
	}
	// An upload whose length differs from the one announced.
	resp, err := http.Post(ticket.UploadURL, "image/png", strings.NewReader("too many bytes"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(strings.Join(s.Violations(), "\n"), "were announced") {
		t.Errorf("upload with a wrong length: %d", resp.StatusCode)
	}
	// A webhook body that is not JSON.
	hook := s.AddHook(ch.ID)
	resp, err = http.Post(s.HooksURL()+hook, "application/json", strings.NewReader("{text"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || string(b) != "invalid_payload" {
		t.Errorf("webhook: %d %q", resp.StatusCode, b)
	}
	if n := len(s.Messages(ch.ID)); n != 0 {
		t.Errorf("%d messages posted by malformed requests", n)
	}
}

// What Slack answers to well-formed requests it refuses.
func TestAnswersAsSlack(t *testing.T) {
	s := NewServer(t)
	bot := s.AddBot("b")
	ch := s.AddChannel("c", false, bot.UserID)
	out := s.AddChannel("out", false)
	cases := []struct {
		name, token, method, body string
		code                      string
	}{
		{"no token", "", "auth.test", "", "not_authed"},
		{"unknown token", "xoxb-0-0-nope", "auth.test", "", "invalid_auth"},
		{"empty text", bot.Token, "chat.postMessage", "channel=" + ch.ID + "&text=+", "no_text"},
		{"too long", bot.Token, "chat.postMessage", "channel=" + ch.ID + "&text=" + strings.Repeat("a", MaxText+1), "msg_too_long"},
		{"not in channel", bot.Token, "chat.postMessage", "channel=" + out.ID + "&text=hi", "not_in_channel"},
	}
	for _, tc := range cases {
		status, a := call(t, s, tc.token, tc.method, form, tc.body)
		if status != 200 || a.OK || a.Error != tc.code {
			t.Errorf("%s: %d %+v, want %s", tc.name, status, a, tc.code)
		}
	}
	hook := s.AddHook(ch.ID)
	for _, tc := range []struct {
		body, want string
		status     int
	}{{`{"text":""}`, "no_text", 400}, {`{"text":"hi"}`, "ok", 200}} {
		resp, err := http.Post(s.HooksURL()+hook, "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(b) != tc.want {
			t.Errorf("webhook %s: %d %q", tc.body, resp.StatusCode, b)
		}
	}
	s.RemoveHook(hook)
	resp, _ := http.Post(s.HooksURL()+hook, "application/json", strings.NewReader(`{"text":"hi"}`))
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(b) != "no_service" {
		t.Errorf("removed webhook: %d %q", resp.StatusCode, b)
	}
	if s.CreatedWithText("hi") != 1 || len(s.Violations()) != 0 {
		t.Errorf("created %d, violations %q", s.CreatedWithText("hi"), s.Violations())
	}
}
