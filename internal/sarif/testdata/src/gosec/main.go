// Command gosecdemo is a deliberately insecure program: it exists only so
// that gosec has something to report (see ../../README.md). Never run it.
package main

import (
	"crypto/md5"
	"fmt"
	"os"
	"os/exec"
)

// G101: hard-coded credentials.
const dbPassword = "Xk4!pR9#vB2qL7wZ0mT5"

func main() {
	// G204: a subprocess launched with a variable.
	tool := os.Getenv("TOOL")
	out, err := exec.Command(tool, "--version").Output()
	fmt.Println(string(out), err)

	// G304: a file path taken from the environment.
	name := os.Getenv("REPORT")
	data, _ := os.ReadFile(name)

	// G401: weak hash (and G501, its import).
	sum := md5.Sum(data)
	fmt.Printf("%x %d\n", sum, len(dbPassword))

	// G204 again, suppressed in the source: gosec reports it only with
	// -track-suppressions, as a result with an inSource suppression.
	_ = exec.Command(tool).Run() // #nosec G204 -- demo of a suppression
}
