package dev.warden.jdbc;

import dev.warden.engine.Session;
import dev.warden.engine.SqlStates;
import dev.warden.engine.WardenEngine;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Arrays;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code jdbc:warden:<rest>} driver: opens {@code jdbc:<rest>} with whichever registered driver accepts
 * it, and wraps the connection so that every statement goes through the Warden engine. Registered through
 * {@code META-INF/services/java.sql.Driver}. Thread-safe and stateless; engines are shared per policy.
 */
public final class WardenDriver implements Driver {

    static {
        try {
            DriverManager.registerDriver(new WardenDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(WardenSettings.PREFIX);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) return null;  // DriverManager asks every driver; not ours
        WardenSettings settings = WardenSettings.parse(url, info);
        WardenEngine engine = WardenEngine.forConfig(settings.engineConfig());
        Driver real = realDriver(settings);
        Connection raw = real.connect(settings.realUrl(), settings.realProperties());
        if (raw == null) {
            throw SqlStates.of(SqlStates.NO_DRIVER, "the driver for " + settings.realUrlForMessages()
                    + " refused the URL");
        }
        return open(engine, raw, settings);
    }

    /** Wraps an open real connection in a session of {@code engine}; closes it if the session is refused. */
    static WardenConnection open(WardenEngine engine, Connection raw, WardenSettings settings) throws SQLException {
        try {
            String user = settings.realProperties().getProperty("user");
            if (user == null) user = raw.getMetaData().getUserName();
            String client = settings.realProperties().getProperty("ApplicationName");
            String database = settings.realUrl() != null ? settings.realUrlForMessages() : raw.getMetaData().getURL();
            Session session = engine.openSession(database, user, settings.role(), settings.purpose(), client, null);
            engine.warnAboutDatabaseUser(session, raw);
            return new WardenConnection(raw, engine, session);
        } catch (SQLException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static Driver realDriver(WardenSettings settings) throws SQLException {
        try {
            return DriverManager.getDriver(settings.realUrl());
        } catch (SQLException e) {
            throw SqlStates.of(SqlStates.NO_DRIVER, "no registered JDBC driver accepts "
                    + settings.realUrlForMessages() + " (is the database's driver on the classpath?)", e);
        }
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) return new DriverPropertyInfo[0];
        WardenSettings settings = WardenSettings.parse(url, info);
        DriverPropertyInfo[] real = realDriver(settings).getPropertyInfo(settings.realUrl(), settings.realProperties());
        DriverPropertyInfo[] all = Arrays.copyOf(real, real.length + 4);
        all[real.length] = property(WardenSettings.POLICY, settings.policy(), true,
                "policy file path, or classpath:resource");
        all[real.length + 1] = property(WardenSettings.ROLE, settings.role(), true, "the policy role to act as");
        all[real.length + 2] = property(WardenSettings.PURPOSE, settings.purpose(), false,
                "the purpose the session acts for (one the role declares)");
        all[real.length + 3] = property(WardenSettings.MASTER_KEY, null, false,
                "master key reference: env:NAME or file:PATH (default env:WARDEN_MASTER_KEY)");
        return all;
    }

    private static DriverPropertyInfo property(String name, String value, boolean required, String description) {
        DriverPropertyInfo p = new DriverPropertyInfo(name, value);
        p.required = required;
        p.description = description;
        return p;
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** Not compliant by design: some SQL on protected columns is refused. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Warden does not use java.util.logging");
    }
}
