package dev.warden.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writer's side of a format 2 file's dictionary: the repeated values (statement fingerprint, session, user,
 * role, purpose, client, table and column lists, decision…) each line refers to by id instead of writing them
 * again. Ids count from 1 in each file; a value is defined (in the {@code def} field of the first line that uses
 * it) once per file. Bounded: once it holds {@value #MAX_ENTRIES} values or {@value #MAX_CHARS} characters, further
 * new values are written in full, as format 1 writes them.
 *
 * <p>Part of the chain's state: {@link #mark}/{@link #rewind} roll it back with the chain head when a write fails
 * or an event moves to the next file. Not thread-safe: owned by one {@link AuditChain}.
 */
final class TrailDictionary {

    static final int MAX_ENTRIES = 1 << 16;
    static final long MAX_CHARS = 8L << 20;

    private final Map<Object, Integer> ids = new HashMap<>();
    private final List<Object> values = new ArrayList<>();
    private long chars;
    /** Lines written in this file: the first one carries the format mark that starts the dictionary. */
    private int lines;
    /** Counts files: a mark taken in an earlier file rewinds this one to its start. */
    private int file;

    /** Where the dictionary stood: to roll back to. */
    record Mark(int file, int size, int lines, long chars) {}

    /** Starts the dictionary of a new file: empty, and its next line carries the format mark. */
    void startFile() {
        ids.clear();
        values.clear();
        chars = 0;
        lines = 0;
        file++;
    }

    boolean atFileStart() {
        return lines == 0;
    }

    void lineWritten() {
        lines++;
    }

    /** The id of {@code value} in this file, or 0. */
    int idOf(Object value) {
        Integer id = ids.get(value);
        return id == null ? 0 : id;
    }

    /** Gives {@code value} the next id, or returns 0 when the dictionary is full (then it is written in full). */
    int define(Object value, int length) {
        if (values.size() >= MAX_ENTRIES || chars + length > MAX_CHARS) {
            return 0;
        }
        Object key = frozen(value);
        values.add(key);
        chars += length;
        int id = values.size();
        ids.put(key, id);
        return id;
    }

    /** The value of {@code id} (1-based). */
    Object value(int id) {
        return values.get(id - 1);
    }

    Mark mark() {
        return new Mark(file, values.size(), lines, chars);
    }

    /** Back to {@code m}; a mark of an earlier file leaves this file's dictionary empty, at its start. */
    void rewind(Mark m) {
        if (m.file() != file) {
            int keep = file;
            startFile();
            file = keep;
            return;
        }
        for (int i = values.size() - 1; i >= m.size(); i--) {
            ids.remove(values.remove(i));
        }
        lines = m.lines();
        chars = m.chars();
    }

    /** An immutable copy of a list or map to key the dictionary with (a caller's collection could change later). */
    private static Object frozen(Object value) {
        if (value instanceof List<?> l) {
            return Collections.unmodifiableList(new ArrayList<>(l));
        }
        if (value instanceof Map<?, ?> m) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(m));
        }
        return value;
    }
}
