package checks

import "github.com/conviso/conviso-github-app/internal/mdsafe"

// Untrusted text (paths, rule names from a scanned repository) is rendered
// with package mdsafe.
var (
	code     = mdsafe.Code
	text     = mdsafe.Text
	truncate = mdsafe.Truncate
)
