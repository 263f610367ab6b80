package app_test

// Webhook intake benchmarks: how fast the real app acknowledges signed
// pull_request deliveries on loopback, for each store back-end, next to a
// minimal net/http server that only reads the body, checks the HMAC and
// answers 202 (the practical limit of the machine and of net/http).
//
//	go test ./app -run '^$' -bench Intake -benchtime 2000x -count 5
//
// scripts/bench-webhook.sh runs exactly that and prints the medians.
//
// Figures and their interpretation are in docs/PERFORMANCE.md. Nothing here
// asserts a duration: the benchmarks only fail when an answer is wrong.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/app"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

// intakeSecret signs the benchmark's deliveries.
const intakeSecret = "intake-bench-webhook-secret-0123456789"

// intakeClients are the numbers of concurrent senders measured.
var intakeClients = []int{1, 16}

// BenchmarkIntake measures webhook acknowledgement (request sent → 202 read)
// with 1 and 16 keep-alive clients: "reference" is a bare net/http server
// that verifies the signature and answers 202; "bolt" and "redis" are the
// real app, which also queues each delivery durably before answering. Each
// iteration is one delivery; use -benchtime Nx for a fixed count. The app is
// started once per back-end, and its queue drained before each measurement.
func BenchmarkIntake(b *testing.B) {
	b.Run("reference", func(b *testing.B) {
		t := newIntakeTarget(b, startReferenceServer(b), intakePayload(b))
		benchIntakeClients(b, t)
	})
	for _, backend := range []string{"bolt", "redis"} {
		b.Run(backend, func(b *testing.B) {
			url, body := startIntakeApp(b, backend)
			t := newIntakeTarget(b, url, body)
			t.queued = true
			benchIntakeClients(b, t)
		})
	}
}

func benchIntakeClients(b *testing.B, t *intakeTarget) {
	for _, c := range intakeClients {
		b.Run("clients="+strconv.Itoa(c), func(b *testing.B) { t.run(b, c) })
	}
}

// intakeTarget is a server under test and the delivery sent to it.
type intakeTarget struct {
	base   string // http://host:port
	body   []byte
	sig256 string
	sig1   string
	client *http.Client
	queued bool // the server has a queue (/readyz): drain it between runs
}

// newIntakeTarget prepares signed deliveries of body to base.
func newIntakeTarget(b *testing.B, base string, body []byte) *intakeTarget {
	b.Helper()
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	b.Cleanup(tr.CloseIdleConnections)
	t := &intakeTarget{
		base:   base,
		body:   body,
		sig256: "sha256=" + intakeHMAC(sha256.New, body),
		sig1:   "sha1=" + intakeHMAC(sha1.New, body), // GitHub sends both; the app ignores SHA-1
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}
	return t
}

func intakeHMAC(h func() hash.Hash, body []byte) string {
	mac := hmac.New(h, []byte(intakeSecret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// run sends b.N deliveries from c concurrent clients and reports the
// client-side latency percentiles and the throughput.
func (t *intakeTarget) run(b *testing.B, c int) {
	t.drain(b)
	// Warm up: open c keep-alive connections and run each path once.
	ids := newIntakeDeliveryIDs()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			if _, err := t.send(ids.next()); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	t.drain(b)

	var (
		next      atomic.Int64
		failed    atomic.Pointer[error]
		latencies = make([][]time.Duration, c)
	)
	b.ReportAllocs()
	b.SetBytes(int64(len(t.body)))
	b.ResetTimer()
	start := time.Now()
	for i := range c {
		wg.Go(func() {
			lat := make([]time.Duration, 0, b.N/c+1)
			for next.Add(1) <= int64(b.N) && failed.Load() == nil {
				d, err := t.send(ids.next())
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				lat = append(lat, d)
			}
			latencies[i] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(intakePercentile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(intakePercentile(all, 0.99)), "p99-ms")
	b.ReportMetric(ms(all[len(all)-1]), "max-ms")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "deliveries/s")
	if t.queued {
		// The workers may lag behind the intake: report the backlog left
		// when the last answer arrived, and the rate at which the whole
		// batch was both acknowledged and worked off (claimed, handled,
		// acknowledged in the store).
		pending := t.pending(b)
		t.drain(b)
		b.ReportMetric(float64(pending), "backlog-jobs")
		b.ReportMetric(float64(len(all))/time.Since(start).Seconds(), "drained-jobs/s")
	}
}

// intakePercentile returns the q-quantile (nearest rank) of sorted.
func intakePercentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// send posts one delivery as GitHub does and returns how long it took from
// sending the request to reading the whole answer. Anything but 202 is an
// error.
func (t *intakeTarget) send(guid string) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, t.base+app.WebhookPath, bytes.NewReader(t.body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitHub-Hookshot/intake-bench")
	h.Set("X-GitHub-Event", "pull_request")
	h.Set("X-GitHub-Delivery", guid)
	h.Set("X-GitHub-Hook-ID", "109948940")
	h.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	h.Set("X-Hub-Signature", t.sig1)
	h.Set("X-Hub-Signature-256", t.sig256)
	start := time.Now()
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, err
	}
	answer, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusAccepted {
		return 0, fmt.Errorf("delivery %s answered %d %s, want 202", guid, resp.StatusCode, answer)
	}
	return d, nil
}

// drain polls /readyz until nothing is queued or running, so that one
// measurement's backlog does not slow the next. It does nothing for a server
// without a queue.
func (t *intakeTarget) drain(b *testing.B) {
	b.Helper()
	if !t.queued {
		return
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n := t.pending(b)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("the queue did not drain: %d jobs left", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pending returns the jobs queued or running, from /readyz.
func (t *intakeTarget) pending(b *testing.B) int {
	b.Helper()
	resp, err := t.client.Get(t.base + app.ReadyPath)
	if err != nil {
		b.Fatalf("readiness: %v", err)
	}
	var ready struct {
		Ready    *int `json:"queue_ready"`
		InFlight *int `json:"queue_in_flight"`
	}
	err = json.NewDecoder(resp.Body).Decode(&ready)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || ready.Ready == nil || ready.InFlight == nil {
		b.Fatalf("readiness answered %d (%v)", resp.StatusCode, err)
	}
	return *ready.Ready + *ready.InFlight
}

// intakeDeliveryIDs makes unique UUID-shaped X-GitHub-Delivery values.
type intakeDeliveryIDs struct {
	prefix string
	n      atomic.Uint64
}

func newIntakeDeliveryIDs() *intakeDeliveryIDs {
	r := make([]byte, 10)
	_, _ = rand.Read(r) // crypto/rand.Read never fails
	h := hex.EncodeToString(r)
	return &intakeDeliveryIDs{prefix: h[0:8] + "-" + h[8:12] + "-4" + h[12:15] + "-8" + h[15:18] + "-"}
}

func (g *intakeDeliveryIDs) next() string { return fmt.Sprintf("%s%012x", g.prefix, g.n.Add(1)) }

// intakePayload builds a realistic pull_request "closed" payload with a fake
// GitHub: the app queues it, and its handler ignores it without calling
// GitHub.
func intakePayload(b *testing.B) []byte {
	b.Helper()
	return intakePullRequest(b, fakegithub.New(b))
}

// intakePullRequest adds a repository with a closed pull request to gh and
// returns the pull request's "closed" event.
func intakePullRequest(b *testing.B, gh *fakegithub.Server) []byte {
	b.Helper()
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "api", InstallationID: inst.ID, Files: map[string]string{
		"main.go": "package main\n\nfunc main() {}\n",
	}})
	repo.Commit(fakegithub.CommitSpec{Branch: "feature", Message: "Add client", Files: map[string]string{
		"client/client.go": "package client\n\n// Client talks to the API.\ntype Client struct{}\n",
	}})
	pr := repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "feature", Title: "Add client"})
	pr.Close(false)
	return gh.PullRequestEvent(pr, "closed").JSON()
}

// startIntakeApp runs the real app on backend (production defaults except
// the address, data folder and an info log sent nowhere) against a fake
// GitHub, until the benchmark ends. It returns the app's base URL and the
// payload to send.
func startIntakeApp(b *testing.B, backend string) (string, []byte) {
	b.Helper()
	gh := fakegithub.New(b)
	body := intakePullRequest(b, gh)
	env := map[string]string{
		"CONVISO_ADDR":                  "127.0.0.1:0",
		"CONVISO_GITHUB_API_URL":        gh.URL(),
		"CONVISO_GITHUB_APP_ID":         strconv.FormatInt(gh.AppID(), 10),
		"CONVISO_GITHUB_PRIVATE_KEY":    string(gh.PrivateKeyPEM()),
		"CONVISO_GITHUB_WEBHOOK_SECRET": intakeSecret,
		"CONVISO_DATA_DIR":              b.TempDir(),
		"CONVISO_LOG_LEVEL":             "info",
	}
	if backend == "redis" {
		redistest.New(b) // skips (or fails with CONVISO_REQUIRE_REDIS=1) without Redis
		env["CONVISO_REDIS_URL"] = redistest.URL()
		env["CONVISO_REDIS_PREFIX"] = redistest.Prefix(b)
	}
	cfg, err := config.Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.New(cfg, app.WithLogOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("app.Run: %v", err)
		}
	})
	return "http://" + a.Addr(), body
}

// startReferenceServer runs the practical limit: a net/http server on
// loopback that reads the body (with the app's size limit), verifies
// X-Hub-Signature-256 and answers 202 with the app's JSON, and does nothing
// else.
func startReferenceServer(b *testing.B) string {
	b.Helper()
	const maxBytes = 25 << 20
	key := []byte(intakeSecret)
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+app.WebhookPath, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		got, err := hex.DecodeString(intakeSigHex(r.Header.Get("X-Hub-Signature-256")))
		mac := hmac.New(sha256.New, key)
		mac.Write(body)
		if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
			http.Error(w, "missing or invalid X-Hub-Signature-256", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "{\"status\":\"queued\"}\n")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	b.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			b.Errorf("reference server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// intakeSigHex returns the hex digest of a "sha256=..." header, "" otherwise.
func intakeSigHex(header string) string {
	hexDigest, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return ""
	}
	return hexDigest
}
