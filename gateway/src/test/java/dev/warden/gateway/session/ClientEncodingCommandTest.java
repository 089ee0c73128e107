package dev.warden.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The statements that set, reset or show the client's encoding, which the gateway answers itself. */
class ClientEncodingCommandTest {

    @Test
    void recognisesTheClientEncodingStatements() {
        assertCommand("SET client_encoding TO 'LATIN1'", ClientEncodingCommand.Action.SET, "LATIN1",
                "SET client_encoding TO 'UTF8'");
        assertCommand("set client_encoding = latin1;", ClientEncodingCommand.Action.SET, "latin1",
                "set client_encoding = 'UTF8';");
        assertCommand("SET SESSION client_encoding TO DEFAULT", ClientEncodingCommand.Action.SET, null,
                "SET SESSION client_encoding TO DEFAULT");
        assertCommand("SET NAMES 'EUC_JP'", ClientEncodingCommand.Action.SET, "EUC_JP", "SET NAMES 'UTF8'");
        assertCommand("RESET client_encoding", ClientEncodingCommand.Action.RESET, null, "RESET client_encoding");
        assertCommand("show client_encoding", ClientEncodingCommand.Action.SHOW, null, "show client_encoding");
        assertCommand("SET LOCAL client_encoding TO 'LATIN1'", ClientEncodingCommand.Action.REFUSE, null, null);
        assertCommand("select set_config('client_encoding', 'LATIN1', false)", ClientEncodingCommand.Action.REFUSE,
                null, null);
        assertCommand("SET client_encoding TO $$LATIN1$$", ClientEncodingCommand.Action.REFUSE, null, null);
        assertCommand("SELECT Set_Config('CLIENT_ENCODING', 'LATIN1', false)", ClientEncodingCommand.Action.REFUSE,
                null, null);
        assertNull(ClientEncodingCommand.of("select pg_client_encoding()", StatementKind.of("select 1")));
        assertNull(ClientEncodingCommand.of("select set_config('work_mem', '8MB', false)", StatementKind.of("select 1")));
        assertNull(ClientEncodingCommand.of("SET search_path TO public", StatementKind.of("SET search_path TO public")));
        assertNull(ClientEncodingCommand.of("select 1", StatementKind.of("select 1")));
    }

    private static void assertCommand(String sql, ClientEncodingCommand.Action action, String value, String twin) {
        ClientEncodingCommand c = ClientEncodingCommand.of(sql, StatementKind.of(sql));
        assertEquals(new ClientEncodingCommand(action, value, twin), c, sql);
    }
}
