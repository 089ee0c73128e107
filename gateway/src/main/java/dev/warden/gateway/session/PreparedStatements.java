package dev.warden.gateway.session;

import static dev.warden.gateway.session.SessionContext.closeQuietly;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A session's prepared statements (Parse, Close 'S'), named and unnamed, each with the backend statement it was
 * prepared as. A statement closed while portals still read from it keeps its backend statement until the last
 * of them closes ({@link Portals}). Not thread-safe: the session's thread only.
 */
final class PreparedStatements {

    /** A parsed statement (named or unnamed). */
    static final class Prepared {
        final String name;
        final String sql;
        final StatementKind kind;
        final SqlText.JdbcSql jdbc;
        final int[] declared;
        PreparedStatement ps;
        int[] resolved;
        int portals;
        /** Result columns of the last execution and the result formats they were built for. */
        ResultColumn[] columns;
        /** Whether the query's result is bounded by its shape ({@link TransactionState#boundedQuery}), as of {@link #boundedAsOf}. */
        boolean bounded;
        /** The {@link TransactionState#tablesRead} the verdict was made with; -1: none yet. */
        long boundedAsOf = -1;
        short[] columnFormats;
        boolean closed;
        /** SET/RESET/SHOW client_encoding, which the gateway answers itself (no backend statement); else null. */
        ClientEncodingCommand encodingCommand;

        Prepared(String name, String sql, int[] declared) {
            this.name = name;
            this.sql = sql;
            this.kind = StatementKind.of(sql);
            this.jdbc = SqlText.toJdbc(sql);
            this.declared = Arrays.copyOf(declared, Math.max(declared.length, jdbc.parameterCount()));
        }

        boolean empty() {
            return sql.isEmpty();
        }

        /** {@link TransactionState#boundedQuery} of this statement, judged once until the unique keys are forgotten. */
        boolean bounded(TransactionState transaction) {
            if (boundedAsOf != transaction.tablesRead()) {
                bounded = transaction.boundedQuery(jdbc.sql());
                boundedAsOf = transaction.tablesRead();
            }
            return bounded;
        }
    }

    private final Map<String, Prepared> byName = new HashMap<>();

    /** True when a named statement of that name exists (the unnamed one is replaced by each Parse). */
    boolean namedExists(String name) {
        return !name.isEmpty() && byName.containsKey(name);
    }

    /** Adds {@code p}, replacing (and releasing) the statement of its name. */
    void add(Prepared p) {
        Prepared old = byName.put(p.name, p);
        if (old != null) {
            release(old);
        }
    }

    /** The statement of that name; 26000 when there is none. */
    Prepared get(String name) throws SQLException {
        Prepared p = byName.get(name);
        if (p == null) {
            throw new SQLException(name.isEmpty() ? "unnamed prepared statement does not exist"
                    : "prepared statement \"" + name + "\" does not exist", "26000");
        }
        return p;
    }

    /** Close 'S': a statement that does not exist is no error. */
    void close(String name) {
        Prepared p = byName.remove(name);
        if (p != null) {
            release(p);
        }
    }

    /** At the session's end: every backend statement closes, whatever portals still read from it. */
    void closeAll() {
        for (Prepared p : byName.values()) {
            closeQuietly(p.ps);
        }
        byName.clear();
    }

    private static void release(Prepared p) {
        p.closed = true;
        if (p.portals == 0) {
            closeQuietly(p.ps);
        }
    }
}
