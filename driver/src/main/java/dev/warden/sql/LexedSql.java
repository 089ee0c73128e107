package dev.warden.sql;

import java.util.List;
import java.util.Set;

/**
 * The result of {@link SqlLexer#lex}: the statement with every literal and parameter replaced by {@code ?}.
 * Immutable and thread-safe.
 *
 * <p>{@code normalized} is the plan-cache key and the audit fingerprint: it never holds a literal's value.
 * {@code slotOffsets[i]} is the offset of the {@code ?} of {@code slots.get(i)} in {@code normalized}.
 * {@code words} holds, lower-cased, every identifier and keyword and every word inside string and
 * dollar-quoted literals, so that a caller can tell cheaply whether the text could touch a given table.
 */
public record LexedSql(String original, String normalized, List<Slot> slots, int[] slotOffsets, Set<String> words,
                       int statementCount) {

    /** True when any of {@code lowerCaseNames} appears as a word of the statement (see class comment). */
    public boolean mentionsAny(Set<String> lowerCaseNames) {
        // a name the lexer could not decode (U&"..." with odd escapes) might be any table: assume it is
        if (words.contains(SqlLexer.UNDECODABLE)) return true;
        // walk the smaller set: a database may have thousands of function names, a statement a few dozen words
        if (lowerCaseNames.size() > words.size()) {
            for (String word : words) {
                if (lowerCaseNames.contains(word)) return true;
            }
            return false;
        }
        for (String name : lowerCaseNames) {
            if (words.contains(name)) return true;
        }
        return false;
    }

    /** True when the text holds a name the lexer could not decode (U&"..." with odd escapes): it may be any name. */
    public boolean hasUndecodableName() {
        return words.contains(SqlLexer.UNDECODABLE);
    }

    /**
     * True when a plain {@code '...'} string holds a backslash. The lexer reads it as PostgreSQL does with
     * {@code standard_conforming_strings} on; with it off the server takes {@code \'} as an escaped quote and
     * may see statements where the lexer saw string text, so the caller must check the setting first.
     */
    public boolean backslashInPlainString() {
        return words.contains(SqlLexer.BACKSLASH_IN_PLAIN_STRING);
    }

    /**
     * The text to send to the database: {@code normalized} with each literal slot put back as written, or as
     * {@code replacements[i]} where that is non-null (replacing the literal's cast too, see {@link LiteralCast});
     * parameter slots stay {@code ?}.
     */
    public String render(String[] replacements) {
        if (slots.isEmpty()) return normalized;
        StringBuilder b = new StringBuilder(original.length() + 32);
        int from = 0;
        for (int i = 0; i < slots.size(); i++) {
            if (!(slots.get(i) instanceof Slot.Literal literal)) continue;
            int at = slotOffsets[i];
            int start = at;
            int end = at + 1;
            if (isTypedLiteral(i)) {
                // normalised as CAST(? AS TYPE): the whole cast stands for the typed literal's source text
                start = at - 5;
                end = normalized.indexOf(')', at) + 1;
            }
            String replacement = replacements != null && i < replacements.length ? replacements[i] : null;
            LiteralCast cast = replacement == null ? null : LiteralCast.of(this, i);
            if (cast != null) {
                // a replaced literal written with a cast ('2024-01-01'::date): the replacement stands for both
                start = cast.start();
                end = cast.end();
            }
            b.append(normalized, from, start);
            b.append(replacement != null ? replacement : literal.sourceText());
            from = end;
        }
        return b.append(normalized, from, normalized.length()).toString();
    }

    /**
     * True when slot {@code i} is a typed literal such as {@code DATE '2020-01-01'}: its source text includes
     * the type name and it appears in {@code normalized} as {@code CAST(? AS DATE)}; a replacement for it
     * replaces the whole typed literal.
     */
    public boolean isTypedLiteral(int i) {
        if (!(slots.get(i) instanceof Slot.Literal literal)) return false;
        String src = literal.sourceText();
        // E'', N'', B'', X'', U&'' start with one letter then a quote or &; a typed literal with a type word
        return src.length() > 1 && Character.isLetter(src.charAt(0)) && Character.isLetter(src.charAt(1))
                && normalized.startsWith("CAST(?", slotOffsets[i] - 5);
    }

    /**
     * This statement with {@code edits} (in text order, not overlapping) applied to {@code normalized}: the same
     * slots at their shifted offsets, the same original text and words. For rendering the text to send only: its
     * {@code normalized} is not the application's, so it is neither a cache key nor a fingerprint.
     *
     * @throws IllegalArgumentException when an edit is out of order or covers a slot
     */
    public LexedSql withEdits(List<TextEdit> edits) {
        if (edits.isEmpty()) return this;
        StringBuilder text = new StringBuilder(normalized.length() + 64);
        int[] offsets = new int[slotOffsets.length];
        int from = 0;
        int slot = 0;
        for (TextEdit edit : edits) {
            if (edit.start() < from || edit.end() > normalized.length()) {
                throw new IllegalArgumentException("edits out of order");
            }
            for (; slot < slotOffsets.length && slotOffsets[slot] < edit.end(); slot++) {
                if (slotOffsets[slot] >= edit.start()) throw new IllegalArgumentException("an edit covers a slot");
                offsets[slot] = slotOffsets[slot] + text.length() - from;
            }
            text.append(normalized, from, edit.start()).append(edit.text());
            from = edit.end();
        }
        for (; slot < slotOffsets.length; slot++) offsets[slot] = slotOffsets[slot] + text.length() - from;
        text.append(normalized, from, normalized.length());
        return new LexedSql(original, text.toString(), slots, offsets, words, statementCount);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LexedSql other && original.equals(other.original);
    }

    @Override
    public int hashCode() {
        return original.hashCode();
    }

    /** Never shows {@code original}: it may hold protected values. */
    @Override
    public String toString() {
        return "LexedSql[" + normalized + ", " + slots.size() + " slots]";
    }
}
