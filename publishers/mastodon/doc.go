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
// # Threads and first comments
//
// The later parts of a thread are public self-replies, each to the part before it
// (in_reply_to_id), with the post's language, its own attachments uploaded just before it, and
// its own idempotency key (publishers.PartKey: the post's key + "-1", "-2", …). A first comment
// replies to the last part (to the post itself without a thread), keyed by the post's key +
// "-c1". Publishing the same target again therefore creates nothing twice on a server that
// honours the key: every part and the comment are answered with the statuses made the first time.
//
// Once the first status exists Publish succeeds whatever follows: retrying would post it again on
// servers that ignore the key, and would not bring a refused part back. A part that fails stops
// the thread there (later parts and the first comment are not posted, since they would reply to
// the wrong status) and becomes a Published.Warnings entry that says which part failed and why; a
// failed first comment is a warning too, and also goes to Options.OnFirstCommentError (by default
// a warning in Options.Logger).
//
// When FindPublished finds a post whose outcome was uncertain and that should have replies of its
// own, it reads the post's context (GET /api/v1/statuses/:id/context, every descendant for a
// signed-in account) and warns about the parts that did not follow it, but only when it is sure:
// the account has no reply at all under the last part it could match.
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
