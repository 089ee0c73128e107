package dev.warden.sql;

/**
 * Turns a lexed statement into a {@link Plan} with JSqlParser. Thread-safe; never throws for bad SQL
 * (a parse failure is a Plan with a problem). Costs 50-500 µs: callers cache the result.
 */
public final class SqlAnalyzer {
    public Plan analyze(LexedSql sql, Catalog catalog) {
        throw new UnsupportedOperationException("TODO sql");
    }
}
