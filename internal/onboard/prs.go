package onboard

import (
	"context"

	"github.com/conviso/conviso-github-app/internal/store"
)

// OnboardingBranch is the branch the onboarding pull request comes from.
const OnboardingBranch = "conviso/onboarding"

// keyOnboardingPR is the prefix of a repository's onboarding PR record.
const keyOnboardingPR = keyPrefix + "pr:"

// OnboardingPR records that a repository was offered (or did not need) the
// onboarding pull request: once recorded, it is never offered again.
type OnboardingPR struct {
	// Number is the pull request number (opened by the app or found on GitHub).
	Number int `json:"number"`
	// State is what the app last saw: "open", "closed" or "merged".
	State string `json:"state"`
}

// OnboardingPRFor reads a repository's record; found is false when the
// repository was never onboarded.
func OnboardingPRFor(ctx context.Context, kv store.KV, repoID int64) (rec OnboardingPR, found bool, err error) {
	found, err = getJSON(ctx, kv, idKey(keyOnboardingPR, repoID), &rec)
	return rec, found, err
}

// RecordOnboardingPR remembers a repository's onboarding pull request.
func RecordOnboardingPR(ctx context.Context, kv store.KV, repoID int64, rec OnboardingPR) error {
	return putJSON(ctx, kv, idKey(keyOnboardingPR, repoID), rec, 0)
}

// StarterPolicy is the policy the onboarding pull request adds: every key
// explained, mode warn so nothing blocks until the maintainers decide.
const StarterPolicy = `# Conviso security gate policy.
# Documentation: https://github.com/conviso/conviso-github-app/blob/main/docs/policy.md
# yaml-language-server: $schema=https://raw.githubusercontent.com/conviso/conviso-github-app/main/docs/policy.schema.json

# version: the format of this file; 1 is the only version so far.
version: 1

# mode: what a met condition does.
#   enforce - blocks: the check run fails.
#   warn    - reports "would block"; the check run is neutral (a safe start).
#   off     - nothing is evaluated.
# Start with warn, watch a few pull requests, then switch to enforce.
mode: warn

# gate: the conditions, counted on new findings (lines a pull request adds).
gate:
  # block_at: any new finding of this severity or above meets the gate
  # (critical, high, medium, low or none).
  block_at: high
  # max: the most new findings of exactly one severity; one more meets it.
  max:
    medium: 10

# ignore: paths whose findings are dropped before anything is counted;
# every entry needs a reason.
# ignore:
#   - paths: ["testdata/**"]
#     reason: test fixtures hold fake credentials

# on_scanner_failure: fail-closed (default) blocks when a scanner fails;
# fail-open only warns.
on_scanner_failure: fail-closed

# annotate: which findings get inline annotations
# (added, diff_context, file or all).
annotate: added
`

// OnboardingPRTitle and OnboardingPRBody describe the pull request.
const (
	OnboardingPRTitle = "Configure the Conviso security gate"
	OnboardingPRBody  = "This pull request adds `.github/conviso.yml`, the policy of the Conviso security gate, " +
		"with every key explained.\n\n" +
		"It starts in `warn` mode: findings are reported on pull requests but nothing is blocked. " +
		"Merge it as is, or adjust it first; switch `mode` to `enforce` when you are ready.\n\n" +
		"If you close this pull request without merging it, it will not be opened again.\n\n" +
		"Documentation: https://github.com/conviso/conviso-github-app/blob/main/docs/policy.md"
)
