package retry_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/retry"
)

func TestErrorsAreFoundThroughWrapping(t *testing.T) {
	cause := errors.New("another scan is running")
	for _, tc := range []struct {
		name string
		err  error
		busy bool
	}{
		{"after", retry.After(cause, time.Second), false},
		{"busy", retry.Busy(cause, 2*time.Second), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r *retry.Error
			if !errors.As(fmt.Errorf("running the scan: %w", tc.err), &r) {
				t.Fatal("a wrapped retry error is not found")
			}
			if r.Busy != tc.busy || r.After <= 0 || !errors.Is(tc.err, cause) {
				t.Fatalf("got %+v", r)
			}
		})
	}
}
