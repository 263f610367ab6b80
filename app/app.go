// Package app is the one composition root: configuration → store → GitHub
// clients → scan pipeline → handlers → HTTP server and workers.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/store"
)

// App is a configured, not yet running, Conviso GitHub App server.
type App struct {
	cfg    *config.Config
	logger zerolog.Logger
	store  store.Store
	server *http.Server
	pool   *jobs.Pool
	// background are the periodic tasks (watchdog, onboarding, redelivery).
	background []func(context.Context)
	// closers release what the scanners hold (private folders) at exit.
	closers []io.Closer
	// Addr is the listening address once Run has bound it.
	addr chan string
}

// New builds the app from validated configuration. It opens the store but
// starts nothing; Run starts serving.
func New(cfg *config.Config, opts ...Option) (*App, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	logger := newLogger(cfg, o.logOutput)
	st, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, logger: logger, store: st, addr: make(chan string, 1)}
	if err := a.wire(o); err != nil {
		_ = st.Close()
		return nil, err
	}
	return a, nil
}

// wire builds the GitHub clients, the pipeline, the handlers and the server.
func (a *App) wire(o options) error {
	gh, err := newGitHub(a.cfg, a.logger)
	if err != nil {
		return err
	}
	workDir, err := prepareWorkDir(a.cfg.DataDir, a.cfg.ScanTimeout)
	if err != nil {
		return err
	}
	p, err := newPipeline(a.cfg, a.store, gh, workDir, o)
	if err != nil {
		return err
	}
	bg := newBackground(a.cfg, a.store, gh, p)
	webhooks := newHandlers(a.cfg, gh, p, bg.planner.Wake)
	a.pool = &jobs.Pool{
		Queue: a.store, State: a.store, Handlers: append(webhooks, internalHandlers(a.cfg, gh, p)...),
		Workers: a.cfg.Workers, Consumer: consumerName(),
		Lease: a.cfg.JobLease, Grace: a.cfg.ShutdownGrace, Logger: a.logger,
	}
	a.background = bg.tasks()
	for _, s := range p.runner.Scanners {
		if c, ok := s.(io.Closer); ok {
			a.closers = append(a.closers, c)
		}
	}
	up, uploads, err := newUploadHandler(a.cfg, a.store, p.inventory)
	if err != nil {
		return err
	}
	a.server = &http.Server{
		Handler:           newRouter(a.cfg, a.store, webhooks, a.logger, bg, up, uploads),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	return nil
}

// Addr returns the address the server listens on, once it does.
func (a *App) Addr() string {
	addr := <-a.addr
	a.addr <- addr
	return addr
}

// Run serves webhooks and runs the workers until ctx is cancelled (SIGTERM),
// then shuts down in order: stop taking webhooks, let running jobs finish
// (or give them back to the queue), close the store.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		_ = a.store.Close()
		return &config.Error{Setting: "CONVISO_ADDR", Problem: fmt.Sprintf("cannot listen on %s: %v", a.cfg.Addr, err)}
	}
	a.addr <- ln.Addr().String()
	ctx = a.logger.WithContext(ctx)
	a.logger.Info().Str("addr", ln.Addr().String()).Str("store", a.store.Backend()).
		Int("workers", a.cfg.Workers).Msg("Conviso GitHub App started")

	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(ln) }()
	poolDone := make(chan struct{})
	go func() { _ = a.pool.Run(ctx); close(poolDone) }()
	for _, task := range a.background {
		go task(ctx)
	}

	select {
	case <-ctx.Done():
	case err = <-serveErr:
		a.logger.Error().Err(err).Msg("HTTP server stopped")
	}
	return a.shutdown(err, poolDone)
}

func (a *App) shutdown(cause error, poolDone <-chan struct{}) error {
	a.logger.Info().Msg("Shutting down: no new webhooks; waiting for running jobs")
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil {
		a.logger.Warn().Err(err).Msg("HTTP shutdown incomplete")
	}
	<-poolDone
	for _, c := range a.closers {
		_ = c.Close()
	}
	if err := a.store.Close(); err != nil {
		a.logger.Warn().Err(err).Msg("Closing the store failed")
	}
	a.logger.Info().Msg("Stopped")
	if cause != nil && !errors.Is(cause, http.ErrServerClosed) {
		return cause
	}
	return nil
}

func consumerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()%1e6)
}
