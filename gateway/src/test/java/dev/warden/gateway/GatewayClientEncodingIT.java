package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients whose {@code client_encoding} is not UTF-8 (psycopg2, psql, raw protocol messages) through the Warden
 * gateway, whose backend connection stays UTF-8: the encoding is reported as PostgreSQL names it, text goes both
 * ways in the client's encoding (query text, Bind parameters, result names and values, COPY), what the client's
 * encoding cannot represent fails the statement with 22P05 and invalid client bytes with 22021, the session
 * staying usable, and an encrypted column's value round-trips while it is stored as ciphertext.
 */
class GatewayClientEncodingIT {

    static final Charset LATIN1 = StandardCharsets.ISO_8859_1;
    static final Charset EUC_JP = Charset.forName("EUC-JP");

    static CustomersExample example;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                CustomersExample.POLICY.toString(), "file:" + CustomersExample.MASTER_KEY, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static GatewayFixture.Result python(String script) {
        var probe = GatewayFixture.run(List.of("/usr/bin/python3", "-c", "import psycopg2"), null, Map.of(), 30);
        assumeTrue(probe.exit() == 0, "python3-psycopg2 not installed");
        var r = GatewayFixture.run(List.of("/usr/bin/python3", "-c", script, String.valueOf(server.port())), null,
                Map.of("PYTHONIOENCODING", "utf-8"), 60);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    static final String CONNECT = """
            import psycopg2, sys
            def connect(**kw):
                return psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='sam', password='pw',
                                        dbname='app', **kw)
            """;

    @Test
    void psycopgSetsLatin1RoundTripsTextAndGets22P05ForTheEuroWithTheSessionUsableAfter() {
        var r = python(CONNECT + """
                c = connect()
                c.autocommit = True
                cur = c.cursor()
                reported = lambda: c.get_parameter_status('client_encoding')
                print(reported())
                c.set_client_encoding('LATIN1')
                print(reported())
                cur.execute('show client_encoding'); print(cur.fetchone()[0])
                cur.execute('select %s::text, length(%s), %s::text as "prénom"', ('é', 'crème', 'naïve'))
                print(cur.fetchone(), cur.description[2].name)
                try:
                    cur.execute('select chr(8364)')
                    print('no error')
                except psycopg2.Error as e:
                    print('error', e.pgcode, e.pgerror.splitlines()[0])
                cur.execute("select 'usable after'"); print(cur.fetchone()[0])
                try:
                    cur.execute("set client_encoding to 'klingon'")
                except psycopg2.Error as e:
                    print('error', e.pgcode, e.pgerror.splitlines()[0])
                cur.execute('reset client_encoding'); print(reported())
                cur.execute("set names 'latin1'"); print(reported())
                c.set_client_encoding('UNICODE'); print(reported())
                """);
        assertEquals(String.join("\n",
                "UTF8",
                "LATIN1",
                "LATIN1",
                "('é', 5, 'naïve') prénom",
                "error 22P05 ERROR:  character with byte sequence 0xe2 0x82 0xac in encoding \"UTF8\" has no"
                        + " equivalent in encoding \"LATIN1\"",
                "usable after",
                "error 22023 ERROR:  invalid value for parameter \"client_encoding\": \"klingon\"",
                "UTF8",
                "LATIN1",
                "UTF8"), r.out().strip());
    }

    @Test
    void japaneseUnderEucJpAndSjisAndTheStartupPacketsEncoding() {
        var r = python(CONNECT + """
                for enc in ('EUC_JP', 'SJIS'):
                    c = connect(client_encoding=enc)
                    cur = c.cursor()
                    text = '日本語の表示テキスト'   # 表 is 0x95 0x5c in SJIS: a backslash as its second byte
                    cur.execute('select %s::text, length(%s), %s::text like %s', (text, text, text, '%表示%'))
                    print(c.get_parameter_status('client_encoding'), cur.fetchone())
                    cur.execute('create temp table jp(t text)')
                    cur.execute('insert into jp values (%s)', (text,))
                    cur.execute("select t = '日本語の表示テキスト' from jp"); print(cur.fetchone()[0])
                    c.rollback(); c.close()
                for enc in ('UNICODE', 'latin1', 'iso-8859-15'):
                    c = connect(client_encoding=enc); print(c.get_parameter_status('client_encoding')); c.close()
                try:
                    connect(client_encoding='klingon')
                except psycopg2.Error as e:
                    print('refused:', 'invalid value for parameter "client_encoding"' in str(e))
                """);
        assertEquals(String.join("\n",
                "EUC_JP ('日本語の表示テキスト', 10, True)",
                "True",
                "SJIS ('日本語の表示テキスト', 10, True)",
                "True",
                "UTF8",
                "LATIN1",
                "LATIN9",
                "refused: True"), r.out().strip());
    }

    @Test
    void anEncryptedColumnsValueRoundTripsInLatin1AndEucJpAndIsStoredAsCiphertext() throws Exception {
        var r = python(CONNECT + """
                for enc, name, email in (('LATIN1', 'José Éclair', 'josé@exámple.com'),
                                         ('EUC_JP', '山田太郎', '山田@example.jp')):
                    c = connect(client_encoding=enc)
                    cur = c.cursor()
                    cur.execute("insert into customers(name, email, phone, country) values (%s, %s, '+33 1', 'FR')",
                                (name, email))
                    c.commit()
                    cur.execute('select name, email from customers where email = %s', (email,))
                    print(enc, cur.fetchall())
                    c.close()
                """);
        assertEquals(String.join("\n",
                "LATIN1 [('José Éclair', 'josé@exámple.com')]",
                "EUC_JP [('山田太郎', '山田@example.jp')]"), r.out().strip());
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("select email from customers where name in ('José Éclair', '山田太郎')")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                for (Charset cs : List.of(LATIN1, StandardCharsets.UTF_8, EUC_JP)) {
                    String atRest = new String(rs.getBytes(1), cs);
                    assertFalse(atRest.contains("xample") || atRest.contains("xámple") || atRest.contains("山田"),
                            "email is stored encrypted");
                }
            }
            assertEquals(2, rows);
        }
    }

    @Test
    void psqlInLatin1WithCopyBothWaysAndTheEuroRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        Path script = dir.resolve("latin1.sql");
        Path output = dir.resolve("out.txt");
        Files.write(script, String.join("\n",
                "show client_encoding;",
                "select 'café' as \"nom\", length('café');",
                "create temp table crème(a text);",
                "copy crème from stdin;",
                "brûlée",
                "\\.",
                "select a, length(a) from crème;",
                "copy crème to stdout;",
                "copy (select a || '!' from crème) to stdout;",
                "select chr(8364);",
                "select 'après';",
                "").getBytes(LATIN1));
        var r = GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", "sam", "-d", "app", "-o", output.toString(), "-f",
                script.toString()), null, Map.of("PGPASSWORD", "pw", "PGCLIENTENCODING", "LATIN1"), 60);
        String out = new String(Files.readAllBytes(output), LATIN1);
        assertEquals(String.join("\n",
                "LATIN1",
                "café|4",
                "brûlée|6",
                "brûlée",
                "brûlée!",
                "après"), out.strip().replace("\nCOPY 1", "").replace("CREATE TABLE\n", ""), out);
        assertEquals("", r.out().strip()); // psql's own output, besides the query output, is empty
        assertTrue(r.err().contains("character with byte sequence 0xe2 0x82 0xac in encoding \"UTF8\" has no"
                + " equivalent in encoding \"LATIN1\""), r.err());
    }

    @Test
    void rawProtocolExtendedQueryInvalidBytesAndNamesTheEncodingCannotSpell() throws Exception {
        try (RawPgClient c = new RawPgClient(server.port()).login("sam", "pw")) {
            c.query("SET client_encoding TO 'EUC_JP'");
            assertEquals('C', c.read().type());
            RawPgClient.Message status = c.read();
            assertEquals("client_encoding\0EUC_JP\0", new String(status.body(), LATIN1));
            assertEquals('Z', c.read().type());

            // Parse and Bind in EUC_JP: a text parameter converted, a binary one left as sent
            byte[] query = "select $1::text || '日', $2::int4, 1 as \"列\"".getBytes(EUC_JP);
            c.send('P', RawPgClient.concat(new byte[] {0}, query, new byte[] {0, 0, 2}, RawPgClient.intBytes(25),
                    RawPgClient.intBytes(23)));
            byte[] param = "本".getBytes(EUC_JP);
            c.send('B', RawPgClient.concat(new byte[] {0, 0, 0, 2, 0, 0, 0, 1, 0, 2}, RawPgClient.intBytes(param.length),
                    param, RawPgClient.intBytes(4), RawPgClient.intBytes(7), new byte[] {0, 0}));
            c.send('D', new byte[] {'P', 0});
            c.send('E', RawPgClient.concat(new byte[] {0}, RawPgClient.intBytes(0)));
            c.send('S', new byte[0]);
            assertEquals('1', c.read().type());
            assertEquals('2', c.read().type());
            RawPgClient.Message rowDescription = c.read();
            assertEquals('T', rowDescription.type());
            assertTrue(new String(rowDescription.body(), EUC_JP).contains("列\0"));
            RawPgClient.Message row = c.read();
            assertEquals('D', row.type());
            byte[] first = "本日".getBytes(EUC_JP);
            assertArrayEquals(first, java.util.Arrays.copyOfRange(row.body(), 6, 6 + first.length));
            assertEquals('C', c.read().type());
            assertEquals('Z', c.read().type());

            // bytes that are not EUC_JP: 22021, and the session goes on
            c.send('Q', new byte[] {'s', 'e', 'l', 'e', 'c', 't', ' ', '\'', (byte) 0xa4, '\'', 0});
            RawPgClient.Message invalid = c.read();
            assertEquals('E', invalid.type());
            assertTrue(invalid.text().contains("C22021\0"), invalid.text());
            assertTrue(invalid.text().contains("invalid byte sequence for encoding \"EUC_JP\": 0xa4"), invalid.text());
            assertEquals('Z', c.read().type());

            // through the extended protocol, SET/SHOW/RESET client_encoding behave as in a simple query (the
            // gateway answers them; the backend connection stays UTF-8)
            extended(c, "SET client_encoding TO 'LATIN1'");
            assertEquals("12n", types(c, 3));
            RawPgClient.Message set = c.read();
            assertEquals("SET\0", new String(set.body(), LATIN1));
            assertEquals("client_encoding\0LATIN1\0", new String(c.read().body(), LATIN1));
            assertEquals('Z', c.read().type());
            extended(c, "SHOW client_encoding");
            assertEquals("12", types(c, 2));
            RawPgClient.Message shown = c.read();
            assertEquals('T', shown.type());
            assertTrue(new String(shown.body(), LATIN1).contains("client_encoding\0"));
            RawPgClient.Message value = c.read();
            assertEquals('D', value.type());
            assertTrue(new String(value.body(), LATIN1).endsWith("LATIN1"), new String(value.body(), LATIN1));
            assertEquals("SHOW\0", new String(c.read().body(), LATIN1));
            assertEquals('Z', c.read().type());
            extended(c, "RESET client_encoding");
            assertEquals("12nC", types(c, 4));
            assertEquals("client_encoding\0UTF8\0", new String(c.read().body(), LATIN1));
            assertEquals('Z', c.read().type());
            // and the shapes refused there are refused here too, before anything runs
            extended(c, "SET LOCAL client_encoding TO 'LATIN1'");
            RawPgClient.Message refused = c.read();
            assertTrue(refused.text().contains("C0A000\0"), refused.text());
            assertEquals('Z', c.read().type());

            // a column name LATIN1 cannot spell: 22P05 at the RowDescription, no half message before it
            c.query("SET NAMES 'LATIN1'");
            assertEquals("CSZ", c.readUntilReady());
            c.query("select 1 as U&\"\\20AC\"");
            RawPgClient.Message noName = c.read();
            assertEquals('E', noName.type());
            assertTrue(noName.text().contains("C22P05\0"), noName.text());
            assertEquals('Z', c.read().type());
            c.send('Q', "select 'é' as \"né\"\0".getBytes(LATIN1));
            RawPgClient.Message t = c.read();
            assertTrue(new String(t.body(), LATIN1).startsWith("\0\1né\0"), new String(t.body(), LATIN1));
            RawPgClient.Message d = c.read();
            assertArrayEquals(new byte[] {0, 1, 0, 0, 0, 1, (byte) 0xe9}, d.body());
            assertEquals("CZ", c.readUntilReady());

            // an error whose text LATIN1 cannot show still reaches the client, with ? in its place
            c.query("select * from U&\"tabl\\20AC\"");
            RawPgClient.Message missing = c.read();
            assertTrue(new String(missing.body(), LATIN1).contains("\"tabl?\" does not exist"),
                    new String(missing.body(), LATIN1));
            assertEquals('Z', c.read().type());

            // RESET ALL and DISCARD ALL return to the startup encoding (UTF8), reported
            c.query("DISCARD ALL");
            assertEquals('C', c.read().type());
            assertEquals("client_encoding\0UTF8\0", new String(c.read().body(), LATIN1));
            assertEquals('Z', c.read().type());
        }
    }

    /** Parse, Bind, Describe (portal), Execute, Sync of {@code sql}, unnamed, without parameters. */
    private static void extended(RawPgClient c, String sql) throws java.io.IOException {
        c.send('P', RawPgClient.concat(new byte[] {0}, sql.getBytes(LATIN1), new byte[] {0, 0, 0}));
        c.send('B', new byte[] {0, 0, 0, 0, 0, 0, 0, 0});
        c.send('D', new byte[] {'P', 0});
        c.send('E', RawPgClient.concat(new byte[] {0}, RawPgClient.intBytes(0)));
        c.send('S', new byte[0]);
    }

    /** The types of the next {@code n} messages. */
    private static String types(RawPgClient c, int n) throws java.io.IOException {
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < n; i++) {
            RawPgClient.Message m = c.read();
            if (m.type() == 'E') throw new AssertionError(m.text());
            t.append(m.type());
        }
        return t.toString();
    }
}
