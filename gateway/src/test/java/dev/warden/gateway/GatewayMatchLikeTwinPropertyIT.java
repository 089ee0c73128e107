package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.LikeTwins;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * LIKE and ILIKE on a match column through the gateway give the plaintext twin's rows for jqwik-generated rows and
 * patterns ({@link LikeTwins}): the pattern as a parameter in the extended protocol, and written inline in the
 * simple protocol (pgjdbc's preferQueryMode=simple), so that both of the gateway's paths are held to the oracle.
 */
class GatewayMatchLikeTwinPropertyIT {

    private static CustomersExample example;
    private static GatewayServer server;
    private static Connection extended;
    private static Connection simple;
    private static Connection raw;

    private static synchronized void open() throws Exception {
        if (example != null) return;
        example = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(example);
        Path policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                policy.resolve("policy.yaml").toString(), "file:" + policy.resolve("demo-master-key.txt"), null,
                false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
        String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=sam&password=pw";
        extended = DriverManager.getConnection(url);
        simple = DriverManager.getConnection(url + "&preferQueryMode=simple");
        raw = example.raw();
        LikeTwins.createTwin(raw);
    }

    @AfterContainer
    static void close() throws Exception {
        for (Connection c : new Connection[] {extended, simple, raw}) if (c != null) c.close();
        if (server != null) server.close();
    }

    @Provide
    Arbitrary<List<String>> rows() {
        return LikeTwins.rows();
    }

    @Provide
    Arbitrary<String> patterns() {
        return LikeTwins.patterns();
    }

    @Provide
    Arbitrary<String> escapes() {
        return LikeTwins.escapes();
    }

    @Provide
    Arbitrary<String> operators() {
        return LikeTwins.operators();
    }

    @Property(tries = 80)
    void answersAreThePlaintextTwins(@ForAll("rows") List<String> rows, @ForAll("operators") String op,
                                     @ForAll("patterns") String pattern, @ForAll("escapes") String escape)
            throws Exception {
        open();
        LikeTwins.write(extended, raw, rows);
        assertNull(LikeTwins.compare(extended, raw, op, pattern, escape, false),
                op + " " + pattern + " ESCAPE " + escape + " bound, on " + rows);
        assertNull(LikeTwins.compare(simple, raw, op, pattern, escape, true),
                op + " " + pattern + " ESCAPE " + escape + " inline (simple protocol), on " + rows);
    }
}
