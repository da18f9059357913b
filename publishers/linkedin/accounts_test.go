package linkedin

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// One sign-in reaches the member and the two pages they administer (not the one they only
// analyse); each choice becomes a channel publishing as itself.
func TestChoicesAndChoose(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	ctx := context.Background()
	creds, _ := connect(t, c, srv)

	choices, err := c.Choices(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	if len(choices) != 3 {
		t.Fatalf("choices %+v", choices)
	}
	member, coffee, books := choices[0], choices[1], choices[2]
	if member.ID != srv.MemberURN() || member.Kind != KindMember || member.Name != linkedintest.MemberName || member.AvatarURL == "" {
		t.Errorf("member %+v", member)
	}
	if coffee.ID != linkedintest.OrganizationURN(1001) || coffee.Name != "Herald Coffee" || coffee.Handle != "herald-coffee" ||
		coffee.Kind != KindOrganization || !strings.Contains(coffee.AvatarURL, "/media/logo/") {
		t.Errorf("first page %+v", coffee)
	}
	if books.ID != linkedintest.OrganizationURN(1002) || books.Name != "Herald Books" || books.AvatarURL != "" {
		t.Errorf("second page %+v", books)
	}

	pageCreds, acct, err := c.Choose(ctx, creds, coffee.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pageCreds.Get(ExtraAuthor) != coffee.ID || pageCreds.Get(ExtraMember) != srv.MemberURN() ||
		pageCreds.AccessToken != creds.AccessToken || !pageCreds.Expiry.Equal(creds.Expiry) {
		t.Errorf("page credentials %+v", pageCreds)
	}
	if acct.ExternalID != coffee.ID || acct.Name != "Herald Coffee" || acct.URL != "https://www.linkedin.com/company/herald-coffee/" {
		t.Errorf("page account %+v", acct)
	}
	if creds.Get(ExtraAuthor) != srv.MemberURN() {
		t.Error("Choose changed the sign-in's credentials")
	}
	pub, err := c.Publish(ctx, pageCreds, publishers.Post{Text: "from the page"})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := srv.Post(pub.ExternalID); p.Author != coffee.ID {
		t.Errorf("published as %s", p.Author)
	}

	// Every choice's Account has the choice's ID as ExternalID (the server reconnects by it).
	for _, ch := range choices {
		_, a, err := c.Choose(ctx, creds, ch.ID)
		if err != nil || a.ExternalID != ch.ID {
			t.Errorf("Choose(%s) = %+v, %v", ch.ID, a, err)
		}
	}
	memberCreds, macct, err := c.Choose(ctx, pageCreds, MemberChoice)
	if err != nil || memberCreds.Get(ExtraAuthor) != srv.MemberURN() || macct.ExternalID != srv.MemberURN() {
		t.Errorf("member: %+v %+v %v", memberCreds, macct, err)
	}

	for _, id := range []string{linkedintest.OrganizationURN(1003), linkedintest.OrganizationURN(9999), "urn:li:person:someone", ""} {
		if _, _, err := c.Choose(ctx, creds, id); publishers.KindOf(err) != publishers.KindPermanent {
			t.Errorf("Choose(%q) = %v, want a permanent refusal", id, err)
		}
	}
}
