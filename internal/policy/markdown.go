package policy

import "github.com/conviso/conviso-github-app/internal/mdsafe"

// Untrusted text (rule ids, paths, scanner errors and exception reasons
// come from scanned repositories and their users) is rendered with package
// mdsafe, so it cannot break out of Markdown structure or notify anyone.
var (
	code         = mdsafe.Code
	text         = mdsafe.Text
	truncateText = mdsafe.Truncate
)
