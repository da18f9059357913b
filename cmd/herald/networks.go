package main

import (
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/bluesky"
	"github.com/heraldhq/herald/publishers/discord"
	"github.com/heraldhq/herald/publishers/egress"
	"github.com/heraldhq/herald/publishers/facebook"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/mastodon"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/slack"
	"github.com/heraldhq/herald/publishers/telegram"
	"github.com/heraldhq/herald/publishers/threads"
	"github.com/heraldhq/herald/publishers/x"
	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
)

// buildRegistry configures the networks this process publishes to. The sandbox keeps its state
// in the process that serves its pages, so only `herald serve` registers it (a separate worker
// would hold sandbox posts as "network not enabled": run the demo with serve alone).
func buildRegistry(c *config, log *slog.Logger, withHTTP bool) (*publishers.Registry, *sandbox.Network, error) {
	reg := publishers.NewRegistry()
	nets, err := realNetworks(c, log)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range nets {
		reg.Register(p)
	}
	var sb *sandbox.Network
	if c.Sandbox && withHTTP {
		sb = sandbox.New(sandbox.Options{BaseURL: c.PublicURL, StatePath: filepath.Join(c.DataDir, "sandbox.json"), Logger: log})
		reg.Register(sb)
	}
	return reg, sb, nil
}

// realNetworks are the publishers for real networks. Mastodon registers an app on each instance
// when an account connects, Bluesky uses app passwords, and Telegram, Discord and Slack connect
// with values a person types (a bot token, a webhook URL), so none of them needs app credentials;
// networks that do read them with appCredentials and say how to set them up when they are
// missing (Meta.Setup) rather than failing.
func realNetworks(c *config, log *slog.Logger) ([]publishers.Publisher, error) {
	var err error
	app := func(network string) publishers.AppCredentials {
		a, e := appCredentials(network)
		if e != nil && err == nil {
			err = e
		}
		return a
	}
	// Facebook Pages and Instagram (through Facebook Login) share one Meta app:
	// HERALD_FACEBOOK_CLIENT_ID and HERALD_FACEBOOK_CLIENT_SECRET.
	meta := app("facebook")
	// Every publisher sends through one client: each request bounded to 2 min (a video upload
	// is one request on some networks; the scheduler bounds the whole publish), connections
	// kept for reuse, and private addresses refused unless allowed.
	hc := egress.Client(c.AllowPrivate, 2*time.Minute)
	nets := []publishers.Publisher{
		mastodon.New(mastodon.Options{HTTPClient: hc, Logger: log}),
		bluesky.New(bluesky.Options{HTTPClient: hc, Logger: log}),
		x.New(x.Options{HTTPClient: hc, App: app("x"), Logger: log}),
		linkedin.New(linkedin.Options{HTTPClient: hc, App: app("linkedin"), Logger: log}),
		facebook.New(facebook.Options{HTTPClient: hc, App: meta, Logger: log}),
		instagram.New(instagram.Options{HTTPClient: hc, App: meta, Logger: log}),
		threads.New(threads.Options{HTTPClient: hc, App: app("threads"), Logger: log}),
		// Community spaces, connected with a form (bot token, webhook URL): no app credentials.
		telegram.New(telegram.Options{HTTPClient: hc, Logger: log}),
		discord.New(discord.Options{HTTPClient: hc, Logger: log}),
		slack.New(slack.Options{HTTPClient: hc, Logger: log}),
	}
	return nets, err
}

// buildNotifier delivers notifications by each workspace's signed webhook and, when SMTP is
// configured, by email.
func buildNotifier(c *config, keys *secrets.Keyring) (scheduler.Notifier, error) {
	ns := scheduler.Notifiers{&scheduler.WebhookNotifier{
		Client: egress.Client(c.AllowPrivate, 10*time.Second),
		Now:    time.Now,
		Secret: func(ws *store.Workspace) (string, error) {
			if ws.WebhookSecret == nil {
				return "", errors.New("the workspace's webhook has no secret")
			}
			b, err := keys.Open(*ws.WebhookSecret, server.WebhookAAD(ws.ID))
			return string(b), err
		},
	}}
	if c.SMTPURL != "" {
		e, err := scheduler.ParseSMTPURL(c.SMTPURL, c.SMTPFrom)
		if err != nil {
			return nil, err
		}
		ns = append(ns, e)
	}
	return ns, nil
}
