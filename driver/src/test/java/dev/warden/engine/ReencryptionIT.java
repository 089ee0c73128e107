package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSink;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainedEvent;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.testkit.CustomersExample;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Reencryption} on a real PostgreSQL: a plaintext table put under the policy, and a table written
 * across a key rotation brought entirely under the new primary keys, then the old keys retired.
 */
class ReencryptionIT {

    private static final Set<String> ALL_ENCRYPTED =
            Set.of("email", "phone", "card_number", "birth_date", "credit_limit");

    /** name, email, phone, card, birth date, credit limit (the last ones may be null). */
    private static final String[][] PEOPLE = {
            {"Ann", "ann@example.com", "+85291230001", "4111111111111111", "1980-04-01", "2500.00"},
            {"Bob", "bob@example.com", null, "5500000000000004", "1975-12-31", "10"},
            {"Cid", null, "+33612345678", null, null, null},
            {"Dee", "dee@example.com", "+85291230004", "340000000000009", "2001-01-15", "0.5"},
            {"Eve", "eve@example.com", "+85291230005", "6011000000000004", "1990-06-30", "99999.99"}};

    private CustomersExample db;
    private Path policy;

    @BeforeEach
    void createDatabase() {
        db = CustomersExample.create();
        policy = CustomersExample.newPolicyDirectory();
    }

    private Reencryption reencryption(Path policyDirectory) throws SQLException {
        return Reencryption.open(new EngineConfig(policyDirectory.resolve("policy.yaml").toString(),
                "file:" + policyDirectory.resolve("demo-master-key.txt")));
    }

    private static MasterKey master(Path policyDirectory) throws Exception {
        return MasterKey.resolve("file:" + policyDirectory.resolve("demo-master-key.txt"));
    }

    private static WardenKeyset keyset(Path policyDirectory) throws Exception {
        return WardenKeyset.read(policyDirectory.resolve("demo-keyset.json"), master(policyDirectory));
    }

    // ---------------------------------------------------------------- plaintext to encrypted

    /** The example table as it stood before Warden: protected columns in plain text. */
    private void plaintextTable() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("DROP TABLE orders");
            s.execute("DROP TABLE customers");
            s.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE,"
                    + " phone text, card_number text, birth_date text, credit_limit text, country text)");
            try (PreparedStatement ps = raw.prepareStatement("INSERT INTO customers (name, email, phone, card_number,"
                    + " birth_date, credit_limit, country) VALUES (?, ?, ?, ?, ?, ?, 'HK')")) {
                for (String[] p : PEOPLE) {
                    for (int i = 0; i < 6; i++) ps.setString(i + 1, p[i]);
                    ps.executeUpdate();
                }
            }
        }
    }

    @Test
    void plaintextIsNeverTakenForCiphertextSilently() throws Exception {
        plaintextTable();
        List<String> before = atRest();
        Reencryption r = reencryption(policy);
        SQLException e = assertThrows(SQLException.class, () -> r.run(db.raw(),
                new Reencryption.Options("customers", Set.of(), 2, false), null));
        assertEquals(SqlStates.DATA_CORRUPTED, e.getSQLState());
        assertTrue(e.getMessage().contains("customers.") && e.getMessage().contains("--from-plaintext"), e.getMessage());
        assertTrue(e.getMessage().contains("customers.id = 1"), e.getMessage());
        assertNoValueIn(e.getMessage());
        assertEquals(before, atRest(), "the failed batch was rolled back");

        // naming only some columns is not enough: the others still refuse
        SQLException partial = assertThrows(SQLException.class, () -> r.run(db.raw(),
                new Reencryption.Options("customers", Set.of("email"), 2, false), null));
        assertEquals(SqlStates.DATA_CORRUPTED, partial.getSQLState());
        assertEquals(before, atRest());
    }

    @Test
    void aPlaintextTableIsEncryptedInPlaceAndReadsBackThroughWarden() throws Exception {
        plaintextTable();
        Reencryption r = reencryption(policy);
        Reencryption.Result dry = r.run(db.raw(), new Reencryption.Options("customers", ALL_ENCRYPTED, 2, true), null);
        assertTrue(dry.dryRun());
        assertEquals(PEOPLE.length, dry.rowsUpdated());
        assertTrue(atRest().stream().anyMatch(v -> v.contains("ann@example.com")), "a dry run writes nothing");

        List<long[]> progress = new ArrayList<>();
        Reencryption.Result result = r.run(db.raw(), new Reencryption.Options("customers", ALL_ENCRYPTED, 2, false),
                (rows, updated) -> progress.add(new long[] {rows, updated}));
        assertEquals(PEOPLE.length, result.rowsScanned());
        assertEquals(PEOPLE.length, result.rowsUpdated());
        assertEquals(3, result.batches());
        assertEquals(3, progress.size());
        Reencryption.ColumnCounts email = counts(result, "email");
        assertEquals(nonNull(1), email.encryptedFromPlaintext());
        assertEquals(PEOPLE.length - nonNull(1), email.nulls());
        assertEquals(0, email.reencrypted());

        for (String[] p : PEOPLE) {
            for (int i = 1; i < p.length; i++) {
                // credit limits 10 and 0.5 occur by chance in a few percent of random ciphertexts (base64 text)
                if (p[i] == null || p[i].length() < 6) continue;
                for (String stored : atRest()) assertFalse(stored.contains(p[i]), "plaintext left at rest");
            }
        }
        assertReadsBack(policy);

        // idempotent: a second run finds everything under the primary key
        Reencryption.Result again = r.run(db.raw(), new Reencryption.Options("customers", ALL_ENCRYPTED, 2, false), null);
        assertEquals(0, again.rowsUpdated());
        assertEquals(nonNull(1), counts(again, "email").alreadyCurrent());
        assertEquals(0, counts(again, "email").encryptedFromPlaintext());
    }

    @Test
    void aTableWithACompositePrimaryKeyIsReadInKeyOrderAcrossBatches() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("DROP TABLE orders");
            s.execute("DROP TABLE customers");
            s.execute("CREATE TABLE customers (region text, id int, name text NOT NULL, email text UNIQUE,"
                    + " phone text, card_number text, birth_date text, credit_limit text, country text,"
                    + " PRIMARY KEY (region, id))");
            try (PreparedStatement ps = raw.prepareStatement("INSERT INTO customers (region, id, name, email, phone,"
                    + " card_number, birth_date, credit_limit, country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'HK')")) {
                for (int row = 0; row < PEOPLE.length; row++) {
                    // key order (FR, 1), (FR, 3), (HK, 0), (HK, 2), (HK, 4): neither insertion nor name order
                    ps.setString(1, row % 2 == 0 ? "HK" : "FR");
                    ps.setInt(2, row);
                    for (int i = 0; i < 6; i++) ps.setString(i + 3, PEOPLE[row][i]);
                    ps.executeUpdate();
                }
            }
        }
        Reencryption r = reencryption(policy);
        Reencryption.Result result = r.run(db.raw(), new Reencryption.Options("customers", ALL_ENCRYPTED, 2, false),
                null);
        assertEquals(PEOPLE.length, result.rowsScanned(), "each row read once across the batches");
        assertEquals(PEOPLE.length, result.rowsUpdated());
        assertEquals(3, result.batches());
        assertReadsBack(policy);
        assertEquals(0, r.run(db.raw(), new Reencryption.Options("customers", ALL_ENCRYPTED, 2, false), null)
                .rowsUpdated());
    }

    @Test
    void rowsAlreadyWrittenThroughWardenAreNotEncryptedTwice() throws Exception {
        plaintextTable();
        try (Connection support = db.as(policy, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)")) {
            ps.setString(1, "Fay");
            ps.setString(2, "fay@example.com");
            ps.setString(3, "+85291230006");
            ps.executeUpdate();
        }
        Reencryption.Result result = reencryption(policy).run(db.raw(),
                new Reencryption.Options("customers", ALL_ENCRYPTED, 100, false), null);
        assertEquals(1, counts(result, "email").alreadyCurrent());
        assertEquals(nonNull(1), counts(result, "email").encryptedFromPlaintext());
        try (Connection support = db.as(policy, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("SELECT name, phone FROM customers WHERE email = ?")) {
            ps.setString(1, "fay@example.com");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("Fay", rs.getString(1));
                assertEquals("+85291230006", rs.getString(2));
                assertFalse(rs.next());
            }
        }
    }

    @Test
    void aColumnThatIsNotByteaOrTextIsRefusedWithTheFix() throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ALTER COLUMN birth_date TYPE date USING NULL");
        }
        SQLException e = assertThrows(SQLException.class, () -> reencryption(policy).run(db.raw(),
                new Reencryption.Options("customers", Set.of(), 10, false), null));
        assertEquals(SqlStates.POLICY_MISMATCH, e.getSQLState());
        assertTrue(e.getMessage().contains("customers.birth_date") && e.getMessage().contains("ALTER TABLE"), e.getMessage());
    }

    // ---------------------------------------------------------------- finishing a rotation

    private Path rotatedCopy(Path directory) throws Exception {
        Path rotated = CustomersExample.copyOfPolicyDirectory(directory);
        keyset(rotated).rotate().write(rotated.resolve("demo-keyset.json"), master(rotated));
        return rotated;
    }

    /** Writes PEOPLE[from, to) through Warden with every column: support writes, then billing updates. */
    private void writeThroughWarden(Path policyDirectory, int from, int to) throws SQLException {
        try (Connection support = db.as(policyDirectory, "support", "customer-service");
             Connection billing = db.as(policyDirectory, "billing", "order-processing");
             PreparedStatement insert = support.prepareStatement("INSERT INTO customers (name, email, phone, birth_date)"
                     + " VALUES (?, ?, ?, ?) RETURNING id");
             PreparedStatement update = billing.prepareStatement(
                     "UPDATE customers SET card_number = ?, credit_limit = ? WHERE id = ?")) {
            for (int i = from; i < to; i++) {
                String[] p = PEOPLE[i];
                insert.setString(1, p[0]);
                insert.setString(2, p[1]);
                insert.setString(3, p[2]);
                insert.setDate(4, p[4] == null ? null : Date.valueOf(p[4]));
                int id;
                try (ResultSet rs = insert.executeQuery()) {
                    assertTrue(rs.next());
                    id = rs.getInt(1);
                }
                update.setString(1, p[3]);
                update.setBigDecimal(2, p[5] == null ? null : new BigDecimal(p[5]));
                update.setInt(3, id);
                assertEquals(1, update.executeUpdate());
            }
        }
    }

    @Test
    void afterReencryptionEveryValueIsUnderTheNewPrimaryAndTheOldKeysCanBeRetired() throws Exception {
        writeThroughWarden(policy, 0, 3);
        Path rotated = rotatedCopy(policy);
        writeThroughWarden(rotated, 3, PEOPLE.length);
        WardenKeyset keys = keyset(rotated);
        assertFalse(everyValueUnderPrimary(keys), "the first rows are under the old keys");

        Reencryption.Result result = reencryption(rotated).run(db.raw(),
                new Reencryption.Options("customers", Set.of(), 2, false), null);
        assertEquals(PEOPLE.length, result.rowsScanned());
        assertEquals(3, result.rowsUpdated());
        assertEquals(nonNull(1, 0, 3), counts(result, "email").reencrypted());
        assertEquals(nonNull(1, 3, PEOPLE.length), counts(result, "email").alreadyCurrent());
        assertEquals(nonNull(3, 0, 3), counts(result, "card_number").reencrypted());
        assertEquals(0, counts(result, "email").encryptedFromPlaintext());
        assertTrue(everyValueUnderPrimary(keys));
        assertReadsBack(rotated);

        // end of the rotation: old data keys disabled, SQL sent as written, upserts allowed again
        Path retired = CustomersExample.copyOfPolicyDirectory(rotated);
        keys.retireOldDataKeys().write(retired.resolve("demo-keyset.json"), master(retired));
        assertReadsBack(retired);
        try (Connection support = db.as(retired, "support", "customer-service"); Statement s = support.createStatement()) {
            assertEquals(1, s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Ann again', 'ann@example.com')"
                    + " ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name"));
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM customers WHERE email = 'ann@example.com'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "the upsert found the re-encrypted row");
            }
        }
    }

    @Test
    void anInterruptedRunContinuesWhereItStopped() throws Exception {
        writeThroughWarden(policy, 0, PEOPLE.length);
        Path rotated = rotatedCopy(policy);
        Reencryption r = reencryption(rotated);
        RuntimeException stop = assertThrows(RuntimeException.class, () -> r.run(db.raw(),
                new Reencryption.Options("customers", Set.of(), 2, false), (rows, updated) -> {
                    throw new IllegalStateException("stopped after the first batch");
                }));
        assertEquals("stopped after the first batch", stop.getMessage());
        Reencryption.Result rest = r.run(db.raw(), new Reencryption.Options("customers", Set.of(), 2, false), null);
        assertEquals(2, counts(rest, "email").alreadyCurrent(),
                "the first batch was committed before the stop");
        assertEquals(PEOPLE.length - 2, rest.rowsUpdated());
        assertTrue(everyValueUnderPrimary(keyset(rotated)));
    }

    @Test
    void theSameValueWrittenUnderBothKeysIsReportedByRowNotOverwritten() throws Exception {
        writeThroughWarden(policy, 0, 2);
        Path rotated = rotatedCopy(policy);
        int duplicate;
        try (Connection support = db.as(rotated, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (name, email) VALUES (?, ?) RETURNING id")) {
            ps.setString(1, "Ann twice");
            ps.setString(2, "ann@example.com");   // the unique index sees another ciphertext: accepted
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                duplicate = rs.getInt(1);
            }
        }
        assertTrue(duplicate > 0);
        SQLException e = assertThrows(SQLException.class, () -> reencryption(rotated).run(db.raw(),
                new Reencryption.Options("customers", Set.of(), 10, false), null));
        assertEquals("23505", e.getSQLState());
        assertTrue(e.getMessage().contains("customers.id = 1"), e.getMessage());
        assertNoValueIn(e.getMessage());
        assertFalse(e.getMessage().contains("\\x"), "no ciphertext either: " + e.getMessage());
    }

    @Test
    void aCiphertextMovedFromAnotherColumnIsAnErrorEvenWithFromPlaintext() throws Exception {
        writeThroughWarden(policy, 0, 1);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("UPDATE customers SET email = phone");
        }
        SQLException e = assertThrows(SQLException.class, () -> reencryption(rotatedCopy(policy)).run(db.raw(),
                new Reencryption.Options("customers", Set.of(), 10, false), null));
        assertEquals(SqlStates.DATA_CORRUPTED, e.getSQLState());
        assertTrue(e.getMessage().contains("customers.email"), e.getMessage());
        // with --from-plaintext, a value carrying one of this keyset's key prefixes is still not plaintext
        SQLException flagged = assertThrows(SQLException.class, () -> reencryption(rotatedCopy(policy)).run(db.raw(),
                new Reencryption.Options("customers", Set.of("email"), 10, false), null));
        assertEquals(SqlStates.DATA_CORRUPTED, flagged.getSQLState());
    }

    @Test
    void unknownColumnsAndTablesAreNamed() throws Exception {
        Reencryption r = reencryption(policy);
        SQLException column = assertThrows(SQLException.class, () -> r.run(db.raw(),
                new Reencryption.Options("customers", Set.of("country"), 10, false), null));
        assertTrue(column.getMessage().contains("country"), column.getMessage());
        SQLException table = assertThrows(SQLException.class, () -> r.run(db.raw(),
                new Reencryption.Options("orders", Set.of(), 10, false), null));
        assertTrue(table.getMessage().contains("orders"), table.getMessage());
        assertEquals(List.of("customers"), r.encryptedTables());
    }

    // ---------------------------------------------------------------- the audit trail

    @Test
    void eachRunLeavesOneVerifiableEventWithCountsAndKeyIdsAndNoValue() throws Exception {
        writeThroughWarden(policy, 0, 3);
        Path rotated = rotatedCopy(policy);
        writeThroughWarden(rotated, 3, PEOPLE.length);   // this JVM's engine now writes rotated's trail
        Reencryption r = reencryption(rotated);

        // like a running gateway, the engine holds the policy's trail: the run cannot be recorded there, so
        // it does not start
        SQLException busy = assertThrows(SQLException.class, () -> r.openAuditTrail(null));
        assertEquals(SqlStates.AUDIT_UNAVAILABLE, busy.getSQLState());
        assertFalse(everyValueUnderPrimary(keyset(rotated)));

        Path own = java.nio.file.Files.createTempDirectory("warden-reencrypt-trail");
        Reencryption.Result result;
        try (AuditSink trail = r.openAuditTrail(own.resolve("reencrypt.jsonl"))) {
            result = r.run(db.raw(), new Reencryption.Options("customers", Set.of(), 2, false), null, trail);
            r.run(db.raw(), new Reencryption.Options("customers", Set.of(), 2, true), null, trail);
        }
        assertTrue(everyValueUnderPrimary(keyset(rotated)));

        List<AuditEvent> runs = reencryptionEvents(own);
        assertEquals(2, runs.size(), "one event per run");
        AuditEvent run = runs.get(0);
        assertEquals(List.of("customers"), run.tables());
        assertEquals(List.of("customers.email", "customers.phone", "customers.card_number", "customers.birth_date",
                "customers.credit_limit"), run.columnsWritten());
        assertEquals(3, run.rows());
        assertEquals(result.rowsUpdated(), run.rows());
        assertEquals("allowed", run.decision());
        assertNull(run.sqlState());
        assertEquals("REENCRYPT", run.statementKind());
        assertEquals(r.policy().version(), run.policyVersion());
        WardenKeyset before = keyset(policy);
        WardenKeyset after = keyset(rotated);
        assertTrue(run.reason().startsWith("completed: 5 rows scanned, 3 rows updated in 3 batch(es)"), run.reason());
        assertTrue(run.reason().contains("customers.email: " + nonNull(1, 0, 3) + " re-encrypted (from daead "
                + before.primaryKeyId(true) + ": " + nonNull(1, 0, 3) + ")"), run.reason());
        assertTrue(run.reason().contains("customers.card_number: " + nonNull(3, 0, 3) + " re-encrypted (from aead "
                + before.primaryKeyId(false) + ": " + nonNull(3, 0, 3) + ")"), run.reason());
        assertTrue(run.reason().contains("now under daead " + after.primaryKeyId(true)), run.reason());
        assertTrue(run.reason().contains("now under aead " + after.primaryKeyId(false)), run.reason());

        AuditEvent dry = runs.get(1);
        assertTrue(dry.reason().startsWith("dry run, nothing written: 5 rows scanned, 0 rows to update"), dry.reason());
        assertEquals(List.of(), dry.columnsWritten());
        assertEquals(0, dry.rows());

        assertTrue(new AuditVerifier(AuditTrails.chainKey(after)).verify(own).ok(), "the trail verifies, sealed");
        assertNoValueInTrail(trailText(own));
    }

    @Test
    void aFailedRunIsRecordedWithWhatWasCommittedButNotTheRowKey() throws Exception {
        plaintextTable();
        Reencryption r = reencryption(policy);
        try (AuditSink trail = r.openAuditTrail(null)) {   // the policy's own trail: nothing else writes it here
            SQLException e = assertThrows(SQLException.class, () -> r.run(db.raw(),
                    new Reencryption.Options("customers", Set.of(), 2, false), null, trail));
            assertTrue(e.getMessage().contains("customers.id = 1"), "the operator is told the row");
            r.run(db.raw(), new Reencryption.Options("customers", ALL_ENCRYPTED, 2, false), null, trail);
        }
        List<AuditEvent> runs = reencryptionEvents(policy);
        assertEquals(2, runs.size());
        AuditEvent failed = runs.get(0);
        assertEquals(SqlStates.DATA_CORRUPTED, failed.sqlState());
        assertEquals(0, failed.rows());
        assertEquals(List.of("customers"), failed.tables());
        assertTrue(failed.reason().startsWith("failed with SQLState XX001 before any batch was committed"), failed.reason());
        assertFalse(failed.reason().contains("id = "), "the failing row's key stays out of the trail");
        assertTrue(runs.get(1).reason().startsWith("completed: 5 rows scanned, 5 rows updated"), runs.get(1).reason());
        assertTrue(new AuditVerifier(AuditTrails.chainKey(keyset(policy))).verify(policy).ok());
        assertNoValueInTrail(trailText(policy));
    }

    @Test
    void aRunInterruptedAfterABatchIsRecordedWithTheCommittedCounts() throws Exception {
        plaintextTable();
        Reencryption r = reencryption(policy);
        try (AuditSink trail = r.openAuditTrail(null)) {
            assertThrows(IllegalStateException.class, () -> r.run(db.raw(),
                    new Reencryption.Options("customers", ALL_ENCRYPTED, 2, false), (rows, updated) -> {
                        throw new IllegalStateException("stopped after the first batch");
                    }, trail));
        }
        AuditEvent stopped = reencryptionEvents(policy).get(0);
        assertEquals("XX000", stopped.sqlState());
        assertEquals(2, stopped.rows());
        assertTrue(stopped.reason().startsWith("failed with an unexpected error; the batches committed before it"
                + " stay committed: 2 rows scanned, 2 rows updated in 1 batch(es)"), stopped.reason());
        assertTrue(stopped.reason().contains("customers.email: 0 re-encrypted, " + nonNull(1, 0, 2)
                + " encrypted from plaintext"), stopped.reason());
        assertNoValueInTrail(trailText(policy));
    }

    private static List<AuditEvent> reencryptionEvents(Path directory) throws Exception {
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(directory))).stream().map(ChainedEvent::event)
                .filter(e -> AuditEvent.REENCRYPTION.equals(e.type())).toList();
    }

    /** No protected value long enough not to occur by chance (credit limits 10 and 0.5 would) in a trail. */
    private static void assertNoValueInTrail(String trail) {
        for (String[] p : PEOPLE) {
            for (int i = 1; i < p.length; i++) {
                if (p[i] != null && p[i].length() >= 6) assertFalse(trail.contains(p[i]), "a value in the trail");
            }
        }
    }

    /** Every byte of the trail files in {@code directory}, as text. */
    private static String trailText(Path directory) throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path f : AuditTrailFiles.expand(List.of(directory))) {
            all.append(new String(java.nio.file.Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
        assertTrue(all.length() > 0, "a trail was written");
        return all.toString();
    }

    // ---------------------------------------------------------------- helpers

    private static Reencryption.ColumnCounts counts(Reencryption.Result result, String column) {
        return result.columns().stream().filter(c -> c.column().equals(column)).findFirst().orElseThrow();
    }

    /** The number of PEOPLE[from, to) whose field {@code field} is not null. */
    private static long nonNull(int field, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) if (PEOPLE[i][field] != null) n++;
        return n;
    }

    private static long nonNull(int field) {
        return nonNull(field, 0, PEOPLE.length);
    }

    private static void assertNoValueIn(String message) {
        for (String[] p : PEOPLE) {
            for (int i = 1; i < p.length; i++) {
                if (p[i] != null) assertFalse(message.contains(p[i]), "a value in: " + message);
            }
        }
    }

    /** Every value of every column as plain pgjdbc reads it (text, and bytea also as Latin-1 text). */
    private List<String> atRest() throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM customers ORDER BY id")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    values.add(String.valueOf(rs.getString(i)));
                    if ("bytea".equals(rs.getMetaData().getColumnTypeName(i)) && rs.getBytes(i) != null) {
                        values.add(new String(rs.getBytes(i), StandardCharsets.ISO_8859_1));
                    }
                }
            }
        }
        return values;
    }

    private boolean everyValueUnderPrimary(WardenKeyset keys) throws SQLException {
        String[] deterministic = {"email", "phone"};
        String[] randomized = {"card_number", "birth_date", "credit_limit"};
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, phone, card_number, birth_date, credit_limit FROM customers")) {
            int values = 0;
            while (rs.next()) {
                for (int i = 1; i <= 5; i++) {
                    byte[] ciphertext = i == 3 ? decodeBase64(rs.getString(i)) : rs.getBytes(i);
                    if (ciphertext == null) continue;
                    values++;
                    if (!keys.isUnderPrimaryKey(ciphertext, i <= deterministic.length)) return false;
                }
            }
            assertTrue(values >= randomized.length, "there are values to check");
        }
        return true;
    }

    private static byte[] decodeBase64(String text) {
        return text == null ? null : Base64.getDecoder().decode(text);
    }

    /** Every person reads back through Warden as written, whatever key each value was under. */
    private void assertReadsBack(Path policyDirectory) throws SQLException {
        try (Connection support = db.as(policyDirectory, "support", "customer-service");
             Connection billing = db.as(policyDirectory, "billing", "order-processing");
             PreparedStatement s = support.prepareStatement(
                     "SELECT email, phone, birth_date FROM customers WHERE name = ?");
             PreparedStatement b = billing.prepareStatement(
                     "SELECT card_number, credit_limit FROM customers WHERE name = ?")) {
            for (String[] p : PEOPLE) {
                s.setString(1, p[0]);
                try (ResultSet rs = s.executeQuery()) {
                    assertTrue(rs.next(), p[0]);
                    assertEquals(p[1], rs.getString(1));
                    assertEquals(p[2], rs.getString(2));
                    if (p[4] == null) assertNull(rs.getObject(3));
                    else assertEquals(Date.valueOf(p[4]), rs.getDate(3));
                }
                b.setString(1, p[0]);
                try (ResultSet rs = b.executeQuery()) {
                    assertTrue(rs.next(), p[0]);
                    assertEquals(p[3], rs.getString(1));
                    BigDecimal limit = rs.getBigDecimal(2);
                    if (p[5] == null) assertNull(limit);
                    else assertEquals(0, new BigDecimal(p[5]).compareTo(limit), p[0]);
                }
            }
        }
    }
}
