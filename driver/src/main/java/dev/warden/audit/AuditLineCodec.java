package dev.warden.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON Lines form of the audit trail. One line is the canonical JSON of an event's content (fields in
 * a fixed order: {@code seq}, {@code prev}, then the {@link AuditEvent} components in declaration order,
 * {@code columnsRead} keys sorted, nulls written as {@code null} except {@code callSite}, left out when null,
 * time as ISO-8601 UTC with exactly six fractional digits) followed, inside the same object, by {@code "hash":"<hex>"} as the last field. The hash
 * is the chain key's MAC over the content bytes, i.e. the line without {@code ,"hash":"…"} (and without the
 * newline). Verification works on the raw bytes, so any byte changed in a line is detected, whitespace
 * included.
 *
 * <p>Stateless and thread-safe.
 */
public final class AuditLineCodec {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    private static final DateTimeFormatter SECOND =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);
    private static final byte[] HASH_FIELD = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();

    private AuditLineCodec() {}

    /** Formats an instant as the trail does: {@code 2026-11-29T13:00:14.123456Z}. */
    public static String formatTime(Instant time) {
        SecondPrefix cached = lastSecond;
        if (cached == null || cached.epochSecond != time.getEpochSecond()) {
            // the date and time of day change once a second; formatting them is most of the cost
            cached = new SecondPrefix(time.getEpochSecond(), SECOND.format(time));
            lastSecond = cached;
        }
        int micros = time.getNano() / 1000;
        char[] text = new char[cached.text.length() + 7];
        cached.text.getChars(0, cached.text.length(), text, 0);
        int at = text.length - 1;
        text[at] = 'Z';
        for (int i = 0; i < 6; i++) {
            text[--at] = (char) ('0' + micros % 10);
            micros /= 10;
        }
        return new String(text);
    }

    /** {@code 2026-11-29T13:00:14.} for one epoch second. */
    private record SecondPrefix(long epochSecond, String text) {}

    private static volatile SecondPrefix lastSecond;

    /** The canonical content bytes (a complete JSON object without {@code hash}) that the MAC covers. */
    public static byte[] content(long seq, String prev, AuditEvent e) {
        return new ContentEncoder().content(seq, prev, e);
    }

    /**
     * Writes events' canonical content through one JSON generator and one buffer, both kept between events:
     * a generator and stream per event made about 4 KB of garbage per event on the writer thread.
     * Not thread-safe: one per writer (an {@link AuditChain} holds one).
     */
    static final class ContentEncoder {
        private final ReusableBytes out = new ReusableBytes(1024);
        private JsonGenerator g;

        byte[] content(long seq, String prev, AuditEvent e) {
            out.reset();
            boolean written = false;
            try {
                if (g == null) {
                    g = JSON.createGenerator(out);
                    g.setRootValueSeparator(null); // each event is its own root value: nothing between them
                }
                writeContent(g, seq, prev, e);
                g.flush();
                written = true;
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            } finally {
                if (!written) {
                    g = null; // stopped inside an object: the next event starts on a fresh generator
                }
            }
            return out.toByteArray();
        }
    }

    private static void writeContent(JsonGenerator g, long seq, String prev, AuditEvent e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("seq", seq);
        g.writeStringField("prev", prev);
        g.writeStringField("type", e.type());
        g.writeStringField("time", e.time() == null ? null : formatTime(e.time()));
        g.writeStringField("eventId", e.eventId());
        g.writeStringField("sessionId", e.sessionId());
        g.writeStringField("databaseUser", e.databaseUser());
        g.writeStringField("role", e.role());
        g.writeStringField("purpose", e.purpose());
        g.writeStringField("client", e.client());
        g.writeStringField("clientAddress", e.clientAddress());
        g.writeStringField("statementKind", e.statementKind());
        g.writeStringField("fingerprint", e.fingerprint());
        g.writeStringField("policyVersion", e.policyVersion());
        writeList(g, "tables", e.tables());
        g.writeFieldName("columnsRead");
        if (e.columnsRead() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            // sorted so that equal maps give equal bytes whatever their iteration order
            for (Map.Entry<String, String> c : new TreeMap<>(e.columnsRead()).entrySet()) {
                g.writeStringField(c.getKey(), c.getValue());
            }
            g.writeEndObject();
        }
        writeList(g, "columnsWritten", e.columnsWritten());
        writeList(g, "columnsFiltered", e.columnsFiltered());
        g.writeNumberField("rows", e.rows());
        g.writeStringField("decision", e.decision());
        g.writeStringField("reason", e.reason());
        g.writeStringField("sqlState", e.sqlState());
        g.writeNumberField("durationMicros", e.durationMicros());
        writeList(g, "rowKeyHashes", e.rowKeyHashes());
        if (e.callSite() != null) {
            // only observe mode's would-* events carry it: every other line stays as it was
            g.writeStringField("callSite", e.callSite());
        }
        g.writeEndObject();
    }

    /** A ByteArrayOutputStream without its per-call lock, emptied between events. */
    private static final class ReusableBytes extends OutputStream {
        private byte[] buf;
        private int count;

        ReusableBytes(int size) {
            buf = new byte[size];
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        void reset() {
            count = 0;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }
    }

    private static void writeList(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeFieldName(name);
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** The full line, newline included: the content with {@code ,"hash":"<hex of tag>"} as last field. */
    public static byte[] line(byte[] content, byte[] tag) {
        return line(content, HEX.formatHex(tag));
    }

    /** {@link #line(byte[], byte[])} with the tag already in hex (the chain keeps it as its head). */
    static byte[] line(byte[] content, String hex) {
        byte[] line = new byte[content.length - 1 + HASH_FIELD.length + hex.length() + 3];
        System.arraycopy(content, 0, line, 0, content.length - 1); // drop the closing brace
        int at = content.length - 1;
        System.arraycopy(HASH_FIELD, 0, line, at, HASH_FIELD.length);
        at += HASH_FIELD.length;
        for (int i = 0; i < hex.length(); i++) {
            line[at++] = (byte) hex.charAt(i);
        }
        line[at++] = '"';
        line[at++] = '}';
        line[at] = '\n';
        return line;
    }

    /**
     * Splits a line (without its newline) into the content the MAC covers and the tag, or returns null when
     * the line does not end with a hash field.
     */
    public static Signed split(byte[] line) {
        int end = line.length;
        if (end < HASH_FIELD.length + 3 || line[end - 1] != '}' || line[end - 2] != '"') {
            return null;
        }
        int hashStart = -1;
        for (int i = end - 3; i >= 0; i--) {
            byte b = line[i];
            if (b == '"') {
                hashStart = i + 1;
                break;
            }
            if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'f'))) {
                return null;
            }
        }
        int fieldStart = hashStart - HASH_FIELD.length;
        if (hashStart < 0 || fieldStart < 1 || (end - 2 - hashStart) % 2 != 0) {
            return null;
        }
        for (int i = 0; i < HASH_FIELD.length; i++) {
            if (line[fieldStart + i] != HASH_FIELD[i]) {
                return null;
            }
        }
        byte[] content = new byte[fieldStart + 1];
        System.arraycopy(line, 0, content, 0, fieldStart);
        content[fieldStart] = '}';
        String hex = new String(line, hashStart, end - 2 - hashStart, StandardCharsets.US_ASCII);
        return new Signed(content, HEX.parseHex(hex), hex);
    }

    /** A line's MAC-covered content and its tag (also as the hex that appears in the line). */
    public record Signed(byte[] content, byte[] tag, String hashHex) {}

    /**
     * Parses a line (without its newline). Does not check the MAC.
     *
     * @throws IllegalArgumentException when the line is not a well-formed audit event; the message names the
     *                                  problem, never the content
     */
    public static ChainedEvent parse(byte[] line) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON", e);
        }
        if (n == null || !n.isObject() || !n.path("seq").canConvertToLong() || !n.path("hash").isTextual()) {
            throw new IllegalArgumentException("not an audit event (seq or hash missing)");
        }
        Instant time;
        try {
            time = n.path("time").isTextual() ? Instant.parse(n.get("time").asText()) : null;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad time", e);
        }
        Map<String, String> columnsRead = null;
        JsonNode cr = n.get("columnsRead");
        if (cr != null && cr.isObject()) {
            columnsRead = new LinkedHashMap<>();
            for (var it = cr.fields(); it.hasNext(); ) {
                var f = it.next();
                columnsRead.put(f.getKey(), text(f.getValue()));
            }
        }
        AuditEvent e = new AuditEvent(text(n.get("type")), time, text(n.get("eventId")), text(n.get("sessionId")),
                text(n.get("databaseUser")), text(n.get("role")), text(n.get("purpose")), text(n.get("client")),
                text(n.get("clientAddress")), text(n.get("statementKind")), text(n.get("fingerprint")),
                text(n.get("policyVersion")), list(n.get("tables")), columnsRead, list(n.get("columnsWritten")),
                list(n.get("columnsFiltered")), n.path("rows").asLong(-1), text(n.get("decision")),
                text(n.get("reason")), text(n.get("sqlState")), n.path("durationMicros").asLong(0),
                list(n.get("rowKeyHashes")), text(n.get("callSite")));
        String prev = text(n.get("prev"));
        return new ChainedEvent(n.get("seq").asLong(), prev == null ? "" : prev, n.get("hash").asText(), e);
    }

    /** Parses a line given as text. */
    public static ChainedEvent parse(String line) {
        return parse(line.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static List<String> list(JsonNode n) {
        if (n == null || !n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>(n.size());
        n.forEach(v -> out.add(text(v)));
        return Collections.unmodifiableList(out);
    }
}
