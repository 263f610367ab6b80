package app_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/app"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/setup"
)

var (
	stateRE    = regexp.MustCompile(`state=([0-9a-f]+)`)
	manifestRE = regexp.MustCompile(`name="manifest" value="([^"]*)"`)
)

// setupEnv is an environment without GitHub App credentials.
func setupEnv(gh *fakegithub.Server, dataDir string) func(string) (string, bool) {
	env := map[string]string{
		"CONVISO_ADDR": "127.0.0.1:0", "CONVISO_GITHUB_API_URL": gh.URL(), "CONVISO_DATA_DIR": dataDir,
		"CONVISO_PUBLIC_URL": "https://conviso.example.com", "CONVISO_WORKERS": "1",
		"CONVISO_SCANNERS": "gitleaks", "CONVISO_BASELINE_SCANS": "off", "CONVISO_SHUTDOWN_GRACE": "5s",
	}
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// startSetup serves the setup page for a server with no credentials.
func startSetup(t *testing.T, gh *fakegithub.Server, dataDir string) (url string, done <-chan error) {
	t.Helper()
	st, err := config.LoadSetup("", setupEnv(gh, dataDir))
	if err != nil || !st.NeedsCredentials {
		t.Fatalf("LoadSetup = %+v, %v; want NeedsCredentials", st, err)
	}
	manifest, err := os.ReadFile("../app.yml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := setup.New(setup.Options{Setup: st, Manifest: manifest})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), errc
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// formState loads the form and checks the manifest it posts.
func formState(t *testing.T, url string) string {
	t.Helper()
	status, body := get(t, url+"/")
	if status != http.StatusOK || !strings.Contains(body, `action="`+"https://github.com/settings/apps/new?state=") {
		t.Fatalf("GET / = %d:\n%s", status, body)
	}
	m := manifestRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no manifest field:\n%s", body)
	}
	var manifest struct {
		URL         string `json:"url"`
		RedirectURL string `json:"redirect_url"`
		Hook        struct {
			URL string `json:"url"`
		} `json:"hook_attributes"`
		Permissions map[string]string `json:"default_permissions"`
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Hook.URL != "https://conviso.example.com/api/github/hook" ||
		manifest.RedirectURL != "https://conviso.example.com/setup/callback" || manifest.Permissions["checks"] != "write" {
		t.Fatalf("manifest = %+v", manifest)
	}
	return stateRE.FindStringSubmatch(body)[1]
}

func TestSelfRegistrationThenServes(t *testing.T) {
	gh := fakegithub.New(t)
	dataDir := t.TempDir()
	url, done := startSetup(t, gh, dataDir)
	state := formState(t, url)
	status, body := get(t, url+"/setup/callback?code="+gh.ManifestCode()+"&state="+state)
	if status != http.StatusOK || !strings.Contains(body, filepath.Join(dataDir, config.CredentialsFile)) {
		t.Fatalf("callback = %d:\n%s", status, body)
	}
	for _, secret := range []string{gh.ManifestWebhookSecret(), gh.ManifestClientSecret(), "PRIVATE KEY"} {
		if strings.Contains(body, secret) {
			t.Errorf("the page shows a secret")
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("setup server: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dataDir, config.CredentialsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, %v", fi, err)
	}
	creds, ok, err := config.ReadCredentials(dataDir)
	if err != nil || !ok || creds.ID != gh.AppID() || creds.PEM != string(gh.PrivateKeyPEM()) ||
		creds.WebhookSecret != gh.ManifestWebhookSecret() || creds.ClientSecret != gh.ManifestClientSecret() {
		t.Fatalf("stored credentials wrong: ok=%v err=%v id=%d", ok, err, creds.ID)
	}

	// The handover: the configuration loads again, now with the stored credentials.
	cfg, err := config.Load("", setupEnv(gh, dataDir))
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, app.WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-runDone; err != nil {
			t.Errorf("app.Run: %v", err)
		}
	}()
	appURL := "http://" + a.Addr()
	if status, _ := get(t, appURL+app.HealthPath); status != http.StatusOK {
		t.Fatalf("healthz = %d", status)
	}
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	d := gh.Deliver(appURL+app.WebhookPath, gh.ManifestWebhookSecret(), gh.InstallationEvent(inst, "created", "octocat"))
	if d.StatusCode >= 300 {
		t.Fatalf("webhook signed with the new secret answered %d %s", d.StatusCode, d.ResponseBody)
	}
	bad := gh.Deliver(appURL+app.WebhookPath, "not-the-registered-secret", gh.InstallationEvent(inst, "created", "octocat"))
	if bad.StatusCode < 400 {
		t.Fatalf("webhook with a wrong secret answered %d", bad.StatusCode)
	}
}

func TestSelfRegistrationRefusesWrongState(t *testing.T) {
	gh := fakegithub.New(t)
	dataDir := t.TempDir()
	url, _ := startSetup(t, gh, dataDir)
	formState(t, url)
	if status, _ := get(t, url+"/setup/callback?code="+gh.ManifestCode()+"&state=forged"); status != http.StatusBadRequest {
		t.Fatalf("forged state answered %d, want 400", status)
	}
	assertNothingStored(t, gh, dataDir)
}

func TestSelfRegistrationConversionFails(t *testing.T) {
	gh := fakegithub.New(t)
	dataDir := t.TempDir()
	url, _ := startSetup(t, gh, dataDir)
	// An unknown (used or expired) code: GitHub's 404.
	status, body := get(t, url+"/setup/callback?code=expired&state="+formState(t, url))
	if status != http.StatusBadGateway || !strings.Contains(body, "Registration failed") || !strings.Contains(body, "404") {
		t.Fatalf("404 conversion = %d:\n%s", status, body)
	}
	gh.Script(fakegithub.OpManifestConversion, fakegithub.ScriptedResponse{Status: http.StatusUnprocessableEntity,
		Body: map[string]any{"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest"}})
	status, body = get(t, url+"/setup/callback?code="+gh.ManifestCode()+"&state="+formState(t, url))
	if status != http.StatusBadGateway || !strings.Contains(body, "422") {
		t.Fatalf("422 conversion = %d:\n%s", status, body)
	}
	assertNothingStored(t, gh, dataDir)
}

func assertNothingStored(t *testing.T, gh *fakegithub.Server, dataDir string) {
	t.Helper()
	entries, _ := os.ReadDir(dataDir)
	if len(entries) != 0 {
		t.Fatalf("data directory not empty: %v", entries)
	}
	if st, err := config.LoadSetup("", setupEnv(gh, dataDir)); err != nil || !st.NeedsCredentials {
		t.Fatalf("credentials appeared: %+v %v", st, err)
	}
}
