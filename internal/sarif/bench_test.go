package sarif

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

var benchMB = flag.Int("sarif-bench-mb", 100, "size in MiB of the SARIF log BenchmarkImportLarge generates")

// Shape of the generated log: CodeQL-like results with code flows.
const (
	genRuns        = 10
	genRulesPerRun = 50
	genFlowSteps   = 8
)

// genResult writes result i of run r: a located, fingerprinted result with
// a code flow of genFlowSteps steps and a related location (about 2.8 KB).
func genResult(w io.Writer, r, i int) {
	file := fmt.Sprintf("src/pkg%02d/file%04d.go", i%97, i%1009)
	fmt.Fprintf(w, `{"ruleId":"rule-%d","ruleIndex":%d,"level":"warning","message":{"text":"Result %d of run %d: tainted data reaches a sink through [a step](1)."},`, i%genRulesPerRun, i%genRulesPerRun, i, r)
	fmt.Fprintf(w, `"locations":[{"physicalLocation":{"artifactLocation":{"uri":%q,"uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d,"startColumn":5,"endColumn":40,"snippet":{"text":"\tsink(value%d) // generated"}}}}],`, file, 10+i%500, i)
	fmt.Fprintf(w, `"partialFingerprints":{"primaryLocationLineHash":"%016x:1","primaryLocationStartColumnFingerprint":"4"},"codeFlows":[{"threadFlows":[{"locations":[`, uint64(r)<<32|uint64(i))
	for s := range genFlowSteps {
		if s > 0 {
			io.WriteString(w, ",")
		}
		fmt.Fprintf(w, `{"location":{"physicalLocation":{"artifactLocation":{"uri":%q,"uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d,"startColumn":9,"endColumn":31}},"message":{"text":"step %d: value flows through an intermediate variable here"}}}`, file, 1+s*7, s)
	}
	fmt.Fprintf(w, `]}]}],"relatedLocations":[{"id":1,"physicalLocation":{"artifactLocation":{"uri":%q,"uriBaseId":"%%SRCROOT%%"},"region":{"startLine":3}},"message":{"text":"a step"}}]}`, file)
}

// genLog streams a log of about size bytes to w, never holding it, and
// returns the number of results written.
func genLog(w io.Writer, size int64) int {
	per := int(size / genRuns / 2790)
	io.WriteString(w, `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[`)
	for r := range genRuns {
		if r > 0 {
			io.WriteString(w, ",")
		}
		io.WriteString(w, `{"tool":{"driver":{"name":"GenQL","semanticVersion":"1.0.0","rules":[`)
		for k := range genRulesPerRun {
			if k > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `{"id":"rule-%d","shortDescription":{"text":"Generated rule %d"},"help":{"text":"%0512d"},"properties":{"tags":["security","external/cwe/cwe-%d"],"security-severity":"%d.5"}}`, k, k, 0, 20+k, k%10)
		}
		fmt.Fprintf(w, `]}},"automationDetails":{"id":"gen/%d"},"originalUriBaseIds":{"%%SRCROOT%%":{"uri":"file:///ci/repo/"}},"results":[`, r)
		for i := range per {
			if i > 0 {
				io.WriteString(w, ",\n")
			}
			genResult(w, r, i)
		}
		io.WriteString(w, "]}")
	}
	io.WriteString(w, "]}\n")
	return per * genRuns
}

// largeLog writes the benchmark's log into a temporary file.
func largeLog(b *testing.B) (string, int64, int) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "large.sarif")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	n := genLog(w, int64(*benchMB)<<20)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, info.Size(), n
}

// peakHeap samples HeapInuse every few milliseconds until stop is called,
// which returns the highest value seen.
func peakHeap() (stop func() uint64) {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// BenchmarkImportLarge imports a generated log of -sarif-bench-mb MiB
// (100 by default; 10 runs, 50 rules each, results of about 2.8 KB with code
// flows) and reports the peak HeapInuse sampled during the import, next to
// the file's size. "Import" collects every finding; "ImportFunc" counts
// them as they come (memory then follows the largest run).
func BenchmarkImportLarge(b *testing.B) {
	path, size, results := largeLog(b)
	modes := map[string]func(io.Reader) (int, error){
		"Import": func(r io.Reader) (int, error) {
			res, err := Import(context.Background(), r, ImportOptions{})
			if err != nil {
				return 0, err
			}
			return len(res.Findings), nil
		},
		"ImportFunc": func(r io.Reader) (int, error) {
			n := 0
			_, err := ImportFunc(context.Background(), r, ImportOptions{}, func(findings.Finding) error { n++; return nil })
			return n, err
		},
	}
	for _, name := range []string{"Import", "ImportFunc"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				stop := peakHeap()
				n, err := modes[name](bufio.NewReaderSize(f, 64<<10))
				peak = max(peak, stop())
				f.Close()
				if err != nil || n != results {
					b.Fatalf("%d findings of %d: %v", n, results, err)
				}
			}
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(results), "findings")
		})
	}
}
