// TransformGolden applies the real Kafka Connect 4.3.1 SMTs and predicates to the
// corpus in cases.json and writes what they produce to golden.json. The Go tests in
// plugins/transform replay the same corpus and compare. Values are written in a small
// tagged notation ("i32:5", "str:x", "dec:1.50", "date:<ms>", Struct{a=...}, {k=v},
// [..]) that both sides render identically; see golden_test.go.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.*;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

import java.io.File;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.*;

public class TransformGolden {
    static final ObjectMapper M = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static void main(String[] args) throws Exception {
        JsonNode cases = M.readTree(new File(args[0]));
        ArrayNode out = F.arrayNode();
        for (JsonNode c : cases) {
            ObjectNode res = F.objectNode();
            res.put("name", c.get("name").asText());
            out.add(res);
            Map<String, String> props = new HashMap<>();
            c.path("config").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
            Object plugin;
            try {
                plugin = Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
                if (plugin instanceof Transformation) ((Transformation<?>) plugin).configure(props);
                else ((Predicate<?>) plugin).configure(props);
            } catch (ConfigException e) {
                res.put("configError", e.getMessage());
                continue;
            }
            ArrayNode results = res.putArray("results");
            for (JsonNode rj : c.path("records")) {
                ObjectNode r = results.addObject();
                try {
                    ConnectRecord rec = record(rj);
                    if (plugin instanceof Predicate) {
                        r.put("test", ((Predicate) plugin).test(rec));
                        continue;
                    }
                    ConnectRecord o = ((Transformation) plugin).apply(rec);
                    if (o == null) r.put("dropped", true);
                    else r.set("record", render(o));
                } catch (RuntimeException e) {
                    r.put("error", String.valueOf(e.getMessage()));
                }
            }
        }
        M.enable(SerializationFeature.INDENT_OUTPUT).writeValue(new File(args[1]), out);
    }

    static ConnectRecord record(JsonNode j) {
        Schema ks = schema(j.get("keySchema"));
        Schema vs = schema(j.get("valueSchema"));
        Object k = value(j.get("key"), ks);
        Object v = value(j.get("value"), vs);
        Long ts = j.hasNonNull("timestamp") ? j.get("timestamp").asLong() : null;
        Integer part = j.hasNonNull("partition") ? j.get("partition").asInt() : null;
        ConnectHeaders hs = new ConnectHeaders();
        for (JsonNode h : j.path("headers")) {
            Schema s = schema(h.get("schema"));
            hs.add(h.get("key").asText(), value(h.get("value"), s), s);
        }
        String topic = j.get("topic").asText();
        if (j.hasNonNull("offset"))
            return new SinkRecord(topic, part == null ? 0 : part, ks, k, vs, v, j.get("offset").asLong(), ts, TimestampType.CREATE_TIME, hs);
        return new SourceRecord(null, null, topic, part, ks, k, vs, v, ts, hs);
    }

    static Schema schema(JsonNode j) {
        if (j == null || j.isNull()) return null;
        Schema.Type t = Schema.Type.valueOf(j.get("type").asText().toUpperCase(Locale.ROOT));
        SchemaBuilder b;
        switch (t) {
            case STRUCT:
                b = SchemaBuilder.struct();
                for (JsonNode f : j.path("fields")) b.field(f.get("name").asText(), schema(f.get("schema")));
                break;
            case ARRAY: b = SchemaBuilder.array(schema(j.get("valueSchema"))); break;
            case MAP: b = SchemaBuilder.map(schema(j.get("keySchema")), schema(j.get("valueSchema"))); break;
            default: b = SchemaBuilder.type(t);
        }
        if (j.hasNonNull("name")) b.name(j.get("name").asText());
        if (j.hasNonNull("version")) b.version(j.get("version").asInt());
        if (j.hasNonNull("doc")) b.doc(j.get("doc").asText());
        if (j.has("parameters")) j.get("parameters").fields().forEachRemaining(e -> b.parameter(e.getKey(), e.getValue().asText()));
        if (j.path("optional").asBoolean(false)) b.optional();
        if (j.hasNonNull("default")) b.defaultValue(value(j.get("default"), b.build()));
        return b.build();
    }

    static Object value(JsonNode j, Schema s) {
        if (j == null || j.isNull()) return null;
        if (j.isObject()) {
            if (s != null && s.type() == Schema.Type.STRUCT) {
                Struct st = new Struct(s);
                j.fields().forEachRemaining(e -> st.put(e.getKey(), value(e.getValue(), s.field(e.getKey()).schema())));
                return st;
            }
            Map<Object, Object> m = new HashMap<>();
            j.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue(), s == null ? null : s.valueSchema())));
            return m;
        }
        if (j.isArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonNode e : j) l.add(value(e, s == null ? null : s.valueSchema()));
            return l;
        }
        String tagged = j.asText();
        int i = tagged.indexOf(':');
        String tag = tagged.substring(0, i), v = tagged.substring(i + 1);
        switch (tag) {
            case "i8": return Byte.parseByte(v);
            case "i16": return Short.parseShort(v);
            case "i32": return Integer.parseInt(v);
            case "i64": return Long.parseLong(v);
            case "f32": return Float.parseFloat(v);
            case "f64": return Double.parseDouble(v);
            case "bool": return Boolean.parseBoolean(v);
            case "str": return v;
            case "bytes": return Base64.getDecoder().decode(v);
            case "dec": return new BigDecimal(v);
            case "date": return new java.util.Date(Long.parseLong(v));
        }
        throw new IllegalArgumentException("bad tag " + tagged);
    }

    static ObjectNode render(ConnectRecord r) {
        ObjectNode o = F.objectNode();
        o.put("topic", r.topic());
        if (r.kafkaPartition() == null) o.putNull("partition"); else o.put("partition", r.kafkaPartition());
        o.put("keySchema", schemaString(r.keySchema()));
        o.put("key", valueString(r.key()));
        o.put("valueSchema", schemaString(r.valueSchema()));
        o.put("value", valueString(r.value()));
        if (r.timestamp() == null) o.putNull("timestamp"); else o.put("timestamp", r.timestamp());
        ArrayNode hs = o.putArray("headers");
        for (Header h : r.headers()) hs.add(h.key() + ":" + schemaString(h.schema()) + "=" + valueString(h.value()));
        return o;
    }

    static String schemaString(Schema s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder(s.type().name());
        if (s.isOptional()) b.append('?');
        List<String> attrs = new ArrayList<>();
        if (s.name() != null) attrs.add("name=" + s.name());
        if (s.version() != null) attrs.add("version=" + s.version());
        if (s.doc() != null) attrs.add("doc=" + s.doc());
        if (s.parameters() != null && !s.parameters().isEmpty()) {
            List<String> ps = new ArrayList<>();
            new TreeMap<>(s.parameters()).forEach((k, v) -> ps.add(k + "=" + v));
            attrs.add("params={" + String.join(",", ps) + "}");
        }
        if (s.defaultValue() != null) attrs.add("default=" + valueString(s.defaultValue()));
        if (!attrs.isEmpty()) b.append('(').append(String.join(",", attrs)).append(')');
        switch (s.type()) {
            case STRUCT:
                List<String> fs = new ArrayList<>();
                for (Field f : s.fields()) fs.add(f.name() + ":" + schemaString(f.schema()));
                b.append('{').append(String.join(",", fs)).append('}');
                break;
            case ARRAY: b.append('<').append(schemaString(s.valueSchema())).append('>'); break;
            case MAP: b.append('<').append(schemaString(s.keySchema())).append(',').append(schemaString(s.valueSchema())).append('>'); break;
            default:
        }
        return b.toString();
    }

    static String valueString(Object v) {
        if (v == null) return "null";
        if (v instanceof Byte) return "i8:" + v;
        if (v instanceof Short) return "i16:" + v;
        if (v instanceof Integer) return "i32:" + v;
        if (v instanceof Long) return "i64:" + v;
        if (v instanceof Float) return "f32:" + v;
        if (v instanceof Double) return "f64:" + v;
        if (v instanceof Boolean) return "bool:" + v;
        if (v instanceof String) return "str:" + v;
        if (v instanceof byte[]) return "bytes:" + Base64.getEncoder().encodeToString((byte[]) v);
        if (v instanceof ByteBuffer) {
            ByteBuffer bb = ((ByteBuffer) v).duplicate();
            byte[] a = new byte[bb.remaining()];
            bb.get(a);
            return "bytes:" + Base64.getEncoder().encodeToString(a);
        }
        if (v instanceof BigDecimal) return "dec:" + v;
        if (v instanceof java.util.Date) return "date:" + ((java.util.Date) v).getTime();
        if (v instanceof List) {
            List<String> l = new ArrayList<>();
            for (Object e : (List<?>) v) l.add(valueString(e));
            return "[" + String.join(",", l) + "]";
        }
        if (v instanceof Map) {
            List<String> l = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) l.add(valueString(e.getKey()) + "=" + valueString(e.getValue()));
            Collections.sort(l);
            return "{" + String.join(",", l) + "}";
        }
        if (v instanceof Struct) {
            Struct st = (Struct) v;
            List<String> l = new ArrayList<>();
            for (Field f : st.schema().fields()) l.add(f.name() + "=" + valueString(st.getWithoutDefault(f.name())));
            return "Struct{" + String.join(",", l) + "}";
        }
        return "?" + v.getClass().getName() + ":" + v;
    }
}
