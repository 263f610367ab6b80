package sarif

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// maxBaseDepth bounds a chain of uriBaseIds (and so breaks cycles).
const maxBaseDepth = 16

// location is a resolved URI: an absolute path in the producer's file
// system, or a path relative to the repository root. Neither is cleaned.
type location struct {
	abs  bool
	path string
}

// resolver turns artifact locations into repository paths.
type resolver struct {
	opts  ImportOptions
	bases map[string]baseDecl
	roots []string // absolute, cleaned, slash-separated repository roots
}

// newResolver prepares to resolve locations of a run with these bases. The
// repository roots are SourceRoot and the absolute URIs of the root base
// ids.
func newResolver(opts ImportOptions, bases map[string]baseDecl) *resolver {
	r := &resolver{opts: opts, bases: bases}
	if opts.SourceRoot != "" {
		if abs, err := filepath.Abs(opts.SourceRoot); err == nil {
			r.roots = append(r.roots, path.Clean(filepath.ToSlash(abs)))
		}
	}
	for _, id := range opts.rootBaseIDs() {
		b, ok := bases[id]
		if !ok || b.URI == "" {
			continue
		}
		if loc, err := r.locate(b.URI, b.URIBaseID, 1); err == nil && loc.abs {
			r.roots = append(r.roots, path.Clean(loc.path))
		}
	}
	return r
}

// needsBases reports whether resolving a location may need the run's
// originalUriBaseIds: it names a base, or is absolute (and must then be
// inside a root, which a base may define).
func needsBases(uri, baseID string) bool {
	return baseID != "" || strings.ContainsAny(uri, ":\\") || strings.HasPrefix(uri, "/")
}

// resolve returns the repository path of a uri relative to baseID.
func (r *resolver) resolve(uri, baseID string) (string, error) {
	loc, err := r.locate(uri, baseID, 0)
	if err != nil {
		return "", err
	}
	if loc.abs {
		return r.relativise(path.Clean(loc.path))
	}
	p := path.Clean(loc.path)
	switch {
	case p == "." || p == "/":
		return "", ErrNoLocation
	case p == ".." || strings.HasPrefix(p, "../"):
		return "", ErrEscapesRoot
	}
	return findings.NormalisePath(p), nil
}

// relativise makes an absolute path relative to the repository root that
// contains it.
func (r *resolver) relativise(p string) (string, error) {
	for _, root := range r.roots {
		if p == root {
			return "", ErrNoLocation
		}
		prefix := strings.TrimSuffix(root, "/") + "/"
		if rel, ok := strings.CutPrefix(p, prefix); ok {
			return findings.NormalisePath(rel), nil
		}
	}
	if len(r.roots) == 0 {
		return "", fmt.Errorf("%w (no repository root is known: set SourceRoot or define %s)", ErrOutsideRoot, r.opts.rootBaseIDs()[0])
	}
	return "", fmt.Errorf("%w %s", ErrOutsideRoot, strings.Join(r.roots, ", "))
}

// locate resolves uri against baseID, following the chain of bases.
func (r *resolver) locate(uri, baseID string, depth int) (location, error) {
	if depth > maxBaseDepth {
		return location{}, fmt.Errorf("%w: chain of uriBaseIds deeper than %d (a cycle?)", ErrUnknownBase, maxBaseDepth)
	}
	u, err := parseURI(uri)
	if err != nil {
		return location{}, err
	}
	if u.abs {
		return u, nil
	}
	if baseID == "" {
		return u, nil
	}
	b, ok := r.bases[baseID]
	if !ok || (b.URI == "" && b.URIBaseID == "") {
		if r.opts.isRootBaseID(baseID) {
			return u, nil
		}
		return location{}, fmt.Errorf("%w %q", ErrUnknownBase, baseID)
	}
	parent, err := r.locate(b.URI, b.URIBaseID, depth+1)
	if err != nil {
		return location{}, err
	}
	return location{abs: parent.abs, path: joinURIPath(parent.path, u.path)}, nil
}

// joinURIPath appends a relative path to a base (a directory, whether or
// not its URI ends in "/").
func joinURIPath(base, rel string) string {
	if base == "" {
		return rel
	}
	return strings.TrimSuffix(base, "/") + "/" + rel
}

// parseURI reads a uri: a file:// URI or an absolute path is absolute; a
// relative reference is relative; other schemes are refused. The path is
// percent-decoded. Backslashes count as slashes.
func parseURI(raw string) (location, error) {
	if strings.IndexFunc(raw, isControl) >= 0 {
		return location{}, fmt.Errorf("%w: control character", ErrBadURI)
	}
	raw = strings.ReplaceAll(raw, `\`, "/")
	if len(raw) >= 2 && raw[1] == ':' && isLetter(raw[0]) {
		return location{abs: true, path: "/" + raw}, nil // a Windows drive path
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return location{}, fmt.Errorf("%w: %v", ErrBadURI, err)
	}
	if strings.IndexFunc(u.Path, isControl) >= 0 {
		return location{}, fmt.Errorf("%w: control character", ErrBadURI)
	}
	switch {
	case u.Scheme != "" && !strings.EqualFold(u.Scheme, "file"):
		return location{}, fmt.Errorf("%w (scheme %q)", ErrScheme, u.Scheme)
	case u.Host != "" && !strings.EqualFold(u.Host, "localhost"):
		return location{}, fmt.Errorf("%w (host %q)", ErrOutsideRoot, u.Host)
	case u.Scheme != "" && u.Opaque != "":
		return location{}, fmt.Errorf("%w: relative file URI %q", ErrBadURI, raw)
	case u.Scheme != "" || strings.HasPrefix(u.Path, "/"):
		return location{abs: true, path: u.Path}, nil
	}
	return location{path: u.Path}, nil
}

// isControl reports ASCII control characters (and DEL).
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// isLetter reports an ASCII letter.
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
