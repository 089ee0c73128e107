package dev.warden.engine;

import dev.warden.sql.LexedSql;
import dev.warden.sql.RowBound;
import dev.warden.sql.Slot;
import dev.warden.sql.SqlLexer;
import dev.warden.sql.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells a front door whether a query's result is bounded by its shape to at most {@code maxRows} rows, so that
 * it can run as one autocommit statement (the JDBC driver then reads it whole) instead of in a transaction of
 * its own that lets the driver fetch it in chunks of {@code maxRows} (one BEGIN and one COMMIT more per query).
 * Bounded: a SELECT without FROM and without function call; a plain SELECT with {@code LIMIT n} or
 * {@code FETCH FIRST n ROWS ONLY}, {@code n} a literal of at most {@code maxRows}; a single-table SELECT without
 * function call in its select list whose WHERE compares every column of one unique key of the table with a
 * literal or a parameter ({@link RowBound}). Anything else, and anything that cannot be read, is unbounded.
 *
 * <p>A LIMIT does not bound a statement that may filter through a match index (LIKE or ILIKE naming a table with
 * {@code match: true} columns): Warden takes its LIMIT out and reads every candidate row the index lets through
 * (see {@code MatchFilters}), so the result read from the database is not bounded by it; such a statement is bounded
 * only by a unique key.
 *
 * <p>The unique key must be a valid, immediate unique index without predicate or expression of an ordinary or
 * partitioned table that has no inheritance children (a parent's SELECT also reads its children, where the key
 * is not unique); a view, a foreign table or a name that does not resolve is unbounded. Keys are read once per
 * table name through the session's own database connection (its search_path and temporary tables decide what a
 * name is; through Warden the connection underneath the wrapper, so the read is not a client statement and leaves
 * no audit event, like the engine's other catalog reads) and kept until
 * {@link #forgetTables}, which the front door calls after any statement that is not a query.
 *
 * <p><b>Warning:</b> a verdict only chooses how a result is read. A statement runs alike in autocommit and in an
 * implicit transaction of its own, so a wrong "bounded" (say a unique index dropped by another session since it
 * was read) costs memory for that result, never correctness; the rules stay conservative anyway.
 *
 * <p>One per session; not thread-safe (a session runs one statement at a time).
 */
public final class BoundedResults {

    // Qualified with pg_catalog and parameters cast, as LiveCatalog's reads are: a user's same-named function or
    // operator must not answer them. One row per usable unique index (one with a null key when there is none).
    private static final String PG_UNIQUE_KEYS = """
            SELECT c.relkind::pg_catalog.text, c.relhassubclass,
                   CASE WHEN i.indexrelid IS NULL THEN NULL ELSE
                   ARRAY(SELECT a.attname::pg_catalog.text
                           FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
                                AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                          WHERE k.ord OPERATOR(pg_catalog.<=) i.indnkeyatts) END
              FROM pg_catalog.pg_class c
              LEFT JOIN pg_catalog.pg_index i ON i.indrelid OPERATOR(pg_catalog.=) c.oid
                   AND i.indisunique AND i.indisvalid AND i.indimmediate
                   AND i.indpred IS NULL AND i.indexprs IS NULL
             WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(?::pg_catalog.text)""";

    private static final int MAX_TABLES = 256;

    private final Connection connection;
    private final int maxRows;
    private final Set<String> matchTables;  // lower-case names of tables with match columns
    private final Set<String> orderTables;  // lower-case names of tables with order columns
    /** Unique keys by table name as this session wrote it; an empty list: none usable (or not a plain table). */
    private final Map<TableName, List<List<String>>> keys = new HashMap<>();

    /**
     * @param connection the session's connection, for reading unique keys
     * @param maxRows    the most rows a result may have to count as bounded (the front door's fetch size)
     */
    public BoundedResults(Connection connection, int maxRows) {
        this(connection, maxRows, Set.of());
    }

    /** @param matchTables lower-case names of the tables with match columns, whose LIKEs a LIMIT does not bound */
    public BoundedResults(Connection connection, int maxRows, Set<String> matchTables) {
        this(connection, maxRows, matchTables, Set.of());
    }

    /**
     * @param orderTables lower-case names of the tables with order columns: a range through their order index takes
     *                    the LIMIT out as a LIKE does, so no LIMIT bounds a statement naming them
     */
    public BoundedResults(Connection connection, int maxRows, Set<String> matchTables, Set<String> orderTables) {
        this.connection = connection;
        this.maxRows = maxRows;
        this.matchTables = Set.copyOf(matchTables);
        this.orderTables = Set.copyOf(orderTables);
    }

    /** True when {@code sql} (one statement, JDBC {@code ?} parameters) returns at most {@code maxRows} rows. */
    public boolean isBounded(String sql) {
        LexedSql lexed = SqlLexer.lex(sql);
        RowBound bound = RowBound.of(lexed);
        if (bound instanceof RowBound.AtMostOne) return true;
        if (bound instanceof RowBound.Limited limited) {
            return !mayFilterThroughMatchIndex(lexed) && literalAtMost(lexed, limited.slot(), maxRows);
        }
        if (bound instanceof RowBound.KeyLookup lookup) {
            for (List<String> key : keys(lookup.table())) {
                if (lookup.equalColumns().containsAll(key)) return true;
            }
        }
        return false;
    }

    /** Keys read so far are read again when next needed (after DDL, SET search_path, a temporary table...). */
    public void forgetTables() {
        keys.clear();
    }

    /** By its words: LIKE or ILIKE in a statement naming a table with match columns. */
    private boolean mayFilterThroughMatchIndex(LexedSql lexed) {
        return !matchTables.isEmpty() && (lexed.words().contains("like") || lexed.words().contains("ilike"))
                && lexed.mentionsAny(matchTables) || !orderTables.isEmpty() && lexed.mentionsAny(orderTables);
    }

    private static boolean literalAtMost(LexedSql lexed, int slot, long max) {
        if (slot >= lexed.slots().size() || !(lexed.slots().get(slot) instanceof Slot.Literal literal)
                || !literal.numeric() || literal.value() == null) {
            return false;  // a parameter's value is not known here, and may change from one execution to the next
        }
        try {
            long n = Long.parseLong(literal.value());
            return n >= 0 && n <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private List<List<String>> keys(TableName table) {
        List<List<String>> known = keys.get(table);
        if (known == null) {
            known = read(table);
            if (keys.size() >= MAX_TABLES) keys.clear();  // a session naming ever new tables holds only the latest
            keys.put(table, known);
        }
        return known;
    }

    private List<List<String>> read(TableName table) {
        List<List<String>> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_UNIQUE_KEYS)) {
            ps.setString(1, LiveCatalog.regclass(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(1);
                    // an inheritance parent reads its children too; a partitioned table's unique keys span partitions
                    boolean plainTable = "r".equals(kind) && !rs.getBoolean(2) || "p".equals(kind);
                    if (!plainTable) return List.of();
                    Array key = rs.getArray(3);
                    if (key == null) continue;
                    List<String> columns = new ArrayList<>();
                    for (Object column : (Object[]) key.getArray()) columns.add((String) column);
                    if (!columns.isEmpty()) out.add(List.copyOf(columns));
                }
            }
        } catch (SQLException | RuntimeException e) {
            return List.of();  // unknown: unbounded, and a failed read costs nothing but the chunked fetch
        }
        return List.copyOf(out);
    }
}
