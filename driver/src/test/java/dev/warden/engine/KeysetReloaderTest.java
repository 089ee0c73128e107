package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the keyset reloader accepts from a changed file and what it leaves in place, without a database:
 * every check here is an explicit {@link KeysetReloader#check} (the periodic one is exercised by
 * {@code KeysetReloadIT}).
 */
class KeysetReloaderTest {

    @TempDir
    Path dir;

    private String masterBase64;
    private MasterKey master;
    private Path file;
    private WardenKeyset original;
    private final AtomicReference<WardenKeyset> inUse = new AtomicReference<>();
    private final List<WardenKeyset> installed = new ArrayList<>();
    private KeysetReloader reloader;

    @BeforeEach
    void keysetInUse() throws Exception {
        masterBase64 = MasterKey.generateBase64();
        master = MasterKey.fromBase64(masterBase64);
        file = dir.resolve("keyset.json");
        WardenKeyset.generate().write(file, master);
        KeysetReloader.FileContent content = KeysetReloader.read(file);
        original = WardenKeyset.read(file, content.text(), master);
        inUse.set(original);
        reloader = new KeysetReloader(file, master, content, Duration.ZERO, inUse::get, next -> {
            installed.add(next);
            inUse.set(next);
        });
    }

    @Test
    void anUnchangedFileIsNotOpenedAgain() throws Exception {
        assertEquals(KeysetReloader.Outcome.UNCHANGED, reloader.check(false));
        assertEquals(KeysetReloader.Outcome.UNCHANGED, reloader.check(true));
        assertTrue(installed.isEmpty());
        assertSame(original, inUse.get());
        assertTrue(reloader.status().healthy());
        assertEquals(0, reloader.status().reloads());
    }

    @Test
    void aRotatedFileIsInstalledOnce() throws Exception {
        WardenKeyset rotated = original.rotate();
        rotated.write(file, master);
        assertEquals(KeysetReloader.Outcome.RELOADED, reloader.check(false));
        assertEquals(1, installed.size());
        assertEquals(rotated.primaryKeyIds(), inUse.get().primaryKeyIds());
        assertEquals(KeysetReloader.Outcome.UNCHANGED, reloader.check(false));
        assertEquals(1, installed.size());
        KeysetStatus status = reloader.status();
        assertEquals(1, status.reloads());
        assertEquals(rotated.describeKeys(), status.keys());
        assertEquals(file, status.file());
        assertTrue(status.healthy());
    }

    @Test
    void aRetirementIsInstalledThoughItDisablesKeys() throws Exception {
        WardenKeyset rotated = original.rotate();
        rotated.write(file, master);
        reloader.check(false);
        rotated.retireOldDataKeys().write(file, master);
        assertEquals(KeysetReloader.Outcome.RELOADED, reloader.check(false));
        assertEquals(1, inUse.get().enabledDeterministicKeys());
    }

    @Test
    void theSameKeysWrittenAgainAreNotAReload() throws Exception {
        original.write(file, master);  // other bytes (each write encrypts anew), same keys
        assertEquals(KeysetReloader.Outcome.UNCHANGED, reloader.check(false));
        assertTrue(installed.isEmpty());
    }

    @Test
    void anInvalidFileKeepsTheKeysetInUseAndIsReportedOnceUntilItChanges() throws Exception {
        Files.writeString(file, "{ \"format\": \"warden-keyset/1\", ");
        KeyException e = assertThrows(KeyException.class, () -> reloader.check(false));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertSame(original, inUse.get());
        KeysetStatus status = reloader.status();
        assertFalse(status.healthy());
        assertEquals(e.getMessage(), status.lastError());
        assertEquals(1, status.failures());

        // the same content is not counted again, by the periodic check or by an explicit one
        assertThrows(KeyException.class, () -> reloader.check(false));
        assertThrows(KeyException.class, () -> reloader.check(true));
        assertEquals(1, reloader.status().failures());

        // the next change is tried again
        WardenKeyset rotated = original.rotate();
        rotated.write(file, master);
        assertEquals(KeysetReloader.Outcome.RELOADED, reloader.check(false));
        assertTrue(reloader.status().healthy());
        assertNull(reloader.status().lastError());
        assertEquals(rotated.primaryKeyIds(), inUse.get().primaryKeyIds());
    }

    @Test
    void aFileUnderAnotherMasterKeyIsRefusedWithoutNamingAnyKey() throws Exception {
        String otherBase64 = MasterKey.generateBase64();
        original.rotate().write(file, MasterKey.fromBase64(otherBase64));
        KeyException e = assertThrows(KeyException.class, () -> reloader.check(false));
        assertTrue(e.getMessage().contains("could not be opened with this master key"), e.getMessage());
        assertFalse(e.getMessage().contains(masterBase64) || e.getMessage().contains(otherBase64), e.getMessage());
        String content = Files.readString(file);
        int at = content.indexOf("\"encryptedKeyset\"");
        String encryptedSample = content.substring(at + 21, at + 41);
        assertFalse(e.getMessage().contains(encryptedSample), "no part of the encrypted keyset");
        assertSame(original, inUse.get());
    }

    @Test
    void anUnrelatedKeysetIsRefusedBecauseStoredValuesWouldNoLongerOpen() throws Exception {
        WardenKeyset.generate().write(file, master);  // e.g. warden keys create --force over the file
        KeyException e = assertThrows(KeyException.class, () -> reloader.check(false));
        assertTrue(e.getMessage().contains("may not replace the keyset in use"), e.getMessage());
        assertTrue(e.getMessage().contains("deterministic key "), e.getMessage());
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
        assertSame(original, inUse.get());
    }

    @Test
    void aMissingFileKeepsTheKeysetInUseAndItsReturnClearsTheError() throws Exception {
        byte[] content = Files.readAllBytes(file);
        Files.delete(file);
        KeyException e = assertThrows(KeyException.class, () -> reloader.check(false));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertThrows(KeyException.class, () -> reloader.check(false));
        assertEquals(1, reloader.status().failures(), "one problem, reported once");
        Files.write(file, content);
        assertEquals(KeysetReloader.Outcome.UNCHANGED, reloader.check(false));
        assertTrue(reloader.status().healthy());
        assertSame(original, inUse.get());
    }
}
