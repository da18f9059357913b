// Package telegram publishes to a Telegram channel or group through a bot, with the Bot API
// (https://core.telegram.org/bots/api).
//
// A person creates a bot with @BotFather, adds it to the channel as an administrator allowed to
// post messages, and types the bot's token and the channel's @username (or numeric id) into
// Herald. ConnectForm checks both with Telegram before answering: getMe (the token), getChat
// (the chat exists and the bot can see it) and getChatMember for the bot itself (it must be an
// administrator; in a channel, one with can_post_messages). A refusal names the field to fix.
//
// # Publishing
//
// Every call is https://api.telegram.org/bot<token>/<method>. Text goes out with sendMessage
// (no parse_mode: the text is shown exactly as approved, with no Markdown or HTML surprises;
// link_preview_options controls the link preview). One attachment goes with sendPhoto,
// sendVideo or sendAnimation (a GIF) and the text as its caption; two to ten photos and videos
// go with sendMediaGroup, the text being the caption of the first item (how Telegram shows a
// caption for an album). Files are uploaded as multipart/form-data parts, referenced from the
// media group's JSON as "attach://<part name>" (Bot API, "Sending files").
//
// The post's URL is https://t.me/<username>/<message_id> in a public channel or group, and
// https://t.me/c/<internal id>/<message_id> in a private one (the chat id without its -100
// prefix); it only opens for members.
//
// # What the Bot API cannot do
//
//   - It has no idempotency key and a bot cannot read a channel's history, so a post whose
//     outcome is unknown (a timeout after sending) cannot be looked up: FindPublished always
//     answers "cannot tell" and Capabilities.FindPublished is false, so the scheduler asks a
//     person instead of posting twice.
//   - It does not give bots the view counts or reactions of channel posts: Metrics returns an
//     empty map, and Meta's MetricsNote says so.
//   - A first comment would have to be posted in the channel's linked discussion group as a
//     reply to the automatic forward of the post, which arrives only as an update the bot must
//     poll for; Herald does not do that, so Capabilities.FirstComment is false.
//
// # Errors and secrets
//
// Every failure goes through classify (errors.go), one table from the Bot API's answer
// {"ok":false,"error_code":…,"description":…,"parameters":{"retry_after":N}} to a
// publishers.Error. The bot token is part of every request URL, so it is redacted from every
// error (net/http's errors name the URL) and never logged; the Account and the error messages
// name the bot by its @username only.
package telegram
