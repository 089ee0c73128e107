package dev.warden.sql;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Reads a {@link RowBound} from one normalised statement (literals and parameters are {@code ?}). An allowlist:
 * every clause and node not named here makes the statement {@link RowBound.Unbounded}. Stateless.
 */
final class RowBoundReader {

    private RowBoundReader() {}

    /** The bound of {@code normalized}, or null when the parser was too busy to say (ask again later). */
    static RowBound read(String normalized) {
        Statement statement;
        try {
            statement = BoundedParser.SHARED.parse(normalized);
        } catch (BoundedParser.Refusal refusal) {
            return refusal.isTransient() ? null : RowBound.UNBOUNDED;
        } catch (JSQLParserException | RuntimeException | StackOverflowError e) {
            return RowBound.UNBOUNDED;
        }
        return statement instanceof PlainSelect select ? read(select) : RowBound.UNBOUNDED;
    }

    private static RowBound read(PlainSelect s) {
        if (!plain(s)) return RowBound.UNBOUNDED;
        RowBound limited = limit(s);
        if (limited != null) return limited;
        if (s.getLimit() != null || s.getFetch() != null || s.getDistinct() != null) return RowBound.UNBOUNDED;
        if (s.getFromItem() == null) {
            return s.getJoins() == null && selectList(s, null) ? RowBound.AT_MOST_ONE : RowBound.UNBOUNDED;
        }
        if (!(s.getFromItem() instanceof Table table) || !singleTable(s, table)) return RowBound.UNBOUNDED;
        if (!selectList(s, table)) return RowBound.UNBOUNDED;
        Set<String> equal = new HashSet<>();
        for (Expression conjunct : conjuncts(s.getWhere())) {
            String column = equalityColumn(conjunct, table);
            if (column != null) equal.add(column);
        }
        TableName name = StatementAnalysis.tableName(table);
        return equal.isEmpty() || name == null ? RowBound.UNBOUNDED : new RowBound.KeyLookup(name, equal);
    }

    /** No clause that could add rows or that this reader does not know (WITH, GROUP BY, INTO, window...). */
    private static boolean plain(PlainSelect s) {
        return s.getWithItemsList() == null && s.getGroupBy() == null && s.getHaving() == null
                && s.getQualify() == null && s.getWindowDefinitions() == null && s.getIntoTables() == null
                && s.getIntoTempTable() == null && s.getLateralViews() == null && s.getOracleHierarchical() == null
                && s.getLimitBy() == null && s.getForClause() == null && s.getPivot() == null && s.getUnPivot() == null
                && s.getTop() == null && s.getFirst() == null && s.getSkip() == null && s.getSampleClause() == null;
    }

    /**
     * {@code LIMIT ?} or {@code FETCH FIRST ? ROWS ONLY} with the count a slot of the text ({@link RowBound.Limited}),
     * {@code FETCH FIRST ROW ONLY} (one row), or null when the statement has no such clause.
     */
    private static RowBound limit(PlainSelect s) {
        Limit limit = s.getLimit();
        Fetch fetch = s.getFetch();
        if (limit != null && fetch != null) return null;
        if (limit != null) {
            if (limit.isLimitAll() || limit.isLimitNull() || limit.getByExpressions() != null) return null;
            return slot(limit.getRowCount());
        }
        if (fetch != null) {
            // WITH TIES may return more rows than the count; PERCENT is no count at all
            for (String word : fetch.getFetchParameters()) {
                if (!word.equalsIgnoreCase("ROW") && !word.equalsIgnoreCase("ROWS") && !word.equalsIgnoreCase("ONLY")) {
                    return null;
                }
            }
            if (!fetch.getFetchParameters().stream().anyMatch(w -> w.equalsIgnoreCase("ONLY"))) return null;
            if (fetch.getExpression() == null) return fetch.getFetchJdbcParameter() == null ? RowBound.AT_MOST_ONE : null;
            return slot(fetch.getExpression());
        }
        return null;
    }

    /** The count as a slot of the normalised text (JSqlParser numbers its {@code ?} from 1, in text order). */
    private static RowBound slot(Expression count) {
        if (count instanceof JdbcParameter p && p.getIndex() != null && !p.isUseFixedIndex() && p.getIndex() > 0) {
            return new RowBound.Limited(p.getIndex() - 1);
        }
        return null;
    }

    /** One plain table, nothing joined to it, no table sample. */
    private static boolean singleTable(PlainSelect s, Table table) {
        return (s.getJoins() == null || s.getJoins().isEmpty()) && table.getSampleClause() == null
                && table.getPivot() == null && table.getUnPivot() == null && table.getDatabaseName() == null
                && table.getName() != null;
    }

    /**
     * True when every select item is a column (of {@code table}), {@code *}, a literal, a parameter, or a cast of
     * one of these: no function call, so no set-returning function multiplies the rows, and no subquery.
     */
    private static boolean selectList(PlainSelect s, Table table) {
        List<SelectItem<?>> items = s.getSelectItems();
        if (items == null || items.isEmpty()) return false;
        for (SelectItem<?> item : items) {
            Expression e = item.getExpression();
            boolean ok = value(e) || table != null && (e instanceof Column || e instanceof AllColumns
                    && e.getClass() == AllColumns.class || e instanceof AllTableColumns);
            if (!ok) return false;
        }
        return true;
    }

    /**
     * A literal or a parameter (every literal is a {@code ?} in a normalised text), or a cast of one, in brackets
     * or not (pgjdbc's simple mode sends a parameter as {@code ('7'::int4)}).
     */
    private static boolean value(Expression e) {
        if (e instanceof CastExpression cast) return cast.getLeftExpression() != null && value(cast.getLeftExpression());
        if (e instanceof Parenthesis p) return value(p.getExpression());
        if (e instanceof ParenthesedExpressionList<?> list) return list.size() == 1 && value(list.get(0));
        return e instanceof JdbcParameter || e instanceof LongValue || e instanceof StringValue
                || e instanceof DoubleValue || e instanceof BooleanValue || e instanceof NullValue;
    }

    /** The top-level conjuncts of a WHERE (none when there is no WHERE). */
    private static List<Expression> conjuncts(Expression where) {
        List<Expression> out = new ArrayList<>();
        List<Expression> todo = new ArrayList<>();
        if (where != null) todo.add(where);
        while (!todo.isEmpty()) {
            Expression e = todo.remove(todo.size() - 1);
            if (e instanceof AndExpression and) {
                todo.add(and.getLeftExpression());
                todo.add(and.getRightExpression());
            } else if (e instanceof Parenthesis p) {
                todo.add(p.getExpression());
            } else if (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
                todo.add(list.get(0));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    /** The column of {@code column = value} (either way round) when it is a column of {@code table}, else null. */
    private static String equalityColumn(Expression conjunct, Table table) {
        if (!(conjunct instanceof EqualsTo eq) || eq.getOldOracleJoinSyntax() != 0) return null;
        Expression column = eq.getLeftExpression();
        Expression value = eq.getRightExpression();
        if (!(column instanceof Column)) {
            column = eq.getRightExpression();
            value = eq.getLeftExpression();
        }
        if (!(column instanceof Column c) || !value(value) || c.getColumnName() == null) return null;
        Table qualifier = c.getTable();
        if (qualifier != null && qualifier.getName() != null && !qualifies(qualifier, table)) return null;
        return StatementAnalysis.fold(c.getColumnName());
    }

    /** True when {@code qualifier} names {@code table}: its alias when it has one, else its name. */
    private static boolean qualifies(Table qualifier, Table table) {
        if (qualifier.getSchemaName() != null && table.getAlias() != null) return false;
        String name = StatementAnalysis.fold(qualifier.getName());
        if (table.getAlias() != null) return name.equals(StatementAnalysis.fold(table.getAlias().getName()));
        if (qualifier.getSchemaName() != null && !StatementAnalysis.fold(qualifier.getSchemaName())
                .equals(table.getSchemaName() == null ? null : StatementAnalysis.fold(table.getSchemaName()))) {
            return false;
        }
        return name.equals(StatementAnalysis.fold(table.getName()));
    }
}
