package dev.warden.cli.discover;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Card numbers: 13 to 19 digits, grouped by spaces or dashes or not, passing the Luhn checksum. */
class CardNumberDetectorTest {

    private final CardNumberDetector card = new CardNumberDetector();

    @Test
    void luhnValidNumbersOfEveryLengthAndGrouping() {
        for (String v : new String[] {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
                "5555555555554444", "378282246310005", "3782 822463 10005", "6011111111111117", "4222222222222"}) {
            assertTrue(card.matches(v), v);
        }
    }

    @Test
    void failingLuhnWrongLengthOrStraySeparatorsAreNoCard() {
        for (String v : new String[] {"4111111111111112", "411111111111", "41111111111111111111", "4111  1111 1111 1111",
                "-4111111111111111", "4111111111111111-", "4111.1111.1111.1111", "0000000000000000", "abcd", ""}) {
            assertFalse(card.matches(v), v);
        }
    }
}
