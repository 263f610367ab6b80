package osv

import (
	"archive/zip"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxRecordBytes bounds one OSV record (the largest published records are a
// few megabytes: long lists of affected versions).
const maxRecordBytes = 32 << 20

// maxProblems bounds how many unreadable database files are listed.
const maxProblems = 10

// record is the part of an OSV record (https://ossf.github.io/osv-schema/)
// that the scanner uses; details and references are not kept.
type record struct {
	ID        string     `json:"id"`
	Modified  string     `json:"modified"`
	Withdrawn string     `json:"withdrawn"`
	Aliases   []string   `json:"aliases"`
	Summary   string     `json:"summary"`
	Details   string     `json:"details"`
	Severity  []severity `json:"severity"`
	Affected  []affected `json:"affected"`
	// DatabaseSpecific is decoded leniently by dbSpecific: its content is
	// free-form in the schema.
	DatabaseSpecific json.RawMessage `json:"database_specific"`

	modified time.Time
	// ghsaSeverity is database_specific.severity (GitHub's CRITICAL, HIGH,
	// MODERATE or LOW), upper-cased.
	ghsaSeverity string
	// cwes is database_specific.cwe_ids.
	cwes []string
}

// severity is one entry of a record's (or an affected package's)
// severity list: a CVSS vector and its type.
type severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// affected is one affected package of a record.
type affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges   []versionRange `json:"ranges"`
	Versions []string       `json:"versions"`
	Severity []severity     `json:"severity"`
}

// versionRange is one affected range: its type and its events.
type versionRange struct {
	Type   string  `json:"type"`
	Events []event `json:"events"`
}

// event is one range event; exactly one field is set.
type event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// database is the loaded, indexed OSV database. It is read-only once built.
type database struct {
	// index maps ecosystem, then normalised package name, to the records
	// that name the package, in id order.
	index map[string]map[string][]*record
	// records counts the distinct records kept (withdrawn ones excluded).
	records int
	// withdrawn counts the distinct withdrawn records dropped.
	withdrawn int
	// newest is the latest "modified" time of any record read.
	newest time.Time
	// problems lists database files that could not be read, as
	// "file: error", at most maxProblems of them, then a count.
	problems []string
}

// loadDatabase reads every OSV record under dir: *.json files and *.zip
// archives of *.json files, in any folder layout (the osv.dev per-ecosystem
// exports, ECOSYSTEM/all.zip, as well as their extracted folders). A record
// found more than once (multi-ecosystem records appear in each ecosystem's
// export) is kept once, the most recently modified copy winning.
func loadDatabase(dir string) (*database, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("osv: opening database: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("osv: database %s is not a folder", dir)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".zip")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("osv: listing database %s: %w", dir, err)
	}
	l := &loader{dir: dir, byID: make(map[string]*record)}
	l.readAll(files)
	db := l.build()
	if db.records == 0 {
		return nil, fmt.Errorf("osv: database %s holds no usable OSV records (%d files read, problems: %v)",
			dir, len(files), db.problems)
	}
	return db, nil
}

// loader accumulates records read concurrently.
type loader struct {
	dir string

	mu       sync.Mutex
	byID     map[string]*record
	problems []string
	failed   int
}

// readAll reads files with one worker per processor.
func (l *loader) readAll(files []string) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range work {
				l.readFile(p)
			}
		})
	}
	for _, p := range files {
		work <- p
	}
	close(work)
	wg.Wait()
}

// readFile reads one database file: a record or an archive of records.
func (l *loader) readFile(p string) {
	if strings.HasSuffix(p, ".zip") {
		l.readZip(p)
		return
	}
	f, err := os.Open(p)
	if err != nil {
		l.problem(p, err)
		return
	}
	defer f.Close()
	r, err := decodeRecord(f)
	if err != nil {
		l.problem(p, err)
		return
	}
	l.add(r)
}

// readZip reads the *.json entries of an archive.
func (l *loader) readZip(p string) {
	z, err := zip.OpenReader(p)
	if err != nil {
		l.problem(p, err)
		return
	}
	defer z.Close()
	for _, zf := range z.File {
		if zf.FileInfo().IsDir() || !strings.HasSuffix(zf.Name, ".json") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			l.problem(p+"!"+zf.Name, err)
			continue
		}
		r, err := decodeRecord(rc)
		rc.Close()
		if err != nil {
			l.problem(p+"!"+zf.Name, err)
			continue
		}
		l.add(r)
	}
}

// decodeRecord decodes and checks one record.
func decodeRecord(rd io.Reader) (*record, error) {
	body, err := io.ReadAll(io.LimitReader(rd, maxRecordBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxRecordBytes {
		return nil, fmt.Errorf("record larger than %d bytes", maxRecordBytes)
	}
	var r record
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decoding OSV record: %w", err)
	}
	if r.ID == "" {
		return nil, errors.New("not an OSV record: no id")
	}
	if r.modified, err = time.Parse(time.RFC3339Nano, r.Modified); err != nil {
		return nil, fmt.Errorf("record %s: modified: %w", r.ID, err)
	}
	r.ghsaSeverity, r.cwes = dbSpecific(r.DatabaseSpecific)
	r.DatabaseSpecific = nil
	if r.Summary == "" {
		r.Summary = firstLine(r.Details, 120)
	}
	r.Details = ""
	return &r, nil
}

// dbSpecific reads database_specific.severity and .cwe_ids, ignoring
// values of another shape (the object is free-form).
func dbSpecific(raw json.RawMessage) (sev string, cwes []string) {
	var ds struct {
		Severity json.RawMessage `json:"severity"`
		CWEIDs   json.RawMessage `json:"cwe_ids"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &ds) != nil {
		return "", nil
	}
	if json.Unmarshal(ds.Severity, &sev) != nil {
		sev = ""
	}
	if json.Unmarshal(ds.CWEIDs, &cwes) != nil {
		cwes = nil
	}
	return strings.ToUpper(strings.TrimSpace(sev)), cwes
}

// firstLine returns the first non-blank line of s, cut to at most n bytes.
func firstLine(s string, n int) string {
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(strings.TrimLeft(line, "#"))
		if line == "" {
			continue
		}
		if len(line) > n {
			line = strings.ToValidUTF8(line[:n], "") + "…"
		}
		return line
	}
	return ""
}

// add keeps r unless a copy modified later is already kept.
func (l *loader) add(r *record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old, ok := l.byID[r.ID]; ok && !r.modified.After(old.modified) {
		return
	}
	l.byID[r.ID] = r
}

// problem records that a database file could not be read.
func (l *loader) problem(p string, err error) {
	rel, rerr := filepath.Rel(l.dir, p)
	if rerr != nil {
		rel = p
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed++
	l.problems = append(l.problems, fmt.Sprintf("%s: %v", filepath.ToSlash(rel), err))
}

// build indexes the records read.
func (l *loader) build() *database {
	db := &database{index: make(map[string]map[string][]*record)}
	slices.Sort(l.problems)
	db.problems = l.problems
	if len(db.problems) > maxProblems {
		db.problems = append(db.problems[:maxProblems:maxProblems],
			fmt.Sprintf("… and %d more unreadable database files", l.failed-maxProblems))
	}
	ids := make([]string, 0, len(l.byID))
	for id := range l.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := l.byID[id]
		if r.modified.After(db.newest) {
			db.newest = r.modified
		}
		if r.Withdrawn != "" {
			db.withdrawn++
			continue
		}
		db.records++
		for _, a := range r.Affected {
			eco := baseEcosystem(a.Package.Ecosystem)
			if !supportedEcosystems[eco] || a.Package.Name == "" {
				continue
			}
			byName := db.index[eco]
			if byName == nil {
				byName = make(map[string][]*record)
				db.index[eco] = byName
			}
			name := normaliseName(eco, a.Package.Name)
			if list := byName[name]; len(list) == 0 || list[len(list)-1] != r {
				byName[name] = append(list, r)
			}
		}
	}
	return db
}

// lookup returns the records that name the package (eco, name).
func (db *database) lookup(eco, name string) []*record {
	return db.index[eco][normaliseName(eco, name)]
}

// hasEcosystem reports whether any record names a package of eco.
func (db *database) hasEcosystem(eco string) bool { return len(db.index[eco]) > 0 }

// describe summarises the snapshot for Version.
func (db *database) describe() string {
	newest := "unknown"
	if !db.newest.IsZero() {
		newest = db.newest.UTC().Format(time.RFC3339)
	}
	ecos := make([]string, 0, len(db.index))
	for eco := range db.index {
		ecos = append(ecos, eco)
	}
	slices.SortFunc(ecos, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return fmt.Sprintf("%d records (%s), newest modified %s", db.records, strings.Join(ecos, ", "), newest)
}
