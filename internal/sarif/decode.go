package sarif

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Import reads a SARIF 2.1.0 log from r and returns its findings. See
// ImportFunc for how the log is read; Import only collects the findings.
func Import(ctx context.Context, r io.Reader, opts ImportOptions) (*Result, error) {
	var fs []findings.Finding
	res, err := ImportFunc(ctx, r, opts, func(f findings.Finding) error {
		fs = append(fs, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Findings = fs
	return res, nil
}

// ImportFunc reads a SARIF 2.1.0 log from r as a stream and passes each
// finding to fn; the returned Result has everything but the findings.
//
// Results are decoded one at a time and converted as soon as their run's
// tool (and, for results that need them, its originalUriBaseIds) has been
// read; a result that comes earlier is kept in a compact form until the
// run ends. A run's findings are handed to fn when the run ends, in order
// of path and line, after identical ones in a file have been numbered.
// Memory therefore grows with the largest run's findings, never with the
// size of the log.
//
// On error, findings already passed to fn must be discarded: the log is
// invalid as a whole (a "version" after the runs is only checked at the
// end). An error from fn stops the import and is returned.
func ImportFunc(ctx context.Context, r io.Reader, opts ImportOptions, fn func(findings.Finding) error) (*Result, error) {
	im, err := newImporter(ctx, r, opts, fn)
	if err != nil {
		return nil, err
	}
	defer im.close()
	if err := im.walkLog(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(im.res.Skipped, func(a, b SkippedResult) int {
		return cmp.Or(cmp.Compare(a.Run, b.Run), cmp.Compare(a.Result, b.Result))
	})
	return im.res, nil
}

// importer walks one log.
type importer struct {
	ctx    context.Context
	opts   ImportOptions
	limits Limits
	pos    *tracker
	dec    *jsontext.Decoder
	fn     func(findings.Finding) error
	res    *Result
	src    *sourceReader
}

// newImporter prepares to read r.
func newImporter(ctx context.Context, r io.Reader, opts ImportOptions, fn func(findings.Finding) error) (*importer, error) {
	src, err := openSource(opts.SourceRoot)
	if err != nil {
		return nil, err
	}
	limits := opts.Limits.withDefaults()
	pos := newTracker(r, limits.MaxBytes)
	dec := jsontext.NewDecoder(pos, jsontext.AllowInvalidUTF8(true))
	pos.consumed = dec.InputOffset
	return &importer{
		ctx:    ctx,
		opts:   opts,
		limits: limits,
		pos:    pos,
		dec:    dec,
		fn:     fn,
		res:    &Result{Tools: []ToolInfo{}},
		src:    src,
	}, nil
}

// close releases the source tree.
func (im *importer) close() { im.src.close() }

// walkLog reads the top-level sarifLog object.
func (im *importer) walkLog() error {
	seen := false
	err := im.object(func(name string) error {
		switch name {
		case "version":
			v, err := im.readString()
			if err != nil {
				return err
			}
			seen = true
			if v != Version {
				return &VersionError{Version: v}
			}
			return nil
		case "runs":
			return im.array(im.walkRun)
		default:
			return im.skip()
		}
	})
	if err != nil {
		return err
	}
	if err := im.expectEOF(); err != nil {
		return err
	}
	if !seen {
		return &VersionError{Missing: true}
	}
	return nil
}

// walkRun reads run i and hands its findings to fn.
func (im *importer) walkRun(i int) error {
	if i >= im.limits.MaxRuns {
		if err := im.overLimit(LimitError{What: "runs", Limit: int64(im.limits.MaxRuns), Run: -1}); err != nil {
			return err
		}
		return im.skip()
	}
	rs := newRunState(im, i)
	err := im.object(func(name string) error {
		switch name {
		case "tool":
			return im.walkTool(rs)
		case "results":
			return im.array(func(j int) error { return im.walkResult(rs, j) })
		case "originalUriBaseIds":
			return im.decodeBases(rs)
		case "automationDetails":
			return im.decodeAutomation(rs)
		default:
			return im.skip()
		}
	})
	if err != nil {
		return err
	}
	if rs.tool == nil || rs.tool.name == "" {
		return im.decodeError(im.dec.InputOffset(), fmt.Sprintf("/runs/%d", i), errors.New("the run has no tool.driver.name"))
	}
	fs, err := rs.finish()
	if err != nil {
		return err
	}
	im.res.Tools = append(im.res.Tools, rs.tool.info())
	im.res.RunCount++
	for _, f := range fs {
		if err := im.fn(f); err != nil {
			return err
		}
	}
	return nil
}

// walkResult reads result j of run rs.
func (im *importer) walkResult(rs *runState, j int) error {
	if err := im.ctx.Err(); err != nil {
		return err
	}
	if j >= im.limits.MaxResultsPerRun {
		if err := im.overLimit(LimitError{What: "results", Limit: int64(im.limits.MaxResultsPerRun), Run: rs.index}); err != nil {
			return err
		}
		return im.skip()
	}
	var d resultDecl
	if err := json.UnmarshalDecode(im.dec, &d); err != nil {
		return im.wrap(err)
	}
	return rs.add(compact(&d, j, im.opts.FingerprintKey))
}

// decodeBases reads run.originalUriBaseIds.
func (im *importer) decodeBases(rs *runState) error {
	var bases map[string]baseDecl
	if err := json.UnmarshalDecode(im.dec, &bases); err != nil {
		return im.wrap(err)
	}
	rs.setBases(bases)
	return nil
}

// decodeAutomation reads run.automationDetails.
func (im *importer) decodeAutomation(rs *runState) error {
	var ad struct {
		ID string `json:"id"`
	}
	if err := json.UnmarshalDecode(im.dec, &ad); err != nil {
		return im.wrap(err)
	}
	rs.automationID = ad.ID
	return nil
}

// overLimit returns le as an error, or records it when truncating.
func (im *importer) overLimit(le LimitError) error {
	if !im.opts.Truncate {
		return &le
	}
	im.res.Truncated = true
	for _, t := range im.res.Truncations {
		if t == le {
			return nil
		}
	}
	im.res.Truncations = append(im.res.Truncations, le)
	return nil
}

// object reads an object (or null), calling fn with each member name;
// fn must consume the member's value.
func (im *importer) object(fn func(name string) error) error {
	tok, err := im.dec.ReadToken()
	if err != nil {
		return im.wrap(err)
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '{':
	default:
		return im.shapeError(fmt.Errorf("expected an object, found %s", kindName(tok.Kind())))
	}
	for im.dec.PeekKind() != '}' {
		name, err := im.dec.ReadToken()
		if err != nil {
			return im.wrap(err)
		}
		if err := fn(name.String()); err != nil {
			return err
		}
	}
	if _, err := im.dec.ReadToken(); err != nil {
		return im.wrap(err)
	}
	return nil
}

// array reads an array (or null), calling fn with each element's index;
// fn must consume the element.
func (im *importer) array(fn func(i int) error) error {
	tok, err := im.dec.ReadToken()
	if err != nil {
		return im.wrap(err)
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '[':
	default:
		return im.shapeError(fmt.Errorf("expected an array, found %s", kindName(tok.Kind())))
	}
	for i := 0; im.dec.PeekKind() != ']'; i++ {
		if err := fn(i); err != nil {
			return err
		}
	}
	if _, err := im.dec.ReadToken(); err != nil {
		return im.wrap(err)
	}
	return nil
}

// readString reads a string (or null, as "").
func (im *importer) readString() (string, error) {
	tok, err := im.dec.ReadToken()
	if err != nil {
		return "", im.wrap(err)
	}
	switch tok.Kind() {
	case '"':
		return tok.String(), nil
	case 'n':
		return "", nil
	}
	return "", im.shapeError(fmt.Errorf("expected a string, found %s", kindName(tok.Kind())))
}

// skip consumes the next value unread.
func (im *importer) skip() error {
	if err := im.dec.SkipValue(); err != nil {
		return im.wrap(err)
	}
	return nil
}

// expectEOF checks that nothing follows the log.
func (im *importer) expectEOF() error {
	_, err := im.dec.ReadToken()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return im.wrap(err)
	}
	return im.shapeError(errors.New("unexpected data after the SARIF log"))
}

// shapeError reports JSON that is not shaped like SARIF, at the current
// position.
func (im *importer) shapeError(err error) error {
	return im.decodeError(im.dec.InputOffset(), string(im.dec.StackPointer()), err)
}

// decodeError builds a *DecodeError at offset off.
func (im *importer) decodeError(off int64, pointer string, err error) *DecodeError {
	line, col := im.pos.position(off)
	return &DecodeError{Offset: off, Line: line, Column: col, Pointer: pointer, Err: err}
}

// wrap turns the decoder's errors into *DecodeError (or the limit or
// context error behind them).
func (im *importer) wrap(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	if ctxErr := im.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return ctxErr
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		return im.decodeError(syn.ByteOffset, string(syn.JSONPointer), syn.Err)
	}
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		return im.decodeError(sem.ByteOffset, string(sem.JSONPointer), semanticReason(sem))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return im.decodeError(im.pos.total, string(im.dec.StackPointer()), io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("sarif: reading the log: %w", err)
}

// semanticReason describes a value of the wrong type.
func semanticReason(sem *json.SemanticError) error {
	reason := fmt.Sprintf("unexpected JSON %s", kindName(sem.JSONKind))
	if sem.GoType != nil {
		reason = fmt.Sprintf("cannot read JSON %s as %s", kindName(sem.JSONKind), goTypeName(sem.GoType.String()))
	}
	if sem.Err != nil {
		return fmt.Errorf("%s: %w", reason, sem.Err)
	}
	return errors.New(reason)
}

// kindName names a JSON kind for messages.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{', '}':
		return "object"
	case '[', ']':
		return "array"
	}
	return "value"
}

// goTypeName names the Go type a value was read into as a JSON type.
func goTypeName(t string) string {
	switch {
	case t == "string":
		return "a string"
	case t == "int" || t == "*int" || t == "float64":
		return "a number"
	case len(t) > 2 && t[:2] == "[]":
		return "an array"
	case len(t) > 4 && t[:4] == "map[":
		return "an object"
	}
	return "an object"
}
