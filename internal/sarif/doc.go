// Package sarif converts between SARIF 2.1.0 logs and findings.Finding.
//
// SARIF (the OASIS Static Analysis Results Interchange Format) is the one
// format between scanners and the app: every external scanner's output is
// imported with Import or ImportFunc, and the app's own findings are exported
// with Write.
//
// Import reads a log as a stream of JSON tokens. It never holds the whole
// file, nor all of its raw results: each result is decoded on its own into
// the few fields a finding needs and converted to a finding. Findings are
// small; those of one run are kept until the run ends, because identical
// findings in one file are numbered in order of line (see ImportFunc).
//
// Severity follows GitHub code scanning: a rule's security-severity score
// first, then the result's level, then the rule's default level. Finding
// identity never depends on line numbers: it comes from the result's
// partialFingerprints or from the (normalised) source text at the finding.
// Paths are resolved through originalUriBaseIds and must stay inside the
// repository; anything else is a *PathError.
//
// See docs/sarif.md for the rules in full, the libraries used and the
// measured memory use.
package sarif
