package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/secrets"
	"github.com/heraldhq/herald/server/store"
)

// config is Herald's configuration: HERALD_* environment variables, overridden by flags. Secrets
// (the database URL may hold a password; the secret key) may also come from files named by
// HERALD_*_FILE, as Docker and Kubernetes secrets are mounted.
type config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	SecretKey   string
	PublicURL   string
	LogLevel    string
	LogFormat   string
	Demo        bool
	Sandbox     bool
	SMTPURL     string
	SMTPFrom    string
	// LLMBaseURL, LLMAPIKey and LLMModel configure "rewrite in the brand's voice" through an
	// OpenAI-compatible model server; without a base URL the feature is off.
	LLMBaseURL string
	LLMAPIKey  string
	LLMModel   string
	// TrustedProxies are the addresses (or CIDRs) of reverse proxies whose X-Forwarded-For is
	// believed; without them, a client could pick its own address and dodge sign-in throttling.
	TrustedProxies []string
	// Concurrency and PerNetwork bound publishes in flight per process (see scheduler.Options).
	Concurrency int
	PerNetwork  int
	// AllowPrivate lets Herald connect to private and local network addresses (a Mastodon
	// instance on the company network); by default outbound calls reach public addresses only.
	AllowPrivate bool
}

// envVar documents one configuration variable; the README's table is written from this list.
type envVar struct {
	Name, Default, Help string
}

var envVars = []envVar{
	{"HERALD_ADDR", ":8080", "address the HTTP server listens on"},
	{"HERALD_DATA_DIR", "./data", "directory for the embedded SQLite database and the generated secret key"},
	{"HERALD_DATABASE_URL", "(SQLite in the data directory)", "mysql://user:pass@host:3306/db for MySQL 8 / MariaDB 10.11+, or sqlite://path.db"},
	{"HERALD_SECRET_KEY", "(generated into the data directory with SQLite)", "key(s) that encrypt channel credentials at rest; comma-separated, first seals; required with MySQL"},
	{"HERALD_PUBLIC_URL", "http://localhost:8080", "URL people use to reach Herald (invitation links; https makes cookies Secure)"},
	{"HERALD_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"HERALD_LOG_FORMAT", "text", "text or json"},
	{"HERALD_DEMO", "false", "create the demo workspace and users at start (same as --demo)"},
	{"HERALD_SANDBOX", "false", "enable the built-in sandbox network (on in demo mode)"},
	{"HERALD_ALLOW_PRIVATE_NETWORKS", "false", "let Herald connect to private and local addresses (a network server, webhook or media on your own network); by default it reaches public addresses only"},
	{"HERALD_TRUSTED_PROXIES", "(none)", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is trusted (e.g. 127.0.0.1)"},
	{"HERALD_CONCURRENCY", "256", "network calls in flight at once in one process (it claims up to twice as many targets ahead)"},
	{"HERALD_PER_NETWORK", "64", "network calls in flight at once per network in one process"},
	{"HERALD_SMTP_URL", "(none)", "smtp://user:password@host:587 to email notifications to each workspace's notification address"},
	{"HERALD_SMTP_FROM", "(none)", "the From address of notification emails"},
	{"HERALD_LLM_BASE_URL", "(none)", "an OpenAI-compatible API (https://api.openai.com/v1, or a local model server such as http://localhost:11434/v1) for \"rewrite in the brand's voice\"; without it the feature is hidden"},
	{"HERALD_LLM_API_KEY", "(none)", "the key sent to that API as a Bearer token (or HERALD_LLM_API_KEY_FILE); local servers often need none"},
	{"HERALD_LLM_MODEL", "gpt-4o-mini", "the model that rewrites"},
	{"HERALD_<NETWORK>_CLIENT_ID", "(none)", "the client (app) id of the app registered with a network, for X, LINKEDIN, FACEBOOK (also Instagram), THREADS; without it that network says how to set it up"},
	{"HERALD_<NETWORK>_CLIENT_SECRET", "(none)", "that app's client secret (or HERALD_<NETWORK>_CLIENT_SECRET_FILE)"},
}

// appCredentials reads a network's app credentials from HERALD_<NETWORK>_CLIENT_ID and
// HERALD_<NETWORK>_CLIENT_SECRET (each may also come from a _FILE).
func appCredentials(network string) (publishers.AppCredentials, error) {
	prefix := "HERALD_" + strings.ToUpper(network) + "_CLIENT_"
	id, err := getenv(prefix+"ID", "")
	if err != nil {
		return publishers.AppCredentials{}, err
	}
	secret, err := getenv(prefix+"SECRET", "")
	if err != nil {
		return publishers.AppCredentials{}, err
	}
	return publishers.AppCredentials{ClientID: strings.TrimSpace(id), ClientSecret: strings.TrimSpace(secret)}, nil
}

func getenv(name, def string) (string, error) {
	if f := os.Getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if v, ok := os.LookupEnv(name); ok {
		return v, nil
	}
	return def, nil
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// loadConfig reads the environment, then lets flags on fs override it.
func loadConfig(fs *flag.FlagSet, args []string) (*config, error) {
	c := &config{}
	var err error
	get := func(dst *string, name, def string) {
		if err != nil {
			return
		}
		*dst, err = getenv(name, def)
	}
	get(&c.Addr, "HERALD_ADDR", ":8080")
	get(&c.DataDir, "HERALD_DATA_DIR", "./data")
	get(&c.DatabaseURL, "HERALD_DATABASE_URL", "")
	get(&c.SecretKey, "HERALD_SECRET_KEY", "")
	get(&c.PublicURL, "HERALD_PUBLIC_URL", "")
	get(&c.LogLevel, "HERALD_LOG_LEVEL", "info")
	get(&c.LogFormat, "HERALD_LOG_FORMAT", "text")
	get(&c.SMTPURL, "HERALD_SMTP_URL", "")
	get(&c.SMTPFrom, "HERALD_SMTP_FROM", "")
	get(&c.LLMBaseURL, "HERALD_LLM_BASE_URL", "")
	get(&c.LLMAPIKey, "HERALD_LLM_API_KEY", "")
	get(&c.LLMModel, "HERALD_LLM_MODEL", "")
	var proxies string
	get(&proxies, "HERALD_TRUSTED_PROXIES", "")
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	var conc, perNet string
	get(&conc, "HERALD_CONCURRENCY", "256")
	get(&perNet, "HERALD_PER_NETWORK", "64")
	var demo, sandbox, private string
	get(&demo, "HERALD_DEMO", "")
	get(&sandbox, "HERALD_SANDBOX", "")
	get(&private, "HERALD_ALLOW_PRIVATE_NETWORKS", "")
	if err != nil {
		return nil, err
	}
	c.Demo, c.Sandbox, c.AllowPrivate = truthy(demo), truthy(sandbox), truthy(private)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (HERALD_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (HERALD_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "database URL (HERALD_DATABASE_URL)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "public URL (HERALD_PUBLIC_URL)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level (HERALD_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (HERALD_LOG_FORMAT)")
	var cerr error
	if c.Concurrency, cerr = strconv.Atoi(conc); cerr != nil || c.Concurrency < 1 || c.Concurrency > 10000 {
		return nil, fmt.Errorf("HERALD_CONCURRENCY must be a number from 1 to 10000")
	}
	if c.PerNetwork, cerr = strconv.Atoi(perNet); cerr != nil || c.PerNetwork < 1 || c.PerNetwork > 10000 {
		return nil, fmt.Errorf("HERALD_PER_NETWORK must be a number from 1 to 10000")
	}
	fs.IntVar(&c.Concurrency, "concurrency", c.Concurrency, "publishes in flight per process (HERALD_CONCURRENCY)")
	fs.IntVar(&c.PerNetwork, "per-network", c.PerNetwork, "publishes in flight per network (HERALD_PER_NETWORK)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "create a demo workspace with one user per role (HERALD_DEMO)")
	fs.BoolVar(&c.Sandbox, "sandbox", c.Sandbox, "enable the sandbox network (HERALD_SANDBOX)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.Demo {
		c.Sandbox = true
	}
	if c.PublicURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		c.PublicURL = "http://" + host
	}
	return c, nil
}

func (c *config) location() (store.Location, error) {
	return store.ParseURL(c.DatabaseURL, c.DataDir)
}

// keyring parses HERALD_SECRET_KEY. With SQLite and no key, a key is generated once into the data
// directory (mode 0600), so the zero-setup run works and credentials survive restarts. With MySQL
// several processes must share one key, so it has to be given.
func (c *config) keyring(loc store.Location) (*secrets.Keyring, string, error) {
	if c.SecretKey != "" {
		k, err := secrets.ParseKeyring(c.SecretKey)
		if err != nil {
			return nil, "", fmt.Errorf("HERALD_SECRET_KEY: %w", err)
		}
		return k, "", nil
	}
	if loc.Dialect == store.MySQL {
		return nil, "", errors.New("HERALD_SECRET_KEY is required with MySQL, and every herald process must share it; generate one with `herald secret-key`")
	}
	path := filepath.Join(c.DataDir, "secret.key")
	b, err := os.ReadFile(path)
	note := ""
	if errors.Is(err, os.ErrNotExist) {
		spec, gerr := secrets.GenerateKey()
		if gerr != nil {
			return nil, "", gerr
		}
		if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(path, []byte(spec+"\n"), 0o600); err != nil {
			return nil, "", fmt.Errorf("write %s: %w", path, err)
		}
		b, note = []byte(spec), "generated a secret key in "+path+"; back it up with the database"
	} else if err != nil {
		return nil, "", err
	}
	k, err := secrets.ParseKeyring(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return k, note, nil
}
