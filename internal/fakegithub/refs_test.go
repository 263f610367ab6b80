package fakegithub_test

import (
	"context"
	"testing"
)

func TestGetRef(t *testing.T) {
	f := newFixture(t)
	ref, _, err := f.client(t).Git.GetRef(context.Background(), "acme", "api", "heads/main")
	if err != nil {
		t.Fatal(err)
	}
	if ref.GetObject().GetSHA() != f.repo.SHA("main") {
		t.Fatalf("got %s", ref.GetObject().GetSHA())
	}
	if _, _, err := f.client(t).Git.GetRef(context.Background(), "acme", "api", "heads/nope"); err == nil {
		t.Fatal("an unknown branch must be 404")
	}
}
