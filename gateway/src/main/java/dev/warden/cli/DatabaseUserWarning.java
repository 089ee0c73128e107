package dev.warden.cli;

import dev.warden.engine.DatabaseUserCheck;
import dev.warden.gateway.GatewayConfig;
import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.GatewayUser;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The commands' warning when the database user they connect as is a superuser or may act with server-file powers
 * (see {@link DatabaseUserCheck}): printed once, on the command's error stream, prefixed with the command's name.
 * Stateless.
 */
final class DatabaseUserWarning {

    private DatabaseUserWarning() {}

    /** Prints the warning for {@code connection}'s user, if any; a check that cannot run prints nothing. */
    static void check(Connection connection, String command, PrintWriter err) {
        try {
            String warning = DatabaseUserCheck.warning(connection.getMetaData().getUserName(),
                    DatabaseUserCheck.powers(connection));
            if (warning != null) {
                err.println(command + ": warning: " + warning);
                err.flush();
            }
        } catch (SQLException | RuntimeException e) {
            // the check is advice: a database that cannot answer it is not a reason to stop the command
        }
    }

    /**
     * Connects to the gateway's backend once with plain pgjdbc (the backend URL without {@code warden:}, its user,
     * password and driver properties) and prints the warning; a backend that cannot be reached now prints nothing
     * (the driver warns at the first client's connection instead).
     */
    static void checkBackend(GatewayConfig.Backend backend, PrintWriter err) {
        checkBackend(backend, backend.user(), backend.password(), err);
    }

    /**
     * {@link #checkBackend(GatewayConfig.Backend, PrintWriter)} for the backend's shared user and for each database
     * user of the gateway users' own: a superuser among them could cancel, terminate and read everyone's anyway.
     */
    static void checkBackends(GatewayConfig config, PrintWriter err) {
        checkBackend(config.backend(), err);
        java.util.Set<BackendLogin> seen = new java.util.HashSet<>();
        for (GatewayUser user : config.users().values()) {
            BackendLogin login = user.backendLogin();
            if (login != null && seen.add(login)) checkBackend(config.backend(), login.user(), login.password(), err);
        }
    }

    private static void checkBackend(GatewayConfig.Backend backend, String user, String password, PrintWriter err) {
        String url = backend.url().startsWith("jdbc:warden:")
                ? "jdbc:" + backend.url().substring("jdbc:warden:".length()) : backend.url();
        Properties props = new Properties();
        backend.properties().forEach((k, v) -> {
            if (!k.startsWith("warden.")) props.setProperty(k, v);
        });
        if (user != null) props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("loginTimeout", "5");
        try (Connection connection = DriverManager.getConnection(url, props)) {
            check(connection, "warden serve", err);
        } catch (SQLException | RuntimeException e) {
            // unreachable now; the gateway connects lazily and the driver checks then
        }
    }
}
