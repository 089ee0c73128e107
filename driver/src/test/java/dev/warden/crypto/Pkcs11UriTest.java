package dev.warden.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 7512 {@code pkcs11:} references, read strictly: every mistake names its attribute, never the PIN. */
class Pkcs11UriTest {

    private static final String MODULE = "?module-path=/usr/lib/softhsm/libsofthsm2.so";

    @Test
    void readsTheAttributesWardenUses() throws Exception {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=warden;object=warden-master;type=secret-key" + MODULE
                + "&pin-source=file:/run/secrets/pin");
        assertEquals("warden", uri.token());
        assertNull(uri.slotId());
        assertEquals("warden-master", uri.object());
        assertEquals("/usr/lib/softhsm/libsofthsm2.so", uri.modulePath());
        assertEquals("file:/run/secrets/pin", uri.pinSource());
        assertEquals("pkcs11:token=warden;object=warden-master?module-path=/usr/lib/softhsm/libsofthsm2.so"
                + "&pin-source=file:/run/secrets/pin", uri.toString());

        Pkcs11Uri bySlot = Pkcs11Uri.parse("pkcs11:slot-id=1508111146;object=k" + MODULE + "&pin-value=1234");
        assertEquals(1508111146L, bySlot.slotId());
        assertNull(bySlot.token());
    }

    @Test
    void percentEncodedValuesAreDecodedAndEncodedAgainInMessages() throws Exception {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=My%20Token;object=k%3Bey" + MODULE + "&pin-value=p%26in");
        assertEquals("My Token", uri.token());
        assertEquals("k;ey", uri.object());
        assertArrayEquals("p&in".toCharArray(), uri.pin(Map.of()));
        assertEquals("pkcs11:token=My%20Token;object=k%3Bey?module-path=/usr/lib/softhsm/libsofthsm2.so", uri.toString());
    }

    @Test
    void thePinValueNeverAppearsInTheCanonicalForm() throws Exception {
        Pkcs11Uri uri = Pkcs11Uri.parse("pkcs11:token=t;object=k" + MODULE + "&pin-value=s3cret-PIN");
        assertFalse(uri.toString().contains("s3cret"));
        assertFalse(uri.toString().contains("pin-value"));
    }

    @Test
    void pinFromFileOrEnvironment(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("pin"), "1234\n");
        assertArrayEquals("1234".toCharArray(), Pkcs11Uri.parse("pkcs11:token=t;object=k" + MODULE
                + "&pin-source=file:" + file).pin(Map.of()));
        assertArrayEquals("5678".toCharArray(), Pkcs11Uri.parse("pkcs11:token=t;object=k" + MODULE
                + "&pin-source=env:HSM_PIN").pin(Map.of("HSM_PIN", "5678")));
        KeyException unset = assertThrows(KeyException.class, () -> Pkcs11Uri.parse("pkcs11:token=t;object=k"
                + MODULE + "&pin-source=env:HSM_PIN").pin(Map.of()));
        assertTrue(unset.getMessage().endsWith("environment variable HSM_PIN (pin-source) is not set or empty"));
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        KeyException blank = assertThrows(KeyException.class, () -> Pkcs11Uri.parse("pkcs11:token=t;object=k"
                + MODULE + "&pin-source=file:" + empty).pin(Map.of()));
        assertTrue(blank.getMessage().endsWith("(pin-source) is empty"), blank.getMessage());
    }

    @Test
    void eachMistakeIsNamed() {
        assertError("pkcs11:token=t" + MODULE + "&pin-value=1", "needs object= (the label of the AES key on the token)");
        assertError("pkcs11:object=k" + MODULE + "&pin-value=1", "needs token= (the token label) or slot-id= to choose the token");
        assertError("pkcs11:token=t;object=k?pin-value=1", "needs module-path= (the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)");
        assertError("pkcs11:token=t;object=k" + MODULE, "needs pin-source= (file:PATH or env:NAME) or pin-value= for the token's user PIN");
        assertError("pkcs11:token=t;object=k" + MODULE + "&pin-value=1&pin-source=env:P", "has both pin-value and pin-source; give one");
        assertError("pkcs11:token=t;object=k" + MODULE + "&pin-source=/run/pin", "pin-source must be file:PATH or env:NAME");
        assertError("pkcs11:token=t;object=k?module-path=libsofthsm2.so&pin-value=1",
                "module-path must be an absolute path (SunPKCS11 loads the library only by absolute path)");
        assertError("pkcs11:token=t;token=u;object=k" + MODULE + "&pin-value=1", "attribute token is given twice");
        assertError("pkcs11:token=;object=k" + MODULE + "&pin-value=1", "attribute token has no value");
        assertError("pkcs11:token=t;object=k;serial=42" + MODULE + "&pin-value=1",
                "attribute serial is not supported (Warden reads token, slot-id, object, type, module-path, pin-source, pin-value)");
        assertError("pkcs11:token=t;object=k;colour=red" + MODULE + "&pin-value=1",
                "unknown attribute colour (RFC 7512; Warden reads token, slot-id, object, type, module-path, pin-source, pin-value)");
        assertError("pkcs11:token=t;object=k;module-path=/x.so?pin-value=1", "attribute module-path belongs in the query"
                + " (RFC 7512: path attributes before '?' separated by ';', query attributes after it separated by '&')");
        assertError("pkcs11:token=t;object=k;type=private" + MODULE + "&pin-value=1",
                "type=private is not a key Warden can use (the master key is type=secret-key)");
        assertError("pkcs11:slot-id=x1;object=k" + MODULE + "&pin-value=1", "slot-id=x1 is not a decimal number");
        assertError("pkcs11:token=t%2;object=k" + MODULE + "&pin-value=1", "attribute token has a malformed percent-encoding (%XX expected)");
        assertError("pkcs11:token=t;;object=k" + MODULE + "&pin-value=1", "has an empty attribute in its path (a stray ';'?)");
    }

    @Test
    void aPinInAMalformedReferenceIsNotEchoed() {
        for (String bad : new String[] {
                "pkcs11:token=t;object=k" + MODULE + "&pin-value=s3cret&pin-value=s3cret",
                "pkcs11:token=t;object=k" + MODULE + "&pin-value=s3cret%zz",
                "pkcs11:token=t;object=k" + MODULE + "&PIN=s3cret",
                "pkcs11:token=t" + MODULE + "&pin-value=s3cret"}) {
            KeyException e = assertThrows(KeyException.class, () -> Pkcs11Uri.parse(bad));
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        }
    }

    @Test
    void engineConfigsAndReferencesAreShownWithoutThePin() {
        String ref = "pkcs11:token=t;object=k" + MODULE + "&pin-value=s3cret";
        assertEquals("pkcs11:token=t;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so",
                MasterKey.describeReference(ref));
        assertEquals("pkcs11:(malformed, not shown)", MasterKey.describeReference(ref + "&pin-value=s3cret"));
        assertEquals("file:/k", MasterKey.describeReference("file:/k"));
        assertEquals("(not shown)", MasterKey.describeReference("c2VjcmV0"));
        String config = new dev.warden.engine.EngineConfig("policy.yaml", ref).toString();
        assertFalse(config.contains("s3cret"), config);
        assertTrue(config.contains("object=k"), config);
    }

    @Test
    void masterKeyRoutesPkcs11ReferencesHere() {
        KeyException e = assertThrows(KeyException.class,
                () -> MasterKey.resolve("pkcs11:token=t;object=k" + MODULE, Map.of()));
        assertTrue(e.getMessage().contains("needs pin-source="), e.getMessage());
    }

    private static void assertError(String reference, String expected) {
        KeyException e = assertThrows(KeyException.class, () -> Pkcs11Uri.parse(reference));
        assertEquals("master key: pkcs11: URI " + expected, e.getMessage());
    }
}
