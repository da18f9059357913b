// Package discord publishes to a Discord channel through one of its incoming webhooks
// (https://discord.com/developers/docs/resources/webhook).
//
// A person creates a webhook in the channel's settings (Integrations → Webhooks → New Webhook →
// Copy Webhook URL) and pastes its URL into Herald. The URL is
// https://discord.com/api/webhooks/{webhook.id}/{webhook.token} (discordapp.com and the canary
// and ptb hosts work too); the token in it is all anyone needs to post as the webhook, so it is a
// secret: it is kept only in the channel's credentials and redacted from every error.
//
// ConnectForm checks the URL's shape, then reads the webhook ("Get Webhook with Token",
// GET /webhooks/{id}/{token}) for its name, channel and server.
//
// # Publishing
//
// Publish executes the webhook ("Execute Webhook", POST /webhooks/{id}/{token}?wait=true): with
// wait=true Discord answers with the created message, whose id gives the post's URL
// https://discord.com/channels/{guild_id}/{channel_id}/{message_id}. Attachments are uploaded in
// the same request as multipart/form-data: the files as parts files[0]…files[9] and the message
// as the part payload_json, whose attachments array describes each file (its description is the
// alt text) ("Uploading Files", https://discord.com/developers/docs/reference#uploading-files).
//
// allowed_mentions is always sent, with parse ["users", "roles"]: a post that says "@everyone"
// or "@here" shows those words but does not notify the whole server. Scheduled posts are
// written for many networks at once, where "@everyone" is just a word, and a server-wide ping
// that nobody meant cannot be taken back; user and role mentions, on the other hand, only exist
// in Discord's own <@id> and <@&id> syntax, which nobody types by accident. Herald's posts have
// no way yet to say "notify everyone on purpose" (see the report to the lead).
//
// # Rate limits
//
// Discord's limits are per route (for a webhook, per webhook), with a global limit besides; every
// answer carries X-RateLimit-Limit, -Remaining, -Reset-After and -Bucket, and a 429 carries a JSON
// body {"message","retry_after","global"} with Retry-After and X-RateLimit-Scope
// (https://discord.com/developers/docs/topics/rate-limits). The client remembers, per webhook,
// when its bucket is empty, and holds the next execution until the bucket resets when that is
// soon (Options.MaxPace), or reports a rate limit without sending when it is not: Discord
// bans clients that keep hitting 429s.
//
// # What a webhook cannot do
//
//   - A webhook can read a message only by its id, not list a channel, so a post whose outcome
//     is unknown cannot be found: Capabilities.FindPublished is false and FindPublished always
//     answers "cannot tell". Discord has no idempotency key either.
//   - Reactions can be read only with a bot token: Metrics returns an empty map and MetricsNote
//     says so.
package discord
