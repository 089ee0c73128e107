package dev.warden.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.mac.HmacKey;
import com.google.crypto.tink.util.SecretBytes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WardenKeysetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] VALUE = "alice@example.com".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static MasterKey masterKey() throws KeyException {
        return MasterKey.fromBase64(MasterKey.generateBase64());
    }

    // ---- file

    @Test
    void writtenKeysetReadsBackAndDecryptsWhatTheOriginalEncrypted() throws Exception {
        MasterKey master = masterKey();
        WardenKeyset keyset = WardenKeyset.generate();
        Path file = dir.resolve("nested/dir/keyset.json");
        keyset.write(file, master);

        WardenKeyset read = WardenKeyset.read(file, master);
        assertEquals(keyset.primaryKeyIds(), read.primaryKeyIds());
        assertArrayEquals(VALUE, read.randomized("t.c").decrypt(keyset.randomized("t.c").encrypt(VALUE)));
        assertArrayEquals(keyset.deterministic("t.c").encrypt(VALUE), read.deterministic("t.c").encrypt(VALUE));
        assertTrue(read.verifyAuditMac(keyset.auditMac(VALUE), VALUE));
    }

    @Test
    void fileHasTheDocumentedShapeAndNoPlaintextKeys() throws Exception {
        Path file = dir.resolve("k.json");
        WardenKeyset.generate().write(file, masterKey());
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        assertEquals("warden-keyset/1", root.get("format").asText());
        for (String role : new String[] {"aead", "daead", "mac"}) {
            assertTrue(root.get(role).has("encryptedKeyset"), role);
        }
        String text = Files.readString(file);
        assertFalse(text.contains("\"value\""), "no cleartext key material field");
    }

    @Test
    void fileIsOwnerOnlyOnPosixAndNoTempFileRemains() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("k.json");
        WardenKeyset.generate().write(file, masterKey());
        WardenKeyset.generate().write(file, masterKey()); // replacing an existing file works too
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void wrongMasterKeyIsReportedAsSuch() throws Exception {
        Path file = dir.resolve("k.json");
        WardenKeyset.generate().write(file, masterKey());
        MasterKey other = MasterKey.resolve("env:WARDEN_MASTER_KEY",
                java.util.Map.of("WARDEN_MASTER_KEY", MasterKey.generateBase64()));
        KeyException e = assertThrows(KeyException.class, () -> WardenKeyset.read(file, other));
        assertEquals("keyset " + file + " could not be opened with this master key (wrong WARDEN_MASTER_KEY?)",
                e.getMessage());
    }

    @Test
    void tamperedKeysetFailsAuthentication() throws Exception {
        MasterKey master = masterKey();
        Path file = dir.resolve("k.json");
        WardenKeyset.generate().write(file, master);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        ObjectNode daead = (ObjectNode) root.get("daead");
        byte[] sealed = Base64.getDecoder().decode(daead.get("encryptedKeyset").asText());
        sealed[sealed.length / 2] ^= 1;
        daead.put("encryptedKeyset", Base64.getEncoder().encodeToString(sealed));
        Files.writeString(file, JSON.writeValueAsString(root));

        KeyException e = assertThrows(KeyException.class, () -> WardenKeyset.read(file, master));
        assertTrue(e.getMessage().contains("\"daead\" keyset fails authentication"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()));
    }

    @Test
    void swappedKeysetsFailBecauseEachIsBoundToItsRole() throws Exception {
        MasterKey master = masterKey();
        Path file = dir.resolve("k.json");
        WardenKeyset.generate().write(file, master);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        var aead = root.get("aead");
        root.set("aead", root.get("mac"));
        root.set("mac", aead);
        Files.writeString(file, JSON.writeValueAsString(root));
        assertThrows(KeyException.class, () -> WardenKeyset.read(file, master));
    }

    @Test
    void missingFileIsReported() {
        Path file = dir.resolve("absent.json");
        KeyException e = assertThrows(KeyException.class, () -> WardenKeyset.read(file, masterKey()));
        assertEquals("keyset " + file + " does not exist", e.getMessage());
    }

    @Test
    void malformedJsonIsReportedWithItsLocation() throws Exception {
        Path file = dir.resolve("k.json");
        Files.writeString(file, "{\n  \"format\": \"warden-keyset/1\",\n  oops\n}");
        KeyException e = assertThrows(KeyException.class, () -> WardenKeyset.read(file, masterKey()));
        assertTrue(e.getMessage().startsWith("keyset " + file + " is not valid JSON (line 3"), e.getMessage());
    }

    @Test
    void wrongFormatIsReported() throws Exception {
        Path file = dir.resolve("k.json");
        Files.writeString(file, "{\"format\":\"warden-keyset/9\"}");
        KeyException e = assertThrows(KeyException.class, () -> WardenKeyset.read(file, masterKey()));
        assertEquals("keyset " + file + " has format \"warden-keyset/9\", this version reads only"
                + " \"warden-keyset/1\"", e.getMessage());
        Files.writeString(file, "{}");
        assertTrue(assertThrows(KeyException.class, () -> WardenKeyset.read(file, masterKey()))
                .getMessage().contains("has no \"format\" field"));
    }

    @Test
    void missingInnerKeysetIsReported() throws Exception {
        Path file = dir.resolve("k.json");
        Files.writeString(file, "{\"format\":\"warden-keyset/1\",\"aead\":{}}");
        KeyException e = assertThrows(KeyException.class, () -> WardenKeyset.read(file, masterKey()));
        assertEquals("keyset " + file + ": \"aead\" has no \"encryptedKeyset\" string", e.getMessage());
        Files.writeString(file, "{\"format\":\"warden-keyset/1\",\"aead\":{\"encryptedKeyset\":\"AA==\"}}");
        e = assertThrows(KeyException.class, () -> WardenKeyset.read(file, masterKey()));
        assertEquals("keyset " + file + " has no \"daead\" keyset object", e.getMessage());
    }

    // ---- ciphers

    @Test
    void randomizedRoundTripsAndDiffersEachTime() throws Exception {
        ColumnCipher cipher = WardenKeyset.generate().randomized("customers.email");
        byte[] a = cipher.encrypt(VALUE);
        byte[] b = cipher.encrypt(VALUE);
        assertFalse(Arrays.equals(a, b));
        assertArrayEquals(VALUE, cipher.decrypt(a));
        assertArrayEquals(VALUE, cipher.decrypt(b));
        assertArrayEquals(new byte[0], cipher.decrypt(cipher.encrypt(new byte[0])));
    }

    @Test
    void deterministicGivesEqualCiphertextForEqualInputInOneColumnOnly() throws Exception {
        WardenKeyset keyset = WardenKeyset.generate();
        ColumnCipher email = keyset.deterministic("customers.email");
        assertArrayEquals(email.encrypt(VALUE), keyset.deterministic("customers.email").encrypt(VALUE));
        assertFalse(Arrays.equals(email.encrypt(VALUE), email.encrypt("bob@example.com".getBytes())));
        assertFalse(Arrays.equals(email.encrypt(VALUE), keyset.deterministic("customers.phone").encrypt(VALUE)));
        assertArrayEquals(VALUE, email.decrypt(email.encrypt(VALUE)));
    }

    @Test
    void ciphertextFromOneColumnFailsOnAnother() {
        WardenKeyset keyset = WardenKeyset.generate();
        byte[] r = keyset.randomized("customers.email").encrypt(VALUE);
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> keyset.randomized("customers.name").decrypt(r));
        assertTrue(e.getMessage().contains("customers.name"));
        byte[] d = keyset.deterministic("customers.email").encrypt(VALUE);
        assertThrows(GeneralSecurityException.class, () -> keyset.deterministic("customers.name").decrypt(d));
    }

    @Test
    void ciphertextFromAnotherKeysetFails() {
        byte[] r = WardenKeyset.generate().randomized("t.c").encrypt(VALUE);
        assertThrows(GeneralSecurityException.class, () -> WardenKeyset.generate().randomized("t.c").decrypt(r));
    }

    @Test
    void tamperedCiphertextFailsAtEveryByte() {
        WardenKeyset keyset = WardenKeyset.generate();
        for (ColumnCipher cipher : new ColumnCipher[] {keyset.randomized("t.c"), keyset.deterministic("t.c")}) {
            byte[] ct = cipher.encrypt(VALUE);
            for (int i = 0; i < ct.length; i++) {
                byte[] bad = ct.clone();
                bad[i] ^= 0x01;
                assertThrows(GeneralSecurityException.class, () -> cipher.decrypt(bad), cipher + " byte " + i);
            }
            byte[] truncated = Arrays.copyOf(ct, ct.length - 1);
            assertThrows(GeneralSecurityException.class, () -> cipher.decrypt(truncated));
        }
    }

    @Test
    void decryptFailureMessageCarriesNoCiphertextOrPlaintext() throws Exception {
        WardenKeyset keyset = WardenKeyset.generate();
        byte[] ct = keyset.randomized("a.b").encrypt(VALUE);
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> keyset.randomized("a.c").decrypt(ct));
        assertFalse(e.getMessage().contains("alice"));
        assertFalse(e.getMessage().contains(Base64.getEncoder().encodeToString(ct).substring(0, 10)));
    }

    // ---- rotation

    @Test
    void rotationKeepsOldCiphertextReadableAndEncryptsUnderTheNewKey() throws Exception {
        MasterKey master = masterKey();
        WardenKeyset old = WardenKeyset.generate();
        byte[] oldRandom = old.randomized("t.c").encrypt(VALUE);
        byte[] oldDet = old.deterministic("t.c").encrypt(VALUE);
        byte[] oldTag = old.auditMac(VALUE);

        WardenKeyset rotated = old.rotate();
        assertEquals(1, old.keyCount());
        assertEquals(2, rotated.keyCount());
        assertNotEquals(old.primaryKeyIds(), rotated.primaryKeyIds());

        Path file = dir.resolve("k.json");
        rotated.write(file, master);
        WardenKeyset reread = WardenKeyset.read(file, master);
        assertEquals(2, reread.keyCount());

        for (WardenKeyset k : new WardenKeyset[] {rotated, reread}) {
            assertArrayEquals(VALUE, k.randomized("t.c").decrypt(oldRandom));
            assertArrayEquals(VALUE, k.deterministic("t.c").decrypt(oldDet));
            assertTrue(k.verifyAuditMac(oldTag, VALUE));
        }
        byte[] newRandom = rotated.randomized("t.c").encrypt(VALUE);
        byte[] newDet = rotated.deterministic("t.c").encrypt(VALUE);
        // Tink's 5-byte prefix names the key: new ciphertext carries the new primary's id
        assertFalse(Arrays.equals(Arrays.copyOf(oldRandom, 5), Arrays.copyOf(newRandom, 5)));
        assertTrue(rotated.isUnderPrimaryKey(newRandom, false));
        assertTrue(rotated.isUnderPrimaryKey(newDet, true));
        assertFalse(Arrays.equals(oldDet, newDet));
        assertThrows(GeneralSecurityException.class, () -> old.randomized("t.c").decrypt(newRandom));
        assertThrows(GeneralSecurityException.class, () -> old.deterministic("t.c").decrypt(newDet));
        assertFalse(old.verifyAuditMac(rotated.auditMac(VALUE), VALUE));
    }

    @Test
    void deterministicForEveryKeyReproducesCiphertextWrittenBeforeRotation() throws Exception {
        WardenKeyset old = WardenKeyset.generate();
        byte[] before = old.deterministic("t.c").encrypt(VALUE);
        WardenKeyset rotated = old.rotate().rotate();

        java.util.List<ColumnCipher> all = rotated.deterministicForEveryKey("t.c");
        assertEquals(3, all.size());
        assertArrayEquals(rotated.deterministic("t.c").encrypt(VALUE), all.get(0).encrypt(VALUE));
        long matches = all.stream().filter(c -> Arrays.equals(before, c.encrypt(VALUE))).count();
        assertEquals(1, matches, "exactly one key reproduces the pre-rotation ciphertext");
        for (ColumnCipher c : all) {
            assertArrayEquals(VALUE, c.decrypt(before));
        }
        assertEquals(1, old.deterministicForEveryKey("t.c").size());
    }

    @Test
    void retiringOldDataKeysLeavesOnlyThePrimaryEnabledAndKeepsOldAuditMacsVerifiable(@TempDir Path dir)
            throws Exception {
        WardenKeyset old = WardenKeyset.generate();
        byte[] oldDet = old.deterministic("t.c").encrypt(VALUE);
        byte[] oldRnd = old.randomized("t.c").encrypt(VALUE);
        byte[] oldTag = old.auditMac(VALUE);
        WardenKeyset rotated = old.rotate();
        assertEquals(4, rotated.enabledDataKeys());
        assertFalse(rotated.isUnderPrimaryKey(oldDet, true));
        assertFalse(rotated.isUnderPrimaryKey(oldRnd, false));
        assertTrue(old.isUnderPrimaryKey(oldDet, true));
        assertTrue(old.isUnderPrimaryKey(oldRnd, false));
        assertFalse(rotated.isUnderPrimaryKey(rotated.deterministic("t.c").encrypt(VALUE), false),
                "the deterministic primary is not the randomized one");

        MasterKey master = MasterKey.fromBase64(MasterKey.generateBase64());
        Path file = dir.resolve("keyset.json");
        rotated.retireOldDataKeys().write(file, master);
        WardenKeyset retired = WardenKeyset.read(file, master);

        assertEquals(2, retired.enabledDataKeys());
        assertEquals(1, retired.deterministicForEveryKey("t.c").size());
        assertEquals(rotated.primaryKeyIds(), retired.primaryKeyIds());
        byte[] newDet = rotated.deterministic("t.c").encrypt(VALUE);
        assertArrayEquals(newDet, retired.deterministic("t.c").encrypt(VALUE));
        assertArrayEquals(VALUE, retired.deterministic("t.c").decrypt(newDet));
        assertThrows(GeneralSecurityException.class, () -> retired.deterministic("t.c").decrypt(oldDet));
        assertThrows(GeneralSecurityException.class, () -> retired.randomized("t.c").decrypt(oldRnd));
        assertTrue(retired.verifyAuditMac(oldTag, VALUE), "trails from before the rotation still verify");
    }

    @Test
    void rotatedKeysetsRouteEveryKeyAndTamperingAnyByteUnderAnyKeyFails() throws Exception {
        WardenKeyset old = WardenKeyset.generate();
        WardenKeyset rotated = old.rotate().rotate();
        assertArrayEquals(new int[] {3, 3}, rotated.routedKeyCounts(), "every key decrypts without the wrapper");
        ColumnCipher[][] writers = {
            {old.randomized("t.c"), rotated.randomized("t.c")},
            {old.deterministic("t.c"), rotated.deterministic("t.c")}};
        ColumnCipher[] readers = {rotated.randomized("t.c"), rotated.deterministic("t.c")};
        ColumnCipher[] otherColumn = {rotated.randomized("t.d"), rotated.deterministic("t.d")};
        for (int kind = 0; kind < 2; kind++) {
            ColumnCipher reader = readers[kind];
            ColumnCipher other = otherColumn[kind];
            for (ColumnCipher writer : writers[kind]) {
                byte[] ct = writer.encrypt(VALUE);
                assertArrayEquals(VALUE, reader.decrypt(ct));
                for (int i = 0; i < ct.length; i++) {
                    byte[] bad = ct.clone();
                    bad[i] ^= 0x01;
                    assertThrows(GeneralSecurityException.class, () -> reader.decrypt(bad), reader + " byte " + i);
                }
                // the associated data still binds the column under every key
                assertThrows(GeneralSecurityException.class, () -> other.decrypt(ct));
            }
        }
        // a ciphertext whose prefix names another key of the keyset is routed there, and fails
        byte[] underOld = old.randomized("t.c").encrypt(VALUE);
        byte[] underNew = rotated.randomized("t.c").encrypt(VALUE);
        byte[] swapped = underOld.clone();
        System.arraycopy(underNew, 0, swapped, 0, 5);
        assertThrows(GeneralSecurityException.class, () -> rotated.randomized("t.c").decrypt(swapped));
    }

    @Test
    void ciphersAreSafeToShareBetweenThreads() throws Exception {
        WardenKeyset keyset = WardenKeyset.generate();
        ColumnCipher r = keyset.randomized("t.c");
        ColumnCipher d = keyset.deterministic("t.c");
        byte[] expectedDet = d.encrypt(VALUE);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        if (!Arrays.equals(VALUE, r.decrypt(r.encrypt(VALUE)))
                                || !Arrays.equals(expectedDet, d.encrypt(VALUE))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (var f : futures) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    // ---- audit MAC

    @Test
    void auditMacVerifiesOnlyTheDataItWasComputedFor() {
        WardenKeyset keyset = WardenKeyset.generate();
        byte[] tag = keyset.auditMac(VALUE);
        assertTrue(keyset.verifyAuditMac(tag, VALUE));
        assertFalse(keyset.verifyAuditMac(tag, "other".getBytes()));
        byte[] bad = tag.clone();
        bad[bad.length - 1] ^= 1;
        assertFalse(keyset.verifyAuditMac(bad, VALUE));
        assertFalse(WardenKeyset.generate().verifyAuditMac(tag, VALUE));
    }

    // ---- succession: what a running engine accepts in place of its keyset

    @Test
    void aRotationOrARetirementMaySucceedAKeysetButAnUnrelatedOrShrunkOneMayNot() {
        WardenKeyset old = WardenKeyset.generate();
        WardenKeyset rotated = old.rotate();
        assertNull(old.whyNotSuccessor(rotated));
        assertNull(rotated.whyNotSuccessor(rotated.retireOldDataKeys()), "retiring is the operator's decision");
        assertNull(rotated.retireOldDataKeys().whyNotSuccessor(rotated), "re-enabling a retired key");

        String unrelated = old.whyNotSuccessor(WardenKeyset.generate());
        for (String role : new String[] {"randomized", "deterministic", "audit"}) {
            assertTrue(unrelated.contains(role + " key "), unrelated);
        }
        assertTrue(unrelated.contains(" is missing"), unrelated);
        String shrunk = rotated.whyNotSuccessor(old);
        assertTrue(shrunk.contains("is missing"), "the new keys are gone: " + shrunk);
    }

    @Test
    void sameKeysAsTellsAFileWrittenAgainFromAChangeOfKeys() throws Exception {
        MasterKey master = masterKey();
        WardenKeyset keyset = WardenKeyset.generate().rotate();
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        keyset.write(a, master);
        keyset.write(b, master);
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "each write encrypts anew");
        assertTrue(WardenKeyset.read(a, master).sameKeysAs(WardenKeyset.read(b, master)));
        assertFalse(keyset.sameKeysAs(keyset.rotate()));
        assertFalse(keyset.sameKeysAs(keyset.retireOldDataKeys()), "a status change is a change");
        assertFalse(keyset.sameKeysAs(WardenKeyset.generate()));
    }

    @Test
    void theMatchKeyIsOptionalKeptAcrossRotationsAndNeverAnEncryptionKey(@TempDir Path dir) throws Exception {
        MasterKey master = MasterKey.fromBase64(java.util.Base64.getEncoder().encodeToString(new byte[32]));
        WardenKeyset full = WardenKeyset.generate();
        assertTrue(full.hasMatchKey());
        // a keyset written before match keys existed: the file without its "match" part still opens
        Path file = dir.resolve("keyset.json");
        full.write(file, master);
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(file));
        root.remove("match");
        Path old = dir.resolve("old.json");
        Files.writeString(old, root.toString());
        WardenKeyset withoutMatch = WardenKeyset.read(old, master);
        assertFalse(withoutMatch.hasMatchKey());
        KeyException missing = assertThrows(KeyException.class, () -> withoutMatch.matchIndex("customers.name"));
        assertTrue(missing.getMessage().contains("warden keys add-match-key"), missing.getMessage());
        assertTrue(withoutMatch.withMatchKey().hasMatchKey());
        assertTrue(withoutMatch.rotate().hasMatchKey(), "a rotation adds a match key");
        assertEquals(withoutMatch.describeKeys(), withoutMatch.withMatchKey().describeKeys()
                .replaceAll(", match \\d+\\*", ""), "adding the match key changes no other key");
        // the match key survives rotations and a write: tokens stay the same, so stored indexes stay searchable
        long[] tokens = full.matchIndex("customers.name").valueTokens("Chan Tai Man");
        assertArrayEquals(tokens, full.rotate().rotate().matchIndex("customers.name").valueTokens("Chan Tai Man"));
        assertArrayEquals(tokens, WardenKeyset.read(file, master).matchIndex("customers.name").valueTokens("chan tai man"));
        assertFalse(Arrays.equals(tokens, full.matchIndex("customers.email").valueTokens("Chan Tai Man")),
                "each column has its own key");
        assertFalse(Arrays.equals(tokens, WardenKeyset.generate().matchIndex("customers.name").valueTokens("Chan Tai Man")));
        // a successor that drops the match key may not replace the keyset in use
        assertTrue(full.whyNotSuccessor(withoutMatch.rotate()) != null);
        assertTrue(full.whyNotSuccessor(full.rotate()) == null);
        // a damaged match part is named
        root = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(file));
        root.set("match", root.get("mac"));
        Files.writeString(old, root.toString());
        KeyException damaged = assertThrows(KeyException.class, () -> WardenKeyset.read(old, master));
        assertTrue(damaged.getMessage().contains("\"match\""), damaged.getMessage());
    }

    @Test
    void theOrderKeyIsOptionalKeptAcrossRotationsAndNeverAnEncryptionKey(@TempDir Path dir) throws Exception {
        MasterKey master = MasterKey.fromBase64(java.util.Base64.getEncoder().encodeToString(new byte[32]));
        WardenKeyset full = WardenKeyset.generate();
        assertTrue(full.hasOrderKey());
        Path file = dir.resolve("keyset.json");
        full.write(file, master);
        ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(file));
        root.remove("order");
        Path old = dir.resolve("old.json");
        Files.writeString(old, root.toString());
        WardenKeyset withoutOrder = WardenKeyset.read(old, master);
        assertFalse(withoutOrder.hasOrderKey());
        assertTrue(withoutOrder.hasMatchKey(), "removing the order key leaves the match key");
        KeyException missing = assertThrows(KeyException.class,
                () -> withoutOrder.orderIndex("customers.birth_date", LogicalType.DATE));
        assertTrue(missing.getMessage().contains("warden keys add-order-key"), missing.getMessage());
        assertTrue(withoutOrder.withOrderKey().hasOrderKey());
        assertTrue(withoutOrder.rotate().hasOrderKey(), "a rotation adds an order key");
        assertEquals(withoutOrder.describeKeys(), withoutOrder.withOrderKey().describeKeys()
                .replaceAll(", order \\d+\\*$", ""), "adding the order key changes no other key");
        // the order key survives rotations and a write: left ciphertexts stay the same, so stored ones compare
        java.time.LocalDate date = java.time.LocalDate.of(1980, 2, 29);
        byte[] left = full.orderIndex("customers.birth_date", LogicalType.DATE).encryptLeft(date);
        assertArrayEquals(left, full.rotate().rotate().orderIndex("customers.birth_date", LogicalType.DATE)
                .encryptLeft(date));
        WardenKeyset reread = WardenKeyset.read(file, master);
        assertArrayEquals(left, reread.orderIndex("customers.birth_date", LogicalType.DATE).encryptLeft(date));
        assertEquals(0, LewiWuBlockOre.compare(left,
                reread.orderIndex("customers.birth_date", LogicalType.DATE).encrypt(date).right()));
        assertFalse(Arrays.equals(left, full.orderIndex("customers.created_on", LogicalType.DATE).encryptLeft(date)),
                "each column has its own keys");
        assertFalse(Arrays.equals(left, WardenKeyset.generate().orderIndex("customers.birth_date", LogicalType.DATE)
                .encryptLeft(date)));
        assertThrows(IllegalArgumentException.class, () -> full.orderIndex("customers.photo", LogicalType.BYTES));
        // a successor that drops the order key may not replace the keyset in use
        assertNotNull(full.whyNotSuccessor(withoutOrder.rotate()));
        assertNull(full.whyNotSuccessor(full.rotate()));
        assertFalse(full.sameKeysAs(withoutOrder));
        // a damaged order part is named
        root = (ObjectNode) JSON.readTree(Files.readString(file));
        root.set("order", root.get("match"));
        Files.writeString(old, root.toString());
        KeyException damaged = assertThrows(KeyException.class, () -> WardenKeyset.read(old, master));
        assertTrue(damaged.getMessage().contains("\"order\""), damaged.getMessage());
    }

    @Test
    void describeKeysNamesIdsPrimariesAndStatusesOnly() {
        WardenKeyset retired = WardenKeyset.generate().rotate().retireOldDataKeys();
        String description = retired.describeKeys();
        assertTrue(description.matches("randomized \\d+ \\(disabled\\) \\d+\\*, deterministic \\d+ \\(disabled\\)"
                + " \\d+\\*, audit \\d+ \\d+\\*, match \\d+\\*, order \\d+\\*"), description);
        assertEquals(1, retired.enabledDeterministicKeys());
        assertEquals(2, retired.rotate().enabledDeterministicKeys());
    }

    @Test
    void toStringShowsKeyIdsOnly() throws Exception {
        WardenKeyset keyset = WardenKeyset.generate().rotate();
        assertEquals("WardenKeyset[keys=2, primary " + keyset.primaryKeyIds() + "]", keyset.toString());
        List<byte[]> keys = keyMaterial(keyset);
        assertEquals(8, keys.size(), "two AES-GCM, two AES-SIV, two HMAC keys, the match and the order PRF keys");
        assertNull(leakedKeyEncoding(keyset.toString(), keys), keyset.toString());
        assertNull(leakedKeyEncoding(keyset.describeKeys(), keys), keyset.describeKeys());
        // the check itself finds key material in any of these encodings
        byte[] key = keys.get(3);
        for (String leak : List.of(HexFormat.of().formatHex(key, 7, 13), Base64.getEncoder().encodeToString(key),
                Base64.getUrlEncoder().encodeToString(Arrays.copyOfRange(key, 2, 20)),
                new String(key, StandardCharsets.ISO_8859_1).substring(5, 11), Arrays.toString(key))) {
            assertNotNull(leakedKeyEncoding(keyset + leak, keys), leak);
        }
    }

    /**
     * Any 6 consecutive bytes of any key in {@code text}: as hex (either case), Base64 (standard or URL-safe, at
     * every alignment), Latin-1 characters, or {@code Arrays.toString} decimals. Null when none appears.
     */
    private static String leakedKeyEncoding(String text, List<byte[]> keys) {
        int window = 6;
        for (byte[] key : keys) {
            Map<String, Integer> encodings = new LinkedHashMap<>();   // an encoding, and how long 6 bytes are in it
            encodings.put(HexFormat.of().formatHex(key), 2 * window);
            encodings.put(HexFormat.of().withUpperCase().formatHex(key), 2 * window);
            encodings.put(new String(key, StandardCharsets.ISO_8859_1), window);
            for (int shift = 0; shift < 3; shift++) {
                byte[] shifted = Arrays.copyOfRange(key, shift, key.length);
                encodings.put(Base64.getEncoder().encodeToString(shifted), 4 * window / 3);
                encodings.put(Base64.getUrlEncoder().encodeToString(shifted), 4 * window / 3);
            }
            for (int at = 0; at + window <= key.length; at++) {
                String decimals = Arrays.toString(Arrays.copyOfRange(key, at, at + window));
                if (text.contains(decimals.substring(1, decimals.length() - 1))) return decimals;
            }
            for (Map.Entry<String, Integer> encoding : encodings.entrySet()) {
                String encoded = encoding.getKey();
                for (int at = 0; at + encoding.getValue() <= encoded.length(); at++) {
                    String piece = encoded.substring(at, at + encoding.getValue());
                    if (text.contains(piece)) return piece;
                }
            }
        }
        return null;
    }

    /** The key bytes of every key of the keyset's Tink keysets (data, deterministic, audit MAC, match PRF) (read through its private handles). */
    private static List<byte[]> keyMaterial(WardenKeyset keyset) throws IllegalAccessException {
        List<byte[]> keys = new ArrayList<>();
        for (java.lang.reflect.Field field : WardenKeyset.class.getDeclaredFields()) {
            if (field.getType() != KeysetHandle.class) continue;
            field.setAccessible(true);
            KeysetHandle handle = (KeysetHandle) field.get(keyset);
            if (handle == null) continue;  // an optional keyset the file does not hold
            for (int i = 0; i < handle.size(); i++) {
                com.google.crypto.tink.Key key = handle.getAt(i).getKey();
                SecretBytes bytes;
                if (key instanceof AesGcmKey k) bytes = k.getKeyBytes();
                else if (key instanceof AesSivKey k) bytes = k.getKeyBytes();
                else if (key instanceof HmacKey k) bytes = k.getKeyBytes();
                else if (key instanceof com.google.crypto.tink.prf.HmacPrfKey k) bytes = k.getKeyBytes();
                else throw new AssertionError("a key type this test does not know: " + key.getClass());
                keys.add(bytes.toByteArray(InsecureSecretKeyAccess.get()));
            }
        }
        return keys;
    }
}
