package dev.warden.engine;

import dev.warden.sql.LexedSql;
import dev.warden.sql.LiteralCast;
import dev.warden.sql.Slot;
import dev.warden.sql.SqlLexer;
import dev.warden.sql.SqlTokens;
import dev.warden.sql.UseKind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the companion columns of each match column ({@code match: true}, companion {@code <column>_match}) and order
 * column ({@code order: true}, companion {@code <column>_order}: a right ciphertext of its order index) in step with
 * the column in a write (both companions, match first, when a column has both):
 * the statement as the application wrote it is extended so that the same row also receives the value's match
 * tokens ({@link dev.warden.crypto.MatchIndex}), computed by Warden, which alone holds the key.
 * <ul>
 *   <li>{@code INSERT INTO t (a, name) VALUES (?, ?)} becomes {@code INSERT INTO t (a, name, name_match)
 *       VALUES (?, ?, ?)}, in every VALUES row;</li>
 *   <li>{@code SET name = ?} becomes {@code SET name = ?, name_match = ?} (UPDATE and ON CONFLICT DO UPDATE);</li>
 *   <li>{@code SET name = NULL} becomes {@code SET name = NULL, name_match = NULL};</li>
 *   <li>{@code SET name = EXCLUDED.name} becomes {@code SET name = EXCLUDED.name, name_match = EXCLUDED.name_match}.</li>
 * </ul>
 * The companion's placeholder follows the value's directly, so that one application parameter binds two
 * consecutive parameters of the statement sent (the ciphertext, then the tokens), as {@link KeyExpansion} binds
 * one value per key. Only these shapes, recognised token by token, are rewritten; any other write of a match
 * column (an INSERT without a column list, a typed literal, a NULL in one VALUES row of several) is refused
 * (0A000) rather than leave the companion out of step. Immutable.
 */
final class MatchWrites {

    /** One write of a match column: the slot of the value written (WRITE_VALUE), else -1. */
    record Write(int slot, UseKind kind, ProtectedColumn column) {}

    /**
     * The SQL to send, where each application parameter went ({@link KeyExpansion.Rendered#targets}), and which
     * application parameters also bind their column's match tokens at the next index.
     */
    record Rendered(String sql, int[] targets, boolean literalsEncrypted, boolean[] companions) {}

    private final List<Write> writes;

    MatchWrites(List<Write> writes) {
        this.writes = List.copyOf(writes);
    }

    Rendered render(LexedSql lexed, ProtectedColumn[] slotColumns) throws SQLException {
        String text = lexed.normalized();
        SqlTokens tokens = SqlLexer.tokens(text, SqlLexer.Dialect.JDBC);
        Map<Integer, String> inserts = new TreeMap<>();  // offset in text -> what goes before the character there
        // by slot: what goes before each companion's value (", " in VALUES, ", name_match = " in SET); null: none
        String[][] companionPrefix = new String[lexed.slots().size()][];
        List<ProtectedColumn> listedInInsert = new ArrayList<>();
        List<ProtectedColumn> writtenNullInValues = new ArrayList<>();
        for (Write write : writes) {
            ProtectedColumn column = write.column();
            String name = column.rule().column();
            List<String> companions = companionNames(column);
            switch (write.kind()) {
                case WRITE_VALUE -> {
                    // a literal with a cast to the column's type ('x'::text, CAST('x' AS text)) is replaced whole
                    LiteralCast cast = castOf(lexed, write.slot(), column);
                    int t = tokenAt(tokens, cast == null ? lexed.slotOffsets()[write.slot()] : cast.start());
                    int last = cast == null ? t : tokenEndingAt(tokens, cast.end());
                    if (t < 0 || last < 0 || lexed.isTypedLiteral(write.slot())) {
                        throw unsupported(column, "a typed literal");
                    }
                    if (isSetTarget(tokens, t, name)) {
                        companionPrefix[write.slot()] = companions.stream().map(c -> ", " + c + " = ")
                                .toArray(String[]::new);
                    } else if (isListItem(tokens, t, last)) {
                        companionPrefix[write.slot()] = companions.stream().map(c -> ", ").toArray(String[]::new);
                        if (!listedInInsert.contains(column)) {
                            listedInInsert.add(column);
                            int listed = insertColumnToken(tokens, name);
                            if (listed < 0) {
                                throw unsupported(column, "an INSERT without a column list naming it (list the"
                                        + " columns: Warden adds the index column beside it)");
                            }
                            inserts.merge(tokens.end(listed), ", " + String.join(", ", companions), String::concat);
                        }
                    } else {
                        throw unsupported(column, "a value that is neither a VALUES item nor SET " + name + " = value");
                    }
                }
                case WRITE_NULL -> {
                    int t = setNullToken(tokens, name);
                    if (t >= 0) {
                        for (String companion : companions) {
                            inserts.merge(tokens.end(t), ", " + companion + " = NULL", String::concat);
                        }
                    } else {
                        writtenNullInValues.add(column);  // the companion stays NULL by default, unless listed
                    }
                }
                case WRITE_FROM_EXCLUDED -> {
                    int t = excludedToken(tokens, name);
                    if (t < 0) throw unsupported(column, "SET " + name + " = EXCLUDED." + name + " in another spelling");
                    for (String companion : companions) {
                        inserts.merge(tokens.end(t), ", " + companion + " = EXCLUDED." + companion, String::concat);
                    }
                }
                default -> throw new IllegalStateException("not a write: " + write.kind());
            }
        }
        for (ProtectedColumn column : writtenNullInValues) {
            if (listedInInsert.contains(column)) {
                throw unsupported(column, "NULL in one VALUES row while another row writes a value (bind NULL as a"
                        + " parameter instead)");
            }
        }

        int parameters = 0;
        for (Slot s : lexed.slots()) if (s instanceof Slot.Parameter) parameters++;
        int[] targets = new int[parameters + 2];
        boolean[] companions = new boolean[parameters + 1];
        int nextTarget = 1;
        boolean literalsEncrypted = false;
        StringBuilder out = new StringBuilder(text.length() + 64);
        int from = 0;
        List<Map.Entry<Integer, String>> pending = new ArrayList<>(inserts.entrySet());
        int next = 0;
        for (int i = 0; i < lexed.slots().size(); i++) {
            int at = lexed.slotOffsets()[i];
            int start = at;
            int end = at + 1;
            if (lexed.isTypedLiteral(i)) {
                start = at - 5;
                end = text.indexOf(')', at) + 1;
            }
            LiteralCast cast = castOf(lexed, i, slotColumns[i]);
            if (cast != null) {
                start = cast.start();
                end = cast.end();
            }
            while (next < pending.size() && pending.get(next).getKey() <= start) {
                out.append(text, from, pending.get(next).getKey()).append(pending.get(next).getValue());
                from = pending.get(next).getKey();
                next++;
            }
            out.append(text, from, start);
            Slot slot = lexed.slots().get(i);
            ProtectedColumn column = slotColumns[i];
            if (slot instanceof Slot.Parameter p) {
                targets[p.jdbcIndex()] = nextTarget;
                out.append('?');
                nextTarget++;
                if (companionPrefix[i] != null) {
                    for (String prefix : companionPrefix[i]) out.append(prefix).append('?');
                    companions[p.jdbcIndex()] = true;
                    nextTarget += companionPrefix[i].length;
                }
            } else {
                Slot.Literal literal = (Slot.Literal) slot;
                if (column == null) {
                    out.append(literal.sourceText());
                } else {
                    if (literal.value() == null) throw KeyExpansion.unencryptableLiteral(column);
                    // the value as the server would read it, refusing a cast to another type than the column's
                    String value = column.encrypted() ? column.literalValue(lexed, i) : literal.value();
                    out.append(column.protectLiteral(value, literal.sourceText()));
                    literalsEncrypted = true;
                    if (companionPrefix[i] != null) {
                        int c = 0;
                        if (column.matchIndex() != null) {
                            out.append(companionPrefix[i][c++]).append(column.matchTokensLiteral(value));
                        }
                        if (column.orderIndex() != null) {
                            out.append(companionPrefix[i][c]).append(column.orderRightLiteral(value));
                        }
                    }
                }
            }
            from = end;
        }
        while (next < pending.size()) {
            out.append(text, from, pending.get(next).getKey()).append(pending.get(next).getValue());
            from = pending.get(next).getKey();
            next++;
        }
        out.append(text, from, text.length());
        targets[parameters + 1] = nextTarget;
        return new Rendered(out.toString(), targets, literalsEncrypted, companions);
    }

    /**
     * The companion columns a write of {@code column} also writes, in the order their values are bound: the match
     * index ({@code <column>_match}), then the order index ({@code <column>_order}).
     */
    static List<String> companionNames(ProtectedColumn column) {
        List<String> names = new ArrayList<>(2);
        if (column.rule().match()) names.add(identifier(column.rule().matchColumn()));
        if (column.rule().ordered()) names.add(identifier(column.rule().orderColumn()));
        return names;
    }

    /** The token starting at {@code offset}, or -1. */
    private static int tokenAt(SqlTokens tokens, int offset) {
        for (int i = 0; i < tokens.count(); i++) if (tokens.start(i) == offset) return i;
        return -1;
    }

    /** {@code [SET | ,] name = <token t>}. */
    private static boolean isSetTarget(SqlTokens tokens, int t, String name) {
        return t >= 3 && tokens.is(t - 1, "=") && names(tokens, t - 2, name)
                && (tokens.isWord(t - 3, "set") || tokens.is(t - 3, ","));
    }

    /** {@code [( | ,] <tokens t..last> [, | )]}: an item of a VALUES row. */
    private static boolean isListItem(SqlTokens tokens, int t, int last) {
        return t >= 1 && last + 1 < tokens.count() && (tokens.is(t - 1, "(") || tokens.is(t - 1, ","))
                && (tokens.is(last + 1, ",") || tokens.is(last + 1, ")"));
    }

    /** The cast of an encrypted column's literal, replaced with it by the ciphertext; null without one. */
    private static LiteralCast castOf(LexedSql lexed, int slot, ProtectedColumn column) {
        if (column == null || !column.encrypted() || !(lexed.slots().get(slot) instanceof Slot.Literal)) return null;
        return LiteralCast.of(lexed, slot);
    }

    /** The token ending at {@code offset}, or -1. */
    private static int tokenEndingAt(SqlTokens tokens, int offset) {
        for (int i = 0; i < tokens.count(); i++) if (tokens.end(i) == offset) return i;
        return -1;
    }

    /** The token naming {@code name} in the column list of the statement's INSERT, or -1. */
    private static int insertColumnToken(SqlTokens tokens, String name) {
        int i = 0;
        while (i < tokens.count() && !tokens.isWord(i, "insert")) i++;
        while (i < tokens.count() && !tokens.is(i, "(")) {
            if (tokens.isWord(i, "values") || tokens.isWord(i, "select") || tokens.isWord(i, "default")) return -1;
            i++;
        }
        for (i++; i < tokens.count() && !tokens.is(i, ")"); i++) {
            if (names(tokens, i, name)) return i;
        }
        return -1;
    }

    /** The NULL of {@code [SET | ,] name = NULL}, or -1. */
    private static int setNullToken(SqlTokens tokens, String name) {
        for (int t = 3; t < tokens.count(); t++) {
            if (tokens.isWord(t, "null") && isSetTarget(tokens, t, name)) return t;
        }
        return -1;
    }

    /** The last token of {@code name = EXCLUDED.name}, or -1. */
    private static int excludedToken(SqlTokens tokens, String name) {
        for (int t = 2; t + 2 < tokens.count(); t++) {
            if (tokens.isWord(t, "excluded") && tokens.is(t + 1, ".") && names(tokens, t + 2, name)
                    && tokens.is(t - 1, "=") && names(tokens, t - 2, name)) {
                return t + 2;
            }
        }
        return -1;
    }

    private static boolean names(SqlTokens tokens, int t, String name) {
        return switch (tokens.kind(t)) {
            case WORD -> tokens.lower(t).equals(name);
            case QUOTED_IDENTIFIER -> tokens.text(t).equals('"' + name.replace("\"", "\"\"") + '"');
            default -> false;
        };
    }

    /** The companion's name as SQL: bare when PostgreSQL would read it back unchanged, else quoted. */
    static String identifier(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : '"' + name.replace("\"", "\"\"") + '"';
    }

    private static SQLException unsupported(ProtectedColumn column, String shape) {
        String kind = column.rule().match() && column.rule().ordered() ? "a match index and an order index (match:"
                + " true, order: true), which Warden writes" : column.rule().match()
                ? "a match index (match: true), which Warden writes" : "an order index (order: true), which Warden writes";
        return SqlStates.unsupported(column.name() + " keeps " + kind + " beside every value written to it; it cannot"
                + " do so for " + shape);
    }
}
