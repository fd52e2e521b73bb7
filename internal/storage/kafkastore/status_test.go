package kafkastore

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStatusStore(t *testing.T) {
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	c := StoreConfig{Topic: spec("status", StatusTopicKey, 5), Client: opts, Admin: adm}
	w1, err := OpenStatusStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer w1.Close()
	w2, err := OpenStatusStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	sync := func(stores ...*StatusStore) {
		t.Helper()
		for _, s := range stores {
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range stores {
			if err := s.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	task := TaskID{"my-conn", 0}

	// w2 runs the task in generation 5; w1, which lost it in generation 4, reports
	// UNASSIGNED late: the safe write is skipped.
	w2.PutTask(task, Status{State: StateRunning, WorkerID: "w2", Generation: 5})
	w2.PutConnector("my-conn", Status{State: StateRunning, WorkerID: "w2", Generation: 5})
	sync(w2, w1)
	w1.PutTaskSafe(task, Status{State: StateUnassigned, WorkerID: "w1", Generation: 4})
	w1.PutConnectorSafe("my-conn", Status{State: StateFailed, Trace: "boom", WorkerID: "w1", Generation: 4})
	sync(w1, w2)
	for _, s := range []*StatusStore{w1, w2} {
		if st, _ := s.Task(task); st.State != StateRunning || st.WorkerID != "w2" {
			t.Errorf("task status %+v, want RUNNING on w2", st)
		}
		if st, _ := s.Connector("my-conn"); st.State != StateRunning {
			t.Errorf("connector status %+v, want RUNNING", st)
		}
	}

	// Reader rule: an UNASSIGNED of the same generation written by another worker
	// (unsafe write racing with the new owner) does not hide RUNNING.
	w1.PutTask(task, Status{State: StateUnassigned, WorkerID: "w1", Generation: 5})
	// The same for a connector: a worker cut off from the coordinator revoked
	// it with a stale view of the topic and wrote UNASSIGNED of an older
	// generation after the new owner's RUNNING.
	w1.PutConnector("my-conn", Status{State: StateUnassigned, WorkerID: "w1", Generation: 4})
	sync(w1, w2)
	if st, _ := w2.Task(task); st.State != StateRunning {
		t.Errorf("reader rule: task status %+v, want RUNNING", st)
	}
	if st, _ := w2.Connector("my-conn"); st.State != StateRunning {
		t.Errorf("reader rule: connector status %+v, want RUNNING", st)
	}
	// A newer generation's FAILED is written (safe write allowed) and read.
	w1.PutTaskSafe(task, Status{State: StateFailed, Trace: "java.lang.Exception: x\n\tat y", WorkerID: "w1", Generation: 6})
	sync(w1, w2)
	if d := cmp.Diff(map[int]Status{0: {State: StateFailed, Trace: "java.lang.Exception: x\n\tat y", WorkerID: "w1", Generation: 6}}, w2.Tasks("my-conn")); d != "" {
		t.Errorf("tasks (-want +got):\n%s", d)
	}

	// Topic tracking and deletion.
	disc := time.UnixMilli(1700000000000)
	w1.PutTopic(TopicStatus{Topic: "t1", Connector: "my-conn", Task: 0, Discovered: disc})
	sync(w1, w2)
	if d := cmp.Diff(map[string]TopicStatus{"t1": {Topic: "t1", Connector: "my-conn", Task: 0, Discovered: disc}}, w2.Topics("my-conn"),
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Errorf("topics (-want +got):\n%s", d)
	}
	w1.DeleteTopic("my-conn", "t1")
	w2.PutConnector("my-conn", Status{State: StateDestroyed, WorkerID: "w2", Generation: 6})
	sync(w1, w2)
	if _, ok := w1.Connector("my-conn"); ok || len(w1.Tasks("my-conn")) != 0 || len(w1.Topics("my-conn")) != 0 {
		t.Errorf("after destroy: connector/tasks/topics still cached: %v %v", w1.Tasks("my-conn"), w1.Topics("my-conn"))
	}
	if got := w1.Connectors(); len(got) != 0 {
		t.Errorf("connectors %v", got)
	}
}

func TestStatusEncoding(t *testing.T) {
	for _, tc := range []struct {
		st   Status
		want string
	}{
		{Status{State: StateRunning, WorkerID: "10.0.0.5:8083", Generation: 7}, `{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":7,"version":null}`},
		{Status{State: StateFailed, Trace: "a\n\t\"b\"", WorkerID: "w", Generation: 0, Version: "4.3.1"}, `{"state":"FAILED","trace":"a\n\t\"b\"","worker_id":"w","generation":0,"version":"4.3.1"}`},
	} {
		if got := string(EncodeStatus(tc.st)); got != tc.want {
			t.Errorf("EncodeStatus(%+v) = %s, want %s", tc.st, got, tc.want)
		}
	}
	if EncodeStatus(Status{State: StateDestroyed}) != nil {
		t.Error("DESTROYED is not a tombstone")
	}
	got := string(EncodeTopicStatus(TopicStatus{Topic: "t1", Connector: "c1", Task: 0, Discovered: time.UnixMilli(1700000000000)}))
	if want := `{"topic":{"name":"t1","connector":"c1","task":0,"discoverTimestamp":1700000000000}}`; got != want {
		t.Errorf("topic status %s, want %s", got, want)
	}
	for key, want := range map[string]string{"status-task-a-b-12": "a-b/12", "status-task-x-0": "x/0", "status-task-x": "", "status-task-x-y": ""} {
		name, n, ok := parseTaskKey(key, 2)
		got := ""
		if ok {
			got = fmt.Sprintf("%s/%d", name, n)
		}
		if got != want {
			t.Errorf("parseTaskKey(%s) = %q, want %q", key, got, want)
		}
	}
}
