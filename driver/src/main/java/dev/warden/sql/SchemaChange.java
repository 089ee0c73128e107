package dev.warden.sql;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a schema change (DDL) statement does to tables and columns, as far as protecting columns is concerned:
 * read by {@link SchemaChangeReader} from the normalised text (so it never holds a literal's value), judged by
 * the engine against the policy. Knows nothing of the policy itself. Immutable.
 *
 * @param statement  the statement's name for messages ("ALTER TABLE", "CREATE INDEX", "GRANT"...)
 * @param effects    every effect, in statement order
 * @param unanalysed null when the reader understood the whole statement; otherwise what it did not look into
 *                   (a trigger's function, a rule's commands), so that the statement is refused whenever it
 *                   mentions a protected table anywhere
 */
public record SchemaChange(String statement, List<Effect> effects, String unanalysed) {

    public SchemaChange {
        effects = List.copyOf(effects);
    }

    /** The kinds of effect, each with what it means for a column the policy protects. */
    public enum Kind {
        /** The table is created (its columns follow as ADD_COLUMN). Harmless by itself. */
        CREATE_TABLE,
        /** A column is created; {@code detail} is its declared type as written, e.g. {@code bytea}. */
        ADD_COLUMN,
        /** The database will compute the column's values: DEFAULT, GENERATED, identity; {@code detail} says which. */
        COLUMN_VALUE,
        /** An existing column changes type: the database converts every stored value; {@code detail} is the type. */
        COLUMN_TYPE,
        /**
         * A stored expression reads the column (CHECK, index expression, partial-index WHERE, EXCLUDE, generated
         * column, USING): the database evaluates it over the stored values and keeps any literal compared with
         * it in its catalog. {@code column} is {@code *} for a whole-row reference.
         */
        EXPRESSION_READ,
        /** A stored expression only tests the column with {@code IS [NOT] NULL}, which ciphertext answers alike. */
        NULL_TEST,
        /** A stored expression (whatever it reads); {@code detail} says where. Column null. */
        EXPRESSION,
        /** The column is part of a uniqueness rule: UNIQUE, PRIMARY KEY or a unique index. */
        UNIQUE_KEY,
        /** The column is a local column of a foreign key, whose ON UPDATE/DELETE actions may write it. */
        FOREIGN_KEY,
        /** A plain column in a (non-unique) index or an INCLUDE list: harmless. */
        INDEXED,
        /** A change that neither writes nor reads values: NOT NULL, DROP DEFAULT, statistics, a comment... */
        COLUMN_OPTION,
        /** The column is dropped. */
        DROP_COLUMN,
        /** The column is renamed to {@code detail}. */
        RENAME_COLUMN,
        /** A change to the table that moves no value: owner, grants, comments, ANALYZE, VACUUM, constraints dropped. */
        TABLE_OPTION,
        /** The table is renamed or moved to another schema ({@code detail} says how): the policy names it by name. */
        RENAME_TABLE,
        /** A table takes this name ({@code table}) by a rename or a schema move: its rows would take the policy's. */
        NEW_TABLE_NAME,
        /** Rows enter or leave the table: partitions attached or detached, inheritance. */
        MOVES_ROWS,
        /** Server code will run on the table's writes: a trigger, a rule or a row security policy. */
        SERVER_CODE,
        /** A clause the reader does not understand; {@code detail} names it. */
        UNSUPPORTED
    }

    /** One effect on one table (and column, or null for table-level effects). */
    public record Effect(Kind kind, TableName table, String column, String detail) {}

    /** Every table an effect names, in order: the tables the statement changes. */
    public Set<TableName> tables() {
        Set<TableName> tables = new LinkedHashSet<>();
        for (Effect e : effects) tables.add(e.table());
        return tables;
    }
}
