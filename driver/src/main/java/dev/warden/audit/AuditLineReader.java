package dev.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Reads the lines of trail files back into events, format 1 and format 2 alike (see {@link AuditLineCodec}): a
 * format 2 line gives repeated values as ids into its file's dictionary, defined in the {@code def} field of
 * earlier lines of the same file, so a reader keeps that dictionary from line to line. Call {@link #startFile}
 * before the first line of each file. The writer gives each id one value, on one line, and puts the version mark on
 * a file's first line only, so anything else is a forged line (reports read without the key): a mark past a file's
 * first line, or an id that is not a plain positive number, makes the line malformed; an id defined twice in a file
 * resolves to neither value. A forged line may then show what it likes, but never changes what an authentic line
 * refers to.
 *
 * <p>Does not check MACs: {@link AuditVerifier} does, and tells this reader which lines' definitions to trust.
 * Not thread-safe: one per sequence of files.
 */
public final class AuditLineReader {

    /** The highest trail format this reader knows. */
    public static final int FORMAT = 2;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[1-9][0-9]{0,8}");

    private final Map<Integer, JsonNode> dictionary = new HashMap<>();
    /** Ids defined more than once in the file: a forged definition raced the authentic one, so neither is shown. */
    private final java.util.Set<Integer> ambiguous = new java.util.HashSet<>();
    private long lineInFile;

    /** Forgets the dictionary: the next file's references resolve only against its own definitions. */
    public void startFile() {
        dictionary.clear();
        ambiguous.clear();
        lineInFile = 0;
    }

    /**
     * Parses one line (without its newline), taking its definitions. A reference no earlier line of the file
     * defines reads as {@code (unresolved #N)}: reports still show the event; verification reports the reference.
     *
     * @throws IllegalArgumentException when the line is not a well-formed audit event (the message names the problem,
     *                                  never the content)
     */
    public ChainedEvent read(byte[] line) {
        return read(line, true, id -> { });
    }

    /**
     * {@link #read(byte[])}, taking the line's definitions only when {@code trusted} (its MAC verified), and telling
     * {@code unresolved} each id it refers to that the dictionary does not hold.
     */
    ChainedEvent read(byte[] line, boolean trusted, IntConsumer unresolved) {
        long number = ++lineInFile;  // malformed lines count too: the mark belongs to the file's first line
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON", e);
        }
        if (n == null || !n.isObject() || !n.path("seq").canConvertToLong() || !n.path("hash").isTextual()) {
            throw new IllegalArgumentException("not an audit event (seq or hash missing)");
        }
        JsonNode format = n.get("format");
        if (format != null) {
            if (!format.isInt() || format.intValue() != FORMAT) {
                throw new IllegalArgumentException("trail format " + format + " is not one this Warden reads (1, 2)");
            }
            if (number != 1) {
                // the writer marks a file's first line only: a mark further down would empty the dictionary for
                // whatever definitions come next
                throw new IllegalArgumentException("version mark on line " + number + " of its file (only its first"
                        + " line may carry one)");
            }
            dictionary.clear(); // a file's first line: its dictionary starts here
            ambiguous.clear();
        }
        JsonNode def = n.get("def");
        if (def != null) {
            if (!def.isObject()) {
                throw new IllegalArgumentException("def is not an object");
            }
            if (trusted) {
                for (var it = def.fields(); it.hasNext(); ) {
                    var d = it.next();
                    if (!ID.matcher(d.getKey()).matches()) {
                        throw new IllegalArgumentException("def id is not a positive number as the writer writes it");
                    }
                    int id = Integer.parseInt(d.getKey());
                    if (dictionary.putIfAbsent(id, d.getValue()) != null) {
                        ambiguous.add(id);  // never written by Warden: neither definition is the value
                    }
                }
            }
        }
        Instant time;
        try {
            time = n.path("time").isTextual() ? Instant.parse(n.get("time").asText()) : null;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad time", e);
        }
        Resolver r = new Resolver(unresolved);
        AuditEvent e = new AuditEvent(plain(n.get("type")), time, plain(n.get("eventId")), r.text(n.get("sessionId")),
                r.text(n.get("databaseUser")), r.text(n.get("role")), r.text(n.get("purpose")), r.text(n.get("client")),
                r.text(n.get("clientAddress")), r.text(n.get("statementKind")), r.text(n.get("fingerprint")),
                r.text(n.get("policyVersion")), r.list(n.get("tables")), r.columns(n.get("columnsRead")),
                r.list(n.get("columnsWritten")), r.list(n.get("columnsFiltered")), n.path("rows").asLong(-1),
                r.text(n.get("decision")), r.text(n.get("reason")), r.text(n.get("sqlState")),
                n.path("durationMicros").asLong(0), plainList(n.get("rowKeyHashes")), r.text(n.get("callSite")));
        String prev = plain(n.get("prev"));
        return new ChainedEvent(n.get("seq").asLong(), prev == null ? "" : prev, n.get("hash").asText(), e);
    }

    /** Resolves one line's references, telling the caller of those it cannot. */
    private final class Resolver {
        private final IntConsumer unresolved;

        Resolver(IntConsumer unresolved) {
            this.unresolved = unresolved;
        }

        /** The node itself, or the dictionary's value when it is a reference (an integer); null when unknown. */
        private JsonNode deref(JsonNode n) {
            if (n == null || !n.isIntegralNumber()) {
                return n;
            }
            // a reference past an int's range must not wrap onto another entry (2^32 + 1 is not 1)
            JsonNode v = n.canConvertToInt() && !ambiguous.contains(n.intValue()) ? dictionary.get(n.intValue()) : null;
            if (v == null || v.isIntegralNumber()) {
                unresolved.accept(n.canConvertToInt() ? n.intValue() : -1);
                return null;
            }
            return v;
        }

        String text(JsonNode n) {
            JsonNode v = deref(n);
            if (v == null && n != null && n.isIntegralNumber()) {
                return "(unresolved #" + n.asText() + ")";
            }
            return plain(v);
        }

        List<String> list(JsonNode n) {
            JsonNode v = deref(n);
            if (v == null && n != null && n.isIntegralNumber()) {
                return List.of("(unresolved #" + n.asText() + ")");
            }
            return plainList(v);
        }

        Map<String, String> columns(JsonNode n) {
            JsonNode v = deref(n);
            if (v == null && n != null && n.isIntegralNumber()) {
                return Map.of("(unresolved #" + n.asText() + ")", "(unresolved)");
            }
            if (v == null || !v.isObject()) {
                return null;
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (var it = v.fields(); it.hasNext(); ) {
                var f = it.next();
                out.put(f.getKey(), plain(f.getValue()));
            }
            return out;
        }
    }

    private static String plain(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static List<String> plainList(JsonNode n) {
        if (n == null || !n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>(n.size());
        n.forEach(v -> out.add(plain(v)));
        return Collections.unmodifiableList(out);
    }
}
