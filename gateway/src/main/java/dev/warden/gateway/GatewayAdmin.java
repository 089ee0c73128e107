package dev.warden.gateway;

import dev.warden.engine.KeysetStatus;
import dev.warden.engine.WardenEngine;
import dev.warden.gateway.admin.AdminListener;
import dev.warden.gateway.admin.HealthProbe;
import dev.warden.gateway.backend.BackendConnector;
import dev.warden.gateway.backend.PoolUse;
import dev.warden.metrics.MicrometerBinding;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * What the admin listener ({@code admin:} in gateway.yaml) serves for this gateway: a Prometheus registry of its
 * own holding the engine's meters ({@link MicrometerBinding}) and the gateway's (client connections, backend pool
 * use), and the health probes (audit trail writable, keyset file in use, database reachable). Started by
 * {@link GatewayServer#start}, closed with it. Thread-safe.
 */
final class GatewayAdmin implements AutoCloseable {

    /** How long the database probe waits to connect and for its answer, in seconds. */
    private static final int PROBE_TIMEOUT_SECONDS = 5;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerBinding engineMeters;  // null without a policy
    private final AdminListener listener;
    // Micrometer holds what a gauge or function counter reads only weakly: these are held here
    private final IntSource sessions;
    private final LongSupplier sessionsOpened;

    private GatewayAdmin(InetSocketAddress address, GatewayConfig config, WardenEngine engine, BackendConnector connector,
                         IntSource sessions, LongSupplier sessionsOpened) throws IOException {
        this.sessions = sessions;
        this.sessionsOpened = sessionsOpened;
        engineMeters = engine == null ? null : MicrometerBinding.bind(engine.meters(), registry);
        Gauge.builder("warden.gateway.connections", sessions, IntSource::get)
                .description("Client connections open (authenticated sessions)").register(registry);
        FunctionCounter.builder("warden.gateway.connections.opened", sessionsOpened, LongSupplier::getAsLong)
                .description("Client sessions started since the gateway started").register(registry);
        poolGauge("warden.gateway.pool.connections", "active", connector, PoolUse::active);
        poolGauge("warden.gateway.pool.connections", "idle", connector, PoolUse::idle);
        Gauge.builder("warden.gateway.pool.waiting", connector, c -> c.poolUse().waiting())
                .description("Sessions waiting for a backend connection").register(registry);
        Gauge.builder("warden.gateway.pool.max", connector, c -> c.poolUse().max())
                .description("Backend connections the pools may open in all").register(registry);
        Gauge.builder("warden.gateway.pools", connector, c -> c.poolUse().pools())
                .description("Backend connection pools (one per database user, role and purpose)").register(registry);
        listener = AdminListener.start(address, registry::scrape, probes(config, engine));
    }

    /** The number of open sessions, read when scraped. */
    @FunctionalInterface
    interface IntSource {
        int get();
    }

    private void poolGauge(String name, String state, BackendConnector connector, ToDoubleFunction<PoolUse> value) {
        Gauge.builder(name, connector, c -> value.applyAsDouble(c.poolUse()))
                .description("Backend connections open, lent to a session (active) or idle").tag("state", state)
                .register(registry);
    }

    /**
     * Starts the admin listener of {@code config} (which has one).
     *
     * @throws IllegalArgumentException when its host is not an address (start-up error, exit 2)
     * @throws IllegalStateException    when it is not loopback and not allowed to be, or cannot be bound
     */
    static GatewayAdmin start(GatewayConfig config, WardenEngine engine, BackendConnector connector,
                              IntSource sessions, LongSupplier sessionsOpened) {
        GatewayConfig.Admin admin = config.admin();
        InetAddress ip = new InetSocketAddress(admin.host(), admin.port()).getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("admin.listen: cannot resolve host " + admin.host());
        }
        if (!ip.isLoopbackAddress() && !admin.allowNonLoopback()) {
            throw new IllegalStateException("admin.listen: refusing to serve metrics and health on non-loopback address "
                    + admin.host() + "; set admin.allow-non-loopback: true to allow it");
        }
        try {
            // bound to the address checked, not to the host name resolved again (it may resolve elsewhere by then)
            return new GatewayAdmin(new InetSocketAddress(ip, admin.port()), config, engine, connector, sessions,
                    sessionsOpened);
        } catch (IOException e) {
            throw new IllegalStateException("admin.listen: cannot listen on " + admin.host() + ":" + admin.port() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The admin listener's port. */
    int port() {
        return listener.port();
    }

    private static List<HealthProbe> probes(GatewayConfig config, WardenEngine engine) {
        List<HealthProbe> probes = new ArrayList<>();
        if (engine != null) {
            probes.add(probe("audit", () -> engine.meters().auditHealthy() ? null
                    : "the audit trail cannot be written (see the gateway's log and the trail's alarms)"));
            probes.add(probe("keyset", () -> {
                KeysetStatus status = engine.keysetStatus();
                return status.healthy() ? null : status.lastError() + " (the keys in use stay: " + status.keys() + ")";
            }));
        }
        probes.add(probe("database", () -> databaseProblem(config.backend())));
        return List.copyOf(probes);
    }

    private static HealthProbe probe(String name, java.util.function.Supplier<String> check) {
        return new HealthProbe() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String problem() {
                return check.get();
            }
        };
    }

    /** Opens a plain connection to the backend as its shared user and asks it to answer; null when it does. */
    private static String databaseProblem(GatewayConfig.Backend backend) {
        String url = backend.url().startsWith("jdbc:warden:")
                ? "jdbc:" + backend.url().substring("jdbc:warden:".length()) : backend.url();
        Properties p = new Properties();
        if (backend.user() != null) p.setProperty("user", backend.user());
        if (backend.password() != null) p.setProperty("password", backend.password());
        p.setProperty("connectTimeout", String.valueOf(PROBE_TIMEOUT_SECONDS));
        p.setProperty("socketTimeout", String.valueOf(PROBE_TIMEOUT_SECONDS));
        p.setProperty("loginTimeout", String.valueOf(PROBE_TIMEOUT_SECONDS));
        p.setProperty("ApplicationName", "warden-gateway health");
        try (Connection c = DriverManager.getConnection(url, p)) {
            return c.isValid(PROBE_TIMEOUT_SECONDS) ? null : "the database did not answer within "
                    + PROBE_TIMEOUT_SECONDS + " s";
        } catch (SQLException e) {
            // pgjdbc's connection errors name host and port, never the password
            return "cannot connect to the database (SQLState " + e.getSQLState() + "): " + e.getMessage();
        }
    }

    @Override
    public void close() {
        listener.close();
        if (engineMeters != null) engineMeters.close();
        registry.close();
    }
}
