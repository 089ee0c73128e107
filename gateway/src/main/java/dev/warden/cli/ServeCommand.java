package dev.warden.cli;

import dev.warden.gateway.GatewayConfig;
import dev.warden.gateway.GatewayPreflight;
import dev.warden.gateway.GatewayServer;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.PooledBackendConnector;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code warden serve --config gateway.yaml}: runs the PostgreSQL-protocol gateway until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the PostgreSQL-protocol gateway (psql, pgbench and drivers connect to it).")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "Gateway configuration (YAML).")
    Path config;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg;
        try {
            cfg = GatewayConfig.load(config);
        } catch (Exception e) {
            System.err.println("warden serve: " + e.getMessage());
            return 2;
        }
        if (cfg.policy() == null && !cfg.backend().url().startsWith("jdbc:warden:")) {
            System.err.println("warden serve: warning: no policy configured, so statements are forwarded unprotected"
                    + " (set policy: in " + config + ")");
        }
        GatewayPreflight.warnings(cfg).forEach(w -> System.err.println("warden serve: warning: " + w));
        List<String> problems = GatewayPreflight.problems(cfg);
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("warden serve: " + p));
            return 2;
        }
        // in the background: a backend that is slow or down must not delay start-up
        Thread userCheck = new Thread(() -> DatabaseUserWarning.checkBackends(cfg,
                new java.io.PrintWriter(System.err, true)), "warden-serve-user-check");
        userCheck.setDaemon(true);
        userCheck.start();
        PooledBackendConnector connector = new PooledBackendConnector(cfg.backend(), cfg.policy(), cfg.masterKey());
        GatewayServer server = new GatewayServer(cfg, connector, new PgjdbcCopyRunner());
        try {
            server.start();
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("warden serve: " + e.getMessage());
            server.close();
            return 2;
        } catch (Exception e) {
            // e.g. the port is taken: Netty rethrows the socket error from bind
            System.err.println("warden serve: cannot listen on " + cfg.host() + ":" + cfg.port() + ": " + e.getMessage());
            server.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "warden-serve-shutdown"));
        System.err.println("warden gateway listening on " + cfg.host() + ":" + server.port() + " (backend "
                + cfg.backend().url() + ", " + cfg.users().size() + " users, tls " + (cfg.tls() != null ? "on" : "off")
                + ", " + server.transport() + ")"
                + (cfg.admin() == null ? "" : "; admin (/metrics, /health) on " + cfg.admin().host() + ":"
                        + server.adminPort()));
        server.awaitClose();
        return 0;
    }

    /** Standalone entry point (the {@code warden} root command registers this as a subcommand). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }
}
