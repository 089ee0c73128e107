package dev.warden.cli.discover;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** IBANs: country code, check digits and account, passing ISO 13616's mod-97 check. */
class IbanDetectorTest {

    private final IbanDetector iban = new IbanDetector();

    @Test
    void ibansWithValidCheckDigits() {
        for (String v : new String[] {"GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432",
                "DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606", "gb82west12345698765432"}) {
            assertTrue(iban.matches(v), v);
        }
    }

    @Test
    void wrongCheckDigitsOrShapeAreNoIban() {
        for (String v : new String[] {"GB82 WEST 1234 5698 7654 33", "GB28 WEST 1234 5698 7654 32", "HK12 34",
                "1282WEST12345698765432", "GB8XWEST12345698765432", "GB82-WEST-1234-5698-7654-32", ""}) {
            assertFalse(iban.matches(v), v);
        }
    }
}
