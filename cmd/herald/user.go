package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// readPassword reads one line from stdin; passwords never come from flags, which show in `ps`.
func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	fmt.Fprint(stdout, "Password (one line on standard input): ")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	fmt.Fprintln(stdout)
	pw := strings.TrimRight(line, "\r\n")
	if err := auth.ValidatePassword(pw); err != nil {
		return "", err
	}
	return pw, nil
}

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "set-password") {
		return errors.New("usage: herald user create|set-password --email E [flags]")
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "", "the user's name (create)")
	wsID := fs.Int64("workspace", 0, "add the user to this workspace id (create)")
	role := fs.String("role", "", "role in --workspace: owner, admin, editor, author or viewer (create)")
	newWS := fs.String("new-workspace", "", "create a workspace of this name owned by the user (create)")
	c, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		return errors.New("--email is required")
	}
	log := newLogger(c, stderr)
	st, _, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer st.Close()
	pw, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams)
	if err != nil {
		return err
	}
	cli := store.Actor{Label: "herald CLI"}
	if sub == "set-password" {
		u, err := st.UserByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("no user with email %s", *email)
		}
		if err := st.SetPassword(ctx, u.ID, hash, 0); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Password changed for %s; their sessions were signed out.\n", u.Email)
		return nil
	}
	if *wsID != 0 {
		if _, err := workflow.ParseRole(*role); err != nil {
			return errors.New("--role must be owner, admin, editor, author or viewer")
		}
	}
	u := &store.User{Email: *email, Name: strings.TrimSpace(*name), PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("a user with email %s already exists", u.Email)
		}
		return err
	}
	fmt.Fprintf(stdout, "Created user %d <%s>.\n", u.ID, u.Email)
	if *wsID != 0 {
		if err := st.AddMember(ctx, *wsID, u.ID, *role, cli); err != nil {
			return fmt.Errorf("add to workspace %d: %w", *wsID, err)
		}
		fmt.Fprintf(stdout, "Added to workspace %d as %s.\n", *wsID, *role)
	}
	if *newWS != "" {
		w := &store.Workspace{Name: *newWS, TimeZone: "UTC", RequiredApprovals: 1, GracePeriodSeconds: 3600}
		if err := st.CreateWorkspace(ctx, w, u.ID, cli); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created workspace %d %q owned by %s.\n", w.ID, w.Name, u.Email)
	}
	return nil
}
