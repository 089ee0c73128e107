package dev.warden.jdbc;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps any DataSource (a HikariCP pool, Spring's) so that its connections go through Warden, for code that
 * is handed a DataSource rather than a URL. Configure the policy and role with the setters before first
 * use; thread-safe afterwards.
 */
public final class WardenDataSource implements DataSource {

    private final DataSource target;
    private volatile String policy;
    private volatile String role;
    private volatile String purpose;
    private volatile String masterKey;

    public WardenDataSource(DataSource target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    public WardenDataSource(DataSource target, String policy, String role) {
        this(target);
        this.policy = policy;
        this.role = role;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public void setRole(String role) {
        this.role = role;
    }

    public void setPurpose(String purpose) {
        this.purpose = purpose;
    }

    /** {@code env:NAME} or {@code file:PATH}; default {@code env:WARDEN_MASTER_KEY}. */
    public void setMasterKey(String masterKey) {
        this.masterKey = masterKey;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(target.getConnection(username, password));
    }

    /**
     * Checks the settings now rather than at the first connection: opens the policy's engine (policy file,
     * keyset, master key, audit trail) and checks that the role exists and may act for the purpose. Opens no
     * database connection. For frameworks that build the DataSource at start-up (the Spring Boot starter) so
     * that a misconfiguration stops the application with Warden's message (file:line, role) at once.
     *
     * @throws SQLException 28000 (no policy, a policy error, an unknown role or purpose) or 58030 (keys)
     */
    public void checkSettings() throws SQLException {
        WardenEngine.forConfig(settings().engineConfig()).checkRole(role, purpose);
    }

    private WardenSettings settings() {
        return new WardenSettings(null, new Properties(), policy, role, purpose, masterKey);
    }

    private Connection wrap(Connection raw) throws SQLException {
        WardenSettings settings = settings();
        EngineConfig config;
        try {
            config = settings.engineConfig();
        } catch (SQLException e) {
            raw.close();
            throw e;
        }
        return WardenDriver.open(WardenEngine.forConfig(config), raw, settings);
    }

    /** A builder of the target would hand out unwrapped connections. */
    @Override
    public java.sql.ConnectionBuilder createConnectionBuilder() throws SQLException {
        throw new SQLFeatureNotSupportedException("Warden: use getConnection(); connection builders are not wrapped");
    }

    @Override
    public java.sql.ShardingKeyBuilder createShardingKeyBuilder() throws SQLException {
        throw new SQLFeatureNotSupportedException("Warden: sharding keys are not supported");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return Unwrapping.unwrap(this, iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
