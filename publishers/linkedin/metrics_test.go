package linkedin

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestMetricsForOrganizationPosts(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	ctx := context.Background()
	creds := orgCreds(srv, 1001)
	text, err := c.Publish(ctx, creds, publishers.Post{Text: "counted"})
	if err != nil {
		t.Fatal(err)
	}
	vid, err := c.Publish(ctx, creds, publishers.Post{Text: "counted video", Media: []publishers.Media{video(bytes.Repeat([]byte("v"), 10))}})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetStatistics(text.ExternalID, 1000, 40, 5, 3, 12)
	srv.SetStatistics(vid.ExternalID, 500, 20, 2, 1, 6)
	other := srv.AddPost(linkedintest.OrganizationURN(1002), "another page's", srv.Posts()[0].CreatedAt)

	got, err := c.Metrics(ctx, creds, []string{text.ExternalID, vid.ExternalID, text.ExternalID, other.URN, "not-a-urn", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("metrics %+v", got)
	}
	check := func(id string, impressions, likes, replies, reposts, clicks int64) {
		m := got[id]
		if m.Impressions == nil || *m.Impressions != impressions || *m.Likes != likes || *m.Replies != replies ||
			*m.Reposts != reposts || *m.Clicks != clicks || m.Quotes != nil {
			t.Errorf("%s: %+v", id, m)
		}
	}
	check(text.ExternalID, 1000, 40, 5, 3, 12)
	check(vid.ExternalID, 500, 20, 2, 1, 6)
	if n := srv.Requests(http.MethodGet, "/rest/organizationalEntityShareStatistics"); n != 1 {
		t.Errorf("%d statistics requests, want 1", n)
	}
}

func TestMetricsAreBatched(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	creds := orgCreds(srv, 1002)
	var ids []string
	for i := range MetricsBatch + 5 {
		p := srv.AddPost(creds.Get(ExtraAuthor), fmt.Sprintf("post %d", i), time.Now())
		srv.SetStatistics(p.URN, int64(i), 0, 0, 0, 0)
		ids = append(ids, p.URN)
	}
	got, err := c.Metrics(context.Background(), creds, ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("got %d of %d: %v", len(got), len(ids), err)
	}
	if n := srv.Requests(http.MethodGet, "/rest/organizationalEntityShareStatistics"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	srv.Inject(1, linkedintest.Expired().On(http.MethodGet, "/rest/organizationalEntityShareStatistics"))
	_, err = c.Metrics(context.Background(), creds, ids)
	pubtest.WantKind(t, err, publishers.KindAuthExpired)
}

// Member posts get no analytics through the API: an empty map, no error, no request, and the
// note says why.
func TestMetricsForMembers(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	pub, err := c.Publish(context.Background(), memberCreds(srv, ""), publishers.Post{Text: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Metrics(context.Background(), memberCreds(srv, ""), []string{pub.ExternalID})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("metrics %v, %v", got, err)
	}
	if n := srv.Requests(http.MethodGet, "/rest/organizationalEntityShareStatistics"); n != 0 {
		t.Errorf("%d statistics requests for a member", n)
	}
	note := c.Meta().Capabilities.MetricsNote
	if !strings.Contains(note, "member") || !strings.Contains(note, "organization") {
		t.Errorf("note %q", note)
	}
}
