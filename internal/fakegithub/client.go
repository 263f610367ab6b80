package fakegithub

import (
	"net/http"
	"net/url"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
)

// InstallationClient returns a go-github client authenticated as the
// installation through ghinstallation against the fake, exactly as the app
// authenticates, for tests of packages below the app.
func (s *Server) InstallationClient(installationID int64) *github.Client {
	s.t.Helper()
	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, s.AppID(), s.PrivateKeyPEM())
	if err != nil {
		s.t.Fatalf("fakegithub: apps transport: %v", err)
	}
	atr.BaseURL = s.URL()
	itr := ghinstallation.NewFromAppsTransport(atr, installationID)
	c := github.NewClient(&http.Client{Transport: itr})
	base, err := url.Parse(s.URL())
	if err != nil {
		s.t.Fatalf("fakegithub: base URL: %v", err)
	}
	c.BaseURL = base
	return c
}
