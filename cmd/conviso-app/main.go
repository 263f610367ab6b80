// Command conviso-app runs the Conviso GitHub App server.
//
// It only parses flags: configuration comes from the environment and an
// optional YAML file (see the README), and app.New builds everything.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/conviso/conviso-github-app/app"
	"github.com/conviso/conviso-github-app/config"
)

func main() {
	configPath := flag.String("config", "", "optional YAML configuration file (environment variables win)")
	flag.Parse()
	if err := run(*configPath); err != nil {
		fmt.Fprintln(os.Stderr, "conviso-app:", err)
		os.Exit(1)
	}
}

func run(configPath string) error {
	cfg, err := config.Load(configPath, os.LookupEnv)
	if err != nil {
		return err
	}
	a, err := app.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return a.Run(ctx)
}
