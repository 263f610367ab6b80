// Command conviso-app runs the Conviso GitHub App server.
//
// It only parses flags: configuration comes from the environment and an
// optional YAML file (see the README), and app.New builds everything.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/conviso/conviso-github-app/app"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/setup"
)

func main() {
	configPath := flag.String("config", "", "optional YAML configuration file (environment variables win)")
	manifestPath := flag.String("manifest", "app.yml", "the GitHub App manifest, used by the setup page when no credentials are configured")
	printCreds := flag.Bool("print-credentials", false, "after self-registration, print the new credentials on standard output for a secret manager")
	flag.Parse()
	if err := run(*configPath, *manifestPath, *printCreds); err != nil {
		fmt.Fprintln(os.Stderr, "conviso-app:", err)
		os.Exit(1)
	}
}

func run(configPath, manifestPath string, printCreds bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := selfRegister(ctx, configPath, manifestPath, printCreds); err != nil {
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	cfg, err := config.Load(configPath, os.LookupEnv)
	if err != nil {
		return err
	}
	a, err := app.New(cfg)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// selfRegister serves the setup page until the app is registered, when no
// GitHub App credentials are configured or stored.
func selfRegister(ctx context.Context, configPath, manifestPath string, printCreds bool) error {
	st, err := config.LoadSetup(configPath, os.LookupEnv)
	if err != nil || !st.NeedsCredentials {
		return err
	}
	manifest, err := os.ReadFile(manifestPath)
	if err != nil {
		return fmt.Errorf("no GitHub App credentials, and the manifest for self-registration is unreadable (--manifest): %w", err)
	}
	opts := setup.Options{Setup: st, Manifest: manifest, Log: os.Stderr}
	if printCreds {
		opts.PrintCredentials = os.Stdout
	}
	s, err := setup.New(opts)
	if err != nil {
		return err
	}
	return s.ListenAndServe(ctx)
}
