// Package threads publishes to Threads, Meta's text-first network, through the Threads API
// (graph.threads.net). It follows Meta's Threads API documentation, cited in comments by page:
//
//   - Get started:        https://developers.facebook.com/docs/threads/get-started
//   - Access tokens:      https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
//   - Long-lived tokens:  https://developers.facebook.com/docs/threads/get-started/long-lived-tokens
//   - Posts:              https://developers.facebook.com/docs/threads/posts
//   - Publishing (ref.):  https://developers.facebook.com/docs/threads/reference/publishing
//   - Replies:            https://developers.facebook.com/docs/threads/retrieve-and-manage-replies
//   - Media retrieval:    https://developers.facebook.com/docs/threads/threads-media
//   - Insights:           https://developers.facebook.com/docs/threads/insights
//   - Overview (limits):  https://developers.facebook.com/docs/threads/overview
//   - Troubleshooting:    https://developers.facebook.com/docs/threads/troubleshooting
//   - Graph errors:       https://developers.facebook.com/docs/graph-api/guides/error-handling
//
// There is no machine-readable description of the Threads API (Meta publishes none; the
// Business SDK's codegen specs stop at a two-field ThreadsUser node), so the fake in threadstest
// is written from the same pages.
//
// # Connecting
//
// An administrator registers a Meta app with the Threads use case and gives Herald its Threads
// app id and secret (Options.App, from HERALD_THREADS_CLIENT_ID and _SECRET). A person signs in
// at the Threads authorization window; the code is exchanged for a short-lived token (one
// hour), which is exchanged at once for a long-lived one (60 days), and the account is read
// from /me. The long-lived token can be renewed for another 60 days once it is 24 hours old and
// until it expires; an expired token cannot be renewed, and the channel must be reconnected.
// Refresh renews tokens that expire within RefreshMargin, and Publish and Metrics renew a due
// token on their own (replacing *creds), so a channel that posts keeps its access.
//
// # Publishing and duplicates
//
// Threads fetches media itself from public URLs, so every attachment's URL is checked with
// publishers.PublicURLProblem before anything is sent. A post is a media container
// (POST /{user-id}/threads) that is published (POST /{user-id}/threads_publish). Creating a
// container is harmless to repeat (an unpublished container expires after 24 hours); publishing
// is the one request that creates a post, and Threads takes no idempotency key. So:
//
//   - threads_publish is never replayed by net/http, and a failure after it was written (a
//     timeout, a reset) is publishers.KindUnknown;
//   - when Threads answers threads_publish with an error Herald would retry, Publish first asks
//     the container's status: a container that says PUBLISHED, or that cannot be asked about,
//     makes the outcome unknown instead;
//   - FindPublished looks for the post among the account's own posts by text and time.
//
// Thread parts and the first comment are replies (reply_to_id) to the part before them. Once the
// first post is out, a failure of a later part becomes a Published.Warnings entry and Publish
// succeeds: retrying would post the first part twice. Before anything is sent, Publish reads the
// account's publishing limit (250 posts and 1,000 replies per moving 24 hours): a full quota is
// a rate-limited error that waits until the oldest post of the window leaves it, and a thread
// whose replies would not fit is held back whole rather than cut short.
//
// # Errors
//
// classify (errors.go) is the one table from a Graph-style error body to a publishers.Error.
// Tokens, the app secret and authorization codes never appear in errors or logs: API calls carry
// the token in the Authorization header, the two token calls that must carry it in the query
// have their URLs cut to the path in every error, and the token endpoints' own error text is
// reduced to Meta's message.
package threads
