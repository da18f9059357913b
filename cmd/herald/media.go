package main

import (
	"context"
	"errors"
	"net/url"
	"regexp"

	"github.com/heraldhq/herald/server/store"
)

// mediaPath matches the path of a file uploaded to Herald: /media/{token}.{ext}.
var mediaPath = regexp.MustCompile(`^/media/([A-Za-z0-9_-]{20,64})\.[a-z0-9]+$`)

// mediaLoader gives the scheduler an attachment's bytes: files uploaded to Herald are read from
// the database (whatever public URL they were uploaded under, and without a request to ourselves,
// which the egress rules would refuse on a private address); others are left to download.
func mediaLoader(st *store.Store, download func(context.Context, store.Media) ([]byte, error)) func(context.Context, store.Media) ([]byte, error) {
	return func(ctx context.Context, m store.Media) ([]byte, error) {
		if u, err := url.Parse(m.URL); err == nil {
			if sm := mediaPath.FindStringSubmatch(u.Path); sm != nil {
				mf, err := st.MediaByToken(ctx, sm[1])
				switch {
				case err == nil:
					return st.MediaBytes(ctx, mf)
				case !errors.Is(err, store.ErrNotFound):
					return nil, err
				}
			}
		}
		return download(ctx, m)
	}
}
