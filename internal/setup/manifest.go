package setup

import (
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Routes of the setup server.
const (
	// HookPath is the app's webhook route, filled into the manifest.
	HookPath = "/api/github/hook"
	// CallbackPath is where GitHub redirects with the manifest code.
	CallbackPath = "/setup/callback"
)

// manifestJSON turns the YAML manifest into the JSON GitHub expects, with
// the URLs pointing at publicURL (no trailing slash).
func manifestJSON(manifestYAML []byte, publicURL string) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(manifestYAML, &m); err != nil {
		return nil, fmt.Errorf("parsing the app manifest: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("parsing the app manifest: it is empty")
	}
	base := strings.TrimSuffix(publicURL, "/")
	m["url"] = base
	m["redirect_url"] = base + CallbackPath
	hook, _ := m["hook_attributes"].(map[string]any)
	if hook == nil {
		hook = map[string]any{"active": true}
	}
	hook["url"] = base + HookPath
	m["hook_attributes"] = hook
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding the app manifest: %w", err)
	}
	return b, nil
}
