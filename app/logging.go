package app

import (
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/config"
)

// newLogger builds the process logger in the configured format and level.
func newLogger(cfg *config.Config, w io.Writer) zerolog.Logger {
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}
