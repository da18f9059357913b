package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/heraldhq/herald/server/store"
)

// mediaPath matches the path of a file uploaded to Herald: /media/{token}.{ext}.
var mediaPath = regexp.MustCompile(`^/media/([A-Za-z0-9_-]{20,64})\.[a-z0-9]+$`)

// mediaLoader gives the scheduler an attachment's bytes: files uploaded to Herald are read from
// the database (whatever public URL they were uploaded under, and without a request to ourselves),
// others are downloaded, at most 100 MB.
func mediaLoader(st *store.Store) func(context.Context, store.Media) ([]byte, error) {
	client := &http.Client{Timeout: 60 * time.Second}
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
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("media %s: HTTP %d", m.URL, resp.StatusCode)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 100<<20))
	}
}
