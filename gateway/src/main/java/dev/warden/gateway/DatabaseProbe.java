package dev.warden.gateway;

import dev.warden.gateway.admin.HealthProbe;
import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.backend.BackendConnector;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Properties;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code database} check of {@code GET /health}: does the database answer the gateway as a login its sessions
 * use? First on a connection a backend pool holds idle (validated, then given back: no new connection), else on a
 * plain connection of its own, opened as the login the sessions use: the backend's shared {@code user} when some
 * gateway user has no {@code backend-user} (or none has), else the {@code backend-user} of the first gateway user by
 * name. A finding is kept for {@link #CACHE_NANOS}, so that however often a scraper asks, the gateway does not
 * hammer the database. Called on the admin listener's one thread; synchronized anyway.
 */
final class DatabaseProbe implements HealthProbe {

    /** How long the probe waits to connect and for its answer, in seconds. */
    static final int TIMEOUT_SECONDS = 5;
    /** How long a finding is answered again without asking the database. */
    static final long CACHE_NANOS = 2_000_000_000L;

    private final Supplier<Finding> probe;
    private final LongSupplier clock;
    private Finding last;
    private long lastAt;

    DatabaseProbe(Supplier<Finding> probe, LongSupplier clock) {
        this.probe = probe;
        this.clock = clock;
    }

    /** The probe of {@code config}'s backend, reusing {@code connector}'s idle connections. */
    static DatabaseProbe of(GatewayConfig config, BackendConnector connector) {
        return new DatabaseProbe(() -> check(config, connector), System::nanoTime);
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public synchronized Finding check() {
        long now = clock.getAsLong();
        if (last == null || now - lastAt >= CACHE_NANOS) {
            last = probe.get();
            lastAt = clock.getAsLong();
        }
        return last;
    }

    private static Finding check(GatewayConfig config, BackendConnector connector) {
        try (Connection idle = connector.idleConnection()) {
            if (idle != null && idle.isValid(TIMEOUT_SECONDS)) return Finding.UP;
            // none idle, or a broken one (the pool evicts it): ask the database on a connection of our own
        } catch (SQLException | RuntimeException e) {
            // the same: an own connection tells why
        }
        GatewayConfig.Backend backend = config.backend();
        BackendLogin login = probeLogin(config);
        String url = backend.url().startsWith("jdbc:warden:")
                ? "jdbc:" + backend.url().substring("jdbc:warden:".length()) : backend.url();
        Properties p = new Properties();
        backend.properties().forEach((name, value) -> {
            // as in the pools: a user's own login wins over a shared user given as a driver property
            if (login == null || !(name.equalsIgnoreCase("user") || name.equalsIgnoreCase("password"))) {
                p.setProperty(name, value);
            }
        });
        String user = login != null ? login.user() : backend.user();
        String password = login != null ? login.password() : backend.password();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("connectTimeout", String.valueOf(TIMEOUT_SECONDS));
        p.setProperty("socketTimeout", String.valueOf(TIMEOUT_SECONDS));
        p.setProperty("loginTimeout", String.valueOf(TIMEOUT_SECONDS));
        p.setProperty("ApplicationName", "warden-gateway health");
        try (Connection c = DriverManager.getConnection(url, p)) {
            return c.isValid(TIMEOUT_SECONDS) ? Finding.UP
                    : Finding.down("the database did not answer within " + TIMEOUT_SECONDS + " s");
        } catch (SQLException e) {
            // pgjdbc's connection errors name host, port and user, never the password
            return Finding.down("cannot connect to the database (SQLState " + e.getSQLState() + "): " + e.getMessage());
        }
    }

    /**
     * The login the probe connects as, one the sessions use: null (the backend's shared user) when some gateway
     * user has no {@code backend-user} or there are no users, else the first user's (by name) own.
     */
    static BackendLogin probeLogin(GatewayConfig config) {
        if (config.users().isEmpty() || config.users().values().stream().anyMatch(u -> u.backendLogin() == null)) {
            return null;
        }
        return config.users().values().stream().min(Comparator.comparing(GatewayUser::name))
                .map(GatewayUser::backendLogin).orElse(null);
    }
}
