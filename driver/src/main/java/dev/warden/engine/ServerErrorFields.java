package dev.warden.engine;

import java.lang.reflect.Constructor;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a PostgreSQL ErrorResponse or NoticeResponse as pgjdbc hands them out
 * ({@code PSQLException.getServerErrorMessage()}, {@code PSQLWarning.getServerErrorMessage()}), keyed by their
 * protocol codes ({@code 'C'} SQLState, {@code 'M'} message, {@code 'D'} detail, {@code 't'} table, ...), and
 * the way back: a pgjdbc exception or warning built from fields. This is the one place the engine reads pgjdbc's
 * error classes; Warden does not depend on pgjdbc, so they are reached by reflection on the real driver's own
 * classes (off the hot path: only when a statement fails or the server sent a notice).
 *
 * <p>pgjdbc exposes no getter for {@code 'V'} (the severity that is never translated), so it is not carried.
 * Immutable and thread-safe.
 */
public final class ServerErrorFields {

    static final String SERVER_ERROR_MESSAGE = "org.postgresql.util.ServerErrorMessage";
    static final String PSQL_EXCEPTION = "org.postgresql.util.PSQLException";
    static final String PSQL_WARNING = "org.postgresql.util.PSQLWarning";

    /** Protocol code and the ServerErrorMessage getter that reads it, in the order PostgreSQL sends them. */
    private static final char[] CODES = {'S', 'C', 'M', 'D', 'H', 'P', 'p', 'q', 'W', 's', 't', 'c', 'd', 'n',
        'F', 'L', 'R'};
    private static final String[] GETTERS = {"getSeverity", "getSQLState", "getMessage", "getDetail", "getHint",
        "getPosition", "getInternalPosition", "getInternalQuery", "getWhere", "getSchema", "getTable", "getColumn",
        "getDatatype", "getConstraint", "getFile", "getLine", "getRoutine"};

    private final Map<Character, String> fields;

    ServerErrorFields(Map<Character, String> fields) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * The server fields of {@code error} (a pgjdbc {@code PSQLException} or {@code PSQLWarning} that came from
     * the server), or null when it carries none: a client-side error, another driver's exception, Warden's own.
     */
    public static ServerErrorFields of(Throwable error) {
        Object message = serverErrorMessage(error);
        if (message == null) return null;
        Map<Character, String> read = new LinkedHashMap<>();
        for (int i = 0; i < CODES.length; i++) {
            Object value;
            try {
                value = message.getClass().getMethod(GETTERS[i]).invoke(message);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;  // a pgjdbc without this getter: the field is not carried
            }
            if (value instanceof Integer n) {
                if (n != 0) read.put(CODES[i], n.toString());  // pgjdbc reports an absent position or line as 0
            } else if (value != null) {
                read.put(CODES[i], value.toString());
            }
        }
        return new ServerErrorFields(read);
    }

    private static Object serverErrorMessage(Throwable error) {
        if (error == null || !hasAncestor(error.getClass(), PSQL_EXCEPTION) && !hasAncestor(error.getClass(), PSQL_WARNING)) {
            return null;
        }
        try {
            return error.getClass().getMethod("getServerErrorMessage").invoke(error);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The field with protocol code {@code code}, or null when the server did not send it. */
    public String get(char code) {
        return fields.get(code);
    }

    /** Every field, by protocol code, in the order PostgreSQL sends them. */
    public Map<Character, String> asMap() {
        return fields;
    }

    /** The fields as pgjdbc's {@code ServerErrorMessage(String)} reads them: code, text, NUL; code, text, NUL... */
    String encoded() {
        StringBuilder b = new StringBuilder();
        fields.forEach((code, text) -> b.append(code).append(text.replace('\0', ' ')).append('\0'));
        return b.toString();
    }

    /**
     * A pgjdbc {@code PSQLException} carrying these fields, built with the classes of {@code like} (the real
     * driver's exception it replaces), so that an application casting to {@code PSQLException} and calling
     * {@code getServerErrorMessage()} still can; a plain {@link SQLException} with the same text when pgjdbc's
     * constructors cannot be reached.
     */
    SQLException toException(SQLException like) {
        Object built = build(like, PSQL_EXCEPTION);
        if (built instanceof SQLException e) return e;
        return new SQLException(text(), get('C'));
    }

    /** {@link #toException} for a notice: a pgjdbc {@code PSQLWarning}, or a plain {@link SQLWarning}. */
    SQLWarning toWarning(SQLWarning like) {
        Object built = build(like, PSQL_WARNING);
        if (built instanceof SQLWarning w) return w;
        return new SQLWarning(text(), get('C'));
    }

    private Object build(Throwable like, String exceptionClass) {
        Object serverMessage = serverErrorMessage(like);
        Class<?> messageClass = serverMessage == null ? null : ancestor(serverMessage.getClass(), SERVER_ERROR_MESSAGE);
        Class<?> exception = ancestor(like.getClass(), exceptionClass);
        if (messageClass == null || exception == null) return null;
        try {
            Object message = messageClass.getConstructor(String.class).newInstance(encoded());
            Constructor<?> c = exception.getConstructor(messageClass);
            return c.newInstance(message);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The text pgjdbc would make of these fields ({@code "ERROR: msg\n  Detail: ..."}), for the fallback. */
    String text() {
        StringBuilder b = new StringBuilder();
        if (get('S') != null) b.append(get('S')).append(": ");
        b.append(get('M') == null ? "" : get('M'));
        appendLine(b, "Detail", get('D'));
        appendLine(b, "Hint", get('H'));
        appendLine(b, "Position", get('P'));
        appendLine(b, "Where", get('W'));
        return b.toString();
    }

    private static void appendLine(StringBuilder b, String name, String value) {
        if (value != null) b.append("\n  ").append(name).append(": ").append(value);
    }

    private static boolean hasAncestor(Class<?> type, String name) {
        return ancestor(type, name) != null;
    }

    private static Class<?> ancestor(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) return c;
        }
        return null;
    }

    @Override
    public String toString() {
        return "ServerErrorFields" + fields.keySet();  // codes only: the values may be what is being redacted
    }
}
