package dev.warden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * {@code warden-driver-<version>-all.jar}, the one jar an application adds beside its database driver: a tiny
 * application compiled against nothing but that jar and pgjdbc's, run in its own JVM with only those two jars
 * on its class path, reads through {@code jdbc:warden:} the values this JVM's Warden wrote (decrypted for its
 * role) and writes values this JVM's Warden reads back, while the database holds ciphertext. The jar holds
 * Warden's classes and, relocated under {@code dev.warden.shaded}, its dependencies: no class outside
 * {@code dev.warden} that could clash with the application's own, no pgjdbc, no HikariCP, no JMH.
 */
class AllJarIT {

    private static final String EMAIL = "jane@example.com";
    private static final String PHONE = "555-0100";

    /** Uses the shaded jar's public API (WardenDataSource) as well as the driver (DriverManager and the services file). */
    private static final String APPLICATION = """
            import dev.warden.jdbc.WardenDataSource;
            import java.sql.Connection;
            import java.sql.DriverManager;
            import java.sql.PreparedStatement;
            import java.sql.ResultSet;
            import java.util.Properties;
            import org.postgresql.ds.PGSimpleDataSource;

            public class WardenApp {
                public static void main(String[] args) throws Exception {
                    String rawUrl = args[0], user = args[1], policy = args[2], masterKey = args[3];
                    Properties p = new Properties();
                    p.setProperty("user", user);
                    p.setProperty("password", "");
                    p.setProperty("warden.policy", policy);
                    p.setProperty("warden.masterKey", masterKey);
                    p.setProperty("warden.role", "support");
                    p.setProperty("warden.purpose", "customer-service");
                    try (Connection c = DriverManager.getConnection("jdbc:warden:" + rawUrl.substring(5), p);
                         PreparedStatement ps = c.prepareStatement("SELECT name, email, phone FROM customers WHERE email = ?")) {
                        ps.setString(1, args[4]);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                System.out.println("read " + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
                            }
                        }
                    }
                    PGSimpleDataSource database = new PGSimpleDataSource();
                    database.setUrl(rawUrl);
                    database.setUser(user);
                    WardenDataSource warden = new WardenDataSource(database, policy, "support");
                    warden.setPurpose("customer-service");
                    warden.setMasterKey(masterKey);
                    try (Connection c = warden.getConnection();
                         PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)")) {
                        ps.setString(1, "Joe");
                        ps.setString(2, "joe@example.com");
                        ps.setString(3, "555-0199");
                        System.out.println("inserted " + ps.executeUpdate());
                    }
                }
            }
            """;

    @Test
    void anApplicationWithOnlyTheAllJarAndPgjdbcReadsAndWritesThroughWarden() throws Exception {
        Path allJar = allJar();
        Path pgjdbc = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        CustomersExample db = CustomersExample.create();
        Path policyDirectory = CustomersExample.newPolicyDirectory();
        try (Connection support = db.as(policyDirectory, "support", "customer-service")) {
            support.createStatement().executeUpdate(
                    "INSERT INTO customers (name, email, phone) VALUES ('Jane', '" + EMAIL + "', '" + PHONE + "')");
        }

        Path work = Files.createTempDirectory("warden-all-jar");
        String classPath = allJar + File.pathSeparator + pgjdbc;
        compile(work, classPath);
        // the same policy and keyset, in a directory of its own: an audit trail has one writer
        Path applicationPolicy = CustomersExample.newPolicyDirectory();
        List<String> output = run(work, classPath + File.pathSeparator + work, db.rawUrl(),
                EmbeddedPostgres.USER, applicationPolicy.resolve("policy.yaml").toString(),
                "file:" + applicationPolicy.resolve("demo-master-key.txt"), EMAIL);
        assertEquals(List.of("read Jane|" + EMAIL + "|" + PHONE, "inserted 1"), output);
        try (var trail = Files.list(applicationPolicy)) {
            assertTrue(trail.anyMatch(f -> f.getFileName().toString().startsWith("warden-audit") && f.toFile().length() > 0),
                    "the application's statements were audited");
        }

        try (Connection support = db.as(policyDirectory, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("SELECT name, phone FROM customers WHERE email = ?")) {
            ps.setString(1, "joe@example.com");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the application's row, found by its deterministic ciphertext");
                assertEquals("Joe", rs.getString(1));
                assertEquals("555-0199", rs.getString(2));
            }
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM customers WHERE encode(email, 'escape') LIKE '%example.com%'"
                        + " OR encode(phone, 'escape') LIKE '%555-01%'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "no plaintext at rest");
        }
    }

    @Test
    void theJarHoldsWardenAndItsRelocatedDependenciesOnly() throws IOException {
        try (JarFile jar = new JarFile(allJar().toFile())) {
            List<String> foreign = new ArrayList<>();
            for (ZipEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.startsWith("dev/warden/")) foreign.add(name);
            }
            assertEquals(List.of(), foreign.subList(0, Math.min(10, foreign.size())),
                    foreign.size() + " classes outside dev/warden (unrelocated or unwanted), e.g. these");
            for (String dependency : List.of("net/sf/jsqlparser/", "com/google/crypto/tink/", "com/google/protobuf/",
                    "com/github/benmanes/caffeine/", "org/snakeyaml/engine/", "com/fasterxml/jackson/databind/")) {
                String relocated = "dev/warden/shaded/" + switch (dependency) {
                    case "net/sf/jsqlparser/" -> "jsqlparser/";
                    case "com/google/crypto/tink/" -> "tink/";
                    case "com/google/protobuf/" -> "protobuf/";
                    case "com/github/benmanes/caffeine/" -> "caffeine/";
                    case "org/snakeyaml/engine/" -> "snakeyaml/";
                    default -> "jackson/databind/";
                };
                assertTrue(jar.stream().anyMatch(e -> e.getName().startsWith(relocated)), dependency + " not in the jar");
            }
            for (String absent : List.of("dev/warden/shaded/postgresql", "dev/warden/shaded/zaxxer", "dev/warden/shaded/jmh")) {
                assertFalse(jar.stream().anyMatch(e -> e.getName().startsWith(absent)), absent);
            }
            ZipEntry driverService = jar.getEntry("META-INF/services/java.sql.Driver");
            assertNotNull(driverService);
            assertEquals("dev.warden.jdbc.WardenDriver",
                    new String(jar.getInputStream(driverService).readAllBytes(), StandardCharsets.UTF_8).trim());
            assertNotNull(jar.getEntry("META-INF/services/dev.warden.shaded.jackson.core.JsonFactory"),
                    "Jackson's service files follow its relocation");
        }
    }

    /** The jar Maven's package phase built (failsafe passes its path). */
    private static Path allJar() {
        String path = System.getProperty("warden.allJar");
        assertNotNull(path, "system property warden.allJar (set by the driver's failsafe configuration)");
        Path jar = Path.of(path);
        assertTrue(Files.isRegularFile(jar), jar + " was not built (mvn package builds it)");
        return jar;
    }

    private static void compile(Path out, String classPath) throws IOException {
        Path source = out.resolve("WardenApp.java");
        Files.writeString(source, APPLICATION);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK, not a JRE");
        int status = javac.run(null, null, null, "--release", "17", "-classpath", classPath,
                "-d", out.toString(), source.toString());
        assertEquals(0, status, "the application compiles against the -all jar and pgjdbc alone");
    }

    private static List<String> run(Path work, String classPath, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath, "WardenApp"));
        command.addAll(List.of(args));
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the application did not finish");
        // stderr: the driver's System.Logger warnings (the test database's user is a superuser), never an exception
        String errors = Files.readString(err);
        assertEquals(0, process.exitValue(), errors);
        assertFalse(errors.contains("Exception") || errors.contains("Error:"), errors);
        return Files.readString(out).lines().toList();
    }
}
