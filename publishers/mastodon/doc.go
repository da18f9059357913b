// Package mastodon publishes to Mastodon and to servers that speak its client API.
//
// Every Mastodon server is its own OAuth provider, so Herald registers an app on the instance a
// person names (POST /api/v1/apps) each time they connect, and keeps that app's client id and
// secret with the channel's credentials. Tokens issued by Mastodon do not expire and carry no
// refresh token; Refresh only acts for servers that do issue them.
//
// # Publishing and duplicates
//
// Publish uploads attachments (POST /api/v2/media, polling GET /api/v1/media/:id while the
// instance processes them), then creates the status (POST /api/v1/statuses) with the post's
// idempotency key in the Idempotency-Key header. Mastodon itself honours that header for an
// hour, but not every compatible server does, so:
//
//   - the create request is never replayed by net/http's transport (Go silently re-sends a
//     request that carries an Idempotency-Key header when a kept-alive connection drops, which
//     would post twice on a server that ignores the key);
//   - a failure after the request was written (a timeout, a reset, a 502 or 504 from a proxy
//     that gave up waiting) is reported as publishers.KindUnknown, never as retryable;
//   - FindPublished does not rely on the key: it looks for the text among the account's recent
//     statuses within the post's time window.
//
// A first comment is posted as a public self-reply with its own idempotency key (the post's key
// + "-c1"). When it fails after the post itself succeeded, Publish still succeeds: the post is
// out and retrying it would not bring the comment back. The failure goes to
// Options.OnFirstCommentError (by default a warning in Options.Logger).
//
// # Errors and rate limits
//
// classify is the one table from an instance's answer to a publishers.Error; errors.go lists its
// rows. Every response's X-RateLimit-Limit, -Remaining and -Reset headers are recorded, per
// instance and token, by the client's transport (so the OAuth token exchange counts too);
// Client.RateLimit returns the last values seen so the scheduler can pace a channel before it
// hits a 429.
//
// Tokens, client secrets and authorization codes never appear in errors or logs: request URLs
// carry none of them, the token endpoint's own error text is replaced by a plain message, and
// rate-limit records are keyed by a hash of the token.
package mastodon
