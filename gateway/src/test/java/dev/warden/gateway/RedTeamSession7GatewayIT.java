package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.SecretColumnsExample;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Red-team findings of session 7 against the gateway's server-side {@code COPY (query) TO STDOUT} (a query naming
 * no protected table is the server's own COPY) and the pass-through it shares with a plain SELECT, in both
 * session-io modes: users {@code ann} (analyst: reads neither secret), {@code bil} (billing: ssn plaintext, hkid
 * masked) and {@code sup} (support: hkid plaintext) on {@link SecretColumnsExample}.
 *
 * <p>Tables that share rows with a protected table through inheritance or partitioning, made by a DBA outside
 * Warden: an inheritance parent ({@code people}: reading it reads the protected table's rows) and an inheritance
 * child ({@code customers_archive}: the protected table's reads, masks and writes cover its rows). Reading either by
 * its own name must not hand out what the policy guards under the protected table's name.
 */
class RedTeamSession7GatewayIT {

    static SecretColumnsExample example;
    static PolicyGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        example = SecretColumnsExample.create();
        Path dir = example.policyDirectory();
        gateway = PolicyGateway.start(example.db().wardenUrl(), dir, 2,
                PolicyGateway.user("ann", "analyst", null),
                PolicyGateway.user("bil", "billing", "customer-service"),
                PolicyGateway.user("bob", "billing", "customer-service"),
                PolicyGateway.user("sup", "support", "customer-service"));
        try (Connection raw = example.db().raw(); Statement s = raw.createStatement()) {
            // made outside Warden, as a DBA would (Warden refuses INHERIT and PARTITION OF on a protected table)
            s.execute("CREATE ROLE red11_other");
            s.execute("CREATE TABLE people (id int, name text, hkid text, ssn bytea)");
            s.execute("ALTER TABLE customers INHERIT people");
            s.execute("CREATE TABLE customers_archive () INHERITS (customers)");
            s.execute("INSERT INTO customers_archive SELECT * FROM ONLY customers");
            s.execute("CREATE VIEW people_view AS SELECT name, hkid FROM people");
            s.execute("CREATE FUNCTION people_hkids() RETURNS SETOF text LANGUAGE sql AS 'SELECT hkid FROM people'");
            s.execute("CREATE FUNCTION archived_hkids() RETURNS SETOF text LANGUAGE plpgsql"
                    + " AS $$ BEGIN RETURN QUERY SELECT hkid FROM customers_archive; END $$");
        }
        // a schema change through Warden makes it read the database's objects again (documented: the next DDL)
        try (Connection c = gateway.connect("ann", true); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE red11_refresh (i int)");
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    static String copyOut(Connection c, String sql) throws Exception {
        StringWriter out = new StringWriter();
        c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
        return out.toString();
    }

    static void assertNoSecret(String text) {
        assertFalse(text.contains(SecretColumnsExample.HKID), text);
        assertFalse(text.contains(SecretColumnsExample.SSN), text);
    }

    /** A COPY or SELECT that names only a relative of the protected table is refused (0A000), naming no value. */
    static void assertRefused(String user, String sql, boolean copy) throws Exception {
        for (boolean simple : List.of(true, false)) {
            try (Connection c = gateway.connect(user, simple)) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    if (copy) {
                        assertNoSecret(copyOut(c, sql));
                    } else {
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                            StringBuilder all = new StringBuilder();
                            while (rs.next()) {
                                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) all.append(rs.getString(i)).append('|');
                            }
                            assertNoSecret(all.toString());
                        }
                    }
                }, sql + " was answered");
                assertEquals("0A000", e.getSQLState(), e.getMessage());
                assertNoSecret(String.valueOf(e.getMessage()));
            }
        }
    }

    @Test
    void copyOfAnInheritanceParentOfAProtectedTableIsRefused() throws Exception {
        assertRefused("ann", "COPY (SELECT name, hkid FROM people) TO STDOUT", true);
        assertRefused("bil", "COPY (SELECT name, hkid FROM people) TO STDOUT (FORMAT csv)", true);
        assertRefused("ann", "COPY (TABLE people) TO STDOUT (FORMAT binary)", true);
        assertRefused("ann", "COPY people TO STDOUT", true);
    }

    @Test
    void selectOfAnInheritanceParentOfAProtectedTableIsRefused() throws Exception {
        assertRefused("ann", "SELECT name, hkid FROM people", false);
        assertRefused("ann", "SELECT p FROM people p", false);
        assertRefused("bil", "SELECT hkid FROM \"PEOPLE\" UNION SELECT hkid FROM people", false);
    }

    @Test
    void copyAndSelectOfAnInheritanceChildOfAProtectedTableAreRefused() throws Exception {
        assertRefused("ann", "COPY (SELECT hkid FROM customers_archive) TO STDOUT", true);
        assertRefused("bil", "SELECT hkid, ssn FROM customers_archive", false);
        assertRefused("ann", "COPY customers_archive TO STDOUT", true);
    }

    @Test
    void viewsOverAnInheritanceRelativeAreRefused() throws Exception {
        assertRefused("ann", "COPY (SELECT * FROM people_view) TO STDOUT", true);
        assertRefused("ann", "SELECT * FROM people_view", false);
    }

    @Test
    void functionsReadingAnInheritanceRelativeAreRefused() throws Exception {
        assertRefused("ann", "COPY (SELECT * FROM people_hkids()) TO STDOUT", true);
        assertRefused("ann", "COPY (SELECT * FROM ROWS FROM (archived_hkids()) AS f(h)) TO STDOUT", true);
        assertRefused("ann", "SELECT archived_hkids()", false);
    }

    /**
     * Neighbours of the server-side COPY decision that name the protected table in spellings the check must see
     * (quoted, Unicode escapes, in a CTE, a scalar subquery of VALUES, behind comments and dollar quotes), or read
     * stored values by something other than a table's name (a query in a string, a replication slot's changes):
     * refused, never the stored value for a role that may not read it.
     */
    @Test
    void copyNamingTheProtectedTableInAnySpellingIsNeverTheServersCopy() throws Exception {
        List<String> shapes = List.of(
                "COPY (SELECT hkid FROM \"customers\") TO STDOUT",
                "COPY (SELECT hkid FROM U&\"\\0063ustomers\") TO STDOUT",
                "COPY (SELECT hkid FROM U&\"!0063ustomers\" UESCAPE '!') TO STDOUT",
                "COPY (WITH x AS (SELECT hkid FROM customers) SELECT * FROM x) TO STDOUT (FORMAT binary)",
                "COPY (VALUES ((SELECT hkid FROM customers LIMIT 1))) TO STDOUT",
                "COPY (SELECT $$x$$, hkid FROM /* c */ public . customers -- \n) TO STDOUT",
                "COPY (TABLE customers) TO STDOUT (FORMAT csv)",
                "COPY customers (hkid) TO STDOUT",
                "COPY (SELECT hkid FROM ONLY customers) TO STDOUT WITH BINARY",
                "COPY (SELECT query_to_xml('select hkid from cust' || 'omers', true, false, '')) TO STDOUT",
                "COPY (SELECT data FROM pg_logical_slot_peek_changes('warden_cdc', NULL, NULL)) TO STDOUT");
        for (String sql : shapes) {
            for (String user : List.of("ann", "bil")) {
                try (Connection c = gateway.connect(user, true)) {
                    try {
                        assertNoSecret(copyOut(c, sql));
                    } catch (SQLException refused) {
                        assertNoSecret(String.valueOf(refused.getMessage()));
                        assertTrue(Set.of("0A000", "42501").contains(refused.getSQLState()),
                                sql + ": " + refused.getSQLState() + " " + refused.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Two gateway users of one pool (same database user, role and purpose: {@code bil} and {@code bob}): whatever
     * bil leaves on a backend connection (a role or session user, a setting, an advisory lock, a temporary table,
     * a prepared statement, a cursor WITH HOLD, a LISTEN), leaving mid-transaction without Terminate, is gone when
     * bob's session gets that connection.
     */
    @Test
    void nothingASessionLeavesOnAPooledConnectionReachesTheNextUser() throws Exception {
        for (boolean simple : List.of(true, false)) {
            List<Connection> bils = List.of(gateway.connect("bil", simple), gateway.connect("bil", simple));
            for (Connection bil : bils) {
                try (Statement s = bil.createStatement()) {
                    for (String sql : List.of("SET SESSION AUTHORIZATION red11_other", "RESET SESSION AUTHORIZATION",
                            "SET ROLE red11_other", "SET red11.secret = 'left by bil'",
                            "SELECT pg_try_advisory_lock(4711)", "CREATE TEMP TABLE red11_left (v text)",
                            "PREPARE red11_plan AS SELECT 'left by bil'", "LISTEN red11_channel",
                            "BEGIN", "DECLARE red11_cursor CURSOR WITH HOLD FOR SELECT 'left by bil'", "COMMIT",
                            "BEGIN", "SELECT 1")) {
                        try {
                            s.execute(sql);
                        } catch (SQLException refused) {
                            // what Warden or PostgreSQL refuses leaves nothing either
                        }
                    }
                }
            }
            for (Connection bil : bils) bil.abort(Runnable::run);  // gone without Terminate, inside a transaction
            GatewayRobustnessIT.await("bil's sessions released", () -> gateway.server.sessionCount() == 0);
            List<Connection> bobs = List.of(gateway.connect("bob", simple), gateway.connect("bob", simple));
            try {
                for (Connection bob : bobs) {
                    try (Statement s = bob.createStatement(); ResultSet rs = s.executeQuery(
                            "SELECT current_user = session_user, current_setting('red11.secret', true),"
                                    + " (SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND objid = 4711),"
                                    + " to_regclass('pg_temp.red11_left') IS NULL,"
                                    + " (SELECT count(*) FROM pg_catalog.pg_listening_channels())")) {
                        assertTrue(rs.next());
                        assertTrue(rs.getBoolean(1), "bob acts as bil's role");
                        assertTrue(rs.getString(2) == null || rs.getString(2).isEmpty(), rs.getString(2));
                        assertEquals(0, rs.getInt(3), "an advisory lock survived");
                        assertTrue(rs.getBoolean(4), "bil's temporary table survived");
                        assertEquals(0, rs.getInt(5), "bil's LISTEN survived");
                    }
                    for (String leftover : List.of("EXECUTE red11_plan", "FETCH red11_cursor")) {
                        try (Statement s = bob.createStatement()) {
                            assertThrows(SQLException.class, () -> s.execute(leftover), leftover);
                        }
                    }
                }
            } finally {
                for (Connection bob : bobs) bob.close();
            }
        }
    }

    /** The protected table itself still reads as the policy says, its inheritance child's rows included. */
    @Test
    void theProtectedTableStillReadsByThePolicy() throws Exception {
        try (Connection c = gateway.connect("sup", false); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT hkid FROM customers WHERE hkid IS NOT NULL")) {
            int rows = 0;
            while (rs.next()) {
                assertEquals(SecretColumnsExample.HKID, rs.getString(1));
                rows++;
            }
            assertEquals(2, rows);  // Ann's row and its archived copy
        }
        try (Connection c = gateway.connect("bil", true)) {
            String out = copyOut(c, "COPY (SELECT hkid FROM customers WHERE hkid IS NOT NULL) TO STDOUT");
            assertNoSecret(out);
            assertTrue(out.endsWith("2(1)\n"), out);
        }
    }
}
