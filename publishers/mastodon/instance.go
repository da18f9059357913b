package mastodon

import (
	"context"
	"errors"
	"net/http"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// instanceInfo is the part of GET /api/v2/instance that bears on content rules.
type instanceInfo struct {
	Configuration struct {
		Statuses struct {
			MaxCharacters       int `json:"max_characters"`
			MaxMediaAttachments int `json:"max_media_attachments"`
		} `json:"statuses"`
		MediaAttachments struct {
			ImageSizeLimit int64 `json:"image_size_limit"`
			VideoSizeLimit int64 `json:"video_size_limit"`
		} `json:"media_attachments"`
	} `json:"configuration"`
}

// InstanceRules returns Mastodon's content rules adapted to one instance's configuration
// (GET /api/v2/instance, public): its character limit, attachment count and sizes. Figures the
// instance does not give keep Mastodon's defaults, and so does an instance older than 4.0,
// which has no v2 instance endpoint.
func (c *Client) InstanceRules(ctx context.Context, instance string) (content.Rules, error) {
	rules, _ := content.ForNetwork(Name)
	inst, err := normalizeInstance(instance)
	if err != nil {
		return rules, err
	}
	var info instanceInfo
	if _, err := c.getJSON(ctx, session{instance: inst}, "/api/v2/instance", nil, &info); err != nil {
		var pe *publishers.Error
		if errors.As(err, &pe) && pe.Status == http.StatusNotFound {
			return rules, nil
		}
		return rules, err
	}
	cfg := info.Configuration
	if n := cfg.Statuses.MaxCharacters; n > 0 {
		// The first comment is a status too.
		rules.MaxLength, rules.MaxFirstComment = n, n
	}
	if n := cfg.Statuses.MaxMediaAttachments; n > 0 {
		rules.MaxMedia = n
	}
	if n := cfg.MediaAttachments.ImageSizeLimit; n > 0 {
		rules.MaxImageBytes, rules.MaxGIFBytes = n, n
	}
	if n := cfg.MediaAttachments.VideoSizeLimit; n > 0 {
		rules.MaxVideoBytes = n
	}
	return rules, nil
}
