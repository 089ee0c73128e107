package dev.warden.gateway;

import dev.warden.engine.KeysetStatus;
import dev.warden.engine.WardenEngine;
import dev.warden.gateway.admin.AdminListener;
import dev.warden.gateway.admin.HealthProbe;
import dev.warden.gateway.backend.BackendConnector;
import dev.warden.gateway.backend.PoolUse;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * What the admin listener ({@code admin:} in gateway.yaml) serves for this gateway: a Prometheus registry of its
 * own holding the engines' meters (through Micrometer's global registry, where each engine publishes them) and the
 * gateway's (client connections, backend pool
 * use), and the health probes (audit trail writable, keyset file in use, database reachable). Started by
 * {@link GatewayServer#start}, closed with it. Thread-safe.
 */
final class GatewayAdmin implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AdminListener listener;
    // Micrometer holds what a gauge or function counter reads only weakly: these are held here
    private final IntSource sessions;
    private final LongSupplier sessionsOpened;

    private GatewayAdmin(InetSocketAddress address, GatewayConfig config, WardenEngine engine, BackendConnector connector,
                         IntSource sessions, LongSupplier sessionsOpened) throws IOException {
        this.sessions = sessions;
        this.sessionsOpened = sessionsOpened;
        // Every engine publishes its meters in Micrometer's global registry when it opens (MetricsExport), whether
        // opened for policy: in gateway.yaml or by a jdbc:warden: backend URL's warden.policy: through it, this
        // registry shows each engine of this JVM, from the moment it opens, without binding any engine twice
        Metrics.addRegistry(registry);
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
        listener = AdminListener.start(address, registry::scrape, probes(config, engine, connector));
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

    private static List<HealthProbe> probes(GatewayConfig config, WardenEngine engine, BackendConnector connector) {
        List<HealthProbe> probes = new ArrayList<>();
        if (engine != null) {
            probes.add(probe("audit", () -> {
                if (engine.meters().auditHealthy()) return HealthProbe.Finding.UP;
                // fail-closed: statements on protected tables are refused meanwhile; fail-open: they run unaudited
                return engine.policy().audit().failClosed()
                        ? HealthProbe.Finding.down("the audit trail cannot be written and is fail-closed: statements on"
                                + " protected tables are refused (see the gateway's log and the trail's alarms)")
                        : HealthProbe.Finding.degraded("the audit trail cannot be written and is fail-open: statements"
                                + " run unaudited (see the gateway's log and the trail's alarms)");
            }));
            probes.add(probe("keyset", () -> {
                KeysetStatus status = engine.keysetStatus();
                // the engine does not start without its keys, and a rejected file leaves the previous ones in use
                return status.healthy() ? HealthProbe.Finding.UP : HealthProbe.Finding.degraded(
                        status.lastError() + " (the keys in use stay: " + status.keys() + ")");
            }));
        }
        probes.add(DatabaseProbe.of(config, connector));
        return List.copyOf(probes);
    }

    private static HealthProbe probe(String name, java.util.function.Supplier<HealthProbe.Finding> check) {
        return new HealthProbe() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Finding check() {
                return check.get();
            }
        };
    }

    @Override
    public void close() {
        listener.close();
        Metrics.removeRegistry(registry);
        registry.close();
    }
}
