package dev.warden.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The example of policy-examples/customers on a fresh embedded PostgreSQL database: schema created, Warden
 * connections opened per role and purpose with the demo keyset and master key. One instance per test.
 */
public final class CustomersExample {

    /** policy-examples/customers, found from the module directory Maven runs tests in. */
    public static final Path SOURCE = locate();
    /**
     * A private copy of the example per JVM, so that the audit trail the policy writes next to itself stays
     * out of the source tree and each test JVM reads only its own events.
     */
    public static final Path DIRECTORY = copyOf(SOURCE);
    public static final Path POLICY = DIRECTORY.resolve("policy.yaml");
    public static final Path MASTER_KEY = DIRECTORY.resolve("demo-master-key.txt");

    private final String rawUrl;

    private CustomersExample(String rawUrl) {
        this.rawUrl = rawUrl;
    }

    /** A new database with the example schema. */
    public static CustomersExample create() {
        String url = EmbeddedPostgres.freshDatabase();
        try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement()) {
            s.execute(Files.readString(DIRECTORY.resolve("schema.sql")));
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the example schema", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CustomersExample(url);
    }

    /** The plain pgjdbc URL, for reading what is stored at rest. */
    public String rawUrl() {
        return rawUrl;
    }

    /** {@code jdbc:warden:postgresql://...} of this database. */
    public String wardenUrl() {
        return "jdbc:warden:" + rawUrl.substring("jdbc:".length());
    }

    public Connection raw() throws SQLException {
        return EmbeddedPostgres.rawConnection(rawUrl);
    }

    public Connection as(String role) throws SQLException {
        return as(role, null);
    }

    public Connection as(String role, String purpose) throws SQLException {
        return DriverManager.getConnection(wardenUrl(), properties(role, purpose));
    }

    public static Properties properties(String role, String purpose) {
        return properties(DIRECTORY, role, purpose);
    }

    /**
     * Connection properties for the policy, keyset and master key in {@code policyDirectory} (a copy made by
     * {@link #newPolicyDirectory}): each directory is its own engine, so a test may change its keyset.
     */
    public static Properties properties(Path policyDirectory, String role, String purpose) {
        Properties p = new Properties();
        p.setProperty("user", EmbeddedPostgres.USER);
        p.setProperty("password", "");
        p.setProperty("warden.policy", policyDirectory.resolve("policy.yaml").toString());
        p.setProperty("warden.masterKey", "file:" + policyDirectory.resolve("demo-master-key.txt"));
        if (role != null) p.setProperty("warden.role", role);
        if (purpose != null) p.setProperty("warden.purpose", purpose);
        return p;
    }

    /** A Warden connection to this database through the policy in {@code policyDirectory}. */
    public Connection as(Path policyDirectory, String role, String purpose) throws SQLException {
        return DriverManager.getConnection(wardenUrl(), properties(policyDirectory, role, purpose));
    }

    /** A fresh private copy of the example's policy, keyset, master key and schema. */
    public static Path newPolicyDirectory() {
        return copyOf(SOURCE);
    }

    /**
     * A fresh private copy of the example with one text of its policy replaced, e.g. a read rule widened so
     * that a role may read every column; fails when the policy no longer holds {@code text}.
     */
    public static Path newPolicyDirectoryWith(String text, String replacement) {
        Path directory = newPolicyDirectory();
        Path policy = directory.resolve("policy.yaml");
        try {
            String yaml = Files.readString(policy);
            if (!yaml.contains(text)) throw new IllegalStateException("the example policy has no " + text);
            Files.writeString(policy, yaml.replace(text, replacement));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return directory;
    }

    /** A fresh private copy of {@code directory}'s policy, keyset, master key and schema (not its trail). */
    public static Path copyOfPolicyDirectory(Path directory) {
        return copyOf(directory);
    }

    /** The audit trail files the example policy writes (warden-audit*.jsonl in {@link #DIRECTORY}). */
    public static java.util.List<Path> auditFiles() throws IOException {
        try (var files = Files.list(DIRECTORY)) {
            return files.filter(f -> f.getFileName().toString().startsWith("warden-audit")
                    && f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    private static Path copyOf(Path source) {
        try {
            Path copy = Files.createTempDirectory("warden-example");
            for (String name : new String[] {"policy.yaml", "schema.sql", "demo-keyset.json", "demo-master-key.txt"}) {
                Files.copy(source.resolve(name), copy.resolve(name));
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path locate() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("policy-examples").resolve("customers");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("policy-examples/customers not found above " + dir);
    }
}
