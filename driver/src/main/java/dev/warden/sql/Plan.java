package dev.warden.sql;

import java.util.List;
import java.util.Set;

/**
 * What a statement does, as far as protecting columns is concerned. Immutable; cached by normalised text.
 *
 * <p>{@code tables} are the base tables it reads or writes (CTE and derived-table names resolved away), or,
 * for a schema change, the tables it changes. {@code writeTarget} is the table written by
 * INSERT/UPDATE/DELETE/MERGE, else null. {@code problems} lists what could not be resolved (parse failure,
 * unknown shape, an unknown table's {@code *}, an ambiguous column); when it is non-empty the engine must
 * refuse the statement if it may touch a protected table. {@code schemaChange} is what a DDL statement does to
 * tables and columns when {@link SchemaChangeReader} could read it, else null (a DDL statement without one is
 * refused on protected tables). {@code edits} are where the text to send must differ from the application's so
 * that the statement does what the plan says: a {@code *} or omitted INSERT column list over a table with
 * {@link Catalog#internalColumns internal columns} spelled out without them (in text order, not overlapping).
 */
public record Plan(StatementKind kind, Set<TableName> tables, TableName writeTarget, List<OutputColumn> outputs,
                   List<ColumnUse> uses, List<String> problems, SchemaChange schemaChange, List<TextEdit> edits) {

    public Plan(StatementKind kind, Set<TableName> tables, TableName writeTarget, List<OutputColumn> outputs,
                List<ColumnUse> uses, List<String> problems, SchemaChange schemaChange) {
        this(kind, tables, writeTarget, outputs, uses, problems, schemaChange, List.of());
    }

    public Plan(StatementKind kind, Set<TableName> tables, TableName writeTarget, List<OutputColumn> outputs,
                List<ColumnUse> uses, List<String> problems) {
        this(kind, tables, writeTarget, outputs, uses, problems, null);
    }

    /**
     * Starts a problem that says nothing about the text itself (its parse timed out, or every parser thread was
     * busy): the same text may be analysed another time, so such a plan must not be cached.
     */
    public static final String TRANSIENT = "not analysed this time: ";

    public boolean resolved() {
        return problems.isEmpty();
    }

    /** True when a problem is {@link #TRANSIENT}: refuse the statement now, but do not keep the plan. */
    public boolean transientProblem() {
        for (String problem : problems) {
            if (problem.startsWith(TRANSIENT)) return true;
        }
        return false;
    }
}
