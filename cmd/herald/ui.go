package main

import (
	"github.com/heraldhq/herald/frontend"
	"github.com/heraldhq/herald/publishers"
)

// uiConfig is what the web UI learns at page load (window.HERALD): nothing secret.
func uiConfig(c *config, reg *publishers.Registry) frontend.Config {
	fc := frontend.Config{Version: version, PublicURL: c.PublicURL, Demo: c.Demo, Sandbox: c.Sandbox, Networks: []string{}}
	for _, p := range reg.All() {
		fc.Networks = append(fc.Networks, p.Meta().Name)
	}
	if c.Demo {
		for _, du := range demoUsers {
			fc.DemoAccounts = append(fc.DemoAccounts, frontend.DemoAccount{Email: du.Email, Name: du.Name, Role: du.Role})
		}
		fc.DemoPassword = demoPassword
	}
	return fc
}
