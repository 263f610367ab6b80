// Command missingdep is test data for the gosec scanner: its dependency
// is not in the (empty) module cache and the proxy is off, so it loads
// with errors and is analysed as far as its syntax allows.
package main

import (
	"crypto/md5"
	"fmt"
	"os"
	"os/exec"

	"github.com/conviso-example/notfetched"
)

func main() {
	// G204: a command built from input.
	_ = exec.Command("sh", "-c", os.Args[1]).Run()
	fmt.Printf("%x\n", md5.Sum([]byte(notfetched.Value)))
}
