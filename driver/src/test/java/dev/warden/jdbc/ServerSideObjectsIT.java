package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server-side objects the database defines over protected tables outside Warden. Reading through a view
 * would show ciphertext as data and an equality filter would silently match nothing; a write through an
 * updatable view, a rule, a trigger or a function would store plaintext in a protected column. Warden refuses
 * data statements naming them (0A000; writes only, for a table whose trigger reaches a protected table) and
 * lets everything else through: views over other tables, reading a trigger table, dropping the objects.
 */
class ServerSideObjectsIT {
    private static final String EMAIL = "ann.lee@example.com";

    private CustomersExample db;

    @BeforeEach
    void viewsDefinedOutsideWarden() throws SQLException {
        db = CustomersExample.create();
        // as a legacy schema has them before the application first connects through Warden
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE VIEW customer_contacts AS SELECT id, name, email FROM customers");
            s.execute("CREATE VIEW hk_contacts AS SELECT c.name FROM customer_contacts c"
                    + " JOIN customers USING (id) WHERE country = 'HK'");
            s.execute("CREATE MATERIALIZED VIEW contact_snapshot AS SELECT email FROM customers");
            s.execute("CREATE VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY 1");
            s.execute("CREATE TABLE staging (name text, email text)");
            s.execute("CREATE RULE staging_copy AS ON INSERT TO staging DO ALSO"
                    + " INSERT INTO customers (name, email) VALUES (NEW.name, convert_to(NEW.email, 'UTF8'))");
            s.execute("CREATE TABLE signups (name text, email text)");
            s.execute("CREATE FUNCTION signup_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " INSERT INTO Customers (name, email) VALUES (NEW.name, convert_to(NEW.email, 'UTF8'));"
                    + " RETURN NEW; END $$");
            s.execute("CREATE TRIGGER signups_copy AFTER INSERT ON signups FOR EACH ROW EXECUTE FUNCTION signup_copy()");
            s.execute("CREATE FUNCTION add_customer(n text, e text) RETURNS void LANGUAGE sql AS"
                    + " $$ INSERT INTO public.customers (name, email) VALUES (n, convert_to(e, 'UTF8')) $$");
            // a trigger on the protected table itself only ever sees the ciphertext Warden wrote
            s.execute("CREATE FUNCTION customers_default_country() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " NEW.country := coalesce(NEW.country, 'HK'); /* keeps customers.country set */ RETURN NEW; END $$");
            s.execute("CREATE TRIGGER customers_country BEFORE INSERT ON customers FOR EACH ROW"
                    + " EXECUTE FUNCTION customers_default_country()");
        }
        try (Connection warden = db.as("support", "customer-service");
             PreparedStatement ps = warden.prepareStatement(
                     "INSERT INTO customers (name, email, country) VALUES (?, ?, ?)")) {
            ps.setString(1, "Ann");
            ps.setString(2, EMAIL);
            ps.setString(3, "HK");
            ps.executeUpdate();
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("INSERT INTO orders (customer_id, total) SELECT id, 12.50 FROM customers");
        }
    }

    @Test
    void readingOrFilteringThroughAViewOverAProtectedTableIsRefused() throws SQLException {
        try (Connection warden = db.as("billing"); Statement s = warden.createStatement()) {
            SQLException direct = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM customer_contacts"));
            assertEquals("0A000", direct.getSQLState(), direct.getMessage());
            assertTrue(direct.getMessage().contains("view public.customer_contacts (over public.customers)"),
                    direct.getMessage());
            assertFalse(direct.getMessage().contains(EMAIL));

            // a view over that view, even one showing no protected column, and a materialized view
            for (String sql : new String[] {"SELECT name FROM hk_contacts", "SELECT count(*) FROM contact_snapshot",
                    "SELECT o.total FROM orders o JOIN public.customer_contacts c ON c.id = o.customer_id",
                    "UPDATE customer_contacts SET name = 'x'"}) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + " -> " + e.getMessage());
            }
            // the equality filter that would otherwise compare plaintext with ciphertext and find nothing
            SQLException filter = assertThrows(SQLException.class, () -> {
                try (PreparedStatement ps = warden.prepareStatement("SELECT id FROM customer_contacts WHERE email = ?")) {
                    ps.setString(1, EMAIL);
                    ps.executeQuery().close();
                }
            });
            assertEquals("0A000", filter.getSQLState(), filter.getMessage());
        }
    }

    @Test
    void writesThatWouldReachAProtectedColumnThroughTheServerAreRefusedAndStoreNothing() throws SQLException {
        String plaintext = "bo.wong@example.com";
        try (Connection warden = db.as("billing"); Statement s = warden.createStatement()) {
            for (String sql : new String[] {
                    "INSERT INTO customer_contacts (name, email) VALUES ('Bo', '" + plaintext + "')",
                    "INSERT INTO staging (name, email) VALUES ('Bo', '" + plaintext + "')",
                    "INSERT INTO signups (name, email) VALUES ('Bo', '" + plaintext + "')",
                    "WITH w AS (INSERT INTO signups VALUES ('Bo', '" + plaintext + "') RETURNING 1) SELECT * FROM w",
                    "SELECT add_customer('Bo', '" + plaintext + "')",
                    "SELECT * FROM staging"}) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("0A000", e.getSQLState(), sql + " -> " + e.getMessage());
                assertFalse(e.getMessage().contains(plaintext), e.getMessage());
            }
            SQLException trigger = assertThrows(SQLException.class,
                    () -> s.execute("INSERT INTO signups (name, email) VALUES ('Bo', 'x')"));
            assertTrue(trigger.getMessage().contains("table public.signups (its trigger signups_copy runs function"
                    + " public.signup_copy() names customers)"), trigger.getMessage());
            // reading the trigger table is harmless, and so is writing the protected table with its own trigger
            s.executeQuery("SELECT * FROM signups").close();
            try (PreparedStatement ps = warden.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
                ps.setString(1, "Di");
                ps.setString(2, "di@example.com");
                assertEquals(1, ps.executeUpdate());
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE country = 'HK'),"
                     + " bool_or(position(convert_to('" + plaintext + "', 'UTF8') in email) > 0)"
                     + " FROM customers")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(1));               // Ann and Di, nothing written around Warden
            assertEquals(2, rs.getInt(2));               // the trigger on customers ran
            assertFalse(rs.getBoolean(3));
        }
    }

    @Test
    void viewsOverOtherTablesWorkAndTheViewCanBeDropped() throws SQLException {
        try (Connection warden = db.as("billing"); Statement s = warden.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT total FROM order_totals")) {
                assertTrue(rs.next());
                assertEquals(0, new java.math.BigDecimal("12.50").compareTo(rs.getBigDecimal(1)));
            }
            s.execute("DROP VIEW hk_contacts");
            assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM customer_contacts"));
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM pg_views WHERE viewname = 'hk_contacts'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void aViewCreatedWhileTheEngineRunsIsRefusedOnceDdlHasPassedThroughWarden() throws SQLException {
        try (Connection warden = db.as("billing"); Statement s = warden.createStatement()) {
            s.executeQuery("SELECT total FROM order_totals").close();   // the engine has read the catalog
            try (Connection raw = db.raw(); Statement r = raw.createStatement()) {
                r.execute("CREATE VIEW late_contacts AS SELECT email FROM customers");
            }
            s.execute("CREATE TABLE scratch (x int)");                     // DDL through Warden re-reads it
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM late_contacts"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
        }
    }
}
