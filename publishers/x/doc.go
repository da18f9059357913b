// Package x publishes to X (formerly Twitter) through the X API v2.
//
// # Connecting
//
// An administrator registers one app in the X developer portal (OAuth 2.0, type Web App, which
// makes it a confidential client) and gives Herald its client id and secret
// (HERALD_X_CLIENT_ID, HERALD_X_CLIENT_SECRET). People connect accounts with the OAuth 2.0
// authorization-code flow with PKCE: the authorization page is https://x.com/i/oauth2/authorize,
// the token endpoint https://api.x.com/2/oauth2/token (HTTP Basic client authentication for a
// confidential client, client_id in the body for a public one). After the exchange Herald reads
// the account with GET /2/users/me. Until the app is configured, Meta().Setup says how, and
// BeginOAuth refuses with that message.
//
// Access tokens last two hours. With offline.access X also issues a refresh token, and every
// refresh ROTATES it: the old refresh token stops working the moment a new one is issued, so
// Refresh always returns the new credentials (changed = true) for the scheduler to save, and
// Publish and Metrics, which renew an expired or refused (401) token once by themselves, write
// the new credentials into the *publishers.Credentials they were given. FindPublished never
// refreshes: the scheduler does not save credentials after it, and a rotated refresh token that
// is not saved signs the channel out.
//
// # Publishing and duplicates
//
// Publish uploads attachments with the chunked media upload (see media.go), then creates the
// post with POST /2/tweets. X honours no idempotency key, so:
//
//   - the create request is never repeated, by Herald or by net/http's transport;
//   - a failure after the request was written (a timeout, a reset, a 502 or 504 from a gateway
//     that gave up waiting) is publishers.KindUnknown, never retryable;
//   - FindPublished looks for the post among the account's recent posts (GET /2/users/:id/tweets
//     from shortly before the scheduled time), comparing texts the way X shows them: links
//     replaced by t.co links, &, < and > escaped, media links appended.
//
// The parts of a thread (publishers.Post.Thread) are posted as a chain of replies, each to the
// one before; the first comment is a self-reply to the last part. Once the first post exists the
// publish has succeeded: a part or a comment that fails afterwards becomes a Published.Warnings
// entry, because retrying the publish would post the first part twice.
//
// # Errors and limits
//
// classify (errors.go) is the one table from X's answers to publishers.Error. X reports its
// 15-minute request windows in x-rate-limit-limit, -remaining and -reset (epoch seconds) and the
// account's 24-hour post cap of its API tier in x-user-limit-24hour-limit, -remaining and
// -reset. Both are recorded from every answer (ratelimit.go); the post cap is returned with each
// publish as Published.Quota so the scheduler can warn before it is reached, and a 429 caused by
// it says so in plain words.
//
// Tokens, client secrets, authorization codes and PKCE verifiers never appear in errors or logs:
// request URLs carry none of them, the token endpoint's own error text is reduced to its RFC 6749
// code, and rate-limit records are keyed by a hash of the token.
package x
