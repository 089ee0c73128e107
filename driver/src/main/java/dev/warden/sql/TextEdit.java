package dev.warden.sql;

/**
 * One place where the text Warden sends differs from the application's normalised text ({@link LexedSql}):
 * {@code [start, end)} of {@code normalized} replaced by {@code text}. An edit never covers a slot and holds no
 * literal or parameter, so the slots of the text keep their order and values. Made by the analyzer where a table
 * has columns of Warden's own ({@link Catalog#internalColumns}): a {@code *} written out without them, an
 * INSERT's omitted column list written out. Immutable.
 */
public record TextEdit(int start, int end, String text) {

    public TextEdit {
        if (start < 0 || end < start) throw new IllegalArgumentException("bad edit range " + start + ".." + end);
    }
}
