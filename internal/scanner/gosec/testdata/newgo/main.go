// Command newgo is test data: its go.mod needs a newer Go than the
// scanner's, which must not download a toolchain but still analyse it.
package main

import "crypto/tls"

func main() {
	// G402: certificate verification skipped.
	conn, err := tls.Dial("tcp", "example.com:443", &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		_ = conn.Close()
	}
}
