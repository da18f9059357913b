package auth_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald/server/auth"
)

// Example_signIn shows the order in which a sign-in handler uses the
// primitives. The map stands in for the users table.
func Example_signIn() {
	clock := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	byAddr := auth.NewLimiter(20, time.Hour, now)
	byAccount := auth.NewLimiter(3, 15*time.Minute, now)

	// A real server hashes with auth.DefaultParams; cheap ones keep the
	// example fast, and show the upgrade on sign-in below.
	stored, _ := auth.HashPassword("correct horse battery staple", auth.TestParams)
	users := map[string]string{"ada@example.com": stored}

	signIn := func(addr, email, password string) string {
		if ok, retry := byAddr.Allow("addr:" + addr); !ok {
			return fmt.Sprintf("429 retry after %v", retry)
		}
		if ok, retry := byAccount.Allow("account:" + email); !ok {
			return fmt.Sprintf("429 retry after %v", retry)
		}
		hash, found := users[email]
		if !found {
			auth.CheckDummy(password) // same cost as a wrong password
			return "401"
		}
		ok, needsRehash, err := auth.CheckPassword(hash, password)
		if err != nil {
			return "500" // a damaged row; log err, do not show it
		}
		if !ok {
			return "401"
		}
		if needsRehash {
			users[email], _ = auth.HashPassword(password, auth.DefaultParams)
		}
		byAccount.Reset("account:" + email)
		token, tokenHash, _ := auth.NewToken(auth.PrefixSession)
		_ = tokenHash // store this in the sessions table, the token in the cookie
		return "200 " + token[:len(auth.PrefixSession)] + "…"
	}

	fmt.Println(signIn("192.0.2.7", "nobody@example.com", "guess"))
	for range 3 {
		fmt.Println(signIn("192.0.2.7", "ada@example.com", "guess"))
	}
	fmt.Println(signIn("192.0.2.7", "ada@example.com", "correct horse battery staple"))
	clock = clock.Add(15 * time.Minute)
	fmt.Println(signIn("192.0.2.7", "ada@example.com", "correct horse battery staple"))
	fmt.Println(strings.Contains(users["ada@example.com"], "m=65536,t=3,p=2"))
	// Output:
	// 401
	// 401
	// 401
	// 401
	// 429 retry after 15m0s
	// 200 hrld_ses_…
	// true
}
