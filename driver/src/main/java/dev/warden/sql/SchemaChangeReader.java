package dev.warden.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads what a PostgreSQL schema change does to tables and columns ({@link SchemaChange}) from its normalised
 * text, in which every literal is already a {@code ?}: the reader never sees a value, and equal statements that
 * differ only in literals read alike (the plan cache relies on it).
 *
 * <p>A hand-written reader over tokens rather than JSqlParser: JSqlParser 5.3 rejects much routine PostgreSQL
 * DDL ({@code CREATE INDEX ON t}, {@code IF NOT EXISTS}, {@code CONCURRENTLY}, {@code INCLUDE},
 * {@code NULLS LAST}, {@code ADD CHECK} without a name, {@code NOT VALID}, {@code SET DATA TYPE},
 * {@code EXCLUDE}, {@code ONLY}, {@code ENABLE TRIGGER}, {@code REVOKE}, {@code VACUUM}, {@code CLUSTER},
 * {@code REINDEX}) and keeps column constraints as bare strings, not expressions.
 *
 * <p>Reads CREATE TABLE (not {@code AS}/{@code EXECUTE}, left to the parser, which refuses them on protected
 * tables), CREATE [UNIQUE] INDEX, ALTER TABLE, CREATE TRIGGER/RULE/POLICY (only the table they attach to; the
 * rest is reported {@link SchemaChange#unanalysed()}), COMMENT, GRANT/REVOKE, ANALYZE, VACUUM, CLUSTER and
 * REINDEX. Errs on the side of reporting: every name in a stored expression counts as a column read (the
 * engine matches them against the policy), a clause it does not know is {@link SchemaChange.Kind#UNSUPPORTED}.
 * Returns null for any other statement, or for text it cannot tokenise with certainty. Stateless, thread-safe.
 */
final class SchemaChangeReader {
    private SchemaChangeReader() {}

    /** Words that end a column's type and start a column constraint (or a clause after the type). */
    private static final Set<String> COLUMN_CLAUSES = Set.of("constraint", "not", "null", "check", "default",
            "generated", "unique", "primary", "references", "collate", "storage", "compression", "deferrable",
            "initially", "enforced", "no");
    /** Words that start a table constraint (in CREATE TABLE's list or after ALTER TABLE ... ADD). */
    private static final Set<String> TABLE_CONSTRAINTS = Set.of("constraint", "check", "unique", "primary",
            "foreign", "exclude");
    /**
     * PostgreSQL's reserved words (and IS, ISNULL, NOTNULL, LIKE, ILIKE, SIMILAR), which never name a column
     * unless quoted: left out of an expression's reads. Any other word may be a column and is reported.
     */
    private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
            "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create",
            "current_catalog", "current_date", "current_role", "current_time", "current_timestamp", "current_user",
            "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
            "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into", "lateral", "leading",
            "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order", "placing",
            "primary", "references", "returning", "select", "session_user", "some", "symmetric", "system_user",
            "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
            "window", "with", "is", "isnull", "notnull", "like", "ilike", "similar");
    /** Before {@code col IS [NOT] NULL}: nothing binds tighter than IS to its left (see readExpression). */
    private static final Set<String> NULL_TEST_BEFORE = Set.of("(", ",", "and", "or", "not", "when", "then", "else");
    /** After {@code col IS [NOT] NULL}: the test ends there. */
    private static final Set<String> NULL_TEST_AFTER = Set.of(")", ",", "and", "or", "when", "then", "else", "end");

    /** The schema change {@code statement} (one normalised statement) makes, or null when it is not read here. */
    static SchemaChange read(String statement) {
        List<String> tokens = tokens(statement);
        if (tokens == null || tokens.isEmpty()) return null;
        try {
            return new Run(tokens).read();
        } catch (IndexOutOfBoundsException e) {
            return null;  // a statement cut short: the database will reject it; the parser's path refuses it here
        }
    }

    /** One reading: the tokens, a cursor and the effects found so far. */
    private static final class Run {
        private final List<String> t;
        private final List<SchemaChange.Effect> effects = new ArrayList<>();
        private String unanalysed;

        Run(List<String> tokens) {
            this.t = tokens;
        }

        SchemaChange read() {
            return switch (t.get(0)) {
                case "create" -> create();
                case "alter" -> is(1, "table") ? alterTable() : null;
                case "comment" -> comment();
                case "grant", "revoke" -> grant();
                case "analyze", "analyse", "vacuum" -> maintenance(t.get(0).toUpperCase(Locale.ROOT));
                case "cluster" -> cluster();
                case "reindex" -> reindex();
                default -> null;
            };
        }

        private SchemaChange done(String statement) {
            return new SchemaChange(statement, effects, unanalysed);
        }

        // ------------------------------------------------------------------ CREATE

        private SchemaChange create() {
            int i = 1;
            boolean orReplace = is(i, "or") && is(i + 1, "replace");
            if (orReplace) i += 2;
            if (is(i, "constraint") && is(i + 1, "trigger")) i++;
            if (is(i, "trigger")) return serverCode("CREATE TRIGGER", i, "on", "its function");
            if (is(i, "rule")) return serverCode("CREATE RULE", i, "to", "its commands");
            if (is(i, "policy")) return serverCode("CREATE POLICY", i, "on", "its expressions");
            if (orReplace) return null;
            boolean unique = is(i, "unique");
            if (unique) i++;
            if (is(i, "index")) return createIndex(i + 1, unique);
            if (unique) return null;
            while (is(i, "global") || is(i, "local") || is(i, "temp") || is(i, "temporary") || is(i, "unlogged")) i++;
            if (!is(i, "table")) return null;
            return createTable(i + 1);
        }

        /** A trigger, rule or row security policy: only its table is read; {@code word} precedes the table. */
        private SchemaChange serverCode(String statement, int i, String word, String notRead) {
            int at = indexOf(word, i, t.size());
            if (at < 0) return null;
            TableName table = tableAt(at + 1);
            if (table == null) return null;
            effects.add(new SchemaChange.Effect(SchemaChange.Kind.SERVER_CODE, table, null, statement));
            unanalysed = statement + " is not analysed beyond its table (" + notRead + ")";
            return done(statement);
        }

        private SchemaChange createTable(int i) {
            if (is(i, "if") && is(i + 1, "not") && is(i + 2, "exists")) i += 3;
            int end = nameEnd(i);
            if (end < 0) return null;
            TableName table = tableName(i, end);
            i = end;
            if (topLevelIndexOf("as", i) >= 0 || indexOf("execute", i, t.size()) >= 0) {
                return null;  // CREATE TABLE ... AS query reads other tables: the parser's path refuses it
            }
            effects.add(effect(SchemaChange.Kind.CREATE_TABLE, table, null, "CREATE TABLE"));
            if (is(i, "partition") && is(i + 1, "of")) {
                int parentEnd = nameEnd(i + 2);
                if (parentEnd < 0) return null;
                moves(table, tableName(i + 2, parentEnd), "PARTITION OF");
                return done("CREATE TABLE");
            }
            if (is(i, "of")) {
                effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, "CREATE TABLE ... OF type"));
                return done("CREATE TABLE");
            }
            if (!is(i, "(")) return null;
            int close = close(i);
            if (close < 0) return null;
            for (int[] element : split(i + 1, close)) {
                int from = element[0];
                if (from == element[1]) continue;
                if (is(from, "like")) {
                    // copies column definitions (defaults, generated expressions) from another table
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, "CREATE TABLE (LIKE ...)"));
                } else if (TABLE_CONSTRAINTS.contains(t.get(from))) {
                    tableConstraint(table, from, element[1]);
                } else {
                    columnDefinition(table, from, element[1]);
                }
            }
            i = close + 1;
            while (i < t.size()) {
                if (is(i, "inherits") && is(i + 1, "(")) {
                    int c = close(i + 1);
                    if (c < 0) return null;
                    for (int[] parent : split(i + 2, c)) {
                        if (nameEnd(parent[0]) != parent[1]) return null;
                        moves(table, tableName(parent[0], parent[1]), "INHERITS");
                    }
                    i = c + 1;
                } else if (is(i, "partition") && is(i + 1, "by")) {
                    // its partitions are tables of other names, which the policy would not cover
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, "PARTITION BY"));
                    return done("CREATE TABLE");
                } else if (is(i, "with") && is(i + 1, "(")) {
                    i = skipGroup(i + 1);
                } else if ((is(i, "using") || is(i, "tablespace")) && i + 1 < t.size()) {
                    i += 2;
                } else if (is(i, "without") && is(i + 1, "oids")) {
                    i += 2;
                } else if (is(i, "on") && is(i + 1, "commit")) {
                    i += is(i + 2, "preserve") || is(i + 2, "delete") ? 4 : 3;
                } else {
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, "CREATE TABLE ... " + t.get(i).toUpperCase(Locale.ROOT)));
                    return done("CREATE TABLE");
                }
            }
            return done("CREATE TABLE");
        }

        /** {@code CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table ...}, from after INDEX. */
        private SchemaChange createIndex(int i, boolean unique) {
            String statement = unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
            if (is(i, "concurrently")) i++;
            if (is(i, "if") && is(i + 1, "not") && is(i + 2, "exists")) i += 3;
            if (!is(i, "on")) i++;  // the index name
            if (!is(i, "on")) return null;
            i++;
            if (is(i, "only")) i++;
            int end = nameEnd(i);
            if (end < 0) return null;
            TableName table = tableName(i, end);
            i = end;
            if (is(i, "using") && i + 1 < t.size()) i += 2;
            if (!is(i, "(")) return null;
            int close = close(i);
            if (close < 0) return null;
            effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, statement));
            for (int[] element : split(i + 1, close)) {
                indexElement(table, element[0], element[1], unique ? "unique index" : null, "index expression");
            }
            i = close + 1;
            while (i < t.size()) {
                if (is(i, "include") && is(i + 1, "(")) {
                    int c = close(i + 1);
                    if (c < 0) return null;
                    plainColumns(table, i + 2, c, SchemaChange.Kind.INDEXED, "INCLUDE");
                    i = c + 1;
                } else if (is(i, "nulls")) {
                    i += is(i + 1, "not") ? 3 : 2;
                } else if (is(i, "with") && is(i + 1, "(")) {
                    i = skipGroup(i + 1);
                } else if (is(i, "tablespace") && i + 1 < t.size()) {
                    i += 2;
                } else if (is(i, "where")) {
                    readExpression(table, i + 1, t.size(), "partial index WHERE");
                    i = t.size();
                } else {
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, statement + " ... " + t.get(i).toUpperCase(Locale.ROOT)));
                    break;
                }
            }
            return done(statement);
        }

        /**
         * One element of an index (or EXCLUDE) column list: a plain column, {@code (expression)} or a function
         * call, then options (collation, operator class, ASC/DESC, NULLS FIRST/LAST). {@code uniqueDetail} non-null
         * makes a plain column a {@link SchemaChange.Kind#UNIQUE_KEY}.
         */
        private void indexElement(TableName table, int from, int to, String uniqueDetail, String expressionDetail) {
            if (from >= to) return;
            int rest;
            if (is(from, "(")) {
                int c = close(from);
                if (c < 0 || c >= to) {
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, expressionDetail));
                    return;
                }
                readExpression(table, from + 1, c, expressionDetail);
                rest = c + 1;
            } else if (isName(t.get(from)) && (is(from + 1, "(") || is(from + 1, "."))) {
                // a function call, possibly schema-qualified: all of it is an expression
                int open = from + 1;
                while (is(open, ".") && open + 2 < to) open += 2;
                int c = is(open, "(") ? close(open) : -1;
                if (c < 0 || c >= to) {
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, expressionDetail));
                    return;
                }
                readExpression(table, from, c + 1, expressionDetail);
                rest = c + 1;
            } else if (isName(t.get(from))) {
                String column = name(t.get(from));
                effects.add(effect(uniqueDetail != null ? SchemaChange.Kind.UNIQUE_KEY : SchemaChange.Kind.INDEXED,
                        table, column, uniqueDetail != null ? uniqueDetail : "index"));
                rest = from + 1;
            } else {
                effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, expressionDetail));
                return;
            }
            // options: names, dots and parenthesised operator-class parameters only; anything else is not understood
            for (int k = rest; k < to; k++) {
                String token = t.get(k);
                if (token.equals("(")) {
                    int c = close(k);
                    if (c < 0 || c >= to) break;
                    k = c;
                } else if (!isName(token) && !token.equals(".")) {
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, expressionDetail));
                    return;
                }
            }
        }

        // ------------------------------------------------------------------ columns and constraints

        /** {@code name type [clauses]}: a column of CREATE TABLE or ALTER TABLE ... ADD [COLUMN]. */
        private void columnDefinition(TableName table, int from, int to) {
            if (from >= to || !isName(t.get(from))) {
                effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, "column definition"));
                return;
            }
            String column = name(t.get(from));
            int i = from + 1;
            int typeEnd = i;
            while (typeEnd < to && !COLUMN_CLAUSES.contains(t.get(typeEnd))) {
                typeEnd = is(typeEnd, "(") ? Math.min(skipGroup(typeEnd), to) : typeEnd + 1;
            }
            if (typeEnd == i) {
                effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, column, "column definition without a type"));
                return;
            }
            effects.add(effect(SchemaChange.Kind.ADD_COLUMN, table, column, text(i, typeEnd)));
            i = typeEnd;
            while (i < to) {
                String w = t.get(i);
                switch (w) {
                    case "constraint" -> i += 2;
                    case "not" -> {
                        if (is(i + 1, "null")) {
                            effects.add(effect(SchemaChange.Kind.COLUMN_OPTION, table, column, "NOT NULL"));
                            i += 2;
                        } else if (is(i + 1, "deferrable") || is(i + 1, "enforced")) {
                            i += 2;
                        } else {
                            i = unsupported(table, column, "NOT " + word(i + 1).toUpperCase(Locale.ROOT), to);
                        }
                    }
                    case "null" -> i++;
                    case "no" -> i = is(i + 1, "inherit") ? i + 2 : unsupported(table, column, "NO", to);
                    case "check" -> {
                        int c = is(i + 1, "(") ? close(i + 1) : -1;
                        if (c < 0 || c >= to) {
                            i = unsupported(table, column, "CHECK", to);
                        } else {
                            readExpression(table, i + 2, c, "CHECK constraint");
                            i = c + 1;
                        }
                    }
                    case "default" -> {
                        effects.add(effect(SchemaChange.Kind.COLUMN_VALUE, table, column, "DEFAULT"));
                        int end = expressionEnd(i + 1, to);
                        readExpression(table, i + 1, end, "DEFAULT expression");
                        i = end;
                    }
                    case "generated" -> i = generated(table, column, i, to, false);
                    case "unique" -> {
                        effects.add(effect(SchemaChange.Kind.UNIQUE_KEY, table, column, "UNIQUE"));
                        i = indexParameters(i + 1, to, true);
                    }
                    case "primary" -> {
                        if (!is(i + 1, "key")) {
                            i = unsupported(table, column, "PRIMARY", to);
                        } else {
                            effects.add(effect(SchemaChange.Kind.UNIQUE_KEY, table, column, "PRIMARY KEY"));
                            i = indexParameters(i + 2, to, false);
                        }
                    }
                    case "references" -> {
                        effects.add(effect(SchemaChange.Kind.FOREIGN_KEY, table, column, "REFERENCES"));
                        i = references(i + 1, to);
                    }
                    case "collate", "storage", "compression" -> {
                        effects.add(effect(SchemaChange.Kind.COLUMN_OPTION, table, column, w.toUpperCase(Locale.ROOT)));
                        int end = nameEnd(i + 1);
                        i = end < 0 ? i + 2 : end;
                    }
                    case "deferrable", "enforced" -> i++;
                    case "initially" -> i += 2;
                    default -> i = unsupported(table, column, w.toUpperCase(Locale.ROOT), to);
                }
            }
        }

        /**
         * {@code GENERATED ALWAYS AS (expr) [STORED|VIRTUAL]} or {@code GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY
         * [(options)]} at {@code i}; {@code added} for ALTER COLUMN ... ADD GENERATED. Returns the index after it.
         */
        private int generated(TableName table, String column, int i, int to, boolean added) {
            int k = i + 1;
            if (is(k, "always")) {
                k++;
            } else if (is(k, "by") && is(k + 1, "default")) {
                k += 2;
            } else {
                return unsupported(table, column, "GENERATED", to);
            }
            if (!is(k, "as")) return unsupported(table, column, "GENERATED", to);
            k++;
            if (is(k, "identity")) {
                effects.add(effect(SchemaChange.Kind.COLUMN_VALUE, table, column,
                        (added ? "ADD " : "") + "GENERATED AS IDENTITY"));
                k++;
                return is(k, "(") ? Math.min(skipGroup(k), to) : k;
            }
            int c = is(k, "(") ? close(k) : -1;
            if (c < 0 || c >= to || added) return unsupported(table, column, "GENERATED", to);
            effects.add(effect(SchemaChange.Kind.COLUMN_VALUE, table, column, "GENERATED ALWAYS AS (expression)"));
            readExpression(table, k + 1, c, "generated column expression");
            k = c + 1;
            return is(k, "stored") || is(k, "virtual") ? k + 1 : k;
        }

        /** A table constraint from {@code from} (CONSTRAINT name, CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY, EXCLUDE). */
        private void tableConstraint(TableName table, int from, int to) {
            int i = from;
            if (is(i, "constraint")) i += 2;
            String w = word(i);
            switch (w) {
                case "check" -> {
                    int c = is(i + 1, "(") ? close(i + 1) : -1;
                    if (c < 0 || c >= to) {
                        unsupported(table, null, "CHECK", to);
                        return;
                    }
                    readExpression(table, i + 2, c, "CHECK constraint");
                    i = c + 1;
                }
                case "unique", "primary" -> {
                    String detail = w.equals("unique") ? "UNIQUE" : "PRIMARY KEY";
                    i += w.equals("unique") ? 1 : 2;
                    if (w.equals("primary") && !is(i - 1, "key")) {
                        unsupported(table, null, "PRIMARY", to);
                        return;
                    }
                    if (is(i, "nulls")) i += is(i + 1, "not") ? 3 : 2;
                    if (is(i, "using") && is(i + 1, "index")) {
                        // an existing index becomes the constraint: it already holds whatever it holds
                        effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, detail + " USING INDEX"));
                        i += 3;
                    } else {
                        int c = is(i, "(") ? close(i) : -1;
                        if (c < 0 || c >= to) {
                            unsupported(table, null, detail, to);
                            return;
                        }
                        plainColumns(table, i + 1, c, SchemaChange.Kind.UNIQUE_KEY, detail);
                        i = indexParameters(c + 1, to, false);
                    }
                }
                case "foreign" -> {
                    int c = is(i + 1, "key") && is(i + 2, "(") ? close(i + 2) : -1;
                    if (c < 0 || c >= to) {
                        unsupported(table, null, "FOREIGN KEY", to);
                        return;
                    }
                    plainColumns(table, i + 3, c, SchemaChange.Kind.FOREIGN_KEY, "FOREIGN KEY");
                    if (!is(c + 1, "references")) {
                        unsupported(table, null, "FOREIGN KEY", to);
                        return;
                    }
                    i = references(c + 2, to);
                }
                case "exclude" -> {
                    i++;
                    if (is(i, "using") && i + 1 < to) i += 2;
                    int c = is(i, "(") ? close(i) : -1;
                    if (c < 0 || c >= to) {
                        unsupported(table, null, "EXCLUDE", to);
                        return;
                    }
                    // every column an exclusion compares is read by its operators, plain or not
                    readExpression(table, i + 1, c, "EXCLUDE constraint");
                    i = indexParameters(c + 1, to, false);
                    if (is(i, "where")) {
                        int wc = is(i + 1, "(") ? close(i + 1) : -1;
                        if (wc < 0 || wc >= to) {
                            unsupported(table, null, "EXCLUDE ... WHERE", to);
                            return;
                        }
                        readExpression(table, i + 2, wc, "EXCLUDE constraint WHERE");
                        i = wc + 1;
                    }
                }
                default -> {
                    unsupported(table, null, "constraint " + w.toUpperCase(Locale.ROOT), to);
                    return;
                }
            }
            // constraint attributes
            while (i < to) {
                if (is(i, "deferrable") || is(i, "enforced")) {
                    i++;
                } else if (is(i, "not") && (is(i + 1, "deferrable") || is(i + 1, "valid") || is(i + 1, "enforced"))) {
                    i += 2;
                } else if (is(i, "initially") || (is(i, "no") && is(i + 1, "inherit"))) {
                    i += 2;
                } else {
                    unsupported(table, null, "constraint ... " + word(i).toUpperCase(Locale.ROOT), to);
                    return;
                }
            }
        }

        /** After UNIQUE / PRIMARY KEY: {@code INCLUDE (cols)}, {@code WITH (...)}, {@code USING INDEX TABLESPACE x}. */
        private int indexParameters(int i, int to, boolean nullsAllowed) {
            while (i < to) {
                if (nullsAllowed && is(i, "nulls")) {
                    i += is(i + 1, "not") ? 3 : 2;
                } else if ((is(i, "include") || is(i, "with")) && is(i + 1, "(")) {
                    i = skipGroup(i + 1);
                } else if (is(i, "using") && is(i + 1, "index") && is(i + 2, "tablespace")) {
                    i += 4;
                } else {
                    break;
                }
            }
            return i;
        }

        /** After REFERENCES: {@code table [(cols)] [MATCH x] [ON DELETE|UPDATE action [(cols)]]...}. */
        private int references(int i, int to) {
            int end = nameEnd(i);
            if (end < 0) return to;
            i = end;
            if (is(i, "(")) i = skipGroup(i);
            while (i < to) {
                if (is(i, "match")) {
                    i += 2;
                } else if (is(i, "on") && (is(i + 1, "delete") || is(i + 1, "update"))) {
                    i += 2;
                    if (is(i, "set")) i++;
                    if (is(i, "no")) i++;  // NO ACTION
                    i++;
                    if (is(i, "(")) i = skipGroup(i);
                } else {
                    break;
                }
            }
            return i;
        }

        /** A parenthesised list of plain column names, each an effect of {@code kind}; anything else unsupported. */
        private void plainColumns(TableName table, int from, int to, SchemaChange.Kind kind, String detail) {
            for (int[] item : split(from, to)) {
                if (item[1] - item[0] == 1 && isName(t.get(item[0]))) {
                    effects.add(effect(kind, table, name(t.get(item[0])), detail));
                } else {
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, detail + " over something other than a column"));
                }
            }
        }

        // ------------------------------------------------------------------ ALTER TABLE

        private SchemaChange alterTable() {
            int i = 2;
            if (is(i, "if") && is(i + 1, "exists")) i += 2;
            if (is(i, "only")) i++;
            int end = nameEnd(i);
            if (end < 0) return null;
            TableName table = tableName(i, end);
            i = end;
            if (is(i, "*")) i++;
            if (i >= t.size()) return null;
            if (is(i, "rename")) {
                rename(table, i + 1);
                return done("ALTER TABLE");
            }
            if (is(i, "set") && is(i + 1, "schema") && i + 3 == t.size() && isName(t.get(i + 2))) {
                effects.add(effect(SchemaChange.Kind.RENAME_TABLE, table, null, "SET SCHEMA"));
                effects.add(effect(SchemaChange.Kind.NEW_TABLE_NAME, new TableName(name(t.get(i + 2)), table.name()),
                        null, "SET SCHEMA"));
                return done("ALTER TABLE");
            }
            if ((is(i, "attach") || is(i, "detach")) && is(i + 1, "partition")) {
                int pe = nameEnd(i + 2);
                if (pe < 0) return null;
                moves(table, tableName(i + 2, pe), t.get(i).toUpperCase(Locale.ROOT) + " PARTITION");
                return done("ALTER TABLE");
            }
            for (int[] action : split(i, t.size())) {
                alterAction(table, action[0], action[1]);
            }
            return done("ALTER TABLE");
        }

        private void rename(TableName table, int i) {
            if (is(i, "to") && i + 2 == t.size() && isName(t.get(i + 1))) {
                effects.add(effect(SchemaChange.Kind.RENAME_TABLE, table, null, "RENAME TO"));
                effects.add(effect(SchemaChange.Kind.NEW_TABLE_NAME, new TableName(table.schema(), name(t.get(i + 1))),
                        null, "RENAME TO"));
            } else if (is(i, "constraint") && i + 4 == t.size() && is(i + 2, "to")) {
                effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, "RENAME CONSTRAINT"));
            } else {
                if (is(i, "column")) i++;
                if (i + 3 == t.size() && isName(t.get(i)) && is(i + 1, "to") && isName(t.get(i + 2))) {
                    effects.add(effect(SchemaChange.Kind.RENAME_COLUMN, table, name(t.get(i)), name(t.get(i + 2))));
                } else {
                    effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, null, "RENAME"));
                }
            }
        }

        private void alterAction(TableName table, int from, int to) {
            int i = from;
            String w = word(i);
            switch (w) {
                case "add" -> {
                    i++;
                    if (is(i, "column")) {
                        i++;
                    } else if (TABLE_CONSTRAINTS.contains(word(i))) {
                        tableConstraint(table, i, to);
                        return;
                    }
                    if (is(i, "if") && is(i + 1, "not") && is(i + 2, "exists")) i += 3;
                    columnDefinition(table, i, to);
                }
                case "drop" -> {
                    i++;
                    if (is(i, "constraint")) {
                        effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, "DROP CONSTRAINT"));
                        return;
                    }
                    if (is(i, "column")) i++;
                    if (is(i, "if") && is(i + 1, "exists")) i += 2;
                    if (i < to && isName(t.get(i)) && (i + 1 == to || (i + 2 == to && (is(i + 1, "cascade") || is(i + 1, "restrict"))))) {
                        effects.add(effect(SchemaChange.Kind.DROP_COLUMN, table, name(t.get(i)), "DROP COLUMN"));
                    } else {
                        unsupported(table, null, "DROP", to);
                    }
                }
                case "alter" -> {
                    i++;
                    if (is(i, "constraint")) {
                        effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, "ALTER CONSTRAINT"));
                        return;
                    }
                    if (is(i, "column")) i++;
                    if (i >= to || !isName(t.get(i))) {
                        unsupported(table, null, "ALTER", to);
                        return;
                    }
                    alterColumn(table, name(t.get(i)), i + 1, to);
                }
                case "validate" -> effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, "VALIDATE CONSTRAINT"));
                case "owner", "cluster", "replica" -> effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null,
                        w.toUpperCase(Locale.ROOT)));
                case "set", "reset" -> {
                    // SET TABLESPACE / LOGGED / UNLOGGED / ACCESS METHOD / WITHOUT CLUSTER / (storage parameters)
                    if (is(i + 1, "tablespace") || is(i + 1, "logged") || is(i + 1, "unlogged") || is(i + 1, "access")
                            || is(i + 1, "without") || is(i + 1, "(")) {
                        effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, w.toUpperCase(Locale.ROOT)));
                    } else {
                        unsupported(table, null, w.toUpperCase(Locale.ROOT) + " " + word(i + 1).toUpperCase(Locale.ROOT), to);
                    }
                }
                case "enable", "disable" -> {
                    int k = i + 1;
                    if (w.equals("enable") && (is(k, "replica") || is(k, "always"))) k++;
                    if (is(k, "trigger") || is(k, "rule")) {
                        // disabling takes server code away; enabling puts it back on the table's writes
                        effects.add(effect(w.equals("enable") ? SchemaChange.Kind.SERVER_CODE : SchemaChange.Kind.TABLE_OPTION,
                                table, null, w.toUpperCase(Locale.ROOT) + " " + t.get(k).toUpperCase(Locale.ROOT)));
                    } else if (is(k, "row") && is(k + 1, "level") && is(k + 2, "security")) {
                        effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, w.toUpperCase(Locale.ROOT) + " ROW LEVEL SECURITY"));
                    } else {
                        unsupported(table, null, w.toUpperCase(Locale.ROOT), to);
                    }
                }
                case "force", "no" -> {
                    int k = w.equals("no") ? i + 1 : i;
                    if (w.equals("no") && is(k, "inherit")) {
                        int pe = nameEnd(k + 1);
                        if (pe == to) {
                            moves(table, tableName(k + 1, pe), "NO INHERIT");
                        } else {
                            unsupported(table, null, "NO INHERIT", to);
                        }
                    } else if (is(k, "force") && is(k + 1, "row")) {
                        effects.add(effect(SchemaChange.Kind.TABLE_OPTION, table, null, "FORCE ROW LEVEL SECURITY"));
                    } else {
                        unsupported(table, null, w.toUpperCase(Locale.ROOT), to);
                    }
                }
                case "inherit" -> {
                    int pe = nameEnd(i + 1);
                    if (pe == to) {
                        moves(table, tableName(i + 1, pe), "INHERIT");
                    } else {
                        unsupported(table, null, "INHERIT", to);
                    }
                }
                default -> unsupported(table, null, w.toUpperCase(Locale.ROOT), to);
            }
        }

        /** ALTER [COLUMN] name ...: from after the column's name. */
        private void alterColumn(TableName table, String column, int i, int to) {
            String w = word(i);
            if (w.equals("type") || (w.equals("set") && is(i + 1, "data") && is(i + 2, "type"))) {
                int k = w.equals("type") ? i + 1 : i + 3;
                int using = indexOf("using", k, to);
                int typeEnd = using < 0 ? to : using;
                int collate = indexOf("collate", k, typeEnd);
                effects.add(effect(SchemaChange.Kind.COLUMN_TYPE, table, column, text(k, collate < 0 ? typeEnd : collate)));
                if (using >= 0) readExpression(table, using + 1, to, "USING expression");
                return;
            }
            switch (w) {
                case "set" -> {
                    String what = word(i + 1);
                    switch (what) {
                        case "default" -> {
                            effects.add(effect(SchemaChange.Kind.COLUMN_VALUE, table, column, "SET DEFAULT"));
                            readExpression(table, i + 2, to, "DEFAULT expression");
                        }
                        case "not" -> option(table, column, "SET NOT NULL", is(i + 2, "null") && i + 3 == to, to);
                        case "statistics", "storage", "compression", "(" ->
                                option(table, column, "SET " + what.toUpperCase(Locale.ROOT), true, to);
                        case "expression" -> {
                            int c = is(i + 2, "as") && is(i + 3, "(") ? close(i + 3) : -1;
                            if (c < 0) {
                                unsupported(table, column, "SET EXPRESSION", to);
                            } else {
                                effects.add(effect(SchemaChange.Kind.COLUMN_VALUE, table, column, "SET EXPRESSION"));
                                readExpression(table, i + 4, c, "generated column expression");
                            }
                        }
                        // SET GENERATED ..., SET INCREMENT BY ... and the other identity sequence options
                        default -> effects.add(effect(SchemaChange.Kind.COLUMN_VALUE, table, column, "identity option SET "
                                + what.toUpperCase(Locale.ROOT)));
                    }
                }
                case "restart" -> effects.add(effect(SchemaChange.Kind.COLUMN_VALUE, table, column, "identity option RESTART"));
                case "drop" -> {
                    String what = word(i + 1);
                    switch (what) {
                        case "default", "identity", "expression" ->
                                option(table, column, "DROP " + what.toUpperCase(Locale.ROOT), true, to);
                        case "not" -> option(table, column, "DROP NOT NULL", is(i + 2, "null") && i + 3 == to, to);
                        default -> unsupported(table, column, "DROP " + what.toUpperCase(Locale.ROOT), to);
                    }
                }
                case "reset", "options" -> option(table, column, w.toUpperCase(Locale.ROOT), is(i + 1, "("), to);
                case "add" -> {
                    if (is(i + 1, "generated")) {
                        int end = generated(table, column, i + 1, to, true);
                        if (end != to) unsupported(table, column, "ADD GENERATED", to);
                    } else {
                        unsupported(table, column, "ADD", to);
                    }
                }
                default -> unsupported(table, column, "ALTER COLUMN " + w.toUpperCase(Locale.ROOT), to);
            }
        }

        private void option(TableName table, String column, String detail, boolean understood, int to) {
            if (understood) {
                effects.add(effect(SchemaChange.Kind.COLUMN_OPTION, table, column, detail));
            } else {
                unsupported(table, column, detail, to);
            }
        }

        // ------------------------------------------------------------------ statements that move no value

        /** {@code COMMENT ON kind name [ON table] IS ?|NULL}: names the table it is about, if any. */
        private SchemaChange comment() {
            int n = t.size();
            if (!is(1, "on") || n < 5 || !is(n - 2, "is") || !(is(n - 1, "?") || is(n - 1, "null"))) return null;
            int body = n - 2;
            String kind = word(2);
            if (kind.equals("table")) {
                int end = nameEnd(3);
                if (end != body) return null;
                effects.add(effect(SchemaChange.Kind.TABLE_OPTION, tableName(3, end), null, "COMMENT"));
            } else if (kind.equals("column")) {
                // table.column or schema.table.column
                int parts = (body - 3 + 1) / 2;
                if ((body - 3) % 2 == 0 || parts < 2 || parts > 3) return null;
                for (int k = 3; k < body; k += 2) {
                    if (!isName(t.get(k)) || (k + 1 < body && !is(k + 1, "."))) return null;
                }
                TableName table = parts == 2 ? new TableName(null, name(t.get(3)))
                        : new TableName(name(t.get(3)), name(t.get(5)));
                effects.add(effect(SchemaChange.Kind.COLUMN_OPTION, table, name(t.get(body - 1)), "COMMENT"));
            } else {
                // COMMENT ON CONSTRAINT|TRIGGER|RULE|POLICY name ON table, or on any other object
                int on = indexOf("on", 3, body);
                if (on >= 0) {
                    int k = is(on + 1, "domain") ? -1 : on + 1;
                    int end = k < 0 ? -1 : nameEnd(k);
                    if (end == body) effects.add(effect(SchemaChange.Kind.TABLE_OPTION, tableName(k, end), null, "COMMENT"));
                }
            }
            return done("COMMENT");
        }

        /** GRANT / REVOKE: privileges move no value; names the tables of {@code ON [TABLE] a, b}, if any. */
        private SchemaChange grant() {
            String statement = t.get(0).toUpperCase(Locale.ROOT);
            int on = topLevelIndexOf("on", 1);
            if (on >= 0) {
                int i = on + 1;
                if (is(i, "table")) i++;
                boolean tables = !(is(i, "all") || is(i, "sequence") || is(i, "database") || is(i, "domain")
                        || is(i, "foreign") || is(i, "function") || is(i, "procedure") || is(i, "routine")
                        || is(i, "language") || is(i, "large") || is(i, "parameter") || is(i, "schema")
                        || is(i, "tablespace") || is(i, "type"));
                while (tables && i < t.size()) {
                    int end = nameEnd(i);
                    if (end < 0) break;
                    effects.add(effect(SchemaChange.Kind.TABLE_OPTION, tableName(i, end), null, statement));
                    if (!is(end, ",")) break;
                    i = end + 1;
                }
            }
            return done(statement);
        }

        /** ANALYZE / VACUUM {@code [options] [table [(columns)], ...]}. */
        private SchemaChange maintenance(String statement) {
            int i = 1;
            while (is(i, "verbose") || is(i, "full") || is(i, "freeze") || is(i, "analyze") || is(i, "analyse")) i++;
            if (is(i, "(")) i = skipGroup(i);
            while (i < t.size()) {
                int end = nameEnd(i);
                if (end < 0) return null;
                effects.add(effect(SchemaChange.Kind.TABLE_OPTION, tableName(i, end), null, statement));
                i = end;
                if (is(i, "(")) i = skipGroup(i);
                if (i == t.size()) break;
                if (!is(i, ",")) return null;
                i++;
            }
            return done(statement);
        }

        /** {@code CLUSTER [VERBOSE] [(options)] [table [USING index]]}, or the old {@code CLUSTER index ON table}. */
        private SchemaChange cluster() {
            int i = 1;
            if (is(i, "verbose")) i++;
            if (is(i, "(")) i = skipGroup(i);
            if (i == t.size()) return done("CLUSTER");
            int end = nameEnd(i);
            if (end < 0) return null;
            if (is(end, "on")) {
                int te = nameEnd(end + 1);
                if (te != t.size()) return null;
                effects.add(effect(SchemaChange.Kind.TABLE_OPTION, tableName(end + 1, te), null, "CLUSTER"));
                return done("CLUSTER");
            }
            if (!(end == t.size() || (is(end, "using") && end + 2 == t.size()))) return null;
            effects.add(effect(SchemaChange.Kind.TABLE_OPTION, tableName(i, end), null, "CLUSTER"));
            return done("CLUSTER");
        }

        /** {@code REINDEX [(options)] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM} [CONCURRENTLY] name}. */
        private SchemaChange reindex() {
            int i = 1;
            if (is(i, "(")) i = skipGroup(i);
            String kind = word(i);
            if (!Set.of("index", "table", "schema", "database", "system").contains(kind)) return null;
            i++;
            if (is(i, "concurrently")) i++;
            if (kind.equals("table")) {
                int end = nameEnd(i);
                if (end != t.size()) return null;
                effects.add(effect(SchemaChange.Kind.TABLE_OPTION, tableName(i, end), null, "REINDEX"));
            }
            return done("REINDEX");
        }

        // ------------------------------------------------------------------ expressions

        /**
         * Reports every name a stored expression (tokens {@code [from, to)}) may read as a column of {@code table}:
         * a word or quoted name that is not a function name (followed by {@code (}) and not a qualifier (followed by
         * {@code .}); the table's own name standing alone, or {@code table.*}, is the whole row ({@code *}). Keywords
         * are reported too: the engine only matches reported names against the policy's columns. A column tested only
         * with {@code IS [NOT] NULL} (or ISNULL / NOTNULL), with nothing binding tighter on either side, is a
         * {@link SchemaChange.Kind#NULL_TEST}: IS binds more loosely than every operator and comparison, so a
         * neighbour in {@link #NULL_TEST_BEFORE} means the test applies to the column alone.
         */
        private void readExpression(TableName table, int from, int to, String detail) {
            effects.add(effect(SchemaChange.Kind.EXPRESSION, table, null, detail));
            for (int k = from; k < to; k++) {
                String token = t.get(k);
                if (token.equals("*") && k > from && is(k - 1, ".") && k - 2 >= from && isTableName(t.get(k - 2), table)) {
                    effects.add(effect(SchemaChange.Kind.EXPRESSION_READ, table, "*", detail));
                    continue;
                }
                if (!isName(token) || RESERVED.contains(token)) continue;  // quoted names are never in RESERVED
                if (k + 1 < to && (is(k + 1, "(") || is(k + 1, "."))) continue;  // a function, or a qualifier
                String name = name(token);
                boolean qualified = k - 1 >= from && is(k - 1, ".");
                if (!qualified && isTableName(token, table)) {
                    effects.add(effect(SchemaChange.Kind.EXPRESSION_READ, table, "*", detail));
                    continue;
                }
                int start = k;
                while (start - 2 >= from && is(start - 1, ".") && isName(t.get(start - 2))) start -= 2;
                boolean nullTest = (start == from || NULL_TEST_BEFORE.contains(t.get(start - 1))) && nullTestEnds(k + 1, to);
                effects.add(effect(nullTest ? SchemaChange.Kind.NULL_TEST : SchemaChange.Kind.EXPRESSION_READ,
                        table, name, detail));
            }
        }

        /** True when {@code IS [NOT] NULL} (or ISNULL, NOTNULL) starts at {@code k} and the test ends after it. */
        private boolean nullTestEnds(int k, int to) {
            int end;
            if (is(k, "isnull") || is(k, "notnull")) {
                end = k + 1;
            } else if (is(k, "is") && is(k + 1, "null")) {
                end = k + 2;
            } else if (is(k, "is") && is(k + 1, "not") && is(k + 2, "null")) {
                end = k + 3;
            } else {
                return false;
            }
            return end >= to || NULL_TEST_AFTER.contains(t.get(end));
        }

        private boolean isTableName(String token, TableName table) {
            return isName(token) && name(token).equals(table.name());
        }

        /**
         * The end of a DEFAULT expression in a column definition: at least one token (DEFAULT NULL), then up to the
         * next column clause at this depth. PostgreSQL's DEFAULT takes an expression without boolean operators, so
         * NOT and NULL there start the next clause.
         */
        private int expressionEnd(int from, int to) {
            int k = from;
            if (k < to) k = is(k, "(") ? Math.min(skipGroup(k), to) : k + 1;
            while (k < to && !(COLUMN_CLAUSES.contains(t.get(k)) && !t.get(k).equals("collate"))) {
                k = is(k, "(") ? Math.min(skipGroup(k), to) : k + 1;
            }
            return k;
        }

        // ------------------------------------------------------------------ helpers

        private SchemaChange.Effect effect(SchemaChange.Kind kind, TableName table, String column, String detail) {
            return new SchemaChange.Effect(kind, table, column, detail);
        }

        /** Reports a clause not understood and returns {@code to}: the rest of the action is not read. */
        private int unsupported(TableName table, String column, String detail, int to) {
            effects.add(effect(SchemaChange.Kind.UNSUPPORTED, table, column, detail));
            return to;
        }

        private void moves(TableName table, TableName other, String detail) {
            effects.add(effect(SchemaChange.Kind.MOVES_ROWS, table, null, detail));
            effects.add(effect(SchemaChange.Kind.MOVES_ROWS, other, null, detail));
        }

        private boolean is(int i, String token) {
            return i >= 0 && i < t.size() && t.get(i).equals(token);
        }

        private String word(int i) {
            return i < t.size() ? t.get(i) : "";
        }

        private int indexOf(String token, int from, int to) {
            for (int k = from; k < Math.min(to, t.size()); k++) {
                if (t.get(k).equals(token)) return k;
            }
            return -1;
        }

        /** The index of {@code token} outside any parentheses, from {@code from}, or -1. */
        private int topLevelIndexOf(String token, int from) {
            int depth = 0;
            for (int k = from; k < t.size(); k++) {
                String s = t.get(k);
                if (s.equals("(")) depth++;
                if (s.equals(")")) depth--;
                if (depth == 0 && s.equals(token)) return k;
            }
            return -1;
        }

        /** The index of the {@code )} closing the {@code (} at {@code open}, or -1. */
        private int close(int open) {
            int depth = 0;
            for (int k = open; k < t.size(); k++) {
                String s = t.get(k);
                if (s.equals("(")) depth++;
                if (s.equals(")") && --depth == 0) return k;
            }
            return -1;
        }

        /** The index after the group opening at {@code open} (the end of the text when unclosed). */
        private int skipGroup(int open) {
            int c = close(open);
            return c < 0 ? t.size() : c + 1;
        }

        /** {@code [from, to)} cut at its top-level commas. */
        private List<int[]> split(int from, int to) {
            List<int[]> parts = new ArrayList<>();
            int depth = 0;
            int start = from;
            for (int k = from; k < to; k++) {
                String s = t.get(k);
                if (s.equals("(")) depth++;
                if (s.equals(")")) depth--;
                if (depth == 0 && s.equals(",")) {
                    parts.add(new int[] {start, k});
                    start = k + 1;
                }
            }
            parts.add(new int[] {start, to});
            return parts;
        }

        /** The index after a (possibly schema-qualified) name starting at {@code i}, or -1. */
        private int nameEnd(int i) {
            if (i >= t.size() || !isName(t.get(i))) return -1;
            if (is(i + 1, ".") && i + 2 < t.size() && isName(t.get(i + 2))) return i + 3;
            return i + 1;
        }

        private TableName tableName(int i, int end) {
            return end - i == 3 ? new TableName(name(t.get(i)), name(t.get(i + 2))) : new TableName(null, name(t.get(i)));
        }

        private TableName tableAt(int i) {
            if (is(i, "only")) i++;
            int end = nameEnd(i);
            return end < 0 ? null : tableName(i, end);
        }

        /** Tokens {@code [from, to)} as written (words lower-cased), a space only between two names. */
        private String text(int from, int to) {
            StringBuilder b = new StringBuilder();
            for (int k = from; k < to; k++) {
                if (k > from && isName(t.get(k)) && isName(t.get(k - 1))) b.append(' ');
                b.append(t.get(k));
            }
            return b.toString();
        }
    }

    static boolean isName(String token) {
        char c = token.charAt(0);
        return c == '"' || Character.isLetter(c) || c == '_';
    }

    static String name(String token) {
        return token.charAt(0) == '"' ? token.substring(1, token.length() - 1).replace("\"\"", "\"") : token;
    }

    /**
     * {@link SqlLexer#tokens}, as strings: words and numbers lower-cased, quoted identifiers with their quotes,
     * {@code ?}, and every other character on its own (an operator such as {@code <=} is {@code <} then {@code =});
     * comments dropped. Null for text it cannot read with certainty: a string or dollar quote or {@code $n} left in
     * the normalised text, an unterminated quoted name or comment, an empty {@code ""} or a {@code U&"..."} name.
     */
    static List<String> tokens(String s) {
        SqlTokens t = SqlLexer.tokens(s, SqlLexer.Dialect.JDBC);
        if (t.unterminated()) return null;
        List<String> out = new ArrayList<>(t.count());
        for (int i = 0; i < t.count(); i++) {
            switch (t.kind(i)) {
                case WORD, NUMBER -> out.add(t.lower(i));
                case QUOTED_IDENTIFIER -> {
                    String q = t.text(i);
                    if (q.charAt(0) != '"' || q.length() == 2) return null;
                    out.add(q);
                }
                case STRING, DOLLAR_STRING -> {
                    return null;
                }
                case PARAMETER -> {
                    if (!t.is(i, "?")) return null;
                    out.add("?");
                }
                case OPERATOR, PUNCTUATION -> {
                    if (t.is(i, "$")) return null;
                    for (int k = t.start(i); k < t.end(i); k++) out.add(String.valueOf(s.charAt(k)));
                }
            }
        }
        return out;
    }
}
