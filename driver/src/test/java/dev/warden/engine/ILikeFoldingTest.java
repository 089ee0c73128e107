package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which code points an ILIKE query token may use, given a database's lower-case map and the index's JVM fold. */
class ILikeFoldingTest {

    @Test
    void aCasePairTheJvmDoesNotKnowIsLeftOutOfQueryTokens() {
        // glibc 2.36 (Unicode 14) folds U+A7C0 to U+A7C1; JDK 17 (Unicode 13) folds neither
        ILikeFolding folding = ILikeFolding.ofMap(new int[] {'A', 0xA7C0}, new int[] {'a', 0xA7C1});
        assertEquals(0xA7C1, folding.applyAsInt(0xA7C0));
        assertEquals('a', folding.applyAsInt('A'));
        assertEquals('b', folding.applyAsInt('b'));
        assertFalse(folding.usableInIndex(0xA7C0));
        assertFalse(folding.usableInIndex(0xA7C1));
        assertTrue(folding.usableInIndex('A'));
        assertTrue(folding.usableInIndex('a'));
        // a character the database does not fold but the JVM does: its class is itself alone, so the index is right
        assertTrue(folding.usableInIndex('B'));
    }

    @Test
    void aTurkishCtypeKeepsOnlyTheIsWhoseClassTheIndexFoldsAlike() {
        // tr_TR: I -> dotless ı, İ -> i; the JVM folds I -> i and İ -> i
        ILikeFolding folding = ILikeFolding.ofMap(new int[] {'I', 0x130}, new int[] {0x131, 'i'});
        assertFalse(folding.usableInIndex('I'));      // class {I, ı}: index folds i and ı
        assertFalse(folding.usableInIndex(0x131));
        assertTrue(folding.usableInIndex('i'));       // class {i, İ}: both i in the index
        assertTrue(folding.usableInIndex(0x130));
    }
}
