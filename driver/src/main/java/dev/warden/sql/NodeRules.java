package dev.warden.sql;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import net.sf.jsqlparser.expression.*;
import net.sf.jsqlparser.expression.operators.arithmetic.*;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.conditional.XorExpression;
import net.sf.jsqlparser.expression.operators.relational.*;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Block;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.DeclareStatement;
import net.sf.jsqlparser.statement.DescribeStatement;
import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.IfElseStatement;
import net.sf.jsqlparser.statement.PurgeStatement;
import net.sf.jsqlparser.statement.ResetStatement;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.ShowColumnsStatement;
import net.sf.jsqlparser.statement.ShowStatement;
import net.sf.jsqlparser.statement.UnsupportedStatement;
import net.sf.jsqlparser.statement.UseStatement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterSession;
import net.sf.jsqlparser.statement.alter.AlterSystemStatement;
import net.sf.jsqlparser.statement.alter.RenameTableStatement;
import net.sf.jsqlparser.statement.alter.sequence.AlterSequence;
import net.sf.jsqlparser.statement.analyze.Analyze;
import net.sf.jsqlparser.statement.comment.Comment;
import net.sf.jsqlparser.statement.create.function.CreateFunction;
import net.sf.jsqlparser.statement.create.index.CreateIndex;
import net.sf.jsqlparser.statement.create.procedure.CreateProcedure;
import net.sf.jsqlparser.statement.create.schema.CreateSchema;
import net.sf.jsqlparser.statement.create.sequence.CreateSequence;
import net.sf.jsqlparser.statement.create.synonym.CreateSynonym;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.execute.Execute;
import net.sf.jsqlparser.statement.grant.Grant;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.piped.FromQuery;
import net.sf.jsqlparser.statement.refresh.RefreshMaterializedViewStatement;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FunctionAllColumns;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.TableStatement;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.show.ShowIndexStatement;
import net.sf.jsqlparser.statement.show.ShowTablesStatement;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;
import net.sf.jsqlparser.util.cnfexpression.MultiAndExpression;
import net.sf.jsqlparser.util.cnfexpression.MultiOrExpression;

/**
 * The explicit verdict of the analyzer on every JSqlParser node type: each concrete {@code Expression},
 * {@code Statement}, {@code FromItem} and {@code SelectItem} class of JSqlParser 5.3 is named here, either
 * with the rule the analysis applies to it or as refused. A class not named here (a JSqlParser upgrade) is
 * refused at run time, and {@code NodeRulesTest} fails the build until someone decides. Immutable, thread-safe.
 *
 * <p>Nothing is ever skipped: every child of every node is visited (see {@link NodeChildren}), so a column
 * inside any construct, however it is spelled, is reported.
 */
final class NodeRules {

    /** What the analysis does with an expression node. */
    enum Rule {
        /** A constant: no children that matter (its children, if any, are still visited). */
        LEAF,
        /** A grouping with no meaning of its own (lists, parentheses): children keep the enclosing detail. */
        WRAPPER,
        /** The server computes on its operands: every column inside is UNSUPPORTED (or COPIED). */
        COMPUTED,
        /** Has its own code in {@link StatementAnalysis} (columns, parameters, functions, subqueries...). */
        SPECIAL,
        /** Not understood or not PostgreSQL: a problem whenever it appears, children still reported. */
        REFUSED
    }

    private static final Map<Class<?>, Rule> EXPRESSIONS = new HashMap<>();

    private static void rule(Rule rule, Class<?>... classes) {
        for (Class<?> c : classes) {
            if (EXPRESSIONS.put(c, rule) != null) throw new IllegalStateException("two rules for " + c);
        }
    }

    static {
        rule(Rule.LEAF, LongValue.class, DoubleValue.class, StringValue.class, NullValue.class, BooleanValue.class,
                DateValue.class, TimeValue.class, TimestampValue.class, HexValue.class, DateTimeLiteralExpression.class,
                TimeKeyExpression.class, NextValExpression.class);
        rule(Rule.WRAPPER, ExpressionList.class, ParenthesedExpressionList.class, NamedExpressionList.class,
                Parenthesis.class, WhenClause.class);
        rule(Rule.COMPUTED,
                // arithmetic and string operators
                Addition.class, Subtraction.class, Multiplication.class, Division.class, IntegerDivision.class,
                Modulo.class, SignedExpression.class, Concat.class, BitwiseAnd.class, BitwiseOr.class,
                BitwiseXor.class, BitwiseLeftShift.class, BitwiseRightShift.class,
                // comparisons and predicates (in boolean positions the simple ones have their own code first)
                EqualsTo.class, NotEqualsTo.class, GreaterThan.class, GreaterThanEquals.class, MinorThan.class,
                MinorThanEquals.class, Between.class, InExpression.class, IsNullExpression.class,
                IsBooleanExpression.class, IsUnknownExpression.class, IsDistinctExpression.class,
                LikeExpression.class, SimilarToExpression.class, RegExpMatchOperator.class,
                AnyComparisonExpression.class, OverlapsCondition.class, AndExpression.class, OrExpression.class,
                NotExpression.class,
                // PostgreSQL operators JSqlParser has a node for: &&, @>, <@, @@, <->, <=>, JSON operators
                DoubleAnd.class, Contains.class, ContainedBy.class, Matches.class, GeometryDistance.class,
                CosineSimilarity.class, JsonOperator.class, JsonExpression.class,
                // special syntax: each is a function the server computes on its arguments
                CaseExpression.class, CastExpression.class, CollateExpression.class, TimezoneExpression.class,
                ExtractExpression.class, TrimFunction.class, IntervalExpression.class, ArrayConstructor.class,
                ArrayExpression.class, RangeExpression.class, RowConstructor.class, RowGetExpression.class,
                JsonFunction.class, JsonAggregateFunction.class,
                XMLSerializeExpr.class, TranscodingFunction.class);
        rule(Rule.SPECIAL, Column.class, JdbcParameter.class, Function.class, AnalyticExpression.class,
                AllColumns.class, AllTableColumns.class, ExistsExpression.class, ParenthesedSelect.class,
                PlainSelect.class, SetOperationList.class, LateralSubSelect.class, Values.class);
        rule(Rule.REFUSED,
                // not PostgreSQL, or not something the analysis can place
                AllValue.class, ConnectByPriorOperator.class, ConnectByRootOperator.class,
                OracleHierarchicalExpression.class, OracleHint.class, OracleNamedFunctionParameter.class,
                HighExpression.class, LowExpression.class, Inverse.class, JdbcNamedParameter.class,
                NumericBind.class, KeepExpression.class, LambdaExpression.class, MySQLGroupConcat.class,
                StructType.class, UserVariable.class, VariableAssignment.class, XorExpression.class,
                ExcludesExpression.class, IncludesExpression.class, MemberOfExpression.class,
                FullTextSearch.class, Plus.class, PriorTo.class, TSQLLeftJoin.class, TSQLRightJoin.class,
                FunctionAllColumns.class, TableFunction.class, TableStatement.class, FromQuery.class,
                MultiAndExpression.class, MultiOrExpression.class, Function.HavingClause.class);
    }

    /** Statements {@code SqlAnalyzer} analyses or waves through as session commands. */
    static final Set<Class<?>> HANDLED_STATEMENTS = Set.of(PlainSelect.class, SetOperationList.class,
            ParenthesedSelect.class, Values.class, Insert.class, Update.class, Delete.class, Commit.class,
            RollbackStatement.class, SavepointStatement.class, SetStatement.class, ShowStatement.class,
            ResetStatement.class);

    /**
     * Statements refused on protected tables (the DDL among them is read by {@link SchemaChangeReader} from the
     * text before any parse; what reaches the parser is refused whole).
     */
    static final Set<Class<?>> REFUSED_STATEMENTS = Set.of(Block.class, DeclareStatement.class,
            DescribeStatement.class, ExplainStatement.class, IfElseStatement.class, PurgeStatement.class,
            ShowColumnsStatement.class, UnsupportedStatement.class, UseStatement.class, Alter.class,
            AlterSession.class, AlterSystemStatement.class, RenameTableStatement.class, AlterSequence.class,
            Analyze.class, Comment.class, CreateFunction.class, CreateIndex.class, CreateProcedure.class,
            CreateSchema.class, CreateSequence.class, CreateSynonym.class, CreateTable.class, AlterView.class,
            CreateView.class, ParenthesedDelete.class, Drop.class, Execute.class, Grant.class,
            ParenthesedInsert.class, Merge.class, FromQuery.class, RefreshMaterializedViewStatement.class,
            LateralSubSelect.class, TableStatement.class, ShowIndexStatement.class, ShowTablesStatement.class,
            Truncate.class, ParenthesedUpdate.class, Upsert.class);

    /** FROM items with their own code in {@code StatementAnalysis.fromItem}. */
    static final Set<Class<?>> HANDLED_FROM_ITEMS = Set.of(Table.class, ParenthesedSelect.class,
            LateralSubSelect.class, TableFunction.class, Values.class, ParenthesedFromItem.class);

    /** FROM items refused (not PostgreSQL syntax JSqlParser also accepts there). */
    static final Set<Class<?>> REFUSED_FROM_ITEMS = Set.of(FromQuery.class, PlainSelect.class,
            SetOperationList.class, TableStatement.class);

    /** Select items: the one class, read by {@code StatementAnalysis.selectItems}. */
    static final Set<Class<?>> HANDLED_SELECT_ITEMS = Set.of(SelectItem.class);

    private NodeRules() {
    }

    /** The rule for an expression class; REFUSED for any class not named here. */
    static Rule expression(Class<?> type) {
        Rule rule = EXPRESSIONS.get(type);
        return rule == null ? Rule.REFUSED : rule;
    }

    /** Whether the class is named here at all (for the completeness test). */
    static boolean namesExpression(Class<?> type) {
        return EXPRESSIONS.containsKey(type);
    }
}
