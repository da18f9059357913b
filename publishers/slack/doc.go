// Package slack publishes to a Slack channel, in one of two ways chosen by which form fields a
// person fills in:
//
//   - An incoming webhook (https://api.slack.com/messaging/webhooks): a URL
//     https://hooks.slack.com/services/T…/B…/… that posts to the channel it was created for.
//     Slack offers no way to check a webhook without posting through it, so ConnectForm checks
//     only the URL's shape (and the form's help says so). A webhook answers plain text ("ok", or
//     an error code such as invalid_payload, no_text, channel_not_found, channel_is_archived,
//     action_prohibited, no_service) and returns no message id, so a webhook post has no link,
//     no engagement and cannot be looked up after a lost answer; nor can a webhook upload files.
//   - A bot token (xoxb-…) of a Slack app installed in the workspace, and the channel's id.
//     ConnectForm checks both with the Web API (auth.test, conversations.info: the channel must
//     exist and the app be a member of it). Posts go out with chat.postMessage, which returns the
//     message's ts; its link comes from chat.getPermalink. Images are uploaded the way Slack
//     documents since files.upload was retired: files.getUploadURLExternal, a POST of the bytes
//     to the URL it returns, then files.completeUploadExternal with the channel and the text as
//     initial_comment. Engagement is read with reactions.get (the sum of every reaction's count
//     is reported as likes) and conversations.replies (the thread's reply_count), and a post
//     whose outcome is unknown is looked for with conversations.history around its scheduled
//     time, by the app's bot id and the text. The app needs the scopes chat:write,
//     channels:read (groups:read for a private channel), channels:history (groups:history),
//     reactions:read and, for images, files:write and files:read.
//
// Text is sent as Slack's mrkdwn with &, < and > escaped as Slack asks
// (https://api.slack.com/reference/surfaces/formatting#escaping): a post cannot turn into an
// unintended link or a <!channel> notification; a plain "@channel" notifies nobody since Herald
// does not ask Slack to link names.
//
// # Errors and secrets
//
// The Web API answers HTTP 200 with {"ok":false,"error":"…"} for most failures, and 429 with a
// Retry-After header when rate limited; classify (errors.go) is the one table from either
// transport's answer to a publishers.Error. The webhook URL is a secret (anyone holding it can
// post): it is kept only in the channel's credentials and redacted from every error. Bot tokens
// travel in the Authorization header, never in a URL.
package slack
