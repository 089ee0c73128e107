package dev.warden.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import dev.warden.gateway.GatewayConfig;
import dev.warden.gateway.GatewayServer;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.PooledBackendConnector;
import dev.warden.gateway.auth.ScramVerifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code warden demo}: the example policy end to end on an embedded PostgreSQL (nothing to install). Writes
 * customers through the driver, then shows side by side what each role sees, what the database stores, and
 * statements Warden refuses.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the customers example end to end on an embedded PostgreSQL.")
public final class DemoCommand implements Callable<Integer> {

    static final String[] EXAMPLE_FILES = {"policy.yaml", "schema.sql", "demo-keyset.json", "demo-master-key.txt"};
    private static final String[] COLUMNS = {"name", "email", "phone", "card_number", "birth_date", "credit_limit"};
    /** The ordinary database role the demo's application and gateway connect as. */
    private static final String APP_USER = "warden_demo";
    private static final String[][] ROLES = {{"support", "customer-service"}, {"billing", "order-processing"},
            {"analyst", null}};

    private final PrintStream out = System.out;

    @Option(names = "--serve", description = "Then run the gateway on the example data, with demo users"
            + " support, billing and analyst (password: the user name), until interrupted.")
    boolean serve;

    @Option(names = "--port", defaultValue = "6432", description = "Gateway port for --serve (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        Path example = extractExample();
        out.println("Warden demo — policy " + example.resolve("policy.yaml"));
        out.println("(the demo keyset and master key are for this demo only; never protect real data with them)");
        out.println();
        out.println("Starting an embedded PostgreSQL...");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String rawUrl = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            try (Connection raw = DriverManager.getConnection(rawUrl, "postgres", "")) {
                raw.createStatement().execute(Files.readString(example.resolve("schema.sql")));
                // the application connects as an ordinary role: a superuser can read files, outside Warden's reach
                raw.createStatement().execute("CREATE ROLE " + APP_USER + " LOGIN;"
                        + " GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + APP_USER + ";"
                        + " GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + APP_USER);
            }
            String wardenUrl = "jdbc:warden:postgresql://localhost:" + pg.getPort() + "/postgres";
            writeCustomers(wardenUrl, example);
            for (String[] role : ROLES) showAs(wardenUrl, example, role[0], role[1]);
            showAtRest(rawUrl);
            showRefusals(wardenUrl, example);
            showAudit(example);
            if (serve) serveGateway(example, pg.getPort());
        }
        return 0;
    }

    /** Runs the gateway over the demo database with one demo user per role (password = user name). */
    private void serveGateway(Path example, int databasePort) throws InterruptedException {
        Map<String, GatewayUser> users = new LinkedHashMap<>();
        for (String[] role : ROLES) {
            users.put(role[0], new GatewayUser(role[0], ScramVerifier.generate(role[0].toCharArray(),
                    ScramVerifier.DEFAULT_ITERATIONS), role[0], role[1], Set.of()));
        }
        GatewayConfig config = new GatewayConfig("127.0.0.1", port,
                new GatewayConfig.Backend("jdbc:warden:postgresql://localhost:" + databasePort + "/postgres", APP_USER, "",
                        8, Map.of("ApplicationName", "warden-gateway")),
                example.resolve("policy.yaml").toString(), "file:" + example.resolve("demo-master-key.txt"), null,
                false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH, users, "scram-sha-256", 100);
        try (GatewayServer server = new GatewayServer(config,
                new PooledBackendConnector(config.backend(), config.policy(), config.masterKey()), new PgjdbcCopyRunner())) {
            server.start();
            out.println();
            out.println("The Warden gateway is listening on 127.0.0.1:" + server.port() + ". Connect as each role:");
            for (String[] role : ROLES) {
                out.println("  PGPASSWORD=" + role[0] + " psql -h 127.0.0.1 -p " + server.port() + " -U " + role[0]
                        + " postgres -c 'SELECT name, email, card_number FROM customers'");
            }
            out.println("(demo users only; Ctrl-C stops the gateway and the embedded PostgreSQL)");
            server.awaitClose();
        }
    }

    /** Copies the example out of the jar, so the policy can name its keyset by relative path. */
    static Path extractExample() throws IOException {
        Path dir = Files.createTempDirectory("warden-demo");
        for (String name : EXAMPLE_FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("/policy-examples/customers/" + name)) {
                if (in == null) throw new IOException("example file " + name + " is missing from warden.jar");
                Files.copy(in, dir.resolve(name));
            }
        }
        return dir;
    }

    static Properties connectionProperties(Path example, String role, String purpose) {
        Properties p = new Properties();
        p.setProperty("user", APP_USER);
        p.setProperty("warden.policy", example.resolve("policy.yaml").toString());
        p.setProperty("warden.masterKey", "file:" + example.resolve("demo-master-key.txt"));
        p.setProperty("warden.role", role);
        if (purpose != null) p.setProperty("warden.purpose", purpose);
        p.setProperty("ApplicationName", "warden-demo");
        return p;
    }

    private void writeCustomers(String url, Path example) throws SQLException {
        Object[][] customers = {
                {"Jane Doe", "jane.doe@example.com", "+85291234567", "1980-04-01", "4111111111111111", "2500.00"},
                {"Chan Tai Man", "tm.chan@example.hk", "+85298765432", "1975-11-23", "5500005555555559", "8000.00"},
                {"Amelia Wong", "amelia@example.org", "+85261112222", "1992-07-15", "340000000000009", "1200.50"}};
        try (Connection support = DriverManager.getConnection(url, connectionProperties(example, "support", "customer-service"));
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (name, email, phone, birth_date, country) VALUES (?, ?, ?, ?, 'HK')")) {
            for (Object[] c : customers) {
                ps.setString(1, (String) c[0]);
                ps.setString(2, (String) c[1]);
                ps.setString(3, (String) c[2]);
                ps.setDate(4, Date.valueOf((String) c[3]));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (Connection billing = DriverManager.getConnection(url, connectionProperties(example, "billing", "order-processing"));
             PreparedStatement ps = billing.prepareStatement(
                     "UPDATE customers SET card_number = ?, credit_limit = ? WHERE email = ?")) {
            for (Object[] c : customers) {
                ps.setString(1, (String) c[4]);
                ps.setBigDecimal(2, new BigDecimal((String) c[5]));
                ps.setString(3, (String) c[1]);
                ps.executeUpdate();
            }
        }
        out.println("Wrote " + customers.length + " customers through jdbc:warden: as support and billing.");
        out.println();
    }

    private void showAs(String url, Path example, String role, String purpose) throws SQLException {
        out.println("What role '" + role + "'" + (purpose == null ? "" : " (purpose " + purpose + ")") + " sees:");
        List<List<String>> columns = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, connectionProperties(example, role, purpose));
             Statement s = c.createStatement()) {
            for (String column : COLUMNS) {
                List<String> values = new ArrayList<>();
                values.add(column);
                try (ResultSet rs = s.executeQuery("SELECT " + column + " FROM customers ORDER BY id")) {
                    while (rs.next()) values.add(String.valueOf(rs.getString(1)));
                } catch (SQLException e) {
                    if (!"42501".equals(e.getSQLState())) throw e;
                    for (int i = 0; i < 3; i++) values.add("(denied)");
                }
                columns.add(values);
            }
        }
        printTable(columns);
    }

    private void showAtRest(String rawUrl) throws SQLException {
        out.println("What the database stores (plain pgjdbc, no Warden):");
        List<List<String>> columns = new ArrayList<>();
        try (Connection raw = DriverManager.getConnection(rawUrl, "postgres", "");
             Statement s = raw.createStatement()) {
            for (String column : COLUMNS) {
                List<String> values = new ArrayList<>();
                values.add(column);
                try (ResultSet rs = s.executeQuery("SELECT " + column + " FROM customers ORDER BY id")) {
                    while (rs.next()) values.add(abbreviate(rs.getString(1)));
                }
                columns.add(values);
            }
        }
        printTable(columns);
    }

    private void showRefusals(String url, Path example) throws SQLException {
        out.println("Statements Warden refuses:");
        String[][] attempts = {
                {"billing", "order-processing", "SELECT name FROM customers WHERE email LIKE '%@example.com'"},
                {"billing", "order-processing", "SELECT name FROM customers ORDER BY card_number"},
                {"analyst", null, "SELECT name, card_number FROM customers"},
                {"analyst", null, "SELECT name FROM customers WHERE email = 'jane.doe@example.com'"},
                {"support", "customer-service", "UPDATE customers SET card_number = '4000000000000002' WHERE id = 1"}};
        for (String[] attempt : attempts) {
            try (Connection c = DriverManager.getConnection(url, connectionProperties(example, attempt[0], attempt[1]))) {
                c.createStatement().execute(attempt[2]);
                out.println("  [" + attempt[0] + "] " + attempt[2] + "\n      -> unexpectedly allowed");
            } catch (SQLException e) {
                out.println("  [" + attempt[0] + "] " + attempt[2]);
                out.println("      -> SQLState " + e.getSQLState() + ": " + e.getMessage());
            }
        }
        out.println();
    }

    private void showAudit(Path example) throws IOException, InterruptedException {
        Thread.sleep(200);  // the trail is written asynchronously, flushed within 50 ms
        List<String> lines = new ArrayList<>();
        List<Path> files;
        try (var list = Files.list(example)) {
            files = list.filter(f -> f.getFileName().toString().startsWith("warden-audit")
                    && f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        for (Path f : files) lines.addAll(Files.readAllLines(f));
        if (lines.isEmpty()) return;
        out.println("The audit trail (" + example + "/warden-audit-*.jsonl): " + lines.size()
                + " events so far, the last two:");
        for (String line : lines.subList(Math.max(0, lines.size() - 2), lines.size())) out.println("  " + line);
        out.println();
        out.println("Check it with: java -jar warden.jar audit verify --keyset " + example.resolve("demo-keyset.json")
                + " --master-key file:" + example.resolve("demo-master-key.txt") + " " + example);
    }

    private static String abbreviate(String s) {
        if (s == null) return "NULL";
        return s.length() <= 22 ? s : s.substring(0, 19) + "...";
    }

    private void printTable(List<List<String>> columns) {
        int rows = columns.get(0).size();
        int[] widths = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            for (String v : columns.get(c)) widths[c] = Math.max(widths[c], v.length());
        }
        for (int r = 0; r < rows; r++) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns.size(); c++) {
                line.append(String.format("%-" + widths[c] + "s", columns.get(c).get(r)));
                if (c < columns.size() - 1) line.append(" | ");
            }
            out.println(line);
            if (r == 0) out.println("  " + "-".repeat(line.length() - 2));
        }
        out.println();
    }
}
