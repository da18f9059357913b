package threadstest

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Parameters each endpoint documents. A parameter outside its list is refused: Graph ignores some
// unknown parameters and refuses others, and either way a parameter the documentation does not
// list is a bug in the client.
var (
	// Access tokens, step 1: client_id, redirect_uri, scope, response_type, state. PKCE is not
	// documented for Threads; the fake takes code_challenge and code_challenge_method so that
	// Herald's PKCE can be verified (see the package threads documentation of BeginOAuth).
	authorizeParams = params("client_id", "redirect_uri", "scope", "response_type", "state", "code_challenge", "code_challenge_method")
	// Access tokens, step 2 (+ code_verifier, as above).
	tokenParams = params("client_id", "client_secret", "grant_type", "redirect_uri", "code", "code_verifier")
	// Long-lived tokens: GET /access_token and GET /refresh_access_token.
	exchangeParams = params("grant_type", "client_secret", "access_token")
	refreshParams  = params("grant_type", "access_token")
	// Publishing reference, POST /{threads-user-id}/threads.
	createParams = params("access_token", "media_type", "text", "image_url", "video_url", "is_carousel_item", "children",
		"reply_to_id", "reply_control", "allowlisted_country_codes", "alt_text", "link_attachment", "quote_post_id",
		"poll_attachment", "auto_publish_text", "topic_tag", "location_id", "gif_attachment", "is_spoiler_media",
		"text_entities", "enable_reply_approvals")
	// Documented parameters of POST /threads the fake does not simulate: refused, so a test
	// notices when a client starts sending one.
	unsimulatedCreate = params("reply_control", "allowlisted_country_codes", "link_attachment", "quote_post_id",
		"poll_attachment", "auto_publish_text", "topic_tag", "location_id", "gif_attachment", "is_spoiler_media",
		"text_entities", "enable_reply_approvals")
	// Publishing reference, POST /{threads-user-id}/threads_publish.
	publishParams = params("access_token", "creation_id")
	// Reading a node: GET /{id}?fields=….
	nodeParams = params("access_token", "fields")
	// User reference, GET /{threads-user-id}/threads.
	listParams = params("access_token", "fields", "since", "until", "limit", "before", "after")
	// Insights, media insights: the metric list (period, since and until are user insights').
	insightParams = params("access_token", "metric")
	// Reply management reference, GET /{threads-media-id}/replies.
	replyParams = params("access_token", "fields", "reverse", "before", "after")
)

// Fields each node type has (User reference; Media retrieval; Troubleshooting; Overview).
var (
	userFields      = params("id", "username", "name", "threads_profile_picture_url", "threads_biography", "is_verified")
	containerFields = params("id", "status", "error_message")
	mediaFields     = params("id", "media_product_type", "media_type", "media_url", "permalink", "owner", "username", "text",
		"timestamp", "shortcode", "thumbnail_url", "children", "is_quote_post", "quoted_post", "reposted_post", "alt_text",
		"link_attachment_url", "gif_url", "has_replies", "is_reply", "is_reply_owned_by_me", "root_post", "replied_to",
		"hide_status", "reply_audience", "topic_tag")
	limitFields = params("quota_usage", "config", "reply_quota_usage", "reply_config")
	// Insights, "Available Metrics" for media.
	mediaMetrics = []string{"views", "likes", "replies", "reposts", "quotes", "shares"}
)

type paramSet map[string]bool

func params(names ...string) paramSet {
	s := paramSet{}
	for _, n := range names {
		s[n] = true
	}
	return s
}

// splitList splits a comma-separated list (fields, metric, children), dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// textLength counts text as Threads does for its 500-character limit (Posts, "Limitations":
// "Emojis are counted as the number of UTF-8 bytes"). What counts as an emoji is approximated by
// the emoji blocks.
func textLength(s string) int {
	n := 0
	for _, r := range s {
		if isEmoji(r) {
			n += utf8.RuneLen(r)
		} else {
			n++
		}
	}
	return n
}

func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r == 0x200D || r == 0xFE0F
}

// parseTimeParam reads since or until: a Unix timestamp or a date strtotime() parses (User
// reference); the fake takes the common forms.
func parseTimeParam(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04:05-0700", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// timestamp formats a time as Threads does ("2023-10-17T05:42:03+0000").
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

// cursor and fromCursor encode a paging cursor: opaque to clients, the post id here.
func cursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("threadstest:" + id))
}

func fromCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), "threadstest:")
}

// isHTTPURL reports whether v is an absolute http(s) URL, as image_url and video_url must be.
func isHTTPURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
