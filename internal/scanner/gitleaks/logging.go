package gitleaks

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// gitleaks logs through the global zerolog logger logging.Logger, and logs
// secret values at the trace and debug levels (the "finding" field, e.g.
// when an allowlist or low entropy discards a match). Importing this
// package replaces that logger, once and before anything can scan:
//
//   - its level is warn, so trace and debug events are never even built
//     (zerolog's global level can only raise this floor, never lower it);
//   - warn and error events go to slog.Default() at the time of logging,
//     with only the fields listed in keptLogFields, so that a field holding
//     a secret cannot pass even if a later gitleaks logs one at warn.
func init() {
	logging.Logger = zerolog.New(logSink{}).Level(zerolog.WarnLevel)
}

// keptLogFields are the gitleaks log fields known to hold no secret.
var keptLogFields = []string{"path", "rule-id", "error"}

// logSink receives gitleaks' zerolog events as JSON objects and forwards
// them to slog.
type logSink struct{}

// Write implements io.Writer. It never fails: a log line that cannot be
// parsed is dropped, as it might hold anything.
func (logSink) Write(p []byte) (int, error) {
	var ev map[string]any
	if err := json.Unmarshal(p, &ev); err != nil {
		return len(p), nil
	}
	level := slog.LevelWarn
	switch ev[zerolog.LevelFieldName] {
	case zerolog.LevelErrorValue, zerolog.LevelFatalValue, zerolog.LevelPanicValue:
		level = slog.LevelError
	}
	attrs := []any{slog.String("component", "gitleaks")}
	for _, k := range keptLogFields {
		if v, ok := ev[k]; ok {
			attrs = append(attrs, slog.Any(k, v))
		}
	}
	msg, _ := ev[zerolog.MessageFieldName].(string)
	slog.Default().Log(context.Background(), level, "gitleaks: "+msg, attrs...)
	return len(p), nil
}
