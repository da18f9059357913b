package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/store/storetest"
)

// Uploads are read from the database whatever host their URL names; anything else is downloaded.
func TestMediaLoader(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite, nil)
	data := bytes.Repeat([]byte("herald"), 300_000) // two chunks
	m := &store.MediaFile{WorkspaceID: 1, Token: "abcdefghijklmnopqrstuvwxyz012345", Kind: "video", MIME: "video/mp4", CreatedBy: 1}
	if err := st.CreateMedia(ctx, m, bytes.NewReader(data), 10<<20, store.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}
	downloaded := 0
	load := mediaLoader(st, func(context.Context, store.Media) ([]byte, error) {
		downloaded++
		return nil, errors.New("downloaded")
	})
	got, err := load(ctx, store.Media{URL: "https://old-name.example/media/" + m.Token + ".mp4"})
	if err != nil || !bytes.Equal(got, data) || downloaded != 0 {
		t.Fatalf("an upload: %v, %d bytes, %d downloads", err, len(got), downloaded)
	}
	for _, u := range []string{"https://cdn.example/media/" + "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" + ".mp4", "https://cdn.example/photo.jpg"} {
		if _, err := load(ctx, store.Media{URL: u}); err == nil || err.Error() != "downloaded" {
			t.Errorf("%s was not left to download: %v", u, err)
		}
	}
}
