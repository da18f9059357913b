package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// demoPassword is the password of the demo users. It is only ever set by --demo, which exists to
// show Herald on a laptop; without --demo no user with a known password is created.
const demoPassword = "herald-demo-2026"

const demoWorkspace = "Demo — Herald Coffee Roasters"

var demoUsers = []struct{ Email, Name, Role string }{
	{"owner@demo.herald.local", "Olivia Owner", "owner"},
	{"admin@demo.herald.local", "Adam Admin", "admin"},
	{"editor@demo.herald.local", "Elise Editor", "editor"},
	{"author@demo.herald.local", "Camille Community", "author"},
	{"viewer@demo.herald.local", "Victor Client", "viewer"},
}

// seedDemo creates the demo workspace, its users and a few posts, once; later runs only print
// how to sign in.
func seedDemo(ctx context.Context, st *store.Store, keys *secrets.Keyring, out io.Writer, publicURL string) error {
	owner, err := st.UserByEmail(ctx, demoUsers[0].Email)
	switch {
	case err == nil:
		printDemo(out, publicURL, owner)
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	hash, err := auth.HashPassword(demoPassword, auth.DefaultParams)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, du := range demoUsers {
		u := &store.User{Email: du.Email, Name: du.Name, PasswordHash: hash}
		if err := st.CreateUser(ctx, u); err != nil {
			return err
		}
		ids[du.Role] = u.ID
	}
	sys := store.Actor{Label: "demo setup"}
	ws := &store.Workspace{Name: demoWorkspace, TimeZone: "Europe/Paris", RequiredApprovals: 1, GracePeriodSeconds: 3600}
	if err := st.CreateWorkspace(ctx, ws, ids["owner"], sys); err != nil {
		return err
	}
	for _, du := range demoUsers[1:] {
		if err := st.AddMember(ctx, ws.ID, ids[du.Role], du.Role, sys); err != nil {
			return err
		}
	}
	// Two channels on the built-in sandbox network, so a post can target more than one channel.
	var chans []int64
	for _, ch := range []store.Channel{
		{Network: "sandbox", Name: "Herald Coffee (sandbox)", Handle: "@heraldcoffee", ExternalID: "heraldcoffee"},
		{Network: "sandbox", Name: "Herald Café FR (sandbox)", Handle: "@heraldcafe", ExternalID: "heraldcafe"},
	} {
		ch.WorkspaceID, ch.TimeZone, ch.Status = ws.ID, "Europe/Paris", store.ChannelConnected
		ch.Slots = []store.PostingSlot{{Weekday: 1, MinuteOfDay: 9 * 60}, {Weekday: 3, MinuteOfDay: 12*60 + 30}, {Weekday: 5, MinuteOfDay: 17 * 60}}
		creds, err := json.Marshal(sandbox.DemoCredentials(ch.Handle, ch.Name))
		if err != nil {
			return err
		}
		seal := func(id int64) (string, string, error) { return scheduler.SealCredentials(keys, id, creds) }
		if err := st.CreateChannel(ctx, &ch, seal, sys); err != nil {
			return err
		}
		chans = append(chans, ch.ID)
	}
	author := store.Actor{UserID: ids["author"], Label: "Camille Community"}
	editor := store.Actor{UserID: ids["editor"], Label: "Elise Editor"}
	pol := workflow.Policy{RequiredApprovals: 1}
	now := st.Now()
	day := func(d int, h int) *time.Time {
		t := now.Truncate(24*time.Hour).AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
		return &t
	}
	targets := []store.TargetInput{{ChannelID: chans[0]}, {ChannelID: chans[1]}}
	posts := []struct {
		in      store.PostInput
		at      *time.Time
		actions []workflow.Action
	}{
		{store.PostInput{Title: "Winter blend launch", Body: "Our Winter Blend is back: notes of cocoa, orange peel and clove. In shops from Monday! #coffee", Labels: []string{"launch"}, Targets: targets}, day(2, 8), []workflow.Action{workflow.Submit, workflow.Approve, workflow.Schedule}},
		{store.PostInput{Title: "Barista tips", Body: "Tip of the week: rinse your paper filter with hot water before brewing. It removes the papery taste.", Labels: []string{"tips"}, Targets: targets[:1]}, day(4, 10), []workflow.Action{workflow.Submit}},
		{store.PostInput{Title: "Latte art contest", Body: "Show us your best latte art with #HeraldLatteArt. Winners announced Friday!", Labels: []string{"community"}, Targets: targets}, day(6, 15), nil},
	}
	for _, p := range posts {
		created, err := st.CreatePost(ctx, ws.ID, author, p.in, p.at, "Europe/Paris")
		if err != nil {
			return err
		}
		for _, act := range p.actions {
			a, role := author, workflow.Author
			if act != workflow.Submit {
				a, role = editor, workflow.Editor
			}
			if _, _, err := st.ApplyPostAction(ctx, ws.ID, created.ID, store.PostAction{Action: act, Actor: a, Role: role, Policy: pol}); err != nil {
				return fmt.Errorf("demo post %q: %s: %w", p.in.Title, act, err)
			}
		}
	}
	u, err := st.UserByEmail(ctx, demoUsers[0].Email)
	if err != nil {
		return err
	}
	printDemo(out, publicURL, u)
	return nil
}

func printDemo(out io.Writer, publicURL string, _ *store.User) {
	fmt.Fprintf(out, "\nHerald demo is ready at %s\n", publicURL)
	fmt.Fprintf(out, "Workspace %q. Sign in with any of these (password %q):\n", demoWorkspace, demoPassword)
	for _, du := range demoUsers {
		fmt.Fprintf(out, "  %-8s %s\n", du.Role, du.Email)
	}
	fmt.Fprintf(out, "API: curl -c jar -H 'Content-Type: application/json' -d '{\"email\":\"%s\",\"password\":\"%s\"}' %s/api/v1/auth/signin\n\n",
		demoUsers[3].Email, demoPassword, publicURL)
}
