package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainedEvent;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.AuditTrails;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.KeysetStatus;
import dev.warden.engine.Session;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A running engine follows its keyset file ({@code warden keys rotate}, {@code retire}, or a rotation another
 * process made) without a restart, on a real PostgreSQL: connections of a pool stay open across the change,
 * new values go under the new primary keys (checked on the Tink key prefix of what plain pgjdbc reads back),
 * equality finds the rows of every key, and a file that cannot be used leaves the keys in use in place and
 * says why.
 */
class KeysetReloadIT {

    private static final String ANN = "ann@example.com";
    private static final String EVE = "eve@example.com";
    private static final String FAY = "fay@example.com";
    private static final String LOOKUP = "SELECT name FROM customers WHERE email = ? ORDER BY name";

    private CustomersExample db;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<LogRecord> keysetLog = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            keysetLog.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void database() {
        db = CustomersExample.create();
        Logger.getLogger("dev.warden.keyset").addHandler(logCapture);
    }

    @AfterEach
    void closePools() {
        Logger.getLogger("dev.warden.keyset").removeHandler(logCapture);
        pools.forEach(HikariDataSource::close);
    }

    @Test
    void aPoolFollowsARotationOnDiskWithoutRestart() throws Exception {
        Path dir = policyDirectory("off");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        assertEquals(List.of("Ann"), lookup(support, LOOKUP, ANN));  // compiled and cached with one key
        WardenKeyset before = keyset(dir);

        rotateOnDisk(dir);
        WardenEngine engine = engine(dir);
        assertTrue(engine.reloadKeyset(), "the rotated file is loaded");
        assertFalse(engine.reloadKeyset(), "and only once");
        WardenKeyset rotated = keyset(dir);
        assertEquals(rotated.describeKeys(), engine.keysetStatus().keys());

        insert(support, "Eve", EVE);
        byte[] annEmail = stored("email", "Ann");
        byte[] eveEmail = stored("email", "Eve");
        assertTrue(before.isUnderPrimaryKey(annEmail, true), "Ann was written before the rotation");
        assertTrue(rotated.isUnderPrimaryKey(eveEmail, true), "Eve's email is under the new deterministic primary");
        assertFalse(before.hasPrefixOfAnyKey(eveEmail, true));
        assertTrue(rotated.isUnderPrimaryKey(stored("birth_date", "Eve"), false),
                "Eve's birth date is under the new randomized primary");

        // the same text as before the reload, so its cached single-key verdict must not be reused
        assertEquals(List.of("Ann"), lookup(support, LOOKUP, ANN));
        assertEquals(List.of("Eve"), lookup(support, LOOKUP, EVE));
        assertEquals(List.of("Ann", "Eve"),
                lookup(support, "SELECT name FROM customers WHERE email IN (?, ?) ORDER BY name", ANN, EVE));
        assertEquals(List.of("Ann|" + ANN + "|1980-04-01", "Eve|" + EVE + "|1980-04-01"),
                rows(support, "SELECT name, email, birth_date FROM customers ORDER BY name"));
        assertTrue(keysetLog.stream().anyMatch(r -> r.getLevel() == Level.INFO
                && r.getMessage().contains(dir.resolve("demo-keyset.json") + " reloaded")), "the reload is logged");
    }

    @Test
    void aStatementPreparedBeforeTheReloadFollowsItWithoutBeingPreparedAgain() throws Exception {
        Path dir = policyDirectory("off");
        try (Connection c = db.as(dir, "support", "customer-service");
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO customers (name, email, birth_date) VALUES (?, ?, ?)");
             PreparedStatement lookup = c.prepareStatement(LOOKUP);
             PreparedStatement all = c.prepareStatement("SELECT name, email FROM customers ORDER BY name")) {
            bindCustomer(insert, "Ann", ANN);
            insert.executeUpdate();
            lookup.setString(1, ANN);
            assertEquals(List.of("Ann"), names(lookup));
            ResultSet open = all.executeQuery();  // being read while the keyset changes
            bindCustomer(insert, "Eve", EVE);     // bound under the old keys, executed after the reload

            rotateOnDisk(dir);
            assertTrue(engine(dir).reloadKeyset());
            WardenKeyset rotated = keyset(dir);

            assertTrue(open.next());
            assertEquals(ANN, open.getString(2), "a result being read finishes with the keys it started with");
            open.close();

            // the same text with any number of keys: the values bound before the reload go under the new primary
            assertEquals(1, insert.executeUpdate());
            assertTrue(rotated.isUnderPrimaryKey(stored("email", "Eve"), true), "Eve's email encrypted anew");
            assertTrue(rotated.isUnderPrimaryKey(stored("birth_date", "Eve"), false));

            // the equality lookup must now go out once per key: prepared again underneath, the value bound before
            // the reload bound again under both keys, it finds the rows of either key
            assertEquals(List.of("Ann"), names(lookup));
            lookup.setString(1, EVE);
            assertEquals(List.of("Eve"), names(lookup));
            lookup.setString(1, ANN);
            assertEquals(List.of("Ann"), names(lookup));
            // a statement that needs no equality rewrite decrypts the new key's values with the new keyset
            assertEquals(List.of("Ann|" + ANN, "Eve|" + EVE), rows(all.executeQuery()));

            // after a retirement the text shrinks back: followed as well
            try (PreparedStatement update = c.prepareStatement("UPDATE customers SET email = ? WHERE name = ?")) {
                update.setString(1, ANN);
                update.setString(2, "Ann");
                assertEquals(1, update.executeUpdate());  // Ann re-encrypted, as warden keys reencrypt would
            }
            rotated.retireOldDataKeys().write(dir.resolve("demo-keyset.json"), masterKey(dir));
            assertTrue(engine(dir).reloadKeyset());
            assertEquals(List.of("Ann"), names(lookup));
            lookup.setString(1, EVE);
            assertEquals(List.of("Eve"), names(lookup));
        }
    }

    @Test
    void settingsAndCreationArgumentsAreCarriedOverWhenTheStatementIsPreparedAgain() throws Exception {
        Path dir = policyDirectory("off");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        insert(support, "Bob", "bob@example.com");
        try (Connection c = db.as(dir, "support", "customer-service");
             PreparedStatement lookup = c.prepareStatement(
                     "SELECT name FROM customers WHERE email = ? OR name >= ? ORDER BY name",
                     ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY)) {
            lookup.setFetchSize(7);
            lookup.setMaxRows(2);
            lookup.setQueryTimeout(30);
            lookup.setString(1, EVE);
            lookup.setString(2, "A");
            assertEquals(List.of("Ann", "Bob"), names(lookup));

            rotateOnDisk(dir);
            assertTrue(engine(dir).reloadKeyset());
            insert(support, "Eve", EVE);

            lookup.setString(2, "Z");  // Eve's email is found under the new key, Ann and Bob's name do not match
            assertEquals(List.of("Eve"), names(lookup));
            lookup.setString(2, "A");
            assertEquals(List.of("Ann", "Bob"), names(lookup), "max rows still 2");
            assertEquals(7, lookup.getFetchSize());
            assertEquals(2, lookup.getMaxRows());
            assertEquals(30, lookup.getQueryTimeout());
            try (ResultSet rs = lookup.executeQuery()) {
                assertEquals(ResultSet.TYPE_SCROLL_INSENSITIVE, rs.getType(), "created with the same arguments");
                assertTrue(rs.last());
                assertEquals("Bob", rs.getString(1));
            }
        }
    }

    @Test
    void aStatementAskingForGeneratedKeysAsksForThemAgainWhenPreparedAgain() throws Exception {
        Path dir = policyDirectory("off");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        try (Connection c = db.as(dir, "support", "customer-service");
             PreparedStatement rename = c.prepareStatement("UPDATE customers SET name = ? WHERE email = ?",
                     new String[] {"name", "email"})) {
            rename.setString(1, "Ann B");
            rename.setString(2, ANN);
            assertEquals(1, rename.executeUpdate());
            assertEquals(List.of("Ann B|" + ANN), rows(rename.getGeneratedKeys()));

            rotateOnDisk(dir);
            assertTrue(engine(dir).reloadKeyset());
            insert(support, "Eve", EVE);
            // equality now spans both keys, so the statement is prepared again with a different text: the
            // returned columns must still be asked for, decrypted and shown per the read rules
            rename.setString(1, "Eve B");
            rename.setString(2, EVE);
            assertEquals(1, rename.executeUpdate());
            assertEquals(List.of("Eve B|" + EVE), rows(rename.getGeneratedKeys()));
            rename.setString(1, "Ann C");
            rename.setString(2, ANN);
            assertEquals(1, rename.executeUpdate());
            assertEquals(List.of("Ann C|" + ANN), rows(rename.getGeneratedKeys()));
        }
        assertFalse(new String(stored("email", "Eve B"), StandardCharsets.ISO_8859_1).contains(EVE));
    }

    @Test
    void aBatchAddedBeforeTheReloadIsRefusedAndClearedOneAddedAfterItGoesOut() throws Exception {
        Path dir = policyDirectory("off");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        try (Connection c = db.as(dir, "support", "customer-service");
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO customers (name, email, birth_date) VALUES (?, ?, ?)");
             PreparedStatement rename = c.prepareStatement("UPDATE customers SET name = ? WHERE email = ?")) {
            bindCustomer(insert, "Bob", "bob@example.com");
            insert.addBatch();
            rename.setString(1, "Ann");
            rename.setString(2, ANN);
            rename.addBatch();

            rotateOnDisk(dir);
            assertTrue(engine(dir).reloadKeyset());
            WardenKeyset rotated = keyset(dir);

            // the batched values went into the real statement encrypted under the previous keys: never sent
            SQLException sameText = assertThrows(SQLException.class, insert::executeBatch);
            assertEquals("0A000", sameText.getSQLState());
            assertTrue(sameText.getMessage().contains("1 parameter set(s) added to the batch before the reload"),
                    sameText.getMessage());
            assertFalse(sameText.getMessage().contains("bob@"), sameText.getMessage());
            assertEquals(List.of(), rows(support, "SELECT name FROM customers WHERE name = 'Bob'"));
            SQLException anotherText = assertThrows(SQLException.class, rename::executeBatch);
            assertEquals("0A000", anotherText.getSQLState());
            assertTrue(anotherText.getMessage().contains("add them again"), anotherText.getMessage());

            // the batches were cleared; added again, they follow the reload
            bindCustomer(insert, "Bob", "bob@example.com");
            insert.addBatch();
            bindCustomer(insert, "Eve", EVE);
            insert.addBatch();
            assertEquals(2, insert.executeBatch().length);
            assertTrue(rotated.isUnderPrimaryKey(stored("email", "Bob"), true));
            rename.setString(1, "Anne");
            rename.setString(2, ANN);      // stored under the old key
            rename.addBatch();
            rename.setString(1, "Evelyn");
            rename.setString(2, EVE);      // under the new one
            rename.addBatch();
            int[] counts = rename.executeBatch();
            assertEquals(1, counts[0]);
            assertEquals(1, counts[1]);
        }
        assertEquals(List.of("Anne", "Bob", "Evelyn"), rows(support, "SELECT name FROM customers ORDER BY name"));
        List<AuditEvent> refused = awaitEvents(dir, e -> "refused".equals(e.decision()));
        assertEquals(2, refused.size(), "each refused batch is audited once");
    }

    @Test
    void aBoundStreamThatCannotBeReadAgainIsRefusedUntilBoundAgain() throws Exception {
        Path dir = policyDirectory("off");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        String byEmailAndName = "SELECT name FROM customers WHERE email = ? AND name = ?";
        try (Connection c = db.as(dir, "support", "customer-service");
             PreparedStatement lookup = c.prepareStatement(byEmailAndName)) {
            lookup.setFetchSize(5);
            lookup.setString(1, ANN);
            lookup.setCharacterStream(2, new StringReader("Ann"));
            assertEquals(List.of("Ann"), names(lookup));

            rotateOnDisk(dir);
            assertTrue(engine(dir).reloadKeyset());
            insert(support, "Eve", EVE);

            SQLException stale = assertThrows(SQLException.class, lookup::executeQuery);
            assertEquals("0A000", stale.getSQLState());
            assertTrue(stale.getMessage().contains("setCharacterStream (parameter 2) cannot be bound again")
                    && stale.getMessage().contains("bind the parameters again"), stale.getMessage());
            assertFalse(stale.getMessage().contains("ann@"), stale.getMessage());

            // the statement followed the reload all the same: bound again, it finds the rows of either key
            lookup.setString(1, EVE);
            lookup.setCharacterStream(2, new StringReader("Eve"));
            assertEquals(List.of("Eve"), names(lookup));
            lookup.setString(1, ANN);
            lookup.setString(2, "Ann");
            assertEquals(List.of("Ann"), names(lookup));
            assertEquals(5, lookup.getFetchSize());
        }
        List<AuditEvent> refused = awaitEvents(dir, e -> "refused".equals(e.decision()));
        assertEquals(1, refused.size(), "the refused execution is audited once");
        assertEquals(byEmailAndName, refused.get(0).fingerprint());
        assertEquals("0A000", refused.get(0).sqlState());
    }

    @Test
    void aCallCannotBePreparedAgainButNeverNeedsTo() throws Exception {
        Path dir = policyDirectory("off");
        try (Connection c = db.as(dir, "support", "customer-service");
             java.sql.CallableStatement call = c.prepareCall("SELECT upper(?)")) {
            call.setString(1, "a");
            assertEquals(List.of("A"), names(call));
            rotateOnDisk(dir);
            assertTrue(engine(dir).reloadKeyset());
            assertEquals(List.of("A"), names(call));
        }
    }

    @Test
    void aRotationAnotherProcessMadeFirstIsReadOnceThisOneReloads() throws Exception {
        Path here = policyDirectory("off");
        HikariDataSource thisProcess = pool(here, "support", "customer-service");
        insert(thisProcess, "Ann", ANN);

        // the other process rotated the shared keyset and writes under its new key
        Path there = CustomersExample.copyOfPolicyDirectory(here);
        rotateOnDisk(there);
        HikariDataSource otherProcess = pool(there, "support", "customer-service");
        insert(otherProcess, "Eve", EVE);

        // before this process reloads, the new key's values do not open here (refused, not shown wrong)
        SQLException unknownKey = assertThrows(SQLException.class,
                () -> rows(thisProcess, "SELECT name, email FROM customers WHERE name = 'Eve'"));
        assertEquals("XX001", unknownKey.getSQLState());
        assertEquals(List.of(), lookup(thisProcess, LOOKUP, EVE));

        Files.copy(there.resolve("demo-keyset.json"), here.resolve("demo-keyset.json"),
                StandardCopyOption.REPLACE_EXISTING);
        assertTrue(engine(here).reloadKeyset());

        assertEquals(List.of("Ann|" + ANN, "Eve|" + EVE), rows(thisProcess, "SELECT name, email FROM customers ORDER BY name"));
        assertEquals(List.of("Eve"), lookup(thisProcess, LOOKUP, EVE));
        assertEquals(List.of("Ann"), lookup(thisProcess, LOOKUP, ANN));
        insert(thisProcess, "Fay", FAY);
        assertTrue(keyset(there).isUnderPrimaryKey(stored("email", "Fay"), true), "both processes write alike");
        assertEquals(List.of("Fay"), lookup(otherProcess, LOOKUP, FAY));
        assertEquals(List.of("Ann", "Eve", "Fay"), lookup(otherProcess,
                "SELECT name FROM customers WHERE email IN (?, ?, ?) ORDER BY name", ANN, EVE, FAY));
    }

    @Test
    void aKeysetFileThatCannotBeUsedLeavesTheKeysInUseAndSaysWhy() throws Exception {
        Path dir = policyDirectory("off");
        Path file = dir.resolve("demo-keyset.json");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        WardenEngine engine = engine(dir);
        WardenKeyset inUse = keyset(dir);
        String keysInUse = engine.keysetStatus().keys();
        MasterKey master = masterKey(dir);

        Files.writeString(file, "{\"format\": \"warden-keyset/1\", \"aead\": ");  // a torn copy
        SQLException torn = assertThrows(SQLException.class, engine::reloadKeyset);
        assertEquals("58030", torn.getSQLState());
        assertTrue(torn.getMessage().contains(file.toString()) && torn.getMessage().contains("not valid JSON")
                && torn.getMessage().contains("the keyset in use stays"), torn.getMessage());
        usesTheKeysInUse(support, inUse, "Bob", "bob@example.com");

        String otherMaster = MasterKey.generateBase64();
        inUse.rotate().write(file, MasterKey.fromBase64(otherMaster));
        SQLException wrongMaster = assertThrows(SQLException.class, engine::reloadKeyset);
        assertTrue(wrongMaster.getMessage().contains("could not be opened with this master key"),
                wrongMaster.getMessage());
        assertFalse(wrongMaster.getMessage().contains(otherMaster));
        usesTheKeysInUse(support, inUse, "Cid", "cid@example.com");

        WardenKeyset.generate().write(file, master);  // warden keys create --force over the file
        SQLException unrelated = assertThrows(SQLException.class, engine::reloadKeyset);
        assertTrue(unrelated.getMessage().contains("may not replace the keyset in use")
                && unrelated.getMessage().contains("is missing"), unrelated.getMessage());
        usesTheKeysInUse(support, inUse, "Dee", "dee@example.com");

        KeysetStatus status = engine.keysetStatus();
        assertFalse(status.healthy());
        assertEquals(3, status.failures());
        assertEquals(0, status.reloads());
        assertEquals(keysInUse, status.keys());
        assertTrue(status.lastError().contains(file.toString()), status.lastError());
        assertTrue(keysetLog.stream().filter(r -> r.getLevel() == Level.WARNING)
                        .filter(r -> r.getMessage().contains(file.toString())).count() >= 3,
                "each problem is logged, naming the file");
        for (LogRecord r : keysetLog) {
            assertFalse(r.getMessage().contains("encryptedKeyset") || r.getMessage().contains(otherMaster),
                    r.getMessage());
        }

        // the next good change is loaded
        inUse.rotate().write(file, master);
        assertTrue(engine.reloadKeyset());
        assertTrue(engine.keysetStatus().healthy());
        insert(support, "Eve", EVE);
        assertTrue(keyset(dir).isUnderPrimaryKey(stored("email", "Eve"), true));
        assertEquals(List.of("Ann", "Bob", "Eve"), lookup(support,
                "SELECT name FROM customers WHERE email IN (?, ?, ?) ORDER BY name", ANN, "bob@example.com", EVE));
    }

    @Test
    void thePeriodicCheckFollowsTheFileWithoutAnyCall() throws Exception {
        Path dir = policyDirectory("100ms");
        Path file = dir.resolve("demo-keyset.json");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        WardenEngine engine = engine(dir);
        byte[] original = Files.readAllBytes(file);

        Files.writeString(file, "not a keyset");
        awaitStatus(engine, s -> !s.healthy());
        assertTrue(engine.keysetStatus().lastError().contains("not valid JSON"), engine.keysetStatus().lastError());
        usesTheKeysInUse(support, keyset(original, dir), "Bob", "bob@example.com");

        Files.write(file, original);
        awaitStatus(engine, KeysetStatus::healthy);
        rotateOnDisk(dir);
        awaitStatus(engine, s -> s.reloads() == 1);
        insert(support, "Eve", EVE);
        assertTrue(keyset(dir).isUnderPrimaryKey(stored("email", "Eve"), true));
        assertEquals(List.of("Ann"), lookup(support, LOOKUP, ANN));
        assertEquals(List.of("Eve"), lookup(support, LOOKUP, EVE));
    }

    @Test
    void aRetirementIsFollowedAndEqualityGoesOutAsWrittenAgain() throws Exception {
        Path dir = policyDirectory("off");
        HikariDataSource support = pool(dir, "support", "customer-service");
        insert(support, "Ann", ANN);
        WardenEngine engine = engine(dir);
        rotateOnDisk(dir);
        assertTrue(engine.reloadKeyset());
        assertEquals("SELECT name FROM customers WHERE email IN (?, ?) ORDER BY name", sent(engine, LOOKUP));
        // Ann's row re-encrypted under the new primary, as warden keys reencrypt would
        try (Connection c = support.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE customers SET email = ? WHERE name = ?")) {
            ps.setString(1, ANN);
            ps.setString(2, "Ann");
            assertEquals(1, ps.executeUpdate());
        }
        MasterKey master = masterKey(dir);
        keyset(dir).retireOldDataKeys().write(dir.resolve("demo-keyset.json"), master);
        assertTrue(engine.reloadKeyset(), "a retirement disables keys: it is the operator's decision");
        assertEquals(LOOKUP, sent(engine, LOOKUP));
        assertEquals(List.of("Ann"), lookup(support, LOOKUP, ANN));
    }

    @Test
    void reloadsAreAuditedAndTheTrailStaysVerifiable() throws Exception {
        Path dir = policyDirectory("off");
        EngineConfig config = config(dir);
        MasterKey master = masterKey(dir);
        Path file = dir.resolve("demo-keyset.json");
        WardenKeyset retired;
        try (WardenEngine engine = WardenEngine.open(config, null)) {
            WardenKeyset.read(file, master).rotate().write(file, master);
            assertTrue(engine.reloadKeyset());
            retired = WardenKeyset.read(file, master).retireOldDataKeys();
            retired.write(file, master);
            assertTrue(engine.reloadKeyset());
            Files.writeString(file, "{}");
            assertThrows(SQLException.class, engine::reloadKeyset);
        }
        List<AuditEvent> reloads = events(dir).stream().filter(e -> "keyset-reloaded".equals(e.type())).toList();
        assertEquals(2, reloads.size(), "one event per keyset loaded, none for a refused file");
        String last = reloads.get(1).reason();
        assertTrue(last.endsWith("primary keys " + retired.primaryKeyIds()), last);
        assertTrue(last.contains(retired.describeKeys()), last);
        assertFalse(last.contains("encryptedKeyset"), last);
        // the chain goes on under the new audit key; the retired keyset still verifies all of it
        assertTrue(new AuditVerifier(AuditTrails.chainKey(retired)).verify(dir).ok(), "the chain spans the reloads");
    }

    // ---------------------------------------------------------------- helpers

    /** A private copy of the example policy with {@code keyset-reload: interval}. */
    private static Path policyDirectory(String interval) throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "keyset-reload: " + interval + "\n" + Files.readString(policy));
        return dir;
    }

    private static EngineConfig config(Path dir) {
        return new EngineConfig(dir.resolve("policy.yaml").toString(), "file:" + dir.resolve("demo-master-key.txt"));
    }

    /** The engine the driver shares between the connections of {@code dir}'s policy. */
    private static WardenEngine engine(Path dir) throws SQLException {
        return WardenEngine.forConfig(config(dir));
    }

    private static MasterKey masterKey(Path dir) throws Exception {
        return MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt"));
    }

    private static WardenKeyset keyset(Path dir) throws Exception {
        return WardenKeyset.read(dir.resolve("demo-keyset.json"), masterKey(dir));
    }

    private static WardenKeyset keyset(byte[] content, Path dir) throws Exception {
        return WardenKeyset.read(dir.resolve("demo-keyset.json"), new String(content, StandardCharsets.UTF_8),
                masterKey(dir));
    }

    /** What {@code warden keys rotate --keyset dir/demo-keyset.json} does. */
    private static void rotateOnDisk(Path dir) throws Exception {
        MasterKey master = masterKey(dir);
        Path file = dir.resolve("demo-keyset.json");
        WardenKeyset.read(file, master).rotate().write(file, master);
    }

    private HikariDataSource pool(Path dir, String role, String purpose) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.wardenUrl());
        config.setDataSourceProperties(CustomersExample.properties(dir, role, purpose));
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return pool;
    }

    private static void awaitStatus(WardenEngine engine, java.util.function.Predicate<KeysetStatus> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.test(engine.keysetStatus())) {
            assertTrue(System.nanoTime() < deadline, "the periodic check did not get there: " + engine.keysetStatus());
            Thread.sleep(20);
        }
    }

    /** The keys in use still work: a write goes under their primary and is found with the earlier rows. */
    private void usesTheKeysInUse(HikariDataSource pool, WardenKeyset inUse, String name, String email)
            throws Exception {
        insert(pool, name, email);
        assertTrue(inUse.isUnderPrimaryKey(stored("email", name), true), name + " under the keys in use");
        assertEquals(List.of(name), lookup(pool, LOOKUP, email));
        assertEquals(List.of("Ann"), lookup(pool, LOOKUP, ANN));
    }

    private static void bindCustomer(PreparedStatement ps, String name, String email) throws SQLException {
        ps.setString(1, name);
        ps.setString(2, email);
        ps.setObject(3, LocalDate.of(1980, 4, 1));
    }

    private static void insert(HikariDataSource pool, String name, String email) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO customers (name, email, birth_date) VALUES (?, ?, ?)")) {
            bindCustomer(ps, name, email);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static List<String> lookup(HikariDataSource pool, String sql, String... emails) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < emails.length; i++) ps.setString(i + 1, emails[i]);
            return names(ps);
        }
    }

    private static List<String> names(PreparedStatement ps) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    private static List<String> rows(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return rows(ps.executeQuery());
        }
    }

    private static List<String> rows(ResultSet rs) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (rs) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) row.append(i > 1 ? "|" : "").append(rs.getString(i));
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /** The stored (encrypted) bytes of {@code column} for the customer {@code name}, read with plain pgjdbc. */
    private byte[] stored(String column, String name) throws SQLException {
        try (Connection raw = db.raw();
             PreparedStatement ps = raw.prepareStatement("SELECT " + column + " FROM customers WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), name);
                byte[] bytes = rs.getBytes(1);
                assertNotNull(bytes, name + "." + column);
                return bytes;
            }
        }
    }

    private String sent(WardenEngine engine, String sql) throws SQLException {
        try (Connection raw = db.raw()) {
            Session session = engine.openSession("keyset-reload-test", "postgres", "support", "customer-service",
                    "test", null);
            return engine.guard(session, raw, sql).sql();
        }
    }

    /** The events of {@code dir}'s trail that match, once at least one does (the trail is written asynchronously). */
    private static List<AuditEvent> awaitEvents(Path dir, java.util.function.Predicate<AuditEvent> match)
            throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                List<AuditEvent> found = events(dir).stream().filter(match).toList();
                if (!found.isEmpty()) return found;
            } catch (java.io.IOException | RuntimeException e) {
                // a line being written: read again
            }
            assertTrue(System.nanoTime() < deadline, "no matching audit event in " + dir);
            Thread.sleep(20);
        }
    }

    private static List<AuditEvent> events(Path dir) throws Exception {
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir))).stream()
                .map(ChainedEvent::event).toList();
    }
}
