package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"time"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/scanner"
	"github.com/conviso/conviso-github-app/internal/scanner/external"
	"github.com/conviso/conviso-github-app/internal/scanner/gitleaks"
	"github.com/conviso/conviso-github-app/internal/scanner/gosec"
	"github.com/conviso/conviso-github-app/internal/scanner/osv"
	"github.com/conviso/conviso-github-app/internal/store"
)

// builtinScanners builds the scanners CONVISO_SCANNERS names, in order,
// then one external scanner per external_scanners entry (those always run).
func builtinScanners(cfg *config.Config, st store.KV, o options) ([]scanner.Scanner, error) {
	if o.scanners != nil {
		return o.scanners, nil
	}
	key, err := fingerprintKey(st)
	if err != nil {
		return nil, err
	}
	out := make([]scanner.Scanner, 0, len(cfg.Scanners))
	for _, name := range cfg.Scanners {
		s, err := newScanner(cfg, name, key)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for i, spec := range cfg.ExternalScanners {
		s, err := external.New(external.Spec{
			Name: spec.Name, Command: spec.Command, Timeout: spec.Timeout,
			VersionCommand: spec.VersionCommand, OKExitCodes: spec.OKExitCodes, FingerprintKey: key,
		})
		if err != nil {
			return nil, &config.Error{Setting: fmt.Sprintf("external_scanners[%d]", i), Problem: err.Error()}
		}
		out = append(out, s)
	}
	return out, nil
}

func newScanner(cfg *config.Config, name string, key []byte) (scanner.Scanner, error) {
	var (
		s   scanner.Scanner
		err error
	)
	switch name {
	case "gitleaks":
		s, err = gitleaks.New(gitleaks.Options{FingerprintKey: key})
	case "gosec":
		// The build cache persists in the data folder: type-checking needs
		// the standard library compiled once, not once per scan.
		s, err = gosec.New(gosec.Options{FingerprintKey: key, GoCache: filepath.Join(cfg.DataDir, "gosec-cache")})
	case "osv":
		s, err = osv.New(osv.Options{DBPath: cfg.OSVDatabase})
	default:
		err = fmt.Errorf("unknown scanner %q", name)
	}
	if err != nil {
		return nil, &config.Error{Setting: "CONVISO_SCANNERS", Problem: fmt.Sprintf("starting %s: %v", name, err)}
	}
	return s, nil
}

// keyFingerprint is where the deployment's fingerprint key lives: created
// once, shared by every replica, never logged.
const keyFingerprint = "secret:fingerprint-key"

// fingerprintKey returns the deployment's key for secret fingerprints,
// creating it on first start.
func fingerprintKey(st store.KV) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("generating the fingerprint key: %w", err)
	}
	if _, err := st.PutIfAbsent(ctx, keyFingerprint, fresh, 0); err != nil {
		return nil, fmt.Errorf("storing the fingerprint key: %w", err)
	}
	key, err := st.Get(ctx, keyFingerprint)
	if err != nil {
		return nil, fmt.Errorf("reading the fingerprint key: %w", err)
	}
	return key, nil
}
