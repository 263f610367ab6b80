package fakegithub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// call is one API request being handled.
type call struct {
	s      *Server
	r      *http.Request
	op     string
	route  *routers.Route
	params map[string]string
	body   []byte
	query  url.Values
	auth   string
	inst   *Installation
	tok    *token
	repo   *Repo
	header http.Header
}

// reply is a handler's answer; body is marshalled to JSON unless nil.
type reply struct {
	status   int
	body     any
	header   http.Header
	scripted bool
}

// ServeHTTP implements http.Handler: validate, authenticate, answer, record.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, archivePrefix) {
		s.serveArchive(w, r)
		return
	}
	defer s.enter()()
	if s.opts.latency > 0 {
		time.Sleep(s.opts.latency)
	}
	c, rep := s.prepare(r)
	s.respond(w, c, rep)
}

// prepare runs a request through routing, validation, auth, rate limits,
// scripted responses and finally its handler.
func (s *Server) prepare(r *http.Request) (*call, reply) {
	body, err := io.ReadAll(r.Body)
	c := &call{s: s, r: r, body: body, query: r.URL.Query(), header: http.Header{}}
	if err != nil {
		return c, errorReply(http.StatusBadRequest, "Problems reading the request body", "")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	found, params, err := s.spec.router.FindRoute(r)
	if err != nil {
		c.violate("route", "no operation of GitHub's REST description (as trimmed for the fake) matches: "+
			err.Error()+"; if GitHub has it, add it to the fake's route table and to scripts/openapitrim")
		return c, errorReply(http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
	}
	c.route, c.params = found, params
	c.op = operationKey(r.Method, s.spec.templates[found.Path])
	rt := routeTable[c.op]
	steps := []func(route) (reply, bool){c.validateRequest, c.authorize, c.spendRate, c.wait, c.scripted}
	for _, step := range steps {
		if rep, stop := step(rt); stop {
			return c, rep
		}
	}
	if rt.content {
		s.countContentCreating()
	}
	return c, rt.handle(c)
}

// validationOptions are the kin-openapi options used for requests and responses.
func validationOptions(includeStatus bool) *openapi3filter.Options {
	o := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: includeStatus,
	}
	o.WithCustomSchemaErrorFunc(func(e *openapi3.SchemaError) string {
		return fmt.Sprintf("%s at /%s", e.Reason, strings.Join(e.JSONPointer(), "/"))
	})
	return o
}

// validateRequest checks the request against the description and the
// limits GitHub documents for query parameters.
func (c *call) validateRequest(route) (reply, bool) {
	in := &openapi3filter.RequestValidationInput{
		Request: c.r, PathParams: c.params, Route: c.route, Options: validationOptions(false),
	}
	if c.nullOptionalBody() {
		c.r.Body = http.NoBody
	}
	err := openapi3filter.ValidateRequest(context.Background(), in)
	c.r.Body = io.NopCloser(bytes.NewReader(c.body))
	if err == nil {
		return reply{}, false
	}
	c.violate("request", err.Error())
	var reqErr *openapi3filter.RequestError
	switch {
	case errors.As(err, &reqErr) && reqErr.Parameter != nil && reqErr.Parameter.In == openapi3.ParameterInPath:
		return errorReply(http.StatusNotFound, "Not Found", docsURL(c.route.Operation)), true
	case errors.As(err, &reqErr) && reqErr.RequestBody != nil && !json.Valid(c.body):
		return errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL(c.route.Operation)), true
	}
	return errorReply(http.StatusUnprocessableEntity, "Invalid request.\n\n"+err.Error(), docsURL(c.route.Operation)), true
}

// nullOptionalBody reports a JSON null body where the body is optional.
// GitHub's parser takes it as "no body", and ghinstallation sends exactly
// that to create tokens (it marshals nil InstallationTokenOptions), though
// the description's schema (type: object, not nullable) rejects it.
func (c *call) nullOptionalBody() bool {
	rb := c.route.Operation.RequestBody
	return string(bytes.TrimSpace(c.body)) == "null" && rb != nil && rb.Value != nil && !rb.Value.Required
}

// respond writes rep, after validating it against the description.
func (s *Server) respond(w http.ResponseWriter, c *call, rep reply) {
	var payload []byte
	if rep.body != nil {
		var err error
		if payload, err = json.Marshal(rep.body); err != nil {
			c.violate("response", "fake could not marshal its response: "+err.Error())
			rep, payload = errorReply(http.StatusInternalServerError, "fake marshal error", ""), nil
		}
	}
	h := w.Header()
	for _, src := range []http.Header{c.header, rep.header} {
		for k, v := range src {
			h[k] = v
		}
	}
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("FAKE:%08X", s.reqSeq.Add(1)))
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	if payload != nil {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	if c.route != nil && !rep.scripted {
		c.validateResponse(rep.status, h, payload)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(payload)
	s.record(c, rep.status)
}

// validateResponse checks the fake's own answer against the description, so
// that the fake cannot drift from what GitHub sends.
func (c *call) validateResponse(status int, h http.Header, payload []byte) {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: c.r, PathParams: c.params, Route: c.route, Options: validationOptions(false),
		},
		Status:  status,
		Header:  h,
		Body:    io.NopCloser(bytes.NewReader(payload)),
		Options: validationOptions(status < http.StatusBadRequest),
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		c.violate("response", "the fake's own response breaks the description (a fakegithub bug): "+err.Error())
	}
}

// violate records a violation for this call.
func (c *call) violate(kind, msg string) {
	c.s.addViolation(Violation{Kind: kind, Method: c.r.Method, Path: c.r.URL.RequestURI(), Operation: c.op, Message: msg})
}

// record appends the call to the request log.
func (s *Server) record(c *call, status int) {
	req := Request{
		Time: time.Now(), Method: c.r.Method, Path: c.r.URL.Path, Query: c.query, Body: c.body,
		Operation: c.op, Auth: c.auth, Status: status,
	}
	if c.inst != nil {
		req.InstallationID = c.inst.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.requests = append(s.st.requests, req)
}

// errorReply is GitHub's error body: message, documentation_url, status.
func errorReply(status int, msg, docs string) reply {
	if docs == "" {
		docs = "https://docs.github.com/rest"
	}
	return reply{status: status, body: map[string]any{
		"message": msg, "documentation_url": docs, "status": fmt.Sprint(status),
	}}
}

// notFound is GitHub's 404.
func (c *call) notFound() reply {
	return errorReply(http.StatusNotFound, "Not Found", docsURL(c.route.Operation))
}

// unprocessable is GitHub's 422 for a request GitHub's own checks reject;
// the fake records it as a limit violation.
func (c *call) unprocessable(msg string) reply {
	c.violate("limit", msg)
	return errorReply(http.StatusUnprocessableEntity, "Invalid request.\n\n"+msg, docsURL(c.route.Operation))
}

// ok, created and the like build success replies.
func ok(body any) reply      { return reply{status: http.StatusOK, body: body} }
func created(body any) reply { return reply{status: http.StatusCreated, body: body} }

// byParam finds the item of the call's repository whose ID is the path
// parameter param; key returns an item's ID and "owner/repo". Callers hold
// s.mu.
func byParam[T any](c *call, param string, items []*T, key func(*T) (int64, string)) *T {
	id, _ := strconv.ParseInt(c.params[param], 10, 64)
	for _, it := range items {
		if itemID, repo := key(it); itemID == id && strings.EqualFold(repo, c.repo.owner+"/"+c.repo.name) {
			return it
		}
	}
	return nil
}

// withItem locks the state, resolves an item with find and runs f on it,
// answering 404 when there is none.
func withItem[T any](c *call, find func() *T, f func(*T) reply) reply {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	item := find()
	if item == nil {
		return c.notFound()
	}
	return f(item)
}
