package dev.warden.jdbc;

import dev.warden.engine.SqlStates;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLException;

/**
 * Reads stream and LOB parameters whole, so that a protected column's value can be encrypted as one piece.
 * Protected values are small (identifiers, card numbers), so reading them into memory costs nothing.
 */
final class ParameterValues {
    private ParameterValues() {}

    /**
     * A date given with a Calendar as pgjdbc sends it (the instant's date in the calendar's zone, which PostgreSQL's
     * date input keeps), so that a protected value or range bound is the date the database would store or compare;
     * ignoring the calendar would encrypt the JVM zone's date instead.
     */
    static Object date(java.sql.Date x, java.util.Calendar calendar) {
        if (x == null || calendar == null) return x;
        return java.time.LocalDate.ofInstant(java.time.Instant.ofEpochMilli(x.getTime()),
                calendar.getTimeZone().toZoneId());
    }

    /**
     * A timestamp given with a Calendar as pgjdbc sends it (the instant's date-time in the calendar's zone, with an
     * offset that a {@code timestamp} column drops), nanoseconds kept.
     */
    static Object timestamp(java.sql.Timestamp x, java.util.Calendar calendar) {
        if (x == null || calendar == null) return x;
        return java.time.LocalDateTime.ofInstant(x.toInstant(), calendar.getTimeZone().toZoneId());
    }

    static byte[] bytes(Object source, String setter) throws SQLException {
        try {
            if (source == null) return null;
            if (source instanceof InputStream in) return in.readAllBytes();
            if (source instanceof Blob blob) return blob.getBytes(1, (int) blob.length());
        } catch (IOException e) {
            throw SqlStates.of("22000", setter + ": could not read the parameter stream", e);
        }
        throw SqlStates.unsupported(setter + " with a " + source.getClass().getName() + " on a protected column");
    }

    static String text(Object source, String setter) throws SQLException {
        try {
            if (source == null) return null;
            if (source instanceof Reader reader) {
                StringBuilder text = new StringBuilder();
                char[] buffer = new char[4096];
                for (int n; (n = reader.read(buffer)) > 0; ) text.append(buffer, 0, n);
                return text.toString();
            }
            if (source instanceof InputStream in) return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (source instanceof Clob clob) return clob.getSubString(1, (int) clob.length());
        } catch (IOException e) {
            throw SqlStates.of("22000", setter + ": could not read the parameter stream", e);
        }
        throw SqlStates.unsupported(setter + " with a " + source.getClass().getName() + " on a protected column");
    }
}
