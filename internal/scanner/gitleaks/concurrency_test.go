package gitleaks

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
)

func TestConcurrentScansAgree(t *testing.T) {
	s := newScanner(t)
	dir := writeTree(t, goldenTree())
	want, err := json.Marshal(scan(t, s, dir))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	errs := make([]error, 4)
	for i := range got {
		wg.Go(func() {
			res, err := s.Scan(context.Background(), dir)
			if err == nil {
				got[i], err = json.Marshal(res)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || string(got[i]) != string(want) {
			t.Errorf("scan %d: err %v, result differs:\n%s\nwant\n%s", i, errs[i], got[i], want)
		}
	}
}
