package dev.warden.gateway.session;

import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientOutput;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The simple query protocol of one session: each statement of a query string in turn, stopping at the first
 * that fails. Outside a transaction block, a single statement that is not a query, or a query whose result its
 * shape bounds, runs as one autocommit statement, as PostgreSQL runs it; several statements, or a query of
 * unbounded result, run in one implicit transaction (as PostgreSQL's implicit transaction block, which also
 * lets the driver fetch a result in chunks) unless they control transactions themselves. COPY goes to the
 * {@link CopyRelay}; SET/RESET/SHOW client_encoding is answered here ({@link ClientEncodingCommand}). Not
 * thread-safe: the session's thread only.
 */
final class SimpleQueryRunner {

    private final SessionContext ctx;
    private final ClientOutput out;
    private final TransactionState transaction;
    private final ResultStreamer results;
    private final SessionNotifications notifications;
    private final CopyRelay copy;
    private final ClientEncodingRunner encodingCommands;

    SimpleQueryRunner(SessionContext ctx, SessionNotifications notifications, CopyRelay copy) {
        this.ctx = ctx;
        this.out = ctx.out;
        this.transaction = ctx.transaction;
        this.results = ctx.results;
        this.notifications = notifications;
        this.copy = copy;
        this.encodingCommands = new ClientEncodingRunner(ctx);
    }

    /** Answers a simple query up to, not including, its ReadyForQuery. */
    void run(String sql) {
        List<String> parts = SqlText.split(sql);
        StatementKind single = parts.size() == 1 ? StatementKind.of(parts.get(0)) : null;
        if (parts.isEmpty()) {
            BackendMessages.emptyQueryResponse(out.buf());
        } else if (single != null && !(transaction.status() == 'I' && single.isQuery()
                && !transaction.boundedQuery(parts.get(0)))) {
            // one statement that is not a query, or a query inside a block, or one whose shape bounds its result:
            // as is (outside a block: one autocommit statement on the backend, as PostgreSQL itself runs it)
            runSimple(parts.get(0), single);
        } else {
            // several statements, or one query of unbounded result outside a block: one implicit transaction,
            // which lets the driver fetch a query's result in chunks instead of holding it whole (bounded memory
            // per session)
            runMany(parts);
        }
    }

    private void runMany(List<String> parts) {
        boolean implicit = transaction.status() == 'I';
        for (String p : parts) {
            if (StatementKind.of(p).isTransactionControl()) {
                implicit = false;
            }
        }
        if (!implicit) {
            for (String p : parts) {
                if (!runSimple(p, StatementKind.of(p))) {
                    return;
                }
            }
            return;
        }
        boolean ok = true;
        transaction.managed(true);
        try {
            ctx.conn.setAutoCommit(false);
            for (String p : parts) {
                if (!runSimple(p, StatementKind.of(p))) {
                    ok = false;
                    break;
                }
            }
        } catch (SQLException e) {
            ok = false;
            ctx.sendError(e);
        } finally {
            try {
                if (ok) {
                    ctx.conn.commit();
                    notifications.committed();
                } else {
                    ctx.conn.rollback();
                }
            } catch (SQLException e) {
                ctx.sendError(e);
            }
            try {
                ctx.conn.setAutoCommit(true);
            } catch (SQLException e) {
                ctx.sendError(e);
            }
            transaction.managed(false);
        }
    }

    /** Runs one statement of a simple query, of kind {@code k}; false when it failed (the error has been sent). */
    private boolean runSimple(String sql, StatementKind k) {
        ClientEncodingCommand encodingCommand = ClientEncodingCommand.of(sql, k);
        if (encodingCommand != null) {
            return runEncodingCommand(encodingCommand, k, sql);
        }
        try {
            notifications.beforeStatement(k);
            transaction.syncAutoCommit();
            if (k.isCopyIn()) {
                copy.copyIn(ctx.engine, sql);
            } else if (k.isCopyOut()) {
                // a query the engine must read (it names a protected table) has its rows encoded here, after the
                // engine decrypted or masked them; anything else (a table, a query naming no protected table, an
                // option the gateway does not encode) is the server's own COPY, refused on protected tables
                CopyQuery query = CopyQuery.parse(sql);
                if (query != null && !ctx.engine.namesNoProtectedTable(sql)) {
                    copy.copyQueryOut(ctx.conn, query, SessionContext.FETCH_SIZE);
                } else {
                    copy.copyOut(ctx.engine, sql);
                }
            } else {
                Statement st = ctx.simple;
                PreparedStatement inBlock = null;
                if (transaction.status() != 'I' || transaction.inManaged()) {
                    // Inside a transaction block the statement goes through the extended protocol, which lets
                    // the driver fetch a large result in chunks; outside one, a plain simple query is cheaper.
                    SqlText.JdbcSql jdbcSql = SqlText.toJdbc(sql);
                    if (jdbcSql.parameterCount() == 0) {
                        inBlock = ctx.conn.prepareStatement(jdbcSql.sql());
                        inBlock.setFetchSize(SessionContext.FETCH_SIZE);
                        st = inBlock;
                    }
                }
                try {
                    results.running(st);
                    boolean hasRs;
                    try {
                        hasRs = inBlock != null ? inBlock.execute() : ctx.simple.execute(sql);
                    } finally {
                        results.stopped();
                    }
                    ctx.sendWarnings(st);
                    if (hasRs) {
                        try (ResultSet rs = st.getResultSet()) {
                            ResultColumn[] cols = ResultColumn.describe(ctx.engine, rs.getMetaData(), null);
                            results.rowDescription(cols);
                            results.streamCancellable(st, rs, cols, 0);
                            BackendMessages.commandComplete(out.buf(), k.tag(true, results.rowsWritten(), transaction.status()));
                        }
                    } else {
                        BackendMessages.commandComplete(out.buf(), k.tag(false, st.getUpdateCount(), transaction.status()));
                    }
                } finally {
                    if (inBlock != null) {
                        inBlock.close();
                    }
                }
            }
            char before = transaction.status();
            transaction.succeeded(k);
            transaction.afterStatement(k);
            notifications.afterSuccess(k, sql, before);
            ctx.reportSettings(k);
            return true;
        } catch (SQLException e) {
            ctx.sendError(e);
            transaction.failed(k);
            return false;
        }
    }

    /** SET/RESET/SHOW client_encoding ({@link ClientEncodingRunner}); false when it failed (the error has been sent). */
    private boolean runEncodingCommand(ClientEncodingCommand c, StatementKind k, String sql) {
        try {
            encodingCommands.run(c, k, sql, true);
            transaction.succeeded(k);
            return true;
        } catch (SQLException e) {
            ctx.sendError(e);
            transaction.failed(k);
            return false;
        }
    }
}
