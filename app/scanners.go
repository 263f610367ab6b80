package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/conviso/conviso-github-app/scanner"
	"github.com/conviso/conviso-github-app/scanner/gitleaks"
	"github.com/conviso/conviso-github-app/store"
)

func builtinScanners(st store.KV, o options) ([]scanner.Scanner, error) {
	if o.scanners != nil {
		return o.scanners, nil
	}
	key, err := fingerprintKey(st)
	if err != nil {
		return nil, err
	}
	gl, err := gitleaks.New(gitleaks.Options{FingerprintKey: key})
	if err != nil {
		return nil, fmt.Errorf("starting gitleaks: %w", err)
	}
	return []scanner.Scanner{gl}, nil
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
