package dev.warden.bench.match;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;

/**
 * LIKE and ILIKE through Warden's match index against the same queries on a plaintext twin table with a pg_trgm
 * GIN index, on one embedded PostgreSQL: {@value #ROWS} customers, the same rows in both tables. Prints, per query,
 * the median and 95th percentile latency of each side and their ratio, the rows returned (equal on both sides, or
 * it stops), and the index size per row.
 *
 * <p>Run: {@code java -Dwarden.example=policy-examples/customers -cp benchmarks/target/benchmarks.jar
 * dev.warden.bench.match.MatchLikeBenchmark [iterations]}. A timed loop, not JMH: each query takes milliseconds,
 * far above JIT and timer noise.
 */
public final class MatchLikeBenchmark {

    static final int ROWS = 100_000;

    static final String POLICY = """
            keyset: demo-keyset.json
            keyset-reload: 0
            roles:
              app: {}
            tables:
              customers:
                name:
                  encrypt: randomized
                  read: { app: plaintext }
                  write: [app]
                  filter: [app]
                  match: true
                email:
                  encrypt: deterministic
                  read: { app: plaintext }
                  write: [app]
                  match: true
            """;

    static final String[] SURNAMES = {"Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Ng", "Leung", "Tam", "Yip",
            "Lam", "Li", "Tang", "Fung", "Kwok", "Chow", "Mak", "Poon", "Siu", "Yeung"};
    static final String[] GIVEN = {"Tai Man", "Siu Ming", "Ka Yan", "Wai Kit", "Mei Ling", "Chi Keung", "Hoi Yan",
            "Kwok Wai", "Pui Shan", "Ho Yin", "Wing Sze", "Yuk Lan", "Chun Kit", "Man Yee"};
    static final String[] DOMAINS = {"example.hk", "example.com", "mail.example.org", "corp.example.net",
            "example.hk.cn", "example.co.uk", "uni.example.edu", "example.de", "example.fr", "example.jp"};

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path example = Path.of(System.getProperty("warden.example", "policy-examples/customers"));
        Path dir = Files.createTempDirectory("warden-match-bench");
        Files.copy(example.resolve("demo-keyset.json"), dir.resolve("demo-keyset.json"));
        Files.copy(example.resolve("demo-master-key.txt"), dir.resolve("demo-master-key.txt"));
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        MasterKey master = MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt"));
        WardenKeyset.read(dir.resolve("demo-keyset.json"), master).withMatchKey().write(dir.resolve("demo-keyset.json"), master);

        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start()) {
            String raw = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            Properties rawProps = new Properties();
            rawProps.setProperty("user", "postgres");
            Properties wardenProps = new Properties(rawProps);
            wardenProps.setProperty("user", "postgres");
            wardenProps.setProperty("warden.policy", dir.resolve("policy.yaml").toString());
            wardenProps.setProperty("warden.masterKey", "file:" + dir.resolve("demo-master-key.txt"));
            wardenProps.setProperty("warden.role", "app");
            try (Connection c = DriverManager.getConnection(raw, rawProps); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
                s.execute("CREATE TABLE customers (id int PRIMARY KEY, name bytea, email bytea,"
                        + " name_match bigint[], email_match bigint[])");
                s.execute("CREATE TABLE twin (id int PRIMARY KEY, name text, email text)");
            }
            long loadStart = System.nanoTime();
            Random random = new Random(42);
            try (Connection w = DriverManager.getConnection("jdbc:warden:" + raw.substring(5), wardenProps);
                 Connection r = DriverManager.getConnection(raw, rawProps);
                 PreparedStatement ins = w.prepareStatement("INSERT INTO customers (id, name, email) VALUES (?, ?, ?)");
                 PreparedStatement twin = r.prepareStatement("INSERT INTO twin (id, name, email) VALUES (?, ?, ?)")) {
                w.setAutoCommit(false);
                r.setAutoCommit(false);
                for (int i = 1; i <= ROWS; i++) {
                    String surname = SURNAMES[random.nextInt(SURNAMES.length)];
                    String given = GIVEN[random.nextInt(GIVEN.length)];
                    // a fifth of the names are written lower-case, so that 'chan%' (case-sensitive) finds some
                    String name = random.nextInt(5) == 0 ? (surname + " " + given).toLowerCase() : surname + " " + given;
                    String email = given.toLowerCase().replace(' ', '.') + "." + surname.toLowerCase() + i + "@"
                            + DOMAINS[random.nextInt(DOMAINS.length)];
                    for (PreparedStatement p : new PreparedStatement[] {ins, twin}) {
                        p.setInt(1, i);
                        p.setString(2, name);
                        p.setString(3, email);
                        p.addBatch();
                    }
                    if (i % 1000 == 0) {
                        ins.executeBatch();
                        twin.executeBatch();
                    }
                }
                w.commit();
                r.commit();
            }
            long loaded = System.nanoTime();
            try (Connection c = DriverManager.getConnection(raw, rawProps); Statement s = c.createStatement()) {
                s.execute("CREATE INDEX customers_name_match_idx ON customers USING gin (name_match)");
                s.execute("CREATE INDEX customers_email_match_idx ON customers USING gin (email_match)");
                // as `warden schema` creates them: the rows not indexed yet, which every LIKE also asks for
                // ((col_match @> tokens OR col_match IS NULL AND col IS NOT NULL)); without them that arm is a scan
                s.execute("CREATE INDEX customers_name_match_unindexed_idx ON customers (name_match)"
                        + " WHERE name_match IS NULL AND name IS NOT NULL");
                s.execute("CREATE INDEX customers_email_match_unindexed_idx ON customers (email_match)"
                        + " WHERE email_match IS NULL AND email IS NOT NULL");
                s.execute("CREATE INDEX twin_name_trgm ON twin USING gin (name gin_trgm_ops)");
                s.execute("CREATE INDEX twin_email_trgm ON twin USING gin (email gin_trgm_ops)");
                s.execute("VACUUM ANALYZE customers");
                s.execute("VACUUM ANALYZE twin");
                System.out.printf("loaded %d rows through Warden (and the twin) in %.1f s%n", ROWS,
                        (loaded - loadStart) / 1e9);
                System.out.println();
                System.out.println("| index | size | per row | companion column, average per row |");
                System.out.println("|---|---|---|---|");
                for (String[] idx : new String[][] {{"customers_name_match_idx", "name_match"},
                        {"customers_email_match_idx", "email_match"}, {"twin_name_trgm", null}, {"twin_email_trgm", null}}) {
                    try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + idx[0] + "')"
                            + (idx[1] == null ? ", NULL" : ", (SELECT avg(pg_column_size(" + idx[1] + ")) FROM customers)"))) {
                        rs.next();
                        long size = rs.getLong(1);
                        System.out.printf("| %s | %.1f MB | %.0f B | %s |%n", idx[0], size / 1048576.0, size / (double) ROWS,
                                rs.getString(2) == null ? "-" : String.format("%.0f B", rs.getDouble(2)));
                    }
                }
            }
            String[][] queries = {
                    {"name LIKE 'chan%' LIMIT 20", "SELECT id, name FROM %s WHERE name LIKE ? LIMIT 20", "chan%"},
                    {"email LIKE '%@example.hk'", "SELECT id, email FROM %s WHERE email LIKE ?", "%@example.hk"},
                    {"name ILIKE '%wong%'", "SELECT id, name FROM %s WHERE name ILIKE ?", "%wong%"}};
            System.out.println();
            System.out.println("| query | rows | plaintext + pg_trgm median / p95 | Warden + match index median / p95 | ratio (median) |");
            System.out.println("|---|---|---|---|---|");
            try (Connection w = DriverManager.getConnection("jdbc:warden:" + raw.substring(5), wardenProps);
                 Connection r = DriverManager.getConnection(raw, rawProps)) {
                for (String[] q : queries) {
                    try (PreparedStatement plain = r.prepareStatement(q[1].replace("%s", "twin"));
                         PreparedStatement warden = w.prepareStatement(q[1].replace("%s", "customers"))) {
                        int rowsPlain = run(plain, q[2]);
                        int rowsWarden = run(warden, q[2]);
                        if (rowsPlain != rowsWarden && !q[1].contains("LIMIT")) {
                            throw new IllegalStateException(q[0] + ": " + rowsPlain + " rows plain, " + rowsWarden);
                        }
                        long[] a = new long[iterations];
                        long[] b = new long[iterations];
                        for (int i = 0; i < iterations / 4; i++) {  // warm-up
                            run(plain, q[2]);
                            run(warden, q[2]);
                        }
                        for (int i = 0; i < iterations; i++) {  // interleaved, so both see the same machine state
                            long t0 = System.nanoTime();
                            run(plain, q[2]);
                            long t1 = System.nanoTime();
                            run(warden, q[2]);
                            long t2 = System.nanoTime();
                            a[i] = t1 - t0;
                            b[i] = t2 - t1;
                        }
                        Arrays.sort(a);
                        Arrays.sort(b);
                        System.out.printf("| `%s` | %d | %.2f / %.2f ms | %.2f / %.2f ms | %.2f |%n", q[0], rowsWarden,
                                a[iterations / 2] / 1e6, a[iterations * 95 / 100] / 1e6, b[iterations / 2] / 1e6,
                                b[iterations * 95 / 100] / 1e6, b[iterations / 2] / (double) a[iterations / 2]);
                    }
                }
            }
        }
    }

    private static int run(PreparedStatement ps, String pattern) throws SQLException {
        ps.setString(1, pattern);
        int rows = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getString(2);
                rows++;
            }
        }
        return rows;
    }
}
