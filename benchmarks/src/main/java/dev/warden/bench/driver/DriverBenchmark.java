package dev.warden.bench.driver;

import dev.warden.crypto.ColumnCipher;
import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Warden against raw pgjdbc, in pairs named {@code <scenario>_raw} and {@code <scenario>_warden} that send
 * the same SQL to the same server (JMH runs them in name order, so the two halves of a pair run back to
 * back). The raw half binds and inlines the ciphertext Warden stores, so the database does identical work
 * and the difference is Warden's: lexing, cache look-ups, encryption, decryption and the wrappers.
 *
 * <p>Statements are prepared and closed per operation, as Spring's JdbcTemplate does; pgjdbc still
 * switches to a server-side prepared statement after {@code prepareThreshold} uses of the same text on a
 * connection. {@code pointSelectReused_*} keeps one PreparedStatement open instead.
 *
 * <p>Sample-time mode: its score is the mean time per operation (what average-time mode reports) and it
 * also gives the median, which a machine shared with other busy processes disturbs far less.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DriverBenchmark {

    // ---- 1. prepared point SELECT by a deterministic column ----

    @Benchmark
    public void pointSelect_raw(CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        try (PreparedStatement ps = c.raw.prepareStatement(Connections.POINT_SELECT)) {
            ps.setBytes(1, db.emailCiphertexts[c.someCustomer()]);
            readRawPoint(ps, bh);
        }
    }

    @Benchmark
    public void pointSelect_warden(CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        try (PreparedStatement ps = c.warden.prepareStatement(Connections.POINT_SELECT)) {
            ps.setString(1, db.emails[c.someCustomer()]);
            readWardenPoint(ps, bh);
        }
    }

    // ---- 1b. the same, reusing one PreparedStatement ----

    @Benchmark
    public void pointSelectReused_raw(CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        c.rawReusedPointSelect.setBytes(1, db.emailCiphertexts[c.someCustomer()]);
        readRawPoint(c.rawReusedPointSelect, bh);
    }

    @Benchmark
    public void pointSelectReused_warden(CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        c.wardenReusedPointSelect.setString(1, db.emails[c.someCustomer()]);
        readWardenPoint(c.wardenReusedPointSelect, bh);
    }

    // ---- 2. INSERT writing two encrypted columns ----

    @Benchmark
    public int insert_raw(CustomersDatabase db, Connections c) throws SQLException {
        String email = c.insertPrefix + (c.inserted++) + "@example.com";
        // random bytes of the ciphertext's size stand for it: the unique index sees keys spread as Warden's are
        byte[] emailStandIn = new byte[email.length() + db.emailCiphertextOverhead];
        c.random.nextBytes(emailStandIn);
        try (PreparedStatement ps = c.raw.prepareStatement(Connections.INSERT)) {
            ps.setString(1, "New customer");
            ps.setBytes(2, emailStandIn);
            ps.setString(3, db.cardCiphertext);  // a stored ciphertext of a card number: the same size
            return ps.executeUpdate();
        }
    }

    @Benchmark
    public int insert_warden(CustomersDatabase db, Connections c) throws SQLException {
        String email = c.insertPrefix + (c.inserted++) + "@example.com";
        try (PreparedStatement ps = c.warden.prepareStatement(Connections.INSERT)) {
            ps.setString(1, "New customer");
            ps.setString(2, email);
            ps.setString(3, "4111111111111111");
            return ps.executeUpdate();
        }
    }

    // ---- 3. 100-row SELECT decrypting two columns ----

    @Benchmark
    public void rangeSelect_raw(Connections c, Blackhole bh) throws SQLException {
        int from = 1 + c.random.nextInt(CustomersDatabase.CUSTOMERS - CustomersDatabase.RANGE + 1);
        try (PreparedStatement ps = c.raw.prepareStatement(Connections.RANGE_SELECT)) {
            ps.setInt(1, from);
            ps.setInt(2, from + CustomersDatabase.RANGE - 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bh.consume(rs.getBytes(1));
                    bh.consume(rs.getString(2));
                }
            }
        }
    }

    @Benchmark
    public void rangeSelect_warden(Connections c, Blackhole bh) throws SQLException {
        int from = 1 + c.random.nextInt(CustomersDatabase.CUSTOMERS - CustomersDatabase.RANGE + 1);
        try (PreparedStatement ps = c.warden.prepareStatement(Connections.RANGE_SELECT)) {
            ps.setInt(1, from);
            ps.setInt(2, from + CustomersDatabase.RANGE - 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bh.consume(rs.getString(1));
                    bh.consume(rs.getString(2));
                }
            }
        }
    }

    /**
     * Not a Warden scenario (the runner never selects it): raw pgjdbc plus exactly the decryptions (the
     * keyset's column ciphers) and plaintext Strings Warden must add to {@code rangeSelect_raw}, with none of
     * the engine's or the JDBC wrappers' code. The
     * floor under {@code rangeSelect_warden}; run it alongside with JMH's own main and the regex
     * {@code DriverBenchmark.rangeSelect_}.
     */
    @Benchmark
    public void rangeSelect_decryptFloor(DecryptFloor floor, Connections c, Blackhole bh) throws Exception {
        int from = 1 + c.random.nextInt(CustomersDatabase.CUSTOMERS - CustomersDatabase.RANGE + 1);
        try (PreparedStatement ps = c.raw.prepareStatement(Connections.RANGE_SELECT)) {
            ps.setInt(1, from);
            ps.setInt(2, from + CustomersDatabase.RANGE - 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bh.consume(new String(floor.email.decrypt(rs.getBytes(1)), StandardCharsets.UTF_8));
                    bh.consume(new String(floor.card.decrypt(Base64.getDecoder().decode(rs.getBytes(2))),
                            StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** The example's column ciphers, opened from the copied demo keyset, for {@code rangeSelect_decryptFloor}. */
    @State(Scope.Benchmark)
    public static class DecryptFloor {
        ColumnCipher email;
        ColumnCipher card;

        @Setup(Level.Trial)
        public void open(CustomersDatabase db) throws KeyException {
            Path policy = Path.of(db.wardenProperties.getProperty("warden.policy"));
            WardenKeyset keyset = WardenKeyset.read(policy.resolveSibling("demo-keyset.json"),
                    MasterKey.resolve(db.wardenProperties.getProperty("warden.masterKey")));
            email = keyset.deterministic("customers.email");
            card = keyset.randomized("customers.card_number");
        }
    }

    // ---- 4. point SELECT as a plain Statement with a new inline literal each time ----

    @Benchmark
    public void plainPointSelect_raw(CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        String sql = Connections.PLAIN_POINT_SELECT + db.emailHexLiterals[c.someCustomer()];
        try (Statement s = c.raw.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getBytes(3));
            }
        }
    }

    @Benchmark
    public void plainPointSelect_warden(CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        String sql = Connections.PLAIN_POINT_SELECT + "'" + db.emails[c.someCustomer()] + "'";
        try (Statement s = c.warden.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getString(3));
            }
        }
    }

    private static void readRawPoint(PreparedStatement ps, Blackhole bh) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getBytes(3));
            }
        }
    }

    private static void readWardenPoint(PreparedStatement ps, Blackhole bh) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getString(3));
            }
        }
    }
}
