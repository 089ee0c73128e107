package dev.warden.gateway;

import java.sql.SQLException;
import java.sql.SQLWarning;

/**
 * The fields of an ErrorResponse or NoticeResponse. Built from an {@link SQLException} through the plain
 * JDBC API only: SQLState from {@link SQLException#getSQLState()}, and the message, detail, hint, position
 * and context recovered from the message text in the layout pgjdbc uses ({@code "ERROR: msg\n  Detail: ...
 * \n  Hint: ...\n  Position: n\n  Where: ..."}); a message from any other source (the Warden engine's
 * refusals) is used whole. Immutable and thread-safe.
 */
public record ErrorFields(String severity, String sqlState, String message, String detail, String hint,
                          String position, String where) {

    public static ErrorFields error(String sqlState, String message) {
        return new ErrorFields("ERROR", sqlState, message, null, null, null, null);
    }

    public static ErrorFields fatal(String sqlState, String message) {
        return new ErrorFields("FATAL", sqlState, message, null, null, null, null);
    }

    public static ErrorFields fromException(SQLException e) {
        return parse("ERROR", e.getSQLState(), e.getMessage());
    }

    public static ErrorFields fromWarning(SQLWarning w) {
        return parse("NOTICE", w.getSQLState() == null ? "00000" : w.getSQLState(), w.getMessage());
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
