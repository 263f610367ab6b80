package lifecycle_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

// Example records two scans of the default branch, accepts a risk and
// reads the remediation SLA of what is still open.
func Example() {
	dir, _ := os.MkdirTemp("", "lifecycle-example")
	defer os.RemoveAll(dir)
	st, err := boltstore.Open(filepath.Join(dir, "conviso.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	tr := &lifecycle.Tracker{KV: st, Locker: st}

	day1 := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	token := findings.Finding{Fingerprint: "9f2c", Scanner: "gitleaks", RuleID: "github-pat", Severity: findings.SeverityHigh}
	key := findings.Finding{Fingerprint: "71ab", Scanner: "gitleaks", RuleID: "aws-access-token", Severity: findings.SeverityCritical}
	scan := lifecycle.Scan{
		RepoID: "1296269", Commit: "a1b2c3", Ref: "refs/heads/main", IsDefaultBranch: true,
		ScanID: "scan-1", At: day1, Scanners: []string{"gitleaks"}, Findings: []findings.Finding{token, key},
	}
	if _, err := tr.Record(ctx, scan); err != nil {
		log.Fatal(err)
	}
	scan.ScanID, scan.Commit, scan.At, scan.Findings = "scan-2", "d4e5f6", day1.AddDate(0, 0, 1), []findings.Finding{token}
	changes, err := tr.Record(ctx, scan)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		fmt.Printf("%s: %s → %s (%s)\n", c.Fingerprint, c.From, c.To, c.Event)
	}

	sla := policy.SLAMatrix{"critical": {"high": 7}, "high": {"high": 30}}
	if err := sla.Validate(); err != nil {
		log.Fatal(err)
	}
	recs, err := tr.List(ctx, "1296269", lifecycle.Filter{})
	if err != nil {
		log.Fatal(err)
	}
	for _, rec := range recs {
		s := lifecycle.SLA(rec, sla, policy.ImpactHigh, day1.AddDate(0, 0, 25))
		fmt.Println(rec.Fingerprint, rec.Status, s.State, s.Deadline.Format(time.DateOnly), s.DaysRemaining)
	}

	rec, err := tr.SetDecision(ctx, "1296269", "9f2c", lifecycle.StatusRiskAccepted, lifecycle.UserActor("alice"),
		lifecycle.Evidence{CommentURL: "https://github.com/acme/api/pull/7#issuecomment-1"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Fingerprint, rec.Status)
	// Output:
	// 9f2c: Created → Identified (identified)
	// 71ab: Created → Fixed (fixed)
	// 71ab Fixed Resolved 0001-01-01 0
	// 9f2c Identified Approaching 2025-02-05 5
	// 9f2c Risk Accepted
}
