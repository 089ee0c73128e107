package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What a masked value looks like, for each mask. */
class MaskKindTest {

    @Test
    void emailKeepsTheFirstLocalCharacterAndTheDomain() {
        assertEquals("j*******@example.com", MaskKind.EMAIL.apply("jane.doe@example.com"));
        assertEquals("a@x.org", MaskKind.EMAIL.apply("a@x.org"));
        assertEquals("@x.org", MaskKind.EMAIL.apply("@x.org"));
    }

    @Test
    void emailKeepsOnlyWhatFollowsTheLastAt() {
        assertEquals("\"****@example.com", MaskKind.EMAIL.apply("\"a@b\"@example.com"));
    }

    @Test
    void emailWithoutAnAtIsEntirelyHidden() {
        assertEquals("*********", MaskKind.EMAIL.apply("not-email"));
        assertEquals("", MaskKind.EMAIL.apply(""));
    }

    @Test
    void emailCountsCharactersNotUtf16Units() {
        // U+1F600 is one character but two chars in Java: the mask neither splits nor doubles it
        assertEquals("\uD83D\uDE00*@x.org", MaskKind.EMAIL.apply("\uD83D\uDE00b@x.org"));
        assertEquals("j*@x.org", MaskKind.EMAIL.apply("j\uD83D\uDE00@x.org"));
    }

    @Test
    void last4KeepsTheLastFourCharacters() {
        assertEquals("************1111", MaskKind.LAST4.apply("4111111111111111"));
        assertEquals("*2345", MaskKind.LAST4.apply("12345"));
    }

    @Test
    void last4HidesValuesOfFourCharactersOrFewerEntirely() {
        assertEquals("****", MaskKind.LAST4.apply("1234"));
        assertEquals("**", MaskKind.LAST4.apply("12"));
        assertEquals("", MaskKind.LAST4.apply(""));
    }

    @Test
    void redactHidesTheLengthToo() {
        assertEquals("****", MaskKind.REDACT.apply("x"));
        assertEquals("****", MaskKind.REDACT.apply("a much longer secret value"));
        assertEquals("****", MaskKind.REDACT.apply(""));
    }

    @Test
    void nullMaskShowsSqlNull() {
        assertNull(MaskKind.NULL.apply("secret"));
    }

    @Test
    void nullInputStaysNullForEveryMask() {
        for (MaskKind mask : MaskKind.values()) {
            assertNull(mask.apply(null), mask.name());
        }
    }
}
