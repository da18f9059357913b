package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

func TestPublishAndIdempotency(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	res := e.publish(creds, "key-1", "Winter blend is back")
	if res.ExternalID != "1" || res.URL != e.base+"/sandbox/@heraldcoffee/1" || !res.PublishedAt.Equal(e.clk.Now()) {
		t.Errorf("published = %+v", res)
	}
	e.clk.Add(time.Minute)
	again := e.publish(creds, "key-1", "Winter blend is back")
	if !reflect.DeepEqual(again, res) {
		t.Errorf("the same key published again: %+v, want %+v", again, res)
	}
	other := e.publish(creds, "key-2", "Barista tips")
	if other.ExternalID == res.ExternalID {
		t.Errorf("a new key reused id %s", other.ExternalID)
	}
	if got := e.n.CreatedWithText("Winter blend is back"); got != 1 {
		t.Errorf("CreatedWithText = %d after a publish repeated under its key, want 1", got)
	}
	e.publish(creds, "key-3", "Barista tips")
	if got := e.n.CreatedWithText("Barista tips"); got != 2 {
		t.Errorf("CreatedWithText = %d after two keys published the same text, want 2", got)
	}
	if got := e.n.CreatedWithText("never said"); got != 0 {
		t.Errorf("CreatedWithText = %d for a text never published", got)
	}

	found, err := e.n.FindPublished(context.Background(), creds, publishers.Post{IdempotencyKey: "key-1"})
	if err != nil || found == nil || !reflect.DeepEqual(*found, res) {
		t.Errorf("FindPublished = %+v, %v", found, err)
	}
	missing, err := e.n.FindPublished(context.Background(), creds, publishers.Post{IdempotencyKey: "never"})
	if err != nil || missing != nil {
		t.Errorf("FindPublished(unknown) = %+v, %v; want nil, nil", missing, err)
	}
	_, err = e.n.FindPublished(context.Background(), creds, publishers.Post{})
	if err == nil || kindOf(t, err).Kind != publishers.KindUnknown {
		t.Errorf("FindPublished without a key = %v, want KindUnknown", err)
	}

	// Idempotency keys belong to an account.
	fr, _ := e.connect("Herald Cafe FR")
	theirs := e.publish(fr, "key-1", "L'hiver arrive")
	if theirs.ExternalID == res.ExternalID || !strings.Contains(theirs.URL, "/@heraldcafefr/") {
		t.Errorf("another account's post = %+v", theirs)
	}
	if found, _ := e.n.FindPublished(context.Background(), fr, publishers.Post{IdempotencyKey: "key-2"}); found != nil {
		t.Errorf("found another account's post: %+v", found)
	}
}

func TestFailureSwitches(t *testing.T) {
	tests := []struct {
		kind       FailureKind
		want       publishers.Kind
		status     int
		retryAfter time.Duration
		message    string
		stored     bool
	}{
		{RateLimit, publishers.KindRateLimited, 429, time.Minute, "Sandbox rate limit: 0 of 50 posts left in this window", false},
		{ServerError, publishers.KindRetryable, 503, 0, "temporarily unavailable", false},
		{ExpiredToken, publishers.KindAuthExpired, 401, 0, "revoked", false},
		{Reject, publishers.KindPermanent, 422, 0, "Sandbox refused the post", false},
		{TimeoutAfterAccept, publishers.KindUnknown, 0, 0, "may have been published", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			e := newEnv(t)
			creds, _ := e.connect("Herald Coffee")
			e.n.SetFailure(tt.kind, 1)
			if got := e.n.FailureCount("", tt.kind); got != 1 {
				t.Fatalf("FailureCount = %d", got)
			}
			post := publishers.Post{IdempotencyKey: "k", Text: "hello"}
			_, err := e.n.Publish(context.Background(), creds, post)
			if err == nil {
				t.Fatal("no failure")
			}
			pe := kindOf(t, err)
			if pe.Kind != tt.want || pe.Status != tt.status || pe.RetryAfter != tt.retryAfter || !strings.Contains(pe.Message, tt.message) {
				t.Errorf("error = %+v", pe)
			}
			if publishers.KindOf(err) != tt.want {
				t.Errorf("KindOf = %v", publishers.KindOf(err))
			}
			if e.n.FailureCount("", tt.kind) != 0 {
				t.Error("the switch was not used up")
			}
			if tt.kind == ExpiredToken {
				if _, err := e.n.Publish(context.Background(), creds, post); publishers.KindOf(err) != publishers.KindAuthExpired {
					t.Errorf("after revocation: %v, want auth expired until reconnected", err)
				}
				creds, _ = e.connect("Herald Coffee")
			}
			found, err := e.n.FindPublished(context.Background(), creds, post)
			if err != nil || (found != nil) != tt.stored {
				t.Fatalf("FindPublished = %+v, %v; stored = %v", found, err, tt.stored)
			}
			// The switch affected one publish: the retry goes through, and after a timeout it
			// returns the post the sandbox already has rather than a second one.
			res, err := e.n.Publish(context.Background(), creds, post)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if tt.stored && !reflect.DeepEqual(res, *found) {
				t.Errorf("retry after timeout = %+v, want the stored %+v", res, *found)
			}
		})
	}
}

func TestTimeoutAfterAcceptIsReconcilable(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	e.n.SetFailure(TimeoutAfterAccept, 1)
	post := publishers.Post{IdempotencyKey: "uuid-1", Text: "Latte art contest"}
	_, err := e.n.Publish(context.Background(), creds, post)
	if !errors.Is(err, ErrSimulatedTimeout) || publishers.KindOf(err) != publishers.KindUnknown {
		t.Fatalf("err = %v", err)
	}
	found, err := e.n.FindPublished(context.Background(), creds, post)
	if err != nil || found == nil || found.URL != e.base+"/sandbox/@heraldcoffee/"+found.ExternalID {
		t.Fatalf("FindPublished = %+v, %v", found, err)
	}
	if page := e.get(found.URL); page.status != 200 || !strings.Contains(page.body, "Latte art contest") {
		t.Errorf("post page: %d", page.status)
	}
}

func TestFailureCountsAndScopes(t *testing.T) {
	e := newEnv(t)
	coffee, _ := e.connect("Herald Coffee")
	cafe, _ := e.connect("Herald Cafe")
	ctx := context.Background()
	publish := func(c *publishers.Credentials, key string) error {
		_, err := e.n.Publish(ctx, c, publishers.Post{IdempotencyKey: key, Text: "hi"})
		return err
	}

	e.n.SetFailure(RateLimit, 2)
	for i := range 2 {
		if err := publish(coffee, fmt.Sprint("a", i)); publishers.KindOf(err) != publishers.KindRateLimited {
			t.Errorf("publish %d: %v", i, err)
		}
	}
	if err := publish(coffee, "a2"); err != nil {
		t.Errorf("third publish: %v", err)
	}

	e.n.SetFailure(ServerError, 5)
	e.n.SetFailure(ServerError, 0)
	if err := publish(coffee, "b"); err != nil {
		t.Errorf("after clearing: %v", err)
	}

	// A switch for one account leaves the others alone and goes before the global ones.
	e.n.SetAccountFailure("@heraldcafe", Reject, 1)
	e.n.SetFailure(ServerError, 1)
	if err := publish(coffee, "c"); publishers.KindOf(err) != publishers.KindRetryable {
		t.Errorf("coffee: %v, want the global 503", err)
	}
	if err := publish(cafe, "c"); publishers.KindOf(err) != publishers.KindPermanent {
		t.Errorf("cafe: %v, want its own refusal", err)
	}
	if err := publish(cafe, "d"); err != nil {
		t.Errorf("cafe afterwards: %v", err)
	}

	e.n.SetFailure("no-such-kind", 3)
	e.n.SetFailure(RateLimit, 3)
	e.n.ClearFailures()
	if err := publish(coffee, "e"); err != nil {
		t.Errorf("after ClearFailures: %v", err)
	}
}

func TestFailHashtag(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	for text, refused := range map[string]bool{
		"This one will not go through #fail":          true,
		"#FAIL loudly":                                true,
		"#failsafe brewing":                           false,
		"a#fail is not a hashtag":                     false,
		"Nothing to see at https://example.com/#fail": false,
	} {
		_, err := e.n.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: text, Text: text})
		if refused {
			if pe := kindOf(t, err); pe.Kind != publishers.KindPermanent || !strings.Contains(pe.Message, "#fail") {
				t.Errorf("%q: %+v", text, pe)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestContentRules(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	img := func(mime string, b []byte) publishers.Media {
		return publishers.Media{Kind: content.KindImage, MIME: mime, AltText: "a cup", Size: int64(len(b)),
			Open: func(context.Context) ([]byte, error) { return b, nil }}
	}
	ctx := context.Background()

	_, err := e.n.Publish(ctx, creds, publishers.Post{IdempotencyKey: "long", Text: strings.Repeat("a", 501)})
	if pe := kindOf(t, err); pe.Kind != publishers.KindPermanent || pe.Code != content.CodeTooLong {
		t.Errorf("too long: %+v", pe)
	}
	video := publishers.Media{Kind: content.KindVideo, MIME: "video/mp4", Open: func(context.Context) ([]byte, error) { return []byte("v"), nil }}
	_, err = e.n.Publish(ctx, creds, publishers.Post{IdempotencyKey: "video", Text: "clip", Media: []publishers.Media{video}})
	if pe := kindOf(t, err); pe.Kind != publishers.KindPermanent || pe.Code != content.CodeMediaType {
		t.Errorf("video: %+v", pe)
	}
	broken := publishers.Media{Kind: content.KindImage, MIME: "image/png", Open: func(context.Context) ([]byte, error) { return nil, errors.New("disk gone") }}
	_, err = e.n.Publish(ctx, creds, publishers.Post{IdempotencyKey: "broken", Text: "x", Media: []publishers.Media{broken}})
	if pe := kindOf(t, err); pe.Kind != publishers.KindRetryable {
		t.Errorf("unreadable attachment: %+v", pe)
	}

	res, err := e.n.Publish(ctx, creds, publishers.Post{
		IdempotencyKey: "img", Text: "New mugs", FirstComment: "Order at heraldcoffee.example",
		Media: []publishers.Media{img("image/png", []byte("png-bytes"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	page := e.get(res.URL)
	for _, s := range []string{"New mugs", "Order at heraldcoffee.example", "image/png, 9 bytes", "“a cup”"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("post page lacks %q", s)
		}
	}
}

func TestMetricsGrowMonotonically(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	var ids []string
	for i := range 5 {
		ids = append(ids, e.publish(creds, fmt.Sprint("k", i), fmt.Sprint("post ", i)).ExternalID)
	}
	ctx := context.Background()
	m, err := e.n.Metrics(ctx, creds, append(ids, "999", "not-a-number"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != len(ids) {
		t.Errorf("metrics for %d ids, want %d (unknown ids absent)", len(m), len(ids))
	}
	if *m[ids[0]].Likes != 0 || *m[ids[0]].Impressions != 0 {
		t.Errorf("engagement at publication = %+v", m[ids[0]])
	}

	prev := map[string]publishers.Metrics{}
	for step := 0; step < 30*24*4; step++ { // 30 days, every 15 minutes
		e.clk.Add(15 * time.Minute)
		// The scheduler's token-refresh job keeps the channel's token fresh.
		if fresh, changed, err := e.n.Refresh(ctx, creds); err != nil {
			t.Fatal(err)
		} else if changed {
			creds = fresh
		}
		m, err := e.n.Metrics(ctx, creds, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			cur := m[id]
			if cur.Likes == nil || cur.Reposts == nil || cur.Replies == nil || cur.Quotes == nil || cur.Impressions == nil || cur.Clicks == nil {
				t.Fatalf("missing counters: %+v", cur)
			}
			if p, ok := prev[id]; ok {
				for name, pair := range map[string][2]int64{
					"likes": {*p.Likes, *cur.Likes}, "reposts": {*p.Reposts, *cur.Reposts}, "replies": {*p.Replies, *cur.Replies},
					"quotes": {*p.Quotes, *cur.Quotes}, "impressions": {*p.Impressions, *cur.Impressions}, "clicks": {*p.Clicks, *cur.Clicks},
				} {
					if pair[1] < pair[0] {
						t.Fatalf("post %s: %s went down from %d to %d", id, name, pair[0], pair[1])
					}
				}
			}
			prev[id] = cur
		}
		if step == 4*24 { // one day in
			for _, id := range ids {
				c := m[id]
				if !(*c.Impressions >= 10**c.Likes && *c.Likes > *c.Reposts && *c.Reposts > 0 && *c.Replies > 0) {
					t.Errorf("post %s after a day: %d impressions, %d likes, %d reposts, %d replies", id, *c.Impressions, *c.Likes, *c.Reposts, *c.Replies)
				}
			}
		}
	}
	last := prev[ids[0]]
	if *last.Impressions < 300 {
		t.Errorf("after 30 days only %d impressions", *last.Impressions)
	}

	// Another account cannot read these posts' metrics.
	other, _ := e.connect("Someone Else")
	if m, err := e.n.Metrics(ctx, other, ids); err != nil || len(m) != 0 {
		t.Errorf("another account's metrics = %v, %v", m, err)
	}
}

func TestSimulateIsDeterministic(t *testing.T) {
	for id := int64(1); id < 200; id++ {
		a, b := simulate(id, 3*time.Hour), simulate(id, 3*time.Hour)
		if a != b {
			t.Fatalf("post %d: %+v then %+v", id, a, b)
		}
	}
	if simulate(1, 3*time.Hour) == simulate(2, 3*time.Hour) {
		t.Error("two posts have the same engagement")
	}
	if simulate(1, -time.Hour) != (engagement{}) {
		t.Error("engagement before publication")
	}
}

func TestTokenLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	creds, _ := e.connect("Herald Coffee")

	// Not yet due: nothing changes.
	same, changed, err := e.n.Refresh(ctx, creds)
	if err != nil || changed || same != creds {
		t.Fatalf("early Refresh = %v, %v", changed, err)
	}

	// Expired: Publish refreshes (rotating both tokens) and hands the new credentials back.
	e.clk.Add(61 * time.Minute)
	old := *creds
	e.publish(creds, "after-expiry", "Still here")
	if creds.AccessToken == old.AccessToken || creds.RefreshToken == old.RefreshToken || !creds.Expiry.Equal(e.clk.Now().Add(time.Hour)) {
		t.Errorf("creds after Publish's refresh = %+v", creds)
	}
	if creds.Get("handle") != "heraldcoffee" {
		t.Errorf("extra lost: %v", creds.Extra)
	}
	// The expired access token no longer works on its own.
	stale := old
	stale.RefreshToken = ""
	if _, err := e.n.Publish(ctx, &stale, publishers.Post{IdempotencyKey: "stale", Text: "x"}); publishers.KindOf(err) != publishers.KindAuthExpired {
		t.Errorf("expired token without a refresh token: %v", err)
	}
	if _, err := e.n.Metrics(ctx, &stale, []string{"1"}); publishers.KindOf(err) != publishers.KindAuthExpired {
		t.Errorf("Metrics with an expired token: %v", err)
	}

	// A rotated-out refresh token still works for a while (the caller may have lost the new
	// pair), then not at all.
	lost := old
	if _, changed, err := e.n.Refresh(ctx, &lost); err != nil || !changed {
		t.Errorf("refresh with the previous refresh token inside the grace period: %v", err)
	}
	e.clk.Add(25 * time.Hour)
	_, _, err = e.n.Refresh(ctx, &lost)
	if pe := kindOf(t, err); pe.Kind != publishers.KindAuthExpired || pe.Code != "invalid_grant" {
		t.Errorf("refresh with a long-rotated token: %+v", pe)
	}

	// The current credentials expired meanwhile; Refresh renews them.
	fresh, changed, err := e.n.Refresh(ctx, creds)
	if err != nil || !changed {
		t.Fatalf("Refresh = %v, %v", changed, err)
	}
	*creds = *fresh

	// Revoked by the switch: publishing, refreshing and reading metrics all say auth expired.
	e.n.SetFailure(ExpiredToken, 1)
	if _, err := e.n.Publish(ctx, creds, publishers.Post{IdempotencyKey: "revoked", Text: "x"}); publishers.KindOf(err) != publishers.KindAuthExpired {
		t.Fatalf("publish with the switch: %v", err)
	}
	e.clk.Add(time.Hour)
	if _, _, err := e.n.Refresh(ctx, creds); publishers.KindOf(err) != publishers.KindAuthExpired {
		t.Errorf("Refresh of a revoked token: %v", err)
	}
	if _, err := e.n.Publish(ctx, creds, publishers.Post{IdempotencyKey: "revoked", Text: "x"}); publishers.KindOf(err) != publishers.KindAuthExpired {
		t.Errorf("Publish with a revoked token: %v", err)
	}
	if _, err := e.n.FindPublished(ctx, creds, publishers.Post{IdempotencyKey: "revoked"}); publishers.KindOf(err) != publishers.KindAuthExpired {
		t.Errorf("FindPublished with a revoked token: %v", err)
	}
}

func TestPublishRefreshesWhenTheServerSaysExpired(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	creds.Expiry = time.Time{} // credentials that do not know their expiry
	e.clk.Add(2 * time.Hour)
	old := creds.AccessToken
	e.publish(creds, "k", "hello")
	if creds.AccessToken == old {
		t.Error("Publish did not refresh an expired token")
	}
}

func TestDemoCredentials(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	creds := DemoCredentials("@heraldcafe", "Herald Coffee FR")
	res := e.publish(creds, "k", "Bonjour")
	if !strings.HasSuffix(res.URL, "/sandbox/@heraldcafe/"+res.ExternalID) {
		t.Errorf("url = %s", res.URL)
	}
	if fresh, changed, err := e.n.Refresh(ctx, creds); err != nil || changed || fresh != creds {
		t.Errorf("Refresh of demo credentials = %v, %v", changed, err)
	}
	legacy := &publishers.Credentials{AccessToken: "sandbox"}
	res = e.publish(legacy, "k", "Hello")
	if !strings.Contains(res.URL, "/@heraldcoffee/") {
		t.Errorf("legacy url = %s", res.URL)
	}
	if page := e.get(e.base + "/sandbox/"); !strings.Contains(page.body, "Herald Coffee FR") || !strings.Contains(page.body, "Herald Coffee (sandbox)") {
		t.Errorf("index lacks the demo accounts")
	}
	e.n.SetAccountFailure("heraldcafe", ExpiredToken, 1)
	for range 2 {
		if _, err := e.n.Publish(ctx, creds, publishers.Post{IdempotencyKey: "k2", Text: "x"}); publishers.KindOf(err) != publishers.KindAuthExpired {
			t.Errorf("revoked demo token: %v", err)
		}
	}
	if _, err := e.n.Publish(ctx, legacy, publishers.Post{IdempotencyKey: "k2", Text: "x"}); err != nil {
		t.Errorf("the other demo account was affected: %v", err)
	}
}

func TestPublishWithoutCredentials(t *testing.T) {
	n := New(Options{Logger: quiet})
	ctx := context.Background()
	for _, c := range []*publishers.Credentials{nil, {}, {AccessToken: "sbx_at_made_up"}} {
		if _, err := n.Publish(ctx, c, publishers.Post{Text: "x"}); publishers.KindOf(err) != publishers.KindAuthExpired {
			t.Errorf("Publish(%+v) = %v", c, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := n.Publish(cancelled, DemoCredentials("a", ""), publishers.Post{Text: "x"}); publishers.KindOf(err) != publishers.KindRetryable {
		t.Errorf("cancelled publish = %v", err)
	}
}

func TestConcurrentPublishes(t *testing.T) {
	e := newEnv(t)
	coffee, _ := e.connect("Herald Coffee")
	cafe := DemoCredentials("heraldcafe", "")
	ctx := context.Background()
	e.n.SetFailure(RateLimit, 10)
	e.n.SetFailure(TimeoutAfterAccept, 10)

	const workers, each, keys = 16, 25, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]map[string]string{} // account → key → external id
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := coffee
			acct := "coffee"
			if w%2 == 1 {
				c, acct = cafe, "cafe"
			}
			for i := range each {
				key := fmt.Sprint("key-", (w*each+i)%keys)
				res, err := e.n.Publish(ctx, c, publishers.Post{IdempotencyKey: key, Text: "post " + key})
				switch publishers.KindOf(err) {
				case publishers.KindRateLimited:
					continue
				case publishers.KindUnknown:
					found, ferr := e.n.FindPublished(ctx, c, publishers.Post{IdempotencyKey: key})
					if ferr != nil || found == nil {
						t.Errorf("after a timeout: %v, %v", found, ferr)
						continue
					}
					res, err = *found, nil
				}
				if err != nil {
					t.Errorf("publish: %v", err)
					continue
				}
				mu.Lock()
				if ids[acct] == nil {
					ids[acct] = map[string]string{}
				}
				if prev, ok := ids[acct][key]; ok && prev != res.ExternalID {
					t.Errorf("%s %s published twice: %s and %s", acct, key, prev, res.ExternalID)
				}
				ids[acct][key] = res.ExternalID
				mu.Unlock()
				if i%5 == 0 {
					if _, err := e.n.Metrics(ctx, c, []string{res.ExternalID}); err != nil {
						t.Errorf("metrics: %v", err)
					}
					e.clk.Add(time.Second)
				}
			}
		}()
	}
	// Readers and switch-flippers at the same time.
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if r := e.get(e.base + "/sandbox/"); r.status != http.StatusOK {
					t.Errorf("index: %d", r.status)
				}
				e.n.SetAccountFailure("heraldcafe", ServerError, 0)
				_ = e.n.FailureCount("", RateLimit)
			}
		}()
	}
	wg.Wait()

	e.n.mu.Lock()
	defer e.n.mu.Unlock()
	if got, want := len(e.n.st.Posts), len(ids["coffee"])+len(ids["cafe"]); got != want {
		t.Errorf("%d posts stored, want %d (one per account and key)", got, want)
	}
	seen := map[int64]bool{}
	for _, p := range e.n.st.Posts {
		if seen[p.ID] {
			t.Errorf("id %d used twice", p.ID)
		}
		seen[p.ID] = true
	}
}
