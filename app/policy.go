package app

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// serverPolicy reads the server-level default policy (CONVISO_POLICY_FILE);
// nil means the built-in default. A file that does not parse or validate
// stops start-up with every problem.
func serverPolicy(cfg *config.Config) (*policy.File, error) {
	if cfg.PolicyFile == "" {
		return nil, nil
	}
	b, err := os.ReadFile(cfg.PolicyFile)
	if err != nil {
		return nil, &config.Error{Setting: "CONVISO_POLICY_FILE", Problem: fmt.Sprintf("cannot read %s: %v", cfg.PolicyFile, err)}
	}
	f, err := policy.Parse(cfg.PolicyFile, b)
	if err != nil {
		var ve *policy.ValidationError
		if errors.As(err, &ve) {
			msgs := make([]string, len(ve.Errors))
			for i, e := range ve.Errors {
				msgs[i] = e.Error()
			}
			err = errors.New(strings.Join(msgs, "; "))
		}
		return nil, &config.Error{Setting: "CONVISO_POLICY_FILE", Problem: err.Error()}
	}
	f.Source = policy.Source{Layer: policy.LayerServer, Path: cfg.PolicyFile}
	return f, nil
}
