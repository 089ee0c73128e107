package dev.warden.gateway;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.SqlStates;
import dev.warden.engine.WardenEngine;
import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.backend.BackendConnector;
import dev.warden.gateway.backend.BlockingSocketFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link BackendConnector} over HikariCP pools, one pool per (database user, role, purpose), each of up to
 * {@code poolSize} connections to the configured JDBC URL. The database user is the gateway user's own
 * ({@link GatewayUser#backendLogin()}) or else the backend's shared {@code user}; a connection is only ever lent to
 * gateway users of its pool's database user, so what PostgreSQL checks against that user (cancelling and
 * terminating backends, large objects, object ownership) separates gateway users with different ones. For a
 * {@code jdbc:warden:} URL each pool's connections carry {@code warden.role}, {@code warden.purpose},
 * {@code warden.policy} and {@code warden.masterKey}; for a plain {@code jdbc:postgresql:} URL role and purpose do
 * not change the connection and one pool per database user serves everybody. Thread-safe.
 */
public final class PooledBackendConnector implements BackendConnector {

    /** {@code login} null: the backend's shared user. */
    private record Key(BackendLogin login, String role, String purpose) {}

    /** The driver's rule (the one WardenExceptionOverride applies), through the engine. */
    private static final SQLExceptionOverride STATEMENT_ERRORS_ARE_NOT_BROKEN = new SQLExceptionOverride() {
        @java.lang.Override // the bare name is HikariCP's nested Override enum here
        public Override adjudicate(SQLException e) {
            return SqlStates.leavesConnectionUsable(e) ? Override.DO_NOT_EVICT : Override.CONTINUE_EVICT;
        }
    };

    /** How long {@link #idleConnection} waits when the idle connection it saw was taken meanwhile. */
    private static final long IDLE_BORROW_MILLIS = 250;

    private final GatewayConfig.Backend backend;
    private final String url;
    private final String policy;
    private final String masterKey;
    private final boolean warden;
    private final Map<Key, HikariDataSource> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public PooledBackendConnector(GatewayConfig.Backend backend, String policy, String masterKey) {
        this.backend = Objects.requireNonNull(backend);
        this.policy = policy;
        this.masterKey = masterKey;
        // With a policy, every statement goes through the engine, whatever URL the configuration wrote:
        // a gateway that names a policy and forwards to a plain pgjdbc URL would protect nothing.
        this.url = policy != null && !backend.url().startsWith("jdbc:warden:")
                ? "jdbc:warden:" + backend.url().substring("jdbc:".length()) : backend.url();
        this.warden = url.startsWith("jdbc:warden:");
    }

    @Override
    public Connection open(GatewayUser user, String purpose) throws SQLException {
        if (closed) {
            throw new SQLException("gateway is shutting down", "57P01");
        }
        if (warden && policy != null) {
            // the policy may have been reloaded since the gateway started (or since this pool was made): a user
            // whose role it no longer has is refused now, not after a pool's connection timeout
            WardenEngine.forConfig(new EngineConfig(policy, masterKey)).checkRole(user.role(), purpose);
        }
        Key key = warden ? new Key(user.backendLogin(), user.role(), purpose) : new Key(user.backendLogin(), "", null);
        return pools.computeIfAbsent(key, this::createPool).getConnection();
    }

    private HikariDataSource createPool(Key key) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        String user = key.login() != null ? key.login().user() : backend.user();
        String password = key.login() != null ? key.login().password() : backend.password();
        if (user != null) {
            c.setUsername(user);
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(backend.poolSize());
        c.setMinimumIdle(0);
        c.setPoolName("warden-gateway-" + (user == null ? "backend" : user)
                + (key.role().isEmpty() ? "" : "-" + key.role() + "-" + key.purpose()));
        // like pgbouncer, a client waits for a free backend connection rather than failing at once
        c.setConnectionTimeout(60_000);
        // HikariCP takes SQLState 0A000 for a broken connection and evicts it, but for PostgreSQL and Warden
        // it is an ordinary error (feature not supported, a refused statement shape): the session goes on
        c.setExceptionOverride(STATEMENT_ERRORS_ARE_NOT_BROKEN);
        if (url.startsWith("jdbc:postgresql:") || warden) {
            // Text results straight from the server: what getString returns is then exactly PostgreSQL's
            // own output format (pgjdbc would otherwise reformat binary-received floats and timestamps).
            c.addDataSourceProperty("binaryTransfer", "false");
            // A client's simple query goes to the server as a simple query too (one message, no describe
            // step); statements the client prepared stay prepared.
            c.addDataSourceProperty("preferQueryMode", "extendedForPrepared");
            // one blocking read per backend round trip instead of read, poll, read (see BlockingSocketFactory)
            c.addDataSourceProperty("socketFactory", BlockingSocketFactory.class.getName());
        }
        backend.properties().forEach((name, value) -> {
            // HikariCP lets a user or password driver property win over the pool's: they belong to the shared user
            if (key.login() == null || !(name.equalsIgnoreCase("user") || name.equalsIgnoreCase("password"))) {
                c.addDataSourceProperty(name, value);
            }
        });
        if (warden) {
            c.addDataSourceProperty("warden.role", key.role());
            if (key.purpose() != null) {
                c.addDataSourceProperty("warden.purpose", key.purpose());
            }
            if (policy != null) {
                c.addDataSourceProperty("warden.policy", policy);
            }
            if (masterKey != null) {
                c.addDataSourceProperty("warden.masterKey", masterKey);
            }
        }
        return new HikariDataSource(c);
    }

    /** Backend connections currently lent to sessions, over all pools (for tests and monitoring). */
    int activeConnections() {
        int n = 0;
        for (HikariDataSource pool : pools.values()) {
            n += pool.getHikariPoolMXBean().getActiveConnections();
        }
        return n;
    }

    /** Backend connections open, lent or idle, over all pools. */
    int totalConnections() {
        int n = 0;
        for (HikariDataSource pool : pools.values()) {
            n += pool.getHikariPoolMXBean().getTotalConnections();
        }
        return n;
    }

    @Override
    public Connection idleConnection() {
        for (HikariDataSource pool : pools.values()) {
            // HikariPool is the pool's MXBean; its getConnection takes a timeout, the DataSource's waits 60 s
            if (pool.getHikariPoolMXBean() instanceof HikariPool p && p.getIdleConnections() > 0) {
                try {
                    return p.getConnection(IDLE_BORROW_MILLIS);
                } catch (SQLException e) {
                    // taken meanwhile, or found broken and evicted: try the next pool
                }
            }
        }
        return null;
    }

    @Override
    public dev.warden.gateway.backend.PoolUse poolUse() {
        int active = 0;
        int idle = 0;
        int waiting = 0;
        int max = 0;
        for (HikariDataSource pool : pools.values()) {
            var bean = pool.getHikariPoolMXBean();
            if (bean == null) continue;  // closing
            active += bean.getActiveConnections();
            idle += bean.getIdleConnections();
            waiting += bean.getThreadsAwaitingConnection();
            max += pool.getMaximumPoolSize();
        }
        return new dev.warden.gateway.backend.PoolUse(pools.size(), active, idle, waiting, max);
    }

    @Override
    public void close() {
        closed = true;
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
