package dev.warden.sql;

/** How a statement uses a column; the engine allows only some of these on protected columns. */
public enum UseKind {
    /** Shown as an output column as is (select list, RETURNING), through any aliases. */
    PROJECT,
    /** {@code col = ?}, {@code col <> ?}, {@code col IN (?, ...)}; the slot names the compared value. */
    FILTER_EQUALITY,
    /**
     * {@code col [NOT] LIKE|ILIKE pattern [ESCAPE e]} where a match index may answer it (a conjunct of a plain
     * single-table SELECT's WHERE); the slot names the pattern, the detail the operator and escape slot (see
     * {@link ColumnUse}).
     */
    FILTER_MATCH,
    /**
     * {@code col < | <= | > | >= bound} (either side) or {@code col [NOT] BETWEEN a AND b} where an order index may
     * answer it (placed as FILTER_MATCH); the slot names the bound (BETWEEN: the first), the detail the operator seen
     * from the column, {@code "BETWEEN n"} or {@code "NOT BETWEEN n"} with n the second bound's slot, followed by
     * {@code " COLLATE C"} when the comparison says so (see {@link ColumnUse}).
     */
    FILTER_ORDER,
    /** {@code col IS [NOT] NULL}. */
    FILTER_NULL,
    /** The argument of {@code COUNT(col)} or {@code COUNT(DISTINCT col)}. */
    COUNT,
    /** Written from a placeholder: INSERT VALUES item or {@code SET col = ?}; the slot names the value. */
    WRITE_VALUE,
    /** Written as NULL. */
    WRITE_NULL,
    /** {@code ON CONFLICT ... DO UPDATE SET col = EXCLUDED.col} (the same column). */
    WRITE_FROM_EXCLUDED,
    /**
     * Compared for equality with the very same table.column: {@code a.email = b.email} (same table), an
     * {@code ON CONFLICT} target, a set operation that compares rows (all but {@code UNION ALL}).
     */
    COMPARE_SAME_COLUMN,
    /**
     * Grouped or deduplicated as the bare column itself, not an expression of it: {@code GROUP BY col} (by name or
     * position) and each plain column of {@code SELECT DISTINCT}. The database compares the stored values with each
     * other, like {@link #COMPARE_SAME_COLUMN}; the engine decides per encryption (deterministic: as a comparison;
     * randomized: refused; rules-only: a computation on the plaintext, whose order a sort would show).
     */
    GROUP,
    /**
     * Compared for equality with another table.column ({@link ColumnUse#other}): {@code ON a.x = b.y},
     * {@code USING (x)} over two tables, {@code x IN (SELECT y ...)}. Recorded on both columns; the engine allows
     * it only between the columns of one policy join group.
     */
    COMPARE_OTHER_COLUMN,
    /**
     * Copied by the server into another column or table: a column of the select feeding INSERT ... SELECT, or
     * inside a value written by SET, VALUES or ON CONFLICT DO UPDATE (also through CTEs, derived tables and
     * subqueries). Never allowed on a protected column, whoever asks: the copy would leave the column's rule,
     * its associated data and the audit of its reads behind.
     */
    COPIED,
    /** Anything else (LIKE, ranges, ORDER BY, functions, server-computed writes...): see the detail. */
    UNSUPPORTED
}
