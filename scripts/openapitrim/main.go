// Command openapitrim trims GitHub's official OpenAPI descriptions down to
// what internal/fakegithub serves and validates, so that the project's tests
// need neither the network nor the 13 MB full description.
//
// It keeps the REST paths and methods in restOperations and the webhook
// schemas in webhookKeys, with every component they reference, transitively,
// and writes them gzipped (deterministically) to the output folder.
//
// Usage:
//
//	go run ./scripts/openapitrim -rest api.github.com.json \
//	    -webhooks webhooks.api.github.com.json -out internal/fakegithub/testdata
package main

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Output file names inside the -out folder; internal/fakegithub embeds them.
const (
	restOut     = "api.github.com.trimmed.json.gz"
	webhooksOut = "webhooks.api.github.com.trimmed.json.gz"
)

func main() {
	rest := flag.String("rest", "", "path to @octokit/openapi generated/api.github.com.json")
	hooks := flag.String("webhooks", "", "path to @octokit/openapi-webhooks generated/api.github.com.json")
	out := flag.String("out", "internal/fakegithub/testdata", "output folder")
	flag.Parse()
	if *rest == "" || *hooks == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*rest, *hooks, *out); err != nil {
		fmt.Fprintln(os.Stderr, "openapitrim:", err)
		os.Exit(1)
	}
}

func run(restPath, hooksPath, out string) error {
	restDoc, err := readJSON(restPath)
	if err != nil {
		return err
	}
	trimmedRest, err := trimREST(restDoc, restOperations)
	if err != nil {
		return fmt.Errorf("trim REST description: %w", err)
	}
	hooksDoc, err := readJSON(hooksPath)
	if err != nil {
		return err
	}
	trimmedHooks, err := trimWebhooks(hooksDoc, webhookKeys)
	if err != nil {
		return fmt.Errorf("trim webhooks description: %w", err)
	}
	if err := writeGzipJSON(filepath.Join(out, restOut), trimmedRest); err != nil {
		return err
	}
	return writeGzipJSON(filepath.Join(out, webhooksOut), trimmedHooks)
}

// trimREST keeps the listed "METHOD /path" operations and the components
// they reference.
func trimREST(doc map[string]any, ops []string) (map[string]any, error) {
	paths, _ := doc["paths"].(map[string]any)
	kept := map[string]any{}
	for _, op := range ops {
		method, path, ok := strings.Cut(op, " ")
		if !ok {
			return nil, fmt.Errorf("operation %q: want \"METHOD /path\"", op)
		}
		item, _ := paths[path].(map[string]any)
		opObj, found := item[strings.ToLower(method)]
		if !found {
			return nil, fmt.Errorf("operation %q not in the description", op)
		}
		dst, _ := kept[path].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			if params, ok := item["parameters"]; ok {
				dst["parameters"] = params
			}
			kept[path] = dst
		}
		dst[strings.ToLower(method)] = opObj
	}
	return assemble(doc, "paths", kept)
}

// trimWebhooks keeps the listed webhooks (keys like "pull-request-opened")
// and the components they reference.
func trimWebhooks(doc map[string]any, keys []string) (map[string]any, error) {
	all, _ := doc["webhooks"].(map[string]any)
	kept := map[string]any{}
	for _, k := range keys {
		v, ok := all[k]
		if !ok {
			return nil, fmt.Errorf("webhook %q not in the description", k)
		}
		kept[k] = v
	}
	return assemble(doc, "webhooks", kept)
}

// assemble builds the trimmed document: doc's header, kept under key, and
// the components kept references.
func assemble(doc map[string]any, key string, kept map[string]any) (map[string]any, error) {
	res := pick(doc, "openapi", "info", "servers", "externalDocs")
	res[key] = kept
	comps, err := closure(doc, kept)
	if err != nil {
		return nil, err
	}
	res["components"] = comps
	return res, nil
}

// closure returns the components of doc referenced from root, transitively.
func closure(doc map[string]any, root any) (map[string]any, error) {
	comps, _ := doc["components"].(map[string]any)
	out := map[string]any{}
	seen := map[string]bool{}
	queue := refs(root)
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		kind, name, err := splitRef(ref)
		if err != nil {
			return nil, err
		}
		group, _ := comps[kind].(map[string]any)
		v, ok := group[name]
		if !ok {
			return nil, fmt.Errorf("dangling $ref %q", ref)
		}
		dst, _ := out[kind].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			out[kind] = dst
		}
		dst[name] = v
		queue = append(queue, refs(v)...)
	}
	return out, nil
}

// splitRef splits "#/components/<kind>/<name>" into kind and name.
func splitRef(ref string) (kind, name string, err error) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return "", "", fmt.Errorf("unsupported $ref %q", ref)
	}
	kind, name, ok = strings.Cut(rest, "/")
	if !ok || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("unsupported $ref %q", ref)
	}
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return kind, name, nil
}

// refs lists every "$ref" string below v, sorted for determinism.
func refs(v any) []string {
	set := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				if s, ok := c.(string); ok && k == "$ref" {
					set[s] = true
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(v)
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func pick(doc map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := doc[k]; ok {
			out[k] = v
		}
	}
	return out
}

func readJSON(path string) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open description: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return doc, nil
}

// writeGzipJSON writes v as indented JSON, gzipped with no timestamp, so
// that regenerating from the same input yields the same bytes.
func writeGzipJSON(path string, v any) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("gzip %s: %w", path, err)
	}
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gzip %s: %w", path, err)
	}
	return nil
}
