package upload

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// StatusCoder is implemented by errors that choose the HTTP status of the
// answer: a Validate function returns one to answer 413 or 422 instead of the
// default 400, a Sink to answer something other than 503.
type StatusCoder interface {
	HTTPStatus() int
}

// LimitReporter is optionally implemented by an error that reports a
// violated limit; its value is returned as "limit" in the JSON answer.
type LimitReporter interface {
	Limit() int64
}

// OffsetReporter is optionally implemented by a validation error that knows
// where in the decompressed body it occurred: JSONOffset is the 0-based
// offset of the offending byte. The handler returns it as "offset" with its
// "line" and "column". *json.SyntaxError and *json.UnmarshalTypeError (whose
// Offset counts the bytes read, the offending one included) are recognised
// without it.
type OffsetReporter interface {
	JSONOffset() int64
}

// apiError is an error answer.
type apiError struct {
	status     int
	msg        string
	limit      int64
	retryAfter int   // seconds; 0 leaves Retry-After unset
	offset     int64 // byte offset of a JSON error, -1 when unknown
	line, col  int   // position of offset, 0 when unknown
	authErr    string
	cause      error // logged, never sent
}

func newError(status int, format string, args ...any) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...), offset: -1}
}

func (e *apiError) withCause(err error) *apiError { e.cause = err; return e }

func (e *apiError) withRetry(seconds int) *apiError { e.retryAfter = seconds; return e }

func (e *apiError) withLimit(n int64) *apiError { e.limit = n; return e }

// errorBody is the JSON body of an error answer.
type errorBody struct {
	Error  string `json:"error"`
	Limit  int64  `json:"limit,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Offset *int64 `json:"offset,omitempty"`
}

// unauthorized is a 401 with the RFC 6750 error code (empty when no
// credentials were sent at all).
func unauthorized(code, format string, args ...any) *apiError {
	e := newError(http.StatusUnauthorized, format, args...)
	e.authErr = code
	return e
}

func (e *apiError) write(w http.ResponseWriter) {
	switch {
	case e.status == http.StatusUnauthorized && e.authErr == "":
		w.Header().Set("WWW-Authenticate", `Bearer realm="conviso"`)
	case e.status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="conviso", error="`+e.authErr+`"`)
	case e.status == http.StatusForbidden:
		w.Header().Set("WWW-Authenticate", `Bearer realm="conviso", error="insufficient_scope"`)
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	body := errorBody{Error: e.msg, Limit: e.limit, Line: e.line, Column: e.col}
	if e.offset >= 0 {
		off := e.offset
		body.Offset = &off
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// statusOf returns the status an error chose through StatusCoder, when it is
// a valid client or server error status.
func statusOf(err error) (int, bool) {
	var sc StatusCoder
	if errors.As(err, &sc) {
		if s := sc.HTTPStatus(); s >= 400 && s <= 599 {
			return s, true
		}
	}
	return 0, false
}

// limitOf returns the limit an error reports through LimitReporter.
func limitOf(err error) int64 {
	var lr LimitReporter
	if errors.As(err, &lr) {
		return lr.Limit()
	}
	return 0
}

// jsonOffset finds the 0-based offset of the byte a JSON error is about, or -1.
func jsonOffset(err error) int64 {
	var rep OffsetReporter
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &rep):
		return rep.JSONOffset()
	case errors.As(err, &syn):
		return max(syn.Offset-1, 0)
	case errors.As(err, &typ):
		return max(typ.Offset-1, 0)
	}
	return -1
}

// statusError is an error with a chosen status.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string   { return e.err.Error() }
func (e *statusError) Unwrap() error   { return e.err }
func (e *statusError) HTTPStatus() int { return e.status }

// validationError is the error ValidateJSON returns.
type validationError struct {
	msg    string
	offset int64
	err    error
}

func (e *validationError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}
func (e *validationError) Unwrap() error     { return e.err }
func (e *validationError) HTTPStatus() int   { return http.StatusBadRequest }
func (e *validationError) JSONOffset() int64 { return e.offset }
