package dev.warden.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.ObserveExample;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8: observe mode against enforce mode. Whatever observe mode let the application do, nothing of
 * it may survive into enforcement: a reload from observe to enforce (or one that puts a plaintext column under
 * the policy) must never send a value bound before it, as the application gave it, to a column now encrypted.
 */
class RedTeamSession8ObserveIT {

    private static final String INSERT = "INSERT INTO customers (name, email, phone, hkid) VALUES (?, ?, ?, ?)";

    /**
     * Parameter sets added to a prepared batch in observe mode (run as written: plaintext) and executed after a
     * reload to enforce: the first execution is refused, and a second must not send the sets left in the real
     * statement's batch (they would store plaintext in an encrypted column).
     */
    @Test
    void aPreparedBatchAddedInObserveModeIsNeverSentInPlaintextAfterAReloadToEnforce() throws Exception {
        ObserveExample app = ObserveExample.create("mode: observe\n");
        try (Connection support = app.as("support"); PreparedStatement ps = support.prepareStatement(INSERT)) {
            addCustomer(ps, "Ann", ObserveExample.EMAIL, ObserveExample.PHONE, ObserveExample.HKID);
            reloadToEnforce(app);
            SQLException first = assertThrows(SQLException.class, ps::executeBatch);
            assertEquals("0A000", first.getSQLState());
            // the application retries the batch as it stands
            try {
                ps.executeBatch();
            } catch (SQLException expected) {
                // refused again, or nothing left to send: either way nothing in plaintext
            }
        }
        assertNoPlaintextEmailOrPhone(app);
    }

    /** The same with the batch executed through executeLargeBatch and a single set bound after the refusal. */
    @Test
    void aPreparedBatchFromObserveModeIsClearedWhenTheReloadRefusesIt() throws Exception {
        ObserveExample app = ObserveExample.create("mode: observe\n");
        try (Connection support = app.as("support"); PreparedStatement ps = support.prepareStatement(INSERT)) {
            addCustomer(ps, "Ann", ObserveExample.EMAIL, ObserveExample.PHONE, ObserveExample.HKID);
            reloadToEnforce(app);
            assertThrows(SQLException.class, ps::executeLargeBatch);
            // bound again after the refusal, as the message asks, and added: only this set may be sent, encrypted
            addCustomer(ps, "Bob", "bob@example.com", "+852 5555 0999", "Z111111(1)");
            long[] counts = ps.executeLargeBatch();
            assertEquals(1, counts.length, "only the set added after the reload");
        }
        assertNoPlaintextEmailOrPhone(app);
        try (Connection raw = app.db().raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email FROM customers WHERE name = 'Bob'")) {
            assertTrue(rs.next());
            assertFalse("bob@example.com".equals(rs.getString(1)), "encrypted at rest");
        }
    }

    /**
     * A set added in observe mode, then the reload, then another set bound and added (no execution in between):
     * the execution finds both in the batch as the application gave them, clears them and is refused; only what is
     * added after that is sent, encrypted.
     */
    @Test
    void bindingAfterTheReloadClearsTheSetsBatchedBeforeIt() throws Exception {
        ObserveExample app = ObserveExample.create("mode: observe\n");
        try (Connection support = app.as("support"); PreparedStatement ps = support.prepareStatement(INSERT)) {
            addCustomer(ps, "Ann", ObserveExample.EMAIL, ObserveExample.PHONE, ObserveExample.HKID);
            reloadToEnforce(app);
            // bound and added under the guard of observe mode (the check is made once, at execution)
            addCustomer(ps, "Carl", "carl@example.com", "+852 5555 0777", "Y222222(2)");
            SQLException cleared = assertThrows(SQLException.class, ps::executeBatch);
            assertEquals("0A000", cleared.getSQLState());
            assertTrue(cleared.getMessage().contains("2 parameter set(s)"), cleared.getMessage());
            addCustomer(ps, "Bob", "bob@example.com", "+852 5555 0999", "Z111111(1)");
            assertEquals(1, ps.executeBatch().length);
        }
        assertNoPlaintextEmailOrPhone(app);
    }

    /**
     * The running engine refuses the reload from enforce to observe; a second engine opened in the same process on
     * the same file, spelled differently (another DataSource, {@code dir/./policy.yaml}), must not start observing
     * it either: that would turn protection off without the restart the documentation promises.
     */
    @Test
    void anotherEngineInTheProcessCannotStartObservingAFileAnEngineEnforces() throws Exception {
        ObserveExample app = ObserveExample.create("");
        try (Connection support = app.as("support")) {
            assertThrows(SQLException.class, () -> support.createStatement()
                    .executeQuery("SELECT name FROM customers WHERE email LIKE '%@example.com'"), "enforced");
            Files.writeString(app.policyFile(), Files.readString(app.policyFile()) + "mode: observe\n");
            assertThrows(SQLException.class, () -> engine(app).reloadPolicy());
            java.util.Properties p = dev.warden.testkit.CustomersExample.properties(app.policyDirectory(), "support",
                    "customer-service");
            p.setProperty("warden.policy", app.policyDirectory().resolve(".").resolve("policy.yaml").toString());
            SQLException refused = assertThrows(SQLException.class,
                    () -> java.sql.DriverManager.getConnection(app.db().wardenUrl(), p).close(),
                    "a second engine on the enforced file must not open in observe mode");
            assertEquals("28000", refused.getSQLState());
            assertTrue(refused.getMessage().contains("restart"), refused.getMessage());
            try (Statement s = support.createStatement()) {
                assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT name FROM customers WHERE email LIKE '%@example.com'"),
                        "the first engine still enforces");
            }
        }
    }

    /** Binds one customer's values to {@link #INSERT} and adds them to the batch. */
    private static void addCustomer(PreparedStatement ps, String name, String email, String phone, String hkid)
            throws SQLException {
        ps.setString(1, name);
        ps.setString(2, email);
        ps.setString(3, phone);
        ps.setString(4, hkid);
        ps.addBatch();
    }

    /** Ends observe mode in the policy file and reloads it into the running engine. */
    private static void reloadToEnforce(ObserveExample app) throws Exception {
        Files.writeString(app.policyFile(), Files.readString(app.policyFile()).replace("mode: observe\n", ""));
        assertTrue(engine(app).reloadPolicy());
    }

    private static void assertNoPlaintextEmailOrPhone(ObserveExample app) throws SQLException {
        List<String> stored = new ArrayList<>();
        try (Connection raw = app.db().raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(email, ''), coalesce(phone, '') FROM customers")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
                stored.add(rs.getString(2));
            }
        }
        assertFalse(stored.contains(ObserveExample.EMAIL), "plaintext email at rest under enforce mode: " + stored);
        assertFalse(stored.contains(ObserveExample.PHONE), "plaintext phone at rest under enforce mode: " + stored);
        assertFalse(stored.contains("bob@example.com"), "plaintext email at rest under enforce mode: " + stored);
        assertFalse(stored.contains("carl@example.com"), "plaintext email at rest under enforce mode: " + stored);
    }

    private static WardenEngine engine(ObserveExample app) throws SQLException {
        return WardenEngine.forConfig(new EngineConfig(app.policyFile().toString(),
                "file:" + app.policyDirectory().resolve("demo-master-key.txt")));
    }
}
