package gitleaks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// leakyTree holds every test secret, plus matches that gitleaks discards
// while logging them at trace level (an allowlisted example key and a
// low-entropy key).
func leakyTree() map[string]string {
	return map[string]string{
		"a/creds.py":   lines("AWS = '"+awsKey+"'", "AWS2 = '"+awsKey2+"'", "GH = '"+ghPAT+"'"),
		"b/server.key": keyBlock,
		"c/example.md": lines("AKIA"+"IOSFODNN7EXAMPLE", "AKIA"+"XXXXXXXXXXXXXXXX"),
	}
}

// assertNoSecret fails if any test secret occurs in out.
func assertNoSecret(t *testing.T, what string, out []byte) {
	t.Helper()
	for _, s := range append(secrets, "AKIA"+"IOSFODNN7EXAMPLE") {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("%s holds the secret %q", what, s)
		}
	}
}

func TestNoSecretInFindings(t *testing.T) {
	res := scanFiles(t, leakyTree())
	if len(res.Findings) != 4 {
		t.Fatalf("%d findings, want 4: %+v", len(res.Findings), res.Findings)
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "the result's JSON", out)
}

func TestNoSecretInLogsOrOutput(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer zerolog.SetGlobalLevel(zerolog.GlobalLevel())
	zerolog.SetGlobalLevel(zerolog.TraceLevel)

	out := captureStdio(t, func() { scanFiles(t, leakyTree()) })
	assertNoSecret(t, "stdout and stderr", out)
	assertNoSecret(t, "the logs", logs.Bytes())
}

// captureStdio runs f with os.Stdout and os.Stderr redirected, and returns
// what was written to them.
func captureStdio(t *testing.T, f func()) []byte {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	defer func() {
		os.Stdout, os.Stderr = stdout, stderr
	}()
	f()
	w.Close()
	return <-done
}

func TestGitleaksLoggerIsRestricted(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer zerolog.SetGlobalLevel(zerolog.GlobalLevel())
	zerolog.SetGlobalLevel(zerolog.TraceLevel)

	logging.Trace().Str("finding", awsKey).Msg("trace event")
	logging.Debug().Str("finding", awsKey).Msg("debug event")
	withSecret := logging.With().Str("finding", ghPAT).Logger()
	withSecret.Warn().Str("path", "a/b.txt").Str("rule-id", "r").Msg("warn event")
	logging.Error().Err(errors.New("boom")).Msg("error event")

	got := logs.String()
	assertNoSecret(t, "the logs", logs.Bytes())
	for _, want := range []string{"level=WARN", "gitleaks: warn event", "path=a/b.txt", "rule-id=r", "level=ERROR", "gitleaks: error event", "error=boom", "component=gitleaks"} {
		if !strings.Contains(got, want) {
			t.Errorf("logs lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "trace event") || strings.Contains(got, "debug event") {
		t.Errorf("trace or debug events passed:\n%s", got)
	}
}
