package util

import (
	"os"
	"os/exec"
	"testing"
)

// TestRun runs a command from the environment (G204), found only when
// test files are analysed.
func TestRun(t *testing.T) {
	if err := exec.Command("sh", "-c", os.Getenv("CMD")).Run(); err != nil {
		t.Log(err)
	}
}
