package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ctxCheckEvery is how many JSON tokens ValidateJSON reads between checks of
// its context.
const ctxCheckEvery = 4096

// ValidateJSON is the fallback Config.Validate: it checks, as a stream and in
// constant memory, that r holds exactly one well-formed JSON object. It does
// not check that the object is a SARIF log; wire the SARIF importer's
// validator instead. Its errors carry the offset of the offending byte.
func ValidateJSON(ctx context.Context, r io.Reader) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return &validationError{msg: "empty body: expected a SARIF log (a JSON object)", offset: -1}
	}
	if err != nil {
		return jsonError(dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &validationError{msg: "malformed SARIF: the body must be a JSON object", offset: dec.InputOffset()}
	}
	for depth, n := 1, 0; depth > 0; n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return &statusError{status: http.StatusServiceUnavailable, err: fmt.Errorf("validating JSON: %w", err)}
			}
		}
		tok, err := dec.Token()
		if err != nil {
			return jsonError(dec, err)
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	dec.More() // skips white space, so that InputOffset is where trailing data starts
	off := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &validationError{msg: "malformed JSON: unexpected data after the SARIF object", offset: off}
	}
	return nil
}

// jsonError turns a decoder error into a validationError with an offset.
func jsonError(dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// Decoder.Token's SyntaxError.Offset is sometimes before the
		// offending byte; InputOffset is then at it.
		return &validationError{msg: "malformed JSON", offset: max(syn.Offset, dec.InputOffset()), err: err}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &validationError{msg: "malformed JSON: unexpected end of input", offset: dec.InputOffset()}
	default:
		return &statusError{status: http.StatusInternalServerError, err: fmt.Errorf("reading the spooled body: %w", err)}
	}
}
