package dev.warden.crypto;

/**
 * Converts plaintext values of a logical type to the bytes that are encrypted, and back. Thread-safe.
 * Errors name the type, never the value.
 *
 * <p>Accepted on encode: TEXT any CharSequence; INTEGER/BIGINT Number or decimal String; NUMERIC
 * BigDecimal, Number or String; DATE LocalDate, java.sql.Date or ISO String; TIMESTAMP LocalDateTime,
 * java.sql.Timestamp or ISO String ('T' or space); BYTES byte[]. Decode returns String, Integer, Long,
 * BigDecimal, LocalDate, LocalDateTime, byte[] respectively.
 */
public final class ValueCodec {
    private ValueCodec() {}

    public static byte[] encode(LogicalType type, Object value) {
        throw new UnsupportedOperationException("TODO crypto");
    }

    public static Object decode(LogicalType type, byte[] bytes) {
        throw new UnsupportedOperationException("TODO crypto");
    }
}
