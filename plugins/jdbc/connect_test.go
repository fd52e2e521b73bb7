package jdbc

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/goconnect/goconnect/api/connect"
)

// refusingServer accepts TCP connections and fails them, counting them: every
// connection attempt of a driver fails there.
func refusingServer(t *testing.T, pg bool) (port int, accepted *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted = &atomic.Int64{}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			if pg {
				// A PostgreSQL server that is starting up: it reads the startup
				// message and answers FATAL 57P03 (a closed socket would make pgx
				// try again on its own).
				var n [4]byte
				if _, err := io.ReadFull(c, n[:]); err == nil {
					_, _ = io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(n[:]))-4)
					body := "SFATAL\x00C57P03\x00Mthe database system is starting up\x00\x00"
					msg := append([]byte{'E'}, binary.BigEndian.AppendUint32(nil, uint32(len(body)+4))...)
					_, _ = c.Write(append(msg, body...))
				}
			}
			c.Close()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port, accepted
}

// connection.attempts and connection.backoff.ms govern every connection the
// source connector, the source task and the sink task make: each tries exactly
// connection.attempts times before the error surfaces.
func TestConnectionAttempts(t *testing.T) {
	for _, scheme := range []string{"postgresql", "mysql"} {
		for _, attempts := range []int{1, 3} {
			t.Run(scheme+"/"+strconv.Itoa(attempts), func(t *testing.T) {
				port, accepted := refusingServer(t, scheme == "postgresql")
				url := "jdbc:" + scheme + "://127.0.0.1:" + strconv.Itoa(port) + "/test?user=u&sslmode=disable"
				props := map[string]string{ConnectionURLConfig: url, ConnectionAttemptsConfig: strconv.Itoa(attempts), ConnectionBackoffConfig: "1",
					ModeConfig: "incrementing", IncrementingColumnConfig: "id", TopicPrefixConfig: "p_", TableConfig: "x", MaxRetriesConfig: "0"}
				check := func(what string, err error) {
					t.Helper()
					if err == nil {
						t.Fatalf("%s: no error", what)
					}
					if n := accepted.Swap(0); n != int64(attempts) {
						t.Errorf("%s: %d connection attempts, want %d (err: %v)", what, n, attempts, err)
					}
					if attempts > 1 && !strings.Contains(err.Error(), "after "+strconv.Itoa(attempts)+" attempts") {
						t.Errorf("%s: err = %v", what, err)
					}
				}

				c := NewSourceConnector()
				check("source connector start", c.Start(&fakeConnectorContext{reconfigs: make(chan struct{}, 1)}, props))

				tp := map[string]string{tablesConfig: "x"}
				for k, v := range props {
					tp[k] = v
				}
				check("source task start", (&SourceTask{}).Start(&fakeSourceContext{props: tp, offsets: memOffsets{}}, tp))

				sink := &SinkTask{}
				if err := sink.Start(&fakeSinkContext{props: props}, props); err != nil {
					t.Fatal(err)
				}
				defer sink.Stop()
				s := allTypesSchema(false)
				err := sink.Put(context.Background(), []*connect.Record{sinkRecord("t", 0, nil, nil, s, allTypesValue(s, 1))})
				check("sink put", err)
			})
		}
	}
}
