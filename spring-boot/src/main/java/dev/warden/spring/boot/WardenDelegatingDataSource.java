package dev.warden.spring.boot;

import dev.warden.jdbc.WardenDataSource;
import java.sql.Connection;
import java.sql.ConnectionBuilder;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.ShardingKeyBuilder;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The bean that replaces an application's DataSource: every connection comes through {@link WardenDataSource},
 * while Spring Boot still sees the pool beneath it.
 *
 * <p>Why a {@link DelegatingDataSource}: Boot finds the pool behind a DataSource bean for health checks (the
 * pool's validation query), pool metadata and metrics, JMX and checkpoint-restore through its
 * {@code DataSourceUnwrapper}, which follows {@link #getTargetDataSource()} of a DelegatingDataSource. JDBC's
 * {@link #unwrap} stays as strict as {@link WardenDataSource}'s: a library asking for the pool (or any other
 * object beneath) through the standard API is refused (0A000) instead of being handed connections that bypass
 * the policy. {@code getTargetDataSource()} is Spring's explicit way to inspect the pool, and an application
 * holding it could as well open a connection with its own credentials.
 *
 * <p>Thread-safe once built.
 */
public final class WardenDelegatingDataSource extends DelegatingDataSource {

    private final WardenDataSource warden;

    /** {@code warden} must wrap {@code pool}. */
    WardenDelegatingDataSource(DataSource pool, WardenDataSource warden) {
        super(pool);
        this.warden = warden;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return warden.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return warden.getConnection(username, password);
    }

    /** A builder of the pool would hand out connections Warden never sees. */
    @Override
    public ConnectionBuilder createConnectionBuilder() throws SQLException {
        return warden.createConnectionBuilder();
    }

    @Override
    public ShardingKeyBuilder createShardingKeyBuilder() throws SQLException {
        return warden.createShardingKeyBuilder();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) return iface.cast(this);
        return warden.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this) || warden.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "Warden over " + getTargetDataSource();
    }
}
