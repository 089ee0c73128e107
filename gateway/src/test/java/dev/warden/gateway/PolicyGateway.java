package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A gateway enforcing the policy of a policy directory (its {@code policy.yaml} and {@code demo-master-key.txt})
 * over a {@code jdbc:warden:} backend URL, as the red-team and equality ITs start it: users whose password is
 * {@link #PASSWORD}, SCRAM, the default frame limit. One per test class, closed after it.
 */
final class PolicyGateway implements AutoCloseable {

    static final String PASSWORD = "pw";
    private static final ScramVerifier VERIFIER = ScramVerifier.generate(PASSWORD.toCharArray(), 4096);

    final GatewayServer server;

    private PolicyGateway(GatewayServer server) {
        this.server = server;
    }

    /** A gateway user with password {@link #PASSWORD}, acting as {@code role} for {@code purpose} (null: none). */
    static GatewayUser user(String name, String role, String purpose) {
        return new GatewayUser(name, VERIFIER, role, purpose, Set.of());
    }

    /** Starts a gateway over {@code wardenUrl} with {@code poolSize} backend connections and {@code users}. */
    static PolicyGateway start(String wardenUrl, Path policyDirectory, int poolSize, GatewayUser... users)
            throws InterruptedException {
        Map<String, GatewayUser> byName = new LinkedHashMap<>();
        for (GatewayUser u : users) byName.put(u.name(), u);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(wardenUrl, EmbeddedPostgres.USER, "", poolSize, Map.of()),
                policyDirectory.resolve("policy.yaml").toString(),
                "file:" + policyDirectory.resolve("demo-master-key.txt"), null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH, Map.copyOf(byName), "scram-sha-256", 100);
        return new PolicyGateway(new GatewayServer(config, new PooledBackendConnector(config.backend(),
                config.policy(), config.masterKey()), new PgjdbcCopyRunner()).start());
    }

    int port() {
        return server.port();
    }

    /** A pgjdbc connection as {@code user}; {@code settings}: more URL parameters ({@code a=b&c=d}), or empty. */
    Connection connect(String user, String settings) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=" + PASSWORD + (settings.isEmpty() ? "" : "&" + settings));
    }

    /** A pgjdbc connection as {@code user}, in the simple query protocol or the extended one. */
    Connection connect(String user, boolean simple) throws SQLException {
        return connect(user, simple ? "preferQueryMode=simple" : "");
    }

    @Override
    public void close() {
        server.close();
    }
}
