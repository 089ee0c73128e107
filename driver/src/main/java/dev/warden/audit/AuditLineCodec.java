package dev.warden.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
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
 * included. That is format 1; format 2 (what files are written in) is the same line with repeated values defined
 * once per file in a line's {@code def} and then given as their id, nulls left out, and {@code "format":2} on each
 * file's first line ({@link TrailDictionary}, {@link AuditLineReader}, docs/audit.md "Trail format").
 *
 * <p>Stateless and thread-safe (a {@code ContentEncoder} is one writer's).
 */
public final class AuditLineCodec {

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
     * Writes events' canonical content straight into one reusable byte buffer, byte for byte what Jackson's
     * generator wrote before (the MAC covers those bytes: the trail's format is unchanged): field names are
     * constants, strings are escaped as Jackson escapes them ({@code \"}, {@code \\}, {@code \b \t \n \f \r},
     * other controls and surrogates as six-character unicode escapes with upper-case hex, everything else as
     * UTF-8). Jackson's generator cost the writer thread about 2 µs per event here, as much as the rest of its
     * work together.
     * Not thread-safe: one per writer (an {@link AuditChain} holds one).
     */
    static final class ContentEncoder {
        private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
        private byte[] buf = new byte[1024];
        private int count;
        /** Format 2's dictionary of the file being written, or null: format 1, every value in full. */
        private final TrailDictionary dictionary;
        private final Object[] values = new Object[REFERABLE.length];
        private final int[] ids = new int[REFERABLE.length];
        private final int[] defined = new int[REFERABLE.length];

        /** A format 1 encoder: every value written in full. */
        ContentEncoder() {
            this(null);
        }

        /** A format 2 encoder over {@code dictionary} (null: format 1). */
        ContentEncoder(TrailDictionary dictionary) {
            this.dictionary = dictionary;
        }

        /** The content of one event, in a new array. */
        byte[] content(long seq, String prev, AuditEvent e) {
            encode(seq, prev, e);
            return Arrays.copyOf(buf, count);
        }

        /** Encodes one event's content into {@link #buffer()}, returning its length (valid until the next call). */
        int encode(long seq, String prev, AuditEvent e) {
            if (dictionary != null) {
                return encodeReferring(seq, prev, e);
            }
            count = 0;
            raw(SEQ);
            number(seq);
            raw(PREV);
            string(prev);
            raw(TYPE);
            string(e.type());
            raw(TIME);
            if (e.time() == null) {
                raw(NULL);
            } else {
                time(e.time());
            }
            raw(EVENT_ID);
            string(e.eventId());
            raw(SESSION_ID);
            string(e.sessionId());
            raw(DATABASE_USER);
            string(e.databaseUser());
            raw(ROLE);
            string(e.role());
            raw(PURPOSE);
            string(e.purpose());
            raw(CLIENT);
            string(e.client());
            raw(CLIENT_ADDRESS);
            string(e.clientAddress());
            raw(STATEMENT_KIND);
            string(e.statementKind());
            raw(FINGERPRINT);
            string(e.fingerprint());
            raw(POLICY_VERSION);
            string(e.policyVersion());
            raw(TABLES);
            list(e.tables());
            raw(COLUMNS_READ);
            columns(e.columnsRead());
            raw(COLUMNS_WRITTEN);
            list(e.columnsWritten());
            raw(COLUMNS_FILTERED);
            list(e.columnsFiltered());
            raw(ROWS);
            number(e.rows());
            raw(DECISION);
            string(e.decision());
            raw(REASON);
            string(e.reason());
            raw(SQL_STATE);
            string(e.sqlState());
            raw(DURATION);
            number(e.durationMicros());
            raw(ROW_KEY_HASHES);
            list(e.rowKeyHashes());
            if (e.callSite() != null) {
                // only observe mode's would-* events carry it: every other line stays as it was
                raw(CALL_SITE);
                string(e.callSite());
            }
            ensure(1);
            buf[count++] = '}';
            return count;
        }

        /**
         * Format 2: the referable values already in the file's dictionary as their id, the others defined in this
         * line's {@code def} (first, so that a reader meets a definition before its use) and referred to as well;
         * null values left out; the file's first line carries {@code "format":2}.
         */
        private int encodeReferring(long seq, String prev, AuditEvent e) {
            values[0] = e.sessionId();
            values[1] = e.databaseUser();
            values[2] = e.role();
            values[3] = e.purpose();
            values[4] = e.client();
            values[5] = e.clientAddress();
            values[6] = e.statementKind();
            values[7] = e.fingerprint();
            values[8] = e.policyVersion();
            values[9] = e.tables();
            values[10] = e.columnsRead();
            values[11] = e.columnsWritten();
            values[12] = e.columnsFiltered();
            values[13] = e.decision();
            values[14] = e.reason();
            values[15] = e.sqlState();
            values[16] = e.callSite();
            int fresh = 0;
            for (int i = 0; i < values.length; i++) {
                Object v = values[i];
                int id = 0;
                if (v != null && !isEmpty(v)) {
                    id = dictionary.idOf(v);
                    if (id == 0) {
                        id = dictionary.define(v, length(v));
                        if (id != 0) {
                            defined[fresh++] = id;
                        }
                    }
                }
                ids[i] = id;
            }
            count = 0;
            raw(SEQ);
            number(seq);
            raw(PREV);
            string(prev);
            if (dictionary.atFileStart()) {
                raw(FORMAT_2);
            }
            if (fresh > 0) {
                raw(DEF);
                for (int j = 0; j < fresh; j++) {
                    ensure(2);
                    if (j > 0) {
                        buf[count++] = ',';
                    }
                    buf[count++] = '"';
                    number(defined[j]);
                    ensure(2);
                    buf[count++] = '"';
                    buf[count++] = ':';
                    value(dictionary.value(defined[j]));
                }
                ensure(1);
                buf[count++] = '}';
            }
            raw(TYPE);
            string(e.type());
            if (e.time() != null) {
                raw(TIME);
                time(e.time());
            }
            if (e.eventId() != null) {
                raw(EVENT_ID);
                string(e.eventId());
            }
            for (int i = 0; i <= 12; i++) {
                field(i);
            }
            raw(ROWS);
            number(e.rows());
            for (int i = 13; i <= 15; i++) {
                field(i);
            }
            raw(DURATION);
            number(e.durationMicros());
            if (e.rowKeyHashes() != null) {
                raw(ROW_KEY_HASHES);
                list(e.rowKeyHashes());
            }
            field(16);
            ensure(1);
            buf[count++] = '}';
            dictionary.lineWritten();
            return count;
        }

        /** A referable field: left out when null, its id when the dictionary has it, else in full. */
        private void field(int i) {
            Object v = values[i];
            if (v == null) {
                return;
            }
            raw(REFERABLE[i]);
            if (ids[i] != 0) {
                number(ids[i]);
            } else {
                value(v);
            }
        }

        @SuppressWarnings("unchecked")
        private void value(Object v) {
            if (v instanceof String s) {
                string(s);
            } else if (v instanceof List<?> l) {
                list((List<String>) l);
            } else {
                columns((Map<String, String>) v);
            }
        }

        private static boolean isEmpty(Object v) {
            return v instanceof List<?> l ? l.isEmpty() : v instanceof Map<?, ?> m && m.isEmpty();
        }

        /** About the characters a value takes, to bound the dictionary. */
        private static int length(Object v) {
            if (v instanceof String s) {
                return s.length();
            }
            int n = 2;
            if (v instanceof List<?> l) {
                for (Object o : l) {
                    n += o == null ? 4 : o.toString().length() + 3;
                }
            } else {
                for (Map.Entry<?, ?> en : ((Map<?, ?>) v).entrySet()) {
                    n += String.valueOf(en.getKey()).length() + String.valueOf(en.getValue()).length() + 6;
                }
            }
            return n;
        }

        /** The buffer {@link #encode} wrote into. */
        byte[] buffer() {
            return buf;
        }

        private void columns(Map<String, String> columns) {
            if (columns == null) {
                raw(NULL);
                return;
            }
            ensure(1);
            buf[count++] = '{';
            boolean first = true;
            // sorted so that equal maps give equal bytes whatever their iteration order; one entry needs no sort
            Iterable<Map.Entry<String, String>> entries = columns.size() <= 1 ? columns.entrySet()
                    : new TreeMap<>(columns).entrySet();
            for (Map.Entry<String, String> c : entries) {
                if (!first) {
                    ensure(1);
                    buf[count++] = ',';
                }
                first = false;
                string(c.getKey());
                ensure(1);
                buf[count++] = ':';
                string(c.getValue());
            }
            ensure(1);
            buf[count++] = '}';
        }

        private void list(List<String> values) {
            if (values == null) {
                raw(NULL);
                return;
            }
            ensure(1);
            buf[count++] = '[';
            for (int i = 0, n = values.size(); i < n; i++) {
                if (i > 0) {
                    ensure(1);
                    buf[count++] = ',';
                }
                string(values.get(i));
            }
            ensure(1);
            buf[count++] = ']';
        }

        private void raw(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, count, bytes.length);
            count += bytes.length;
        }

        private void number(long n) {
            if (n == Long.MIN_VALUE) {
                raw(MIN_LONG);
                return;
            }
            ensure(20);
            if (n < 0) {
                buf[count++] = '-';
                n = -n;
            }
            int digits = 1;
            for (long m = n; m >= 10; m /= 10) {
                digits++;
            }
            for (int at = count + digits - 1; at >= count; at--) {
                buf[at] = (byte) ('0' + n % 10);
                n /= 10;
            }
            count += digits;
        }

        @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the text is ASCII by construction
        private void time(Instant time) {
            String text = formatTime(time);
            ensure(text.length() + 2);
            buf[count++] = '"';
            text.getBytes(0, text.length(), buf, count);
            count += text.length();
            buf[count++] = '"';
        }

        private void string(String s) {
            if (s == null) {
                raw(NULL);
                return;
            }
            int n = s.length();
            ensure(n * 6 + 2); // the worst case: every char as a six-character unicode escape
            byte[] b = buf;
            int at = count;
            b[at++] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (c >= 0x20 && c != '"' && c != '\\') {
                        b[at++] = (byte) c;
                        continue;
                    }
                    b[at++] = '\\';
                    switch (c) {
                        case '"' -> b[at++] = '"';
                        case '\\' -> b[at++] = '\\';
                        case '\b' -> b[at++] = 'b';
                        case '\t' -> b[at++] = 't';
                        case '\n' -> b[at++] = 'n';
                        case '\f' -> b[at++] = 'f';
                        case '\r' -> b[at++] = 'r';
                        default -> {
                            b[at++] = 'u';
                            b[at++] = '0';
                            b[at++] = '0';
                            b[at++] = HEX_UPPER[c >> 4];
                            b[at++] = HEX_UPPER[c & 0xF];
                        }
                    }
                } else if (c < 0x800) {
                    b[at++] = (byte) (0xC0 | (c >> 6));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    // as Jackson did: each half of a pair (and a lone one, which has no UTF-8 form) escaped
                    b[at++] = '\\';
                    b[at++] = 'u';
                    b[at++] = HEX_UPPER[c >> 12];
                    b[at++] = HEX_UPPER[(c >> 8) & 0xF];
                    b[at++] = HEX_UPPER[(c >> 4) & 0xF];
                    b[at++] = HEX_UPPER[c & 0xF];
                } else {
                    b[at++] = (byte) (0xE0 | (c >> 12));
                    b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            b[at++] = '"';
            count = at;
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final byte[] NULL = ascii("null");
    private static final byte[] MIN_LONG = ascii(Long.toString(Long.MIN_VALUE));
    private static final byte[] SEQ = ascii("{\"seq\":");
    private static final byte[] PREV = ascii(",\"prev\":");
    private static final byte[] TYPE = ascii(",\"type\":");
    private static final byte[] TIME = ascii(",\"time\":");
    private static final byte[] EVENT_ID = ascii(",\"eventId\":");
    private static final byte[] SESSION_ID = ascii(",\"sessionId\":");
    private static final byte[] DATABASE_USER = ascii(",\"databaseUser\":");
    private static final byte[] ROLE = ascii(",\"role\":");
    private static final byte[] PURPOSE = ascii(",\"purpose\":");
    private static final byte[] CLIENT = ascii(",\"client\":");
    private static final byte[] CLIENT_ADDRESS = ascii(",\"clientAddress\":");
    private static final byte[] STATEMENT_KIND = ascii(",\"statementKind\":");
    private static final byte[] FINGERPRINT = ascii(",\"fingerprint\":");
    private static final byte[] POLICY_VERSION = ascii(",\"policyVersion\":");
    private static final byte[] TABLES = ascii(",\"tables\":");
    private static final byte[] COLUMNS_READ = ascii(",\"columnsRead\":");
    private static final byte[] COLUMNS_WRITTEN = ascii(",\"columnsWritten\":");
    private static final byte[] COLUMNS_FILTERED = ascii(",\"columnsFiltered\":");
    private static final byte[] ROWS = ascii(",\"rows\":");
    private static final byte[] DECISION = ascii(",\"decision\":");
    private static final byte[] REASON = ascii(",\"reason\":");
    private static final byte[] SQL_STATE = ascii(",\"sqlState\":");
    private static final byte[] DURATION = ascii(",\"durationMicros\":");
    private static final byte[] ROW_KEY_HASHES = ascii(",\"rowKeyHashes\":");
    private static final byte[] CALL_SITE = ascii(",\"callSite\":");
    private static final byte[] FORMAT_2 = ascii(",\"format\":2");
    private static final byte[] DEF = ascii(",\"def\":{");
    /** The fields a format 2 line may give as a dictionary id, in line order (see {@link TrailDictionary}). */
    static final String[] REFERABLE_NAMES = {"sessionId", "databaseUser", "role", "purpose", "client",
            "clientAddress", "statementKind", "fingerprint", "policyVersion", "tables", "columnsRead",
            "columnsWritten", "columnsFiltered", "decision", "reason", "sqlState", "callSite"};
    private static final byte[][] REFERABLE = java.util.Arrays.stream(REFERABLE_NAMES)
            .map(n -> ascii(",\"" + n + "\":")).toArray(byte[][]::new);

    /** The full line, newline included: the content with {@code ,"hash":"<hex of tag>"} as last field. */
    public static byte[] line(byte[] content, byte[] tag) {
        return line(content, HEX.formatHex(tag));
    }

    /** {@link #line(byte[], byte[])} with the tag already in hex (the chain keeps it as its head). */
    static byte[] line(byte[] content, String hex) {
        return line(content, content.length, hex);
    }

    /** {@link #line(byte[], String)} of the content in the first {@code length} bytes of {@code content}. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): hex is ASCII
    static byte[] line(byte[] content, int length, String hex) {
        byte[] line = new byte[length - 1 + HASH_FIELD.length + hex.length() + 3];
        System.arraycopy(content, 0, line, 0, length - 1); // drop the closing brace
        int at = length - 1;
        System.arraycopy(HASH_FIELD, 0, line, at, HASH_FIELD.length);
        at += HASH_FIELD.length;
        hex.getBytes(0, hex.length(), line, at);
        at += hex.length();
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
     * Parses a line (without its newline) that stands alone: a format 1 line, or the first line of a format 2 file.
     * Does not check the MAC. A format 2 line referring to its file's dictionary needs the lines before it: read
     * those with an {@link AuditLineReader}.
     *
     * @throws IllegalArgumentException when the line is not a well-formed audit event, or refers to a dictionary;
     *                                  the message names the problem, never the content
     */
    public static ChainedEvent parse(byte[] line) {
        int[] missing = {0};
        ChainedEvent e = new AuditLineReader().read(line, true, id -> missing[0]++);
        if (missing[0] > 0) {
            throw new IllegalArgumentException("a format 2 line refers to its file's dictionary: read the file with "
                    + "AuditLineReader");
        }
        return e;
    }

    /**
     * The place in the chain ({@code seq}, {@code prev}, {@code hash}) and the type of a line read alone, whatever
     * its format: references to its file's dictionary are left unresolved.
     */
    static ChainedEvent parseHead(byte[] line) {
        return new AuditLineReader().read(line, true, id -> { });
    }

    /** Parses a line given as text. */
    public static ChainedEvent parse(String line) {
        return parse(line.getBytes(StandardCharsets.UTF_8));
    }
}
