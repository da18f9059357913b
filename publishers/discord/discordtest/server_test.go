package discordtest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

type answer struct {
	Code    int            `json:"code"`
	Message string         `json:"message"`
	Errors  map[string]any `json:"errors"`
	ID      string         `json:"id"`
}

func post(t *testing.T, url, ctype string, body []byte) (*http.Response, answer) {
	t.Helper()
	resp, err := http.Post(url, ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return resp, a
}

func multipartBody(payload string, files ...string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("payload_json", payload)
	for _, name := range files {
		fw, _ := w.CreateFormFile(name, "a.png")
		_, _ = fw.Write([]byte("png"))
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// Requests that break the documented shape are refused as Discord refuses them, and recorded.
func TestRefusesMalformedRequests(t *testing.T) {
	s := NewServer(t)
	s.ExpectViolations()
	wh := s.AddWebhook("W")
	url := s.APIURL() + "/webhooks/" + wh.ID + "/" + wh.Token + "?wait=true"
	missingPart, mpType := multipartBody(`{"content":"x","attachments":[{"id":0,"filename":"a.png"},{"id":1,"filename":"b.png"}]}`, "files[0]")
	badPayload, bpType := multipartBody(`{"content":`, "files[0]")

	cases := []struct {
		name, url, ctype string
		body             []byte
		status, code     int
		violation        string
	}{
		{"unknown route", s.APIURL() + "/channels/1/messages", "application/json", []byte(`{"content":"x"}`), 404, 0, "not a route"},
		{"wrong content type", url, "text/plain", []byte(`{"content":"x"}`), 400, 50006, "does not read"},
		{"JSON that does not parse", url, "application/json", []byte(`{"content":`), 400, 50109, "does not parse"},
		{"payload_json that does not parse", url, bpType, badPayload, 400, 50109, "payload_json is not JSON"},
		{"attachment without its file", url, mpType, missingPart, 400, 50035, "has no files[1] part"},
		{"unknown mention type", url, "application/json", []byte(`{"content":"x","allowed_mentions":{"parse":["channels"]}}`), 400, 50035, "allowed_mentions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Violations())
			resp, a := post(t, tc.url, tc.ctype, tc.body)
			if resp.StatusCode != tc.status || a.Code != tc.code {
				t.Errorf("answer %d %+v, want %d code %d", resp.StatusCode, a, tc.status, tc.code)
			}
			v := s.Violations()
			if len(v) == before || !strings.Contains(strings.Join(v[before:], "\n"), tc.violation) {
				t.Errorf("violations %q, want one with %q", v[before:], tc.violation)
			}
		})
	}
	if n := len(s.Messages(wh.ID)); n != 0 {
		t.Errorf("%d messages posted by malformed requests", n)
	}
}

// What Discord refuses about well-formed requests, with its codes and headers.
func TestAnswersAsDiscord(t *testing.T) {
	s := NewServer(t)
	wh := s.AddWebhook("W")
	base := s.APIURL() + "/webhooks/" + wh.ID + "/"

	resp, a := post(t, base+wh.Token+"?wait=true", "application/json", []byte(`{"content":"`+strings.Repeat("x", MaxContent+1)+`"}`))
	if resp.StatusCode != 400 || a.Code != 50035 || a.Errors["content"] == nil {
		t.Errorf("too long: %d %+v", resp.StatusCode, a)
	}
	resp, a = post(t, base+wh.Token+"?wait=true", "application/json", []byte(`{"content":"  "}`))
	if resp.StatusCode != 400 || a.Code != 50006 {
		t.Errorf("empty: %d %+v", resp.StatusCode, a)
	}
	resp, a = post(t, base+"wrongtoken?wait=true", "application/json", []byte(`{"content":"x"}`))
	if resp.StatusCode != 401 || a.Code != 50027 {
		t.Errorf("wrong token: %d %+v", resp.StatusCode, a)
	}
	resp, a = post(t, s.APIURL()+"/webhooks/1/"+wh.Token, "application/json", []byte(`{"content":"x"}`))
	if resp.StatusCode != 404 || a.Code != 10015 {
		t.Errorf("unknown webhook: %d %+v", resp.StatusCode, a)
	}
	// Without wait=true Discord answers 204 and no message.
	resp, _ = post(t, base+wh.Token, "application/json", []byte(`{"content":"no wait"}`))
	if resp.StatusCode != 204 || s.CreatedWithText("no wait") != 1 {
		t.Errorf("without wait: %d", resp.StatusCode)
	}
	resp, a = post(t, base+wh.Token+"?wait=true", "application/json", []byte(`{"content":"hi @everyone"}`))
	if resp.StatusCode != 200 || a.ID == "" || resp.Header.Get("X-RateLimit-Bucket") == "" || resp.Header.Get("X-RateLimit-Reset-After") == "" {
		t.Errorf("success: %d %+v %v", resp.StatusCode, a, resp.Header)
	}
	if m := s.Messages(wh.ID); !m[len(m)-1].MentionEveryone {
		t.Error("without allowed_mentions @everyone pings, as on Discord")
	}
	// The bucket: 5 per window, then 429 with the documented body and headers.
	for range DefaultBucketLimit {
		post(t, base+wh.Token+"?wait=true", "application/json", []byte(`{"content":"burst"}`))
	}
	resp, err := http.Post(base+wh.Token+"?wait=true", "application/json", strings.NewReader(`{"content":"burst"}`))
	if err != nil {
		t.Fatal(err)
	}
	var rl struct {
		Message    string  `json:"message"`
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&rl)
	resp.Body.Close()
	if resp.StatusCode != 429 || rl.RetryAfter <= 0 || rl.Global || resp.Header.Get("Retry-After") == "" ||
		resp.Header.Get("X-RateLimit-Scope") != "user" || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429: %d %+v %v", resp.StatusCode, rl, resp.Header)
	}
	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations %q", v)
	}
}
