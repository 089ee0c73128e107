package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast-path FunctionCall message ('F') is refused with 0A000 and, as PostgreSQL answers a FunctionCall,
 * followed at once by ReadyForQuery (no Sync); the session stays usable and a block it fails is failed.
 */
class GatewayFunctionCallIT {

    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        gw = new GatewayFixture();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** FunctionCall of pg_catalog.version() (oid 89): no argument formats, no arguments, text result. */
    static void functionCall(RawPgClient c) throws Exception {
        c.send('F', RawPgClient.concat(RawPgClient.intBytes(89), new byte[] {0, 0, 0, 0, 0, 0}));
    }

    @Test
    void functionCallIsRefusedAndFollowedByReadyForQuery() throws Exception {
        try (RawPgClient c = new RawPgClient(gw.port()).login("alice", GatewayFixture.ALICE_PASSWORD)) {
            functionCall(c);
            c.query("select 'still here'"); // pipelined behind it: answered after its ReadyForQuery
            RawPgClient.Message e = c.read();
            assertEquals('E', e.type());
            assertTrue(e.text().contains("C0A000"), e.text());
            assertTrue(e.text().contains("function call protocol is not supported"), e.text());
            RawPgClient.Message z = c.read();
            assertEquals('Z', z.type());
            assertEquals('I', (char) z.body()[0]);
            assertEquals("TDCZ", c.readUntilReady());

            c.query("begin");
            c.readUntilReady();
            functionCall(c);
            assertEquals("EZ", c.readUntilReady());
            assertEquals('E', c.lastStatus, "like any error, it fails the transaction block");
            c.query("select 1");
            RawPgClient.Message aborted = c.read();
            assertTrue(aborted.text().contains("25P02"), aborted.text());
            c.readUntilReady();
            c.query("rollback");
            assertEquals("CZ", c.readUntilReady());
            assertEquals('I', c.lastStatus);
            c.query("select 'usable'");
            assertEquals("TDCZ", c.readUntilReady());
        }
    }
}
