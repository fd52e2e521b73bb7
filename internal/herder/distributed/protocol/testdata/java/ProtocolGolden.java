// ProtocolGolden writes the Connect group protocol bytes of a fixed set of cases, serialized by
// the real Apache Kafka Connect 4.3.1 classes, as hex golden files for the Go tests of package
// protocol. Run through regen.sh; the Go tests never run Java.
//
// Every case prints one file <dir>/<name>.hex holding the lowercase hex of the bytes, and the
// protocol lists print one line "<name> <hex>" per offered subprotocol, in preference order.

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;

import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.connect.runtime.distributed.ConnectProtocol;
import org.apache.kafka.connect.runtime.distributed.ExtendedAssignment;
import org.apache.kafka.connect.runtime.distributed.ExtendedWorkerState;
import org.apache.kafka.connect.runtime.distributed.IncrementalCooperativeConnectProtocol;
import org.apache.kafka.connect.util.ConnectorTaskId;

public class ProtocolGolden {
    static Path dir;

    static void write(String name, ByteBuffer buf) throws Exception {
        String hex = buf == null ? "null" : HexFormat.of().formatHex(toArray(buf));
        Files.writeString(dir.resolve(name + ".hex"), hex + "\n", StandardCharsets.UTF_8);
    }

    static byte[] toArray(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static List<String> conns(String... names) {
        return new ArrayList<>(List.of(names));
    }

    static List<ConnectorTaskId> tasks(Object... pairs) {
        List<ConnectorTaskId> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(new ConnectorTaskId((String) pairs[i], (Integer) pairs[i + 1]));
        }
        return out;
    }

    static ExtendedAssignment ext(short version, short error, String leader, String url, long offset,
                                  Collection<String> c, Collection<ConnectorTaskId> t,
                                  Collection<String> rc, Collection<ConnectorTaskId> rt, int delay) {
        return new ExtendedAssignment(version, error, leader, url, offset, c, t, rc, rt, delay);
    }

    static void protocols(String name, List<JoinGroupRequestProtocol> list) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (JoinGroupRequestProtocol p : list) {
            sb.append(p.name()).append(' ').append(HexFormat.of().formatHex(p.metadata())).append('\n');
        }
        Files.writeString(dir.resolve(name + ".txt"), sb.toString(), StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        dir = Path.of(args[0]);
        Files.createDirectories(dir);
        short v1 = IncrementalCooperativeConnectProtocol.CONNECT_PROTOCOL_V1;
        short v2 = IncrementalCooperativeConnectProtocol.CONNECT_PROTOCOL_V2;
        short ok = ConnectProtocol.Assignment.NO_ERROR;
        short mismatch = ConnectProtocol.Assignment.CONFIG_MISMATCH;

        // JoinGroup member metadata.
        write("metadata-v0", ConnectProtocol.serializeMetadata(
                new ConnectProtocol.WorkerState("http://w1:8083/", 42L)));
        write("metadata-v0-empty-url", ConnectProtocol.serializeMetadata(
                new ConnectProtocol.WorkerState("", -1L)));
        write("metadata-v1-no-allocation", IncrementalCooperativeConnectProtocol.serializeMetadata(
                new ExtendedWorkerState("http://w1:8083/", 7L, null), false));
        write("metadata-v2-no-allocation", IncrementalCooperativeConnectProtocol.serializeMetadata(
                new ExtendedWorkerState("http://w1:8083/", 7L, null), true));
        ExtendedAssignment alloc = ext(v1, ok, "w1-uuid", "http://w1:8083/", 7L,
                conns("a"), tasks("a", 0, "a", 2), conns(), tasks(), 0);
        write("metadata-v1-allocation", IncrementalCooperativeConnectProtocol.serializeMetadata(
                new ExtendedWorkerState("http://w2:8083/", 7L, alloc), false));
        write("metadata-v2-allocation", IncrementalCooperativeConnectProtocol.serializeMetadata(
                new ExtendedWorkerState("http://w2:8083/", 7L, alloc), true));
        ExtendedWorkerState st = new ExtendedWorkerState("http://w3:8083/", 12L, alloc);
        protocols("protocols-eager", new ArrayList<>(ConnectProtocol.metadataRequest(st)));
        protocols("protocols-compatible", new ArrayList<>(IncrementalCooperativeConnectProtocol.metadataRequest(st, false)));
        protocols("protocols-sessioned", new ArrayList<>(IncrementalCooperativeConnectProtocol.metadataRequest(st, true)));

        // SyncGroup assignment V0 (eager).
        write("assignment-v0", ConnectProtocol.serializeAssignment(new ConnectProtocol.Assignment(
                ok, "w1-uuid", "http://w1:8083/", 99L, conns("a"), tasks("a", 0, "a", 1))));
        write("assignment-v0-empty", ConnectProtocol.serializeAssignment(new ConnectProtocol.Assignment(
                ok, "w1-uuid", "http://w1:8083/", 99L, conns(), tasks())));
        write("assignment-v0-config-mismatch", ConnectProtocol.serializeAssignment(new ConnectProtocol.Assignment(
                mismatch, "w1-uuid", "http://w1:8083/", 100L, conns(), tasks())));
        write("assignment-v0-tasks-only", ConnectProtocol.serializeAssignment(new ConnectProtocol.Assignment(
                ok, "w1-uuid", "http://w1:8083/", 3L, conns(), tasks("b", 3, "b", 1))));

        // SyncGroup assignment V1/V2 (incremental cooperative).
        write("assignment-v1", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v1, ok,
                "w1-uuid", "http://w1:8083/", 5L, conns("a"), tasks("a", 0),
                conns(), tasks("b", 1), 0), false));
        write("assignment-v2", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v2, ok,
                "w1-uuid", "http://w1:8083/", 5L, conns("a"), tasks("a", 0),
                conns(), tasks("b", 1), 0), true));
        write("assignment-v2-empty", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v2, ok,
                "w1-uuid", "http://w1:8083/", 5L, conns(), tasks(), conns(), tasks(), 0), true));
        write("assignment-v2-delay", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v2, ok,
                "w1-uuid", "http://w1:8083/", 5L, conns(), tasks(), conns(), tasks(), 300000), true));
        write("assignment-v2-revoked-connector-and-tasks", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v2, ok,
                "w1-uuid", "http://w1:8083/", 8L, conns(), tasks("c", 0),
                conns("a"), tasks("a", 1, "a", 0), 1600), true));
        write("assignment-v2-config-mismatch", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v2, mismatch,
                "w1-uuid", "http://w1:8083/", 11L, conns(), tasks(), conns(), tasks(), 0), true));
        write("assignment-v2-unicode", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v2, ok,
                "w1-ü", "http://wörker:8083/", 1L, conns("connécteur"), tasks("connécteur", 0), conns(), tasks(), 0), true));
        // Duplicated revoked connector ids are written once (revokedAsMap uses distinct()).
        write("assignment-v1-revoked-duplicates", IncrementalCooperativeConnectProtocol.serializeAssignment(ext(v1, ok,
                "w1-uuid", "http://w1:8083/", 2L, conns(), tasks(),
                conns("a", "a"), tasks(), 0), false));

        // Bytes Java never writes but must read: null arrays, and V1 bytes without the trailing fields.
        Struct nulls = new Struct(IncrementalCooperativeConnectProtocol.ASSIGNMENT_V1)
                .set(ConnectProtocol.ERROR_KEY_NAME, ok)
                .set(ConnectProtocol.LEADER_KEY_NAME, "w1-uuid")
                .set(ConnectProtocol.LEADER_URL_KEY_NAME, "http://w1:8083/")
                .set(ConnectProtocol.CONFIG_OFFSET_KEY_NAME, 4L)
                .set(ConnectProtocol.ASSIGNMENT_KEY_NAME, null)
                .set(IncrementalCooperativeConnectProtocol.REVOKED_KEY_NAME, null)
                .set(IncrementalCooperativeConnectProtocol.SCHEDULED_DELAY_KEY_NAME, 0);
        Struct header = new Struct(ConnectProtocol.CONNECT_PROTOCOL_HEADER_SCHEMA)
                .set(ConnectProtocol.VERSION_KEY_NAME, v1);
        ByteBuffer nb = ByteBuffer.allocate(header.sizeOf() + nulls.sizeOf());
        header.writeTo(nb);
        nulls.writeTo(nb);
        nb.flip();
        write("assignment-v1-null-arrays", nb);
        // Decoded by Java to check that the reader accepts it (throws otherwise).
        IncrementalCooperativeConnectProtocol.deserializeAssignment(nb.duplicate());
        // A V1 reader given V0 assignment bytes: the trailing revoked list and delay take defaults.
        ExtendedAssignment fromV0 = IncrementalCooperativeConnectProtocol.deserializeAssignment(
                ConnectProtocol.serializeAssignment(new ConnectProtocol.Assignment(
                        ok, "w1-uuid", "http://w1:8083/", 99L, conns("a"), tasks("a", 0, "a", 1))));
        Files.writeString(dir.resolve("assignment-v0-read-as-v1.txt"), fromV0.toString() + "\n", StandardCharsets.UTF_8);
        // A V1 metadata reader given V0 metadata: the allocation takes its default (null).
        ExtendedWorkerState fromV0Meta = IncrementalCooperativeConnectProtocol.deserializeMetadata(
                ConnectProtocol.serializeMetadata(new ConnectProtocol.WorkerState("http://w1:8083/", 42L)));
        Files.writeString(dir.resolve("metadata-v0-read-as-v1.txt"),
                fromV0Meta.url() + " " + fromV0Meta.offset() + " " + fromV0Meta.assignment() + "\n", StandardCharsets.UTF_8);
    }
}
