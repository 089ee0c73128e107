package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import dev.warden.testkit.OrderColumnsExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PGobject;

/**
 * Red team, session 9: a pgjdbc PGobject (text, varchar, json, unknown, a made-up type) bound with every setObject
 * variant to protected positions (INSERT, UPDATE, WHERE equality, ANY array). Each is either refused or stored
 * encrypted: the plaintext never reaches the database, and an equality finds what a String finds.
 */
class RedTeamSession9AuditIT {

    static CustomersExample db;
    private static final Set<String> REFUSALS = Set.of("0A000", "42501", "22023", "42804");

    interface Binder {
        void bind(PreparedStatement p, int index, PGobject value) throws SQLException;
    }

    static final List<Binder> SETTERS = List.of(
            (p, i, v) -> p.setObject(i, v),
            (p, i, v) -> p.setObject(i, v, Types.OTHER),
            (p, i, v) -> p.setObject(i, v, Types.VARCHAR),
            (p, i, v) -> p.setObject(i, v, Types.VARCHAR, 0),
            (p, i, v) -> p.setObject(i, v, JDBCType.VARCHAR),
            (p, i, v) -> p.setObject(i, v, JDBCType.OTHER),
            (p, i, v) -> p.setObject(i, v, JDBCType.OTHER, 0));

    static final List<String> TYPES = List.of("text", "varchar", "character varying", "TEXT", "json", "jsonb",
            "unknown", "bytea", "name", "bpchar", "citext");

    @BeforeAll
    static void seed() {
        db = CustomersExample.create();
    }

    static PGobject pg(String type, String value) throws SQLException {
        PGobject o = new PGobject();
        o.setType(type);
        o.setValue(value);
        return o;
    }

    /** What the database holds in any column of customers, as text. */
    static String atRest(Connection raw) throws SQLException {
        StringBuilder all = new StringBuilder();
        try (Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT customers::text, encode(email, 'escape') FROM customers")) {
            while (rs.next()) all.append(rs.getString(1)).append(rs.getString(2)).append('\n');
        }
        return all.toString();
    }

    @Test
    void pgObjectsBoundToProtectedPositionsNeverReachTheDatabaseInPlaintext() throws Exception {
        List<String> leaks = new ArrayList<>();
        int id = 1000;
        try (Connection w = db.as("support", "customer-service"); Connection raw = db.raw()) {
            for (String type : TYPES) {
                for (int s = 0; s < SETTERS.size(); s++) {
                    Binder setter = SETTERS.get(s);
                    String secret = "\"leak" + type.replace(' ', '_') + s + "\"@x.test";
                    id++;
                    String shape = "setter " + s + " type " + type;
                    boolean inserted = false;
                    try (PreparedStatement p = w.prepareStatement(
                            "INSERT INTO customers (id, name, email, phone) VALUES (?, 'n', ?, ?)")) {
                        p.setInt(1, id);
                        setter.bind(p, 2, pg(type, secret));
                        setter.bind(p, 3, pg(type, secret + "p"));
                        p.executeUpdate();
                        inserted = true;
                    } catch (SQLException e) {
                        if (!REFUSALS.contains(e.getSQLState())) leaks.add(shape + " INSERT failed " + e.getSQLState() + " " + e.getMessage());
                        if (e.getMessage() != null && e.getMessage().contains("leak")) leaks.add(shape + " message names the value: " + e.getMessage());
                    }
                    if (atRest(raw).contains("leak")) {
                        leaks.add(shape + " INSERT stored plaintext");
                        try (Statement d = raw.createStatement()) { d.execute("DELETE FROM customers WHERE id = " + id); }
                    }
                    for (String sql : List.of("SELECT id FROM customers WHERE email = ?",
                            "UPDATE customers SET phone = ? WHERE id = -1",
                            "SELECT id FROM customers WHERE phone = ?")) {
                        try (PreparedStatement p = w.prepareStatement(sql)) {
                            setter.bind(p, 1, pg(type, secret));
                            boolean rs = p.execute();
                            if (rs && sql.contains("email") && inserted) {
                                try (ResultSet r = p.getResultSet()) {
                                    if (!r.next() || r.getInt(1) != id) leaks.add(shape + " " + sql + " did not find the row it inserted");
                                }
                            }
                        } catch (SQLException e) {
                            if (!REFUSALS.contains(e.getSQLState())) leaks.add(shape + " " + sql + " failed " + e.getSQLState() + " " + e.getMessage());
                        }
                    }
                    if (atRest(raw).contains("leak")) leaks.add(shape + " UPDATE stored plaintext");
                }
            }
            // the plaintext never appears in the server's view of statements either
            try (Statement s = raw.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%leak%' AND query NOT LIKE '%pg_stat_activity%'")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
        }
        assertTrue(leaks.isEmpty(), String.join("\n", leaks));
    }

    /** The raw text of every trail file of {@code dir}, once it holds at least {@code statements} statement events. */
    static String trailText(Path dir, int statements) throws Exception {
        String all = "";
        for (int attempt = 0; attempt < 200; attempt++) {
            List<Path> files = dev.warden.audit.AuditTrailFiles.expand(List.of(dir));
            long events = dev.warden.audit.AuditTrailReader.readFiles(files).stream()
                    .filter(e -> "statement".equals(e.event().type())).count();
            StringBuilder text = new StringBuilder();
            for (Path f : files) text.append(Files.readString(f));
            all = text.toString();
            if (events >= statements) return all;
            Thread.sleep(50);
        }
        throw new AssertionError("the audit trail holds fewer than " + statements + " statement events: " + all);
    }

    /** Runs each statement (inline secrets, all marked zq), ignoring failures; returns how many ran through Warden. */
    static int runAll(Connection w, List<String> sqls) {
        int n = 0;
        for (String sql : sqls) {
            n++;
            try (Statement s = w.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                // refusals and server errors are audited too: what matters is what the trail says about them
            }
        }
        return n;
    }

    @Test
    void noProtectedPlaintextReachesTheTrailFromLiteralsPatternsBoundsOrErrors() throws Exception {
        CustomersExample mdb = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(mdb);
        Path match = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        int statements;
        try (Connection w = mdb.as(match, "support", null)) {
            statements = runAll(w, List.of(
                    "INSERT INTO customers (id, name, email, nickname) VALUES (7001, 'n', 'zqa1@x.test', 'zqnick1')",
                    "INSERT INTO customers (id, name, email, nickname) VALUES (7002, 'n', 'zqa1@x.test', 'zqnick2')",
                    "SELECT id FROM customers WHERE email = 'zqa3@x.test'",
                    "SELECT id FROM customers WHERE email IN ('zqa4@x.test', 'zqa5@x.test')",
                    "SELECT id FROM customers WHERE email LIKE '%zqa6%'",
                    "SELECT id FROM customers WHERE nickname LIKE 'zqnick7%' ESCAPE '!'",
                    "SELECT id FROM customers WHERE nickname ILIKE 'ZQNICK8%'",
                    "SELECT id FROM customers WHERE email NOT LIKE 'zqa9%' LIMIT 'zqa10'",
                    "SELECT id FROM customers WHERE email = 'zqa11' || nickname",
                    "SELECT id FROM customers WHERE lower(email) = 'zqa12'",
                    "SELECT id FROM customers WHERE email::text = 'zqa13'",
                    "SELECT id FROM customers WHERE email = 'zqa14'::int",
                    "SELECT id FROM customers WHERE email = E'zqa15\\x41'",
                    "SELECT id FROM customers WHERE email = U&'zqa16\\0041'",
                    "SELECT id FROM customers WHERE email = $q$zqa17$q$",
                    "UPDATE customers SET email = 'zqa18@x.test' WHERE nickname = 'zqnick19'",
                    "UPDATE customers SET nickname = 'zqnick20' WHERE email LIKE 'zqa21%'",
                    "DELETE FROM customers WHERE email = 'zqa22'",
                    "SELECT id FROM customers WHERE email LIKE 'zqa23' || 'x'",
                    "SELECT id FROM customers WHERE email BETWEEN 'zqa24' AND 'zqa25'",
                    "SELECT id FROM customers WHERE email = 'zqa26' AND (SELECT 'zqa27') = 'x'",
                    "SELECT id FROM customers WHERE email = 'zqa28'; SELECT 'zqa29'",
                    "INSERT INTO customers (id, name, email) VALUES (7003, 'n', 'zqa30'), (7003, 'n', 'zqa31')"));
            String sqlParam = "SELECT id FROM customers WHERE email LIKE ? AND nickname LIKE ?";
            try (PreparedStatement p = w.prepareStatement(sqlParam)) {
                p.setString(1, "%zqa32%");
                p.setObject(2, pg("text", "zqnick33%"));
                p.executeQuery().close();
                statements++;
            }
        }
        String trail = trailText(match, statements - 2);
        assertTrue(trail.contains("\"format\":2") && trail.contains("customers.email"), "a format 2 trail of them");
        assertFalse(trail.toLowerCase(java.util.Locale.ROOT).contains("zq"), trail);

        CustomersExample odb = CustomersExample.create();
        Path order = OrderColumnsExample.policyDirectory(OrderColumnsExample.POLICY);
        OrderColumnsExample.createWithCompanions(odb, order);
        try (Connection w = odb.as(order, "support", null)) {
            statements = runAll(w, List.of(
                    "INSERT INTO ledger (id, amount, balance, price, label, note) VALUES (1, 424242, 535353, 61.6161, 'zqb1', 'zqb2')",
                    "SELECT id FROM ledger WHERE amount > 717171 AND amount <= 818181",
                    "SELECT id FROM ledger WHERE label BETWEEN 'zqb3' AND 'zqb4'",
                    "SELECT id FROM ledger WHERE price >= 91.9191 ORDER BY price LIMIT 1",
                    "SELECT id FROM ledger WHERE born < '1999-09-19' OR created > '2001-01-01 01:01:01'",
                    "SELECT id FROM ledger WHERE balance > 626262",
                    "SELECT id FROM ledger WHERE amount > 'zqb5'",
                    "SELECT id FROM ledger WHERE label > 'zqb6' COLLATE \"en_US\"",
                    "SELECT id FROM ledger WHERE note > 'zqb7'",
                    "INSERT INTO ledger (id, amount, label) VALUES (1, 939393, 'zqb8')"));
            try (PreparedStatement p = w.prepareStatement("SELECT id FROM ledger WHERE label > ? AND amount < ?")) {
                p.setObject(1, pg("text", "zqb9"));
                p.setInt(2, 373737);
                p.executeQuery().close();
                statements++;
            }
        }
        trail = trailText(order, statements - 2);
        assertTrue(trail.contains("ledger.amount"), "the trail names the columns: " + trail);
        for (String secret : List.of("zq", "424242", "535353", "61.6161", "717171", "818181", "91.9191", "1999-09-19",
                "2001-01-01", "626262", "939393", "373737")) {
            assertFalse(trail.toLowerCase(java.util.Locale.ROOT).contains(secret), secret + " in " + trail);
        }
    }
}
