//go:build e2e

package kafkastore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// TestJavaGoldens runs the real Java Connect 4.3.1 distributed worker through a
// scenario touching every config-topic record kind Java writes in normal operation
// (a connector created, its tasks committed, offsets committed, paused; a
// connector created with initial_state STOPPED; a connector created and deleted;
// a restart request; a cluster logger level), stops it, and then
//
//   - compares the raw records of its three internal topics, normalized, with the
//     golden files (-update rewrites them);
//   - opens goconnect's stores on Java's topics and checks what a goconnect worker
//     taking over this cluster would see (connectors, target states, task configs,
//     statuses, the committed source offset).
func TestJavaGoldens(t *testing.T) {
	bootstrap := harness.Kafka(t)
	if err := os.MkdirAll(goldenSourceDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(goldenSourceDir) })
	if err := os.WriteFile(goldenSourceFile, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprint(time.Now().UnixNano())
	topics := map[string]string{
		"config.storage.topic": "golden-configs-" + suffix,
		"offset.storage.topic": "golden-offsets-" + suffix,
		"status.storage.topic": "golden-status-" + suffix,
	}
	props := map[string]string{"group.id": "golden-" + suffix}
	for k, v := range topics {
		props[k] = v
	}
	w := harness.JavaConnectWorkerFor(t, "distributed", props)
	rest := func(method, path, body string, want ...int) string {
		t.Helper()
		req, _ := http.NewRequest(method, w.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, c := range want {
			if resp.StatusCode == c {
				return string(b)
			}
		}
		t.Fatalf("%s %s: status %d: %s", method, path, resp.StatusCode, b)
		return ""
	}
	waitStatus := func(name, conn, task string) {
		t.Helper()
		harness.CheckFor(t, 60*time.Second, func() error {
			resp, err := http.Get(w.URL + "/connectors/" + name + "/status")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			s := string(b)
			if !strings.Contains(s, `"connector":{"state":"`+conn+`"`) {
				return fmt.Errorf("status %s", s)
			}
			if task != "" && !strings.Contains(s, `"tasks":[{"id":0,"state":"`+task+`"`) {
				return fmt.Errorf("status %s", s)
			}
			return nil
		})
	}
	// The config map is sent in java.util.HashMap order of its keys, which is the
	// order goconnect writes maps in; see docs/internal-topics.md.
	cfg := func(file string) string {
		return `{"connector.class":"org.apache.kafka.connect.file.FileStreamSourceConnector","file":"` + file +
			`","tasks.max":"1","topic":"golden-lines"}`
	}
	rest("POST", "/connectors", `{"name":"file-src","config":`+cfg(goldenSourceFile)+`}`, 201)
	waitStatus("file-src", "RUNNING", "RUNNING")

	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	harness.CheckFor(t, 60*time.Second, func() error {
		ends, err := adm.ListEndOffsets(context.Background(), topics["offset.storage.topic"])
		if err != nil {
			return err
		}
		var n int64
		ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
		if n == 0 {
			return fmt.Errorf("no offset committed yet")
		}
		return nil
	})
	rest("PUT", "/connectors/file-src/pause", "", 202)
	waitStatus("file-src", "PAUSED", "PAUSED")
	rest("POST", "/connectors", `{"name":"file-stopped","config":`+cfg(goldenSourceDir+"/other.txt")+`,"initial_state":"STOPPED"}`, 201)
	waitStatus("file-stopped", "STOPPED", "")
	rest("POST", "/connectors", `{"name":"to-delete","config":`+cfg(goldenSourceDir+"/gone.txt")+`}`, 201)
	waitStatus("to-delete", "RUNNING", "RUNNING")
	rest("DELETE", "/connectors/to-delete", "", 204)
	rest("POST", "/connectors/file-src/restart?includeTasks=true&onlyFailed=true", "", 200, 202, 204)
	rest("PUT", "/admin/loggers/org.apache.kafka.connect.file?scope=cluster", `{"level":"DEBUG"}`, 204)
	time.Sleep(2 * time.Second) // let the restart settle; statuses are asynchronous
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}

	files := map[string]string{
		"config.storage.topic": "config.jsonl",
		"offset.storage.topic": "offsets.jsonl",
		"status.storage.topic": "status.jsonl",
	}
	for key, file := range files {
		raw := readTopic(t, cl, topics[key])
		if key == "offset.storage.topic" {
			for _, r := range raw {
				if want := javaPartition([]byte(r.Key), goldenOffsetsPar); r.P != want {
					t.Errorf("Java wrote offset key %s to partition %d, murmur2 says %d", r.Key, r.P, want)
				}
			}
		}
		got := normalize(raw)
		if key == "status.storage.topic" && !*update {
			// The sequence of status records depends on rebalance timing
			// (generations, how often a task restarts), so only the format is
			// compared: goconnect re-encodes every value Java wrote identically.
			for _, r := range raw {
				if r.Value == nil {
					continue
				}
				var back []byte
				if strings.HasPrefix(r.Key, topicStatusPrefix) {
					ts, err := ParseTopicStatus(r.value())
					if err != nil {
						t.Fatalf("%s: %v", r.Key, err)
					}
					back = EncodeTopicStatus(ts)
				} else {
					st, err := ParseStatus(r.value())
					if err != nil {
						t.Fatalf("%s: %v", r.Key, err)
					}
					back = EncodeStatus(st)
				}
				if string(back) != *r.Value {
					t.Errorf("%s:\n java      %s\n goconnect %s", r.Key, *r.Value, back)
				}
			}
			continue
		}
		if *update {
			writeGolden(t, file, got)
			continue
		}
		want := readGolden(t, file)
		if d := diffGolden(want, got); d != "" {
			t.Errorf("%s differs from the golden (run with -update after checking):\n%s", file, d)
		}
	}

	// Takeover: goconnect's stores read Java's topics.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := []kgo.Opt{kgo.SeedBrokers(bootstrap)}
	specs := map[string]TopicSpec{}
	for key, name := range topics {
		specs[key] = TopicSpec{Name: name, Partitions: 1, ReplicationFactor: 1, WorkerKey: key, Purpose: "test"}
	}
	cs, err := OpenConfigStore(ctx, StoreConfig{Topic: specs["config.storage.topic"], Client: opts, Admin: adm}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	checkTakeoverSnapshot(t, cs.Snapshot())
	ofs, err := OpenOffsetStore(ctx, StoreConfig{Topic: specs["offset.storage.topic"], Client: opts, Admin: adm})
	if err != nil {
		t.Fatal(err)
	}
	defer ofs.Close()
	checkTakeoverOffsets(ctx, t, ofs)
	ss, err := OpenStatusStore(ctx, StoreConfig{Topic: specs["status.storage.topic"], Client: opts, Admin: adm})
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	checkTakeoverStatuses(t, ss)
}

func readTopic(t *testing.T, cl *kgo.Client, topic string) []goldenRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := OpenLog(ctx, LogConfig{Topic: topic, Client: []kgo.Opt{kgo.SeedBrokers(cl.OptValue(kgo.SeedBrokers).([]string)...)}})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	// OpenLog consumed everything; read again with a collecting callback.
	var recs []goldenRecord
	l, err = OpenLog(ctx, LogConfig{
		Topic:  topic,
		Client: []kgo.Opt{kgo.SeedBrokers(cl.OptValue(kgo.SeedBrokers).([]string)...)},
		OnRecord: func(r *kgo.Record) {
			g := goldenRecord{P: r.Partition, Key: string(r.Key)}
			if r.Value != nil {
				v := string(r.Value)
				g.Value = &v
			}
			recs = append(recs, g)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	// Records of different partitions arrive interleaved; order by partition, then
	// by arrival (= offset order within a partition).
	var sorted []goldenRecord
	for p := int32(0); p < 64; p++ {
		for _, r := range recs {
			if r.P == p {
				sorted = append(sorted, r)
			}
		}
	}
	return sorted
}

var (
	reWorker   = regexp.MustCompile(`"worker_id":"[^"]*"`)
	reKey      = regexp.MustCompile(`"key":"[^"]*"`)
	reCreated  = regexp.MustCompile(`"creation-timestamp":\d+`)
	reDiscover = regexp.MustCompile(`"discoverTimestamp":\d+`)
)

// normalize replaces what changes from run to run: the worker's REST port, the
// session key bytes and timestamps. Generations are kept (they are deterministic
// for a one-worker cluster started fresh).
func normalize(recs []goldenRecord) []goldenRecord {
	out := make([]goldenRecord, len(recs))
	for i, r := range recs {
		out[i] = r
		if r.Value == nil {
			continue
		}
		v := *r.Value
		v = reWorker.ReplaceAllString(v, `"worker_id":"`+goldenWorkerID+`"`)
		if r.Key == sessionKeyKey {
			v = reKey.ReplaceAllStringFunc(v, func(s string) string {
				n := len(s) - len(`"key":""`)
				return `"key":"` + strings.Repeat("A", n-1) + `="`
			})
			v = reCreated.ReplaceAllString(v, fmt.Sprintf(`"creation-timestamp":%d`, goldenTimestamp))
		}
		v = reDiscover.ReplaceAllString(v, fmt.Sprintf(`"discoverTimestamp":%d`, goldenTimestamp))
		out[i].Value = &v
	}
	return out
}

func diffGolden(want, got []goldenRecord) string {
	var b bytes.Buffer
	n := max(len(want), len(got))
	for i := range n {
		var w, g string
		if i < len(want) {
			w = fmt.Sprintf("p%d %s = %s", want[i].P, want[i].Key, show(want[i].Value))
		}
		if i < len(got) {
			g = fmt.Sprintf("p%d %s = %s", got[i].P, got[i].Key, show(got[i].Value))
		}
		if w != g {
			fmt.Fprintf(&b, "record %d:\n  want %s\n  got  %s\n", i, w, g)
		}
	}
	return b.String()
}

func show(v *string) string {
	if v == nil {
		return "<tombstone>"
	}
	return *v
}
