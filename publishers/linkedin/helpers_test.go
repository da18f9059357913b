package linkedin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

const redirectURL = "https://herald.example/api/v1/connect/linkedin/callback"

// testClient returns a client for the fake with its app configured and short polls.
func testClient(t *testing.T, srv *linkedintest.Server, mod ...func(*Options)) *Client {
	t.Helper()
	srv.AllowRedirect(redirectURL)
	opts := Options{
		App:               publishers.AppCredentials{ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret()},
		AuthURL:           srv.URL,
		APIURL:            srv.URL,
		HTTPClient:        &http.Client{Timeout: 5 * time.Second},
		MediaPollInterval: 2 * time.Millisecond,
		MediaPollTimeout:  2 * time.Second,
	}
	for _, m := range mod {
		m(&opts)
	}
	return New(opts)
}

// memberCreds are the credentials of a member channel, as Choose returns them.
func memberCreds(srv *linkedintest.Server, scopes string) *publishers.Credentials {
	if scopes == "" {
		scopes = linkedintest.AllScopes
	}
	return &publishers.Credentials{
		AccessToken: srv.NewToken(scopes, 0),
		Expiry:      time.Now().Add(linkedintest.TokenTTL),
		Extra: map[string]string{ExtraAuthor: srv.MemberURN(), ExtraMember: srv.MemberURN(),
			ExtraScope: normalizeScopes(scopes)},
	}
}

// orgCreds are the credentials of the page channel of organization id.
func orgCreds(srv *linkedintest.Server, id int64) *publishers.Credentials {
	c := memberCreds(srv, "")
	c.Extra[ExtraAuthor] = linkedintest.OrganizationURN(id)
	return c
}

func image(data, alt string) publishers.Media {
	return publishers.Media{
		Kind: content.KindImage, MIME: "image/png", AltText: alt, Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return []byte(data), nil },
	}
}

func video(data []byte) publishers.Media {
	return publishers.Media{
		Kind: content.KindVideo, MIME: "video/mp4", Size: int64(len(data)),
		Open: func(context.Context) ([]byte, error) { return data, nil },
	}
}
