package mastodon

import (
	"context"
	"errors"
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

// kindOf asserts err is a *publishers.Error and returns it.
func asError(t *testing.T, err error) *publishers.Error {
	t.Helper()
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *publishers.Error", err, err)
	}
	return pe
}

func wantKind(t *testing.T, err error, kind publishers.Kind) *publishers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", kind)
	}
	pe := asError(t, err)
	if got := publishers.KindOf(err); got != kind {
		t.Fatalf("kind %s, want %s: %v", got, kind, err)
	}
	return pe
}

func image(data, alt string) publishers.Media {
	return publishers.Media{
		Kind: content.KindImage, MIME: "image/png", AltText: alt, Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil },
	}
}
