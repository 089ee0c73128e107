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
        throw new UnsupportedOperationException("TODO sql");
    }

    /**
     * The text to send to the database: {@code normalized} with each literal slot put back as written, or as
     * {@code replacements[i]} where that is non-null; parameter slots stay {@code ?}.
     */
    public String render(String[] replacements) {
        throw new UnsupportedOperationException("TODO sql");
    }
}
