package secrets_test

import (
	"fmt"
	"log"

	"github.com/heraldhq/herald/server/secrets"
)

// Example shows a key rotation: "2025b" is the new primary, "2025a" the
// key that sealed the stored value. The keys are examples; generate real
// ones with GenerateKey.
func Example() {
	before, err := secrets.ParseKeyring("2025a:7rNrfC5Z6qZH0X3EHlVnAjS8Jk7uLxJHd3dZ6r2mGfQ")
	if err != nil {
		log.Fatal(err)
	}
	stored, _ := before.Seal([]byte("oauth-access-token"), []byte("channel:42"))

	ring, err := secrets.ParseKeyring("2025b:Xq9xW0sZbJm3PpP3m2sV8e1m0G7wQ4fJ2c6hK9tR1yA,2025a:7rNrfC5Z6qZH0X3EHlVnAjS8Jk7uLxJHd3dZ6r2mGfQ")
	if err != nil {
		log.Fatal(err)
	}
	token, err := ring.Open(stored, []byte("channel:42"))
	fmt.Println(string(token), err)

	_, err = ring.Open(stored, []byte("channel:43"))
	fmt.Println(err)

	fmt.Println(ring.NeedsRotation(stored))
	rotated, changed, _ := ring.Rotate(stored, []byte("channel:42"))
	fmt.Println(changed, ring.NeedsRotation(rotated))
	// Output:
	// oauth-access-token <nil>
	// secrets: sealed value is malformed or has been tampered with
	// true
	// true false
}

// ExampleRedacted shows a credential that stays out of logs.
func ExampleRedacted() {
	type channelAuth struct {
		Network     string
		AccessToken secrets.Redacted
	}
	c := channelAuth{Network: "mastodon", AccessToken: secrets.Redact("s3cret")}
	fmt.Printf("%+v\n", c)
	fmt.Println(len(c.AccessToken.Reveal()))
	// Output:
	// {Network:mastodon AccessToken:[redacted]}
	// 6
}
