/*
 * GoldenGen runs the real Java Kafka Connect 4.3.1 converters over a corpus of cases
 * and writes what they produce, so goconnect's Go converters can be compared with
 * Java byte for byte without Java at test time. Run through ../regen.sh.
 *
 *   java -Duser.timezone=UTC -cp ... GoldenGen cases.json golden.json
 *
 * A case is {"name", "op", "config"?, "input"? | "inputHex"?}. Ops:
 *   json.roundtrip  read input as an envelope (schemas.enable=true), write it with a
 *                   JsonConverter configured with config -> out
 *   json.to         JsonConverter(config).toConnectData(input) -> schema, value, and
 *                   the same converter's fromConnectData of that -> reencoded
 *   header.from     envelope -> SimpleHeaderConverter.fromConnectHeader -> out
 *   header.to       SimpleHeaderConverter.toConnectHeader(input) -> schema, value, and
 *                   Values.convertToString of that value -> rendered
 *   conv.from       envelope -> config["class"].fromConnectData -> outHex
 *   conv.to         config["class"].toConnectData(inputHex) -> schema, value
 * Errors are reported as "error": "<SimpleClassName>: <message>".
 */
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

import java.io.File;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public class GoldenGen {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) throws Exception {
        JsonNode cases = MAPPER.readTree(new File(args[0]));
        ArrayNode out = MAPPER.createArrayNode();
        for (JsonNode c : cases) {
            ObjectNode r = out.addObject();
            r.put("name", c.get("name").asText());
            try {
                run(c, r);
            } catch (Throwable t) {
                r.put("error", t.getClass().getSimpleName() + ": " + t.getMessage());
            }
        }
        MAPPER.writeValue(new File(args[1]), out);
    }

    static Map<String, String> config(JsonNode c) {
        Map<String, String> m = new HashMap<>();
        JsonNode cfg = c.get("config");
        if (cfg != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = cfg.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), e.getValue().asText());
            }
        }
        return m;
    }

    static byte[] input(JsonNode c) {
        if (c.has("inputHex")) return hexToBytes(c.get("inputHex").asText());
        if (c.has("input") && !c.get("input").isNull()) return c.get("input").asText().getBytes(StandardCharsets.UTF_8);
        return null;
    }

    static SchemaAndValue readEnvelope(byte[] in) {
        JsonConverter reader = new JsonConverter();
        Map<String, String> cfg = new HashMap<>();
        cfg.put("schemas.enable", "true");
        cfg.put("replace.null.with.default", "false");
        reader.configure(cfg, false);
        return reader.toConnectData("t", in);
    }

    static void run(JsonNode c, ObjectNode r) throws Exception {
        String op = c.get("op").asText();
        Map<String, String> cfg = config(c);
        byte[] in = input(c);
        switch (op) {
            case "json.roundtrip": {
                SchemaAndValue sv = readEnvelope(in);
                JsonConverter w = new JsonConverter();
                w.configure(cfg, false);
                putText(r, "out", w.fromConnectData("t", sv.schema(), sv.value()));
                break;
            }
            case "json.to": {
                JsonConverter conv = new JsonConverter();
                conv.configure(cfg, false);
                SchemaAndValue sv = conv.toConnectData("t", in);
                r.put("schema", dumpSchema(sv.schema()));
                r.put("value", dump(sv.value()));
                try {
                    putText(r, "reencoded", conv.fromConnectData("t", sv.schema(), sv.value()));
                } catch (Throwable t) {
                    r.put("reencodeError", t.getClass().getSimpleName() + ": " + t.getMessage());
                }
                break;
            }
            case "header.from": {
                SchemaAndValue sv = readEnvelope(in);
                SimpleHeaderConverter h = new SimpleHeaderConverter();
                h.configure(cfg);
                putText(r, "out", h.fromConnectHeader("t", "h", sv.schema(), sv.value()));
                break;
            }
            case "header.to": {
                SimpleHeaderConverter h = new SimpleHeaderConverter();
                h.configure(cfg);
                SchemaAndValue sv = h.toConnectHeader("t", "h", in);
                r.put("schema", dumpSchema(sv.schema()));
                r.put("value", dump(sv.value()));
                r.put("rendered", Values.convertToString(sv.schema(), hashMaps(sv.value())));
                break;
            }
            case "conv.from": {
                SchemaAndValue sv = readEnvelope(in);
                Converter conv = newConverter(cfg);
                byte[] b = conv.fromConnectData("t", sv.schema(), sv.value());
                r.put("outHex", b == null ? null : bytesToHex(b));
                break;
            }
            case "conv.to": {
                Converter conv = newConverter(cfg);
                SchemaAndValue sv = conv.toConnectData("t", in);
                r.put("schema", dumpSchema(sv.schema()));
                r.put("value", dump(sv.value()));
                break;
            }
            default:
                throw new IllegalArgumentException("unknown op " + op);
        }
    }

    static Converter newConverter(Map<String, String> cfg) throws Exception {
        String cls = cfg.remove("class");
        Converter conv = (Converter) Class.forName(cls).getDeclaredConstructor().newInstance();
        conv.configure(cfg, false);
        return conv;
    }

    static void putText(ObjectNode r, String key, byte[] b) {
        if (b == null) r.putNull(key);
        else r.put(key, new String(b, StandardCharsets.UTF_8));
    }

    /** Replaces LinkedHashMaps (what Values.parseString builds) with HashMaps filled in the same order. */
    static Object hashMaps(Object v) {
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object e : l) out.add(hashMaps(e));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new HashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(hashMaps(e.getKey()), hashMaps(e.getValue()));
            return out;
        }
        return v;
    }

    static String dumpSchema(Schema s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("{type=").append(s.type());
        b.append(",opt=").append(s.isOptional());
        if (s.name() != null) b.append(",name=").append(s.name());
        if (s.version() != null) b.append(",ver=").append(s.version());
        if (s.doc() != null) b.append(",doc=").append(quote(s.doc()));
        if (s.parameters() != null) b.append(",params=").append(new TreeMap<>(s.parameters()));
        if (s.defaultValue() != null) b.append(",default=").append(dump(s.defaultValue()));
        switch (s.type()) {
            case ARRAY:
                b.append(",items=").append(dumpSchema(s.valueSchema()));
                break;
            case MAP:
                b.append(",keys=").append(dumpSchema(s.keySchema()));
                b.append(",values=").append(dumpSchema(s.valueSchema()));
                break;
            case STRUCT:
                b.append(",fields=[");
                boolean first = true;
                for (Field f : s.fields()) {
                    if (!first) b.append(',');
                    first = false;
                    b.append(f.name()).append(':').append(dumpSchema(f.schema()));
                }
                b.append(']');
                break;
            default:
        }
        return b.append('}').toString();
    }

    static String dump(Object v) {
        if (v == null) return "null";
        if (v instanceof Byte) return "int8:" + v;
        if (v instanceof Short) return "int16:" + v;
        if (v instanceof Integer) return "int32:" + v;
        if (v instanceof Long) return "int64:" + v;
        if (v instanceof Float) return "float32:" + v;
        if (v instanceof Double) return "float64:" + v;
        if (v instanceof Boolean) return "bool:" + v;
        if (v instanceof String s) return "string:" + quote(s);
        if (v instanceof byte[] b) return "bytes:" + bytesToHex(b);
        if (v instanceof ByteBuffer bb) return "bytes:" + bytesToHex(bb.array());
        if (v instanceof BigDecimal d) return "decimal:" + d.unscaledValue() + "/" + d.scale();
        if (v instanceof java.util.Date d) return "time:" + d.getTime();
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            boolean first = true;
            for (Object e : l) {
                if (!first) b.append(',');
                first = false;
                b.append(dump(e));
            }
            return b.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            TreeMap<String, String> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) sorted.put(dump(e.getKey()), dump(e.getValue()));
            StringBuilder b = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                if (!first) b.append(',');
                first = false;
                b.append(e.getKey()).append('=').append(e.getValue());
            }
            return b.append('}').toString();
        }
        if (v instanceof Struct s) {
            StringBuilder b = new StringBuilder("struct{");
            boolean first = true;
            for (Field f : s.schema().fields()) {
                if (!first) b.append(',');
                first = false;
                b.append(f.name()).append('=').append(dump(s.getWithoutDefault(f.name())));
            }
            return b.append('}').toString();
        }
        return "?" + v.getClass().getName() + ":" + v;
    }

    /** Quotes a string with every char outside printable ASCII, '"' and '\\' as backslash-u escapes. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String bytesToHex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x));
        return s.toString();
    }

    static byte[] hexToBytes(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }
}
