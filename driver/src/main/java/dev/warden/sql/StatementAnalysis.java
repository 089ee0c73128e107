package dev.warden.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.ArrayConstructor;
import net.sf.jsqlparser.expression.ArrayExpression;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.CollateExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.IntervalExpression;
import net.sf.jsqlparser.expression.OverlapsCondition;
import net.sf.jsqlparser.expression.RangeExpression;
import net.sf.jsqlparser.expression.RowGetExpression;
import net.sf.jsqlparser.expression.TranscodingFunction;
import net.sf.jsqlparser.expression.TrimFunction;
import net.sf.jsqlparser.expression.XMLSerializeExpr;
import net.sf.jsqlparser.expression.operators.relational.IsUnknownExpression;
import net.sf.jsqlparser.expression.operators.relational.JsonOperator;
import net.sf.jsqlparser.expression.ExtractExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.JsonAggregateFunction;
import net.sf.jsqlparser.expression.JsonExpression;
import net.sf.jsqlparser.expression.JsonFunction;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.RowConstructor;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.TimezoneExpression;
import net.sf.jsqlparser.expression.operators.arithmetic.Addition;
import net.sf.jsqlparser.expression.operators.arithmetic.Concat;
import net.sf.jsqlparser.expression.operators.arithmetic.Division;
import net.sf.jsqlparser.expression.operators.arithmetic.IntegerDivision;
import net.sf.jsqlparser.expression.operators.arithmetic.Modulo;
import net.sf.jsqlparser.expression.operators.arithmetic.Multiplication;
import net.sf.jsqlparser.expression.operators.arithmetic.Subtraction;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsBooleanExpression;
import net.sf.jsqlparser.expression.operators.relational.IsDistinctExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.expression.operators.relational.RegExpMatchOperator;
import net.sf.jsqlparser.expression.operators.relational.SimilarToExpression;
import net.sf.jsqlparser.parser.SimpleNode;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.InsertConflictAction;
import net.sf.jsqlparser.statement.insert.InsertConflictTarget;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * The analysis of one parsed statement: walks JSqlParser's tree with name scopes and collects tables, column
 * uses, outputs and problems. One instance per statement; not thread-safe (confined to one analyze call).
 *
 * <p>The rule throughout: a column is reported under a table only when the resolution is certain; anything
 * else becomes a problem, and any use not recognised as a plain projection, equality filter, null test or
 * placeholder write becomes UNSUPPORTED.
 */
final class StatementAnalysis {

    private static final Set<String> AGGREGATES = Set.of("sum", "avg", "min", "max", "count", "array_agg", "string_agg",
            "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "bool_and", "bool_or", "every", "stddev",
            "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "bit_and", "bit_or", "xmlagg", "mode",
            "percentile_cont", "percentile_disc", "corr", "covar_pop", "covar_samp", "listagg", "any_value");

    private static final Set<String> SPECIAL_VALUES = Set.of("current_user", "current_role", "session_user", "user",
            "current_catalog", "current_schema", "current_date", "current_time", "current_timestamp", "localtime",
            "localtimestamp", "true", "false", "default");

    /** How a select's result is consumed, which decides what its select list may do. */
    private enum Mode { INNER, EXISTS }

    /** A column a FROM item or a select offers; {@code origin} null when computed or not a base column. */
    record Offered(String name, ColumnRef origin) {}

    /** Built-in set-returning functions whose rows are always a scalar (numbers or timestamps), never a record. */
    private static final Set<String> SCALAR_SET_FUNCTIONS = Set.of("generate_series", "pg_catalog.generate_series",
            "generate_subscripts", "pg_catalog.generate_subscripts");

    /** A FROM item as seen by name resolution. {@code columns} null when not known. */
    private static final class Source {
        final String visibleName;
        final TableName table;       // base table, or null
        final boolean aliased;
        final List<Offered> columns;
        final String what;

        Source(String visibleName, TableName table, boolean aliased, List<Offered> columns, String what) {
            this.visibleName = visibleName;
            this.table = table;
            this.aliased = aliased;
            this.columns = columns;
            this.what = what;
        }

        /**
         * A function in FROM: whatever columns it has (unknown here) are computed from its arguments, which were
         * judged where the function was read, so none carries a stored column's value.
         */
        boolean computedOnly() {
            return table == null && columns == null && what.startsWith("function ");
        }

        Offered find(String column) {
            if (columns == null) return null;
            for (Offered o : columns) {
                if (o.name().equals(column)) return o;
            }
            return null;
        }
    }

    /** One level of name visibility: the FROM items of one query block and the CTEs declared there. */
    private static final class Scope {
        final Scope parent;
        final List<Source> sources = new ArrayList<>();
        final Map<String, List<Offered>> ctes = new HashMap<>();
        final Set<String> ctesUnknown = new HashSet<>();
        final Set<String> usingColumns = new HashSet<>();
        boolean natural;

        Scope(Scope parent) {
            this.parent = parent;
        }

        boolean hasCte(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.ctes.containsKey(name) || s.ctesUnknown.contains(name)) return true;
            }
            return false;
        }

        List<Offered> cte(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.ctes.containsKey(name)) return s.ctes.get(name);
                if (s.ctesUnknown.contains(name)) return null;
            }
            return null;
        }
    }

    /** The result of resolving one column reference. */
    private record Resolution(Offered column, Source wholeRow) {
        static final Resolution NONE = new Resolution(null, null);

        ColumnRef origin() {
            return column == null ? null : column.origin();
        }
    }

    private final LexedSql sql;
    private final int offset;
    private final Catalog catalog;
    private final Set<TableName> tables = new LinkedHashSet<>();
    private final List<ColumnUse> uses = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<TextEdit> edits = new ArrayList<>();  // see Plan#edits
    private List<OutputColumn> outputs = List.of();
    private TableName writeTarget;
    /**
     * True while walking what a write stores (the query of INSERT ... SELECT and the CTEs of the write, SET and
     * VALUES items, UPDATE's FROM): a column met there is COPIED, not merely computed on. Conditions, ORDER BY
     * and conflict targets inside turn it off again.
     */
    private boolean copying;
    // LIKE through a match index (see likeFilter): the top-level SELECT whose WHERE may use it, or null
    private PlainSelect matchTop;
    // why the top-level statement cannot filter through a match index (set for SELECTs by topSelect)
    private String matchTopRefusal = "the statement is not a SELECT: an UPDATE or DELETE would act on rows the index"
            + " lets through that do not match";
    private boolean matchPlacement;  // true while in an AND-chain of matchTop's WHERE
    private final Set<Object> accounted = Collections.newSetFromMap(new IdentityHashMap<>());

    private int parsedMarks = -1;
    private final int firstPieceSlot;
    private final int pieceSlotCount;

    /** Analyses the statement at [offset, end) of {@code sql.normalized()}. */
    StatementAnalysis(LexedSql sql, int offset, int end, Catalog catalog) {
        this.sql = sql;
        this.offset = offset;
        this.catalog = catalog;
        int[] offsets = sql.slotOffsets();
        int first = 0;
        while (first < offsets.length && offsets[first] < offset) first++;
        int last = first;
        while (last < offsets.length && offsets[last] < end) last++;
        this.firstPieceSlot = first;
        this.pieceSlotCount = last - first;
    }

    // ---------------------------------------------------------------- results

    /**
     * Call first, before the walk mutates the tree: the parse must hold exactly one JdbcParameter per slot,
     * else the parser's running index is not the slot ordinal.
     */
    void countParameters(Statement statement) {
        parsedMarks = parameterMarks(statement.toString());
    }

    Plan plan(StatementKind kind, Statement statement) {
        crossCheck(statement);
        edits.sort(java.util.Comparator.comparingInt(TextEdit::start));
        for (int i = 1; i < edits.size(); i++) {
            if (edits.get(i).start() < edits.get(i - 1).end()) problem("cannot spell out * in the text");
        }
        return new Plan(kind, Set.copyOf(tables), writeTarget, List.copyOf(outputs), List.copyOf(uses),
                List.copyOf(problems), null, List.copyOf(edits));
    }

    /** A statement kind the engine does not analyse: report its tables as best we can, with the problem. */
    Plan unsupported(StatementKind kind, Statement statement, String problem) {
        problem(problem);
        collectTables(statement);
        return new Plan(kind, Set.copyOf(tables), null, List.of(), List.copyOf(uses), List.copyOf(problems));
    }

    /**
     * The check that makes the analysis fail closed by construction: every node of the parse tree, found by
     * reflection over its fields (not by a visitor that may skip some), must have been met by the walk. A table,
     * column, parameter or computing node it never met means a clause the analysis does not understand, and a
     * node type without a rule ({@link NodeRules}) is refused wherever it appears.
     */
    private void crossCheck(Statement statement) {
        if (parsedMarks != pieceSlotCount) problem("cannot place the parameters in the text");
        List<Object> nodes = new ArrayList<>();
        NodeChildren.everyNode(statement, nodes::add);
        Set<String> cteNames = new HashSet<>();
        for (Object n : nodes) {
            if (n instanceof WithItem<?> w && w.getAlias() != null) cteNames.add(fold(w.getAlias().getName()));
        }
        for (Object n : nodes) {
            if (accounted.contains(n)) continue;
            if (n instanceof Table t) {
                TableName tn = tableName(t);
                if (tn != null && cteNames.contains(tn.name())) continue;
                if (tn != null) tables.add(tn);
                problem("unanalysed reference to table " + (tn == null ? "?" : tn));
            } else if (n instanceof Column c) {
                problem("unanalysed reference to column " + fold(c.getColumnName()));
            } else if (n instanceof JdbcParameter) {
                problem("cannot place a parameter in the text");
            } else if (n instanceof Expression e) {
                switch (NodeRules.expression(e.getClass())) {
                    case REFUSED -> problem("unsupported construct " + construct(e));
                    case COMPUTED, SPECIAL -> problem("unanalysed " + describe(e));
                    default -> { }
                }
            }
        }
    }

    /**
     * Counts the ? of a deparsed statement outside quoted names, strings and comments: parameters, and each ? of an
     * operator ({@code ??} counts two, so a parse that took it for two parameters is caught).
     */
    private static int parameterMarks(String text) {
        SqlTokens t = SqlLexer.tokens(text, SqlLexer.Dialect.JDBC);
        int count = 0;
        for (int i = 0; i < t.count(); i++) {
            if (t.kind(i) == SqlTokens.Kind.PARAMETER || t.kind(i) == SqlTokens.Kind.OPERATOR) {
                for (int k = t.start(i); k < t.end(i); k++) {
                    if (text.charAt(k) == '?') count++;
                }
            }
        }
        return count;
    }

    private void collectTables(Statement statement) {
        try {
            TableCollector collector = new TableCollector();
            collector.collect(statement);
            for (Table t : collector.tables) {
                TableName tn = tableName(t);
                if (tn != null && !collector.cteNames.contains(tn.name())) tables.add(tn);
            }
        } catch (RuntimeException e) {
            problem("cannot list the tables of the statement");
        }
    }

    /** The plan of a statement whose walk failed: kind, the tables JSqlParser's finder sees, and a problem. */
    Plan failed(StatementKind kind, Statement statement, RuntimeException e) {
        outputs = List.of();
        return unsupported(kind, statement, "analysis failed: " + e.getClass().getSimpleName());
    }

    /** Collects Table and Column nodes with JSqlParser's finder. */
    private static final class TableCollector extends TablesNamesFinder<Void> {
        final List<Table> tables = new ArrayList<>();
        final List<Column> columns = new ArrayList<>();
        final Set<String> cteNames = new HashSet<>();
        final List<JdbcParameter> parameters = new ArrayList<>();

        @Override
        public <S> Void visit(JdbcParameter parameter, S context) {
            parameters.add(parameter);
            return super.visit(parameter, context);
        }

        void collect(Statement statement) {
            init(false);
            statement.accept(this, null);
        }

        @Override
        public <S> Void visit(Table table, S context) {
            tables.add(table);
            return super.visit(table, context);
        }

        @Override
        public <S> Void visit(Column column, S context) {
            columns.add(column);
            return super.visit(column, context);
        }

        @Override
        public <S> Void visit(WithItem<?> withItem, S context) {
            if (withItem.getAlias() != null) cteNames.add(fold(withItem.getAlias().getName()));
            return super.visit(withItem, context);
        }
    }

    private void problem(String p) {
        if (!problems.contains(p)) problems.add(p);
    }

    private void use(ColumnRef ref, UseKind kind, int slot, String detail) {
        if (ref != null) uses.add(new ColumnUse(ref, kind, slot, detail));
    }

    // ---------------------------------------------------------------- names

    /** PostgreSQL folding: unquoted names to lower case, quoted names as written without the quotes. */
    static String fold(String raw) {
        if (raw == null) return null;
        if (raw.length() >= 2 && raw.charAt(0) == '"' && raw.charAt(raw.length() - 1) == '"') {
            return raw.substring(1, raw.length() - 1).replace("\"\"", "\"");
        }
        return raw.toLowerCase(Locale.ROOT);
    }

    static TableName tableName(Table t) {
        if (t == null || t.getName() == null) return null;
        String name = fold(t.getName());
        if (name.isEmpty()) return null;
        return new TableName(t.getSchemaName() == null ? null : fold(t.getSchemaName()), name);
    }

    /** A dotted name as written after COPY. */
    static TableName tableName(String dotted) {
        if (dotted.isEmpty()) return null;
        int dot = dotted.lastIndexOf('.');
        String name = fold(dotted.substring(dot + 1));
        if (name.isEmpty()) return null;
        return new TableName(dot < 0 ? null : fold(dotted.substring(0, dot)), name);
    }

    private List<String> catalogColumns(TableName table) {
        try {
            return catalog.columns(table);
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- slots

    /**
     * The slot index of a JdbcParameter; -1 (and a problem) when it cannot be placed for certain.
     *
     * <p>JSqlParser links only some parameters to their tokens ({@code ?::text} and {@code -?} have no AST
     * node). Every JdbcParameter does carry the parser's running index, which counts the {@code ?} tokens of
     * one parse in text order; each statement is parsed alone, so index k is the k-th {@code ?} of the
     * statement, which is the k-th slot whose offset lies in the statement. Where the token is known its
     * offset must agree, and {@link #crossCheck} verifies that the parse saw exactly as many parameters as
     * the statement has slots.
     */
    private int slotOf(JdbcParameter p) {
        accounted.add(p);
        if (p.isUseFixedIndex() || p.getIndex() == null || p.getIndex() < 1 || p.getIndex() > pieceSlotCount) {
            problem("cannot place a parameter in the text");
            return -1;
        }
        int slot = firstPieceSlot + p.getIndex() - 1;
        SimpleNode ast = p.getASTNode();
        Token token = ast == null ? null : ast.jjtGetFirstToken();
        // absoluteBegin is 1-based (checked by SqlAnalyzerTest's parameter placement tests)
        if (token != null && "?".equals(token.image) && offset + token.absoluteBegin - 1 != sql.slotOffsets()[slot]) {
            problem("cannot place a parameter in the text");
            return -1;
        }
        return slot;
    }

    /**
     * The slot an expression stands for: a ?, a typed literal (CAST(? AS DATE) made by the lexer), or a literal cast
     * to a plain type name ({@code '2024-01-01'::date}, {@code CAST('1.50' AS numeric)}: the engine checks that the
     * type is the column's, so that the value is exactly what the server would store); else -1.
     */
    private int slotExpression(Expression e) {
        if (e instanceof JdbcParameter p) return slotOf(p);
        if (e instanceof CastExpression cast && cast.getLeftExpression() instanceof JdbcParameter p) {
            int slot = slotOf(p);
            if (slot >= 0 && (cast.isUseCastKeyword() && sql.isTypedLiteral(slot) || castLiteral(cast, slot))) {
                accounted.add(cast);
                return slot;
            }
            return -1;
        }
        if (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) return slotExpression(list.get(0));
        return -1;
    }

    /** A literal (never an application's parameter) cast to a type named by one word, as {@link LiteralCast} reads it. */
    private boolean castLiteral(CastExpression cast, int slot) {
        var type = cast.getColDataType();
        if (type == null || type.getArgumentsStringList() != null && !type.getArgumentsStringList().isEmpty()
                || type.getArrayData() != null && !type.getArrayData().isEmpty() || cast.getColumnDefinitions() != null
                && !cast.getColumnDefinitions().isEmpty()) {
            return false;
        }
        LiteralCast found = LiteralCast.of(sql, slot);
        return found != null && found.type().equalsIgnoreCase(type.getDataType());
    }

    // ---------------------------------------------------------------- statements

    void topSelect(Select select) {
        matchTopRefusal = matchIndexRefusal(select);
        if (matchTopRefusal == null) matchTop = (PlainSelect) select;
        List<Offered> cols = select(select, null, Mode.INNER);
        project(cols);
    }

    /** Makes the result outputs from offered columns: each plain one is a PROJECT use. */
    private void project(List<Offered> cols) {
        List<OutputColumn> out = new ArrayList<>(cols.size());
        for (Offered o : cols) {
            out.add(new OutputColumn(o.name(), o.origin()));
            use(o.origin(), UseKind.PROJECT, -1, "output " + o.name());
        }
        outputs = out;
    }

    void insert(Insert insert) {
        copying = true;
        Scope scope = withScope(insert.getWithItemsList(), null);
        Table table = insert.getTable();
        accounted.add(table);
        TableName target = tableName(table);
        if (target == null) {
            problem("cannot name the INSERT target");
            return;
        }
        writeTarget = target;
        tables.add(target);
        List<String> targetColumns = new ArrayList<>();
        if (insert.getColumns() != null && !insert.getColumns().isEmpty()) {
            for (Column c : insert.getColumns()) {
                accounted.add(c);
                targetColumns.add(fold(c.getColumnName()));
                if (c.getArrayConstructor() != null) {
                    use(new ColumnRef(target, fold(c.getColumnName())), UseKind.UNSUPPORTED, -1, "array element write");
                    walk(c.getArrayConstructor(), scope, "array subscript");
                }
            }
        } else {
            List<String> all = catalogColumns(target);
            if (all == null) {
                problem("cannot list the columns of " + target);
            } else {
                targetColumns.addAll(withoutInternal(target, all));
                if (targetColumns.size() < all.size() && insert.getSelect() != null) {
                    // the table as the application knows it: the omitted list is written out without Warden's columns
                    spellOutColumnList(insert.getSelect(), targetColumns);
                }
            }
        }
        Source targetSource = baseSource(target, table.getAlias());
        if (insert.isOnlyDefaultValues()) {
            List<String> all = catalogColumns(target);
            if (all != null) all = withoutInternal(target, all);
            if (all == null) problem("cannot list the columns of " + target);
            else for (String c : all) use(new ColumnRef(target, c), UseKind.UNSUPPORTED, -1, "server-computed value (DEFAULT VALUES)");
        }
        Select source = insert.getSelect();
        if (source != null) {
            accounted.add(source);
            Values values = source instanceof Values v ? v
                    : source instanceof ParenthesedSelect p && p.getSelect() instanceof Values v2 && p.getOrderByElements() == null ? v2 : null;
            if (values != null && (source.getWithItemsList() == null || source.getWithItemsList().isEmpty())) {
                insertValues(values, target, targetColumns, scope);
            } else {
                for (String c : targetColumns) use(new ColumnRef(target, c), UseKind.UNSUPPORTED, -1, "INSERT ... SELECT");
                for (Offered o : select(source, scope, Mode.INNER)) {
                    use(o.origin(), UseKind.COPIED, -1, "INSERT INTO " + target + " ... SELECT");
                }
            }
        }
        Scope conflictScope = new Scope(scope);
        conflictScope.sources.add(targetSource);
        InsertConflictAction action = insert.getConflictAction();
        copying = false;
        conflictTarget(insert.getConflictTarget(), action, target, conflictScope);
        copying = true;
        if (action != null) {
            Source excluded = new Source("excluded", null, true, targetSource.columns, "EXCLUDED");
            conflictScope.sources.add(excluded);
            if (action.getUpdateSets() != null) {
                for (UpdateSet set : action.getUpdateSets()) updateSet(set, target, conflictScope, true);
            }
            if (action.getWhereExpression() != null) condition(action.getWhereExpression(), conflictScope);
        }
        if (insert.getDuplicateUpdateSets() != null && !insert.getDuplicateUpdateSets().isEmpty()
                || insert.getSetUpdateSets() != null && !insert.getSetUpdateSets().isEmpty()) {
            problem("INSERT ... SET / ON DUPLICATE KEY is not PostgreSQL");
        }
        copying = false;
        returning(insert.getReturningClause(), conflictScopeWithout(conflictScope, targetSource));
    }

    /**
     * What ON CONFLICT compares: whichever way the arbiter is named (a column list, an index expression, a
     * constraint name, or nothing: every unique index and exclusion constraint of the table), the same uses,
     * read from the catalog when the text does not list the columns. Unknown arbiters are a problem.
     */
    private void conflictTarget(InsertConflictTarget conflict, InsertConflictAction action, TableName target, Scope scope) {
        if (action == null) return;
        String constraint = conflict == null ? null : conflict.getConstraintName();
        boolean listed = conflict != null && (conflict.getIndexColumnNames() != null && !conflict.getIndexColumnNames().isEmpty()
                || conflict.getIndexExpression() != null);
        if (conflict != null) {
            if (conflict.getIndexColumnNames() != null) {
                for (String c : conflict.getIndexColumnNames()) {
                    use(new ColumnRef(target, fold(c)), UseKind.COMPARE_SAME_COLUMN, -1, "ON CONFLICT target");
                }
            }
            if (conflict.getIndexExpression() != null) walk(conflict.getIndexExpression(), scope, "ON CONFLICT expression");
            if (conflict.getWhereExpression() != null) condition(conflict.getWhereExpression(), scope);
        }
        if (listed && constraint == null) return;
        List<UniqueKey> keys;
        try {
            keys = catalog.uniqueKeys(target);
        } catch (RuntimeException e) {
            keys = null;
        }
        String spelling = constraint != null ? "ON CONFLICT ON CONSTRAINT" : "ON CONFLICT without a target";
        if (keys == null) {
            problem("cannot read the unique constraints of " + target + " for " + spelling);
            return;
        }
        boolean found = false;
        for (UniqueKey key : keys) {
            if (constraint != null && !key.name().equals(fold(constraint))) continue;
            found = true;
            for (String c : key.columns()) use(new ColumnRef(target, c), UseKind.COMPARE_SAME_COLUMN, -1, spelling);
            for (String c : key.expressionColumns()) {
                use(new ColumnRef(target, c), UseKind.UNSUPPORTED, -1, spelling + " (index expression)");
            }
        }
        if (constraint != null && !found) problem("no unique constraint " + fold(constraint) + " on " + target);
    }

    private static Scope conflictScopeWithout(Scope conflictScope, Source target) {
        Scope s = new Scope(conflictScope.parent);
        s.sources.add(target);
        return s;
    }

    private void insertValues(Values values, TableName target, List<String> targetColumns, Scope scope) {
        accounted.add(values);
        ExpressionList<?> list = values.getExpressions();
        List<List<Expression>> rows = new ArrayList<>();
        boolean multi = !list.isEmpty();
        for (Expression e : list) multi &= e instanceof ExpressionList<?>;
        if (multi) {
            for (Expression e : list) rows.add(new ArrayList<>((ExpressionList<?>) e));
        } else {
            rows.add(new ArrayList<>(list));
        }
        for (List<Expression> row : rows) {
            if (row.size() != targetColumns.size()) {
                problem("VALUES row has " + row.size() + " items for " + targetColumns.size() + " columns");
            }
            for (int i = 0; i < row.size(); i++) {
                Expression item = row.get(i);
                ColumnRef ref = i < targetColumns.size() ? new ColumnRef(target, targetColumns.get(i)) : null;
                writeValue(ref, item, scope, "server-computed value (" + shape(item) + ")");
            }
        }
    }

    /** A value written into {@code ref}: a slot, NULL, or anything else (UNSUPPORTED with the given detail). */
    private void writeValue(ColumnRef ref, Expression value, Scope scope, String otherwise) {
        int slot = slotExpression(value);
        if (slot >= 0) {
            use(ref, UseKind.WRITE_VALUE, slot, "written value");
        } else if (value instanceof NullValue) {
            use(ref, UseKind.WRITE_NULL, -1, "written NULL");
        } else {
            if (value instanceof Column c && "default".equalsIgnoreCase(c.getColumnName()) && c.getTable() == null) {
                accounted.add(c);
                use(ref, UseKind.UNSUPPORTED, -1, "server-computed value (DEFAULT)");
                return;
            }
            // the columns the value copies first, so that a refusal names what would have been copied
            walk(value, scope, otherwise);
            use(ref, UseKind.UNSUPPORTED, -1, otherwise);
        }
    }

    private void updateSet(UpdateSet set, TableName target, Scope scope, boolean onConflict) {
        List<Column> columns = new ArrayList<>(set.getColumns());
        List<Expression> values = new ArrayList<>(set.getValues());
        boolean pairwise = columns.size() == values.size();
        if (!pairwise && values.size() == 1 && values.get(0) instanceof ExpressionList<?> row && row.size() == columns.size()) {
            values = new ArrayList<>(row);
            pairwise = true;
        }
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            accounted.add(c);
            String name = fold(c.getColumnName());
            ColumnRef ref = new ColumnRef(target, name);
            String detail = "SET " + name + " = expression";
            if (c.getArrayConstructor() != null) {
                // an element of the column is written by the server, not a value Warden encrypts
                use(ref, UseKind.UNSUPPORTED, -1, "array element write");
                boolean was = copying;
                copying = false;
                walk(c.getArrayConstructor(), scope, "array subscript");
                copying = was;
                if (pairwise) walk(values.get(i), scope, detail);
                continue;
            }
            if (!pairwise) {
                use(ref, UseKind.UNSUPPORTED, -1, detail);
                continue;
            }
            Expression value = values.get(i);
            if (onConflict && value instanceof Column v && v.getTable() != null
                    && "excluded".equals(fold(v.getTable().getName())) && v.getTable().getSchemaName() == null
                    && name.equals(fold(v.getColumnName()))) {
                accounted.add(v);
                accounted.add(v.getTable());
                use(ref, UseKind.WRITE_FROM_EXCLUDED, -1, "SET " + name + " = EXCLUDED." + name);
                continue;
            }
            writeValue(ref, value, scope, detail);
        }
        if (!pairwise) {
            for (Expression v : values) walk(v, scope, "SET (...) = expression");
        }
    }

    void update(Update update) {
        copying = true;
        Scope scope = new Scope(withScope(update.getWithItemsList(), null));
        Table table = update.getTable();
        accounted.add(table);
        TableName target = tableName(table);
        if (target == null) {
            problem("cannot name the UPDATE target");
            return;
        }
        writeTarget = target;
        tables.add(target);
        scope.sources.add(baseSource(target, table.getAlias()));
        if (update.getStartJoins() != null && !update.getStartJoins().isEmpty()) problem("UPDATE with joins before SET");
        if (update.getFromItem() != null) fromItem(update.getFromItem(), scope);
        joins(update.getJoins(), scope);
        for (UpdateSet set : update.getUpdateSets()) updateSet(set, target, scope, false);
        if (update.getWhere() != null) condition(update.getWhere(), scope);
        copying = false;
        returning(update.getReturningClause(), scope);
    }

    void delete(Delete delete) {
        Scope scope = new Scope(withScope(delete.getWithItemsList(), null));
        Table table = delete.getTable();
        accounted.add(table);
        TableName target = tableName(table);
        if (target == null) {
            problem("cannot name the DELETE target");
            return;
        }
        writeTarget = target;
        tables.add(target);
        scope.sources.add(baseSource(target, table.getAlias()));
        if (delete.getTables() != null && !delete.getTables().isEmpty()) problem("multi-table DELETE is not PostgreSQL");
        if (delete.getUsingList() != null) {
            for (Table t : delete.getUsingList()) fromItem(t, scope);
        }
        joins(delete.getJoins(), scope);
        if (delete.getWhere() != null) condition(delete.getWhere(), scope);
        returning(delete.getReturningClause(), scope);
    }

    private void returning(ReturningClause returning, Scope scope) {
        if (returning == null) return;
        if (returning.getDataItems() != null && !returning.getDataItems().isEmpty()) problem("RETURNING ... INTO");
        project(selectItems(returning, scope, Mode.INNER));
    }

    // ---------------------------------------------------------------- queries

    private Scope withScope(List<WithItem<?>> items, Scope outer) {
        if (items == null || items.isEmpty()) return outer;
        Scope scope = new Scope(outer);
        for (WithItem<?> item : items) {
            String name = item.getAlias() == null ? null : fold(item.getAlias().getName());
            if (name == null) {
                problem("WITH item without a name");
                continue;
            }
            if (item.isRecursive()) problem("WITH RECURSIVE is not analysed");
            if (!(item.getParenthesedStatement() instanceof ParenthesedSelect)) {
                problem("data-modifying WITH is not analysed");
                Object ps = item.getParenthesedStatement();
                Statement inner = ps instanceof net.sf.jsqlparser.statement.insert.ParenthesedInsert pi ? pi.getInsert()
                        : ps instanceof net.sf.jsqlparser.statement.update.ParenthesedUpdate pu ? pu.getUpdate()
                        : ps instanceof net.sf.jsqlparser.statement.delete.ParenthesedDelete pd ? pd.getDelete() : null;
                if (inner != null) collectTables(inner);
                scope.ctesUnknown.add(name);
                continue;
            }
            // a recursive CTE sees itself; its columns are unknown while its body is analysed
            if (item.isRecursive()) scope.ctesUnknown.add(name);
            List<Offered> cols = select((ParenthesedSelect) item.getParenthesedStatement(), scope, Mode.INNER);
            List<SelectItem<?>> names = item.getWithItemList();
            if (names != null) {
                for (SelectItem<?> n : names) {
                    accounted.add(n);
                    accounted.add(n.getExpression());  // a name, not a column reference
                }
            }
            if (names != null && !names.isEmpty()) cols = rename(cols, names.stream().map(n -> fold(n.toString())).toList(), name);
            scope.ctesUnknown.remove(name);
            scope.ctes.put(name, cols);
        }
        return scope;
    }

    private List<Offered> rename(List<Offered> cols, List<String> names, String what) {
        if (names.size() > cols.size()) {
            problem("more column names than columns for " + what);
            return cols;
        }
        List<Offered> out = new ArrayList<>(cols.size());
        for (int i = 0; i < cols.size(); i++) {
            out.add(new Offered(i < names.size() ? names.get(i) : cols.get(i).name(), cols.get(i).origin()));
        }
        return out;
    }

    /** Analyses any select; returns its output columns. Plain columns of the select list get no use here. */
    private List<Offered> select(Select select, Scope outer, Mode mode) {
        accounted.add(select);
        Scope scope = withScope(select.getWithItemsList(), outer);
        List<Offered> cols;
        if (select instanceof PlainSelect ps) {
            cols = plainSelect(ps, scope, mode);
        } else if (select instanceof SetOperationList sol) {
            cols = setOperation(sol, scope, mode);
            orderBy(sol.getOrderByElements(), cols, null);
        } else if (select instanceof ParenthesedSelect p) {
            cols = select(p.getSelect(), scope, mode);
            orderBy(p.getOrderByElements(), cols, null);
        } else if (select instanceof Values values) {
            cols = values(values, scope);
        } else {
            problem("unsupported query shape " + select.getClass().getSimpleName());
            cols = List.of();
        }
        limits(select, scope);
        // FOR UPDATE OF names a FROM item to lock: it reads no value
        if (select.getForUpdateTable() != null) accounted.add(select.getForUpdateTable());
        return cols;
    }

    private void limits(Select select, Scope scope) {
        if (select.getLimit() != null) {
            Expression rowCount = select.getLimit().getRowCount();
            // LIMIT ALL is PostgreSQL's "no limit" (AllValue is refused elsewhere, where it is not PostgreSQL's)
            if (rowCount instanceof net.sf.jsqlparser.expression.AllValue) accounted.add(rowCount);
            else if (rowCount != null) walk(rowCount, scope, "LIMIT");
            if (select.getLimit().getOffset() != null) walk(select.getLimit().getOffset(), scope, "OFFSET");
        }
        if (select.getOffset() != null && select.getOffset().getOffset() != null) walk(select.getOffset().getOffset(), scope, "OFFSET");
        if (select.getFetch() != null && select.getFetch().getExpression() != null) walk(select.getFetch().getExpression(), scope, "FETCH");
    }

    private List<Offered> values(Values values, Scope scope) {
        int width = -1;
        for (Expression row : values.getExpressions()) {
            int w = row instanceof ExpressionList<?> l ? l.size() : 1;
            if (width >= 0 && w != width) problem("VALUES rows of different widths");
            width = Math.max(width, w);
            walk(row, scope, "VALUES");
        }
        List<Offered> cols = new ArrayList<>();
        for (int i = 1; i <= Math.max(width, 0); i++) cols.add(new Offered("column" + i, null));
        return cols;
    }

    private List<Offered> setOperation(SetOperationList sol, Scope scope, Mode mode) {
        List<List<Offered>> branches = new ArrayList<>();
        for (Select branch : sol.getSelects()) branches.add(select(branch, scope, mode));
        if (branches.isEmpty()) return List.of();
        int width = branches.get(0).size();
        for (List<Offered> b : branches) {
            if (b.size() != width) {
                problem("set operation branches of different widths");
                return branches.get(0);
            }
        }
        // UNION, INTERSECT and EXCEPT (all but UNION ALL) compare whole rows: each column with itself
        boolean comparesRows = false;
        for (net.sf.jsqlparser.statement.select.SetOperation op : sol.getOperations()) {
            comparesRows |= !(op instanceof net.sf.jsqlparser.statement.select.UnionOp union && union.isAll());
        }
        List<Offered> merged = new ArrayList<>(width);
        for (int i = 0; i < width; i++) {
            ColumnRef origin = branches.get(0).get(i).origin();
            boolean same = origin != null;
            for (List<Offered> b : branches) same &= origin != null && origin.equals(b.get(i).origin());
            if (!same) {
                Set<ColumnRef> involved = new LinkedHashSet<>();
                for (List<Offered> b : branches) {
                    if (b.get(i).origin() != null) involved.add(b.get(i).origin());
                }
                for (ColumnRef r : involved) use(r, computedUse(), -1, "UNION of different columns");
            }
            if (same && comparesRows) use(origin, UseKind.COMPARE_SAME_COLUMN, -1, "set operation removing duplicates");
            merged.add(new Offered(branches.get(0).get(i).name(), same ? origin : null));
        }
        return merged;
    }

    private List<Offered> plainSelect(PlainSelect ps, Scope outer, Mode mode) {
        Scope scope = new Scope(outer);
        if (ps.getFromItem() != null) fromItem(ps.getFromItem(), scope);
        joins(ps.getJoins(), scope);
        if (ps.getIntoTables() != null && !ps.getIntoTables().isEmpty()) problem("SELECT INTO is not analysed");
        if (ps.getWhere() != null) {
            boolean was = matchPlacement;
            matchPlacement = ps == matchTop;  // a subquery's WHERE is not the statement's
            condition(ps.getWhere(), scope);
            matchPlacement = was;
        }
        List<Offered> cols = selectItems(ps.getSelectItems(), scope, mode);
        Distinct distinct = ps.getDistinct();
        if (distinct != null) {
            if (distinct.getOnSelectItems() != null && !distinct.getOnSelectItems().isEmpty()) {
                for (SelectItem<?> item : distinct.getOnSelectItems()) {
                    accounted.add(item);
                    byItem(item.getExpression(), cols, scope, "DISTINCT ON");
                }
            } else {
                // each bare column of the list is compared as stored; computed items were judged when read
                for (Offered o : cols) use(o.origin(), UseKind.GROUP, -1, "DISTINCT");
            }
        }
        GroupByElement groupBy = ps.getGroupBy();
        if (groupBy != null) {
            if (groupBy.getGroupByExpressionList() != null) {
                for (Object e : groupBy.getGroupByExpressionList()) byItem((Expression) e, cols, scope, "GROUP BY");
            }
            if (groupBy.getGroupingSets() != null) {
                for (Object set : groupBy.getGroupingSets()) walk((Expression) set, scope, "GROUP BY");
            }
        }
        if (ps.getHaving() != null) condition(ps.getHaving(), scope);
        if (ps.getQualify() != null) walk(ps.getQualify(), scope, "QUALIFY");
        if (ps.getWindowDefinitions() != null && !ps.getWindowDefinitions().isEmpty()) {
            problem("WINDOW clause is not analysed");
        }
        orderBy(ps.getOrderByElements(), cols, scope);
        return cols;
    }

    /** ORDER BY / GROUP BY / DISTINCT ON item: a position, an output name, or an expression of the inputs. */
    private void byItem(Expression e, List<Offered> cols, Scope scope, String detail) {
        boolean was = copying;
        copying = false;
        try {
            orderingItem(e, cols, scope, detail);
        } finally {
            copying = was;
        }
    }

    private void orderingItem(Expression e, List<Offered> cols, Scope scope, String detail) {
        boolean grouping = "GROUP BY".equals(detail);
        if (e instanceof LongValue position) {
            accounted.add(e);
            long n = position.getValue();
            if (n < 1 || n > cols.size()) {
                problem(detail + " position " + n + " is out of range");
            } else {
                use(cols.get((int) n - 1).origin(), grouping ? UseKind.GROUP : UseKind.UNSUPPORTED, -1, detail);
            }
            return;
        }
        if (grouping && e instanceof Column c && c.getArrayConstructor() == null && scope != null) {
            // GROUP BY a bare input column: grouped as stored (an expression of it is walked below, as computed)
            useColumn(c, scope, UseKind.GROUP, -1, detail);
            return;
        }
        if (e instanceof Column c && c.getTable() == null && c.getArrayConstructor() == null && !"GROUP BY".equals(detail)) {
            // PostgreSQL looks up a bare ORDER BY name among the output columns first
            String name = fold(c.getColumnName());
            Offered match = null;
            int count = 0;
            for (Offered o : cols) {
                if (o.name().equals(name)) {
                    match = o;
                    count++;
                }
            }
            if (count == 1 || count > 1 && scope == null) {
                accounted.add(c);
                if (count > 1) problem("ambiguous " + detail + " name " + name);
                else use(match.origin(), UseKind.UNSUPPORTED, -1, detail);
                return;
            }
        }
        if (scope == null) {
            problem("cannot resolve " + detail + " item");
            walk(e, new Scope(null), detail);
            return;
        }
        walk(e, scope, detail);
    }

    private void orderBy(List<OrderByElement> elements, List<Offered> cols, Scope scope) {
        if (elements == null) return;
        for (OrderByElement o : elements) byItem(o.getExpression(), cols, scope, "ORDER BY");
    }

    private List<Offered> selectItems(List<SelectItem<?>> items, Scope scope, Mode mode) {
        List<Offered> cols = new ArrayList<>();
        for (SelectItem<?> item : items) {
            accounted.add(item);
            Expression e = item.getExpression();
            String alias = item.getAlias() == null ? null : fold(item.getAlias().getName());
            if (e instanceof AllTableColumns atc) {
                accounted.add(atc);
                accounted.add(atc.getTable());
                if (mode == Mode.EXISTS) continue;
                Source s = sourceByQualifier(atc.getTable(), scope);
                if (s == null) {
                    problem("cannot resolve " + atc.getTable() + ".*");
                } else {
                    expand(s, cols, scope);
                    spellOutStar(item, List.of(s));
                }
            } else if (e instanceof AllColumns ac) {
                accounted.add(ac);
                if (mode == Mode.EXISTS) continue;
                if (scope.sources.isEmpty()) problem("* without FROM");
                if (!scope.usingColumns.isEmpty() || scope.natural) problem("cannot expand * over JOIN USING or NATURAL JOIN");
                for (Source s : scope.sources) expand(s, cols, scope);
                spellOutStar(item, scope.sources);
            } else {
                cols.add(selectExpression(e, alias, scope));
            }
        }
        return cols;
    }

    private void expand(Source s, List<Offered> cols, Scope scope) {
        if (s.columns == null) {
            problem("cannot expand * of " + s.what);
            return;
        }
        cols.addAll(visibleColumns(s));
    }

    /** The columns {@code *} shows of {@code s}: for a base table, all but its internal columns. */
    private List<Offered> visibleColumns(Source s) {
        Set<String> internal = internalColumns(s.table);
        if (internal.isEmpty()) return s.columns;
        List<Offered> out = new ArrayList<>(s.columns.size());
        for (Offered o : s.columns) {
            if (o.origin() == null || !o.origin().table().equals(s.table) || !internal.contains(o.origin().column())) {
                out.add(o);
            }
        }
        return out;
    }

    private Set<String> internalColumns(TableName table) {
        if (table == null) return Set.of();
        try {
            Set<String> internal = catalog.internalColumns(table);
            return internal == null ? Set.of() : internal;
        } catch (RuntimeException e) {
            problem("cannot list the columns of " + table);
            return Set.of();
        }
    }

    private List<String> withoutInternal(TableName table, List<String> columns) {
        Set<String> internal = internalColumns(table);
        if (internal.isEmpty()) return columns;
        List<String> out = new ArrayList<>(columns);
        out.removeAll(internal);
        return out;
    }

    /**
     * A {@code *} (or {@code t.*}) over {@code sources} of which a base table has internal columns: the server
     * would show them, so the text sent names the other columns instead, qualified by each source's name (the
     * sources without internal columns stay {@code name.*}).
     */
    private void spellOutStar(SelectItem<?> item, List<Source> sources) {
        boolean hides = false;
        for (Source s : sources) hides |= s.columns != null && !internalColumns(s.table).isEmpty();
        if (!hides) return;
        int[] span = span(item.getASTNode());
        if (span == null || sql.normalized().charAt(span[1] - 1) != '*') {
            problem("cannot place * in the text");
            return;
        }
        StringBuilder list = new StringBuilder();
        for (Source s : sources) {
            if (s.visibleName == null || s.columns == null) {
                problem("cannot expand * of " + s.what);
                return;
            }
            String qualifier = quoted(s.visibleName) + ".";
            if (internalColumns(s.table).isEmpty()) {
                if (!list.isEmpty()) list.append(", ");
                list.append(qualifier).append('*');
                continue;
            }
            for (Offered o : visibleColumns(s)) {
                if (!list.isEmpty()) list.append(", ");
                list.append(qualifier).append(quoted(o.name()));
            }
        }
        edits.add(new TextEdit(span[0], span[1], list.toString()));
    }

    /** INSERT without a column list into a table with internal columns: the list written out before its query. */
    private void spellOutColumnList(Select source, List<String> columns) {
        int[] span = span(source.getASTNode());
        if (span == null) {
            problem("cannot place the column list of the INSERT in the text");
            return;
        }
        StringBuilder list = new StringBuilder("(");
        for (String c : columns) list.append(list.length() > 1 ? ", " : "").append(quoted(c));
        edits.add(new TextEdit(span[0], span[0], list.append(") ").toString()));
    }

    /** The {@code [start, end)} of a parse node in the normalised text, or null when the parser did not link it. */
    private int[] span(SimpleNode node) {
        Token first = node == null ? null : node.jjtGetFirstToken();
        Token last = node == null ? null : node.jjtGetLastToken();
        if (first == null || last == null) return null;
        // absoluteBegin and absoluteEnd are 1-based, the end exclusive (as for parameters, see slotOf)
        int start = offset + first.absoluteBegin - 1;
        int end = offset + last.absoluteEnd - 1;
        if (start < offset || end <= start || end > sql.normalized().length()) return null;
        return new int[] {start, end};
    }

    /** A name as a quoted identifier, which PostgreSQL reads back exactly. */
    private static String quoted(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** One select-list expression: a plain column (kept with its origin) or anything computed. */
    private Offered selectExpression(Expression e, String alias, Scope scope) {
        Expression inner = e;
        while (inner instanceof ParenthesedExpressionList<?> list && list.size() == 1) inner = list.get(0);
        if (inner instanceof Column c && c.getArrayConstructor() == null) {
            Resolution r = resolve(c, scope);
            String label = alias != null ? alias : fold(c.getColumnName());
            if (r.wholeRow() != null) {
                wholeRow(r.wholeRow());
                return new Offered(label, null);
            }
            return new Offered(label, r.origin());
        }
        if (inner instanceof ParenthesedSelect sub) {
            List<Offered> cols = select(sub, scope, Mode.INNER);
            if (cols.size() != 1) {
                problem("scalar subquery with " + cols.size() + " columns");
                return new Offered(alias != null ? alias : "?column?", null);
            }
            return new Offered(alias != null ? alias : cols.get(0).name(), cols.get(0).origin());
        }
        String label = alias != null ? alias : inner instanceof Function f ? fold(f.getName()) : "?column?";
        walk(inner, scope, describe(inner));
        return new Offered(label, null);
    }

    // ---------------------------------------------------------------- FROM

    private Source baseSource(TableName table, Alias alias) {
        List<String> names = catalogColumns(table);
        List<Offered> cols = null;
        if (names != null) {
            cols = new ArrayList<>(names.size());
            for (String n : names) cols.add(new Offered(n, new ColumnRef(table, n)));
        }
        String visible = alias != null ? fold(alias.getName()) : table.name();
        if (alias != null && alias.getAliasColumns() != null && !alias.getAliasColumns().isEmpty()) {
            List<String> renamed = alias.getAliasColumns().stream().map(a -> fold(a.name)).toList();
            if (cols != null) {
                cols = rename(cols, renamed, visible);
            } else {
                // renamed by position while the positions are unknown: a name of the list may stand for any
                // column, so none of them may be read as the table's column of that name
                problem("cannot rename the columns of table " + table + ": its columns are not known");
            }
        }
        return new Source(visible, table, alias != null, cols, "table " + table);
    }

    private void joins(List<Join> joins, Scope scope) {
        if (joins == null) return;
        for (Join j : joins) {
            accounted.add(j);
            fromItem(j.getFromItem(), scope);
            if (j.isNatural()) {
                scope.natural = true;
                problem("NATURAL JOIN is not analysed");
            }
            if (j.getUsingColumns() != null) {
                for (Column c : j.getUsingColumns()) {
                    accounted.add(c);
                    String name = fold(c.getColumnName());
                    scope.usingColumns.add(name);
                    // the join compares the column of both sides: same name, maybe not the same table
                    List<ColumnRef> refs = new ArrayList<>();
                    for (Source s : scope.sources) {
                        Offered o = s.find(name);
                        if (o != null && o.origin() != null) refs.add(o.origin());
                    }
                    boolean same = refs.size() == 2 && refs.get(0).equals(refs.get(1));
                    if (refs.size() == 2 && !same) {
                        comparedColumns(refs.get(0), refs.get(1), "JOIN USING");
                        continue;
                    }
                    for (ColumnRef r : refs) use(r, same ? UseKind.COMPARE_SAME_COLUMN : UseKind.UNSUPPORTED, -1, "JOIN USING");
                }
            }
        }
        for (Join j : joins) {
            if (j.getOnExpressions() != null) {
                for (Expression on : j.getOnExpressions()) condition(on, scope);
            }
        }
    }

    private void fromItem(FromItem item, Scope scope) {
        accounted.add(item);
        if (item instanceof Table t) {
            TableName tn = tableName(t);
            if (tn == null) {
                problem("cannot name a FROM item");
                return;
            }
            Alias alias = t.getAlias();
            if (tn.schema() == null && scope.hasCte(tn.name())) {
                List<Offered> cols = scope.cte(tn.name());
                String visible = alias != null ? fold(alias.getName()) : tn.name();
                if (cols != null && alias != null && alias.getAliasColumns() != null && !alias.getAliasColumns().isEmpty()) {
                    cols = rename(cols, alias.getAliasColumns().stream().map(a -> fold(a.name)).toList(), visible);
                }
                scope.sources.add(new Source(visible, null, true, cols, "CTE " + tn.name()));
                return;
            }
            tables.add(tn);
            scope.sources.add(baseSource(tn, alias));
        } else if (item instanceof ParenthesedSelect sub) {
            // a LATERAL subquery sees the FROM items before it; a plain one only the enclosing queries
            boolean lateral = sub instanceof LateralSubSelect;
            List<Offered> cols = select(sub.getSelect(), lateral ? scope : scope.parent, Mode.INNER);
            orderBy(sub.getOrderByElements(), cols, null);
            Alias alias = sub.getAlias();
            String visible = alias != null ? fold(alias.getName()) : null;
            if (alias != null && alias.getAliasColumns() != null && !alias.getAliasColumns().isEmpty()) {
                cols = rename(cols, alias.getAliasColumns().stream().map(a -> fold(a.name)).toList(), visible);
            }
            scope.sources.add(new Source(visible == null ? "" : visible, null, true, cols, "subquery " + visible));
        } else if (item instanceof TableFunction tf) {
            Function f = tf.getFunction();
            accounted.add(f);
            String what = "table function " + fold(f.getName()) + "()";
            NodeChildren.expressions(f, child -> walk(child, scope, what));
            Alias alias = tf.getAlias();
            String visible = alias != null ? fold(alias.getName()) : fold(f.getName());
            List<Offered> cols = null;
            if (alias != null && alias.getAliasColumns() != null && !alias.getAliasColumns().isEmpty()) {
                cols = alias.getAliasColumns().stream().map(a -> new Offered(fold(a.name), null)).toList();
            } else if (alias != null && SCALAR_SET_FUNCTIONS.contains(fold(f.getName()))) {
                // a scalar result has one column, named by the alias
                cols = List.of(new Offered(visible, null));
            }
            scope.sources.add(new Source(visible, null, true, cols, "function " + fold(f.getName()) + "()"));
        } else if (item instanceof Values values) {
            List<Offered> cols = values(values, scope);
            Alias alias = values.getAlias();
            String visible = alias != null ? fold(alias.getName()) : "";
            if (alias != null && alias.getAliasColumns() != null && !alias.getAliasColumns().isEmpty()) {
                cols = rename(cols, alias.getAliasColumns().stream().map(a -> fold(a.name)).toList(), visible);
            }
            scope.sources.add(new Source(visible, null, true, cols, "VALUES"));
        } else if (item instanceof ParenthesedFromItem p) {
            if (p.getAlias() != null) problem("aliased parenthesised join is not analysed");
            fromItem(p.getFromItem(), scope);
            joins(p.getJoins(), scope);
        } else {
            problem("unsupported FROM item " + item.getClass().getSimpleName());
            scope.sources.add(new Source("", null, true, null, "FROM item"));
        }
    }

    // ---------------------------------------------------------------- resolution

    private Source sourceByQualifier(Table qualifier, Scope scope) {
        String name = fold(qualifier.getName());
        String schema = qualifier.getSchemaName() == null ? null : fold(qualifier.getSchemaName());
        for (Scope s = scope; s != null; s = s.parent) {
            for (Source src : s.sources) {
                if (schema == null) {
                    if (src.visibleName.equals(name)) return src;
                } else if (src.table != null && !src.aliased && src.table.name().equals(name)
                        && (src.table.schema() == null || src.table.schema().equals(schema))) {
                    return src;
                }
            }
        }
        return null;
    }

    private Resolution resolve(Column c, Scope scope) {
        accounted.add(c);
        if (c.getTable() != null) accounted.add(c.getTable());
        String name = fold(c.getColumnName());
        if (c.getTable() != null && c.getTable().getName() != null) {
            if (c.getTable().getDatabaseName() != null || c.getTable().getCatalogName() != null) {
                problem("cannot resolve column " + c.getFullyQualifiedName());
                return Resolution.NONE;
            }
            Source s = sourceByQualifier(c.getTable(), scope);
            if (s == null) {
                problem("cannot resolve column " + fold(c.getTable().getName()) + "." + name);
                return Resolution.NONE;
            }
            Offered o = s.find(name);
            if (o == null && s.columns != null) {
                problem("cannot resolve column " + s.visibleName + "." + name);
            }
            return new Resolution(o, null);
        }
        if (SPECIAL_VALUES.contains(name) && !c.getColumnName().startsWith("\"")) {
            // reserved words that PostgreSQL reads as functions, never as columns
            return Resolution.NONE;
        }
        for (Scope s = scope; s != null; s = s.parent) {
            if (s.usingColumns.contains(name) || s.natural) {
                problem("cannot resolve column " + name + " merged by JOIN USING or NATURAL JOIN");
                return Resolution.NONE;
            }
            Offered found = null;
            int definite = 0;
            int unknown = 0;
            int computed = 0;      // functions in FROM whose alias is the name: a scalar function's one column
            int otherFunctions = 0;
            for (Source src : s.sources) {
                if (src.computedOnly()) {
                    if (src.visibleName.equals(name)) computed++;
                    else otherFunctions++;
                } else if (src.columns == null) {
                    unknown++;
                } else {
                    Offered o = src.find(name);
                    if (o != null) {
                        found = o;
                        definite++;
                    }
                }
            }
            // unnest(...) x: x is the function's own output, which carries no stored value, when nothing in this
            // query or an enclosing one may offer a column so named (the server looks for a column at every level
            // before it reads a name as a whole row); a function of unknown columns is otherwise unknown
            if (definite == 1 && unknown == 0 && computed == 0 && otherFunctions == 0) return new Resolution(found, null);
            if (definite == 0 && unknown == 0 && otherFunctions == 0 && computed == 1 && !mayOffer(s.parent, name)) {
                return new Resolution(new Offered(name, null), null);
            }
            if (definite > 1 || definite == 1 || unknown > 0 || computed > 0 || otherFunctions > 0) {
                problem("cannot resolve column " + name);
                return Resolution.NONE;
            }
        }
        // not a column of anything in reach: PostgreSQL then tries a whole-row reference to a FROM item
        for (Scope s = scope; s != null; s = s.parent) {
            for (Source src : s.sources) {
                if (src.visibleName.equals(name)) return new Resolution(null, src);
            }
        }
        problem("cannot resolve column " + name);
        return Resolution.NONE;
    }

    /** Whether a FROM item of {@code scope} or an enclosing scope has, or may have, a column {@code name}. */
    private static boolean mayOffer(Scope scope, String name) {
        for (Scope s = scope; s != null; s = s.parent) {
            if (s.natural || s.usingColumns.contains(name)) return true;
            for (Source src : s.sources) {
                if (src.columns == null || src.find(name) != null) return true;
            }
        }
        return false;
    }

    private void wholeRow(Source src) {
        if (src.columns == null) {
            problem("whole-row reference to " + src.what);
            return;
        }
        for (Offered o : src.columns) use(o.origin(), computedUse(), -1, "whole-row reference");
    }

    /** Resolves a column and records the given use of it (whole-row references become UNSUPPORTED). */
    private ColumnRef useColumn(Column c, Scope scope, UseKind kind, int slot, String detail) {
        Resolution r = resolve(c, scope);
        if (r.wholeRow() != null) {
            wholeRow(r.wholeRow());
            return null;
        }
        use(r.origin(), kind, slot, detail);
        return r.origin();
    }

    // ---------------------------------------------------------------- conditions

    /** One side of a comparison. */
    private sealed interface Operand permits ColumnOperand, SlotOperand, NullOperand, OtherOperand {}

    private record ColumnOperand(Column node, Resolution resolution) implements Operand {}

    private record SlotOperand(int slot) implements Operand {}

    private record NullOperand() implements Operand {}

    private record OtherOperand() implements Operand {}

    private Operand operand(Expression e, Scope scope, String detail) {
        while (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
            accounted.add(e);
            e = list.get(0);
        }
        accounted.add(e);
        if (e instanceof Column c && c.getArrayConstructor() == null) return new ColumnOperand(c, resolve(c, scope));
        if (e instanceof NullValue) return new NullOperand();
        int slot = slotExpression(e);
        if (slot >= 0) return new SlotOperand(slot);
        if (e instanceof ParenthesedSelect sub) {
            List<Offered> cols = select(sub, scope, Mode.INNER);
            if (cols.size() == 1 && cols.get(0).origin() != null) {
                return new ColumnOperand(null, new Resolution(cols.get(0), null));
            }
            for (Offered o : cols) use(o.origin(), UseKind.UNSUPPORTED, -1, detail);
            return new OtherOperand();
        }
        walk(e, scope, describe(e));
        return new OtherOperand();
    }

    /** Records {@code kind} on a column operand; other operands already had their columns walked. */
    private void operandUse(Operand op, UseKind kind, int slot, String detail) {
        if (op instanceof ColumnOperand col) {
            if (col.resolution().wholeRow() != null) wholeRow(col.resolution().wholeRow());
            else use(col.resolution().origin(), kind, slot, detail);
        }
    }

    /** A boolean position: WHERE, ON, HAVING, FILTER, ON CONFLICT WHERE. Filters copy nothing. */
    private void condition(Expression e, Scope scope) {
        boolean was = copying;
        copying = false;
        try {
            filter(e, scope);
        } finally {
            copying = was;
        }
    }

    private void filter(Expression e, Scope scope) {
        accounted.add(e);
        if (e instanceof AndExpression and) {
            condition(and.getLeftExpression(), scope);
            condition(and.getRightExpression(), scope);
        } else if (e instanceof OrExpression or) {
            boolean was = matchPlacement;
            matchPlacement = false;  // a row kept by the other side needs no LIKE: the index could not tell
            condition(or.getLeftExpression(), scope);
            condition(or.getRightExpression(), scope);
            matchPlacement = was;
        } else if (e instanceof NotExpression not) {
            boolean was = matchPlacement;
            matchPlacement = false;
            condition(not.getExpression(), scope);
            matchPlacement = was;
        } else if (e instanceof LikeExpression like && likeFilter(like, scope)) {
            return;
        } else if (rangeOperator(e) != null) {
            rangeFilter((net.sf.jsqlparser.expression.BinaryExpression) e, scope);
        } else if (e instanceof Between between) {
            betweenFilter(between, scope);
        } else if (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
            condition(list.get(0), scope);
        } else if (e instanceof EqualsTo || e instanceof NotEqualsTo) {
            var cmp = (net.sf.jsqlparser.expression.BinaryExpression) e;
            String op = e instanceof EqualsTo ? "=" : "<>";
            equality(cmp.getLeftExpression(), cmp.getRightExpression(), scope, op);
        } else if (e instanceof IsNullExpression isNull) {
            Operand op = operand(isNull.getLeftExpression(), scope, "IS NULL on expression");
            operandUse(op, UseKind.FILTER_NULL, -1, isNull.isNot() ? "IS NOT NULL" : "IS NULL");
        } else if (e instanceof InExpression in) {
            Expression fixed = reassociateIn(in);
            if (fixed != in) condition(fixed, scope);
            else inExpression(in, scope);
        } else if (e instanceof ExistsExpression exists) {
            Expression right = exists.getRightExpression();
            if (right instanceof Select sub) select(sub, scope, Mode.EXISTS);
            else walk(right, scope, "EXISTS");
        } else {
            walk(e, scope, describe(e));
        }
    }

    /**
     * {@code col [NOT] LIKE|ILIKE pattern [ESCAPE e]} on a plain column with a slot pattern (and a literal escape):
     * a FILTER_MATCH use when it is a conjunct of the WHERE of a statement the engine can re-check row by row
     * (see {@link #matchIndexRefusal}), whose detail is exactly {@code "LIKE"}, {@code "ILIKE"}, {@code "NOT LIKE"}
     * or {@code "NOT ILIKE"}, followed by {@code " ESCAPE n"} when slot n holds the escape. Elsewhere the column's
     * use is UNSUPPORTED with a detail saying why the index cannot answer there. False when the expression is not
     * such a LIKE at all (it is then walked like any other expression).
     */
    private boolean likeFilter(LikeExpression like, Scope scope) {
        LikeExpression.KeyWord word = like.getLikeKeyWord();
        if (word != null && word != LikeExpression.KeyWord.LIKE && word != LikeExpression.KeyWord.ILIKE) return false;
        if (like.isUseBinary()) return false;
        String keyword = (like.isNot() ? "NOT " : "") + (word == LikeExpression.KeyWord.ILIKE ? "ILIKE" : "LIKE");
        Operand column = operand(like.getLeftExpression(), scope, keyword);
        Operand pattern = operand(like.getRightExpression(), scope, keyword + " pattern");
        int escape = -1;
        if (like.getEscape() != null) {
            escape = slotExpression(like.getEscape());
            // anything but a literal (a parameter, NULL, an expression) is not an escape Warden can apply
            if (escape < 0 || !(sql.slots().get(escape) instanceof Slot.Literal)) escape = -2;
            if (escape >= 0) accounted.add(like.getEscape());
            else walk(like.getEscape(), scope, keyword + " ESCAPE");
        }
        if (!(column instanceof ColumnOperand col) || col.node() == null || col.resolution().wholeRow() != null) {
            operandUse(column, UseKind.UNSUPPORTED, -1, keyword);
            return true;
        }
        String why = null;
        // NULL written inline is a pattern too (LIKE NULL is NULL: no row), placed with slot -1
        if (!(pattern instanceof SlotOperand) && !(pattern instanceof NullOperand)) {
            why = "the pattern is not a literal or parameter";
        }
        else if (escape == -2) why = "ESCAPE is not a literal";
        else if (!matchPlacement) why = matchTopRefusal != null ? matchTopRefusal
                : "the LIKE is under OR or NOT, in a subquery, EXISTS, HAVING or a join's ON";
        if (why != null) {
            operandUse(column, UseKind.UNSUPPORTED, -1, keyword + " where a match index cannot answer exactly ("
                    + why + "): Warden re-checks the pattern only on the rows a plain SELECT returns");
            return true;
        }
        operandUse(column, UseKind.FILTER_MATCH, pattern instanceof SlotOperand p ? p.slot() : -1,
                keyword + (escape >= 0 ? " ESCAPE " + escape : ""));
        return true;
    }

    /** {@code <}, {@code <=}, {@code >} or {@code >=} of a comparison, else null. */
    private static String rangeOperator(Expression e) {
        if (e instanceof MinorThan) return "<";
        if (e instanceof MinorThanEquals) return "<=";
        if (e instanceof GreaterThan) return ">";
        if (e instanceof GreaterThanEquals) return ">=";
        return null;
    }

    /** {@code op} seen from the other side: {@code ? < col} is {@code col > ?}. */
    private static String flipped(String op) {
        return switch (op) {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            default -> "<=";
        };
    }

    /**
     * {@code col op bound} or {@code bound op col} ({@code op} one of {@code < <= > >=}, the bound a literal or
     * parameter, the column optionally {@code COLLATE "C"}): a FILTER_ORDER use whose detail is the operator seen from
     * the column ({@code "<"}...), followed by {@code " COLLATE C"} when the comparison says so, where an order index
     * may answer it (placed as a match LIKE is: a conjunct of a plain single-table SELECT's WHERE, whose rows Warden
     * re-checks). Elsewhere, or with another shape, the column's use is UNSUPPORTED with a detail saying why.
     */
    private void rangeFilter(net.sf.jsqlparser.expression.BinaryExpression cmp, Scope scope) {
        String op = rangeOperator(cmp);
        String collate = collateC(cmp.getLeftExpression()) || collateC(cmp.getRightExpression()) ? " COLLATE C" : "";
        Operand l = operand(uncollated(cmp.getLeftExpression()), scope, "comparison " + op);
        Operand r = operand(uncollated(cmp.getRightExpression()), scope, "comparison " + op);
        if (l instanceof ColumnOperand && r instanceof ColumnOperand) {
            operandUse(l, UseKind.UNSUPPORTED, -1, "comparison " + op + " with another column");
            operandUse(r, UseKind.UNSUPPORTED, -1, "comparison " + op + " with another column");
            return;
        }
        Operand column = l instanceof ColumnOperand ? l : r;
        Operand bound = column == l ? r : l;
        String seen = column == l ? op : flipped(op);
        if (!(column instanceof ColumnOperand col)) return;  // no column: each side was walked
        if (bound instanceof NullOperand && col.node() != null && col.resolution().wholeRow() == null) {
            // NULL for every row whatever the value (no row), as the database answers on the stored value too
            operandUse(col, UseKind.FILTER_NULL, -1, "comparison " + op + " NULL");
            return;
        }
        rangeUse(col, bound instanceof SlotOperand s ? s.slot() : -1, seen + collate, "comparison " + op,
                bound instanceof SlotOperand ? null : "the bound is not a literal or parameter");
    }

    /** {@code col [NOT] BETWEEN a AND b}: as {@link #rangeFilter}, detail {@code "[NOT ]BETWEEN n"}, n the slot of b. */
    private void betweenFilter(Between between, Scope scope) {
        String keyword = between.isNot() ? "NOT BETWEEN" : "BETWEEN";
        String collate = collateC(between.getLeftExpression()) ? " COLLATE C" : "";
        Operand column = operand(uncollated(between.getLeftExpression()), scope, keyword);
        Operand start = operand(between.getBetweenExpressionStart(), scope, keyword);
        Operand end = operand(between.getBetweenExpressionEnd(), scope, keyword);
        if (!(column instanceof ColumnOperand col)) {
            // a value BETWEEN two columns: each column is compared with a value, which no index answers
            operandUse(start, UseKind.UNSUPPORTED, -1, keyword + " bound");
            operandUse(end, UseKind.UNSUPPORTED, -1, keyword + " bound");
            return;
        }
        operandUse(start, UseKind.UNSUPPORTED, -1, keyword + " with another column");
        operandUse(end, UseKind.UNSUPPORTED, -1, keyword + " with another column");
        boolean slots = start instanceof SlotOperand && end instanceof SlotOperand;
        rangeUse(col, slots ? ((SlotOperand) start).slot() : -1,
                keyword + " " + (slots ? ((SlotOperand) end).slot() : -1) + collate, keyword,
                slots ? null : "a bound is not a literal or parameter");
    }

    private void rangeUse(ColumnOperand col, int slot, String detail, String what, String shapeRefusal) {
        if (col.node() == null || col.resolution().wholeRow() != null) {
            operandUse(col, UseKind.UNSUPPORTED, -1, what);
            return;
        }
        String why = shapeRefusal;
        if (why == null && !matchPlacement) {
            why = matchTopRefusal != null ? matchTopRefusal.replace("the index lets through", "an index lets through")
                    : "the comparison is under OR or NOT, in a subquery, EXISTS, HAVING or a join's ON";
        }
        if (why != null) {
            operandUse(col, UseKind.UNSUPPORTED, -1, what + " where an order index cannot answer exactly (" + why
                    + "): Warden re-checks ranges only on the rows a plain SELECT returns");
            return;
        }
        operandUse(col, UseKind.FILTER_ORDER, slot, detail);
    }

    /**
     * True for {@code column COLLATE name}: the parser sees a respelled name ({@link ParserSpelling}), so the engine
     * checks in the statement's text that it is {@code "C"} or {@code "POSIX"} (refusing any other).
     */
    private static boolean collateC(Expression e) {
        return e instanceof net.sf.jsqlparser.expression.CollateExpression c && c.getLeftExpression() instanceof Column;
    }

    /** {@code e} without a column's COLLATE (which {@link #collateC} notes). */
    private Expression uncollated(Expression e) {
        if (collateC(e)) {
            accounted.add(e);
            return ((net.sf.jsqlparser.expression.CollateExpression) e).getLeftExpression();
        }
        return e;
    }

    /**
     * Null when {@code select} is a statement whose WHERE may filter through a match index: one plain SELECT of
     * one table, whose every result row Warden sees and can drop (no aggregate, grouping, DISTINCT, window, WITH,
     * join or set operation, which would fold a false positive of the index into an answer Warden cannot re-check).
     * Else the reason, for the refusal.
     */
    private static String matchIndexRefusal(Select select) {
        if (!(select instanceof PlainSelect ps)) return "the statement is not a plain SELECT (set operation or parentheses)";
        if (ps.getWithItemsList() != null && !ps.getWithItemsList().isEmpty()) return "the statement has WITH";
        if (!(ps.getFromItem() instanceof net.sf.jsqlparser.schema.Table)) return "the FROM item is not a table";
        if (ps.getJoins() != null && !ps.getJoins().isEmpty()) return "the statement joins tables";
        if (ps.getGroupBy() != null || ps.getHaving() != null) return "the statement groups rows";
        if (ps.getDistinct() != null) return "the statement has DISTINCT";
        if (ps.getWindowDefinitions() != null && !ps.getWindowDefinitions().isEmpty()) return "the statement has WINDOW";
        if (ps.getIntoTables() != null && !ps.getIntoTables().isEmpty()) return "the statement is SELECT INTO";
        boolean[] folds = {false};
        for (SelectItem<?> item : ps.getSelectItems()) {
            java.util.function.Consumer<Expression>[] visit = new java.util.function.Consumer[1];
            visit[0] = e -> {
                if (e instanceof AnalyticExpression
                        || e instanceof Function f && AGGREGATES.contains(fold(f.getName()))) folds[0] = true;
                if (!(e instanceof Select)) NodeChildren.expressions(e, visit[0]);
            };
            if (item.getExpression() != null) visit[0].accept(item.getExpression());
        }
        if (folds[0]) return "an aggregate or window function folds the matched rows together";
        return null;
    }

    /**
     * JSqlParser 5.3 binds {@code a IN (x) AND b = ?} as {@code a IN ((x) AND b = ?)}; IN binds tighter than
     * AND/OR in PostgreSQL, so the list is the leftmost operand of that AND/OR chain: put the IN there.
     */
    private static Expression reassociateIn(InExpression in) {
        Expression right = in.getRightExpression();
        if (!(right instanceof AndExpression || right instanceof OrExpression)) return in;
        net.sf.jsqlparser.expression.BinaryExpression spine = (net.sf.jsqlparser.expression.BinaryExpression) right;
        while (spine.getLeftExpression() instanceof AndExpression || spine.getLeftExpression() instanceof OrExpression) {
            spine = (net.sf.jsqlparser.expression.BinaryExpression) spine.getLeftExpression();
        }
        in.setRightExpression(spine.getLeftExpression());
        spine.setLeftExpression(in);
        return right;
    }

    private void equality(Expression left, Expression right, Scope scope, String op) {
        if (quantified(left, right, scope, op)) return;
        Operand l = operand(left, scope, "compared with " + op);
        Operand r = operand(right, scope, "compared with " + op);
        if (l instanceof ColumnOperand && !(r instanceof ColumnOperand)) {
            comparedWith(l, r, op);
        } else if (r instanceof ColumnOperand && !(l instanceof ColumnOperand)) {
            comparedWith(r, l, op);
        } else if (l instanceof ColumnOperand lc && r instanceof ColumnOperand rc) {
            if (lc.resolution().wholeRow() != null || rc.resolution().wholeRow() != null) {
                operandUse(l, UseKind.UNSUPPORTED, -1, "whole-row comparison");
                operandUse(r, UseKind.UNSUPPORTED, -1, "whole-row comparison");
                return;
            }
            ColumnRef a = lc.resolution().origin();
            ColumnRef b = rc.resolution().origin();
            if (a != null && a.equals(b)) {
                use(a, UseKind.COMPARE_SAME_COLUMN, -1, "compared with the same column");
                use(b, UseKind.COMPARE_SAME_COLUMN, -1, "compared with the same column");
            } else if (op.equals("=") && a != null && b != null) {
                comparedColumns(a, b, "compared with another column");
            } else {
                use(a, UseKind.UNSUPPORTED, -1, "compared with another column");
                use(b, UseKind.UNSUPPORTED, -1, "compared with another column");
            }
        }
    }

    private void comparedWith(Operand column, Operand other, String op) {
        if (other instanceof SlotOperand s) {
            operandUse(column, UseKind.FILTER_EQUALITY, s.slot(), op);
        } else if (other instanceof NullOperand) {
            operandUse(column, UseKind.UNSUPPORTED, -1, op + " NULL");
        } else {
            operandUse(column, UseKind.UNSUPPORTED, -1, "compared with an expression");
        }
    }

    private void inExpression(InExpression in, Scope scope) {
        String op = in.isNot() ? "NOT IN" : "IN";
        Expression right = in.getRightExpression();
        Operand left = operand(in.getLeftExpression(), scope, op + " on expression");
        if (right instanceof Select sub) {
            subqueryComparison(left, sub, scope, op + " (subquery)");
            return;
        }
        if (right instanceof ExpressionList<?> list) {
            accounted.add(list);
            List<Integer> slots = new ArrayList<>();
            boolean allSlots = !list.isEmpty();
            for (Expression item : list) {
                int slot = slotExpression(item);
                if (slot < 0) {
                    allSlots = false;
                    walk(item, scope, op + " list with expression");
                } else {
                    slots.add(slot);
                }
            }
            if (allSlots) {
                for (int slot : slots) operandUse(left, UseKind.FILTER_EQUALITY, slot, op);
            } else {
                operandUse(left, UseKind.UNSUPPORTED, -1, op + " list with expression");
            }
            return;
        }
        operandUse(left, UseKind.UNSUPPORTED, -1, op + " " + shape(right));
        walk(right, scope, op);
    }

    // ---------------------------------------------------------------- comparisons with a list or a subquery

    /**
     * {@code col = ANY (ARRAY[?, ...])} and {@code col <> ALL (ARRAY[?, ...])}: IN and NOT IN spelled with an
     * array, each element a compared value; {@code col = ANY (subquery)} and {@code col <> ALL (subquery)}: IN and
     * NOT IN of a subquery. True when {@code right} is such a quantified operand and the whole comparison has been
     * analysed here; false (nothing recorded) for every other shape.
     */
    private boolean quantified(Expression left, Expression right, Scope scope, String op) {
        String quantifier = op.equals("=") ? "ANY" : "ALL";
        if (right instanceof net.sf.jsqlparser.expression.AnyComparisonExpression any
                && (any.getAnyType().name().equals(quantifier) || op.equals("=") && any.getAnyType().name().equals("SOME"))) {
            accounted.add(right);
            Operand l = operand(left, scope, op + " " + quantifier + " on expression");
            subqueryComparison(l, any.getSelect(), scope, op + " " + quantifier + " (subquery)");
            return true;
        }
        if (right instanceof Function f && f.getName() != null && !f.getName().startsWith("\"")
                && (f.getName().equalsIgnoreCase(quantifier) || op.equals("=") && f.getName().equalsIgnoreCase("SOME"))
                && f.getParameters() != null && f.getParameters().size() == 1
                && f.getParameters().get(0) instanceof JdbcParameter p && slotOf(p) >= 0
                // an application's parameter, not a literal the lexer placed ('{a,b}' is an array literal)
                && sql.slots().get(slotOf(p)) instanceof Slot.Parameter
                && !f.isDistinct() && !f.isAllColumns() && !f.isUnique() && f.getOrderByElements() == null
                && f.getKeep() == null && f.getAttribute() == null && f.getNullHandling() == null) {
            // col = ANY (?) with one array parameter: each element a compared value, encrypted when bound
            accounted.add(f);
            accounted.add(f.getParameters());
            String detail = op + " " + quantifier + " (?)";  // read by the engine (KeyExpansion.Form.of)
            operandUse(operand(left, scope, detail + " on expression"), UseKind.FILTER_EQUALITY, slotOf(p), detail);
            return true;
        }
        if (!(right instanceof Function f) || f.getName() == null || f.getName().startsWith("\"")
                || !(f.getName().equalsIgnoreCase(quantifier) || op.equals("=") && f.getName().equalsIgnoreCase("SOME"))
                || f.getParameters() == null || f.getParameters().size() != 1
                || !(f.getParameters().get(0) instanceof ArrayConstructor array) || array.getDataType() != null
                || f.isDistinct() || f.isAllColumns() || f.isUnique() || f.getOrderByElements() != null
                || f.getKeep() != null || f.getAttribute() != null || f.getNullHandling() != null) {
            return false;
        }
        accounted.add(f);
        accounted.add(f.getParameters());
        accounted.add(array);
        String detail = op + " " + quantifier;  // read by the engine (KeyExpansion.Form.of)
        Operand l = operand(left, scope, detail + " on expression");
        List<Integer> slots = new ArrayList<>();
        boolean allSlots = array.getExpressions() != null && !array.getExpressions().isEmpty();
        if (array.getExpressions() != null) {
            accounted.add(array.getExpressions());
            for (Expression item : array.getExpressions()) {
                int slot = slotExpression(item);
                if (slot < 0) {
                    allSlots = false;
                    walk(item, scope, detail + " with expression");
                } else {
                    slots.add(slot);
                }
            }
        }
        if (allSlots) {
            for (int slot : slots) operandUse(l, UseKind.FILTER_EQUALITY, slot, detail);
        } else {
            operandUse(l, UseKind.UNSUPPORTED, -1, detail + " with expression");
        }
        return true;
    }

    /**
     * {@code col [NOT] IN (SELECT ...)} and its ANY/ALL spellings: the database compares the column with the
     * subquery's single column, which is equality of stored values when that is the very same table.column.
     */
    private void subqueryComparison(Operand left, Select sub, Scope scope, String detail) {
        List<Offered> cols = select(sub, scope, Mode.INNER);
        ColumnRef inner = cols.size() == 1 ? cols.get(0).origin() : null;
        ColumnRef outer = left instanceof ColumnOperand c && c.resolution().wholeRow() == null
                ? c.resolution().origin() : null;
        if (inner != null && inner.equals(outer)) {
            use(outer, UseKind.COMPARE_SAME_COLUMN, -1, detail);
            use(inner, UseKind.COMPARE_SAME_COLUMN, -1, detail);
            return;
        }
        if (inner != null && outer != null) {
            comparedColumns(outer, inner, detail);
            return;
        }
        operandUse(left, UseKind.UNSUPPORTED, -1, detail);
        for (Offered o : cols) use(o.origin(), UseKind.UNSUPPORTED, -1, detail);
    }

    /** Two different columns compared for equality: recorded on each, naming the other (see COMPARE_OTHER_COLUMN). */
    private void comparedColumns(ColumnRef a, ColumnRef b, String detail) {
        uses.add(new ColumnUse(a, UseKind.COMPARE_OTHER_COLUMN, -1, detail, b));
        uses.add(new ColumnUse(b, UseKind.COMPARE_OTHER_COLUMN, -1, detail, a));
    }

    // ---------------------------------------------------------------- computed expressions

    /**
     * Every column inside {@code e} is UNSUPPORTED (COPIED while {@link #copying}); the detail names the
     * innermost construct around it. Each node is judged by its {@link NodeRules} rule; children are found by
     * {@link NodeChildren}, so none is skipped whatever the node type.
     */
    private void walk(Expression e, Scope scope, String detail) {
        if (e == null) return;
        accounted.add(e);
        switch (NodeRules.expression(e.getClass())) {
            case LEAF, WRAPPER -> NodeChildren.expressions(e, child -> walk(child, scope, detail));
            case COMPUTED -> {
                String inner = describe(e);
                NodeChildren.expressions(e, child -> walk(child, scope, inner));
            }
            case SPECIAL -> special(e, scope, detail);
            case REFUSED -> {
                problem("unsupported construct " + construct(e));
                NodeChildren.expressions(e, child -> walk(child, scope, construct(e)));
            }
        }
    }

    /** The use of a column met inside a computed value: UNSUPPORTED, or COPIED where the value is written. */
    private UseKind computedUse() {
        return copying ? UseKind.COPIED : UseKind.UNSUPPORTED;
    }

    /** The nodes with a {@link NodeRules.Rule#SPECIAL} rule. */
    private void special(Expression e, Scope scope, String detail) {
        if (e instanceof Column column) {
            useColumn(column, scope, computedUse(), -1, detail);
            if (column.getArrayConstructor() != null) walk(column.getArrayConstructor(), scope, "array subscript");
        } else if (e instanceof JdbcParameter p) {
            slotOf(p);
        } else if (e instanceof Function f) {
            function(f, scope);
        } else if (e instanceof AnalyticExpression a) {
            analytic(a, scope);
        } else if (e instanceof AllTableColumns all) {
            accounted.add(all.getTable());
            Source s = sourceByQualifier(all.getTable(), scope);
            if (s == null) problem("cannot resolve " + all.getTable() + ".*");
            else wholeRow(s);
        } else if (e instanceof AllColumns) {
            for (Source s : scope.sources) wholeRow(s);
        } else if (e instanceof ExistsExpression exists) {
            if (exists.getRightExpression() instanceof Select sub) select(sub, scope, Mode.EXISTS);
            else walk(exists.getRightExpression(), scope, "EXISTS");
        } else if (e instanceof Select sub) {
            for (Offered o : select(sub, scope, Mode.INNER)) use(o.origin(), computedUse(), -1, detail);
        } else {
            problem("unsupported construct " + construct(e));
        }
    }

    private void function(Function f, Scope scope) {
        String name = fold(f.getName());
        if ("count".equals(name)) {
            ExpressionList<?> params = f.getParameters();
            if (f.isAllColumns() || params == null || params.isEmpty()
                    || params.size() == 1 && params.get(0) instanceof AllColumns && !(params.get(0) instanceof AllTableColumns)) {
                if (params != null) {
                    accounted.add(params);
                    if (params.size() == 1) accounted.add(params.get(0));
                }
                NodeChildren.expressions(f, child -> walk(child, scope, "aggregate count()"), "parameters");
                return;
            }
            if (params.size() == 1 && params.get(0) instanceof Column c && c.getArrayConstructor() == null
                    && f.getOrderByElements() == null && !copying) {
                accounted.add(params);
                useColumn(c, scope, UseKind.COUNT, -1, f.isDistinct() ? "COUNT(DISTINCT)" : "COUNT");
                NodeChildren.expressions(f, child -> walk(child, scope, "aggregate count()"), "parameters");
                return;
            }
        }
        String detail = describe(f);
        NodeChildren.expressions(f, child -> walk(child, scope, detail));
    }

    private void analytic(AnalyticExpression a, Scope scope) {
        String detail = describe(a);
        boolean countStar = "count".equals(fold(a.getName()))
                && (a.isAllColumns() || a.getExpression() instanceof AllColumns && !(a.getExpression() instanceof AllTableColumns));
        if (countStar && a.getExpression() != null) accounted.add(a.getExpression());
        if (a.getWindowName() != null) problem("named window is not analysed");
        if (a.getFilterExpression() != null) {
            boolean was = copying;
            copying = false;
            condition(a.getFilterExpression(), scope);
            copying = was;
        }
        NodeChildren.expressions(a, child -> walk(child, scope, detail),
                countStar ? new String[] {"expression", "filterExpression"} : new String[] {"filterExpression"});
    }

    /** The name of a node type for a refusal: never its text (which may hold a value). */
    private static String construct(Expression e) {
        return e.getClass().getSimpleName();
    }

    /** A short, value-free name for the shape of an expression, used in details. */
    static String describe(Expression e) {
        if (e instanceof Function f) {
            String name = fold(f.getName());
            return (AGGREGATES.contains(name) ? "aggregate " : "function ") + name + "()";
        }
        if (e instanceof AnalyticExpression a) return "window function " + fold(a.getName()) + "()";
        if (e instanceof CaseExpression) return "CASE";
        if (e instanceof CastExpression) return "cast";
        if (e instanceof Addition || e instanceof Subtraction || e instanceof Multiplication || e instanceof Division
                || e instanceof IntegerDivision || e instanceof Modulo || e instanceof SignedExpression) return "arithmetic";
        if (e instanceof Concat) return "concatenation";
        if (e instanceof JsonExpression || e instanceof JsonFunction || e instanceof JsonAggregateFunction) return "JSON";
        if (e instanceof RowConstructor<?> || e instanceof ExpressionList<?>) return "row constructor";
        if (e instanceof LikeExpression like) return like.getLikeKeyWord() == null ? "LIKE" : like.getLikeKeyWord().name().replace('_', ' ');
        if (e instanceof SimilarToExpression) return "SIMILAR TO";
        if (e instanceof RegExpMatchOperator) return "regex";
        if (e instanceof GreaterThan) return "comparison >";
        if (e instanceof GreaterThanEquals) return "comparison >=";
        if (e instanceof MinorThan) return "comparison <";
        if (e instanceof MinorThanEquals) return "comparison <=";
        if (e instanceof Between) return "BETWEEN";
        if (e instanceof IsDistinctExpression) return "IS DISTINCT FROM";
        if (e instanceof IsBooleanExpression) return "IS TRUE/FALSE";
        if (e instanceof CollateExpression) return "COLLATE";
        if (e instanceof TimezoneExpression) return "AT TIME ZONE";
        if (e instanceof ExtractExpression) return "function extract()";
        if (e instanceof TrimFunction) return "function trim()";
        if (e instanceof IntervalExpression) return "interval";
        if (e instanceof RowGetExpression) return "row field";
        if (e instanceof JsonOperator) return "JSON";
        if (e instanceof XMLSerializeExpr) return "function xmlserialize()";
        if (e instanceof TranscodingFunction) return "function convert()";
        if (e instanceof IsUnknownExpression) return "IS UNKNOWN";
        if (e instanceof OverlapsCondition) return "OVERLAPS";
        if (e instanceof IsNullExpression) return "IS NULL";
        if (e instanceof NotExpression) return "NOT";
        if (e instanceof AndExpression || e instanceof OrExpression) return "boolean operator";
        if (e instanceof CaseExpression) return "CASE";
        if (e instanceof RangeExpression) return "array slice";
        if (e instanceof ArrayConstructor || e instanceof ArrayExpression) return "array";
        if (e instanceof AnyComparisonExpression) return "ANY/ALL";
        if (e instanceof Column) return "boolean column";
        if (e instanceof InExpression) return "IN";
        if (e instanceof EqualsTo || e instanceof NotEqualsTo) return "comparison";
        return e.getClass().getSimpleName();
    }

    private static String shape(Expression e) {
        if (e instanceof Select) return "subquery";
        return describe(e);
    }
}
