package dev.warden.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pkcs11:} master keys on real SoftHSM2 tokens (testkit {@link SoftHsm}): the key is generated on the
 * token and never leaves it, a keyset sealed by it opens only with that token, the driver works through it
 * against PostgreSQL, and every way the reference can be wrong fails when the key is resolved, naming the URI
 * without its PIN.
 */
class Pkcs11MasterKeyIT {

    private static SoftHsm hsm;

    @BeforeAll
    static void tokens() {
        hsm = SoftHsm.tokens();
    }

    private static String freshLabel() {
        return "master-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void theDriverRoundTripsUnderAKeysetSealedOnTheToken() throws Exception {
        String uri = hsm.uri(SoftHsm.TOKEN, freshLabel());
        MasterKey.createOnToken(uri);
        Path dir = CustomersExample.newPolicyDirectory();
        Files.delete(dir.resolve("demo-master-key.txt"));
        Path keyset = dir.resolve("demo-keyset.json");
        WardenKeyset.generate().write(keyset, MasterKey.resolve(uri));

        CustomersExample db = CustomersExample.create();
        Properties billing = CustomersExample.properties(dir, "billing", "order-processing");
        billing.setProperty("warden.masterKey", uri);
        try (Connection c = DriverManager.getConnection(db.wardenUrl(), billing);
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO customers (name, email, card_number) VALUES ('Ann', ?, ?)")) {
            insert.setString(1, "ann@example.com");
            insert.setString(2, "4111111111111111");
            assertEquals(1, insert.executeUpdate());
        }
        try (Connection c = DriverManager.getConnection(db.wardenUrl(), billing);
             PreparedStatement select = c.prepareStatement("SELECT card_number FROM customers WHERE email = ?")) {
            select.setString(1, "ann@example.com");
            try (ResultSet rs = select.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("4111111111111111", rs.getString(1));
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, card_number FROM customers")) {
            assertTrue(rs.next());
            assertFalse(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1).contains("ann@example.com"));
            assertFalse(rs.getString(2).contains("4111111111111111"));
        }

        // a rotation sealed on the token is reloaded by the running engine with the key it started with
        MasterKey token = MasterKey.resolve(uri);
        WardenKeyset.read(keyset, token).rotate().write(keyset, token);
        WardenEngine engine = WardenEngine.forConfig(new EngineConfig(dir.resolve("policy.yaml").toString(), uri));
        assertTrue(engine.reloadKeyset());
        try (Connection c = DriverManager.getConnection(db.wardenUrl(), billing);
             PreparedStatement select = c.prepareStatement("SELECT card_number FROM customers WHERE email = ?")) {
            select.setString(1, "ann@example.com");
            try (ResultSet rs = select.executeQuery()) {
                assertTrue(rs.next(), "found under the old key after the rotation");
                assertEquals("4111111111111111", rs.getString(1));
            }
        }
    }

    @Test
    void theKeysetFileHoldsNoUsableKeyWithoutTheToken() throws Exception {
        String label = freshLabel();
        String uri = hsm.uri(SoftHsm.TOKEN, label);
        MasterKey.createOnToken(uri);
        Path keyset = Files.createTempDirectory("warden-hsm").resolve("keyset.json");
        WardenKeyset generated = WardenKeyset.generate();
        generated.write(keyset, MasterKey.resolve(uri));

        // only sealed keysets and their public key ids are in the file
        JsonNode root = new ObjectMapper().readTree(keyset.toFile());
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equals("format")) continue;
            List<String> fields = new ArrayList<>();
            root.get(name).fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("encryptedKeyset", "keysetInfo"), fields.stream().sorted().toList(), name);
        }
        // a key of the same label on another token is another key: the keyset does not open
        String elsewhere = hsm.uri(SoftHsm.OTHER_TOKEN, label);
        MasterKey.createOnToken(elsewhere);
        KeyException other = assertThrows(KeyException.class,
                () -> WardenKeyset.read(keyset, MasterKey.resolve(elsewhere)));
        assertTrue(other.getMessage().contains("could not be opened with this master key"), other.getMessage());
        // nor does any file master key
        assertThrows(KeyException.class, () -> WardenKeyset.read(keyset, MasterKey.fromBase64(MasterKey.generateBase64())));
        // and with the token it does
        assertTrue(generated.sameKeysAs(WardenKeyset.read(keyset, MasterKey.resolve(uri))));
    }

    @Test
    void theGeneratedKeyIsSensitiveAndNotExtractable() throws Exception {
        String label = freshLabel();
        String uri = hsm.uri(SoftHsm.TOKEN, label);
        assertEquals("pkcs11:token=warden-test;object=" + label + "?module-path=" + SoftHsm.MODULE,
                MasterKey.createOnToken(uri));
        Key key = testKeyStore(SoftHsm.TOKEN).getKey(label, null);
        assertNotNull(key);
        assertEquals("AES", key.getAlgorithm());
        assertNull(key.getEncoded(), "the key's bytes must not leave the token");
        assertTrue(key.toString().contains("token object, sensitive, unextractable"), key.toString());
        KeyException again = assertThrows(KeyException.class, () -> MasterKey.createOnToken(uri));
        assertTrue(again.getMessage().contains("already holds an object labelled " + label), again.getMessage());
    }

    @Test
    void theTokenReadsAndWritesTinksKeysetFormatSoAKeysetMovesFromAFileKeyToTheToken() throws Exception {
        // the demo master key imported onto the token opens the demo keyset as shipped (same AES-GCM layout)
        String label = freshLabel();
        byte[] demoKey = Base64.getDecoder().decode(Files.readString(CustomersExample.MASTER_KEY).strip());
        testKeyStore(SoftHsm.TOKEN).setEntry(label, new KeyStore.SecretKeyEntry(new SecretKeySpec(demoKey, "AES")), null);
        Path demo = CustomersExample.DIRECTORY.resolve("demo-keyset.json");
        MasterKey fileKey = MasterKey.resolve("file:" + CustomersExample.MASTER_KEY);
        WardenKeyset shipped = WardenKeyset.read(demo, fileKey);
        assertEquals(shipped.toString(), WardenKeyset.read(demo, MasterKey.resolve(hsm.uri(SoftHsm.TOKEN, label))).toString());

        // re-wrapped under a key that never left the token: the same keys, and the file key no longer opens it
        String tokenUri = hsm.uri(SoftHsm.TOKEN, freshLabel());
        MasterKey.createOnToken(tokenUri);
        Path rewrapped = Files.createTempDirectory("warden-hsm").resolve("keyset.json");
        shipped.write(rewrapped, MasterKey.resolve(tokenUri));
        assertTrue(shipped.sameKeysAs(WardenKeyset.read(rewrapped, MasterKey.resolve(tokenUri))));
        assertThrows(KeyException.class, () -> WardenKeyset.read(rewrapped, fileKey));
    }

    @Test
    void aSlotIdWithThePinInAFileFindsTheSameKey() throws Exception {
        String label = freshLabel();
        MasterKey.createOnToken(hsm.uri(SoftHsm.TOKEN, label));
        MasterKey bySlot = MasterKey.resolve(hsm.uriBySlot(SoftHsm.TOKEN, label));
        assertEquals("pkcs11:slot-id=" + hsm.slotId(SoftHsm.TOKEN) + ";object=" + label + "?module-path="
                + SoftHsm.MODULE + "&pin-source=file:" + hsm.directory().resolve("user-pin"), bySlot.source());
        byte[] sealed = bySlot.aead().encrypt("keyset".getBytes(), "ad".getBytes());
        MasterKey byLabel = MasterKey.resolve(hsm.uri(SoftHsm.TOKEN, label));
        assertArrayEquals("keyset".getBytes(), byLabel.aead().decrypt(sealed, "ad".getBytes()));
        assertThrows(java.security.GeneralSecurityException.class,
                () -> byLabel.aead().decrypt(sealed, "other".getBytes()));
    }

    @Test
    void aWrongPinFailsNamingTheUriWithoutThePin() {
        String wrong = "99999-not-it";
        KeyException e = assertThrows(KeyException.class,
                () -> MasterKey.resolve(hsm.uri(SoftHsm.PIN_TOKEN, "any", wrong)));
        assertEquals("master key pkcs11:token=warden-pin;object=any?module-path=" + SoftHsm.MODULE
                + ": the token refused the PIN (CKR_PIN_INCORRECT)", e.getMessage());
    }

    @Test
    void aMissingObjectTokenOrModuleFailsNamingIt() {
        KeyException object = assertThrows(KeyException.class,
                () -> MasterKey.resolve(hsm.uri(SoftHsm.TOKEN, "no-such-key")));
        assertTrue(object.getMessage().endsWith(": the token holds no key labelled no-such-key"
                + " (create one with warden keys hsm-create-key)"), object.getMessage());
        assertFalse(object.getMessage().contains(SoftHsm.PIN));

        KeyException token = assertThrows(KeyException.class,
                () -> MasterKey.resolve(hsm.uri("no-such-token", "k")));
        assertTrue(token.getMessage().contains(": no token labelled no-such-token in module "), token.getMessage());
        assertTrue(token.getMessage().contains(SoftHsm.TOKEN), "lists the tokens present: " + token.getMessage());

        KeyException module = assertThrows(KeyException.class, () -> MasterKey.resolve(
                "pkcs11:token=t;object=k?module-path=/nonexistent/libpkcs11.so&pin-value=1234"));
        assertEquals("master key pkcs11:token=t;object=k?module-path=/nonexistent/libpkcs11.so: PKCS#11 module"
                + " /nonexistent/libpkcs11.so (module-path) not found", module.getMessage());

        KeyException pinFile = assertThrows(KeyException.class, () -> MasterKey.resolve(
                "pkcs11:token=t;object=k?module-path=" + SoftHsm.MODULE + "&pin-source=file:/nonexistent/pin"));
        assertTrue(pinFile.getMessage().endsWith(": PIN file /nonexistent/pin (pin-source) not found"));
    }

    @Test
    void theDriverRefusesToConnectWhenTheTokenRefusesThePin() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Properties props = CustomersExample.properties(dir, "billing", "order-processing");
        props.setProperty("warden.masterKey", hsm.uri(SoftHsm.PIN_TOKEN, "any", "0000-wrong"));
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(CustomersExample.create().wardenUrl(), props).close());
        assertTrue(e.getMessage().contains("pkcs11:token=warden-pin;object=any?module-path="), e.getMessage());
        assertTrue(e.getMessage().contains("the token refused the PIN"), e.getMessage());
        assertFalse(e.getMessage().contains("0000-wrong"));
    }

    @Test
    void manyEnginesStartingAtOnceShareOneProviderPerSlot() throws Exception {
        String label = freshLabel();
        String uri = hsm.uri(SoftHsm.TOKEN, label);
        MasterKey.createOnToken(uri);
        byte[] sealed = MasterKey.resolve(uri).aead().encrypt(new byte[] {1, 2, 3}, null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> opened = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                opened.add(pool.submit((Callable<byte[]>) () -> MasterKey.resolve(uri).aead().decrypt(sealed, null)));
            }
            for (Future<byte[]> f : opened) assertArrayEquals(new byte[] {1, 2, 3}, f.get());
        } finally {
            pool.shutdown();
        }
        // another PIN for a token already open is refused, not waved through by the process-wide login
        KeyException e = assertThrows(KeyException.class, () -> MasterKey.resolve(hsm.uri(SoftHsm.TOKEN, label, "1111")));
        assertTrue(e.getMessage().endsWith("the token is already open in this process with another PIN (the PIN"
                + " given here is wrong, or two references disagree)"), e.getMessage());
    }

    /** A test's own view of a token (a second SunPKCS11 provider on the slot), to look at keys as an HSM admin would. */
    private static KeyStore testKeyStore(String token) throws Exception {
        Provider provider = Security.getProvider("SunPKCS11").configure("--name = WardenTest\nlibrary = "
                + SoftHsm.MODULE + "\nslot = " + hsm.slotId(token) + "\n");
        KeyStore store = KeyStore.getInstance("PKCS11", provider);
        store.load(null, SoftHsm.PIN.toCharArray());
        return store;
    }
}
