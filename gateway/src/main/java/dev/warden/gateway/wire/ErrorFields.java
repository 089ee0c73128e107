package dev.warden.gateway.wire;

import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of an ErrorResponse or NoticeResponse. Built from an {@link SQLException} through the plain
 * JDBC API, or from the server's own fields when the real driver kept them (read by the backend layer,
 * {@code BackendErrors}: the database's errors, already redacted by the engine when they concern a protected
 * table, so what is sent is field for field what the driver shows). Otherwise the SQLState comes from {@link SQLException#getSQLState()},
 * and the message, detail, hint, position and context are recovered from the message text in the layout pgjdbc
 * uses ({@code "ERROR: msg\n  Detail: ...\n  Hint: ...\n  Position: n\n  Where: ..."}); a message from any
 * other source (the Warden engine's refusals) is used whole. Immutable and thread-safe.
 *
 * @param others the server's other fields, by protocol code ({@link #OTHER_CODES}): internal position and
 *               query ({@code p}, {@code q}), the names (schema {@code s}, table {@code t}, column {@code c},
 *               data type {@code d}, constraint {@code n}) and the source (file {@code F}, line {@code L},
 *               routine {@code R}); empty when unknown
 */
public record ErrorFields(String severity, String sqlState, String message, String detail, String hint,
                          String position, String where, Map<Character, String> others) {

    /** The protocol codes of {@link #others}, in the order PostgreSQL sends them. */
    static final String OTHER_CODES = "pqstcdnFLR";

    public ErrorFields {
        others = others == null ? Map.of() : Map.copyOf(others);
    }

    public ErrorFields(String severity, String sqlState, String message, String detail, String hint,
                       String position, String where) {
        this(severity, sqlState, message, detail, hint, position, where, Map.of());
    }

    public static ErrorFields error(String sqlState, String message) {
        return new ErrorFields("ERROR", sqlState, message, null, null, null, null);
    }

    public static ErrorFields fatal(String sqlState, String message) {
        return new ErrorFields("FATAL", sqlState, message, null, null, null, null);
    }

    /**
     * The fields of {@code e}: {@code serverFields} (by protocol code, as the server sent them and the engine left
     * them) when there are any, else what {@code e}'s SQLState and message text tell.
     */
    public static ErrorFields fromException(SQLException e, Map<Character, String> serverFields) {
        ErrorFields server = fromServer(serverFields, "ERROR");
        return server != null ? server : parse("ERROR", e.getSQLState(), e.getMessage());
    }

    /** {@link #fromException} for a notice. */
    public static ErrorFields fromWarning(SQLWarning w, Map<Character, String> serverFields) {
        ErrorFields server = fromServer(serverFields, "NOTICE");
        return server != null ? server : parse("NOTICE", w.getSQLState() == null ? "00000" : w.getSQLState(), w.getMessage());
    }

    /** The fields the server sent (as the engine left them), or null when the driver kept none. */
    static ErrorFields fromServer(Map<Character, String> f, String defaultSeverity) {
        if (f == null || f.get('M') == null) return null;
        String state = f.get('C') == null || f.get('C').length() != 5 ? "XX000" : f.get('C');
        Map<Character, String> others = new LinkedHashMap<>();
        for (char code : OTHER_CODES.toCharArray()) {
            if (f.get(code) != null) others.put(code, f.get(code));
        }
        String severity = f.get('S') == null ? defaultSeverity : f.get('S');
        if (severity.equals("FATAL") || severity.equals("PANIC")) {
            severity = "ERROR";  // the backend's session ended, not the client's: as parse does
        }
        return new ErrorFields(severity, state, f.get('M'), f.get('D'),
                f.get('H'), f.get('P'), f.get('W'), others);
    }

    static ErrorFields parse(String defaultSeverity, String sqlState, String text) {
        String state = sqlState == null || sqlState.length() != 5 ? "XX000" : sqlState;
        if (text == null) {
            return new ErrorFields(defaultSeverity, state, "unknown error", null, null, null, null);
        }
        String[] lines = text.split("\n");
        String severity = defaultSeverity;
        String message = lines[0];
        int colon = message.indexOf(": ");
        if (colon > 0) {
            String prefix = message.substring(0, colon);
            switch (prefix) {
                case "ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "INFO", "LOG", "DEBUG" -> {
                    severity = prefix.equals("PANIC") || prefix.equals("FATAL") ? "ERROR" : prefix;
                    message = message.substring(colon + 2);
                }
                default -> { }
            }
        }
        String detail = null;
        String hint = null;
        String position = null;
        String where = null;
        StringBuilder rest = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("Detail: ")) {
                detail = line.substring(8);
            } else if (line.startsWith("Hint: ")) {
                hint = line.substring(6);
            } else if (line.startsWith("Position: ")) {
                position = line.substring(10);
            } else if (line.startsWith("Where: ")) {
                where = line.substring(7);
            } else if (!line.isEmpty() && detail == null && hint == null && position == null && where == null) {
                rest = rest == null ? new StringBuilder() : rest.append('\n');
                rest.append(lines[i]);
            }
        }
        if (rest != null) {
            message = message + "\n" + rest;
        }
        if (position != null && !position.chars().allMatch(Character::isDigit)) {
            position = null;
        }
        return new ErrorFields(severity, state, message, detail, hint, position, where);
    }
}
