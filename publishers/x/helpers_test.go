package x

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/x/xtest"
)

// testApp is the fake's confidential client.
var testApp = publishers.AppCredentials{ClientID: xtest.DefaultClientID, ClientSecret: xtest.DefaultClientSecret}

// testClient returns a client for the fake with short timeouts, polls and chunks.
func testClient(t *testing.T, srv *xtest.Server, mod ...func(*Options)) *Client {
	t.Helper()
	opts := Options{
		App:              testApp,
		APIBaseURL:       srv.URL,
		AuthBaseURL:      srv.URL,
		UploadBaseURL:    srv.URL,
		HTTPClient:       &http.Client{Timeout: 5 * time.Second},
		MediaPollMax:     2 * time.Millisecond,
		MediaPollTimeout: 2 * time.Second,
		Logger:           slog.New(slog.DiscardHandler),
	}
	for _, m := range mod {
		m(&opts)
	}
	return New(opts)
}

// credsFor are a connected channel's credentials on the fake, as CompleteOAuth stores them.
func credsFor(srv *xtest.Server, tok xtest.IssuedToken) *publishers.Credentials {
	return &publishers.Credentials{
		AccessToken:  tok.Access,
		RefreshToken: tok.Refresh,
		Expiry:       tok.Expiry,
		Extra:        map[string]string{ExtraUserID: srv.UserID(), ExtraUsername: srv.Username()},
	}
}

// newCreds issues a fresh token on the fake and returns its credentials.
func newCreds(srv *xtest.Server) *publishers.Credentials { return credsFor(srv, srv.NewToken("")) }

// pngSignature starts every PNG file, so sniffing finds image/png.
const pngSignature = "\x89PNG\r\n\x1a\n"

func media(kind content.MediaKind, mime string, size int, alt string) publishers.Media {
	data := []byte(strings.Repeat("\x00", size))
	copy(data, pngSignature)
	return publishers.Media{
		Kind: kind, MIME: mime, AltText: alt, Size: int64(size),
		Open: func(context.Context) ([]byte, error) { return data, nil },
	}
}

func image(size int, alt string) publishers.Media {
	return media(content.KindImage, "image/png", size, alt)
}

func video(size int) publishers.Media { return media(content.KindVideo, "video/mp4", size, "") }
