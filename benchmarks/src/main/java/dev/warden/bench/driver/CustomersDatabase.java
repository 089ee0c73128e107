package dev.warden.bench.driver;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Properties;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One embedded PostgreSQL per benchmark fork, holding the example {@code customers} schema and
 * {@value #CUSTOMERS} customers written through Warden (so the stored ciphertext is real). Both the raw
 * pgjdbc and the Warden benchmarks of a pair run against this same server, so they pay the same database
 * costs; the raw side binds and reads the ciphertext Warden stored, i.e. exactly what the server sees.
 *
 * <p>The example policy is copied to a temporary directory first, so that anything the driver writes next
 * to the policy (its audit trail) does not litter the repository. Set up once per fork, read-only after
 * that, so safe to share between benchmark threads.
 */
@State(Scope.Benchmark)
public class CustomersDatabase {

    /** Rows loaded at set-up; inserted rows get larger ids and are deleted after every iteration. */
    public static final int CUSTOMERS = 10_000;
    /** Rows read by the range SELECT. */
    public static final int RANGE = 100;

    private static final String[] EXAMPLE_FILES = {"policy.yaml", "schema.sql", "demo-keyset.json",
            "demo-master-key.txt"};

    private EmbeddedPostgres postgres;
    private Path exampleCopy;

    String rawUrl;
    String wardenUrl;
    Properties rawProperties;
    Properties wardenProperties;

    /** Plaintext email of customer id {@code i + 1}. */
    String[] emails;
    /** The stored deterministic ciphertext of {@code emails[i]}, as the raw driver binds it. */
    byte[][] emailCiphertexts;
    /** {@code emailCiphertexts[i]} as the hex bytea literal a raw plain Statement would inline. */
    String[] emailHexLiterals;
    /** Ciphertext length minus plaintext length of a deterministic email (ASCII). */
    int emailCiphertextOverhead;
    /** One stored card_number ciphertext (base64 text), bound by the raw INSERT as a same-sized value. */
    String cardCiphertext;

    @Setup(Level.Trial)
    public void start() throws IOException, SQLException {
        exampleCopy = copyExample(findExample());
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")  // the benchmark measures the driver, not the disk
                .start();
        rawUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        wardenUrl = "jdbc:warden:postgresql://localhost:" + postgres.getPort() + "/postgres";
        rawProperties = new Properties();
        rawProperties.setProperty("user", "postgres");
        wardenProperties = new Properties();
        wardenProperties.setProperty("user", "postgres");
        wardenProperties.setProperty("warden.policy", exampleCopy.resolve("policy.yaml").toString());
        wardenProperties.setProperty("warden.role", "billing");
        wardenProperties.setProperty("warden.purpose", "order-processing");
        wardenProperties.setProperty("warden.masterKey", "file:" + exampleCopy.resolve("demo-master-key.txt"));

        try (Connection raw = DriverManager.getConnection(rawUrl, rawProperties);
             Statement s = raw.createStatement()) {
            s.execute(Files.readString(exampleCopy.resolve("schema.sql"), StandardCharsets.UTF_8));
        }
        emails = new String[CUSTOMERS];
        try (Connection warden = DriverManager.getConnection(wardenUrl, wardenProperties);
             PreparedStatement insert = warden.prepareStatement("INSERT INTO customers"
                     + " (name, email, card_number, credit_limit, country) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < CUSTOMERS; i++) {
                emails[i] = "customer" + (i + 1) + "@example.com";
                insert.setString(1, "Customer " + (i + 1));
                insert.setString(2, emails[i]);
                insert.setString(3, cardNumber(i + 1));
                insert.setBigDecimal(4, BigDecimal.valueOf(1000 + i % 5000, 2));
                insert.setString(5, i % 2 == 0 ? "FR" : "DE");
                insert.addBatch();
                if (i % 1000 == 999) insert.executeBatch();
            }
            insert.executeBatch();
        }
        emailCiphertexts = new byte[CUSTOMERS][];
        emailHexLiterals = new String[CUSTOMERS];
        HexFormat hex = HexFormat.of();
        try (Connection raw = DriverManager.getConnection(rawUrl, rawProperties);
             Statement s = raw.createStatement()) {
            s.execute("VACUUM ANALYZE customers");
            try (ResultSet rs = s.executeQuery("SELECT id, email, card_number FROM customers ORDER BY id")) {
                int n = 0;
                while (rs.next()) {
                    int id = rs.getInt(1);
                    if (id != n + 1) throw new IllegalStateException("customer ids are not 1.." + CUSTOMERS);
                    emailCiphertexts[n] = rs.getBytes(2);
                    emailHexLiterals[n] = "'\\x" + hex.formatHex(emailCiphertexts[n]) + "'::bytea";
                    if (n == 0) cardCiphertext = rs.getString(3);
                    n++;
                }
                emailCiphertextOverhead = emailCiphertexts[0].length - emails[0].length();
                if (n != CUSTOMERS) throw new IllegalStateException("loaded " + n + " customers");
            }
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        if (postgres != null) postgres.close();
        if (exampleCopy != null) {
            try (Stream<Path> files = Files.walk(exampleCopy)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String cardNumber(long n) {
        return String.format("4%015d", n);
    }

    /** {@code -Dwarden.example=DIR}, else policy-examples/customers found walking up from the working directory. */
    static Path findExample() {
        String given = System.getProperty("warden.example");
        if (given != null) return Path.of(given).toAbsolutePath();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("policy-examples").resolve("customers");
            if (Files.isRegularFile(candidate.resolve("policy.yaml"))) return candidate;
        }
        throw new IllegalStateException("policy-examples/customers not found above " + Path.of("").toAbsolutePath()
                + "; pass -Dwarden.example=DIR");
    }

    private static Path copyExample(Path example) {
        try {
            Path copy = Files.createTempDirectory("warden-bench-");
            for (String name : EXAMPLE_FILES) Files.copy(example.resolve(name), copy.resolve(name));
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the example policy " + example, e);
        }
    }
}
