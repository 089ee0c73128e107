package dev.warden.cli;

import dev.warden.gateway.GatewayConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The live database a command reads ({@code --url}, {@code --user}, {@code --password env:NAME|file:PATH}), as
 * {@code warden keys reencrypt} and {@code warden schema} take them: a plain JDBC URL (never {@code jdbc:warden:}:
 * these commands read what is stored) and a password given by reference, so that it never appears in the process
 * list.
 */
final class DatabaseOptions {

    @Option(names = "--url", required = true, description = "plain JDBC URL of the database, e.g."
            + " jdbc:postgresql://db:5432/shop (not jdbc:warden:)")
    String url;

    @Option(names = "--user", description = "database user")
    String user;

    @Option(names = "--password", paramLabel = "REF", description = "database password reference: env:NAME or file:PATH")
    String password;

    /** What is wrong with the options, for a usage error (exit 2), or null. */
    String problem() {
        if (url.startsWith("jdbc:warden:")) {
            return "give the plain JDBC URL (without warden:): the command reads what the database stores";
        }
        if (password != null && !password.startsWith("env:") && !password.startsWith("file:")) {
            return "--password takes env:NAME or file:PATH, so that the password does not appear in the process list";
        }
        return null;
    }

    /**
     * A plain JDBC connection. {@link IllegalArgumentException} when the password reference cannot be resolved
     * (its message names the reference, never a secret).
     */
    Connection connect() throws SQLException {
        Properties props = new Properties();
        if (user != null) props.setProperty("user", user);
        if (password != null) props.setProperty("password", GatewayConfig.resolveSecret(password, null));
        props.setProperty("loginTimeout", "10");
        return DriverManager.getConnection(url, props);
    }

    /** The database named for reports: the URL without its query string (which may hold a password). */
    String describe() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
