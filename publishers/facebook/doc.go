// Package facebook publishes to Facebook Pages through Meta's Graph API (package metagraph).
//
// # Connecting
//
// A person signs in with Facebook Login (state + S256 PKCE; the code is exchanged for a
// short-lived user token and at once for a long-lived one). Client implements
// publishers.AccountChooser: Choices lists the Pages the sign-in reaches (GET /me/accounts) and
// Choose returns the credentials of one Page: its own Page token, which does not expire while the
// person's grant holds, so Refresh has nothing to do. The app's id and secret come from Options.App
// (HERALD_FACEBOOK_CLIENT_ID / _SECRET); without them Meta().Setup explains how to create the Meta
// app and BeginOAuth refuses with that text.
//
// # Publishing
//
//   - text, with or without a link: POST /{page-id}/feed (message, and link set to the first URL
//     of the text, so Facebook shows its card);
//   - one photo: POST /{page-id}/photos with the photo's public URL (url) when
//     publishers.PublicURLProblem finds none, else the bytes uploaded as the multipart source;
//   - several photos: each uploaded unpublished (published=false), then POST /{page-id}/feed
//     with attached_media;
//   - one video: POST /{page-id}/videos (file_url when public, else the uploaded source), with the
//     text as its description.
//
// The post's URL is https://www.facebook.com/{id}. A first comment is POST /{id}/comments as the
// Page; when it fails the post still counts as published and Published.Warnings says so.
//
// # Duplicates
//
// Graph takes no idempotency key. Requests that create a post are never replayed by the
// transport, a failure after one was sent is publishers.KindUnknown, and FindPublished looks for
// the text among the Page's published_posts since the scheduled time (5 minutes of lead).
// Posts with media and no text cannot be told apart that way: FindPublished answers "cannot
// tell" for them.
//
// # Metrics
//
// Up to 50 posts per request (GET /?ids=…): reactions (as likes), comments (as replies), shares
// (as reposts), and the insights post_media_view (as impressions: Meta replaced
// post_impressions with it in November 2025) and post_clicks through field expansion. When Graph
// refuses the insights (a Page under 100 likes, a metric retired since), the counts are still
// read without them.
package facebook
