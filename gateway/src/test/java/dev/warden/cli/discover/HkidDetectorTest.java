package dev.warden.cli.discover;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** HKID numbers are recognised by shape and by their check digit (the published mod-11 algorithm). */
class HkidDetectorTest {

    private final HkidDetector hkid = new HkidDetector();

    @Test
    void validNumbersWithOneOrTwoLettersInBracketsOrNot() {
        for (String v : new String[] {"A123456(3)", "A1234563", "a123456(3)", " A123456(3) ", "AB987654(3)",
                "XY1234563", "Z683365(A)", "G123456A", "K123456(0)", "R111111(5)"}) {
            assertTrue(hkid.matches(v), v);
        }
    }

    @Test
    void aWrongCheckDigitOrShapeIsNoHkid() {
        for (String v : new String[] {"A123456(4)", "A1234564", "AB987654(2)", "Z683365(0)", "A12345(3)",
                "A1234567(3)", "ABC123456(3)", "1234563", "A123456(3", "A123456)3(", "A12B456(3)", "A123456(B)", ""}) {
            assertFalse(hkid.matches(v), v);
        }
    }
}
