package httpapi

import (
	"net/http"

	"github.com/heraldhq/herald/publishers"
)

// Network names a network in the errors built here, which every publisher using it words the
// same way.
type Network struct {
	// Name is the network's registry name, the errors' Network.
	Name string
	// Display is how a message names it: "X", "LinkedIn", "the Mastodon server".
	Display string
	// Unfindable marks a publisher that cannot look a post up afterwards (its FindPublished
	// always answers that it cannot tell: a Telegram bot, a Discord or Slack webhook). A message
	// about a post that may exist then asks a person to check the channel, rather than saying
	// Herald will.
	Unfindable bool
}

// next says what happens about a post that may exist.
func (n Network) next(willCheck string) string {
	if n.Unfindable {
		return "check the channel"
	}
	return willCheck
}

// Failed classifies a Failure of Do. A request that could not be built is permanent: sending it
// again would fail the same way. Any other failure is classified as by TransportError.
func (n Network) Failed(f *Failure, create bool) *publishers.Error {
	if f.Invalid {
		return &publishers.Error{Kind: publishers.KindPermanent, Network: n.Name,
			Message: "the request to " + n.Display + " could not be built", Err: f.Err}
	}
	return n.lost(f.Err, f.Reason, create && f.Wrote)
}

// TransportError classifies a request that got no answer. create marks a request whose
// repetition may publish twice (creating a post): once it was written, the network may have
// acted on it, so the outcome is unknown. Every other failure (any failure before the request
// was written, any failure of a repeatable request) is retryable. The error keeps err as its
// cause.
func (n Network) TransportError(err error, create, wrote bool) *publishers.Error {
	return n.lost(err, Reason(err), create && wrote)
}

func (n Network) lost(err error, reason string, mayExist bool) *publishers.Error {
	if mayExist {
		return &publishers.Error{Kind: publishers.KindUnknown, Network: n.Name, Err: err,
			Message: "the connection to " + n.Display + " was lost after the post was sent, so it may have been published; " + n.next("Herald will check before trying again")}
	}
	return &publishers.Error{Kind: publishers.KindRetryable, Network: n.Name, Err: err,
		Message: "could not reach " + n.Display + " (" + reason + ")"}
}

// BadAnswer reports a 2xx answer Herald could not read. After a create the post exists (the
// network said so) but its id is unknown: the outcome is unknown, to be reconciled rather than
// posted again. Anything else is retryable.
func (n Network) BadAnswer(create bool, err error) *publishers.Error {
	if create {
		return &publishers.Error{Kind: publishers.KindUnknown, Network: n.Name, Err: err,
			Message: n.Display + " accepted the post but its answer could not be read; " + n.next("Herald will check whether it was published")}
	}
	return &publishers.Error{Kind: publishers.KindRetryable, Network: n.Name, Err: err,
		Message: n.Display + "'s answer could not be read"}
}

// JSONHeader is the header of a call to a JSON API: Accept and User-Agent, and Content-Type and
// a bearer token when they are not empty.
func JSONHeader(userAgent, contentType, token string) http.Header {
	h := http.Header{"Accept": {"application/json"}, "User-Agent": {userAgent}}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return h
}
