// Launcher starts a real single-node OpenSearch server inside this JVM, for goconnect's
// Elasticsearch sink e2e tests (scripts/search.sh compiles and runs it).
//
// The OpenSearch distribution (tar.gz) is not on Maven Central, but its server jar and the
// transport-netty4 module are. Node's protected constructor accepts classpath plugins, which
// is how OpenSearch's own test framework (and embedded-cluster projects) start a node with
// the Netty HTTP/transport layer without a plugins directory.
//
//   java -cp 'libs/*:classes' Launcher HOME HTTP_PORT TRANSPORT_PORT
//
// Prints "launcher: started http=127.0.0.1:PORT" once the node answers, and closes the node
// on SIGTERM.
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;

import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

public final class Launcher {
    private static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment env, List<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Launcher HOME HTTP_PORT TRANSPORT_PORT");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath();
        Settings settings = Settings.builder()
            .put("cluster.name", "goconnect-test")
            .put("node.name", "search-1")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", args[1])
            .put("transport.port", args[2])
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("discovery.type", "single-node")
            // Test machines run with little free disk: never turn indices read-only for it.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // Two cores: keep the thread pools and caches small.
            .put("node.processors", 2)
            .put("indices.breaker.total.use_real_memory", false)
            .put("action.auto_create_index", true)
            .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), null, () -> "search-1");
        long t0 = System.currentTimeMillis();
        Node node = new EmbeddedNode(env, List.of(Netty4Plugin.class));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "launcher-shutdown"));
        node.start();
        System.out.println("launcher: started http=127.0.0.1:" + args[1] + " in "
            + (System.currentTimeMillis() - t0) + " ms");
        System.out.flush();
        Thread.currentThread().join();
    }
}
