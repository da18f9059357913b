package telegramtest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

type answer struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Result      json.RawMessage `json:"result"`
}

func call(t *testing.T, s *Server, token, method, ctype string, body []byte) (int, answer) {
	t.Helper()
	resp, err := http.Post(s.URL+"/bot"+token+"/"+method, ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", method, err)
	}
	if a.ErrorCode != 0 && a.ErrorCode != resp.StatusCode {
		t.Errorf("error_code %d differs from the HTTP status %d", a.ErrorCode, resp.StatusCode)
	}
	return resp.StatusCode, a
}

// Requests that break the Bot API's documented shape are refused the way Telegram refuses them,
// and recorded as violations (which fail a test that did not expect them).
func TestRefusesMalformedRequests(t *testing.T) {
	s := NewServer(t)
	s.ExpectViolations()
	bot := s.AddBot("b")
	ch := s.AddChat("channel", "C", "cee")
	s.SetMember(ch, bot.ID, Admin)
	chatID := strconv.FormatInt(ch, 10)

	mp := func(fields map[string]string) ([]byte, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("file0", "a.png")
		_, _ = fw.Write([]byte("png"))
		_ = w.Close()
		return buf.Bytes(), w.FormDataContentType()
	}
	albumBody, albumType := mp(map[string]string{"chat_id": chatID,
		"media": `[{"type":"photo","media":"attach://file0"},{"type":"photo","media":"attach://file1"}]`})

	cases := []struct {
		name, token, method, ctype, body string
		raw                              []byte
		status                           int
		desc                             string
		violation                        string
	}{
		{name: "missing chat_id", method: "sendMessage", ctype: "application/json", body: `{"text":"hi"}`, status: 400, desc: "Bad Request: chat_id is empty", violation: "without chat_id"},
		{name: "unknown method", method: "sendTweet", ctype: "application/json", body: `{"chat_id":"` + chatID + `"}`, status: 404, desc: "Not Found", violation: "unknown method"},
		{name: "wrong content type", method: "sendMessage", ctype: "text/plain", body: "chat_id=" + chatID + "&text=hi", status: 400, desc: "Bad Request: chat_id is empty", violation: "does not read"},
		{name: "body not JSON", method: "sendMessage", ctype: "application/json", body: `{"chat_id":`, status: 400, desc: "can't parse JSON object", violation: "can't parse"},
		{name: "link_preview_options not an object", method: "sendMessage", ctype: "application/json", body: `{"chat_id":"` + chatID + `","text":"hi","link_preview_options":"off"}`, status: 400, desc: "link preview options", violation: "link_preview_options"},
		{name: "album names a missing part", method: "sendMediaGroup", ctype: albumType, raw: albumBody, status: 400, desc: "wrong file identifier", violation: "not an uploaded part"},
		{name: "photo without a file", method: "sendPhoto", ctype: "application/json", body: `{"chat_id":"` + chatID + `"}`, status: 400, desc: "there is no photo in the request", violation: "without a photo file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Violations())
			body := tc.raw
			if body == nil {
				body = []byte(tc.body)
			}
			status, a := call(t, s, bot.Token, tc.method, tc.ctype, body)
			if status != tc.status || a.OK || !strings.Contains(a.Description, tc.desc) {
				t.Errorf("answer %d %+v, want %d %q", status, a, tc.status, tc.desc)
			}
			v := s.Violations()
			if len(v) == before || !strings.Contains(strings.Join(v[before:], "\n"), tc.violation) {
				t.Errorf("violations %q, want one with %q", v[before:], tc.violation)
			}
		})
	}
	if n := len(s.Messages(ch)); n != 0 {
		t.Errorf("%d messages posted by malformed requests", n)
	}
}

// What Telegram refuses about well-formed requests: not violations, answers.
func TestRefusesWhatTelegramRefuses(t *testing.T) {
	s := NewServer(t)
	bot := s.AddBot("b")
	ch := s.AddChat("channel", "C", "cee")
	s.SetMember(ch, bot.ID, Admin)
	chatID := strconv.FormatInt(ch, 10)
	long := strings.Repeat("é", MaxText+1)

	cases := []struct {
		name, token, method, body string
		status                    int
		desc                      string
	}{
		{"unknown token", "123:nope", "getMe", `{}`, 401, "Unauthorized"},
		{"text too long", bot.Token, "sendMessage", `{"chat_id":"` + chatID + `","text":"` + long + `"}`, 400, "Bad Request: message is too long"},
		{"empty text", bot.Token, "sendMessage", `{"chat_id":"` + chatID + `","text":"  "}`, 400, "Bad Request: message text is empty"},
		{"chat not found", bot.Token, "sendMessage", `{"chat_id":"@nobody_here","text":"x"}`, 400, "Bad Request: chat not found"},
		{"album of one", bot.Token, "sendMediaGroup", `{"chat_id":"` + chatID + `","media":[{"type":"photo","media":"attach://x"}]}`, 400, "2-10 items"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, a := call(t, s, tc.token, tc.method, "application/json", []byte(tc.body))
			if status != tc.status || !strings.Contains(a.Description, tc.desc) {
				t.Errorf("answer %d %+v, want %d %q", status, a, tc.status, tc.desc)
			}
		})
	}
	// Exactly the maximum is accepted, counted in characters.
	status, a := call(t, s, bot.Token, "SENDMESSAGE", "application/json", []byte(`{"chat_id":"`+chatID+`","text":"`+long[2:]+`"}`))
	if status != 200 || !a.OK {
		t.Errorf("4,096 characters refused: %d %+v", status, a)
	}
	if s.CreatedWithText(long[2:]) != 1 || s.Requests("sendMessage") != 4 {
		t.Errorf("created %d, requests %d", s.CreatedWithText(long[2:]), s.Requests("sendMessage"))
	}
	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations %q", v)
	}
}

// Form-encoded and query-string parameters are read too, as the Bot API reads them.
func TestReadsEveryParameterEncoding(t *testing.T) {
	s := NewServer(t)
	bot := s.AddBot("b")
	ch := s.AddChat("supergroup", "G", "gee")
	s.SetMember(ch, bot.ID, Member{Status: "member"})
	status, a := call(t, s, bot.Token, "sendMessage", "application/x-www-form-urlencoded", []byte("chat_id=%40gee&text=form"))
	if status != 200 || !a.OK {
		t.Fatalf("form: %d %+v", status, a)
	}
	resp, err := http.Get(s.URL + "/bot" + bot.Token + "/sendMessage?chat_id=" + strconv.FormatInt(ch, 10) + "&text=query")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if m := s.Messages(ch); len(m) != 2 || m[0].Text != "form" || m[1].Text != "query" {
		t.Errorf("messages %+v", m)
	}
}
