package dev.warden.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterKeyTest {
    private static final String KEY = MasterKey.generateBase64();

    @TempDir
    Path dir;

    @Test
    void nullOrBlankReferenceReadsWardenMasterKey() throws Exception {
        Map<String, String> env = Map.of("WARDEN_MASTER_KEY", KEY);
        assertEquals("env:WARDEN_MASTER_KEY", MasterKey.resolve(null, env).source());
        assertEquals("env:WARDEN_MASTER_KEY", MasterKey.resolve("  ", env).source());
    }

    @Test
    void envReferenceReadsTheNamedVariable() throws Exception {
        MasterKey key = MasterKey.resolve("env:OTHER", Map.of("OTHER", " " + KEY + "\n"));
        assertEquals("env:OTHER", key.source());
    }

    @Test
    void missingEnvironmentVariableIsNamed() {
        KeyException e = assertThrows(KeyException.class, () -> MasterKey.resolve(null, Map.of()));
        assertEquals("master key: environment variable WARDEN_MASTER_KEY is not set", e.getMessage());
    }

    @Test
    void fileReferenceReadsTheTrimmedFile() throws Exception {
        Path file = dir.resolve("master.key");
        Files.writeString(file, KEY + "\n");
        assertEquals("file:" + file, MasterKey.resolve("file:" + file, Map.of()).source());
    }

    @Test
    void missingFileIsReportedWithItsReference() {
        Path file = dir.resolve("absent.key");
        KeyException e = assertThrows(KeyException.class, () -> MasterKey.resolve("file:" + file, Map.of()));
        assertEquals("master key from file:" + file + ": file not found", e.getMessage());
    }

    @Test
    void oversizedFileIsRefusedWithoutReadingItAll() throws Exception {
        Path file = dir.resolve("big.key");
        Files.write(file, new byte[1 << 20]);
        KeyException e = assertThrows(KeyException.class, () -> MasterKey.resolve("file:" + file, Map.of()));
        assertTrue(e.getMessage().endsWith("file is larger than 4096 bytes (expected one base64 line)"));
    }

    @Test
    void emptySchemeTargetsAreRefused() {
        assertEquals("master key: reference env: needs a variable name (env:NAME)",
                assertThrows(KeyException.class, () -> MasterKey.resolve("env:", Map.of())).getMessage());
        assertEquals("master key: reference file: needs a path (file:PATH)",
                assertThrows(KeyException.class, () -> MasterKey.resolve("file:", Map.of())).getMessage());
    }

    @Test
    void invalidBase64IsRefusedWithoutEchoingTheValue() throws Exception {
        Path file = dir.resolve("bad.key");
        Files.writeString(file, "not*base64*secretish");
        KeyException e = assertThrows(KeyException.class, () -> MasterKey.resolve("file:" + file, Map.of()));
        assertEquals("master key from file:" + file + ": not valid base64", e.getMessage());
        assertFalse(e.getMessage().contains("secretish"));
    }

    @Test
    void wrongLengthIsRefusedWithTheLength() {
        String sixteen = Base64.getEncoder().encodeToString(new byte[16]);
        KeyException e = assertThrows(KeyException.class,
                () -> MasterKey.resolve("env:K", Map.of("K", sixteen)));
        assertEquals("master key from env:K: must be 32 bytes, got 16", e.getMessage());
        assertThrows(KeyException.class, () -> MasterKey.fromBase64(sixteen));
    }

    @Test
    void unsupportedSchemeIsRefusedWithoutEchoingTheRest() {
        KeyException e = assertThrows(KeyException.class, () -> MasterKey.resolve("foo:", Map.of()));
        assertEquals("master key: unsupported reference 'foo:' (use env:NAME, file:PATH or pkcs11:URI)", e.getMessage());
        // a key pasted where the reference belongs is not echoed back
        KeyException pasted = assertThrows(KeyException.class, () -> MasterKey.resolve(KEY, Map.of()));
        assertFalse(pasted.getMessage().contains(KEY.substring(0, 8)));
    }

    @Test
    void toStringShowsTheSourceNotTheKey() throws Exception {
        MasterKey key = MasterKey.fromBase64(KEY);
        assertEquals("MasterKey[base64]", key.toString());
        assertFalse(key.toString().contains(KEY.substring(0, 8)));
    }

    @Test
    void generatedKeysAreFresh32ByteValues() throws Exception {
        String a = MasterKey.generateBase64();
        String b = MasterKey.generateBase64();
        assertNotEquals(a, b);
        assertEquals(32, Base64.getDecoder().decode(a).length);
        assertTrue(MasterKey.fromBase64(a).aead() != null);
    }
}
