package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Red-team attacks of session 7 on TLS sessions (served on their own thread, the SSLEngine taken over from Netty's
 * SslHandler after login; on the event loop in the event-loop execution): bytes pipelined across the hand-over,
 * plain bytes after TLS, an oversized length, a client that half-closes. Each must give PostgreSQL's answer or close
 * the connection, release the session, and leave the gateway serving others.
 */
class RedTeamSession7TlsIT {

    @BeforeAll
    static void certificate() throws Exception {
        GatewayTlsIT.certificate();
    }

    private static GatewayFixture gateway(String auth) throws InterruptedException {
        return new GatewayFixture(GatewayTlsIT.backend, 2, GatewayTlsIT.tls, auth);
    }

    private static byte[] message(char type, byte[] body) {
        return RawPgClient.concat(new byte[] {(byte) type}, RawPgClient.intBytes(body.length + 4), body);
    }

    private static byte[] query(String sql) {
        return message('Q', (sql + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /** The values of the DataRows up to the next ReadyForQuery; an ErrorResponse fails. */
    private static String values(RawPgClient client) throws IOException {
        StringBuilder all = new StringBuilder();
        RawPgClient.Message m;
        while ((m = client.read()).type() != 'Z') {
            if (m.type() == 'E') throw new AssertionError(m.text());
            if (m.type() == 'D') {
                ByteBuffer b = ByteBuffer.wrap(m.body());
                b.getShort();
                byte[] v = new byte[b.getInt()];
                b.get(v);
                all.append(new String(v, StandardCharsets.UTF_8)).append('|');
            }
        }
        return all.toString();
    }

    private static void assertStillServes(GatewayFixture gw) throws Exception {
        GatewayRobustnessIT.await("session released", () -> gw.server.sessionCount() == 0);
        try (RawPgClient other = RawPgClient.tls(gw.port(), "TLSv1.3").login("alice", GatewayFixture.ALICE_PASSWORD)) {
            other.send('Q', "select 'still serving'\0".getBytes(StandardCharsets.UTF_8));
            assertEquals("still serving|", values(other));
        }
    }

    /**
     * The password and the statements after it in one TLS write (and, for the long one, several records): what
     * the event loop decrypted and decoded before the hand-over and what it had not decrypted yet both reach the
     * session, in order.
     */
    @Test
    void statementsPipelinedWithThePasswordCrossTheHandOverInOrder() throws Exception {
        try (GatewayFixture gw = gateway("password")) {
            for (int size : new int[] {10, 100_000}) {
                try (RawPgClient client = RawPgClient.tls(gw.port(), "TLSv1.3")) {
                    client.startup("alice");
                    RawPgClient.Message r = client.read();
                    RawPgClient.expect(r, 'R');
                    assertEquals(3, ByteBuffer.wrap(r.body()).getInt());  // cleartext password
                    String longText = "x".repeat(size);
                    client.out.write(RawPgClient.concat(
                            message('p', (GatewayFixture.ALICE_PASSWORD + "\0").getBytes(StandardCharsets.UTF_8)),
                            query("select 'first'"), query("select length('" + longText + "')"),
                            query("select 'third'")));
                    client.out.flush();
                    assertEquals("", values(client));  // AuthenticationOk ... ReadyForQuery
                    assertEquals("first|", values(client));
                    assertEquals(size + "|", values(client));
                    assertEquals("third|", values(client));
                }
            }
            GatewayRobustnessIT.await("sessions released", () -> gw.server.sessionCount() == 0);
        }
    }

    /** Plain bytes on the socket after the handshake are not a TLS record: the connection ends, nothing hangs. */
    @Test
    void plainBytesAfterTlsEndTheConnection() throws Exception {
        try (GatewayFixture gw = gateway("scram-sha-256")) {
            for (byte[] garbage : new byte[][] {query("select 'plain'"), "\u0017\u0003\u0003\u0000\u0010garbage-garbage!"
                    .getBytes(StandardCharsets.ISO_8859_1), new byte[] {0x17, 0x03, 0x03, 0x7f, (byte) 0xff}}) {
                Socket plain = new Socket("127.0.0.1", gw.port());
                try (RawPgClient client = RawPgClient.tls(plain, gw.port(), "TLSv1.3")
                        .login("alice", GatewayFixture.ALICE_PASSWORD)) {
                    plain.getOutputStream().write(garbage);
                    plain.getOutputStream().flush();
                    assertThrows(IOException.class, () -> {
                        client.send('Q', "select 'after'\0".getBytes(StandardCharsets.UTF_8));
                        values(client);
                    });
                }
                GatewayRobustnessIT.await("session released", () -> gw.server.sessionCount() == 0);
            }
            assertStillServes(gw);
        }
    }

    /** A message claiming 2 GiB over TLS is refused like one in the clear, without reading (or holding) it. */
    @Test
    void anOversizedMessageOverTlsIsRefused() throws Exception {
        try (GatewayFixture gw = gateway("scram-sha-256");
             RawPgClient client = RawPgClient.tls(gw.port(), "TLSv1.3").login("alice", GatewayFixture.ALICE_PASSWORD)) {
            client.out.write(new byte[] {'Q', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 's', 'e', 'l'});
            client.out.flush();
            try {
                RawPgClient.Message m = client.read();
                assertEquals('E', m.type(), m.text());
            } catch (IOException closed) {
                // closing without a word is also what PostgreSQL may do
            }
            assertStillServes(gw);
        }
    }

    /**
     * A client that sends a statement and half-closes still gets the answer, as from PostgreSQL (which reads the
     * statement, answers it, then reads the end of input); the session is then released.
     */
    @Test
    void aHalfClosedClientGetsItsAnswerAndTheSessionEnds() throws Exception {
        try (GatewayFixture gw = gateway("scram-sha-256")) {
            Socket plain = new Socket("127.0.0.1", gw.port());
            try (RawPgClient client = RawPgClient.tls(plain, gw.port(), "TLSv1.2")
                    .login("alice", GatewayFixture.ALICE_PASSWORD)) {
                client.send('Q', "select 'half'\0".getBytes(StandardCharsets.UTF_8));
                plain.shutdownOutput();
                assertEquals("half|", values(client));
            }
            assertStillServes(gw);
        }
    }
}
