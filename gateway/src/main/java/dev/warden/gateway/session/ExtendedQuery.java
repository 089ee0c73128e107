package dev.warden.gateway.session;

import static dev.warden.gateway.session.SessionContext.closeQuietly;

import dev.warden.gateway.backend.PgjdbcInternals;
import dev.warden.gateway.backend.TypedText;
import dev.warden.gateway.session.Portals.Portal;
import dev.warden.gateway.session.PreparedStatements.Prepared;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.ParameterBinder;
import dev.warden.gateway.wire.PgFrame;
import dev.warden.gateway.wire.PgTypeCatalog;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * The extended query protocol of one session: Parse, Bind, Describe, Execute, Close and Sync over its
 * {@link PreparedStatements} and {@link Portals}. A portal is executed once, at its Describe or first Execute,
 * and its result streamed in parts by Executes. Outside a transaction block, several Executes before one Sync,
 * or a query whose result its shape does not bound, run in PostgreSQL's implicit transaction up to the Sync
 * (all or nothing; a result fetched in chunks). After an error every message up to the Sync is skipped
 * ({@link #skippingToSync}). Not thread-safe: the session's thread only.
 */
final class ExtendedQuery {

    private final SessionContext ctx;
    private final ClientOutput out;
    private final TransactionState transaction;
    private final ResultStreamer results;
    private final SessionNotifications notifications;
    private final PreparedStatements statements = new PreparedStatements();
    private final Portals portals = new Portals();
    private final ClientEncodingRunner encodingCommands;
    /** After an error: messages up to the next Sync are skipped, as PostgreSQL skips them. */
    private boolean skipToSync;
    /** Executes from the current message up to the next Sync among the frames received together. */
    private int executesInGroup;

    ExtendedQuery(SessionContext ctx, SessionNotifications notifications) {
        this.ctx = ctx;
        this.out = ctx.out;
        this.transaction = ctx.transaction;
        this.results = ctx.results;
        this.notifications = notifications;
        this.encodingCommands = new ClientEncodingRunner(ctx);
    }

    /**
     * How many Executes the frames received together hold from the current one up to the next Sync: several
     * run in one implicit transaction, as PostgreSQL runs them (a pgjdbc batch is all or nothing).
     */
    void executesInGroup(int executes) {
        executesInGroup = executes;
    }

    /** True after an error, until Sync: the messages meanwhile are skipped. */
    boolean skippingToSync() {
        return skipToSync;
    }

    /** A simple query ends any skipping (it is answered up to ReadyForQuery itself). */
    void stopSkipping() {
        skipToSync = false;
    }

    /** Answers an error of an extended-query message; what follows up to Sync is skipped. */
    void failed(SQLException e) {
        ctx.sendError(e);
        transaction.failedInExtendedQuery();
        skipToSync = true;
    }

    /** At the session's end: the portals and prepared statements close. */
    void closeAll() {
        portals.discardAll();
        statements.closeAll();
    }

    /** Parse: prepares the statement on the backend (one statement; no COPY; client_encoding commands are answered by the gateway). */
    void parse(PgFrame f) throws SQLException {
        String name = f.readCString();
        String query = f.readCString();
        int n = f.readShort();
        int[] oids = new int[Math.max(n, 0)];
        for (int i = 0; i < n; i++) {
            oids[i] = f.readInt();
        }
        if (statements.namedExists(name)) {
            throw new SQLException("prepared statement \"" + name + "\" already exists", "42P05");
        }
        List<String> parts = SqlText.split(query);
        if (parts.size() > 1) {
            throw ctx.refusedHere(query, new SQLException("cannot insert multiple commands into a prepared statement",
                    "42601"));
        }
        Prepared p = new Prepared(name, parts.isEmpty() ? "" : parts.get(0), oids);
        ClientEncodingCommand encodingCommand = ClientEncodingCommand.of(p.sql, p.kind);
        if (encodingCommand != null) {
            // the backend connection stays UTF-8: the gateway answers these itself, as in simple query mode
            SQLException refused = encodingCommands.refusal(encodingCommand, query);
            if (refused != null) {
                throw refused;
            }
            p.encodingCommand = encodingCommand;
        } else if (!p.empty()) {
            if (p.kind.isCopyIn() || p.kind.isCopyOut()) {
                throw ctx.refusedHere(query, new SQLException("COPY FROM STDIN / TO STDOUT is supported only in simple"
                        + " query mode by the gateway", "0A000"));
            }
            p.ps = ctx.conn.prepareStatement(p.jdbc.sql());
            p.ps.setFetchSize(SessionContext.FETCH_SIZE);
        }
        statements.add(p);
        BackendMessages.parseComplete(out.buf());
    }

    /**
     * Parameter type OIDs as the server sees them: declared ones, the rest as the backend described them
     * (asked once); a driver that cannot say gives the built-in type of its type name, else text.
     */
    private int[] parameterTypes(Prepared p) throws SQLException {
        if (p.resolved != null) {
            return p.resolved;
        }
        int n = p.jdbc.parameterCount();
        int[] oids = Arrays.copyOf(p.declared, n);
        boolean missing = false;
        for (int oid : oids) {
            missing |= oid == 0;
        }
        if (missing && p.ps != null) {
            ParameterMetaData md = p.ps.getParameterMetaData();
            int[] described = PgjdbcInternals.parameterOids(md);
            int[] map = p.jdbc.markerToParam();
            for (int marker = 0; marker < map.length; marker++) {
                int k = map[marker] - 1;
                if (oids[k] == 0) {
                    oids[k] = described != null && marker < described.length ? described[marker]
                            : PgTypeCatalog.builtin(md.getParameterTypeName(marker + 1)).oid();
                }
            }
        }
        p.resolved = oids;
        return oids;
    }

    /** Bind: a portal of a prepared statement with its parameter values, decoded as their formats say. */
    void bind(PgFrame f) throws SQLException {
        String portalName = f.readCString();
        String stmtName = f.readCString();
        int nf = f.readShort();
        short[] formats = new short[Math.max(nf, 0)];
        for (int i = 0; i < nf; i++) {
            formats[i] = formatCode(f.readShort());
        }
        int np = f.readShort() & 0xffff;
        if (nf > 1 && nf != np) {
            throw new SQLException("bind message has " + nf + " parameter formats but " + np + " parameters",
                    "08P01");
        }
        Prepared p = statements.get(stmtName);
        if (np != p.jdbc.parameterCount()) {
            throw new SQLException("bind message supplies " + np + " parameters, but prepared statement \""
                    + p.name + "\" requires " + p.jdbc.parameterCount(), "08P01");
        }
        Object[] values = new Object[np];
        int[] oids = new int[np];
        for (int i = 0; i < np; i++) {
            int len = f.readInt();
            byte[] bytes = f.readBytes(len);
            int format = nf == 0 ? 0 : nf == 1 ? formats[0] : formats[i];
            int oid = i < p.declared.length ? p.declared[i] : 0;
            if (oid == 0 && format == 1) {
                oid = parameterTypes(p)[i];
            }
            oids[i] = oid;
            values[i] = ParameterBinder.decode(i + 1, oid, format, bytes);
        }
        int nr = f.readShort();
        short[] resultFormats = new short[Math.max(nr, 0)];
        for (int i = 0; i < nr; i++) {
            resultFormats[i] = formatCode(f.readShort());
        }
        if (portals.namedExists(portalName)) {
            throw new SQLException("portal \"" + portalName + "\" already exists", "42P03");
        }
        portals.add(portalName, new Portal(p, values, oids, resultFormats));
        BackendMessages.bindComplete(out.buf());
    }

    /** A Bind format code: 0 (text) or 1 (binary); anything else is a malformed message, never read as text. */
    private static short formatCode(short code) throws SQLException {
        if (code != 0 && code != 1) throw new SQLException("unsupported format code: " + code, "08P01");
        return code;
    }

    /** Describe of a statement (ParameterDescription, then RowDescription or NoData) or of a portal. */
    void describe(PgFrame f) throws SQLException {
        byte what = f.readByte();
        String name = f.readCString();
        if (what == 'S') {
            Prepared p = statements.get(name);
            BackendMessages.parameterDescription(out.buf(), parameterTypes(p));
            if (p.encodingCommand != null) {
                describeEncodingCommand(p);
                return;
            }
            ResultSetMetaData md = p.empty() ? null : p.ps.getMetaData();
            if (md == null || md.getColumnCount() == 0 && !p.kind.first().equals("SELECT")) {
                BackendMessages.noData(out.buf());
            } else {
                results.rowDescription(ResultColumn.describe(ctx.engine, md, null));
            }
        } else if (what == 'P') {
            Portal portal = portals.get(name);
            if (portal.stmt.empty()) {
                BackendMessages.noData(out.buf());
                return;
            }
            if (portal.stmt.encodingCommand != null) {
                describeEncodingCommand(portal.stmt);
                return;
            }
            // Executing here gives the row description without another round trip to the database;
            // Execute then streams the rows already obtained.
            ensureExecuted(portal);
            if (portal.rs != null) {
                results.rowDescription(portal.columns);
            } else {
                BackendMessages.noData(out.buf());
            }
        } else {
            throw new PgFrame.MalformedMessageException("invalid DESCRIBE message subtype " + what);
        }
    }

    /** SHOW client_encoding returns its one text column; SET and RESET return no rows. */
    private void describeEncodingCommand(Prepared p) {
        if (p.encodingCommand.action() == ClientEncodingCommand.Action.SHOW) {
            encodingCommands.describeShowRow();
        } else {
            BackendMessages.noData(out.buf());
        }
    }

    /** Execute of SET/RESET/SHOW client_encoding: answered by the gateway, once per portal. */
    private void executeEncodingCommand(Portal portal) throws SQLException {
        Prepared p = portal.stmt;
        if (portal.done) {
            BackendMessages.commandComplete(out.buf(), p.encodingCommand.action() == ClientEncodingCommand.Action.SHOW
                    ? "SHOW" : p.kind.first());
            return;
        }
        transaction.executing(p.kind);
        encodingCommands.run(p.encodingCommand, p.kind, p.sql, false);
        portal.done = true;
        transaction.executing(null);
        transaction.succeeded(p.kind);
    }

    private void ensureExecuted(Portal portal) throws SQLException {
        if (portal.executed) {
            return;
        }
        Prepared p = portal.stmt;
        PreparedStatement ps = p.ps;
        // Another portal still reading from this statement keeps its JDBC statement; this one gets its own.
        if (portals.otherReads(portal, ps)) {
            ps = ctx.conn.prepareStatement(p.jdbc.sql());
            ps.setFetchSize(SessionContext.FETCH_SIZE);
            portal.ownPs = true;
        }
        if (ctx.engine.mustBePreparedAgain(ps)) {
            // the engine reloaded its keyset and this statement must now be sent as another text (an equality
            // filter goes out once per key): prepare it again from the client's text, as PostgreSQL re-plans
            PreparedStatement again = ctx.conn.prepareStatement(p.jdbc.sql());
            again.setFetchSize(SessionContext.FETCH_SIZE);
            if (portal.ownPs) {
                closeQuietly(ps);
            } else {
                closeQuietly(p.ps);  // no other portal is reading from it (it would have its own statement)
                p.ps = again;
            }
            ps = again;
        }
        portal.ps = ps;
        if (transaction.inImplicit() && p.kind.isTransactionControl()) {
            // the client takes over transaction control: end the implicit block first, as PostgreSQL does
            ctx.conn.commit();
            notifications.committed();
            ctx.conn.setAutoCommit(true);
            transaction.implicitEnded();
        } else if (!transaction.inImplicit() && transaction.status() == 'I' && !p.kind.isTransactionControl()
                && (executesInGroup > 1 || p.kind.isQuery() && !p.bounded(transaction))) {
            // PostgreSQL's implicit transaction of the extended protocol, up to Sync: several Executes are all
            // or nothing, and a query's result is fetched in chunks (FETCH_SIZE), never held whole here; a
            // query whose shape bounds its result runs as one autocommit statement instead (no BEGIN, no COMMIT)
            transaction.startImplicit();
        } else {
            transaction.syncAutoCommit();
        }
        transaction.executing(p.kind);
        notifications.beforeStatement(p.kind);
        int[] map = p.jdbc.markerToParam();
        for (int marker = 0; marker < map.length; marker++) {
            int k = map[marker] - 1;
            ParameterBinder.bind(ps, marker + 1, portal.oids[k], portal.values[k], TypedText::bind);
        }
        boolean hasRs;
        results.running(ps);
        try {
            hasRs = ps.execute();
        } finally {
            results.stopped();
        }
        portal.executed = true;
        ctx.sendWarnings(ps);
        if (hasRs) {
            portal.rs = ps.getResultSet();
            ResultSetMetaData md = portal.rs.getMetaData();
            ResultColumn[] cached = p.columns;
            // Reuse the description of the previous execution when the shape is unchanged: it costs several
            // metadata calls per column otherwise, on every execution of a prepared statement.
            if (cached != null && Arrays.equals(p.columnFormats, portal.resultFormats)
                    && cached.length == md.getColumnCount() && ResultColumn.sameTypes(cached, md)) {
                portal.columns = cached;
            } else {
                portal.columns = ResultColumn.describe(ctx.engine, md, portal.resultFormats);
                p.columns = portal.columns;
                p.columnFormats = portal.resultFormats;
            }
        } else {
            portal.updateCount = ps.getUpdateCount();
        }
        transaction.executing(null);
        char before = transaction.status();
        transaction.succeeded(p.kind);
        transaction.afterStatement(p.kind);
        notifications.afterSuccess(p.kind, p.sql, before);
        ctx.reportSettings(p.kind);
    }

    /** Execute: runs the portal once, then streams up to its row limit (PortalSuspended) or to its end. */
    void execute(PgFrame f) throws SQLException {
        String name = f.readCString();
        int maxRows = f.readInt();
        Portal portal = portals.get(name);
        if (portal.stmt.empty()) {
            BackendMessages.emptyQueryResponse(out.buf());
            return;
        }
        if (portal.stmt.encodingCommand != null) {
            executeEncodingCommand(portal);
            return;
        }
        char before = transaction.status();
        ensureExecuted(portal);
        StatementKind k = portal.stmt.kind;
        if (portal.rs != null) {
            if (portal.done) {
                BackendMessages.commandComplete(out.buf(), k.tag(true, 0, before));
                return;
            }
            boolean exhausted = results.streamCancellable(portal.ps, portal.rs, portal.columns, Math.max(maxRows, 0));
            if (exhausted) {
                portal.done = true;
                closeQuietly(portal.rs);
                BackendMessages.commandComplete(out.buf(), k.tag(true, results.rowsWritten(), before));
            } else {
                BackendMessages.portalSuspended(out.buf());
            }
        } else {
            portal.done = true;
            BackendMessages.commandComplete(out.buf(), k.tag(false, portal.updateCount, before));
        }
    }

    /** Close of a statement or a portal; closing one that does not exist is no error. */
    void close(PgFrame f) {
        byte what = f.readByte();
        String name = f.readCString();
        if (what == 'S') {
            statements.close(name);
        } else if (what == 'P') {
            portals.close(name);
        } else {
            throw new PgFrame.MalformedMessageException("invalid CLOSE message subtype " + what);
        }
        BackendMessages.closeComplete(out.buf());
    }

    /**
     * Sync: ends the implicit transaction (committed, or rolled back after an error) and, outside a transaction
     * block, every portal; the caller sends ReadyForQuery.
     */
    void sync() {
        if (transaction.inImplicit()) {
            transaction.implicitEnded();
            try {
                if (skipToSync) {
                    ctx.conn.rollback();
                } else {
                    ctx.conn.commit();
                    notifications.committed();
                }
            } catch (SQLException e) {
                ctx.sendError(e);
            }
            try {
                ctx.conn.setAutoCommit(true);
            } catch (SQLException e) {
                ctx.sendError(e);
            }
        }
        skipToSync = false;
        if (transaction.status() == 'I') {
            // outside a transaction block every portal ends with the implicit transaction
            portals.closeAll();
        }
    }
}
