package dev.warden.engine;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * What a result must go through before the application sees it when its statement filtered through a match
 * or order index: each row is kept only if every LIKE and range of the statement holds on the decrypted value (the
 * index let through a superset), then OFFSET and LIMIT, taken out of the statement sent, are applied to the rows kept.
 * The values are read from columns Warden appended after the statement's own ({@link #visibleColumns()}), which
 * the result set never shows. With a candidate bound ({@link MatchFilters}), counts the candidates of the current
 * run and remembers the identity of every row seen, so that a run with a larger bound skips them. One per
 * execution; not thread-safe (counts rows).
 */
public final class RowFilter {

    /**
     * One LIKE: the hidden column holding the value, its column, the pattern (null: NULL), and NOT; or one range on an
     * order column ({@code range} not null, {@link OrderFilters}), the pattern then unused.
     */
    record Check(int rawIndex, ProtectedColumn column, LikePattern pattern, boolean not, OrderFilters.Test range) {

        Check(int rawIndex, ProtectedColumn column, LikePattern pattern, boolean not) {
            this(rawIndex, column, pattern, not, null);
        }
    }

    private final List<Check> checks;
    private final int visibleColumns;
    private final long offset;
    private long limit;  // Long.MAX_VALUE: none
    private final int rowIdIndex;  // raw index of ctid (tableoid follows); -1: no candidate bound
    private long bound;  // candidates asked for in the current run; Long.MAX_VALUE: all
    private long candidates;  // read in the current run
    private final java.util.Set<String> seen;  // identities of the rows seen in earlier runs and this one
    private long skipped;
    private long returned;
    private final RowOrder order;  // null: the rows are shown in the database's order
    private int[] sorted;  // with an order: the result's row numbers to show, in order, after OFFSET and LIMIT
    private int next;  // index into sorted
    private final WardenMinMax minMax;  // null: the result's rows are the database's
    private int[] picked;  // with minMax: by result column, the row holding its aggregate's answer; 0: NULL
    private boolean aggregateShown;

    RowFilter(List<Check> checks, int visibleColumns, long offset, long limit) {
        this(checks, visibleColumns, offset, limit, -1, Long.MAX_VALUE);
    }

    RowFilter(List<Check> checks, int visibleColumns, long offset, long limit, int rowIdIndex, long bound) {
        this(checks, visibleColumns, offset, limit, rowIdIndex, bound, null);
    }

    /** @param order how Warden sorts the rows itself ({@link WardenSort}), or null: they come in the database's order */
    RowFilter(List<Check> checks, int visibleColumns, long offset, long limit, int rowIdIndex, long bound,
              RowOrder order) {
        this(checks, visibleColumns, offset, limit, rowIdIndex, bound, order, null);
    }

    /** @param minMax the MIN and MAX of encrypted columns Warden computes ({@link WardenMinMax}), or null */
    RowFilter(List<Check> checks, int visibleColumns, long offset, long limit, int rowIdIndex, long bound,
              RowOrder order, WardenMinMax minMax) {
        this.order = order;
        this.minMax = minMax;
        this.checks = List.copyOf(checks);
        this.visibleColumns = visibleColumns;
        this.offset = offset;
        this.limit = limit;
        this.rowIdIndex = rowIdIndex;
        this.bound = bound;
        this.seen = rowIdIndex < 0 ? null : new java.util.HashSet<>();
    }

    /** The number of candidates the statement asks the database for in the current run; Long.MAX_VALUE: all. */
    public long candidateBound() {
        return bound;
    }

    /**
     * True when the database's result ran out before LIMIT was reached while it sent as many candidates as the bound
     * asked for: more candidates may match, so the statement must run again with {@link #nextBound()}.
     */
    public boolean needsMoreCandidates() {
        return seen != null && !done() && bound != Long.MAX_VALUE && candidates >= bound;
    }

    /** Starts a run with a bound 16 times larger (all candidates past 2^32), and returns it. */
    public long nextBound() {
        bound = bound > (1L << 32) ? Long.MAX_VALUE : bound * 16;
        candidates = 0;
        return bound;
    }

    /** Shows at most {@code maxRows} rows (the statement's setMaxRows; 0: no cap), as LIMIT would. */
    public void capAt(long maxRows) {
        if (maxRows > 0 && maxRows < limit) limit = maxRows;
    }

    /** The columns of the statement as written; those after them are Warden's and never shown. */
    public int visibleColumns() {
        return visibleColumns;
    }

    /** True when LIMIT has been reached: no further row may be read or shown. */
    public boolean done() {
        return returned >= limit;
    }

    /** True when Warden orders the rows itself: {@link #sortAll} first, then {@link #nextSortedRow}. */
    public boolean sorts() {
        return order != null || minMax != null;
    }

    /**
     * True when the result is one row of MIN and MAX of encrypted columns that Warden computed ({@link #sortAll}
     * first): each column is read from the database's row {@link #rowOf} gives.
     */
    public boolean aggregates() {
        return minMax != null;
    }

    /** With {@link #aggregates}: true once (the one row, as PostgreSQL gives it even for no rows), then false. */
    public boolean nextAggregateRow() {
        if (aggregateShown) return false;
        aggregateShown = true;
        returned++;
        return true;
    }

    /** With {@link #aggregates}: the row (1-based) of the database's result holding column {@code column}'s answer; 0: NULL. */
    public int rowOf(int column) {
        return column < picked.length ? picked[column] : 0;
    }

    /**
     * The most rows the database may send for Warden to sort (one more than the policy's cap), to set as the
     * real statement's max rows; 0 when Warden does not sort.
     */
    public long rowsToRead() {
        return order != null ? order.rowsToRead() : minMax != null ? minMax.rowsToRead() : 0;
    }

    /**
     * Reads the whole result {@code raw} (scrollable) and sorts the rows that pass every re-check, keeping those
     * past OFFSET up to LIMIT. Refuses (54000) a result larger than the policy's cap before any row is shown.
     */
    public void sortAll(ResultSet raw) throws SQLException {
        if (minMax != null) {
            picked = minMax.pick(raw, this);
            return;
        }
        int[] all = order.sort(raw, this);
        long from = Math.min(offset, all.length);
        long to = Math.min(all.length, limit == Long.MAX_VALUE ? all.length : from + limit);
        sorted = Arrays.copyOfRange(all, (int) from, (int) to);
    }

    /** The row number (1-based, in the database's result) of the next row to show, or -1 after the last. */
    public int nextSortedRow() {
        if (next >= sorted.length) return -1;
        returned++;
        return sorted[next++];
    }

    /**
     * Whether the current row of {@code raw} is shown: it matches every LIKE and is past OFFSET. Counts it
     * towards LIMIT when shown.
     */
    public boolean accept(ResultSet raw, long rowNumber) throws SQLException {
        candidates++;
        // a row an earlier run saw (and passed or skipped) is not counted again
        if (seen != null && !seen.add(raw.getString(rowIdIndex) + "/" + raw.getString(rowIdIndex + 1))) return false;
        if (!matches(raw, rowNumber)) return false;
        if (skipped < offset) {
            skipped++;
            return false;
        }
        returned++;
        return true;
    }

    /**
     * Whether the current row of {@code raw} matches every LIKE and every range re-checked by Warden (true when the
     * statement has none).
     */
    boolean matches(ResultSet raw, long rowNumber) throws SQLException {
        for (Check check : checks) {
            if (check.range() != null) {
                Object value = check.column().readPlaintext(raw, check.rawIndex(), null, rowNumber, false);
                if (!check.range().holds(value)) return false;
                continue;
            }
            if (check.pattern() == null) return false;  // LIKE NULL is NULL: no row
            Object value = check.column().readPlaintext(raw, check.rawIndex(), null, rowNumber, false);
            if (value == null) return false;  // NULL [NOT] LIKE p is NULL
            if (check.pattern().matches(ValueText.of(value)) == check.not()) return false;
        }
        return true;
    }
}
