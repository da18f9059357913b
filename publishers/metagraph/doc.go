// Package metagraph is what Herald's Facebook Page and Instagram publishers share: one client for
// Meta's Graph API (https://graph.facebook.com/{version}/…), the one table that classifies Graph
// errors, the rate-limit usage headers Meta sends, and Facebook Login.
//
// # Versions
//
// Every request names the Graph API version in its path. DefaultVersion is the newest version
// Meta's changelog listed when this package was written; Config.Version pins another one. Meta
// keeps each version for about two years, so an installation can stay on a version it tested.
//
// # Facebook Login
//
// Both networks connect through Facebook Login (the same Meta app): the dialog at
// https://www.facebook.com/{version}/dialog/oauth with state, the permissions asked for and an
// S256 PKCE challenge (Facebook Login documents PKCE for manually built login flows); the code is
// exchanged at /oauth/access_token with the verifier for a short-lived user token, which is
// exchanged at once (grant_type=fb_exchange_token) for a long-lived one (about 60 days). The
// long-lived user token lists the Pages (GET /me/accounts), each with its own Page token; a Page
// token obtained from a long-lived user token does not expire while the user's grant holds, so
// channels need no refresh.
//
// # Errors, limits and secrets
//
// Classify maps Graph's error body {"error":{"message","type","code","error_subcode",
// "is_transient","fbtrace_id"}} to a publishers.Error; errors.go lists the rows. Every answer's
// X-App-Usage, X-Page-Usage and X-Business-Use-Case-Usage headers are recorded per token (by
// hash); when Meta says how long until access is regained, later calls with that token are
// refused at once as rate limited instead of spending a request on another refusal.
//
// Access tokens travel in the Authorization header, never in a URL; the app secret only in the
// body of token requests; appsecret_proof (an HMAC of the token, which Meta recommends and
// an app may require) in the query. Graph's own messages are scrubbed of any token or secret
// before they reach an error.
package metagraph
