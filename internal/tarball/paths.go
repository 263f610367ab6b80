package tarball

import (
	"fmt"
	"path/filepath"
	"strings"
)

// splitName validates an entry's name as stored in the archive and splits
// it into its top-level directory and the path below it ("" for the
// top-level directory itself). Empty and "." components are dropped, so
// "dir//a/./b" and "./dir/a/b" are accepted; ".." components are rejected
// outright, wherever they are and whatever they would clean to.
func splitName(name string, lim Limits) (top, rel string, err error) {
	if len(name) > lim.MaxPathLength {
		return "", "", entryErr(name, ErrPathTooLong, fmt.Sprintf("%d bytes, limit %d", len(name), lim.MaxPathLength))
	}
	if name == "" || strings.IndexByte(name, 0) >= 0 {
		return "", "", entryErr(name, ErrUnsafePath, "empty or holds a NUL byte")
	}
	if strings.HasPrefix(name, "/") || filepath.IsAbs(name) {
		return "", "", entryErr(name, ErrAbsolutePath, "")
	}
	var parts []string
	for _, c := range strings.Split(name, "/") {
		switch c {
		case "..":
			return "", "", entryErr(name, ErrParentRef, "")
		case "", ".":
			continue
		}
		parts = append(parts, c)
	}
	if len(parts) == 0 {
		return "", "", entryErr(name, ErrUnsafePath, "no name")
	}
	if depth := len(parts) - 1; depth > lim.MaxPathDepth {
		return "", "", entryErr(name, ErrPathTooDeep, fmt.Sprintf("%d components, limit %d", depth, lim.MaxPathDepth))
	}
	rel = strings.Join(parts[1:], "/")
	// Belt and braces: after the checks above this cannot fail on Unix,
	// but IsLocal also knows other systems' reserved names.
	if rel != "" && !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", "", entryErr(name, ErrUnsafePath, "not local once cleaned")
	}
	return parts[0], rel, nil
}
