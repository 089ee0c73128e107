package dev.warden.engine;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HexFormat;

/** The text form of a decrypted value, as PostgreSQL would print it (for getString and for masks). */
final class ValueText {

    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).optionalEnd()
            .toFormatter();

    private ValueText() {}

    static String of(Object value) {
        if (value == null) return null;
        if (value instanceof String s) return s;
        if (value instanceof BigDecimal d) return d.toPlainString();
        if (value instanceof LocalDateTime t) return TIMESTAMP.format(t);
        if (value instanceof byte[] b) return "\\x" + HexFormat.of().formatHex(b);
        return value.toString();
    }
}
