package boltstore

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Bucket layout. Jobs live in bucketJobs keyed by their 8-byte big-endian
// sequence number; the ready, delayed and lease buckets are indexes ordered
// by ready sequence, due time and lease deadline respectively. Dead jobs are
// moved to bucketDead. KV entries, dedup keys and locks are "expiring"
// values (see expiring.go) indexed by expiry in bucketExpiry.
var (
	bucketJobs    = []byte("jobs")
	bucketReady   = []byte("ready")
	bucketDelayed = []byte("delayed")
	bucketLeases  = []byte("leases")
	bucketDead    = []byte("dead")
	bucketKV      = []byte("kv")
	bucketDedup   = []byte("dedup")
	bucketLocks   = []byte("locks")
	bucketExpiry  = []byte("expiry")

	allBuckets = [][]byte{
		bucketJobs, bucketReady, bucketDelayed, bucketLeases, bucketDead,
		bucketKV, bucketDedup, bucketLocks, bucketExpiry,
	}
)

// Job states stored in jobRecord.State.
const (
	stateReady   = "ready"
	stateDelayed = "delayed"
	stateLeased  = "leased"
	stateDead    = "dead"
)

// jobRecord is the persisted form of a job. Times are Unix nanoseconds.
type jobRecord struct {
	Kind       string `json:"kind"`
	DedupKey   string `json:"dedup,omitempty"`
	Payload    []byte `json:"payload,omitempty"`
	Attempts   int    `json:"attempts"`
	EnqueuedAt int64  `json:"enqueued_at"`
	State      string `json:"state"`
	ReadySeq   uint64 `json:"ready_seq,omitempty"`
	ReadyAt    int64  `json:"ready_at,omitempty"`
	DueAt      int64  `json:"due_at,omitempty"`
	Deadline   int64  `json:"deadline,omitempty"`
	Consumer   string `json:"consumer,omitempty"`
	DeadAt     int64  `json:"dead_at,omitempty"`
}

func encodeRecord(r *jobRecord) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding job record: %w", err)
	}
	return b, nil
}

func decodeRecord(b []byte) (*jobRecord, error) {
	var r jobRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decoding job record: %w", err)
	}
	return &r, nil
}

// toJob converts a record to the public Job form.
func (r *jobRecord) toJob(id uint64) *store.Job {
	return &store.Job{
		ID:         formatID(id),
		Kind:       r.Kind,
		DedupKey:   r.DedupKey,
		Payload:    r.Payload,
		Attempts:   r.Attempts,
		EnqueuedAt: time.Unix(0, r.EnqueuedAt),
	}
}

// formatID converts a job sequence number to its public ID.
func formatID(id uint64) string { return strconv.FormatUint(id, 10) }

// parseID converts a public job ID back to its sequence number.
func parseID(id string) (uint64, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	return n, err == nil && n > 0
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// timeKey builds an index key ordered by t (Unix nanoseconds) then id.
func timeKey(t int64, id uint64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(t))
	binary.BigEndian.PutUint64(b[8:], id)
	return b
}

// keyTime returns the time prefix of an index key built by timeKey.
func keyTime(k []byte) int64 {
	if len(k) < 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(k))
}

// keyID returns the id suffix of an index key built by timeKey, or the id
// stored as an index value.
func keyID(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b[len(b)-8:])
}
