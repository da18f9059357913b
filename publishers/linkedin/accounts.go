package linkedin

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

// MemberChoice is accepted by Choose for the member who signed in. Choices lists the member
// under their person URN, since a Choice's ID is the ExternalID of the Account Choose returns
// (reconnecting a channel picks the choice whose ID is the channel's external id).
const MemberChoice = "member"

// Kinds of Choice.
const (
	KindMember       = "member"
	KindOrganization = "organization"
)

// aclPageSize is the page size of the organizationAcls finder; aclPages bounds the pages read
// (500 pages administered is far more than any person has).
const (
	aclPageSize = 100
	aclPages    = 5
)

// organization is the part of an organization Herald reads.
type organization struct {
	ID            int64  `json:"id"`
	LocalizedName string `json:"localizedName"`
	VanityName    string `json:"vanityName"`
	LogoV2        *struct {
		Original string `json:"original"`
		Cropped  string `json:"cropped"`
	} `json:"logoV2"`
}

func (o organization) urn() string { return "urn:li:organization:" + strconv.FormatInt(o.ID, 10) }

func (o organization) pageURL() string {
	if o.VanityName != "" {
		return "https://www.linkedin.com/company/" + o.VanityName + "/"
	}
	return "https://www.linkedin.com/company/" + strconv.FormatInt(o.ID, 10) + "/"
}

// Choices lists what one sign-in reaches: the member, and every organization page the member
// is an approved ADMINISTRATOR of (GET /rest/organizationAcls?q=roleAssignee), with names and
// logos (GET /rest/organizations, GET /rest/images). Without the page scopes (an app without
// the Community Management API) only the member is listed.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role
func (c *Client) Choices(ctx context.Context, creds *publishers.Credentials) ([]publishers.Choice, error) {
	s, err := c.memberSession(creds)
	if err != nil {
		return nil, err
	}
	me, err := c.userinfo(ctx, s.token)
	if err != nil {
		return nil, err
	}
	out := []publishers.Choice{{ID: s.member, Name: me.Name, AvatarURL: me.Picture, Kind: KindMember}}
	if !c.canManagePages(s) {
		return out, nil
	}
	orgs, err := c.administeredOrganizations(ctx, s)
	if err != nil {
		if isStatus(err, http.StatusForbidden) {
			// The app was not granted the page APIs after all: the member alone can be chosen.
			c.opts.Logger.WarnContext(ctx, "linkedin: listing the pages the member administers was refused; offering the member only",
				"error", err.Error())
			return out, nil
		}
		return nil, err
	}
	for _, o := range orgs {
		out = append(out, publishers.Choice{ID: o.urn(), Name: o.LocalizedName, Handle: o.VanityName,
			AvatarURL: c.logoURL(ctx, s, o), Kind: KindOrganization})
	}
	return out, nil
}

// Choose returns the credentials of one choice: the member's own (their person URN, or
// MemberChoice) or a page's (its organization URN), which are the same token publishing as the
// page. The Account's ExternalID is the choice's ID. A page must still be one the
// member administers: the list is read again rather than trusting the id.
func (c *Client) Choose(ctx context.Context, creds *publishers.Credentials, id string) (*publishers.Credentials, publishers.Account, error) {
	s, err := c.memberSession(creds)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	next := &publishers.Credentials{AccessToken: creds.AccessToken, RefreshToken: creds.RefreshToken, Expiry: creds.Expiry,
		Extra: make(map[string]string, len(creds.Extra))}
	for k, v := range creds.Extra {
		next.Extra[k] = v
	}
	if id == MemberChoice || id == s.member {
		me, err := c.userinfo(ctx, s.token)
		if err != nil {
			return nil, publishers.Account{}, err
		}
		next.Extra[ExtraAuthor] = s.member
		return next, memberAccount(s.member, me), nil
	}
	if !strings.HasPrefix(id, "urn:li:organization:") {
		return nil, publishers.Account{}, permanent("%q is not a LinkedIn member or page Herald offered", id)
	}
	if !c.canManagePages(s) {
		return nil, publishers.Account{}, permanent("this LinkedIn sign-in did not grant the page permissions (%s); the app needs the Community Management API", OrganizationScopes)
	}
	orgs, err := c.administeredOrganizations(ctx, s)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	for _, o := range orgs {
		if o.urn() != id {
			continue
		}
		next.Extra[ExtraAuthor] = id
		return next, publishers.Account{ExternalID: id, Name: o.LocalizedName, Handle: o.VanityName,
			AvatarURL: c.logoURL(ctx, s, o), URL: o.pageURL()}, nil
	}
	return nil, publishers.Account{}, permanent("the member who signed in is not an administrator of that LinkedIn page")
}

// memberSession is the session of a sign-in (or of any channel, read as its member).
func (c *Client) memberSession(creds *publishers.Credentials) (session, error) {
	s, err := c.session(creds)
	if err != nil {
		return session{}, err
	}
	if !strings.HasPrefix(s.member, "urn:li:person:") {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "the channel does not say which LinkedIn member signed in; reconnect the channel"}
	}
	return s, nil
}

// canManagePages reports whether the sign-in was granted what listing and posting as pages
// needs. An unknown grant (credentials from before scopes were recorded) is tried.
func (c *Client) canManagePages(s session) bool {
	return s.scope == "" || len(missingScopes(s.scope, OrganizationScopes)) == 0
}

// aclElement is one role assignment. Versions before 202306 named the organization
// organizationalTarget.
type aclElement struct {
	Organization         string `json:"organization"`
	OrganizationalTarget string `json:"organizationalTarget"`
	Role                 string `json:"role"`
	State                string `json:"state"`
}

// administeredOrganizations lists the pages the member is an approved ADMINISTRATOR of, with
// their details, in LinkedIn's order.
func (c *Client) administeredOrganizations(ctx context.Context, s session) ([]organization, error) {
	var ids []string
	seen := map[string]bool{}
	for page := 0; page < aclPages; page++ {
		var res struct {
			Elements []aclElement `json:"elements"`
		}
		q := restQuery("q", "roleAssignee", "role", "ADMINISTRATOR", "state", "APPROVED",
			"start", strconv.Itoa(page*aclPageSize), "count", strconv.Itoa(aclPageSize))
		if _, err := c.get(ctx, s.token, "/rest/organizationAcls", q, &res); err != nil {
			return nil, err
		}
		for _, el := range res.Elements {
			org := el.Organization
			if org == "" {
				org = el.OrganizationalTarget
			}
			id, ok := strings.CutPrefix(org, "urn:li:organization:")
			if !ok || id == "" || seen[id] || el.Role != "ADMINISTRATOR" || el.State != "APPROVED" {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
		}
		if len(res.Elements) < aclPageSize {
			break
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// BATCH_GET takes the organizations' numeric ids.
	// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api
	var res struct {
		Results map[string]organization `json:"results"`
	}
	if _, err := c.get(ctx, s.token, "/rest/organizations", "ids=List("+strings.Join(ids, ",")+")", &res); err != nil {
		return nil, err
	}
	out := make([]organization, 0, len(ids))
	for _, id := range ids {
		o, ok := res.Results[id]
		if !ok {
			// Not readable any more; still offered, under its id.
			n, _ := strconv.ParseInt(id, 10, 64)
			o = organization{ID: n}
		}
		if o.ID == 0 {
			o.ID, _ = strconv.ParseInt(id, 10, 64)
		}
		if o.LocalizedName == "" {
			o.LocalizedName = "LinkedIn page " + id
		}
		out = append(out, o)
	}
	return out, nil
}

// logoURL resolves a page's logo to a download URL with the Images API, best effort: a page
// without a logo, or one that cannot be read, is shown without one. logoV2 holds a media URN
// whose id is also the image's id in the Images API (urn:li:digitalmediaAsset:X is
// urn:li:image:X).
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
func (c *Client) logoURL(ctx context.Context, s session, o organization) string {
	if o.LogoV2 == nil {
		return ""
	}
	urn := o.LogoV2.Cropped
	if urn == "" {
		urn = o.LogoV2.Original
	}
	if rest, ok := strings.CutPrefix(urn, "urn:li:digitalmediaAsset:"); ok {
		urn = "urn:li:image:" + rest
	}
	if !strings.HasPrefix(urn, "urn:li:image:") {
		return ""
	}
	var img struct {
		DownloadURL string `json:"downloadUrl"`
	}
	if _, err := c.get(ctx, s.token, "/rest/images/"+encodeKey(urn), "", &img); err != nil {
		return ""
	}
	return img.DownloadURL
}
