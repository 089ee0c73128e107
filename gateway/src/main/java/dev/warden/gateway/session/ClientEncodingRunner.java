package dev.warden.gateway.session;

import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientEncoding;
import java.sql.SQLException;

/**
 * Runs a {@link ClientEncodingCommand} (SET/RESET/SHOW client_encoding, SET NAMES), which the gateway answers
 * itself, the same way from the simple query protocol and from the extended one: the refused shapes fail with
 * 0A000; the others run their UTF-8 twin on the backend (an aborted transaction refuses it with 25P02 as
 * PostgreSQL would, and it leaves the statement's audit event), then SHOW answers the client's encoding and
 * SET/RESET switch to the new one from the ParameterStatus that reports it on (what was answered before is sent
 * in the encoding before). Not thread-safe: the session's thread only.
 */
final class ClientEncodingRunner {

    private final SessionContext ctx;

    ClientEncodingRunner(SessionContext ctx) {
        this.ctx = ctx;
    }

    /** The refusal of a shape the gateway does not answer, or null when {@code c} can run. */
    SQLException refusal(ClientEncodingCommand c, String sql) {
        if (c.action() != ClientEncodingCommand.Action.REFUSE) {
            return null;
        }
        return ctx.refusedHere(sql, new SQLException("this form of setting client_encoding is not supported by"
                + " the gateway: use SET client_encoding TO 'name', SET NAMES or RESET client_encoding"
                + " (SET LOCAL and set_config are refused)", "0A000"));
    }

    /**
     * Runs {@code c} (statement {@code sql} of kind {@code k}) and answers it: for SHOW, its RowDescription when
     * {@code describeRow} (the simple protocol; the extended one describes at Describe), the row and
     * CommandComplete; for SET/RESET, CommandComplete and the switch.
     */
    void run(ClientEncodingCommand c, StatementKind k, String sql, boolean describeRow) throws SQLException {
        SQLException refused = refusal(c, sql);
        if (refused != null) {
            throw refused;
        }
        ClientEncoding next = c.action() == ClientEncodingCommand.Action.SHOW ? ctx.out.encoding()
                : c.value() == null ? ctx.defaultEncoding : encodingOrRefusal(c.value(), sql);
        ctx.transaction.syncAutoCommit();
        ctx.simple.execute(c.backendTwin());
        if (c.action() == ClientEncodingCommand.Action.SHOW) {
            if (describeRow) {
                describeShowRow();
            }
            BackendMessages.textRow(ctx.out.buf(), next.name());
            BackendMessages.commandComplete(ctx.out.buf(), "SHOW");
        } else {
            BackendMessages.commandComplete(ctx.out.buf(), k.first());
            ctx.switchEncoding(next);
        }
    }

    /** The RowDescription of SHOW client_encoding: one text column, as PostgreSQL describes it. */
    void describeShowRow() {
        BackendMessages.textColumnDescription(ctx.out.buf(), "client_encoding");
    }

    private ClientEncoding encodingOrRefusal(String value, String sql) throws SQLException {
        try {
            return ClientEncoding.of(value);
        } catch (SQLException invalid) {
            throw ctx.refusedHere(sql, invalid);
        }
    }
}
