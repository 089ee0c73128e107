package dev.warden.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per JVM (zonky embedded binaries, no Docker), started on first use and stopped
 * at JVM exit, with a fresh database per call to {@link #freshDatabase()}. Thread-safe.
 */
public final class EmbeddedPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

    private EmbeddedPostgres() {}

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server() {
        if (server == null) {
            synchronized (EmbeddedPostgres.class) {
                if (server == null) {
                    try {
                        var started = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                                .setServerConfig("max_connections", "200")
                                .setServerConfig("fsync", "off")
                                .start();
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                            try {
                                started.close();
                            } catch (IOException ignored) {
                                // the JVM is going away; the temp directory is cleaned by zonky
                            }
                        }));
                        server = started;
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not start embedded PostgreSQL", e);
                    }
                }
            }
        }
        return server;
    }

    public static int port() {
        return server().getPort();
    }

    /** {@code jdbc:postgresql://localhost:PORT/DB} (no credentials: user postgres, trust auth). */
    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    public static final String USER = "postgres";

    /** Creates a new empty database and returns its plain pgjdbc URL. */
    public static String freshDatabase() {
        String name = "warden_test_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database", e);
        }
        return jdbcUrl(name);
    }

    /** A plain pgjdbc connection (no Warden) for set-up and for reading what is stored at rest. */
    public static Connection rawConnection(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, USER, "");
    }
}
