package health

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// Check names of the local checks.
const (
	NameKeyAge   = "private_key_age"
	NameStore    = "store"
	NameQueue    = "queue"
	NameScanners = "scanners"
)

// checkKeyAge reads the key file's modification time.
func checkKeyAge(_ context.Context, d Deps, now time.Time) Check {
	c := Check{Name: NameKeyAge}
	if d.PrivateKeyPath == "" {
		return c.pass("the key is given inline (CONVISO_GITHUB_PRIVATE_KEY); its age is unknown")
	}
	info, err := os.Stat(d.PrivateKeyPath)
	if err != nil {
		return c.warn(fmt.Sprintf("cannot read the key file: %v", err), "Check CONVISO_GITHUB_PRIVATE_KEY_PATH.")
	}
	age := now.Sub(info.ModTime())
	days := int(age.Hours() / 24)
	if age > KeyRotationAge {
		return c.warn(fmt.Sprintf("the key file is %d days old", days),
			"Rotate the key: generate a new private key in the GitHub App settings, deploy it, then delete the old one (GitHub recommends regular rotation).")
	}
	return c.pass(fmt.Sprintf("the key file is %d days old", days))
}

// checkStore pings the store (Redis when CONVISO_REDIS_URL is set).
func checkStore(ctx context.Context, d Deps, _ time.Time) Check {
	c := Check{Name: NameStore}
	if d.Store == nil {
		return c.warn("no store configured", "")
	}
	if err := d.Store.Ping(ctx); err != nil {
		action := "Check CONVISO_DATA_DIR: the disk must be writable and not full."
		if d.Store.Backend() == "redis" {
			action = "Check that Redis (CONVISO_REDIS_URL) is up and reachable from the server."
		}
		return c.fail(fmt.Sprintf("%s store does not answer: %v", d.Store.Backend(), err), action)
	}
	return c.pass(d.Store.Backend() + " store answers")
}

// checkQueue reports queue depth and warns when the oldest ready job
// waited longer than StuckQueueAge.
func checkQueue(ctx context.Context, d Deps, _ time.Time) Check {
	c := Check{Name: NameQueue}
	if d.Store == nil {
		return c.warn("no store configured", "")
	}
	s, err := d.Store.Stats(ctx)
	if err != nil {
		return c.fail(fmt.Sprintf("cannot read queue statistics: %v", err), "Check the store (see the store check).")
	}
	detail := fmt.Sprintf("%d ready, %d in flight, %d dead; oldest ready job %s old",
		s.Ready, s.InFlight, s.Dead, s.OldestReadyAge.Round(time.Second))
	if s.OldestReadyAge > StuckQueueAge {
		return c.warn(detail, "Jobs wait too long: check that workers run (logs), raise CONVISO_WORKERS or add replicas, "+
			"and look for scans hitting CONVISO_SCAN_TIMEOUT.")
	}
	return c.pass(detail)
}

// checkScanners lists the scanners in use and their versions.
func checkScanners(_ context.Context, d Deps, _ time.Time) Check {
	c := Check{Name: NameScanners}
	if len(d.Scanners) == 0 {
		return c.warn("no scanners configured", "Set CONVISO_SCANNERS (gitleaks, gosec, osv) or external_scanners.")
	}
	parts := make([]string, len(d.Scanners))
	for i, s := range d.Scanners {
		parts[i] = s.Name + " " + s.Version
	}
	return c.pass(strings.Join(parts, ", "))
}
