package metagraph

import (
	"context"
	"net/url"
	"strings"
)

// MaxNodes is the most ids one GET /?ids= may name.
const MaxNodes = 50

// Nodes reads up to MaxNodes nodes with one GET /?ids=…&fields=…, each decoded into T under its
// id. Graph refuses the whole request when one of the ids no longer exists ("(#100) Some of the
// aliases you requested do not exist", without a subcode), so a refused request is read again
// one id at a time, and the ids Graph does not know or this token cannot see (error 100,
// subcode 33) are left out of the map. Any other refusal is returned: for a single node it is
// the node's own answer (a field or metric the node refuses, say).
func Nodes[T any](ctx context.Context, c *Client, token string, ids []string, fields string) (map[string]T, error) {
	var got map[string]T
	err := c.Get(ctx, token, "/", url.Values{"ids": {strings.Join(ids, ",")}, "fields": {fields}}, &got)
	if err == nil {
		return got, nil
	}
	if code, _, ok := CodeOf(err); !ok || code != 100 {
		return nil, err
	}
	out := make(map[string]T, len(ids))
	for _, id := range ids {
		var n T
		err := c.Get(ctx, token, "/"+id, url.Values{"fields": {fields}}, &n)
		if Gone(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, nil
}

// Gone is Graph's answer for a node that does not exist, or that the token cannot see: error
// 100 with subcode 33.
func Gone(err error) bool {
	code, subcode, ok := CodeOf(err)
	return ok && code == 100 && subcode == 33
}
