package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
)

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "sandbox.json")
	withState := func(o *Options) { o.StatePath = path }
	e := newEnv(t, withState)
	creds, _ := e.connect("Herald Coffee")
	res := e.publish(creds, "k1", "Before the restart")

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v, want 0600", info.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), creds.AccessToken) || strings.Contains(string(b), creds.RefreshToken) {
		t.Error("the state file holds a usable token")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the data directory holds %d files; temporary files left behind?", len(entries))
	}

	// A new process with the same file: same posts, the channel still connected, ids go on.
	clk := newClock()
	clk.Add(10 * time.Minute)
	n := New(Options{Now: clk.Now, BaseURL: e.base, StatePath: path, HTTPClient: e.browser, Logger: quiet})
	ctx := context.Background()
	found, err := n.FindPublished(ctx, creds, publishers.Post{IdempotencyKey: "k1"})
	if err != nil || found == nil || !reflect.DeepEqual(*found, res) {
		t.Fatalf("after restart FindPublished = %+v, %v", found, err)
	}
	next, err := n.Publish(ctx, creds, publishers.Post{IdempotencyKey: "k2", Text: "After the restart"})
	if err != nil || next.ExternalID != "2" {
		t.Errorf("after restart Publish = %+v, %v", next, err)
	}
	if m, err := n.Metrics(ctx, creds, []string{res.ExternalID}); err != nil || *m[res.ExternalID].Impressions == 0 {
		t.Errorf("metrics after restart = %+v, %v", m, err)
	}
}

func TestUnreadableStateIsMovedAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := New(Options{StatePath: path, Logger: quiet})
	if b, err := os.ReadFile(path + ".corrupt"); err != nil || string(b) != "{not json" {
		t.Errorf("corrupt file not kept: %v", err)
	}
	if _, err := n.Publish(context.Background(), DemoCredentials("heraldcoffee", ""), publishers.Post{IdempotencyKey: "k", Text: "fresh start"}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "fresh start") {
		t.Errorf("state not written after a fresh start: %v", err)
	}
}
