// Package linkedin publishes to LinkedIn: to a member's own profile and to the organization
// pages the member administers.
//
// LinkedIn publishes no machine-readable description of its API; this package and its fake
// (linkedintest) follow its documentation on learn.microsoft.com, cited where each call is made.
//
// # Connecting
//
// One OAuth 2.0 authorization-code sign-in (www.linkedin.com/oauth/v2, with state) reaches the
// member and every page they are an approved ADMINISTRATOR of: CompleteOAuth reads the member
// with the OpenID Connect userinfo endpoint, and the package implements
// publishers.AccountChooser, whose Choices lists the member and the pages
// (GET /rest/organizationAcls?q=roleAssignee, names from GET /rest/organizations, logos from
// GET /rest/images) and whose Choose returns the same token publishing as the chosen author
// (Credentials.Extra[ExtraAuthor]). PKCE is sent only where it is harmless: see Options.PKCE.
//
// Access tokens last 60 days and most apps get no refresh token (LinkedIn gives them only to
// approved partners). Credentials.Expiry is always set; Refresh renews a token when a refresh
// token exists and otherwise reports KindAuthExpired once access has ended ("LinkedIn access
// ends every 60 days; reconnect the channel"). The scheduler warns ahead of that.
//
// # Publishing and duplicates
//
// Every REST call sends LinkedIn-Version (Options.Version, DefaultVersion) and
// X-Restli-Protocol-Version: 2.0.0. Publish uploads images (Images API) or a video (Videos API,
// in the parts LinkedIn asks for, waiting until it is AVAILABLE), then creates the post
// (POST /rest/posts; its URN comes back in x-restli-id) with the commentary escaped for
// LinkedIn's "little" text format (EscapeLittle), and posts the first comment with the Comments
// API. LinkedIn takes no idempotency key, so:
//
//   - the create request is never replayed by net/http's transport;
//   - a failure after the request was written (a timeout, a reset, a 502 or 504 from a gateway)
//     is KindUnknown, never retryable;
//   - FindPublished looks for the text among the author's recent posts. LinkedIn lets apps read
//     an organization's posts (r_organization_social) but a member's own posts only with the
//     restricted r_member_social permission, so for members it says it cannot tell.
//
// # Errors and limits
//
// classify (errors.go) is the one table from LinkedIn's answers to publishers.Error. LinkedIn's
// rate limits are daily (reset at midnight UTC) and its 429 carries no reset time, so Herald
// waits Options.RateLimitWait. Tokens, secrets and codes never reach errors or logs.
//
// # Metrics
//
// Organization posts: organizationalEntityShareStatistics (impressions, reactions, comments,
// reposts, clicks). Member posts get no analytics through the API for apps like Herald;
// Metrics returns an empty map for them and Capabilities.MetricsNote says so.
package linkedin
