package main

import (
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/bluesky"
	"github.com/heraldhq/herald/publishers/discord"
	"github.com/heraldhq/herald/publishers/mastodon"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/slack"
	"github.com/heraldhq/herald/publishers/telegram"
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
	nets, err := realNetworks(log)
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
func realNetworks(log *slog.Logger) ([]publishers.Publisher, error) {
	var err error
	app := func(network string) publishers.AppCredentials {
		a, e := appCredentials(network)
		if e != nil && err == nil {
			err = e
		}
		return a
	}
	_ = app // used by the networks that need app credentials
	nets := []publishers.Publisher{
		mastodon.New(mastodon.Options{Logger: log}),
		bluesky.New(bluesky.Options{Logger: log}),
		telegram.New(telegram.Options{Logger: log}),
		discord.New(discord.Options{Logger: log}),
		slack.New(slack.Options{Logger: log}),
	}
	return nets, err
}

// buildNotifier delivers notifications by each workspace's signed webhook and, when SMTP is
// configured, by email.
func buildNotifier(c *config, keys *secrets.Keyring) (scheduler.Notifier, error) {
	ns := scheduler.Notifiers{&scheduler.WebhookNotifier{
		Client: &http.Client{Timeout: 10 * time.Second},
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
