package server

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/server/store"
)

// Templates, snippets and hashtag groups: a workspace's library for composing. Authors add to
// it; an author may change or remove what they added, editors and above anything.

// Variables in template and post text are written {{name}}: a letter then letters, digits and
// underscores, up to 40, with optional spaces inside the braces. {{snippet:code}} inserts a
// snippet. The composer fills variables client-side with the same rule, or calls POST …/compose.
var variableRE = regexp.MustCompile(`\{\{\s*([A-Za-z][A-Za-z0-9_]{0,39})\s*\}\}`)
var snippetRefRE = regexp.MustCompile(`\{\{\s*snippet:([a-z0-9][a-z0-9_-]{0,31})\s*\}\}`)
var snippetCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// variablesIn lists the distinct variable names of text, in order of appearance.
func variablesIn(text string) []string {
	out := []string{}
	for _, m := range variableRE.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// Limits of the library.
const (
	maxLibraryName  = 200
	maxLibraryBody  = 20_000
	maxVariants     = 20
	maxGroupTags    = 60
	maxVariableText = 2_000
)

// mayChange reports whether the caller may change or remove an item created by createdBy.
func mayChange(c *gin.Context, createdBy int64) error {
	if roleOf(c).CanReview() || callerOf(c).User.ID == createdBy {
		return nil
	}
	return forbidden("Authors may only change what they added to the library; editors and above may change anything.")
}

type templateRequest struct {
	Name     *string            `json:"name"`
	Text     *string            `json:"text"`
	Variants *map[string]string `json:"variants"`
	Labels   *[]string          `json:"labels"`
}

func (r *templateRequest) apply(f fields, t *store.Template, creating bool) {
	if r.Name != nil {
		n := strings.TrimSpace(*r.Name)
		if err := checkName("name", n, maxLibraryName, true); err != nil {
			f.add("name", err.(*APIError).Fields["name"])
		}
		t.Name = n
	} else if creating {
		f.add("name", "is required")
	}
	if r.Text != nil {
		checkText(f, "text", *r.Text, maxLibraryBody)
		t.Body = *r.Text
	} else if creating {
		f.add("text", "is required")
	}
	if r.Variants != nil {
		if len(*r.Variants) > maxVariants {
			f.add("variants", fmt.Sprintf("at most %d variants", maxVariants))
		}
		for nw, text := range *r.Variants {
			if _, ok := content.ForNetwork(nw); !ok {
				f.add("variants."+truncate(nw, 40), "is not a network name")
				continue
			}
			checkText(f, "variants."+nw, text, maxLibraryBody)
		}
		t.Variants = *r.Variants
	}
	if r.Labels != nil {
		if len(*r.Labels) > maxLabels {
			f.add("labels", fmt.Sprintf("at most %d labels", maxLabels))
		}
		var ls []string
		for i, l := range *r.Labels {
			l = strings.TrimSpace(l)
			if l == "" || !validLabel(l) {
				f.add(fmt.Sprintf("labels[%d]", i), fmt.Sprintf("must be 1 to %d characters of text", maxLabel))
			}
			ls = append(ls, l)
		}
		t.Labels = ls
	}
	if t.Variants == nil {
		t.Variants = map[string]string{}
	}
	if t.Labels == nil {
		t.Labels = []string{}
	}
}

func (s *Server) listTemplates(c *gin.Context) {
	ts, err := s.store.Templates(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[templateView]{Items: []templateView{}}
	for i := range ts {
		out.Items = append(out.Items, viewTemplate(&ts[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getTemplate(c *gin.Context) {
	id, err := idParam(c, "tplid")
	if err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.store.TemplateByID(c.Request.Context(), workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewTemplate(t))
}

func (s *Server) createTemplate(c *gin.Context) {
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	t := &store.Template{WorkspaceID: workspaceID(c), CreatedBy: callerOf(c).User.ID}
	f := fields{}
	req.apply(f, t, true)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.SaveTemplate(c.Request.Context(), t, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewTemplate(t))
}

func (s *Server) updateTemplate(c *gin.Context) {
	id, err := idParam(c, "tplid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t, err := s.store.TemplateByID(ctx, workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := mayChange(c, t.CreatedBy); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.apply(f, t, false)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.SaveTemplate(ctx, t, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewTemplate(t))
}

// deleteLibraryItem removes a template, snippet or hashtag group after checking who added it.
func (s *Server) deleteLibraryItem(param, entity string, load func(ctx context.Context, ws, id int64) (int64, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := idParam(c, param)
		if err != nil {
			s.fail(c, err)
			return
		}
		ctx := c.Request.Context()
		createdBy, err := load(ctx, workspaceID(c), id)
		if err != nil {
			s.fail(c, err)
			return
		}
		if err := mayChange(c, createdBy); err != nil {
			s.fail(c, err)
			return
		}
		if err := s.store.DeleteLibraryItem(ctx, workspaceID(c), id, entity, callerOf(c).actor()); err != nil {
			s.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

func (s *Server) deleteTemplate() gin.HandlerFunc {
	return s.deleteLibraryItem("tplid", "template", func(ctx context.Context, ws, id int64) (int64, error) {
		t, err := s.store.TemplateByID(ctx, ws, id)
		if err != nil {
			return 0, err
		}
		return t.CreatedBy, nil
	})
}

type snippetRequest struct {
	Code *string `json:"code"`
	Text *string `json:"text"`
}

func (r *snippetRequest) apply(f fields, sn *store.Snippet, creating bool) {
	if r.Code != nil {
		code := strings.TrimSpace(*r.Code)
		if !snippetCodeRE.MatchString(code) {
			f.add("code", "must be 1 to 32 lowercase letters, digits, - or _, starting with a letter or digit")
		}
		sn.Code = code
	} else if creating {
		f.add("code", "is required")
	}
	if r.Text != nil {
		checkText(f, "text", *r.Text, maxLibraryBody)
		if strings.TrimSpace(*r.Text) == "" {
			f.add("text", "is required")
		}
		sn.Body = *r.Text
	} else if creating {
		f.add("text", "is required")
	}
}

func (s *Server) listSnippets(c *gin.Context) {
	ss, err := s.store.Snippets(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[snippetView]{Items: []snippetView{}}
	for i := range ss {
		out.Items = append(out.Items, viewSnippet(&ss[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getSnippet(c *gin.Context) {
	id, err := idParam(c, "snid")
	if err != nil {
		s.fail(c, err)
		return
	}
	sn, err := s.store.SnippetByID(c.Request.Context(), workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewSnippet(sn))
}

func (s *Server) saveSnippet(c *gin.Context, sn *store.Snippet, status int) {
	if err := s.store.SaveSnippet(c.Request.Context(), sn, callerOf(c).actor()); err != nil {
		if err == store.ErrDuplicate {
			s.fail(c, &APIError{Status: http.StatusConflict, Code: "already_exists", Message: "Another snippet already uses this code.",
				Fields: map[string]string{"code": "is already used"}})
			return
		}
		s.fail(c, err)
		return
	}
	c.JSON(status, viewSnippet(sn))
}

func (s *Server) createSnippet(c *gin.Context) {
	var req snippetRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	sn := &store.Snippet{WorkspaceID: workspaceID(c), CreatedBy: callerOf(c).User.ID}
	f := fields{}
	req.apply(f, sn, true)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	s.saveSnippet(c, sn, http.StatusCreated)
}

func (s *Server) updateSnippet(c *gin.Context) {
	id, err := idParam(c, "snid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req snippetRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	sn, err := s.store.SnippetByID(c.Request.Context(), workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := mayChange(c, sn.CreatedBy); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.apply(f, sn, false)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	s.saveSnippet(c, sn, http.StatusOK)
}

func (s *Server) deleteSnippet() gin.HandlerFunc {
	return s.deleteLibraryItem("snid", "snippet", func(ctx context.Context, ws, id int64) (int64, error) {
		sn, err := s.store.SnippetByID(ctx, ws, id)
		if err != nil {
			return 0, err
		}
		return sn.CreatedBy, nil
	})
}

type hashtagGroupRequest struct {
	Name *string   `json:"name"`
	Tags *[]string `json:"tags"`
}

func (r *hashtagGroupRequest) apply(f fields, g *store.HashtagGroup, creating bool) {
	if r.Name != nil {
		n := strings.TrimSpace(*r.Name)
		if err := checkName("name", n, 100, true); err != nil {
			f.add("name", err.(*APIError).Fields["name"])
		}
		g.Name = n
	} else if creating {
		f.add("name", "is required")
	}
	if r.Tags != nil {
		if len(*r.Tags) == 0 || len(*r.Tags) > maxGroupTags {
			f.add("tags", fmt.Sprintf("list 1 to %d hashtags", maxGroupTags))
		}
		tags := []string{}
		for i, tag := range *r.Tags {
			tag = strings.TrimSpace(tag)
			if !strings.HasPrefix(tag, "#") {
				tag = "#" + tag
			}
			if es := content.Hashtags(tag); len(es) != 1 || es[0].Text != tag || len(tag) > 140 {
				f.add(fmt.Sprintf("tags[%d]", i), "must be one hashtag such as #Herald")
				continue
			}
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		g.Tags = tags
	} else if creating {
		f.add("tags", "list 1 to 60 hashtags")
	}
}

func (s *Server) listHashtagGroups(c *gin.Context) {
	gs, err := s.store.HashtagGroups(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[hashtagGroupView]{Items: []hashtagGroupView{}}
	for i := range gs {
		out.Items = append(out.Items, viewHashtagGroup(&gs[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getHashtagGroup(c *gin.Context) {
	id, err := idParam(c, "hgid")
	if err != nil {
		s.fail(c, err)
		return
	}
	g, err := s.store.HashtagGroupByID(c.Request.Context(), workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewHashtagGroup(g))
}

func (s *Server) saveHashtagGroup(c *gin.Context, g *store.HashtagGroup, status int) {
	if err := s.store.SaveHashtagGroup(c.Request.Context(), g, callerOf(c).actor()); err != nil {
		if err == store.ErrDuplicate {
			s.fail(c, &APIError{Status: http.StatusConflict, Code: "already_exists", Message: "Another hashtag group already has this name.",
				Fields: map[string]string{"name": "is already used"}})
			return
		}
		s.fail(c, err)
		return
	}
	c.JSON(status, viewHashtagGroup(g))
}

func (s *Server) createHashtagGroup(c *gin.Context) {
	var req hashtagGroupRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	g := &store.HashtagGroup{WorkspaceID: workspaceID(c), CreatedBy: callerOf(c).User.ID}
	f := fields{}
	req.apply(f, g, true)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	s.saveHashtagGroup(c, g, http.StatusCreated)
}

func (s *Server) updateHashtagGroup(c *gin.Context) {
	id, err := idParam(c, "hgid")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req hashtagGroupRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	g, err := s.store.HashtagGroupByID(c.Request.Context(), workspaceID(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := mayChange(c, g.CreatedBy); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	req.apply(f, g, false)
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	s.saveHashtagGroup(c, g, http.StatusOK)
}

func (s *Server) deleteHashtagGroup() gin.HandlerFunc {
	return s.deleteLibraryItem("hgid", "hashtag_group", func(ctx context.Context, ws, id int64) (int64, error) {
		g, err := s.store.HashtagGroupByID(ctx, ws, id)
		if err != nil {
			return 0, err
		}
		return g.CreatedBy, nil
	})
}

type composeRequest struct {
	// Text to fill, or TemplateID to start from a template (its variant for Network, if any).
	Text       *string           `json:"text"`
	TemplateID *int64            `json:"template_id"`
	Network    string            `json:"network"`
	Variables  map[string]string `json:"variables"`
}

// compose fills a text's {{variables}} and {{snippet:code}} references: the composer's
// "insert template" in one call. Variables without a value stay as written and are listed in
// missing, so the author sees what is left to fill.
func (s *Server) compose(c *gin.Context) {
	var req composeRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	switch {
	case req.Text != nil && req.TemplateID != nil:
		f.add("text", "send text or template_id, not both")
	case req.Text == nil && req.TemplateID == nil:
		f.add("text", "send text or template_id")
	case req.Text != nil:
		checkText(f, "text", *req.Text, maxLibraryBody)
	case *req.TemplateID <= 0:
		f.add("template_id", "must be a template id")
	}
	if req.Network != "" {
		if _, ok := content.ForNetwork(req.Network); !ok {
			f.add("network", "is not a network name")
		}
	}
	if len(req.Variables) > 100 {
		f.add("variables", "at most 100 variables")
	}
	for k, v := range req.Variables {
		if !variableRE.MatchString("{{" + k + "}}") {
			f.add("variables."+truncate(k, 40), "a variable name is a letter then letters, digits or _ (at most 40)")
			continue
		}
		checkText(f, "variables."+k, v, maxVariableText)
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	text := ""
	var labels []string
	if req.TemplateID != nil {
		t, err := s.store.TemplateByID(ctx, workspaceID(c), *req.TemplateID)
		if err != nil {
			if err == store.ErrNotFound {
				s.fail(c, fieldErr(map[string]string{"template_id": "no such template in this workspace"}))
				return
			}
			s.fail(c, err)
			return
		}
		text, labels = t.Body, t.Labels
		if v, ok := t.Variants[req.Network]; ok && req.Network != "" {
			text = v
		}
	} else {
		text = *req.Text
	}
	snippets, err := s.store.Snippets(ctx, workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	var unknownSnippets []string
	text = snippetRefRE.ReplaceAllStringFunc(text, func(m string) string {
		code := snippetRefRE.FindStringSubmatch(m)[1]
		for _, sn := range snippets {
			if sn.Code == code {
				return sn.Body
			}
		}
		if !slices.Contains(unknownSnippets, code) {
			unknownSnippets = append(unknownSnippets, code)
		}
		return m
	})
	missing := []string{}
	used := variablesIn(text)
	text = variableRE.ReplaceAllStringFunc(text, func(m string) string {
		name := variableRE.FindStringSubmatch(m)[1]
		if v, ok := req.Variables[name]; ok {
			return v
		}
		if !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		return m
	})
	if labels == nil {
		labels = []string{}
	}
	c.JSON(http.StatusOK, composeResponse{Text: text, Variables: used, Missing: missing, UnknownSnippets: nonNil(unknownSnippets), Labels: labels})
}
