package sandbox

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// routes builds Handler. Patterns are full paths: the server mounts the handler at /sandbox/
// without stripping the prefix.
func (n *Network) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sandbox/{$}", n.serveIndex)
	mux.HandleFunc("GET /sandbox/switches", n.serveSwitches)
	mux.HandleFunc("POST /sandbox/switches", n.serveSwitchesPost)
	mux.HandleFunc("GET /sandbox/oauth/authorize", n.serveAuthorize)
	mux.HandleFunc("POST /sandbox/oauth/authorize", n.serveAuthorizeDecision)
	mux.HandleFunc("POST /sandbox/oauth/token", n.serveToken)
	mux.HandleFunc("GET /sandbox/api/me", n.serveMe)
	mux.HandleFunc("GET /sandbox/{handle}", n.serveAccount)
	mux.HandleFunc("GET /sandbox/{handle}/{id}", n.servePost)
	return mux
}

// sameOrigin is the CSRF defence of the sandbox's forms: a POST must say, in its Origin header
// (or, from a browser that sends none, its Referer), that it comes from a page on Herald's own
// public origin (Options.BaseURL). Browsers set both headers themselves and pages cannot forge
// them, so another site cannot make a visitor's browser flip switches or approve a connection.
// A request with neither header is refused: every browser that can show these pages sends one
// on a form POST, and a script (curl) can add "-H 'Origin: <BaseURL>'". The check compares with
// BaseURL, not with the request's Host, so a DNS-rebinding page cannot pass it either. The
// sandbox has no sessions to tie a form token to, which is why it checks the origin instead.
func (n *Network) sameOrigin(r *http.Request) bool {
	for _, h := range []string{"Origin", "Referer"} {
		v := r.Header.Get(h)
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		return err == nil && u.Host != "" && originOf(u) == n.origin
	}
	return false
}

// Views.

type postView struct {
	ID, Handle, Name, Path    string
	Text, FirstComment, Lang  string
	Media                     []mediaInfo
	PublishedISO, PublishedAt string
	Ago                       string
	E                         engagement
	// Part is the post's place in its thread (1 for the first post) and Parts how many the
	// thread has; both 0 for a post that is not part of a thread. NextPart is Part + 1.
	Part, Parts, NextPart int
	// RootPath links a later part to the first post of its thread.
	RootPath string
	// Thread holds the parts after this post, in order, shown under it.
	Thread []postView
}

type accountView struct {
	Handle, Name, Path string
	Posts              []postView
}

type switchView struct {
	Scope string // "" for every account
	Kind  FailureKind
	Label string
	Count int
}

type kindView struct {
	Kind               FailureKind
	Label, Description string
	Count              int
}

type pageData struct {
	Title    string
	Accounts []accountView
	Post     *postView
	Active   []switchView
	// The switches form.
	Scope string
	Kinds []kindView
	Saved bool
}

type consentData struct {
	Title       string
	Request     authRequest
	AccountName string
	RedirectTo  string
}

type errorData struct {
	Title, Message string
}

// accountsLocked returns the accounts with their posts, newest first; only handle's when set.
func (n *Network) accountsLocked(only string) []accountView {
	now := n.clock()
	children := n.repliesLocked()
	byHandle := map[string]*accountView{}
	var out []*accountView
	for _, a := range n.st.Accounts {
		if only != "" && a.Handle != only {
			continue
		}
		v := &accountView{Handle: a.Handle, Name: a.Name, Path: "/sandbox/@" + a.Handle}
		byHandle[a.Handle] = v
		out = append(out, v)
	}
	for i := len(n.st.Posts) - 1; i >= 0; i-- { // ids grow with time: newest first
		p := n.st.Posts[i]
		if p.ReplyTo != 0 {
			continue // a later part of a thread: shown under the thread's first post
		}
		if v := byHandle[p.Handle]; v != nil {
			v.Posts = append(v.Posts, n.threadViewLocked(p, now, children))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
		}
		return out[i].Handle < out[j].Handle
	})
	views := make([]accountView, len(out))
	for i, v := range out {
		views[i] = *v
	}
	return views
}

func (n *Network) postViewLocked(p *post, now time.Time) postView {
	name := "@" + p.Handle
	if a := n.st.Accounts[p.Handle]; a != nil {
		name = a.Name
	}
	id := strconv.FormatInt(p.ID, 10)
	return postView{
		ID: id, Handle: p.Handle, Name: name, Path: "/sandbox/@" + p.Handle + "/" + id,
		Text: p.Text, FirstComment: p.FirstComment, Lang: p.Language, Media: p.Media,
		PublishedISO: p.PublishedAt.Format(time.RFC3339),
		PublishedAt:  p.PublishedAt.Format("2 Jan 2006 15:04 UTC"),
		Ago:          ago(p.PublishedAt, now),
		E:            engagementOf(p, now),
	}
}

// repliesLocked maps each post's id to the posts of the same account that reply to it, oldest
// first.
func (n *Network) repliesLocked() map[int64][]*post {
	children := map[int64][]*post{}
	for _, q := range n.st.Posts { // ascending ids: oldest first
		if q.ReplyTo == 0 {
			continue
		}
		if parent := n.byID[q.ReplyTo]; parent != nil && parent.Handle == q.Handle {
			children[q.ReplyTo] = append(children[q.ReplyTo], q)
		}
	}
	return children
}

// threadViewLocked is the view of p with the parts of its thread that follow it (children is
// repliesLocked): the replies of its own account, depth first, oldest first at each step (a
// thread is one chain; a post with several replies shows them all). A later part also says
// where its thread starts.
func (n *Network) threadViewLocked(p *post, now time.Time, children map[int64][]*post) postView {
	// The first post of p's thread, and p's place in it.
	root, part := p, 1
	for seen := 0; root.ReplyTo != 0 && seen < len(n.st.Posts); seen++ {
		parent := n.byID[root.ReplyTo]
		if parent == nil {
			break
		}
		root, part = parent, part+1
	}
	var after []*post
	var walk func(id int64)
	walk = func(id int64) {
		for _, c := range children[id] {
			after = append(after, c)
			walk(c.ID)
		}
	}
	walk(p.ID)
	v := n.postViewLocked(p, now)
	if part == 1 && len(after) == 0 {
		return v
	}
	parts := part + len(after)
	v.Part, v.Parts, v.NextPart = part, parts, part+1
	if root != p {
		v.RootPath = "/sandbox/@" + root.Handle + "/" + strconv.FormatInt(root.ID, 10)
	}
	for i, c := range after {
		cv := n.postViewLocked(c, now)
		cv.Part, cv.Parts = part+i+1, parts
		v.Thread = append(v.Thread, cv)
	}
	return v
}

func (n *Network) activeLocked() []switchView {
	var out []switchView
	for scope, m := range n.switches {
		for _, k := range FailureKinds() {
			if c := m[k]; c > 0 {
				out = append(out, switchView{Scope: scope, Kind: k, Label: k.Label(), Count: c})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Scope < out[j].Scope })
	return out
}

// ago says how long ago t was, in words.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// Handlers.

func (n *Network) serveIndex(w http.ResponseWriter, _ *http.Request) {
	n.mu.Lock()
	d := pageData{Title: "Posts", Accounts: n.accountsLocked(""), Active: n.activeLocked()}
	n.mu.Unlock()
	n.render(w, http.StatusOK, indexPage, d)
}

func (n *Network) serveAccount(w http.ResponseWriter, r *http.Request) {
	h, ok := strings.CutPrefix(r.PathValue("handle"), "@")
	if !ok {
		n.renderError(w, http.StatusNotFound, "Not found", "There is no such page in the sandbox.")
		return
	}
	n.mu.Lock()
	accts := n.accountsLocked(h)
	n.mu.Unlock()
	if len(accts) == 0 {
		n.renderError(w, http.StatusNotFound, "No such account", "The sandbox has no account @"+h+".")
		return
	}
	n.render(w, http.StatusOK, accountPage, pageData{Title: accts[0].Name, Accounts: accts})
}

func (n *Network) servePost(w http.ResponseWriter, r *http.Request) {
	h, ok := strings.CutPrefix(r.PathValue("handle"), "@")
	id, idOK := parseID(r.PathValue("id"))
	if !ok || !idOK {
		n.renderError(w, http.StatusNotFound, "Not found", "There is no such page in the sandbox.")
		return
	}
	n.mu.Lock()
	var pv *postView
	if p := n.byID[id]; p != nil && p.Handle == h {
		v := n.threadViewLocked(p, n.clock(), n.repliesLocked())
		pv = &v
	}
	n.mu.Unlock()
	if pv == nil {
		n.renderError(w, http.StatusNotFound, "No such post", "The sandbox has no post "+strconv.FormatInt(id, 10)+" by @"+h+".")
		return
	}
	n.render(w, http.StatusOK, postPage, pageData{Title: "Post by " + pv.Name, Post: pv})
}

func (n *Network) serveSwitches(w http.ResponseWriter, r *http.Request) {
	scope := slugScope(r.URL.Query().Get("scope"))
	n.mu.Lock()
	d := pageData{Title: "Failure switches", Accounts: n.accountsLocked(""), Active: n.activeLocked(), Saved: r.URL.Query().Get("saved") == "1"}
	if n.st.Accounts[scope] == nil {
		scope = ""
	}
	d.Scope = scope
	for _, k := range FailureKinds() {
		d.Kinds = append(d.Kinds, kindView{Kind: k, Label: k.Label(), Description: k.Description(), Count: n.switches[scope][k]})
	}
	n.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	n.render(w, http.StatusOK, switchesPage, d)
}

// slugScope reads the scope field of the switches form: "" or a handle.
func slugScope(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return slugHandle(s)
}

func (n *Network) serveSwitchesPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		n.renderError(w, http.StatusBadRequest, "This form could not be read", err.Error())
		return
	}
	if !n.sameOrigin(r) {
		n.renderForbidden(w)
		return
	}
	f := r.PostForm
	if f.Get("action") == "clear" {
		n.ClearFailures()
		http.Redirect(w, r, "/sandbox/switches?saved=1", http.StatusSeeOther)
		return
	}
	counts := map[FailureKind]int{}
	for _, k := range FailureKinds() {
		v := strings.TrimSpace(f.Get(string(k)))
		if v == "" {
			continue
		}
		c, err := strconv.Atoi(v)
		if err != nil || c < 0 || c > 1000 {
			n.renderError(w, http.StatusBadRequest, "Check the numbers", fmt.Sprintf("%s: give a whole number from 0 to 1000.", k.Label()))
			return
		}
		counts[k] = c
	}
	scope := slugScope(f.Get("scope"))
	n.mu.Lock()
	known := scope == "" || n.st.Accounts[scope] != nil
	if known {
		for _, k := range FailureKinds() {
			n.setFailureLocked(scope, k, counts[k])
		}
	}
	n.mu.Unlock()
	if !known {
		n.renderError(w, http.StatusBadRequest, "No such account", "The sandbox has no account @"+scope+".")
		return
	}
	target := "/sandbox/switches?saved=1"
	if scope != "" {
		target += "&scope=" + url.QueryEscape(scope)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// Rendering.

// render writes a page. Pages are rendered to a buffer first so a template error becomes a
// 500, not half a page.
func (n *Network) render(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		n.log.Error("sandbox: rendering a page", "err", err)
		http.Error(w, "the sandbox could not render this page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	// No script at all; inline styles only. frame-ancestors stops the consent page from being
	// framed and clicked through (clickjacking).
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (n *Network) renderError(w http.ResponseWriter, status int, title, msg string) {
	n.render(w, status, errorPage, errorData{Title: title, Message: msg})
}

func (n *Network) renderForbidden(w http.ResponseWriter) {
	n.renderError(w, http.StatusForbidden, "Form refused",
		"The sandbox only accepts this form from its own pages at "+n.base+"/sandbox/. If you opened Herald at another address, open it at "+n.base+" (HERALD_PUBLIC_URL) and try again.")
}

// Templates. html/template escapes everything a person or Herald wrote (post text, account
// names, alt text) for the context it lands in.

var (
	indexPage    = page(indexTmpl)
	accountPage  = page(accountTmpl)
	postPage     = page(postTmpl)
	switchesPage = page(switchesTmpl)
	consentPage  = page(consentTmpl)
	errorPage    = page(errorTmpl)
)

func page(body string) *template.Template {
	return template.Must(template.Must(template.New("sandbox").Parse(layoutTmpl)).Parse(body))
}

const layoutTmpl = `{{define "layout"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}} · Sandbox — not a real network</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:0 1rem 3rem;color:#1d1d1f;background:#fff}
.banner{background:#fff4c2;border:2px solid #8a6d00;padding:.5rem .75rem;margin:1rem 0}
nav a{margin-right:1rem}
a{color:#0645ad}
.post{border:1px solid #bbb;border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem}
.posts{list-style:none;padding:0}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:1.05rem}
.handle,.meta,.stats,.hint{color:#4a4a4a}
.stats{font-size:.9rem}
.comment{border-left:3px solid #bbb;padding-left:.5rem}
.thread{list-style:none;border-left:3px solid #bbb;margin:.75rem 0 0;padding-left:1rem}
.thread li{border-top:1px dashed #bbb;padding-top:.5rem;margin-top:.5rem}
.warn{background:#fde2e1;border:2px solid #9b1c1c;padding:.5rem .75rem}
.ok{background:#e3f6e5;border:2px solid #1c6b2a;padding:.5rem .75rem}
table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}
label{font-weight:600}
input,select,button{font:inherit}
button{padding:.35rem .9rem;margin-right:.5rem}
fieldset{border:1px solid #bbb;margin:1rem 0}
</style>
</head>
<body>
<header>
<p class="banner" role="note"><strong>Sandbox — not a real network.</strong> A pretend social network built into Herald so you can try it without any account. Nothing here leaves this server, and the numbers are simulated.</p>
<nav aria-label="Sandbox"><a href="/sandbox/">Posts</a><a href="/sandbox/switches">Failure switches</a></nav>
</header>
<main>
{{template "content" .}}
</main>
</body>
</html>
{{end}}
{{define "post"}}<article class="post">
{{template "body" .}}
{{if .Thread}}<ol class="thread" start="{{.NextPart}}" aria-label="The rest of the thread">{{range .Thread}}<li>{{template "body" .}}</li>
{{end}}</ol>
{{end}}</article>{{end}}
{{define "body"}}<p class="meta"><strong>{{.Name}}</strong> <span class="handle">@{{.Handle}}</span> · <a href="{{.Path}}"><time datetime="{{.PublishedISO}}" title="{{.PublishedAt}}">{{.Ago}}</time></a>{{if .Parts}} · <span class="part">Part {{.Part}} of {{.Parts}}</span>{{if .RootPath}} of <a href="{{.RootPath}}">a thread</a>{{end}}{{end}}</p>
<p class="text"{{if .Lang}} lang="{{.Lang}}"{{end}}>{{.Text}}</p>
{{range .Media}}<p class="media">Image ({{.MIME}}, {{.Size}} bytes): {{if .AltText}}“{{.AltText}}”{{else}}no description{{end}}</p>
{{end}}{{if .FirstComment}}<p class="comment"><strong>First comment:</strong> {{.FirstComment}}</p>
{{end}}<p class="stats">{{.E.Likes}} likes · {{.E.Reposts}} reposts · {{.E.Replies}} replies · {{.E.Quotes}} quotes · {{.E.Impressions}} impressions · {{.E.Clicks}} link clicks</p>{{end}}
{{define "active"}}{{if .Active}}<p class="warn">Failure switches are on:{{range .Active}} {{.Label}} ({{.Count}} more{{if .Scope}}, @{{.Scope}} only{{end}});{{end}} <a href="/sandbox/switches">change them</a>.</p>{{end}}{{end}}
{{define "account"}}<section aria-labelledby="acct-{{.Handle}}">
<h2 id="acct-{{.Handle}}"><a href="{{.Path}}">{{.Name}}</a> <span class="handle">@{{.Handle}}</span></h2>
{{if .Posts}}<ul class="posts">{{range .Posts}}<li>{{template "post" .}}</li>{{end}}</ul>{{else}}<p>No posts yet.</p>{{end}}
</section>{{end}}`

const indexTmpl = `{{define "content"}}<h1>Sandbox posts</h1>
{{template "active" .}}
{{if not .Accounts}}<p>No accounts yet. In Herald, connect a channel on <strong>Sandbox (demo network)</strong>: the sandbox asks you to allow it, then every post Herald publishes there shows up on this page, with engagement that grows over time.</p>
{{end}}<p>Write <strong>#fail</strong> in a post to see how Herald shows a post the network refuses (in a later part of a thread, to see a thread cut short), or use the <a href="/sandbox/switches">failure switches</a> for rate limits, outages, expired tokens and timeouts.</p>
{{range .Accounts}}{{template "account" .}}
{{end}}{{end}}`

const accountTmpl = `{{define "content"}}{{range .Accounts}}<h1>{{.Name}} <span class="handle">@{{.Handle}}</span></h1>
{{if .Posts}}<ul class="posts">{{range .Posts}}<li>{{template "post" .}}</li>{{end}}</ul>{{else}}<p>No posts yet.</p>{{end}}
{{end}}<p><a href="/sandbox/">All sandbox posts</a></p>{{end}}`

const postTmpl = `{{define "content"}}<h1>Post by {{.Post.Name}}</h1>
{{template "post" .Post}}
<p><a href="/sandbox/@{{.Post.Handle}}">More from @{{.Post.Handle}}</a> · <a href="/sandbox/">All sandbox posts</a></p>{{end}}`

const switchesTmpl = `{{define "content"}}<h1>Failure switches</h1>
<p>Make the next posts fail the way real networks fail, to see how Herald copes. Each number is how many of the next posts are affected; 0 turns a switch off. Switches for one account are used before those for every account, and one post meets at most one failure; each part of a thread counts as a post. Switches are forgotten when Herald restarts.</p>
{{if .Saved}}<p class="ok" role="status">Saved.</p>{{end}}
<h2>Now</h2>
{{if .Active}}<table>
<thead><tr><th scope="col">Applies to</th><th scope="col">Failure</th><th scope="col">Next posts affected</th></tr></thead>
<tbody>{{range .Active}}<tr><td>{{if .Scope}}@{{.Scope}}{{else}}every account{{end}}</td><td>{{.Label}}</td><td>{{.Count}}</td></tr>{{end}}</tbody>
</table>{{else}}<p>All switches are off.</p>{{end}}
<h2>Change</h2>
<form method="post" action="/sandbox/switches">
<p><label for="scope">Apply to</label>
<select id="scope" name="scope"><option value="">every account</option>{{range .Accounts}}<option value="{{.Handle}}"{{if eq .Handle $.Scope}} selected{{end}}>@{{.Handle}}</option>{{end}}</select></p>
<fieldset><legend>Next posts affected</legend>
{{range .Kinds}}<p><label for="k-{{.Kind}}">{{.Label}}</label>
<input id="k-{{.Kind}}" name="{{.Kind}}" type="number" inputmode="numeric" min="0" max="1000" value="{{.Count}}" aria-describedby="d-{{.Kind}}">
<br><span id="d-{{.Kind}}" class="hint">{{.Description}}</span></p>
{{end}}</fieldset>
<p><button type="submit" name="action" value="set">Save</button><button type="submit" name="action" value="clear">Turn every switch off</button></p>
</form>
<p>Without any switch, a post containing <strong>#fail</strong> is always refused.</p>{{end}}`

const consentTmpl = `{{define "content"}}<h1>Connect Herald to the Sandbox</h1>
<p><strong>Sandbox — a pretend network for trying Herald.</strong> No real account is created and nothing is posted anywhere else. Herald asks to publish posts and read their engagement on your behalf.</p>
<form method="post" action="/sandbox/oauth/authorize">
<input type="hidden" name="client_id" value="{{.Request.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.Request.RedirectURI}}">
<input type="hidden" name="response_type" value="{{.Request.ResponseType}}">
<input type="hidden" name="state" value="{{.Request.State}}">
<input type="hidden" name="code_challenge" value="{{.Request.Challenge}}">
<input type="hidden" name="code_challenge_method" value="{{.Request.Method}}">
<input type="hidden" name="scope" value="{{.Request.Scope}}">
<p><label for="account_name">Connect as:</label><br>
<input id="account_name" name="account_name" value="{{.AccountName}}" maxlength="80" size="32" autocomplete="off" aria-describedby="account_hint">
<br><span id="account_hint" class="hint">The name of your pretend account. The same name connects the same account again.</span></p>
<p><button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button></p>
</form>
<p class="hint">You will be sent back to Herald at {{.RedirectTo}}.</p>{{end}}`

const errorTmpl = `{{define "content"}}<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="/sandbox/">Sandbox posts</a></p>{{end}}`
