package dev.warden.gateway;

import dev.warden.gateway.auth.AuthMethod;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in front of a fresh embedded PostgreSQL database, with users {@code alice} (password
 * {@code secret}, role analyst) and {@code bob} (password {@code hunter2}, role support, purposes
 * billing/support), plus helpers to run the real {@code psql} and {@code pgbench} against it.
 */
final class GatewayFixture implements AutoCloseable {

    static final String ALICE_PASSWORD = "secret";
    static final ScramVerifier ALICE = ScramVerifier.generate(ALICE_PASSWORD.toCharArray(), 4096);
    static final ScramVerifier BOB = ScramVerifier.generate("hunter2".toCharArray(), 4096);

    final String backendUrl;
    final GatewayServer server;

    static {
        // make Netty's leak reports visible (slf4j has no binding here) and look at every buffer
        io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
                io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
    }

    GatewayFixture() throws InterruptedException {
        this(EmbeddedPostgres.freshDatabase(), 8);
    }

    GatewayFixture(String backendUrl, int poolSize) throws InterruptedException {
        this(backendUrl, poolSize, null, "scram-sha-256");
    }

    GatewayFixture(String backendUrl, int poolSize, GatewayConfig.Tls tls, String authMethod)
            throws InterruptedException {
        this(backendUrl, poolSize, tls, authMethod, Map.of());
    }

    GatewayFixture(String backendUrl, int poolSize, GatewayConfig.Tls tls, String authMethod,
                   Map<String, String> backendProperties) throws InterruptedException {
        this.backendUrl = backendUrl;
        GatewayConfig config = config("127.0.0.1", backendUrl, poolSize, tls, authMethod, backendProperties);
        this.server = new GatewayServer(config, new PooledBackendConnector(config.backend(), null, null),
                new PgjdbcCopyRunner()).start();
    }

    static GatewayConfig config(String host, String backendUrl, int poolSize, GatewayConfig.Tls tls,
                                String authMethod) {
        return config(host, backendUrl, poolSize, tls, authMethod, Map.of());
    }

    static GatewayConfig config(String host, String backendUrl, int poolSize, GatewayConfig.Tls tls,
                                String authMethod, Map<String, String> backendProperties) {
        AuthMethod auth = AuthMethod.parse(authMethod);
        return new GatewayConfig(host, 0,
                new GatewayConfig.Backend(backendUrl, EmbeddedPostgres.USER, "", poolSize, backendProperties),
                null, null, tls, false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("alice", new GatewayUser("alice", ALICE, "analyst", null, Set.of()).withAuth(auth),
                        "bob", new GatewayUser("bob", BOB, "support", "support", Set.of("support", "billing"))
                                .withAuth(auth)),
                authMethod, 100);
    }

    int port() {
        return server.port();
    }

    String jdbcUrl(String extra) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/app?user=alice&password=" + ALICE_PASSWORD
                + (extra.isEmpty() ? "" : "&" + extra);
    }

    record Result(int exit, String out, String err) {}

    static boolean available(String tool) {
        return Files.isExecutable(Path.of("/usr/bin/" + tool));
    }

    /** Runs psql against the gateway as alice, with the given stdin and arguments. */
    Result psql(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p",
                String.valueOf(port()), "-U", "alice", "-d", "app", "-v", "ON_ERROR_STOP=0"));
        cmd.addAll(List.of(args));
        return run(cmd, stdin, Map.of("PGPASSWORD", ALICE_PASSWORD), 60);
    }

    static Result run(List<String> cmd, String stdin, Map<String, String> env, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            pb.environment().put("PGCONNECT_TIMEOUT", "10");
            pb.environment().remove("PGSERVICE");
            Process p = pb.start();
            var errBuf = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(p.getErrorStream(), errBuf));
            errReader.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            var outBuf = new ByteArrayOutputStream();
            copy(p.getInputStream(), outBuf);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            errReader.join();
            return new Result(p.exitValue(), outBuf.toString(StandardCharsets.UTF_8), errBuf.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // process ended
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
