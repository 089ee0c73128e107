package dev.warden.sql;

import java.util.Locale;

/**
 * A literal slot written with a type: {@code '2024-01-01'::date}, {@code CAST('1.50' AS numeric)}, or a typed
 * literal the lexer turned into {@code CAST(? AS DATE)}. Read from the normalised text around the slot (only
 * blanks may separate the parts), so that the engine can check the type against the column's and replace the
 * whole expression, cast included, by the ciphertext. {@code start}/{@code end} delimit it in
 * {@link LexedSql#normalized()}; {@code type} is the type name, lower case. Immutable.
 */
public record LiteralCast(int start, int end, String type) {

    /** The cast around literal slot {@code slot}, or null when the slot stands alone (or in another shape). */
    public static LiteralCast of(LexedSql sql, int slot) {
        if (!(sql.slots().get(slot) instanceof Slot.Literal)) return null;
        String text = sql.normalized();
        int at = sql.slotOffsets()[slot];
        // ?::type
        int i = blanks(text, at + 1);
        if (text.startsWith("::", i)) {
            int typeStart = blanks(text, i + 2);
            int typeEnd = word(text, typeStart);
            if (typeEnd == typeStart || continues(text, typeEnd)) return null;
            return new LiteralCast(at, typeEnd, text.substring(typeStart, typeEnd).toLowerCase(Locale.ROOT));
        }
        // CAST(? AS type)
        int open = back(text, at - 1);
        if (open < 0 || text.charAt(open) != '(') return null;
        int castEnd = back(text, open - 1) + 1;
        if (castEnd < 4 || !text.regionMatches(true, castEnd - 4, "cast", 0, 4)
                || castEnd > 4 && Character.isLetterOrDigit(text.charAt(castEnd - 5))) {
            return null;
        }
        if (!text.regionMatches(true, i, "as", 0, 2)) return null;
        int typeStart = blanks(text, i + 2);
        if (typeStart == i + 2) return null;
        int typeEnd = word(text, typeStart);
        int close = blanks(text, typeEnd);
        if (typeEnd == typeStart || close >= text.length() || text.charAt(close) != ')') return null;
        return new LiteralCast(castEnd - 4, close + 1, text.substring(typeStart, typeEnd).toLowerCase(Locale.ROOT));
    }

    private static int blanks(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        return i;
    }

    private static int back(String text, int i) {
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) i--;
        return i;
    }

    private static int word(String text, int i) {
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
        return i;
    }

    /** After {@code ?::type}: a modifier, an array, a qualified name or another operator would change the type. */
    private static boolean continues(String text, int i) {
        int k = blanks(text, i);
        return k < text.length() && "([.:".indexOf(text.charAt(k)) >= 0;
    }
}
