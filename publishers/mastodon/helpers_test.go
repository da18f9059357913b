package mastodon

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

// testClient returns a client for the fake with short timeouts and polls.
func testClient(t *testing.T, mod ...func(*Options)) *Client {
	t.Helper()
	opts := Options{
		HTTPClient:        &http.Client{Timeout: 5 * time.Second},
		MediaPollInterval: 2 * time.Millisecond,
		MediaPollTimeout:  2 * time.Second,
	}
	for _, m := range mod {
		m(&opts)
	}
	return New(opts)
}

// credsFor are a connected channel's credentials on the fake, as CompleteOAuth stores them.
func credsFor(srv *mastodontest.Server, token string) *publishers.Credentials {
	return &publishers.Credentials{
		AccessToken: token,
		Extra: map[string]string{
			ExtraInstance:     srv.URL,
			ExtraClientID:     "client-id",
			ExtraClientSecret: "client-secret",
			ExtraAccountID:    srv.AccountID(),
		},
	}
}

func image(data, alt string) publishers.Media {
	return publishers.Media{
		Kind: content.KindImage, MIME: "image/png", AltText: alt, Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil },
	}
}
