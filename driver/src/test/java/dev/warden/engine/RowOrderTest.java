package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The comparisons Warden sorts encrypted values with are PostgreSQL's ("C" collation for text). */
class RowOrderTest {

    @Property(tries = 2000)
    void textComparesAsItsUtf8BytesDo(@ForAll String a, @ForAll String b) {
        // PostgreSQL's "C" collation compares the UTF-8 bytes (valid text only: no lone surrogates)
        if (!valid(a) || !valid(b)) return;
        int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, Integer.signum(RowOrder.compareCodePoints(a, b)), a + " vs " + b);
    }

    private static boolean valid(String s) {
        return s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF);
    }

    @Test
    void charactersOutsideTheBmpSortAfterTheRestOfTheBmpUnlikeJavaStrings() {
        String emoji = "\uD83D\uDE00";  // U+1F600: UTF-16 surrogates D83D DE00, below U+FFFD in UTF-16 order
        assertTrue(emoji.compareTo("\uFFFD") < 0, "Java's String order");
        assertTrue(RowOrder.compareCodePoints(emoji, "\uFFFD") > 0, "code point order");
    }

    @Test
    void numericsCompareByValueWhateverTheirScale() {
        assertEquals(0, RowOrder.compareValues(new BigDecimal("1.5"), new BigDecimal("1.50")));
        assertTrue(RowOrder.compareValues(new BigDecimal("-1.5"), new BigDecimal("-1.49")) < 0);
        assertTrue(RowOrder.compareValues(new byte[] {(byte) 0x80}, new byte[] {0x7f}) > 0, "bytea: unsigned bytes");
        assertTrue(RowOrder.compareValues(new byte[] {1}, new byte[] {1, 0}) < 0, "bytea: a prefix first");
    }
}
