// Command vulnapp is test data for the gosec scanner: real, compilable Go
// code with known weaknesses. It is never built or run.
package main

import (
	"crypto/md5"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
)

// dbPassword is a hard-coded credential (G101). "example" keeps the
// gitleaks scanner from flagging this test data.
var dbPassword = "example-k8Vq2LmZ9xRt4WpN7sYc"

func main() {
	if len(os.Args) < 3 {
		return
	}
	// G204: a command built from input.
	out, err := exec.Command("sh", "-c", os.Args[1]).Output()
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println(string(out))

	// G304: a file path from input.
	name := os.Args[2]
	body, err := os.ReadFile(name)
	if err != nil {
		fmt.Println(err)
	}

	// G401 (and G501 for the import): MD5.
	fmt.Printf("%x\n", md5.Sum(body))

	// G104: an unchecked error.
	os.Remove(name)

	fmt.Println(len(dbPassword))
}

// dialInsecure skips certificate verification (G402).
func dialInsecure(addr string) (*tls.Conn, error) {
	return tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
}

var _ = dialInsecure
