package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An application with Micrometer sees Warden's meters move in its own registry (added to Micrometer's global
 * registry, as Spring Boot does): statements by kind and decision, refusals by SQLState, the overhead timer,
 * values encrypted and decrypted, a decryption failure, audit events written, policy reloads. Real PostgreSQL,
 * the jdbc:warden: driver, a fresh policy directory (so a fresh engine and its own {@code policy} tag) per test.
 */
class MetricsIT {

    private static final String ANN = "ann@example.com";
    private static final String PHONE = "+852 5555 0123";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private CustomersExample db;
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        Metrics.addRegistry(registry);
        db = CustomersExample.create();
        dir = CustomersExample.newPolicyDirectory();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "policy-reload: off\n" + Files.readString(policy));
    }

    @AfterEach
    void tearDown() {
        Metrics.removeRegistry(registry);
    }

    @Test
    void statementsRefusalsValuesAndTheOverheadTimerMove() throws Exception {
        try (Connection support = db.as(dir, "support", "customer-service");
             PreparedStatement insert = support.prepareStatement(
                     "INSERT INTO customers (name, email, phone) VALUES ('Ann', ?, ?)")) {
            insert.setString(1, ANN);
            insert.setString(2, PHONE);
            assertEquals(1, insert.executeUpdate());
            try (Statement s = support.createStatement();
                 ResultSet rs = s.executeQuery("SELECT email, phone FROM customers")) {
                assertTrue(rs.next());
                assertEquals(ANN, rs.getString(1));
                assertEquals(PHONE, rs.getString(2));
            }
        }
        try (Connection analyst = db.as(dir, "analyst", null); Statement s = analyst.createStatement()) {
            SQLException refused = assertThrows(SQLException.class, () -> s.executeQuery("SELECT phone FROM customers"));
            assertEquals("42501", refused.getSQLState());
        }

        assertEquals(1, counter(meter("warden.statements").tag("kind", "INSERT").tag("decision", "allowed")));
        assertEquals(1, counter(meter("warden.statements").tag("kind", "SELECT").tag("decision", "allowed")));
        assertEquals(1, counter(meter("warden.statements").tag("kind", "SELECT").tag("decision", "refused")));
        assertEquals(1, counter(meter("warden.refusals").tag("sqlstate", "42501")));
        assertEquals(0, counter(meter("warden.refusals").tag("sqlstate", "0A000")));
        assertEquals(2, counter(meter("warden.values.encrypted")), "email and phone");
        assertEquals(2, counter(meter("warden.values.decrypted")), "email and phone read back");
        assertEquals(0, counter(meter("warden.decrypt.failures")));
        var overhead = meter("warden.overhead").functionTimer();
        assertTrue(overhead.count() >= 3, "one per statement text guarded: " + overhead.count());
        assertTrue(overhead.totalTime(TimeUnit.NANOSECONDS) > 0);
        assertEquals(1, meter("warden.audit.healthy").gauge().value());
        // the trail is written asynchronously: wait for the writer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (counter(meter("warden.audit.events").tag("outcome", "written")) < 4) {
            assertTrue(System.nanoTime() < deadline, "audit events written: policy-loaded, keyset-opened, 3 statements");
            Thread.sleep(20);
        }
        assertEquals(0, counter(meter("warden.audit.events").tag("outcome", "dropped")));
        assertTrue(meter("warden.audit.queue").gauge().value() >= 0);
    }

    @Test
    void aValueThatDoesNotDecryptIsCountedAsADecryptFailure() throws Exception {
        try (Connection support = db.as(dir, "support", "customer-service");
             PreparedStatement insert = support.prepareStatement(
                     "INSERT INTO customers (name, email, phone) VALUES ('Ann', ?, ?)")) {
            insert.setString(1, ANN);
            insert.setString(2, PHONE);
            insert.executeUpdate();
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("UPDATE customers SET email = phone");  // phone's ciphertext is bound to phone: it fails as email
        }
        try (Connection support = db.as(dir, "support", "customer-service"); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT email FROM customers")) {
            assertTrue(rs.next());
            SQLException failure = assertThrows(SQLException.class, () -> rs.getString(1));
            assertEquals("XX001", failure.getSQLState());
        }
        assertEquals(1, counter(meter("warden.decrypt.failures")));
        assertEquals(1, counter(meter("warden.statements").tag("kind", "SELECT").tag("decision", "failed")));
    }

    @Test
    void policyReloadsAndRejectionsAreCounted() throws Exception {
        try (Connection support = db.as(dir, "support", "customer-service")) {
            assertFalse(support.isClosed());
        }
        WardenEngine engine = WardenEngine.forConfig(new EngineConfig(dir.resolve("policy.yaml").toString(),
                "file:" + dir.resolve("demo-master-key.txt")));
        Path policy = dir.resolve("policy.yaml");
        String yaml = Files.readString(policy);
        Files.writeString(policy, yaml.replace("read: { support: plaintext, billing: masked }",
                "read: { support: plaintext, billing: plaintext }"));
        assertTrue(engine.reloadPolicy());
        Files.writeString(policy, yaml.replace("encrypt: deterministic", "encrypt: sometimes"));
        assertThrows(SQLException.class, engine::reloadPolicy);

        assertEquals(1, counter(meter("warden.reloads").tag("of", "policy").tag("outcome", "reloaded")));
        assertEquals(1, counter(meter("warden.reloads").tag("of", "policy").tag("outcome", "rejected")));
        assertEquals(0, counter(meter("warden.reloads").tag("of", "keyset").tag("outcome", "reloaded")));
    }

    /** The meter of this test's engine (tagged with its policy file). */
    private RequiredSearch meter(String name) {
        return registry.get(name).tag("policy", dir.resolve("policy.yaml").toString());
    }

    private static double counter(RequiredSearch search) {
        return search.functionCounter().count();
    }
}
