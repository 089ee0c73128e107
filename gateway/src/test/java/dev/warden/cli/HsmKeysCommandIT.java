package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.SoftHsm;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The key commands with the master key on a PKCS#11 token (real SoftHSM2, testkit {@link SoftHsm}):
 * {@code hsm-create-key}, {@code create}, {@code reencrypt} (from plaintext, then after a {@code rotate}),
 * {@code add-match-key} and {@code rewrap} between a file key and the token, through {@code pkcs11:} references
 * whose PIN is in a file.
 */
class HsmKeysCommandIT {

    private static final String[] EMAILS = {"ann@example.com", "bob@example.com"};

    private String out;
    private String err;

    private int warden(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new WardenCommand());
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        out = o.toString();
        err = e.toString();
        assertFalse((out + err).contains(SoftHsm.PIN), "the PIN was printed: " + out + err);
        return code;
    }

    @Test
    void createReencryptRotateAndRewrapWithTheKeyOnTheToken() throws Exception {
        SoftHsm hsm = SoftHsm.tokens();
        String uri = hsm.uriWithPinFile(SoftHsm.TOKEN, "cli-" + UUID.randomUUID().toString().substring(0, 8));
        Path dir = CustomersExample.newPolicyDirectory();
        // the copy's file master key is some other key: nothing below may depend on it
        Files.writeString(dir.resolve("demo-master-key.txt"), MasterKey.generateBase64());
        Path keyset = dir.resolve("demo-keyset.json");
        Files.delete(keyset);

        assertEquals(0, warden("keys", "hsm-create-key", "--master-key", uri), err);
        assertTrue(out.contains("created an AES-256 key on the token: " + uri), out);
        assertEquals(1, warden("keys", "hsm-create-key", "--master-key", uri));
        assertTrue(err.contains("already holds an object labelled"), err);

        assertEquals(0, warden("keys", "create", "--out", keyset.toString(), "--master-key", uri), err);
        MasterKey tokenKey = MasterKey.resolve(uri);
        WardenKeyset created = WardenKeyset.read(keyset, tokenKey);

        // plaintext emails put under the policy, then a rotation finished, all with the token's key
        CustomersExample db = CustomersExample.create();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ALTER COLUMN email TYPE text");
            for (String email : EMAILS) {
                s.execute("INSERT INTO customers (name, email) VALUES ('" + email.substring(0, 3) + "', '" + email + "')");
            }
        }
        String[] reencrypt = {"keys", "reencrypt", "--policy", dir.resolve("policy.yaml").toString(), "--url",
                db.rawUrl(), "--user", EmbeddedPostgres.USER, "--master-key", uri};
        assertEquals(0, warden(append(reencrypt, "--from-plaintext", "customers.email")), err);
        assertTrue(out.contains("email: 0 re-encrypted, 2 encrypted from plaintext"), out);
        assertEquals(0, warden("keys", "rotate", "--keyset", keyset.toString(), "--master-key", uri), err);
        assertEquals(2, WardenKeyset.read(keyset, tokenKey).enabledDeterministicKeys());
        assertEquals(0, warden(reencrypt), err);
        assertTrue(out.contains("email: 2 re-encrypted, 0 encrypted from plaintext"), out);
        assertEquals(0, warden("keys", "add-match-key", "--keyset", keyset.toString(), "--master-key", uri), err);
        assertTrue(out.contains("already holds a match key"), out);
        assertEmailsReadBack(db, CustomersExample.copyOfPolicyDirectory(dir), uri);

        // from the token to a file key and back: the same keys throughout
        Path fileKey = Files.writeString(dir.resolve("file-master-key.txt"), MasterKey.generateBase64());
        WardenKeyset rotated = WardenKeyset.read(keyset, tokenKey);
        assertEquals(0, warden("keys", "rewrap", "--keyset", keyset.toString(), "--master-key", uri,
                "--new-master-key", "file:" + fileKey), err);
        assertTrue(rotated.sameKeysAs(WardenKeyset.read(keyset, MasterKey.resolve("file:" + fileKey))));
        assertThrows(KeyException.class, () -> WardenKeyset.read(keyset, tokenKey));
        assertEquals(0, warden("keys", "rewrap", "--keyset", keyset.toString(), "--master-key", "file:" + fileKey,
                "--new-master-key", uri), err);
        assertTrue(out.startsWith("re-encrypted " + keyset + " under " + uri + " (was file:" + fileKey + ")"), out);
        assertTrue(rotated.sameKeysAs(WardenKeyset.read(keyset, tokenKey)));
        assertFalse(rotated.sameKeysAs(created), "the rotation added keys");
        assertFalse(Files.exists(keyset.resolveSibling("demo-keyset.json.rewrap")));

        // a wrong PIN changes nothing and says which reference failed
        String before = Files.readString(keyset);
        String wrongPin = "pkcs11:token=" + SoftHsm.PIN_TOKEN + ";object=x?module-path=" + SoftHsm.MODULE
                + "&pin-value=0000-wrong";
        assertEquals(1, warden("keys", "rewrap", "--keyset", keyset.toString(), "--master-key", uri,
                "--new-master-key", wrongPin));
        assertEquals("warden keys rewrap: master key pkcs11:token=warden-pin;object=x?module-path=" + SoftHsm.MODULE
                + ": the token refused the PIN (CKR_PIN_INCORRECT)", err.strip());
        assertEquals(before, Files.readString(keyset, StandardCharsets.UTF_8));
    }

    private static void assertEmailsReadBack(CustomersExample db, Path policyDir, String masterKey) throws Exception {
        Properties support = CustomersExample.properties(policyDir, "support", "customer-service");
        support.setProperty("warden.masterKey", masterKey);
        try (Connection c = DriverManager.getConnection(db.wardenUrl(), support);
             PreparedStatement ps = c.prepareStatement("SELECT name FROM customers WHERE email = ?")) {
            for (String email : EMAILS) {
                ps.setString(1, email);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), email);
                    assertEquals(email.substring(0, 3), rs.getString(1));
                }
            }
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email FROM customers")) {
            while (rs.next()) {
                for (String email : EMAILS) assertFalse(rs.getString(1).contains(email), "plaintext at rest");
            }
        }
    }

    private static String[] append(String[] base, String... extra) {
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }
}
