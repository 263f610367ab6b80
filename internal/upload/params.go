package upload

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Query parameters of an upload.
const (
	ParamCommitSHA = "commit_sha"
	ParamRef       = "ref"
	ParamCategory  = "category"
)

// DefaultCategory is the category of an upload that names none.
const DefaultCategory = "default"

// Our own bounds on the coordinates of an upload (no external source).
const (
	// MaxCategoryLength bounds the category parameter.
	MaxCategoryLength = 100
	// MaxRefLength bounds the ref parameter, in bytes.
	MaxRefLength = 255
	// maxNameLength bounds an owner or repository name in the path and in
	// issued tokens (GitHub's repository names are at most 100 characters).
	maxNameLength = 100
)

var (
	shaPattern      = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	pullRefPattern  = regexp.MustCompile(`^refs/pull/[1-9][0-9]{0,9}/(head|merge)$`)
	categoryPattern = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,100}$`)
	namePattern     = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
)

// params are the validated coordinates of an upload.
type params struct {
	sha, ref, category string
}

// parseParams validates the query parameters.
func parseParams(q url.Values) (params, *apiError) {
	var p params
	for _, name := range []string{ParamCommitSHA, ParamRef, ParamCategory} {
		if len(q[name]) > 1 {
			return p, newError(http.StatusBadRequest, "query parameter %s is given %d times; give it once", name, len(q[name]))
		}
	}
	p.sha = q.Get(ParamCommitSHA)
	switch {
	case p.sha == "":
		return p, newError(http.StatusBadRequest, "query parameter %s is required (the 40-hex-digit commit the SARIF describes)", ParamCommitSHA)
	case !shaPattern.MatchString(p.sha):
		return p, newError(http.StatusBadRequest, "query parameter %s must be 40 hexadecimal digits", ParamCommitSHA)
	}
	p.sha = strings.ToLower(p.sha)
	p.ref = q.Get(ParamRef)
	if p.ref == "" {
		return p, newError(http.StatusBadRequest, "query parameter %s is required (refs/heads/<branch> or refs/pull/<number>/head|merge)", ParamRef)
	}
	if err := checkRef(p.ref); err != nil {
		return p, newError(http.StatusBadRequest, "query parameter %s: %v", ParamRef, err)
	}
	p.category = DefaultCategory
	if c, ok := q[ParamCategory]; ok {
		p.category = c[0]
		if !categoryPattern.MatchString(p.category) {
			return p, newError(http.StatusBadRequest, "query parameter %s must be 1 to %d characters from A-Z a-z 0-9 . _ / -", ParamCategory, MaxCategoryLength)
		}
	}
	return p, nil
}

// checkRef accepts refs/heads/<branch> (a valid git branch name) and
// refs/pull/<N>/head|merge.
func checkRef(ref string) error {
	if len(ref) > MaxRefLength {
		return fmt.Errorf("longer than %d bytes", MaxRefLength)
	}
	if strings.HasPrefix(ref, "refs/pull/") {
		if !pullRefPattern.MatchString(ref) {
			return fmt.Errorf("a pull request ref must be refs/pull/<number>/head or refs/pull/<number>/merge")
		}
		return nil
	}
	branch, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok {
		return fmt.Errorf("must start with refs/heads/ or refs/pull/")
	}
	return checkBranch(branch)
}

// checkBranch applies git check-ref-format's rules to a branch name
// (https://git-scm.com/docs/git-check-ref-format).
func checkBranch(name string) error {
	if name == "" || name == "@" {
		return fmt.Errorf("missing branch name")
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			return fmt.Errorf("branch name contains %q, which git does not allow", c)
		}
	}
	if strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//") ||
		strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") {
		return fmt.Errorf("not a valid git branch name")
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return fmt.Errorf("not a valid git branch name")
		}
	}
	return nil
}

// validName reports whether s can be a GitHub owner or repository name.
func validName(s string) bool {
	return namePattern.MatchString(s) && s != "." && s != ".."
}

// Content types and encodings the endpoint accepts.
const (
	contentTypeSARIF = "application/sarif+json"
	contentTypeJSON  = "application/json"
)

// checkEncoding validates Content-Type and Content-Encoding; it reports
// whether the sender declared gzip.
func checkEncoding(h http.Header) (gzipDeclared bool, _ *apiError) {
	ct := h.Get("Content-Type")
	if ct == "" {
		return false, newError(http.StatusUnsupportedMediaType, "Content-Type is required: %s or %s", contentTypeSARIF, contentTypeJSON)
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != contentTypeSARIF && mt != contentTypeJSON) {
		return false, newError(http.StatusUnsupportedMediaType, "unsupported Content-Type %q: send %s or %s", ct, contentTypeSARIF, contentTypeJSON)
	}
	encodings := h.Values("Content-Encoding")
	if len(encodings) > 1 {
		return false, newError(http.StatusUnsupportedMediaType, "give one Content-Encoding (gzip), not %d", len(encodings))
	}
	switch enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding"))); enc {
	case "", "identity":
		return false, nil
	case "gzip", "x-gzip":
		return true, nil
	default:
		return false, newError(http.StatusUnsupportedMediaType, "unsupported Content-Encoding %q: send the body plain or with gzip", enc)
	}
}
