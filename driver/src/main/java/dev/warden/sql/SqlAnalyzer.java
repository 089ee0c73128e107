package dev.warden.sql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.ResetStatement;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.ShowStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;

/**
 * Turns a lexed statement into a {@link Plan} with JSqlParser. Thread-safe; never throws for bad SQL
 * (a parse failure is a Plan with a problem). Costs 50-500 µs: callers cache the result.
 *
 * <p>The text analysed is {@link LexedSql#normalized()}, in which every literal and parameter is a {@code ?};
 * each JdbcParameter is mapped back to its slot by its offset in that text. A text with several statements is
 * cut at its top-level semicolons and each statement analysed on its own; the plans are merged (tables, uses
 * and problems united, outputs of the last statement, kind of the first statement that is not a
 * transaction command).
 */
public final class SqlAnalyzer {

    private final BoundedParser parser;

    /** An analyzer parsing on the JVM's shared bounded parser (see {@link BoundedParser}). */
    public SqlAnalyzer() {
        this(BoundedParser.SHARED);
    }

    SqlAnalyzer(BoundedParser parser) {
        this.parser = parser;
    }

    public Plan analyze(LexedSql sql, Catalog catalog) {
        try {
            return analyzeAll(sql, catalog);
        } catch (RuntimeException | StackOverflowError e) {
            return new Plan(kindOfWord(SqlLexer.firstWord(sql.normalized())), Set.of(), null, List.of(), List.of(),
                    List.of("analysis failed: " + e.getClass().getSimpleName()));
        }
    }

    private Plan analyzeAll(LexedSql sql, Catalog catalog) {
        String text = sql.normalized();
        int[] semis = SqlLexer.semicolons(text);
        List<Plan> plans = new ArrayList<>(semis.length + 1);
        int from = 0;
        for (int k = 0; k <= semis.length; k++) {
            int to = k < semis.length ? semis[k] : text.length();
            String piece = text.substring(from, to);
            boolean nonEmpty = semis.length == 0 ? sql.statementCount() > 0 : SqlLexer.lex(piece).statementCount() > 0;
            if (nonEmpty) plans.add(analyzeOne(piece, from, sql, catalog));
            from = to + 1;
        }
        if (plans.isEmpty()) {
            return new Plan(StatementKind.OTHER, Set.of(), null, List.of(), List.of(), List.of());
        }
        if (plans.size() == 1) return plans.get(0);
        StatementKind kind = StatementKind.TRANSACTION;
        TableName target = null;
        Set<TableName> tables = new LinkedHashSet<>();
        List<ColumnUse> uses = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Plan p : plans) {
            if (kind == StatementKind.TRANSACTION) kind = p.kind();
            if (target == null) target = p.writeTarget();
            tables.addAll(p.tables());
            uses.addAll(p.uses());
            for (String problem : p.problems()) {
                if (!problems.contains(problem)) problems.add(problem);
            }
        }
        return new Plan(kind, Set.copyOf(tables), target, plans.get(plans.size() - 1).outputs(), List.copyOf(uses),
                List.copyOf(problems));
    }

    private Plan analyzeOne(String piece, int offset, LexedSql sql, Catalog catalog) {
        String first = SqlLexer.firstWord(piece);
        switch (first) {
            case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release" -> {
                return simple(StatementKind.TRANSACTION, null);
            }
            case "set", "show", "reset" -> {
                return simple(StatementKind.SET, null);
            }
            case "listen", "unlisten", "notify" -> {
                // exactly a channel name and (NOTIFY) one constant payload: no table is read or written, whatever
                // the words say ("LISTEN customers", "NOTIFY jobs, 'customers changed'"); any other shape goes to
                // the parser, so text read differently from the server is not waved through
                if (isNotificationCommand(piece)) return simple(StatementKind.OTHER, null);
            }
            case "copy" -> {
                return copy(piece, offset, sql, catalog);
            }
            case "do" -> {
                return simple(StatementKind.OTHER, "DO is not supported on analysed statements");
            }
            case "create", "alter", "comment", "grant", "revoke", "analyze", "analyse", "vacuum", "cluster", "reindex" -> {
                SchemaChange change = SchemaChangeReader.read(piece);
                if (change != null) {
                    Set<TableName> tables = change.tables();
                    return new Plan(StatementKind.DDL, Set.copyOf(tables), tables.isEmpty() ? null : tables.iterator().next(),
                            List.of(), List.of(), change.unanalysed() == null ? List.of() : List.of(change.unanalysed()),
                            change);
                }
                if (!first.equals("create") && !first.equals("alter")) break;
                List<TableName> targets = DdlTargets.of(piece);
                if (targets != null) {
                    return new Plan(StatementKind.DDL, Set.copyOf(targets), targets.get(0), List.of(), List.of(),
                            List.of());
                }
            }
            case "drop" -> {
                List<TableName> targets = DdlTargets.of(piece);
                if (targets != null) {
                    // the tables changed, and nothing else: a REFERENCES clause reads no data
                    return new Plan(StatementKind.DDL, Set.copyOf(targets), targets.get(0), List.of(), List.of(),
                            List.of());
                }
            }
            default -> { }
        }
        Statement statement;
        try {
            statement = parser.parse(ParserSpelling.forParser(piece));
        } catch (BoundedParser.Refusal e) {
            return simple(kindOfWord(first), refusal(e));
        } catch (JSQLParserException | RuntimeException e) {
            return simple(kindOfWord(first), "cannot parse statement");
        }
        if (statement == null) return simple(StatementKind.OTHER, null);
        StatementAnalysis a = new StatementAnalysis(sql, offset, offset + piece.length(), catalog);
        a.countParameters(statement);
        try {
            return dispatch(statement, a, first);
        } catch (RuntimeException e) {
            return new StatementAnalysis(sql, offset, offset + piece.length(), catalog).failed(kindOfWord(first), statement, e);
        }
    }

    private static Plan dispatch(Statement statement, StatementAnalysis a, String first) {
        if (statement instanceof Select select) {
            a.topSelect(select);
            return a.plan(StatementKind.SELECT, statement);
        }
        if (statement instanceof Insert insert) {
            a.insert(insert);
            return a.plan(StatementKind.INSERT, statement);
        }
        if (statement instanceof Update update) {
            a.update(update);
            return a.plan(StatementKind.UPDATE, statement);
        }
        if (statement instanceof Delete delete) {
            a.delete(delete);
            return a.plan(StatementKind.DELETE, statement);
        }
        if (statement instanceof Commit || statement instanceof RollbackStatement
                || statement instanceof SavepointStatement) {
            return simple(StatementKind.TRANSACTION, null);
        }
        if (statement instanceof SetStatement || statement instanceof ShowStatement
                || statement instanceof ResetStatement) {
            return simple(StatementKind.SET, null);
        }
        StatementKind kind;
        if (statement instanceof Merge) {
            kind = StatementKind.MERGE;
        } else if (statement instanceof Truncate) {
            kind = StatementKind.TRUNCATE;
        } else {
            String name = statement.getClass().getSimpleName();
            kind = name.startsWith("Create") || name.startsWith("Alter") || name.startsWith("Drop")
                    || name.startsWith("Grant") || name.startsWith("Comment") || name.startsWith("Rename")
                    ? StatementKind.DDL : kindOfWord(first);
        }
        return a.unsupported(kind, statement, (kind == StatementKind.OTHER ? first.toUpperCase(Locale.ROOT) : kind.name())
                + " is not supported on analysed statements");
    }

    /** COPY does not parse with JSqlParser: take the table name (or the query) by hand. */
    private Plan copy(String piece, int offset, LexedSql sql, Catalog catalog) {
        String problem = "COPY is not supported on analysed statements";
        SqlTokens t = SqlLexer.tokens(piece, SqlLexer.Dialect.JDBC);
        int copy = 0;
        while (copy < t.count() && !t.isWord(copy, "copy")) copy++;
        int i = copy + 1;
        if (i < t.count() && t.is(i, "(")) {
            int depth = 0;
            int end = -1;
            for (int k = i; k < t.count(); k++) {
                if (t.is(k, "(")) depth++;
                if (t.is(k, ")") && --depth == 0) {
                    end = k;
                    break;
                }
            }
            if (end > 0) {
                String query = piece.substring(t.end(i), t.start(end));
                int queryOffset = offset + t.end(i);
                try {
                    Statement st = parser.parse(ParserSpelling.forParser(query));
                    StatementAnalysis a = new StatementAnalysis(sql, queryOffset, queryOffset + query.length(), catalog);
                    return a.unsupported(StatementKind.COPY, st, problem);
                } catch (BoundedParser.Refusal e) {
                    return new Plan(StatementKind.COPY, Set.of(), null, List.of(), List.of(), List.of(problem, refusal(e)));
                } catch (JSQLParserException | RuntimeException e) {
                    return simple(StatementKind.COPY, problem);
                }
            }
            return simple(StatementKind.COPY, problem);
        }
        // the table's name: its parts and dots, written without a gap
        int last = i;
        while (last < t.count() && (t.kind(last) == SqlTokens.Kind.WORD || t.kind(last) == SqlTokens.Kind.QUOTED_IDENTIFIER
                || t.is(last, ".")) && (last == i || t.start(last) == t.end(last - 1))) {
            last++;
        }
        String name = last == i ? "" : piece.substring(t.start(i), t.end(last - 1));
        TableName table = StatementAnalysis.tableName(name);
        return new Plan(StatementKind.COPY, table == null ? Set.of() : Set.of(table), null, List.of(), List.of(),
                List.of(problem));
    }

    /** {@code LISTEN name}, {@code UNLISTEN name | *} or {@code NOTIFY name [, ?]} and nothing else. */
    static boolean isNotificationCommand(String piece) {
        List<String> t = SchemaChangeReader.tokens(piece);
        if (t == null || t.size() < 2) return false;
        boolean channel = SchemaChangeReader.isName(t.get(1));
        return switch (t.get(0)) {
            case "listen" -> t.size() == 2 && channel;
            case "unlisten" -> t.size() == 2 && (channel || t.get(1).equals("*"));
            case "notify" -> channel && (t.size() == 2 || (t.size() == 4 && t.get(2).equals(",") && t.get(3).equals("?")));
            default -> false;
        };
    }

    /** The problem a parser refusal puts in the plan; one that may pass another time is marked so. */
    private static String refusal(BoundedParser.Refusal e) {
        return e.isTransient() ? Plan.TRANSIENT + e.getMessage() : e.getMessage();
    }

    private static Plan simple(StatementKind kind, String problem) {
        return new Plan(kind, Set.of(), null, List.of(), List.of(), problem == null ? List.of() : List.of(problem));
    }

    private static StatementKind kindOfWord(String first) {
        return switch (first) {
            case "select", "with", "values", "table" -> StatementKind.SELECT;
            case "insert" -> StatementKind.INSERT;
            case "update" -> StatementKind.UPDATE;
            case "delete" -> StatementKind.DELETE;
            case "merge" -> StatementKind.MERGE;
            case "create", "alter", "drop", "comment", "grant", "revoke", "analyze", "analyse", "vacuum", "cluster",
                 "reindex" -> StatementKind.DDL;
            case "truncate" -> StatementKind.TRUNCATE;
            case "copy" -> StatementKind.COPY;
            case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release" -> StatementKind.TRANSACTION;
            case "set", "show", "reset" -> StatementKind.SET;
            default -> StatementKind.OTHER;
        };
    }
}
