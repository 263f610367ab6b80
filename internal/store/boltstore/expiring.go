package boltstore

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Expiring values (KV entries, dedup keys and locks) are stored as an 8-byte
// big-endian expiry in Unix nanoseconds (0 = never) followed by the data.
// Every value with an expiry also has an entry in bucketExpiry, keyed by
// expiry, bucket tag and key, so the sweep finds expired entries without
// scanning whole buckets. Reads ignore expired values whether or not they
// have been swept yet.

const (
	headerLen      = 8
	sweepBatchSize = 1000
)

// bucketTags maps the one-byte tags used in expiry index keys to buckets.
var bucketTags = map[byte][]byte{'k': bucketKV, 'd': bucketDedup, 'l': bucketLocks}

func tagOf(bucket []byte) byte {
	for tag, b := range bucketTags {
		if string(b) == string(bucket) {
			return tag
		}
	}
	return 0
}

func expiryKey(exp int64, bucket, key []byte) []byte {
	k := make([]byte, 0, 9+len(key))
	k = binary.BigEndian.AppendUint64(k, uint64(exp))
	k = append(k, tagOf(bucket))
	return append(k, key...)
}

// expiryOf returns the expiry header of a stored value.
func expiryOf(v []byte) int64 {
	if len(v) < headerLen {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

// live reports whether stored value v exists and has not expired at now.
func live(v []byte, now int64) bool {
	if len(v) < headerLen {
		return false
	}
	exp := expiryOf(v)
	return exp == 0 || exp > now
}

// getLive returns the data of key in bucket when it exists and has not
// expired. The slice is only valid during the transaction.
func getLive(tx *bolt.Tx, bucket, key []byte, now int64) ([]byte, bool) {
	v := tx.Bucket(bucket).Get(key)
	if !live(v, now) {
		return nil, false
	}
	return v[headerLen:], true
}

// putExpiring stores data under key in bucket, expiring at exp (0 = never).
func putExpiring(tx *bolt.Tx, bucket, key, data []byte, exp int64) error {
	if err := deleteExpiring(tx, bucket, key); err != nil {
		return err
	}
	v := make([]byte, headerLen, headerLen+len(data))
	binary.BigEndian.PutUint64(v, uint64(exp))
	v = append(v, data...)
	if err := tx.Bucket(bucket).Put(key, v); err != nil {
		return fmt.Errorf("writing %s key: %w", bucket, err)
	}
	if exp == 0 {
		return nil
	}
	if err := tx.Bucket(bucketExpiry).Put(expiryKey(exp, bucket, key), []byte{}); err != nil {
		return fmt.Errorf("indexing %s key expiry: %w", bucket, err)
	}
	return nil
}

// deleteExpiring removes key and its expiry index entry from bucket.
func deleteExpiring(tx *bolt.Tx, bucket, key []byte) error {
	b := tx.Bucket(bucket)
	old := b.Get(key)
	if old == nil {
		return nil
	}
	if exp := expiryOf(old); exp != 0 {
		if err := tx.Bucket(bucketExpiry).Delete(expiryKey(exp, bucket, key)); err != nil {
			return fmt.Errorf("unindexing %s key expiry: %w", bucket, err)
		}
	}
	if err := b.Delete(key); err != nil {
		return fmt.Errorf("deleting %s key: %w", bucket, err)
	}
	return nil
}

// sweepBatch deletes up to sweepBatchSize entries that expired before now
// in one transaction and returns how many index entries it processed.
func (s *Store) sweepBatch(now int64) (int, error) {
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		var due [][]byte
		c := tx.Bucket(bucketExpiry).Cursor()
		for k, _ := c.First(); k != nil && len(due) < sweepBatchSize; k, _ = c.Next() {
			if len(k) < 9 || expiryOf(k) > now {
				break
			}
			due = append(due, append([]byte(nil), k...))
		}
		n = len(due)
		for _, k := range due {
			if err := sweepOne(tx, k, now); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// sweepOne handles one expiry index entry: it deletes the entry and, when
// the value it points at is indeed expired, the value too.
func sweepOne(tx *bolt.Tx, indexKey []byte, now int64) error {
	if err := tx.Bucket(bucketExpiry).Delete(indexKey); err != nil {
		return fmt.Errorf("deleting expiry index entry: %w", err)
	}
	bucket, ok := bucketTags[indexKey[8]]
	if !ok {
		return nil
	}
	key := indexKey[9:]
	v := tx.Bucket(bucket).Get(key)
	if v == nil || live(v, now) {
		return nil
	}
	if err := tx.Bucket(bucket).Delete(key); err != nil {
		return fmt.Errorf("deleting expired %s key: %w", bucket, err)
	}
	return nil
}
