package dev.warden.engine;

import dev.warden.sql.LexedSql;
import dev.warden.sql.Slot;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/**
 * Makes equality filters on deterministic columns match rows written under every enabled key, not only the
 * primary: after {@code warden keys rotate}, rows written before the rotation hold their values under the
 * old key until they are re-encrypted, and a value encrypted under the new primary alone would silently miss
 * them. Each compared value is therefore sent once per key:
 * <ul>
 *   <li>{@code col = X} becomes {@code col IN (X1, X2)};</li>
 *   <li>{@code col <> X} (or {@code !=}) becomes {@code col NOT IN (X1, X2)};</li>
 *   <li>{@code col IN (A, B)} and {@code col NOT IN (A, B)} become {@code col [NOT] IN (A1, A2, B1, B2)};</li>
 *   <li>{@code col = ANY (ARRAY[A, B])} and {@code col <> ALL (ARRAY[A, B])} get {@code ARRAY[A1, A2, B1, B2]}.</li>
 * </ul>
 * NULL semantics stay those of the plaintext statement: a NULL operand gives NULL under every key, so
 * {@code col = NULL} and {@code col IN (NULL, NULL)} are both NULL; a NULL column gives NULL in both forms;
 * and a non-NULL stored value equals {@code Xk} exactly when it was written under key k with plaintext X
 * (Tink prefixes every ciphertext with its key id, and AES-SIV under one key is injective), so {@code NOT IN}
 * is true exactly when {@code <>} on the plaintext would be.
 *
 * Also used with a single key for the parameters of {@code col = ANY (ARRAY[?, ...])}, which it writes with their
 * stored type ({@code ?::bytea}), and for {@code col = ANY (?)} / {@code col <> ALL (?)} with one array parameter,
 * written {@code ?::bytea[]}: its elements are encrypted when bound, once per key
 * ({@link GuardedStatement#bind}), so the parameter stays one parameter.
 *
 * <p>Only shapes it can rewrite textually with certainty are accepted: the column before the operator and
 * the placeholder directly after it ({@code col = ?}, not {@code ? = col} or {@code col = (?)}), and bare
 * list items. Anything else is refused (0A000) rather than half rewritten. Used while the keyset has
 * more than one enabled deterministic key, and for typed array parameters (above). Immutable.
 */
final class KeyExpansion {

    /** How one compared value appears in the statement. */
    enum Form {
        EQUALS, NOT_EQUALS, IN_ITEM, ARRAY_ITEM,
        /** {@code col = ANY (?)}, {@code col <> ALL (?)}: one array parameter; each element is encrypted when bound. */
        ARRAY_PARAMETER;

        /** The form of a FILTER_EQUALITY use from its operator ("=", "<>", "IN", "NOT IN"). */
        static Form of(String operator) {
            return switch (operator) {
                case "=" -> EQUALS;
                case "<>" -> NOT_EQUALS;
                case "IN", "NOT IN" -> IN_ITEM;
                case "= ANY", "<> ALL" -> ARRAY_ITEM;
                case "= ANY (?)", "<> ALL (?)" -> ARRAY_PARAMETER;
                default -> throw new IllegalArgumentException("not an equality operator: " + operator);
            };
        }
    }

    /**
     * The SQL to send and where each application parameter went in it.
     *
     * @param targets by 1-based application parameter index, the first index it binds in {@code sql}; one
     *                more entry at the end (index parameterCount + 1) so that the number of indexes parameter
     *                i binds is {@code targets[i + 1] - targets[i]}
     */
    record Rendered(String sql, int[] targets, boolean literalsEncrypted) {}

    /** Words after the placeholder that would bind it more tightly than IN does. */
    private static final Set<String> TIGHTER_WORDS = Set.of("collate", "at");
    private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";

    private final Form[] forms;  // by slot: the form of an expanded value, null where it is sent once

    KeyExpansion(Form[] forms) {
        this.forms = forms.clone();
    }

    /**
     * Renders {@code lexed} (whose normalised text the verdict was compiled for): protected literals encrypted,
     * expanded values repeated once per key of their column, operators rewritten.
     *
     * @throws SQLException 0A000 when an expanded comparison is not in a shape this class rewrites
     */
    Rendered render(LexedSql lexed, ProtectedColumn[] slotColumns) throws SQLException {
        String text = lexed.normalized();
        StringBuilder out = new StringBuilder(text.length() + 64);
        int parameters = 0;
        for (Slot s : lexed.slots()) if (s instanceof Slot.Parameter) parameters++;
        int[] targets = new int[parameters + 2];
        int nextTarget = 1;
        boolean literalsEncrypted = false;
        int from = 0;
        for (int i = 0; i < lexed.slots().size(); i++) {
            Slot slot = lexed.slots().get(i);
            ProtectedColumn column = slotColumns[i];
            Form form = forms[i];
            int at = lexed.slotOffsets()[i];
            int start = at;
            int end = at + 1;
            if (lexed.isTypedLiteral(i)) {
                start = at - 5;
                end = text.indexOf(')', at) + 1;
            }
            dev.warden.sql.LiteralCast cast = column == null || !column.encrypted() ? null
                    : dev.warden.sql.LiteralCast.of(lexed, i);
            if (cast != null) {
                // the ciphertext replaces the literal with its cast
                start = cast.start();
                end = cast.end();
            }
            if (form == Form.ARRAY_PARAMETER) {
                checkBareListItem(text, start, end, column, '(', ')');
                out.append(text, from, start).append('?');
                if (column.encrypted()) out.append(column.storage() == Storage.BYTEA ? "::bytea[]" : "::text[]");
                targets[((Slot.Parameter) slot).jdbcIndex()] = nextTarget++;
                from = end;
                continue;
            }
            int keys = form == null ? 1 : column.equalityKeys();
            if (form == Form.EQUALS || form == Form.NOT_EQUALS) {
                int operatorStart = operatorBefore(text, start, form, column);
                checkNothingBindsTighter(text, end, column);
                out.append(text, from, operatorStart);
                if (operatorStart == 0 || !Character.isWhitespace(text.charAt(operatorStart - 1))) out.append(' ');
                out.append(form == Form.EQUALS ? "IN (" : "NOT IN (");
            } else {
                if (form == Form.IN_ITEM) checkBareListItem(text, start, end, column, '(', ')');
                if (form == Form.ARRAY_ITEM) checkBareListItem(text, start, end, column, '[', ']');
                out.append(text, from, start);
            }
            for (int k = 0; k < keys; k++) {
                if (k > 0) out.append(", ");
                if (slot instanceof Slot.Parameter p) {
                    if (k == 0) targets[p.jdbcIndex()] = nextTarget;
                    nextTarget++;
                    out.append('?');
                    // an array of parameters only has the type the server guesses for them (text) until bound,
                    // which a describe before binding would compare with the bytea column: say it
                    if (form == Form.ARRAY_ITEM && column.encrypted()) {
                        out.append(column.storage() == Storage.BYTEA ? "::bytea" : "::text");
                    }
                } else {
                    Slot.Literal literal = (Slot.Literal) slot;
                    if (column == null) {
                        out.append(literal.sourceText());
                    } else {
                        out.append(column.protectLiteralUnder(k, column.literalValue(lexed, i), literal.sourceText()));
                        literalsEncrypted = true;
                    }
                }
            }
            if (form == Form.EQUALS || form == Form.NOT_EQUALS) out.append(')');
            from = end;
        }
        out.append(text, from, text.length());
        targets[parameters + 1] = nextTarget;
        return new Rendered(out.toString(), targets, literalsEncrypted);
    }

    /** By application parameter index: true for the array parameter of {@code col = ANY (?)}; null when none. */
    boolean[] arrayParameters(LexedSql lexed) {
        boolean[] out = null;
        for (int i = 0; i < forms.length && i < lexed.slots().size(); i++) {
            if (forms[i] == Form.ARRAY_PARAMETER && lexed.slots().get(i) instanceof Slot.Parameter p) {
                if (out == null) out = new boolean[lexed.slots().size() + 1];
                if (p.jdbcIndex() >= out.length) out = java.util.Arrays.copyOf(out, p.jdbcIndex() + 1);
                out[p.jdbcIndex()] = true;
            }
        }
        return out;
    }

    static SQLException unencryptableLiteral(ProtectedColumn column) {
        return SqlStates.unsupported("a literal compared with or written to " + column.name()
                + " uses a form Warden cannot encrypt (escape, bit or unicode string); pass it as a parameter");
    }

    /** The offset of the =, <> or != right before the value at {@code valueStart}, with the column before it. */
    private static int operatorBefore(String text, int valueStart, Form form, ProtectedColumn column)
            throws SQLException {
        int i = valueStart - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) i--;
        int operatorStart = -1;
        if (form == Form.EQUALS && i >= 0 && text.charAt(i) == '=') {
            operatorStart = i;
        } else if (form == Form.NOT_EQUALS && i >= 1 && (text.startsWith("<>", i - 1) || text.startsWith("!=", i - 1))) {
            operatorStart = i - 1;
        }
        // "a <= ?" or "a >= ?" are not equality; "? = col" has no operator before the value
        if (operatorStart < 0 || operatorStart > 0 && OPERATOR_CHARS.indexOf(text.charAt(operatorStart - 1)) >= 0) {
            throw unsupportedShape(column);
        }
        return operatorStart;
    }

    private static void checkNothingBindsTighter(String text, int valueEnd, ProtectedColumn column)
            throws SQLException {
        int i = valueEnd;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        if (i == text.length()) return;
        char c = text.charAt(i);
        if (OPERATOR_CHARS.indexOf(c) >= 0 || c == '[' || c == '.' || c == ':') throw unsupportedShape(column);
        if (Character.isLetter(c)) {
            int wordEnd = i;
            while (wordEnd < text.length() && Character.isLetterOrDigit(text.charAt(wordEnd))) wordEnd++;
            if (TIGHTER_WORDS.contains(text.substring(i, wordEnd).toLowerCase(Locale.ROOT))) {
                throw unsupportedShape(column);
            }
        }
    }

    /** A list item must stand alone between ( or , and , or ) so that repeating it adds list items. */
    private static void checkBareListItem(String text, int start, int end, ProtectedColumn column, char open,
                                          char close) throws SQLException {
        int before = start - 1;
        while (before >= 0 && Character.isWhitespace(text.charAt(before))) before--;
        int after = end;
        while (after < text.length() && Character.isWhitespace(text.charAt(after))) after++;
        boolean opens = before >= 0 && (text.charAt(before) == open || text.charAt(before) == ',');
        boolean closes = after < text.length() && (text.charAt(after) == close || text.charAt(after) == ',');
        // "IN ((?))" would pass the test above and turn into a row constructor: refuse it
        boolean parenthesised = before >= 1 && text.charAt(before) == '(' && after < text.length()
                && text.charAt(after) == ')' && precededByListOpening(text, before);
        if (!opens || !closes || parenthesised) throw unsupportedShape(column);
    }

    /** True when the ( at {@code paren} itself opens a list item, that is follows another ( or a comma. */
    private static boolean precededByListOpening(String text, int paren) {
        int i = paren - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) i--;
        return i >= 0 && (text.charAt(i) == '(' || text.charAt(i) == ',');
    }

    private static SQLException unsupportedShape(ProtectedColumn column) {
        return SqlStates.unsupported(column.name() + " holds values under " + column.equalityKeys()
                + " deterministic keys since a key rotation, so Warden compares it with the value encrypted under"
                + " each; it can rewrite only `column = ?`, `column <> ?`, `column [NOT] IN (?, ...)`, `column = ANY (ARRAY[?, ...])` and"
                + " `column <> ALL (ARRAY[?, ...])` with the column first and bare values (no parentheses, casts or operators around them). Rewrite the"
                + " condition, or finish the rotation: warden keys reencrypt, then warden keys retire");
    }
}
