package wire

import (
	"fmt"

	"github.com/goconnect/goconnect/api/connect"
)

// The packed form of CommitRecord calls (PollRequest.commits,
// CommitRequest.commits), one after another, with the packed record format's
// integers, strings and time (packed.go):
//
//	seq uvarint, metadata uvarint (0 = nil: filtered or not written, 1 = set),
//	if set: topic string, partition svarint, offset svarint, timestamp time
//
// The worker appends one per CommitRecord call as it happens, so buffering
// the calls costs no allocation.

// AppendCommit appends one CommitRecord call to b.
func AppendCommit(b []byte, seq int64, md *connect.RecordMetadata) []byte {
	p := packer{b: b}
	p.uvarint(uint64(seq))
	if md == nil {
		p.uvarint(0)
		return p.b
	}
	p.uvarint(1)
	p.str(md.Topic)
	p.varint(int64(md.Partition))
	p.varint(md.Offset)
	p.time(md.Timestamp)
	return p.b
}

// RangeCommits decodes the calls AppendCommit packed into b, calling fn for
// each in order. md is nil for a call without metadata; fn may keep it. An
// error from fn stops the walk and is returned.
func RangeCommits(b []byte, fn func(seq int64, md *connect.RecordMetadata) error) error {
	u := unpacker{b: b, s: string(b)}
	for len(u.b) > 0 {
		seq, err := u.uvarint()
		if err != nil {
			return fmt.Errorf("decode commits: %w", err)
		}
		set, err := u.uvarint()
		if err != nil {
			return fmt.Errorf("decode commits: %w", err)
		}
		var md *connect.RecordMetadata
		if set != 0 {
			md = &connect.RecordMetadata{}
			if md.Topic, err = u.str(); err != nil {
				return fmt.Errorf("decode commits: %w", err)
			}
			var p int64
			if p, err = u.varint(); err != nil {
				return fmt.Errorf("decode commits: %w", err)
			}
			md.Partition = int32(p)
			if md.Offset, err = u.varint(); err != nil {
				return fmt.Errorf("decode commits: %w", err)
			}
			if md.Timestamp, err = u.time(); err != nil {
				return fmt.Errorf("decode commits: %w", err)
			}
		}
		if err := fn(int64(seq), md); err != nil {
			return err
		}
	}
	return nil
}
