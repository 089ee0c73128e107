package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.wire.PgTypeCatalog;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SortedRows;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8, through the gateway: {@code col = ANY ($1)} with array parameters a hand-written client can
 * send (text arrays with Unicode blanks, binary headers that lie about their size, two dimensions, a rules-only
 * column's array through pgjdbc), answered exactly as the plaintext twin or refused, the session usable after.
 */
class RedTeamSession8SqlIT {

    private static final String COLUMNS = """
                hkid:
                  encrypt: none
                  read: { support: plaintext, billing: masked }
                  mask: last4
                  write: [support]
                credit_limit:
            """;

    static CustomersExample example;
    static PolicyGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        Path policy = CustomersExample.newPolicyDirectoryWith("    credit_limit:\n", COLUMNS);
        gateway = PolicyGateway.start(example.wardenUrl(), policy, 4,
                PolicyGateway.user("sam", "support", "customer-service"));
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN hkid text");
        }
        String[][] rows = {{"Ann", "ann@example.com", "H1"}, {"Wide", "\u3000ann@example.com", "\u3000H1"},
                {"Bob", "bob@example.com", "H2"}, {"Cid", null, null}};
        try (Connection sam = jdbc(""); Connection raw = example.raw()) {
            CustomersPlainTwin.seed(sam, raw, List.of("name", "email", "hkid"), rows);
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    static Connection jdbc(String settings) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.port() + "/app?user=sam&password=pw"
                + (settings.isEmpty() ? "" : "&" + settings));
    }

    /** A rules-only column's array parameter through pgjdbc (text and binary): the twin's answer. */
    @Test
    void aRulesOnlyColumnsArrayParameterAnswersAsTheTwin() throws Exception {
        for (String settings : List.of("", "prepareThreshold=-1&binaryTransfer=true")) {
            try (Connection sam = jdbc(settings); Connection raw = example.raw()) {
                String sql = "SELECT name FROM customers WHERE hkid = ANY (?) OR email = ANY (?)";
                List<List<String>> answers = new ArrayList<>();
                for (Connection c : List.of(raw, sam)) {
                    try (PreparedStatement ps = c.prepareStatement(c == raw ? CustomersPlainTwin.twin(sql) : sql)) {
                        ps.setObject(1, new String[] {"H2", null});
                        ps.setArray(2, c.createArrayOf("text", new String[] {"ann@example.com"}));
                        try (ResultSet rs = ps.executeQuery()) {
                            answers.add(SortedRows.of(rs));
                        }
                    }
                }
                assertEquals(answers.get(0), answers.get(1), settings);
            }
        }
    }

    /**
     * A text array whose unquoted element starts with U+3000: array_in keeps it (only six ASCII blanks separate an
     * array's parts), so on the twin {@code email = ANY ('{　ann@example.com}')} finds Wide, not Ann. The gateway
     * stripped it with Java's isWhitespace and answered Ann (a wrong answer, on protected and plain columns alike).
     */
    @Test
    void unicodeBlanksInATextArrayBelongToTheElement() throws Exception {
        String array = "{\u3000ann@example.com\u2003}";
        String arrayHkid = "{\u3000H1}";
        try (Connection raw = example.raw()) {
            assertEquals(List.of(), twinAnswer(raw, "email", array));
            assertEquals(List.of("Wide|"), twinAnswer(raw, "hkid", arrayHkid));
        }
        try (RawPgClient c = new RawPgClient(gateway.port()).login("sam", "pw")) {
            assertEquals(List.of(), extended(c, "SELECT name FROM customers WHERE email = ANY ($1)",
                    PgTypeCatalog.TEXT_ARRAY, 0, array.getBytes(StandardCharsets.UTF_8)));
            assertEquals(List.of("Wide"), extended(c, "SELECT name FROM customers WHERE hkid = ANY ($1)",
                    PgTypeCatalog.TEXT_ARRAY, 0, arrayHkid.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Binary arrays whose header lies: 2^31-1 x 0 (an empty array, at once), a count the message cannot hold
     * (22P03), two dimensions on a protected column (refused); the session answers the next statement.
     */
    @Test
    void binaryArrayHeadersThatLieAreAnsweredOrRefusedAtOnce() throws Exception {
        try (RawPgClient c = new RawPgClient(gateway.port()).login("sam", "pw")) {
            String sql = "SELECT name FROM customers WHERE email <> ALL ($1)";
            long started = System.nanoTime();
            List<String> all = extended(c, sql, PgTypeCatalog.TEXT_ARRAY, 1,
                    binaryArray(new int[] {Integer.MAX_VALUE, 0}));
            assertTrue(System.nanoTime() - started < 20_000_000_000L, "answered at once");
            assertEquals(List.of("Ann", "Bob", "Cid", "Wide"), all.stream().sorted().toList());
            assertTrue(extended(c, sql, PgTypeCatalog.TEXT_ARRAY, 1, binaryArray(new int[] {Integer.MAX_VALUE}))
                    .get(0).startsWith("error 22P03"));
            assertTrue(extended(c, sql, PgTypeCatalog.TEXT_ARRAY, 1, binaryArray(new int[] {65536, 65536, 65536}))
                    .get(0).startsWith("error 22P03"));
            List<String> twoDimensions = extended(c, "SELECT name FROM customers WHERE email = ANY ($1)",
                    PgTypeCatalog.TEXT_ARRAY, 0, "{{ann@example.com}}".getBytes(StandardCharsets.UTF_8));
            assertTrue(twoDimensions.get(0).startsWith("error 0A000") || twoDimensions.get(0).startsWith("error 22023"),
                    twoDimensions.toString());
            assertEquals(List.of("Ann"), extended(c, "SELECT name FROM customers WHERE email = ANY ($1)",
                    PgTypeCatalog.TEXT_ARRAY, 0, "{ann@example.com}".getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** A binary text[] header claiming {@code sizes}, holding one NULL element. */
    private static byte[] binaryArray(int[] sizes) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(sizes.length);
        out.writeInt(1);
        out.writeInt(PgTypeCatalog.TEXT);
        for (int size : sizes) {
            out.writeInt(size);
            out.writeInt(1);
        }
        out.writeInt(-1);
        return bytes.toByteArray();
    }

    /** Parse/Bind/Execute/Sync of one statement with one parameter: the first column of each row, or "error STATE". */
    private static List<String> extended(RawPgClient c, String sql, int oid, int format, byte[] value) throws Exception {
        byte[] query = sql.getBytes(StandardCharsets.UTF_8);
        c.send('P', RawPgClient.concat(new byte[] {0}, query, new byte[] {0, 0, 1}, RawPgClient.intBytes(oid)));
        c.send('B', RawPgClient.concat(new byte[] {0, 0, 0, 1, 0, (byte) format, 0, 1},
                RawPgClient.intBytes(value.length), value, new byte[] {0, 0}));
        c.send('E', RawPgClient.concat(new byte[] {0}, RawPgClient.intBytes(0)));
        c.send('S', new byte[0]);
        List<String> out = new ArrayList<>();
        while (true) {
            RawPgClient.Message m = c.read();
            if (m.type() == 'Z') return out;
            if (m.type() == 'E') {
                String text = m.text();
                int at = text.indexOf("\0C");
                out.add("error " + text.substring(at + 2, at + 7) + " " + text);
            }
            if (m.type() == 'D') {
                int length = java.nio.ByteBuffer.wrap(m.body(), 2, 4).getInt();
                out.add(length < 0 ? null : new String(m.body(), 6, length, StandardCharsets.UTF_8));
            }
        }
    }

    private static List<String> twinAnswer(Connection raw, String column, String array) throws SQLException {
        try (PreparedStatement ps = raw.prepareStatement("SELECT name FROM customers_plain WHERE " + column
                + " = ANY (?::text[])")) {
            ps.setString(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                return SortedRows.of(rs);
            }
        }
    }
}
