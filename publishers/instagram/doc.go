// Package instagram publishes to Instagram professional (business and creator) accounts through
// the Instagram API with Facebook Login, on Meta's Graph API (package metagraph).
//
// # Connecting
//
// A person signs in with Facebook Login, the same Meta app as Facebook Pages (state + S256 PKCE;
// the code is exchanged for a short-lived user token and at once for a long-lived one).
// Client implements publishers.AccountChooser: Choices lists the Instagram professional accounts
// linked to the Pages the sign-in reaches (instagram_business_account, read with /me/accounts),
// and Choose returns the credentials of one: the linked Page's token (which does not expire
// while the person's grant holds), with the Instagram account's id and the Page's id in Extra.
//
// # Publishing
//
// Instagram downloads every attachment itself, so each publishers.Media.URL must be reachable
// from the internet: Publish checks them all with publishers.PublicURLProblem and fails
// permanently with its message before calling anything. Then:
//
//  1. GET /{ig-user-id}/content_publishing_limit: when the account's allowance of posts
//     published through the API in 24 hours is used up, a rate-limited error says when a slot is
//     expected to open; otherwise the allowance is returned as Published.Quota;
//  2. POST /{ig-user-id}/media creates the container: image_url for an image, video_url with
//     media_type=REELS for a video, and for a carousel one container per item
//     (is_carousel_item, media_type=VIDEO for videos) then a CAROUSEL container with children;
//  3. GET /{container-id}?fields=status_code,status until FINISHED (IN_PROGRESS waits, with
//     Options.Sleep and the injected clock, at most Options.ContainerPollTimeout; ERROR fails
//     permanently with Instagram's reason; EXPIRED is retried with new containers);
//  4. POST /{ig-user-id}/media_publish with creation_id, then GET /{media-id}?fields=permalink.
//
// A first comment is POST /{media-id}/comments; when it fails the post still counts as published
// and Published.Warnings says so.
//
// # Duplicates
//
// Containers are harmless to create again (they expire unpublished after 24 hours); only
// media_publish makes a post, it is never replayed by the transport, and a failure after it was
// sent is publishers.KindUnknown. FindPublished looks for the caption among the account's media
// since the scheduled time.
//
// # Metrics
//
// like_count and comments_count for up to 50 media per request, and per media the insights
// views (as impressions), shares (as reposts), likes and comments. Meta retired impressions and
// plays for media in April 2025; views replaced them.
package instagram
