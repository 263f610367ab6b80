// Package loose is test data: Go files outside any module.
package loose

import "crypto/sha1"

// Digest uses SHA-1 (G401, and G505 for the import).
func Digest(b []byte) [20]byte { return sha1.Sum(b) }
