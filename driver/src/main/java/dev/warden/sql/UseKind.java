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
     * Copied by the server into another column or table: a column of the select feeding INSERT ... SELECT, or
     * inside a value written by SET, VALUES or ON CONFLICT DO UPDATE (also through CTEs, derived tables and
     * subqueries). Never allowed on a protected column, whoever asks: the copy would leave the column's rule,
     * its associated data and the audit of its reads behind.
     */
    COPIED,
    /** Anything else (LIKE, ranges, ORDER BY, functions, server-computed writes...): see the detail. */
    UNSUPPORTED
}
