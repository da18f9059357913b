package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/server/store"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func cleanEnv(t *testing.T) {
	for _, v := range envVars {
		t.Setenv(v.Name, "")
		os.Unsetenv(v.Name)
	}
}

// TestServeDemoLifecycle is the README's run command in miniature: serve --demo on a fresh data
// directory answers, lets the demo author sign in, and stops cleanly on cancellation (SIGTERM).
func TestServeDemoLifecycle(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", addr, "--data-dir", dir}, strings.NewReader(""), &out, &errs)
	}()
	base := "http://" + addr
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		resp, err = http.Get(base + "/readyz")
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v\nstderr:\n%s", err, errs.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/readyz = %d", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "author@demo.herald.local") || !strings.Contains(out.String(), demoPassword) {
		t.Fatalf("demo sign-in instructions missing:\n%s", out.String())
	}
	body := fmt.Sprintf(`{"email":"author@demo.herald.local","password":%q}`, demoPassword)
	resp, err = http.Post(base+"/api/v1/auth/signin", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		Workspaces []struct{ Role string } `json:"workspaces"`
	}
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(me.Workspaces) != 1 || me.Workspaces[0].Role != "author" {
		t.Fatalf("demo sign-in: %d %+v", resp.StatusCode, me)
	}
	// The UI placeholder (or the built UI) is served at /.
	resp, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Herald") {
		t.Fatalf("UI: %d", resp.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(dir, "herald.db")); err != nil {
		t.Fatalf("no SQLite database in the data dir: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret key not generated with mode 0600: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d\n%s", code, errs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}
	if !strings.Contains(errs.String(), "http server stopped") {
		t.Errorf("no clean shutdown logged:\n%s", errs.String())
	}
	// A second start with --demo does not create the users again.
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		done <- run(ctx2, []string{"serve", "--demo", "--addr", freeAddr(t), "--data-dir", dir}, strings.NewReader(""), io.Discard, io.Discard)
	}()
	time.Sleep(1500 * time.Millisecond)
	cancel2()
	if code := <-done; code != 0 {
		t.Fatalf("second start exit %d", code)
	}
}

func TestServeWithoutDemoCreatesNoUsers(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", freeAddr(t), "--data-dir", dir}, strings.NewReader(""), io.Discard, io.Discard)
	}()
	time.Sleep(1500 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	st, err := store.Open(context.Background(), mustLoc(t, dir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.UserByEmail(context.Background(), "owner@demo.herald.local"); err != store.ErrNotFound {
		t.Fatalf("a demo user exists without --demo: %v", err)
	}
}

func mustLoc(t *testing.T, dir string) store.Location {
	loc, err := store.ParseURL("", dir)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestWorkerLifecycle(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var errs syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"worker", "--data-dir", dir}, nil, io.Discard, &errs) }()
	time.Sleep(1500 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	st, err := store.Open(context.Background(), mustLoc(t, dir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ws, err := st.Workers(context.Background(), time.Now().Add(-time.Hour))
	if err != nil || len(ws) != 1 || ws[0].Kind != "worker" || ws[0].StoppedAt == nil {
		t.Fatalf("worker heartbeat row: %+v %v", ws, err)
	}
}

func TestMigrateAndUserCommands(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "up", "--data-dir", dir}, nil, &out, &errs); code != 0 {
		t.Fatalf("migrate up: %d %s", code, errs.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"migrate", "up", "--data-dir", dir}, nil, &out, &errs); code != 0 || !strings.Contains(out.String(), "0 migration(s) applied") {
		t.Fatalf("second migrate up: %d %q", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"migrate", "status", "--data-dir", dir}, nil, &out, &errs); code != 0 || !strings.Contains(out.String(), "0 pending") {
		t.Fatalf("migrate status: %d %q", code, out.String())
	}
	out.Reset()
	args := []string{"user", "create", "--email", "Ana@Example.com", "--name", "Ana", "--new-workspace", "Acme", "--data-dir", dir}
	if code := run(context.Background(), args, strings.NewReader("correct horse battery\n"), &out, &errs); code != 0 {
		t.Fatalf("user create: %d %s", code, errs.String())
	}
	if strings.Contains(out.String(), "correct horse") {
		t.Fatal("the password was echoed")
	}
	errs.Reset()
	if code := run(context.Background(), args, strings.NewReader("correct horse battery\n"), &out, &errs); code != 1 || !strings.Contains(errs.String(), "already exists") {
		t.Fatalf("duplicate user: %d %s", code, errs.String())
	}
	errs.Reset()
	if code := run(context.Background(), []string{"user", "create", "--email", "b@example.com", "--data-dir", dir}, strings.NewReader("short\n"), &out, &errs); code != 1 {
		t.Fatalf("short password accepted: %d", code)
	}
	if code := run(context.Background(), []string{"user", "set-password", "--email", "ana@example.com", "--data-dir", dir}, strings.NewReader("another long password\n"), &out, &errs); code != 0 {
		t.Fatalf("set-password: %d %s", code, errs.String())
	}
}

func TestConfigEnvFlagsAndFiles(t *testing.T) {
	cleanEnv(t)
	t.Setenv("HERALD_ADDR", ":9999")
	t.Setenv("HERALD_DATA_DIR", "/env/dir")
	secret := filepath.Join(t.TempDir(), "key")
	os.WriteFile(secret, []byte("  from-a-file-0123456789  \n"), 0o600)
	t.Setenv("HERALD_SECRET_KEY_FILE", secret)
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c, err := loadConfig(fs, []string{"--data-dir", "/flag/dir"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9999" || c.DataDir != "/flag/dir" || c.SecretKey != "from-a-file-0123456789" || c.PublicURL != "http://localhost:9999" || c.AllowPrivate {
		t.Fatalf("config %+v", c)
	}
	// App credentials per network, and private addresses allowed only when asked.
	t.Setenv("HERALD_X_CLIENT_ID", " abc ")
	t.Setenv("HERALD_X_CLIENT_SECRET_FILE", secret)
	t.Setenv("HERALD_ALLOW_PRIVATE_NETWORKS", "1")
	if c, err = loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil); err != nil || !c.AllowPrivate {
		t.Fatalf("allow private: %+v %v", c, err)
	}
	if app, err := appCredentials("x"); err != nil || app.ClientID != "abc" || app.ClientSecret != "from-a-file-0123456789" {
		t.Fatalf("x app credentials %+v %v", app, err)
	}
	// MySQL without a shared key is refused with a helpful message.
	c.SecretKey = ""
	_, _, err = c.keyring(store.Location{Dialect: store.MySQL})
	if err == nil || !strings.Contains(err.Error(), "herald secret-key") {
		t.Fatalf("MySQL without key: %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	var errs bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, nil, io.Discard, &errs); code != 2 || !strings.Contains(errs.String(), "Usage") {
		t.Fatalf("%d %s", code, errs.String())
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"version"}, nil, &out, io.Discard); code != 0 || !strings.HasPrefix(out.String(), "herald ") {
		t.Fatalf("version: %q", out.String())
	}
}
