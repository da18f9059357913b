package metagraphtest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ref names a node.
type ref struct{ typ, id string }

// defaultFields are what Graph returns without a fields parameter.
var defaultFields = map[string]string{
	"User": "name,id", "Page": "name,id", "PagePost": "created_time,message,id", "Photo": "created_time,name,id",
	"AdVideo": "description,updated_time,id", "IGUser": "id", "IGMedia": "id", "ShadowIGMediaBuilder": "id",
	"Comment": "created_time,from,message,id", "IGComment": "timestamp,text,id", "PermissionStatus": "permission,status",
	"ContentPublishingLimitResponse": "quota_usage", "InsightsResult": "name,period,values,title,description,id",
	"InstagramInsightsResult": "name,period,values,title,description,id",
}

func defaults(typ string) []fieldSel {
	d := defaultFields[typ]
	if d == "" {
		d = "id"
	}
	sel, _ := parseFields(d)
	return sel
}

func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

// renderNode renders the selected fields of a node (Graph adds the id of every node).
func (s *Server) renderNode(r ref, sel []fieldSel, tok *token) (map[string]any, *gerr) {
	if sel == nil {
		sel = defaults(r.typ)
	}
	s.mu.Lock()
	vals := s.fieldValues(r, tok)
	s.mu.Unlock()
	if vals == nil {
		return nil, unsupported(http.MethodGet, r.id)
	}
	return s.renderValues(r, vals, sel, tok)
}

func (s *Server) renderValues(r ref, vals map[string]any, sel []fieldSel, tok *token) (map[string]any, *gerr) {
	out := map[string]any{}
	n := s.spec.nodes[r.typ]
	for _, f := range sel {
		_, isField := n.fields[f.name]
		if !isField && s.spec.find(r.typ, http.MethodGet, f.name) != nil {
			params := map[string][]string{}
			for _, m := range f.mods {
				params[m.name] = []string{m.args}
			}
			var sub []fieldSel
			if f.hasSub {
				sub = f.sub
			}
			v, e := s.renderEdge(r, f.name, params, sub, tok, nil)
			if e != nil {
				return nil, e
			}
			out[f.name] = v
			continue
		}
		v, ok := vals[f.name]
		if !ok || v == nil {
			continue
		}
		if nested, ok := v.(ref); ok {
			var sub []fieldSel
			if f.hasSub {
				sub = f.sub
			} else {
				sub, _ = parseFields("id")
			}
			m, e := s.renderNode(nested, sub, tok)
			if e != nil {
				return nil, e
			}
			out[f.name] = m
			continue
		}
		out[f.name] = v
	}
	if id, ok := vals["id"]; ok && r.id != "" {
		out["id"] = id
	}
	return out, nil
}

// fieldValues are a node's plain fields; node-valued fields are refs. nil when the node does not
// exist. Callers hold mu.
func (s *Server) fieldValues(r ref, tok *token) map[string]any {
	now := s.now()
	switch r.typ {
	case "User":
		return map[string]any{"id": s.user.id, "name": s.user.name}
	case "Page":
		p := s.pages[r.id]
		if p == nil {
			return nil
		}
		v := map[string]any{"id": p.id, "name": p.name, "link": "https://www.facebook.com/" + p.id, "category": "Local business"}
		if p.username != "" {
			v["username"] = p.username
		}
		if tok != nil && tok.kind == "user" {
			v["access_token"] = s.pageToken(p.id, tok).value
		} else if tok != nil && tok.kind == "page" && tok.pageID == p.id {
			v["access_token"] = tok.value
		}
		if p.igID != "" {
			v["instagram_business_account"] = ref{"IGUser", p.igID}
			v["connected_instagram_account"] = ref{"IGUser", p.igID}
		}
		return v
	case "PagePost":
		p := s.posts[r.id]
		if p == nil {
			return nil
		}
		_, local, _ := strings.Cut(p.id, "_")
		v := map[string]any{"id": p.id, "created_time": graphTime(p.created), "updated_time": graphTime(p.created),
			"permalink_url": "https://www.facebook.com/" + p.pageID + "/posts/" + local, "is_published": true,
			"status_type": map[string]string{"status": "mobile_status_update", "photo": "added_photos", "album": "added_photos", "video": "added_video"}[p.kind],
			"from":        map[string]any{"name": s.pages[p.pageID].name, "id": p.pageID}}
		if p.message != "" {
			v["message"] = p.message
		}
		if p.shares > 0 {
			// Graph leaves shares out while a post has none.
			v["shares"] = map[string]any{"count": p.shares}
		}
		return v
	case "Photo":
		p := s.photos[r.id]
		if p == nil {
			return nil
		}
		v := map[string]any{"id": p.id, "created_time": graphTime(p.created), "link": "https://www.facebook.com/photo.php?fbid=" + p.id,
			"from": map[string]any{"name": s.pages[p.pageID].name, "id": p.pageID}}
		if p.message != "" {
			v["name"] = p.message
		}
		if p.alt != "" {
			v["alt_text_custom"] = p.alt
		}
		if p.postID != "" {
			v["page_story_id"] = p.postID
		}
		return v
	case "AdVideo":
		vd := s.videos[r.id]
		if vd == nil {
			return nil
		}
		return map[string]any{"id": vd.id, "description": vd.description, "title": vd.title, "created_time": graphTime(vd.created),
			"updated_time": graphTime(vd.created), "permalink_url": "/" + vd.pageID + "/videos/" + vd.id + "/", "published": true, "length": 12.5}
	case "IGUser":
		ig := s.igs[r.id]
		if ig == nil {
			return nil
		}
		count := 0
		for _, m := range s.media {
			if m.igID == ig.id {
				count++
			}
		}
		return map[string]any{"id": ig.id, "username": ig.username, "name": ig.name, "profile_picture_url": ig.picture,
			"followers_count": 1200, "follows_count": 80, "media_count": count, "biography": "Herald's test account"}
	case "ShadowIGMediaBuilder":
		c := s.containers[r.id]
		if c == nil {
			return nil
		}
		code, text := s.containerStatus(c, now)
		return map[string]any{"id": c.id, "status_code": code, "status": text}
	case "IGMedia":
		m := s.media[r.id]
		if m == nil {
			return nil
		}
		ig := s.igs[m.igID]
		comments := 0
		for _, c := range s.comments {
			if c.parent == m.id {
				comments++
			}
		}
		v := map[string]any{"id": m.id, "media_type": m.mediaType, "media_product_type": m.productType,
			"permalink": "https://www.instagram.com/p/" + m.shortcode + "/", "shortcode": m.shortcode,
			"timestamp": graphTime(m.ts), "like_count": m.likes, "comments_count": comments, "is_comment_enabled": true,
			"owner": ref{"IGUser", m.igID}}
		if ig != nil {
			v["username"] = ig.username
		}
		if m.caption != "" {
			v["caption"] = m.caption
		}
		return v
	case "Comment", "IGComment":
		c := s.comments[r.id]
		if c == nil {
			return nil
		}
		if r.typ == "IGComment" {
			return map[string]any{"id": c.id, "text": c.message, "timestamp": graphTime(c.created), "like_count": 0}
		}
		return map[string]any{"id": c.id, "message": c.message, "created_time": graphTime(c.created)}
	}
	return nil
}

// containerStatus is a container's status_code and status on the fake's clock.
func (s *Server) containerStatus(c *container, now time.Time) (string, string) {
	switch {
	case c.published:
		return "PUBLISHED", "Published: Media has been successfully published."
	case now.Sub(c.created) > containerTTL || c.outcome == "EXPIRED" && !now.Before(c.readyAt):
		return "EXPIRED", "Expired: The container was not published within 24 hours and has expired."
	case now.Before(c.readyAt):
		return "IN_PROGRESS", "In Progress: Media is still being processed."
	case c.outcome == "ERROR":
		return "ERROR", c.errText
	}
	return "FINISHED", "Finished: Media has been uploaded and it is ready to be published."
}

// item is one element of an edge: a node, or a literal object (insights, permissions).
type item struct {
	ref ref
	lit map[string]any
}

// renderEdge renders an edge's list: {"data":[…], "paging":{…}, "summary":{…}}.
func (s *Server) renderEdge(r ref, edge string, params map[string][]string, sel []fieldSel, tok *token, hr *http.Request) (map[string]any, *gerr) {
	one := func(name string) string {
		if v := params[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	items, summary, e := s.edgeItems(r, edge, one, tok)
	if e != nil {
		return nil, e
	}
	limit := defaultPageLimit
	if v := one("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, invalid("(#100) Param limit must be a non-negative integer")
		}
		limit = n
	}
	start := 0
	if a := one("after"); a != "" {
		n, err := decodeCursor(a)
		if err != nil {
			return nil, invalid("(#100) The after cursor is invalid")
		}
		start = n + 1
	}
	end := min(start+limit, len(items))
	if start > len(items) {
		start = len(items)
	}
	data := make([]any, 0, end-start)
	for _, it := range items[start:end] {
		if it.lit != nil {
			data = append(data, pick(it.lit, sel))
			continue
		}
		m, e := s.renderNode(it.ref, sel, tok)
		if e != nil {
			return nil, e
		}
		data = append(data, m)
	}
	out := map[string]any{"data": data}
	if summary != nil && strings.EqualFold(one("summary"), "true") {
		out["summary"] = summary
	}
	if end > start {
		paging := map[string]any{"cursors": map[string]string{"before": encodeCursor(start), "after": encodeCursor(end - 1)}}
		if end < len(items) {
			next := url.Values{}
			for k, v := range params {
				next[k] = v
			}
			next.Set("after", encodeCursor(end-1))
			next.Del("access_token")
			base := "https://graph.facebook.com/" + r.id + "/" + edge
			if hr != nil {
				base = s.URL + hr.URL.Path
			}
			paging["next"] = base + "?" + next.Encode()
		}
		out["paging"] = paging
	}
	return out, nil
}

func pick(lit map[string]any, sel []fieldSel) map[string]any {
	if sel == nil {
		return lit
	}
	out := map[string]any{}
	for _, f := range sel {
		if v, ok := lit[f.name]; ok {
			out[f.name] = v
		}
	}
	return out
}

func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("idx:" + strconv.Itoa(i)))
}

func decodeCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	n, ok := strings.CutPrefix(string(b), "idx:")
	if !ok {
		return 0, fmt.Errorf("bad cursor")
	}
	return strconv.Atoi(n)
}

// Post insights metrics the fake serves, and those Meta retired (Graph refuses them).
var (
	postMetrics = map[string]string{
		"post_media_view":              "Media views",
		"post_total_media_view_unique": "Unique media viewers",
		"post_clicks":                  "Post clicks",
		"post_reactions_by_type_total": "Reactions by type",
	}
	// igMediaRetired are the media insights metrics Meta deprecated (April 2025).
	igMediaRetired = map[string]bool{"impressions": true, "plays": true, "clips_replays_count": true,
		"ig_reels_aggregated_all_plays_count": true, "video_views": true}
)

// edgeItems lists an edge's items and its summary. get reads a parameter.
func (s *Server) edgeItems(r ref, edge string, get func(string) string, tok *token) ([]item, map[string]any, *gerr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	since, until := time.Time{}, time.Time{}
	if v := get("since"); v != "" {
		since, _ = parseDatetime(v)
	}
	if v := get("until"); v != "" {
		until, _ = parseDatetime(v)
	}
	inWindow := func(t time.Time) bool {
		return (since.IsZero() || !t.Before(since)) && (until.IsZero() || !t.After(until))
	}
	switch r.typ + "/" + edge {
	case "User/accounts":
		var ids []string
		for id := range s.pages {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return idLess(ids[i], ids[j]) })
		items := make([]item, 0, len(ids))
		for _, id := range ids {
			items = append(items, item{ref: ref{"Page", id}})
		}
		return items, nil, nil
	case "User/permissions":
		var perms []string
		for p := range tok.scopes {
			perms = append(perms, p)
		}
		sort.Strings(perms)
		items := []item{{lit: map[string]any{"permission": "public_profile", "status": "granted"}}}
		for _, p := range perms {
			items = append(items, item{lit: map[string]any{"permission": p, "status": "granted"}})
		}
		for p := range s.declined {
			if !tok.scopes[p] {
				items = append(items, item{lit: map[string]any{"permission": p, "status": "declined"}})
			}
		}
		return items, nil, nil
	case "Page/published_posts", "Page/feed":
		var items []item
		for _, p := range s.sortedPosts(r.id) {
			if inWindow(p.created) {
				items = append(items, item{ref: ref{"PagePost", p.id}})
			}
		}
		return items, nil, nil
	case "PagePost/comments", "Photo/comments", "AdVideo/comments", "IGMedia/comments":
		var cs []*comment
		for _, c := range s.comments {
			if c.parent == r.id {
				cs = append(cs, c)
			}
		}
		sort.Slice(cs, func(i, j int) bool { return idLess(cs[i].id, cs[j].id) })
		typ := "Comment"
		if r.typ == "IGMedia" {
			typ = "IGComment"
		}
		items := make([]item, 0, len(cs))
		for _, c := range cs {
			items = append(items, item{ref: ref{typ, c.id}})
		}
		return items, map[string]any{"order": "ranked", "total_count": len(cs), "can_comment": true}, nil
	case "PagePost/reactions", "AdVideo/reactions", "Photo/reactions":
		n := 0
		if p := s.posts[r.id]; p != nil {
			n = p.reactions
		}
		if v := s.videos[r.id]; v != nil {
			n = v.reactions
		}
		// The people who reacted are not simulated; the summary counts them.
		return nil, map[string]any{"total_count": n, "viewer_reaction": "NONE"}, nil
	case "PagePost/insights":
		if !tok.scopes["read_insights"] {
			return nil, nil, oauthErr(http.StatusForbidden, 200, 0, "(#200) Requires read_insights permission to perform this action")
		}
		p := s.posts[r.id]
		var items []item
		for _, m := range splitMetrics(get("metric")) {
			title, ok := postMetrics[m]
			if !ok || s.invalidMetrics[m] {
				return nil, nil, invalid("(#100) The value must be a valid insights metric")
			}
			value := 0
			switch m {
			case "post_media_view":
				value = p.views
			case "post_clicks":
				value = p.clicks
			}
			var v any = value
			if m == "post_reactions_by_type_total" {
				v = map[string]int{"like": p.reactions}
			}
			items = append(items, item{lit: map[string]any{"name": m, "period": "lifetime", "values": []any{map[string]any{"value": v}},
				"title": title, "description": "Lifetime: " + title, "id": p.id + "/insights/" + m + "/lifetime"}})
		}
		if len(items) == 0 {
			return nil, nil, oauthErr(http.StatusBadRequest, 3001, 1504028, "No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.")
		}
		return items, nil, nil
	case "IGUser/media":
		var ms []*media
		isChild := map[string]bool{}
		for _, m := range s.media {
			for _, c := range m.children {
				isChild[c] = true
			}
		}
		for _, m := range s.media {
			if m.igID == r.id && !isChild[m.id] && inWindow(m.ts) {
				ms = append(ms, m)
			}
		}
		sort.Slice(ms, func(i, j int) bool {
			if !ms[i].ts.Equal(ms[j].ts) {
				return ms[i].ts.After(ms[j].ts)
			}
			return idLess(ms[j].id, ms[i].id)
		})
		items := make([]item, 0, len(ms))
		for _, m := range ms {
			items = append(items, item{ref: ref{"IGMedia", m.id}})
		}
		return items, nil, nil
	case "IGUser/content_publishing_limit":
		now := s.now()
		from := now.Add(-quotaDuration)
		if !since.IsZero() {
			if since.Before(from) {
				return nil, nil, invalid("(#100) The since parameter must be a UNIX timestamp no older than 24 hours")
			}
			from = since
		}
		used := 0
		for _, t := range s.publishes[r.id] {
			if t.After(from) && !t.After(now) {
				used++
			}
		}
		return []item{{lit: map[string]any{"quota_usage": used,
			"config": map[string]any{"quota_total": s.quotaTotal, "quota_duration": int(quotaDuration.Seconds())}}}}, nil, nil
	case "IGMedia/insights":
		m := s.media[r.id]
		for _, other := range s.media {
			for _, c := range other.children {
				if c == r.id {
					return nil, nil, invalid("(#10) Insights are not available for media within an album")
				}
			}
		}
		var items []item
		for _, name := range splitMetrics(get("metric")) {
			if igMediaRetired[name] || s.invalidMetrics[name] {
				return nil, nil, invalid("(#100) The " + name + " metric is no longer supported for this media")
			}
			value := 0
			switch name {
			case "views":
				value = m.views
			case "reach":
				value = m.reach
			case "likes":
				value = m.likes
			case "saved":
				value = m.saved
			case "shares":
				value = m.shares
			case "comments":
				for _, c := range s.comments {
					if c.parent == m.id {
						value++
					}
				}
			case "total_interactions":
				value = m.likes + m.saved + m.shares
			}
			items = append(items, item{lit: map[string]any{"name": name, "period": "lifetime", "values": []any{map[string]any{"value": value}},
				"title": strings.ToUpper(name[:1]) + strings.ReplaceAll(name[1:], "_", " "), "description": "Lifetime " + name,
				"id": m.id + "/insights/" + name + "/lifetime"}})
		}
		return items, nil, nil
	case "IGMedia/children":
		m := s.media[r.id]
		items := make([]item, 0, len(m.children))
		for _, c := range m.children {
			items = append(items, item{ref: ref{"IGMedia", c}})
		}
		return items, nil, nil
	}
	// An edge the specs describe but the fake does not simulate: an empty list.
	return nil, nil, nil
}

func splitMetrics(v string) []string {
	v = strings.Trim(strings.TrimSpace(v), "[]")
	var out []string
	for _, m := range strings.Split(v, ",") {
		m = strings.Trim(strings.TrimSpace(m), `"`)
		if m != "" {
			out = append(out, m)
		}
	}
	return out
}
