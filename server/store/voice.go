package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/heraldhq/herald/server/workflow"
)

// VoiceProfileOf returns a workspace's voice profile row; ErrNotFound when it has none yet.
func (s *Store) VoiceProfileOf(ctx context.Context, workspaceID int64) (*VoiceProfile, error) {
	var vp VoiceProfile
	err := s.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Take(&vp).Error
	return &vp, translate(err)
}

// openStatuses are the statuses whose posts' voice scores follow the current profile. Published
// and failed posts keep the score they went out with.
var openStatuses = []string{string(workflow.Draft), string(workflow.InReview), string(workflow.ChangesRequested),
	string(workflow.Approved), string(workflow.Scheduled)}

// SetVoiceProfile stores the JSON of a workspace's voice profile. version is the version the
// writer loaded (0: the workspace had none), and must still be the stored one (a ConflictError
// otherwise), so two editors saving at once do not silently overwrite each other; a negative
// version skips the check. The voice scores of posts not yet published are cleared, to be
// recomputed against the new profile.
func (s *Store) SetVoiceProfile(ctx context.Context, workspaceID int64, profile string, version int, a Actor) (*VoiceProfile, error) {
	var out VoiceProfile
	err := s.tx(ctx, func(db *gorm.DB) error {
		var cur VoiceProfile
		err := s.lockForUpdate(db).Where("workspace_id = ?", workspaceID).Take(&cur).Error
		now := s.now()
		switch {
		case translate(err) == ErrNotFound:
			if version > 0 {
				return &ConflictError{Given: version, Current: 0}
			}
			out = VoiceProfile{WorkspaceID: workspaceID, Profile: profile, Version: 1, UpdatedBy: a.id(), CreatedAt: now, UpdatedAt: now}
			if err := db.Create(&out).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if version >= 0 && version != cur.Version {
				return &ConflictError{Given: version, Current: cur.Version}
			}
			out = cur
			out.Profile, out.Version, out.UpdatedBy, out.UpdatedAt = profile, cur.Version+1, a.id(), now
			if err := db.Model(&VoiceProfile{}).Where("workspace_id = ? AND version = ?", workspaceID, cur.Version).
				Updates(map[string]any{"profile": profile, "version": out.Version, "updated_by": a.id(), "updated_at": now}).Error; err != nil {
				return err
			}
		}
		if err := db.Model(&Post{}).Where("workspace_id = ? AND status IN ? AND voice_score IS NOT NULL", workspaceID, openStatuses).
			Update("voice_score", nil).Error; err != nil {
			return err
		}
		return s.audit(db, workspaceID, a, "voice.profile_changed", "workspace", workspaceID, fmt.Sprintf("voice profile version %d", out.Version))
	})
	return &out, err
}

// VoiceScore is a post revision's voice score, for SetVoiceScores.
type VoiceScore struct {
	PostID   int64
	Revision int
	Score    int
}

// SetVoiceScores records the voice scores of post revisions, a few hundred per statement (a
// calendar after a profile change scores a month of posts at once). A post edited since keeps no
// score: the edit cleared it, and its own save computes the next one.
func (s *Store) SetVoiceScores(ctx context.Context, workspaceID int64, scores []VoiceScore) error {
	const batch = 300
	for len(scores) > 0 {
		n := min(batch, len(scores))
		part := scores[:n]
		scores = scores[n:]
		var sb strings.Builder
		args := make([]any, 0, 3*n+n+1)
		ids := make([]int64, n)
		sb.WriteString("CASE")
		for i, sc := range part {
			sb.WriteString(" WHEN id = ? AND revision = ? THEN ?")
			args = append(args, sc.PostID, sc.Revision, sc.Score)
			ids[i] = sc.PostID
		}
		sb.WriteString(" ELSE voice_score END")
		err := s.db.WithContext(ctx).Model(&Post{}).Where("workspace_id = ? AND id IN ?", workspaceID, ids).
			UpdateColumn("voice_score", gorm.Expr(sb.String(), args...)).Error
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// Templates lists a workspace's templates by name.
func (s *Store) Templates(ctx context.Context, workspaceID int64) ([]Template, error) {
	var out []Template
	err := s.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Order("name, id").Limit(1000).Find(&out).Error
	return out, translate(err)
}

// TemplateByID loads one template of a workspace.
func (s *Store) TemplateByID(ctx context.Context, workspaceID, id int64) (*Template, error) {
	var t Template
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&t).Error
	return &t, translate(err)
}

// SaveTemplate creates (ID 0) or updates a template and audits it.
func (s *Store) SaveTemplate(ctx context.Context, t *Template, a Actor) error {
	return s.saveLibraryItem(ctx, t.WorkspaceID, &t.ID, "template", t.Name, a, func(db *gorm.DB, create bool) error {
		if create {
			return db.Create(t).Error
		}
		t.UpdatedAt = s.now()
		return db.Model(&Template{}).Where("workspace_id = ? AND id = ?", t.WorkspaceID, t.ID).Updates(map[string]any{
			"name": t.Name, "body": t.Body, "variants": mustJSON(t.Variants), "labels": mustJSON(t.Labels), "updated_at": t.UpdatedAt,
		}).Error
	})
}

// Snippets lists a workspace's snippets by code.
func (s *Store) Snippets(ctx context.Context, workspaceID int64) ([]Snippet, error) {
	var out []Snippet
	err := s.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Order("code").Limit(1000).Find(&out).Error
	return out, translate(err)
}

// SnippetByID loads one snippet of a workspace.
func (s *Store) SnippetByID(ctx context.Context, workspaceID, id int64) (*Snippet, error) {
	var sn Snippet
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&sn).Error
	return &sn, translate(err)
}

// SaveSnippet creates (ID 0) or updates a snippet; a code already used is ErrDuplicate.
func (s *Store) SaveSnippet(ctx context.Context, sn *Snippet, a Actor) error {
	return s.saveLibraryItem(ctx, sn.WorkspaceID, &sn.ID, "snippet", sn.Code, a, func(db *gorm.DB, create bool) error {
		if create {
			return db.Create(sn).Error
		}
		sn.UpdatedAt = s.now()
		return db.Model(&Snippet{}).Where("workspace_id = ? AND id = ?", sn.WorkspaceID, sn.ID).
			Updates(map[string]any{"code": sn.Code, "body": sn.Body, "updated_at": sn.UpdatedAt}).Error
	})
}

// HashtagGroups lists a workspace's hashtag groups by name.
func (s *Store) HashtagGroups(ctx context.Context, workspaceID int64) ([]HashtagGroup, error) {
	var out []HashtagGroup
	err := s.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Order("name, id").Limit(1000).Find(&out).Error
	return out, translate(err)
}

// HashtagGroupByID loads one hashtag group of a workspace.
func (s *Store) HashtagGroupByID(ctx context.Context, workspaceID, id int64) (*HashtagGroup, error) {
	var g HashtagGroup
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&g).Error
	return &g, translate(err)
}

// SaveHashtagGroup creates (ID 0) or updates a hashtag group; a name already used is ErrDuplicate.
func (s *Store) SaveHashtagGroup(ctx context.Context, g *HashtagGroup, a Actor) error {
	return s.saveLibraryItem(ctx, g.WorkspaceID, &g.ID, "hashtag_group", g.Name, a, func(db *gorm.DB, create bool) error {
		if create {
			return db.Create(g).Error
		}
		g.UpdatedAt = s.now()
		return db.Model(&HashtagGroup{}).Where("workspace_id = ? AND id = ?", g.WorkspaceID, g.ID).
			Updates(map[string]any{"name": g.Name, "tags": mustJSON(g.Tags), "updated_at": g.UpdatedAt}).Error
	})
}

// saveLibraryItem runs a create or update of a template, snippet or hashtag group and audits it.
func (s *Store) saveLibraryItem(ctx context.Context, ws int64, id *int64, entity, name string, a Actor, write func(db *gorm.DB, create bool) error) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		create := *id == 0
		if err := write(db, create); err != nil {
			return err
		}
		verb := ".updated"
		if create {
			verb = ".created"
		}
		return s.audit(db, ws, a, entity+verb, entity, *id, name)
	})
}

// DeleteLibraryItem removes a template, snippet or hashtag group (entity "template", "snippet",
// "hashtag_group") of a workspace, and audits it.
func (s *Store) DeleteLibraryItem(ctx context.Context, workspaceID, id int64, entity string, a Actor) error {
	var model any
	switch entity {
	case "template":
		model = &Template{}
	case "snippet":
		model = &Snippet{}
	case "hashtag_group":
		model = &HashtagGroup{}
	default:
		return fmt.Errorf("unknown library entity %q", entity)
	}
	return s.tx(ctx, func(db *gorm.DB) error {
		res := db.Where("workspace_id = ? AND id = ?", workspaceID, id).Delete(model)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return s.audit(db, workspaceID, a, entity+".deleted", entity, id, "")
	})
}

// Acknowledge stores acknowledgements of voice warnings on a post's revision, which must be the
// post's current one (a ConflictError otherwise: the warnings were about another text). An
// acknowledgement of the same finding again replaces its note.
func (s *Store) Acknowledge(ctx context.Context, workspaceID, postID int64, revision int, acks []VoiceAcknowledgement, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var p Post
		if err := db.Select("id", "revision").Where("workspace_id = ? AND id = ?", workspaceID, postID).Take(&p).Error; err != nil {
			return err
		}
		if p.Revision != revision {
			return &ConflictError{Given: revision, Current: p.Revision}
		}
		now := s.now()
		for i := range acks {
			ak := &acks[i]
			ak.ID, ak.WorkspaceID, ak.PostID, ak.Revision, ak.UserID, ak.CreatedAt = 0, workspaceID, postID, revision, a.UserID, now
			ak.Excerpt, ak.Note = truncate(ak.Excerpt, 500), truncate(ak.Note, 2000)
			if err := db.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "post_id"}, {Name: "revision"}, {Name: "finding_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"note", "user_id", "created_at", "rule", "excerpt"}),
			}).Create(ak).Error; err != nil {
				return err
			}
		}
		return s.audit(db, workspaceID, a, "voice.acknowledged", "post", postID, fmt.Sprintf("%d voice warning(s) acknowledged on revision %d", len(acks), revision))
	})
}

// Acknowledgements lists the acknowledgements of a post's revision.
func (s *Store) Acknowledgements(ctx context.Context, workspaceID, postID int64, revision int) ([]VoiceAcknowledgement, error) {
	var out []VoiceAcknowledgement
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND post_id = ? AND revision = ?", workspaceID, postID, revision).Order("id").Find(&out).Error
	return out, translate(err)
}
