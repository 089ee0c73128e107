package dev.warden.engine;

import static dev.warden.engine.MatchFilters.isWord;
import static dev.warden.engine.MatchFilters.names;

import dev.warden.crypto.LogicalType;
import dev.warden.crypto.OrderEncoding;
import dev.warden.crypto.ValueCodec;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.ColumnType;
import dev.warden.policy.Encryption;
import dev.warden.sql.ColumnUse;
import dev.warden.sql.LexedSql;
import dev.warden.sql.LiteralCast;
import dev.warden.sql.Slot;
import dev.warden.sql.SqlTokens;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HexFormat;

/**
 * Range predicates on order columns ({@code order: true}), answered exactly in a plain single-table SELECT (placed by
 * the analyzer as {@code FILTER_ORDER}, rendered by {@link MatchFilters} with the LIKEs of the same statement):
 * <ul>
 *   <li>each bound is sent as the left ciphertext of the column's order index ({@link dev.warden.crypto.OrderIndex}),
 *       and the database keeps the rows whose stored right ciphertext ({@code <column>_order}) compares on the right
 *       side of it, with {@code warden.ore_compare(left, right)} (bound versus row: positive when the row is
 *       smaller), e.g. {@code col < b} is sent as {@code warden.ore_compare(left(b), col_order) >= 0};</li>
 *   <li>the comparison sent is never strict and a bound the index cannot encode exactly is widened outwards (2.5
 *       on an integer column is 3 as an upper bound, 2 as a lower one; text orders by its first 15 bytes only),
 *       so the database returns a superset of the answer; rows with a value but no index yet (written before
 *       {@code order: true}) are returned too;</li>
 *   <li>{@link RowFilter} then keeps the rows whose decrypted value satisfies the predicate as PostgreSQL compares
 *       it ({@link Test}), as it does for LIKE.</li>
 * </ul>
 * Text compares as PostgreSQL's "C" collation (code point order) only; a text range is refused unless the database's
 * default collation is C or POSIX or the comparison says {@code COLLATE "C"}. Immutable; stateless helpers.
 */
final class OrderFilters {

    /** The comparison of one range, seen from the column. */
    enum Op { LT, LE, GT, GE, BETWEEN, NOT_BETWEEN }

    /**
     * One range on an order column: {@code slot} the bound (BETWEEN: the first), {@code endSlot} BETWEEN's second
     * bound or -1; {@code collateC} when the comparison says {@code COLLATE "C"}.
     */
    record Range(int slot, int endSlot, Op op, boolean collateC, ProtectedColumn column) {

        boolean between() {
            return op == Op.BETWEEN || op == Op.NOT_BETWEEN;
        }

        /** Whether the bound of slot {@code s} finds the rows at most it (true) or at least it (false). */
        boolean upper(int s) {
            return switch (op) {
                case LT, LE -> true;
                case GT, GE -> false;
                case BETWEEN -> s == endSlot;
                case NOT_BETWEEN -> s == slot;  // row < a OR row > b
            };
        }
    }

    /**
     * The predicate a row's decrypted value must satisfy: {@code lo} is the bound (BETWEEN: the first), {@code hi}
     * BETWEEN's second; a null bound makes the predicate NULL (no row), as in PostgreSQL.
     */
    record Test(Op op, Comparable<?> lo, Comparable<?> hi, boolean loNull, boolean hiNull) {

        boolean holds(Object value) {
            if (value == null) return false;
            // three-valued, as PostgreSQL: a comparison with a NULL bound is NULL (null here)
            Boolean first = loNull ? null : switch (op) {
                case LT, NOT_BETWEEN -> compare(value, lo) < 0;
                case LE -> compare(value, lo) <= 0;
                case GT -> compare(value, lo) > 0;
                case GE, BETWEEN -> compare(value, lo) >= 0;
            };
            if (op == Op.BETWEEN || op == Op.NOT_BETWEEN) {
                Boolean second = hiNull ? null : op == Op.BETWEEN ? compare(value, hi) <= 0 : compare(value, hi) > 0;
                if (op == Op.BETWEEN) return Boolean.TRUE.equals(first) && Boolean.TRUE.equals(second);
                return Boolean.TRUE.equals(first) || Boolean.TRUE.equals(second);
            }
            return Boolean.TRUE.equals(first);
        }
    }

    /** What a bound parameter bound to NULL is kept as (unlike an unbound one). */
    static final Object NULL_BOUND = new Object();

    private static final HexFormat HEX = HexFormat.of();

    private OrderFilters() {}

    /** The range of a FILTER_ORDER use (see {@code UseKind#FILTER_ORDER} for its detail). */
    static Range range(ColumnUse use, ProtectedColumn column) {
        String detail = use.detail();
        boolean collateC = detail.endsWith(" COLLATE C");
        if (collateC) detail = detail.substring(0, detail.length() - " COLLATE C".length());
        if (detail.startsWith("BETWEEN ") || detail.startsWith("NOT BETWEEN ")) {
            int end = Integer.parseInt(detail.substring(detail.lastIndexOf(' ') + 1));
            return new Range(use.slot(), end, detail.startsWith("NOT") ? Op.NOT_BETWEEN : Op.BETWEEN, collateC, column);
        }
        Op op = switch (detail) {
            case "<" -> Op.LT;
            case "<=" -> Op.LE;
            case ">" -> Op.GT;
            case ">=" -> Op.GE;
            default -> throw new IllegalArgumentException("not a range: " + detail);
        };
        return new Range(use.slot(), -1, op, collateC, column);
    }

    /** A FILTER_ORDER detail as a refusal names it ({@code "comparison <"}, {@code "BETWEEN"}). */
    static String describe(String detail) {
        String d = detail.endsWith(" COLLATE C") ? detail.substring(0, detail.length() - 10) : detail;
        if (d.startsWith("BETWEEN ")) return "BETWEEN";
        if (d.startsWith("NOT BETWEEN ")) return "NOT BETWEEN";
        return "comparison " + d;
    }

    /** The policy change that allows a range on {@code rule}'s column, or what shapes work; null: none. */
    static String hint(ColumnRule rule) {
        if (rule.ordered()) {
            return "; ranges on " + rule.qualifiedName() + " go through its order index (order: true) only as"
                    + " column < | <= | > | >= value, value < | <= | > | >= column or column [NOT] BETWEEN value AND"
                    + " value, the value a literal or parameter, ANDed in the WHERE of a plain single-table SELECT";
        }
        if (rule.encryption() == Encryption.NONE || rule.type() == ColumnType.BYTES) return null;
        return "; to allow ranges, add order: true to " + rule.qualifiedName() + " (then run warden schema --apply and"
                + " warden keys reencrypt, see docs/order-index.md)";
    }

    /** Token positions of a range in the statement: the column (maybe qualified) and the whole comparison. */
    record Placed(int start, int end, int columnStart, int columnEnd) {}

    /**
     * Where range {@code r} is in {@code tokens}: {@code column op bound}, {@code bound op column} or
     * {@code column [NOT] BETWEEN a AND b}, the column optionally followed by {@code COLLATE "C"}. Refuses (0A000)
     * another spelling (a cast on the bound, parentheses, a typed literal), which the rewrite would leave behind.
     */
    static Placed place(LexedSql lexed, SqlTokens tokens, int[] tokenOfSlot, Range r) throws SQLException {
        int b = r.slot() < 0 ? -1 : tokenOfSlot[r.slot()];
        if (b < 0 || plainBound(lexed, r.slot()) || r.between() && (r.endSlot() < 0 || tokenOfSlot[r.endSlot()] < 0
                || plainBound(lexed, r.endSlot()))) {
            throw shape(r);
        }
        String name = r.column().rule().column();
        if (r.collateC() && r.column().type() != LogicalType.TEXT) {
            // as PostgreSQL refuses it on the plaintext column
            throw SqlStates.of("42804", "collations are not supported by type " + typeName(r.column()));
        }
        if (r.between()) {
            int e = tokenOfSlot[r.endSlot()];
            int keyword = b - 1;
            if (!isWord(tokens, keyword, "between") || !isWord(tokens, b + 1, "and") || e != b + 2) throw shape(r);
            int columnEnd = keyword - 1;
            if (r.op() == Op.NOT_BETWEEN) {
                if (!isWord(tokens, columnEnd, "not")) throw shape(r);
                columnEnd--;
            }
            columnEnd = skipCollate(tokens, columnEnd, r);
            int columnStart = qualifiedStart(tokens, columnEnd, name, r);
            return new Placed(columnStart, e, columnStart, columnEnd);
        }
        // column op bound
        if (b >= 2 && isOperator(tokens, b - 1)) {
            int columnEnd = skipCollate(tokens, b - 2, r);
            if (names(tokens, columnEnd, name)) {
                int columnStart = qualifiedStart(tokens, columnEnd, name, r);
                return new Placed(columnStart, b, columnStart, columnEnd);
            }
        }
        // bound op column [COLLATE "C"]
        if (isOperator(tokens, b + 1) && b + 2 < tokens.count()) {
            int columnStart = b + 2;
            int columnEnd = columnStart;
            while (columnEnd + 2 < tokens.count() && tokens.is(columnEnd + 1, ".")) columnEnd += 2;
            if (!names(tokens, columnEnd, name)) throw shape(r);
            int end = columnEnd;
            if (r.collateC()) {
                if (!isWord(tokens, end + 1, "collate") || end + 2 >= tokens.count()) throw shape(r);
                checkCollation(tokens, end + 2, r);
                end += 2;
            }
            return new Placed(b, end, columnStart, columnEnd);
        }
        throw shape(r);
    }

    private static boolean plainBound(LexedSql lexed, int slot) {
        return lexed.isTypedLiteral(slot) || LiteralCast.of(lexed, slot) != null;
    }

    private static int skipCollate(SqlTokens tokens, int t, Range r) throws SQLException {
        if (!r.collateC()) return t;
        if (t < 2 || !isWord(tokens, t - 1, "collate")) throw shape(r);
        checkCollation(tokens, t, r);
        return t - 2;
    }

    /** Refuses {@code COLLATE x} (token {@code t}) unless x is "C" or "POSIX": the only code point orders. */
    private static void checkCollation(SqlTokens tokens, int t, Range r) throws SQLException {
        String name = tokens.text(t);
        if (!name.equals("\"C\"") && !name.equals("\"POSIX\"")) throw refusedCollation(r, "COLLATE " + name);
    }

    private static int qualifiedStart(SqlTokens tokens, int columnEnd, String name, Range r) throws SQLException {
        if (columnEnd < 0 || !names(tokens, columnEnd, name)) throw shape(r);
        int columnStart = columnEnd;
        while (columnStart >= 2 && tokens.is(columnStart - 1, ".")
                && (tokens.kind(columnStart - 2) == SqlTokens.Kind.WORD
                    || tokens.kind(columnStart - 2) == SqlTokens.Kind.QUOTED_IDENTIFIER)) {
            columnStart -= 2;
        }
        return columnStart;
    }

    private static boolean isOperator(SqlTokens tokens, int t) {
        return t >= 0 && t < tokens.count() && (tokens.is(t, "<") || tokens.is(t, "<=") || tokens.is(t, ">")
                || tokens.is(t, ">="));
    }


    /**
     * The condition sent for range {@code r}: the bounds' placeholders ({@code ?} or a bytea literal) in slot order,
     * each finding the rows at most or at least it; plus the rows with a value and no index yet.
     */
    static String condition(Range r, String companion, String columnText, String first, String second) {
        String unindexed = " OR " + companion + " IS NULL AND " + columnText + " IS NOT NULL";
        String a = compare(first, companion, r.upper(r.slot()));
        if (!r.between()) return "(" + a + unindexed + ")";
        String b = compare(second, companion, r.upper(r.endSlot()));
        return "(" + a + (r.op() == Op.BETWEEN ? " AND " : " OR ") + b + unindexed + ")";
    }

    private static String compare(String bound, String companion, boolean upper) {
        // ore_compare(bound, row) is positive when the row is smaller: row <= bound is >= 0
        return "warden.ore_compare(" + bound + ", " + companion + ") " + (upper ? ">= 0" : "<= 0");
    }

    /** The bytea literal of the left ciphertext of a bound written inline ({@code value} as {@link #value} gave it). */
    static String leftLiteral(ProtectedColumn column, Comparable<?> value, boolean upper) throws SQLException {
        return "'\\x" + HEX.formatHex(left(column, value, upper)) + "'::bytea";
    }

    /** The left ciphertext of bound {@code value}, widened outwards when the index cannot encode it exactly. */
    static byte[] left(ProtectedColumn column, Comparable<?> value, boolean upper) throws SQLException {
        LogicalType type = column.type();
        Object encodable = value;
        if (type == LogicalType.INTEGER || type == LogicalType.BIGINT) {
            // INTEGER shares BIGINT's encoding; a fraction or an out-of-range bound is rounded outwards and clamped
            BigDecimal d = (BigDecimal) value;
            BigInteger i = d.setScale(0, upper ? RoundingMode.CEILING : RoundingMode.FLOOR).toBigIntegerExact();
            encodable = i.max(BigInteger.valueOf(Long.MIN_VALUE)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
            return column.orderIndex().encryptLeftAs(LogicalType.BIGINT, encodable);
        }
        if (type == LogicalType.NUMERIC) encodable = encodableNumeric((BigDecimal) value, upper);
        try {
            return column.orderIndex().encryptLeft(encodable);
        } catch (IllegalArgumentException e) {
            throw SqlStates.of(SqlStates.INVALID_VALUE, "range bound on " + column.name() + ": " + e.getMessage());
        }
    }

    private static final BigDecimal NUMERIC_MAX = new BigDecimal("9".repeat(OrderEncoding.NUMERIC_DIGITS))
            .scaleByPowerOfTen(127 - OrderEncoding.NUMERIC_DIGITS);
    private static final BigDecimal NUMERIC_MIN_POSITIVE = BigDecimal.ONE.scaleByPowerOfTen(-129);

    /** A numeric the index encodes, at least {@code value} when upper, at most it otherwise. */
    private static BigDecimal encodableNumeric(BigDecimal value, boolean upper) {
        if (value.signum() == 0) return value;
        BigDecimal rounded = value.round(new MathContext(OrderEncoding.NUMERIC_DIGITS,
                upper ? RoundingMode.CEILING : RoundingMode.FLOOR));
        BigDecimal magnitude = rounded.abs();
        if (magnitude.compareTo(NUMERIC_MAX) > 0) {
            // beyond every storable value: the largest (or smallest) one still finds them all
            return rounded.signum() > 0 ? NUMERIC_MAX : NUMERIC_MAX.negate();
        }
        if (magnitude.compareTo(NUMERIC_MIN_POSITIVE) < 0) {
            // closer to zero than any storable value other than zero
            if (upper) return rounded.signum() > 0 ? NUMERIC_MIN_POSITIVE : BigDecimal.ZERO;
            return rounded.signum() > 0 ? BigDecimal.ZERO : NUMERIC_MIN_POSITIVE.negate();
        }
        return rounded;
    }

    /**
     * A bound (literal text or a bound parameter's Java value) as PostgreSQL compares it with the column: a number
     * (BigDecimal) for integer, bigint and numeric columns, whatever its own type (PostgreSQL compares an integer
     * with a numeric as numbers); a LocalDate for date; a LocalDateTime for timestamp (a date as its midnight); a
     * String for text. Refuses (22P02 or 42883, as PostgreSQL would) what PostgreSQL would not compare, and a
     * floating-point bound (compared as float8 by PostgreSQL, which Warden does not reproduce).
     */
    static Comparable<?> value(ProtectedColumn column, Object bound, int parameter) throws SQLException {
        String where = parameter > 0 ? " (parameter " + parameter + ")" : "";
        if (bound instanceof Double || bound instanceof Float) {
            throw SqlStates.unsupported("a floating-point range bound on " + column.name() + where + ": PostgreSQL"
                    + " would compare it as double precision; bind it with setBigDecimal, setLong or setInt");
        }
        try {
            switch (column.type()) {
                case INTEGER, BIGINT, NUMERIC -> {
                    if (bound instanceof BigDecimal d) return d;
                    if (bound instanceof BigInteger i) return new BigDecimal(i);
                    if (bound instanceof Long || bound instanceof Integer || bound instanceof Short
                            || bound instanceof Byte) {
                        return BigDecimal.valueOf(((Number) bound).longValue());
                    }
                    if (bound instanceof CharSequence text) {
                        try {
                            String s = text.toString().strip();
                            if (column.type() != LogicalType.NUMERIC) return integerText(column, s, where);
                            return new BigDecimal(s);
                        } catch (NumberFormatException e) {
                            throw unreadText(column, where, "digits with an optional sign"
                                    + (column.type() == LogicalType.NUMERIC ? ", a point and an exponent" : ""));
                        }
                    }
                }
                case DATE -> {
                    if (bound instanceof java.sql.Timestamp || bound instanceof LocalDateTime) {
                        throw SqlStates.unsupported("a timestamp range bound on date column " + column.name() + where
                                + ": bind a date (setDate, setObject(LocalDate))");
                    }
                    if (bound instanceof java.sql.Date || bound instanceof LocalDate || bound instanceof CharSequence) {
                        return (LocalDate) ValueCodec.decode(LogicalType.DATE, ValueCodec.encode(LogicalType.DATE,
                                bound instanceof CharSequence c ? withoutOffset(c.toString(), DATE_OFFSET) : bound));
                    }
                }
                case TIMESTAMP -> {
                    if (bound instanceof java.sql.Date d) return d.toLocalDate().atStartOfDay();
                    if (bound instanceof LocalDate d) return d.atStartOfDay();
                    if (bound instanceof java.sql.Timestamp || bound instanceof LocalDateTime
                            || bound instanceof CharSequence) {
                        return (LocalDateTime) ValueCodec.decode(LogicalType.TIMESTAMP, ValueCodec.encode(
                                LogicalType.TIMESTAMP, bound instanceof CharSequence c
                                        ? withoutOffset(c.toString(), TIMESTAMP_OFFSET) : bound));
                    }
                }
                case TEXT -> {
                    if (bound instanceof CharSequence || bound instanceof Character) {
                        ValueCodec.encode(LogicalType.TEXT, bound);  // refuses invalid Unicode, naming no value
                        return bound.toString();
                    }
                }
                default -> { }
            }
        } catch (IllegalArgumentException e) {
            if (bound instanceof CharSequence) {
                throw unreadText(column, where, column.type() == LogicalType.DATE ? "yyyy-MM-dd"
                        : "yyyy-MM-dd[ HH:mm[:ss[.f]]] (an offset is dropped, as timestamp input drops it)");
            }
            throw SqlStates.of("22P02", "range bound on " + column.name() + where + ": " + e.getMessage());
        }
        throw SqlStates.of("42883", "operator does not exist: " + typeName(column) + " compared with "
                + bound.getClass().getSimpleName() + " (range bound on " + column.name() + where + ")");
    }

    /**
     * A text bound Warden does not read: refused (0A000) rather than called invalid, since PostgreSQL may read it
     * ('NaN', 'Infinity', 'today', 'J2451547', a time zone name): Warden compares only what it reads as PostgreSQL does.
     */
    private static SQLException unreadText(ProtectedColumn column, String where, String form) {
        return SqlStates.unsupported("a text range bound on " + column.name() + where + " that Warden does not read as"
                + " PostgreSQL's " + typeName(column) + " input would; Warden reads it only as " + form);
    }

    private static final java.util.regex.Pattern INTEGER_TEXT = java.util.regex.Pattern.compile("[+-]?[0-9]+");

    /**
     * A string compared with an integer or bigint column, read as PostgreSQL reads it as the column's own type:
     * digits with an optional sign only ('3.0', '1e1' are invalid input, 22P02) and within the type's range (22003),
     * so that Warden answers only where PostgreSQL answers.
     */
    private static BigDecimal integerText(ProtectedColumn column, String s, String where) throws SQLException {
        if (!INTEGER_TEXT.matcher(s).matches()) throw new NumberFormatException();
        BigInteger i = new BigInteger(s);
        boolean integer = column.type() == LogicalType.INTEGER;
        BigInteger min = BigInteger.valueOf(integer ? Integer.MIN_VALUE : Long.MIN_VALUE);
        BigInteger max = BigInteger.valueOf(integer ? Integer.MAX_VALUE : Long.MAX_VALUE);
        if (i.compareTo(min) < 0 || i.compareTo(max) > 0) {
            throw SqlStates.of("22003", "value out of range for type " + typeName(column) + " (range bound on "
                    + column.name() + where + ")");
        }
        return new BigDecimal(i);
    }

    /** A date as pgjdbc sends setDate untyped ({@code 2000-01-02 +08}): PostgreSQL's date input drops the offset. */
    private static final java.util.regex.Pattern DATE_OFFSET =
            java.util.regex.Pattern.compile("(\\d+-\\d{2}-\\d{2})\\s*[+-]\\d{2}(:?\\d{2}){0,2}");
    /** A timestamp with an offset ({@code 2020-01-01 00:00:00+08}): timestamp input (without time zone) drops it. */
    private static final java.util.regex.Pattern TIMESTAMP_OFFSET =
            java.util.regex.Pattern.compile("(\\d+-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)\\s*[+-]\\d{2}(:?\\d{2}){0,2}");

    private static String withoutOffset(String text, java.util.regex.Pattern withOffset) {
        java.util.regex.Matcher m = withOffset.matcher(text.strip());
        return m.matches() ? m.group(1) : text;
    }

    private static String typeName(ProtectedColumn column) {
        return column.type().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** PostgreSQL's comparison of a decrypted value with a bound of {@link #value}'s form ("C" order for text). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Object value, Comparable<?> bound) {
        if (bound instanceof BigDecimal d) return toBigDecimal(value).compareTo(d);
        if (bound instanceof String s) return RowOrder.compareCodePoints(value.toString(), s);
        if (bound instanceof LocalDateTime t && value instanceof LocalDate d) return d.atStartOfDay().compareTo(t);
        return ((Comparable) value).compareTo(bound);
    }

    private static BigDecimal toBigDecimal(Object value) {
        if (value instanceof BigDecimal d) return d;
        return BigDecimal.valueOf(((Number) value).longValue());
    }

    /** The literal value of slot {@code s} as a bound, or null for NULL written inline. */
    static Comparable<?> literal(LexedSql lexed, int s, ProtectedColumn column) throws SQLException {
        Slot.Literal literal = (Slot.Literal) lexed.slots().get(s);
        if (literal.value() == null) return null;
        if (literal.numeric()) {
            // a number written inline is a numeric constant to PostgreSQL, compared as a number (or refused with text)
            try {
                return value(column, new BigDecimal(literal.value()), 0);
            } catch (NumberFormatException e) {
                throw SqlStates.of("22P02", "invalid number in a range bound on " + column.name());
            }
        }
        return value(column, literal.value(), 0);
    }

    static SQLException shape(Range r) {
        return SqlStates.unsupported("a range on " + r.column().name() + " goes through its order index only as"
                + " `column < | <= | > | >= value`, `value < | <= | > | >= column` or `column [NOT] BETWEEN value AND"
                + " value`, with the column (optionally qualified, optionally COLLATE \"C\") and each value a literal"
                + " or parameter without a cast");
    }

    /** The refusal of a text range where PostgreSQL would not compare in code point order. */
    static SQLException collation(Range r, String collation) {
        return refusedCollation(r, "the database's default collation " + collation);
    }

    private static SQLException refusedCollation(Range r, String collation) {
        return SqlStates.unsupported("a range on text column " + r.column().name() + " through its order index is"
                + " exact only under the \"C\" collation, and the comparison is under " + collation
                + ": write the comparison with COLLATE \"C\" (column COLLATE \"C\" < value) to compare in code point"
                + " order, or use a database whose collation is C");
    }
}
