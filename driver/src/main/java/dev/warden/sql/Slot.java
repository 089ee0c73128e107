package dev.warden.sql;

/**
 * One placeholder of a {@link LexedSql}: either a JDBC parameter the application binds, or an inline literal
 * the lexer lifted out of the text (so that the normalised text is the cache key and audit fingerprint).
 */
public sealed interface Slot permits Slot.Parameter, Slot.Literal {

    /** A {@code ?} of the application's own; {@code jdbcIndex} is the 1-based index it binds. */
    record Parameter(int jdbcIndex) implements Slot {}

    /**
     * An inline literal. {@code sourceText} is exactly as written (quotes and all) so it can be put back;
     * {@code value} is its decoded value (string contents with quotes undone, or the number's text), or
     * null where the lexer could not decode it safely (then it must never be encrypted or compared).
     */
    record Literal(String sourceText, String value, boolean numeric) implements Slot {
        /** Never shows the value or the source text: either may be a protected value. */
        @Override
        public String toString() {
            return numeric ? "Literal[numeric]" : "Literal[string]";
        }
    }
}
