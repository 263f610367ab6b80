package fakegithub

import (
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Trimmed copies of GitHub's descriptions, made by scripts/gen-github-openapi.sh.
const (
	restSpecFile    = "testdata/api.github.com.trimmed.json.gz"
	webhookSpecFile = "testdata/webhooks.api.github.com.trimmed.json.gz"
)

//go:embed testdata/*.json.gz
var specFS embed.FS

// restSpec is the loaded REST description and its router, built once per process.
type restSpec struct {
	doc    *openapi3.T
	router routers.Router
	// templates maps the router's path keys back to GitHub's path templates
	// (they differ where a parameter spans several segments).
	templates map[string]string
}

var (
	restOnce sync.Once
	restVal  *restSpec
	restErr  error
)

// loadREST returns the trimmed REST description, loading it on first use.
func loadREST() (*restSpec, error) {
	restOnce.Do(func() { restVal, restErr = buildREST() })
	return restVal, restErr
}

func buildREST() (*restSpec, error) {
	raw, err := readGzip(restSpecFile)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("load REST description: %w", err)
	}
	// Match any host: the fake listens on 127.0.0.1, not api.github.com.
	doc.Servers = nil
	templates := multiSegmentPaths(doc)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("build router: %w", err)
	}
	return &restSpec{doc: doc, router: router, templates: templates}, nil
}

// multiSegmentPaths rewrites path keys whose parameters GitHub marks
// "x-multi-segment" (a ref or a file path may contain "/") into gorilla/mux
// patterns like {path:.+}, and returns router key -> GitHub template for
// every path.
func multiSegmentPaths(doc *openapi3.T) map[string]string {
	out := map[string]string{}
	for tmpl, item := range doc.Paths.Map() {
		key := tmpl
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value == nil || p.Value.In != openapi3.ParameterInPath {
					continue
				}
				if multi, _ := p.Value.Extensions["x-multi-segment"].(bool); multi {
					key = strings.Replace(key, "{"+p.Value.Name+"}", "{"+p.Value.Name+":.+}", 1)
				}
			}
		}
		out[key] = tmpl
		if key != tmpl {
			doc.Paths.Delete(tmpl)
			doc.Paths.Set(key, item)
		}
	}
	return out
}

// readGzip returns the decompressed content of an embedded file.
func readGzip(name string) ([]byte, error) {
	f, err := specFS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("gunzip %s: %w", name, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return raw, nil
}

// operationKey is "METHOD /template", the key of the fake's route table.
func operationKey(method, template string) string { return method + " " + template }

// specOperations lists every "METHOD /template" in the trimmed description.
func (s *restSpec) specOperations() []string {
	var out []string
	for key, item := range s.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, operationKey(method, s.templates[key]))
		}
	}
	return out
}

// docsURL returns the operation's documentation URL, as GitHub puts in
// its error bodies.
func docsURL(op *openapi3.Operation) string {
	if op != nil && op.ExternalDocs != nil {
		return op.ExternalDocs.URL
	}
	return "https://docs.github.com/rest"
}
