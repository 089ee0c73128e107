package dev.warden.crypto;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The committed demo keyset of the customers example opens with the committed demo master key. */
class DemoKeysetTest {
    private static final Path DEMO = Path.of("..", "policy-examples", "customers");

    @Test
    void demoKeysetOpensWithTheDemoMasterKey() throws Exception {
        assumeTrue(Files.isDirectory(DEMO), "run from the driver module");
        MasterKey key = MasterKey.resolve("file:" + DEMO.resolve("demo-master-key.txt"));
        WardenKeyset keyset = WardenKeyset.read(DEMO.resolve("demo-keyset.json"), key);
        assertEquals(1, keyset.keyCount());
        byte[] value = "demo".getBytes(StandardCharsets.UTF_8);
        ColumnCipher cipher = keyset.deterministic("customers.email");
        assertArrayEquals(value, cipher.decrypt(cipher.encrypt(value)));
    }
}
