package main

import (
	"log/slog"
	"path/filepath"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
)

// buildRegistry configures the networks this process publishes to. The sandbox keeps its state
// in the process that serves its pages, so only `herald serve` registers it (a separate worker
// would hold sandbox posts as "network not enabled": run the demo with serve alone).
func buildRegistry(c *config, log *slog.Logger, withHTTP bool) (*publishers.Registry, *sandbox.Network) {
	reg := publishers.NewRegistry()
	for _, p := range realNetworks() {
		reg.Register(p)
	}
	var sb *sandbox.Network
	if c.Sandbox && withHTTP {
		sb = sandbox.New(sandbox.Options{BaseURL: c.PublicURL, StatePath: filepath.Join(c.DataDir, "sandbox.json"), Logger: log})
		reg.Register(sb)
	}
	return reg, sb
}

// realNetworks are the publishers for real networks.
func realNetworks() []publishers.Publisher {
	return nil
}
