// Package clean is test data: it has no dependency, so it loads without
// errors beside a package that has a missing one.
package clean

import "os"

// Open opens a file named by its caller (G304).
func Open(name string) (*os.File, error) {
	return os.Open(name)
}
