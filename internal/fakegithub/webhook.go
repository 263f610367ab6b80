package fakegithub

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Webhook is one webhook delivery's event and payload.
type Webhook struct {
	// Event is the X-GitHub-Event header, e.g. "pull_request".
	Event string
	// Action is the payload's action, "" for events without one (push, ping).
	Action string
	// Payload is the JSON body.
	Payload map[string]any
}

// JSON marshals the payload.
func (w Webhook) JSON() []byte {
	b, err := json.Marshal(w.Payload)
	if err != nil {
		panic(fmt.Sprintf("fakegithub: marshal %s payload: %v", w.Event, err))
	}
	return b
}

// schemaKey is the webhook's key in @octokit/openapi-webhooks, e.g.
// "pull-request-opened".
func schemaKey(event, action string) string {
	key := strings.ReplaceAll(event, "_", "-")
	if action != "" {
		key += "-" + strings.ReplaceAll(action, "_", "-")
	}
	return key
}

// webhookSchemas compiles the trimmed webhooks description lazily, once
// per process and event.
var webhookSchemas = struct {
	sync.Mutex
	compiler *jsonschema.Compiler
	err      error
	byKey    map[string]*jsonschema.Schema
}{byKey: map[string]*jsonschema.Schema{}}

// webhookDocURL is the URL the trimmed description is registered under.
const webhookDocURL = "https://fakegithub.invalid/webhooks.api.github.com.json"

func webhookSchema(key string) (*jsonschema.Schema, error) {
	ws := &webhookSchemas
	ws.Lock()
	defer ws.Unlock()
	if sch := ws.byKey[key]; sch != nil {
		return sch, nil
	}
	if ws.compiler == nil && ws.err == nil {
		ws.compiler, ws.err = newWebhookCompiler()
	}
	if ws.err != nil {
		return nil, ws.err
	}
	loc := webhookDocURL + "#/webhooks/" + key + "/post/requestBody/content/application~1json/schema"
	sch, err := ws.compiler.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compile webhook schema %s (is it in scripts/openapitrim's list?): %w", key, err)
	}
	ws.byKey[key] = sch
	return sch, nil
}

func newWebhookCompiler() (*jsonschema.Compiler, error) {
	raw, err := readGzip(webhookSpecFile)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse webhooks description: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "uri-template", Validate: validateURITemplate})
	if err := c.AddResource(webhookDocURL, doc); err != nil {
		return nil, fmt.Errorf("add webhooks description: %w", err)
	}
	return c, nil
}

// validateURITemplate checks RFC 6570 templates: balanced, unnested
// braces. It replaces jsonschema v6's check, which splits at "/" and so
// rejects GitHub's own "{/number}" expressions.
func validateURITemplate(v any) error {
	str, ok := v.(string)
	if !ok {
		return nil
	}
	open := false
	for _, ch := range str {
		switch {
		case ch == '{' && open, ch == '}' && !open:
			return fmt.Errorf("unbalanced braces in URI template %q", str)
		case ch == '{' || ch == '}':
			open = !open
		}
	}
	if open {
		return fmt.Errorf("unclosed brace in URI template %q", str)
	}
	return nil
}

// ValidateWebhook validates a payload against GitHub's schema for the
// event and action (JSON Schema 2020-12 from @octokit/openapi-webhooks).
func ValidateWebhook(event, action string, payload []byte) error {
	sch, err := webhookSchema(schemaKey(event, action))
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("%s payload is not JSON: %w", schemaKey(event, action), err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s payload breaks GitHub's schema: %w", schemaKey(event, action), err)
	}
	return nil
}

// mustValid fails the test when a payload the fake built is invalid.
func (s *Server) mustValid(w Webhook) Webhook {
	s.t.Helper()
	if err := ValidateWebhook(w.Event, w.Action, w.JSON()); err != nil {
		s.t.Fatalf("fakegithub: %v", err)
	}
	return w
}

// Delivery is one webhook delivery the fake sent.
type Delivery struct {
	// ID is the delivery ID (for the deliveries API); HookID the app's hook.
	ID, HookID int64
	// GUID is the X-GitHub-Delivery header (kept on redelivery).
	GUID string
	// Event and Action describe the payload.
	Event, Action string
	// InstallationID and RepositoryID come from the payload (0 if absent).
	InstallationID, RepositoryID int64
	// URL is where it was sent; Payload the body.
	URL     string
	Payload []byte
	// Redelivery is true for a delivery the app asked to redeliver.
	Redelivery bool
	// DeliveredAt is when it was sent.
	DeliveredAt time.Time
	// StatusCode is the receiver's status, 0 if the request failed.
	StatusCode int
	// Duration is how long the receiver took to answer.
	Duration time.Duration
	// ResponseBody is what the receiver answered.
	ResponseBody []byte
	// Err is the transport error, if any.
	Err error

	secret string
}

// hookID is the ID of the app's webhook.
const hookID = 109948940

// Deliver POSTs the webhook to url as GitHub does, signed with secret, and
// returns the delivery (status, latency, response).
func (s *Server) Deliver(url, secret string, w Webhook) Delivery {
	s.t.Helper()
	w = s.mustValid(w)
	d := &Delivery{
		HookID: hookID, GUID: newGUID(), Event: w.Event, Action: w.Action, URL: url, Payload: w.JSON(), secret: secret,
		InstallationID: nestedID(w.Payload, "installation"), RepositoryID: nestedID(w.Payload, "repository"),
	}
	s.send(d)
	return *d
}

// send performs one delivery and records it.
func (s *Server) send(d *Delivery) {
	s.mu.Lock()
	d.ID = s.st.id()
	s.mu.Unlock()
	d.DeliveredAt = time.Now()
	d.StatusCode, d.ResponseBody, d.Err = post(d, s.app.ID)
	d.Duration = time.Since(d.DeliveredAt)
	s.mu.Lock()
	s.st.deliveries = append(s.st.deliveries, d)
	s.mu.Unlock()
}

// post sends the delivery with GitHub's headers.
func post(d *Delivery, appID int64) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, nil, fmt.Errorf("build delivery: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(d.secret))
	mac.Write(d.Payload)
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitHub-Hookshot/fakegithub")
	h.Set("X-GitHub-Event", d.Event)
	h.Set("X-GitHub-Delivery", d.GUID)
	h.Set("X-GitHub-Hook-ID", strconv.FormatInt(d.HookID, 10))
	h.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(appID, 10))
	h.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	h.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("deliver %s: %w", d.Event, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("read %s delivery response: %w", d.Event, err)
	}
	return resp.StatusCode, body, nil
}

// newGUID returns a random version-4 UUID like X-GitHub-Delivery's.
func newGUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("fakegithub: crypto/rand: %v", err))
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// nestedID returns payload[key]["id"] as an int64, or 0.
func nestedID(payload map[string]any, key string) int64 {
	obj, _ := payload[key].(map[string]any)
	switch id := obj["id"].(type) {
	case int64:
		return id
	case int:
		return int64(id)
	}
	return 0
}

// Deliveries returns the deliveries sent so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.st.deliveries))
	for i, d := range s.st.deliveries {
		out[i] = *d
	}
	return out
}
