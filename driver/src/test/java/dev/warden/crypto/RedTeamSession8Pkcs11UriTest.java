package dev.warden.crypto;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8: a {@code pkcs11:} reference whose PIN is written without percent-encoding. A PIN holding
 * {@code &} splits into {@code pin-value=} and what the parser then reads as further attributes: no message, no
 * {@code toString} and no description of the reference may show any part of it.
 */
class RedTeamSession8Pkcs11UriTest {

    private static final String BASE = "pkcs11:token=t;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so";

    @Test
    void noPartOfAPinHoldingAnAmpersandIsEchoed() {
        for (String pinTail : List.of("tailsecret", "tailsecret=1", "tailsecret=", "tailsecret&x=1")) {
            String reference = BASE + "&pin-value=Head7&" + pinTail;
            KeyException e = assertThrows(KeyException.class, () -> Pkcs11Uri.parse(reference), reference);
            assertFalse(e.getMessage().contains("tailsecret"), e.getMessage());
            assertFalse(e.getMessage().contains("Head7"), e.getMessage());
            assertTrue(e.getMessage().contains("%26"), "tells how to write it: " + e.getMessage());
            String described = MasterKey.describeReference(reference);
            assertFalse(described.contains("tailsecret") || described.contains("Head7"), described);
            KeyException resolved = assertThrows(KeyException.class, () -> MasterKey.resolve(reference));
            assertFalse(resolved.getMessage().contains("tailsecret"), resolved.getMessage());
        }
    }

    @Test
    void aPinFirstInTheQueryIsNotEchoedEither() {
        String reference = "pkcs11:token=t;object=k?pin-value=Head7&tailsecret&module-path=/usr/lib/x.so";
        KeyException e = assertThrows(KeyException.class, () -> Pkcs11Uri.parse(reference));
        assertFalse(e.getMessage().contains("tailsecret"), e.getMessage());
    }
}
