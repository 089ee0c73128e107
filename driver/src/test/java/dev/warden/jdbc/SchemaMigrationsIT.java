package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schema migrations through jdbc:warden: on the protected customers table, as Flyway or Liquibase send them:
 * changes that cannot put plaintext into a protected column, keep a protected value in the catalog or make the
 * policy stop matching run and really change the schema (checked with plain pgjdbc); Warden keeps encrypting
 * after them; every other change is refused with 0A000, naming the column and no value.
 */
class SchemaMigrationsIT {

    private static final String EMAIL = "jane.doe@example.com";
    private static final String PHONE = "+85291234567";

    private CustomersExample db;
    private Path dir;

    @BeforeEach
    void createDatabase() throws Exception {
        db = CustomersExample.create();
        // support may see credit_limit masked, so that it may read every column (SELECT *)
        dir = CustomersExample.newPolicyDirectoryWith("read: { billing: plaintext, analyst: masked }",
                "read: { billing: plaintext, analyst: masked, support: masked }");
        try (Connection support = as("support", "customer-service")) {
            insert(support, "Jane", EMAIL, PHONE, "HK");
        }
    }

    private Connection as(String role, String purpose) throws SQLException {
        return db.as(dir, role, purpose);
    }

    private static void insert(Connection c, String name, String email, String phone, String country) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO customers (name, email, phone, country) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, email);
            ps.setString(3, phone);
            ps.setString(4, country);
            ps.executeUpdate();
        }
    }

    private List<String> rawColumn(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection raw = db.raw(); Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) values.add(rs.getString(1));
        }
        return values;
    }

    private String rawValue(String sql) throws SQLException {
        List<String> values = rawColumn(sql);
        assertEquals(1, values.size(), sql);
        return values.get(0);
    }

    @Test
    void aRoutineMigrationOfTheProtectedTableRunsAndWardenKeepsEncrypting() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE countries (code varchar(8) PRIMARY KEY)");
            s.execute("INSERT INTO countries VALUES ('HK'), ('SG')");
        }
        String[] migration = {
                "CREATE TABLE invoices (id serial PRIMARY KEY, customer_id int REFERENCES customers(id))",
                "ALTER TABLE customers ADD COLUMN loyalty int",
                "ALTER TABLE customers ADD COLUMN IF NOT EXISTS tier text DEFAULT 'bronze' NOT NULL",
                "ALTER TABLE customers ALTER COLUMN country SET DEFAULT 'HK'",
                "ALTER TABLE customers ALTER COLUMN country TYPE varchar(8)",
                "ALTER TABLE customers ADD CONSTRAINT c_country CHECK (country <> '')",
                "ALTER TABLE customers ADD CONSTRAINT c_contact CHECK (email IS NOT NULL OR phone IS NOT NULL)",
                "CREATE INDEX customers_country ON customers (country)",
                "CREATE INDEX ON customers (email)",
                "CREATE UNIQUE INDEX customers_phone_key ON customers (phone) WHERE phone IS NOT NULL",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_name_lower ON customers (lower(name)) INCLUDE (country)",
                "ALTER TABLE customers ALTER COLUMN email SET STATISTICS 500, ALTER COLUMN phone DROP NOT NULL",
                "ALTER TABLE customers ADD CONSTRAINT c_loyalty CHECK (loyalty >= 0) NOT VALID",
                "ALTER TABLE customers VALIDATE CONSTRAINT c_loyalty",
                "ALTER TABLE customers ADD CONSTRAINT customers_email_phone UNIQUE (email, phone)",
                "ALTER TABLE customers ADD CONSTRAINT customers_country_fk FOREIGN KEY (country) REFERENCES countries (code)",
                "COMMENT ON TABLE customers IS 'People we sell to'",
                "COMMENT ON COLUMN customers.email IS 'Encrypted by Warden (deterministic)'",
                "GRANT SELECT ON customers TO PUBLIC",
                "REVOKE INSERT ON customers FROM PUBLIC",
                "ANALYZE customers",
                "VACUUM customers",
                "CLUSTER customers USING customers_pkey",
                "REINDEX TABLE customers",
                "ALTER TABLE customers OWNER TO CURRENT_USER, SET (fillfactor = 90)",
                "ALTER TABLE customers DISABLE TRIGGER USER",
                "ALTER TABLE customers RENAME COLUMN loyalty TO loyalty_points",
                "ALTER TABLE customers DROP COLUMN loyalty_points",
                "ALTER TABLE customers ALTER COLUMN tier SET DEFAULT 'silver', ALTER COLUMN name DROP DEFAULT",
        };
        try (Connection warden = as("billing", "order-processing"); Statement s = warden.createStatement()) {
            for (String sql : migration) {
                try {
                    s.execute(sql);
                } catch (SQLException e) {
                    throw new AssertionError(sql + " -> " + e.getSQLState() + " " + e.getMessage(), e);
                }
            }
        }

        // the schema really changed
        assertEquals(List.of("id", "name", "email", "phone", "card_number", "birth_date", "credit_limit", "country", "tier"),
                rawColumn("SELECT column_name FROM information_schema.columns WHERE table_name = 'customers'"
                        + " ORDER BY ordinal_position"));
        assertEquals("character varying", rawValue("SELECT data_type FROM information_schema.columns"
                + " WHERE table_name = 'customers' AND column_name = 'country'"));
        assertTrue(rawValue("SELECT column_default FROM information_schema.columns"
                + " WHERE table_name = 'customers' AND column_name = 'country'").startsWith("'HK'::"));
        assertEquals("'silver'::text", rawValue("SELECT column_default FROM information_schema.columns"
                + " WHERE table_name = 'customers' AND column_name = 'tier'"));
        assertEquals("bytea", rawValue("SELECT data_type FROM information_schema.columns"
                + " WHERE table_name = 'customers' AND column_name = 'email'"), "a protected column keeps its type");
        Set<String> indexes = new TreeSet<>(rawColumn("SELECT indexname FROM pg_indexes WHERE tablename = 'customers'"));
        assertTrue(indexes.containsAll(Set.of("customers_country", "customers_email_idx", "customers_phone_key",
                "customers_name_lower")), indexes::toString);
        Set<String> constraints = new TreeSet<>(rawColumn("SELECT conname FROM pg_constraint"
                + " WHERE conrelid = 'customers'::regclass"));
        // c_loyalty went with the column it checked
        assertEquals(Set.of("c_contact", "c_country", "customers_country_fk", "customers_email_key",
                "customers_email_phone", "customers_pkey"), constraints);
        assertEquals("People we sell to", rawValue("SELECT obj_description('customers'::regclass, 'pg_class')"));
        assertEquals("500", rawValue("SELECT attstattarget FROM pg_attribute"
                + " WHERE attrelid = 'customers'::regclass AND attname = 'email'"));
        assertEquals(List.of("SELECT"), rawColumn("SELECT privilege_type FROM information_schema.role_table_grants"
                + " WHERE table_name = 'customers' AND grantee = 'PUBLIC'"));
        assertEquals(List.of("invoices"), rawColumn("SELECT table_name FROM information_schema.tables WHERE table_name = 'invoices'"));

        // Warden still encrypts, finds by equality and shows plaintext by the rules, with the new column in place
        try (Connection support = as("support", "customer-service")) {
            try (PreparedStatement ps = support.prepareStatement(
                    "INSERT INTO customers (name, email, phone, tier) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, "Ken");
                ps.setString(2, "ken@example.com");
                ps.setString(3, "+6581234567");
                ps.setString(4, "gold");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = support.prepareStatement("SELECT name, tier, phone FROM customers WHERE email = ?")) {
                ps.setString(1, "ken@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Ken", rs.getString(1));
                    assertEquals("gold", rs.getString(2));
                    assertEquals("+6581234567", rs.getString(3));
                    assertFalse(rs.next());
                }
            }
            try (Statement s = support.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM customers ORDER BY id")) {
                assertEquals(9, rs.getMetaData().getColumnCount(), "SELECT * sees the new shape");
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString("email"));
                assertEquals("HK", rs.getString("country"));
            }
            // the constraints and unique indexes added through Warden hold on ciphertext
            SQLException check = assertThrows(SQLException.class, () -> insert(support, "Nobody", null, null, "HK"));
            assertEquals("23514", check.getSQLState(), check.getMessage());
            SQLException unique = assertThrows(SQLException.class, () -> insert(support, "Copy", "copy@example.com", PHONE, "SG"));
            assertEquals("23505", unique.getSQLState(), unique.getMessage());
        }
        for (String stored : rawColumn("SELECT encode(email, 'escape') || encode(phone, 'escape') FROM customers")) {
            assertFalse(stored.contains("example.com") || stored.contains("91234567") || stored.contains("81234567"), stored);
        }
    }

    @Test
    void changesThatWouldWriteLeakOrUnmatchAProtectedColumnAreRefusedNamingTheColumnAndNoValue() throws SQLException {
        String[][] refused = {
                {"ALTER TABLE customers RENAME COLUMN email TO contact_email", "customers.email"},
                {"ALTER TABLE customers RENAME TO clients", "customers"},
                {"ALTER TABLE customers ALTER COLUMN phone TYPE text", "customers.phone"},
                {"ALTER TABLE customers ALTER COLUMN phone SET DEFAULT '" + PHONE + "'", "customers.phone"},
                {"ALTER TABLE customers DROP COLUMN birth_date", "customers.birth_date"},
                {"ALTER TABLE customers ADD CONSTRAINT no_jane CHECK (email <> '" + EMAIL + "')", "customers.email"},
                {"CREATE INDEX customers_jane ON customers (country) WHERE email = '" + EMAIL + "'", "customers.email"},
                {"CREATE INDEX customers_email_lower ON customers (lower(encode(email, 'escape')))", "customers.email"},
                {"ALTER TABLE customers ADD CONSTRAINT one_card UNIQUE (card_number)", "customers.card_number"},
                {"ALTER TABLE customers ADD COLUMN email_copy bytea GENERATED ALWAYS AS (email) STORED", "customers.email"},
                {"CREATE TRIGGER customers_fill BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
                        "CREATE TRIGGER"},
                {"ALTER TABLE customers ENABLE TRIGGER ALL", "ENABLE TRIGGER"},
                {"DROP TABLE customers", "customers"},
                {"TRUNCATE customers", "TRUNCATE"},
        };
        try (Connection warden = as("billing", "order-processing"); Statement s = warden.createStatement()) {
            for (String[] shape : refused) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(shape[0]), shape[0]);
                assertEquals("0A000", e.getSQLState(), shape[0] + " -> " + e.getMessage());
                assertTrue(e.getMessage().contains(shape[1]), shape[0] + " -> " + e.getMessage());
                assertFalse(e.getMessage().contains(EMAIL) || e.getMessage().contains(PHONE), e.getMessage());
            }
        }
        // nothing of it reached the database
        assertEquals(List.of("id", "name", "email", "phone", "card_number", "birth_date", "credit_limit", "country"),
                rawColumn("SELECT column_name FROM information_schema.columns WHERE table_name = 'customers'"
                        + " ORDER BY ordinal_position"));
        assertEquals(List.of(), rawColumn("SELECT conname FROM pg_constraint WHERE conrelid = 'customers'::regclass"
                + " AND conname IN ('no_jane', 'one_card')"));
        assertEquals(List.of(), rawColumn("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'customers_jane%'"
                + " OR indexname LIKE 'customers_email_lower%'"));
        assertEquals(List.of(), rawColumn("SELECT tgname FROM pg_trigger WHERE tgname = 'customers_fill'"));
        assertEquals("bytea", rawValue("SELECT data_type FROM information_schema.columns"
                + " WHERE table_name = 'customers' AND column_name = 'phone'"));
    }

    @Test
    void addingAColumnThePolicyDeclaresMakesTheTableMatchAndItIsEncryptedFromTheFirstWrite() throws Exception {
        Path declaring = CustomersExample.newPolicyDirectory();
        Path policy = declaring.resolve("policy.yaml");
        String text = Files.readString(policy);
        Files.writeString(policy, text.replace("\naudit:", """

                    tax_id:
                      encrypt: deterministic
                      read: { support: plaintext }
                      write: [support]

                audit:"""));
        try (Connection support = db.as(declaring, "support", "customer-service"); Statement s = support.createStatement()) {
            SQLException mismatch = assertThrows(SQLException.class, () -> s.executeQuery("SELECT name FROM customers"));
            assertEquals("42703", mismatch.getSQLState(), mismatch.getMessage());
            assertTrue(mismatch.getMessage().contains("customers.tax_id"), mismatch.getMessage());

            for (String wrong : new String[] {"ALTER TABLE customers ADD COLUMN tax_id bytea DEFAULT '\\x00'",
                    "ALTER TABLE customers ADD COLUMN tax_id varchar(20)", "ALTER TABLE customers ADD COLUMN tax_id text UNIQUE"
                            + " GENERATED ALWAYS AS (name) STORED"}) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(wrong), wrong);
                assertEquals("0A000", e.getSQLState(), wrong + " -> " + e.getMessage());
                assertTrue(e.getMessage().contains("customers.tax_id"), e.getMessage());
            }
            s.execute("ALTER TABLE customers ADD COLUMN tax_id bytea UNIQUE");

            try (PreparedStatement ps = support.prepareStatement("UPDATE customers SET tax_id = ? WHERE email = ?")) {
                ps.setString(1, "HK-A123456");
                ps.setString(2, EMAIL);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = support.prepareStatement("SELECT name, tax_id FROM customers WHERE tax_id = ?")) {
                ps.setString(1, "HK-A123456");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Jane", rs.getString(1));
                    assertEquals("HK-A123456", rs.getString(2));
                }
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT tax_id FROM customers")) {
            assertTrue(rs.next());
            byte[] stored = rs.getBytes(1);
            assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("A123456"), "no plaintext at rest");
            assertFalse(java.util.Arrays.equals("HK-A123456".getBytes(StandardCharsets.UTF_8), stored));
        }
    }

    @Test
    void aChangeThroughOneConnectionIsSeenByTheOthersOfTheEngine() throws SQLException {
        try (Connection reader = as("support", "customer-service"); Statement r = reader.createStatement();
             Connection migrator = as("billing", "order-processing"); Statement m = migrator.createStatement()) {
            try (ResultSet rs = r.executeQuery("SELECT * FROM customers")) {
                assertEquals(8, rs.getMetaData().getColumnCount());
            }
            m.execute("ALTER TABLE customers ADD COLUMN nickname text");
            // the protected columns move one place left: a stale analysis would decode the wrong ones
            m.execute("ALTER TABLE customers DROP COLUMN name");
            try (ResultSet rs = r.executeQuery("SELECT * FROM customers")) {
                assertEquals(8, rs.getMetaData().getColumnCount());
                assertTrue(rs.next());
                assertEquals(EMAIL, rs.getString("email"));
                assertEquals(PHONE, rs.getString("phone"));
                assertNull(rs.getString("nickname"));
            }
            try (PreparedStatement ps = reader.prepareStatement("SELECT email, nickname FROM customers WHERE phone = ?")) {
                ps.setString(1, PHONE);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertArrayEquals(new String[] {EMAIL, null}, new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
    }
}
