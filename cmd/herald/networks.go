package main

import (
	"log/slog"
	"path/filepath"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/bluesky"
	"github.com/heraldhq/herald/publishers/mastodon"
	"github.com/heraldhq/herald/publishers/sandbox"
)

// buildRegistry configures the networks this process publishes to. The sandbox keeps its state
// in the process that serves its pages, so only `herald serve` registers it (a separate worker
// would hold sandbox posts as "network not enabled": run the demo with serve alone).
func buildRegistry(c *config, log *slog.Logger, withHTTP bool) (*publishers.Registry, *sandbox.Network) {
	reg := publishers.NewRegistry()
	for _, p := range realNetworks(log) {
		reg.Register(p)
	}
	var sb *sandbox.Network
	if c.Sandbox && withHTTP {
		sb = sandbox.New(sandbox.Options{BaseURL: c.PublicURL, StatePath: filepath.Join(c.DataDir, "sandbox.json"), Logger: log})
		reg.Register(sb)
	}
	return reg, sb
}

// realNetworks are the publishers for real networks. Mastodon registers an app on each instance
// when an account connects and Bluesky uses app passwords, so neither needs app credentials.
func realNetworks(log *slog.Logger) []publishers.Publisher {
	return []publishers.Publisher{
		mastodon.New(mastodon.Options{Logger: log}),
		bluesky.New(bluesky.Options{Logger: log}),
	}
}
