package dev.warden.crypto;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Example;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Lewi–Wu block ORE: compare(left(x), right(y)) is the order of x and y, and nothing about it is fixed. */
class LewiWuBlockOreTest {

    private static final LewiWuBlockOre ORE8 = ore(8, 1);
    private static final LewiWuBlockOre ORE15 = ore(15, 2);

    static LewiWuBlockOre ore(int blocks, int seed) {
        byte[] kp = new byte[32];
        byte[] kf = new byte[32];
        Arrays.fill(kp, (byte) seed);
        Arrays.fill(kf, (byte) (seed + 100));
        return new LewiWuBlockOre(kp, kf, blocks);
    }

    /** Pairs of 8-byte strings that share a random-length prefix, so every block is the first differing one. */
    @Provide
    Arbitrary<Tuple.Tuple2<byte[], byte[]>> pairs8() {
        return pairs(8);
    }

    @Provide
    Arbitrary<Tuple.Tuple2<byte[], byte[]>> pairs15() {
        return pairs(15);
    }

    private static Arbitrary<Tuple.Tuple2<byte[], byte[]>> pairs(int n) {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofSize(n);
        return Combinators.combine(bytes, bytes, Arbitraries.integers().between(0, n)).as((x, y, shared) -> {
            byte[] y2 = y.clone();
            System.arraycopy(x, 0, y2, 0, shared);
            return Tuple.of(x, y2);
        });
    }

    @Property(tries = 400)
    void comparesLeftWithRightAsUnsignedStrings(@ForAll("pairs8") Tuple.Tuple2<byte[], byte[]> pair) {
        byte[] x = pair.get1();
        byte[] y = pair.get2();
        int expected = Integer.signum(Arrays.compareUnsigned(x, y));
        assertEquals(expected, LewiWuBlockOre.compare(ORE8.encryptLeft(x), ORE8.encrypt(y).right()));
        assertEquals(-expected, LewiWuBlockOre.compare(ORE8.encryptLeft(y), ORE8.encrypt(x).right()));
        assertEquals(0, LewiWuBlockOre.compare(ORE8.encryptLeft(x), ORE8.encrypt(x).right()));
    }

    @Property(tries = 200)
    void comparesFifteenBlockStrings(@ForAll("pairs15") Tuple.Tuple2<byte[], byte[]> pair) {
        byte[] x = pair.get1();
        byte[] y = pair.get2();
        assertEquals(Integer.signum(Arrays.compareUnsigned(x, y)),
                LewiWuBlockOre.compare(ORE15.encryptLeft(x), ORE15.encrypt(y).right()));
    }

    @Example
    void everyPairOfOneBlockValuesComparesRight() {
        LewiWuBlockOre ore = ore(1, 7);
        byte[][] lefts = new byte[256][];
        byte[][] rights = new byte[256][];
        for (int v = 0; v < 256; v++) {
            LewiWuBlockOre.Ciphertexts c = ore.encrypt(new byte[] {(byte) v});
            lefts[v] = c.left();
            rights[v] = c.right();
            assertArrayEquals(lefts[v], ore.encryptLeft(new byte[] {(byte) v}), "left from encrypt and encryptLeft");
        }
        for (int x = 0; x < 256; x++) {
            for (int y = 0; y < 256; y++) {
                assertEquals(Integer.signum(Integer.compare(x, y)), LewiWuBlockOre.compare(lefts[x], rights[y]),
                        x + " vs " + y);
            }
        }
    }

    @Example
    void theBlockPermutationHidesTheValueInTheLeftCiphertext() {
        // h_0 = π_0(x_0) takes all 256 values over the 256 first bytes and is not the identity
        Set<Integer> seen = new HashSet<>();
        int fixedPoints = 0;
        for (int v = 0; v < 256; v++) {
            int h = ORE8.encryptLeft(new byte[] {(byte) v, 0, 0, 0, 0, 0, 0, 0})[1] & 0xff;
            seen.add(h);
            if (h == v) fixedPoints++;
        }
        assertEquals(256, seen.size());
        assertFalse(fixedPoints > 8, "a random permutation has about one fixed point, this one has " + fixedPoints);
    }

    @Example
    void extremesAndEqualValues() {
        byte[] zero = new byte[8];
        byte[] ones = new byte[8];
        Arrays.fill(ones, (byte) 0xff);
        assertEquals(-1, LewiWuBlockOre.compare(ORE8.encryptLeft(zero), ORE8.encrypt(ones).right()));
        assertEquals(1, LewiWuBlockOre.compare(ORE8.encryptLeft(ones), ORE8.encrypt(zero).right()));
        assertEquals(0, LewiWuBlockOre.compare(ORE8.encryptLeft(ones), ORE8.encrypt(ones).right()));
        assertEquals(0, LewiWuBlockOre.compare(ORE8.encryptLeft(zero), ORE8.encrypt(zero).right()));
    }

    @Example
    void rightCiphertextsAreRandomizedLeftOnesDeterministic() {
        byte[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        LewiWuBlockOre.Ciphertexts a = ORE8.encrypt(x);
        LewiWuBlockOre.Ciphertexts b = ORE8.encrypt(x);
        assertFalse(Arrays.equals(a.right(), b.right()), "a fresh nonce per right ciphertext");
        assertFalse(Arrays.equals(Arrays.copyOfRange(a.right(), 17, a.right().length),
                Arrays.copyOfRange(b.right(), 17, b.right().length)), "the masked indicators differ too");
        assertArrayEquals(a.left(), b.left());
        assertArrayEquals(a.left(), ORE8.encryptLeft(x));
    }

    @Example
    void equalValuesUnderDifferentKeysDiffer() {
        byte[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        LewiWuBlockOre other = ore(8, 3);
        assertFalse(Arrays.equals(ORE8.encryptLeft(x), other.encryptLeft(x)));
        assertFalse(Arrays.equals(Arrays.copyOfRange(ORE8.encryptLeft(x), 9, 137),
                Arrays.copyOfRange(other.encryptLeft(x), 9, 137)), "the PRF outputs differ");
    }

    @Example
    void sizesAreAsDocumented() {
        byte[] x = new byte[8];
        assertEquals(137, ORE8.encryptLeft(x).length);
        assertEquals(137, LewiWuBlockOre.leftSize(8));
        assertEquals(529, ORE8.encrypt(x).right().length);
        assertEquals(529, LewiWuBlockOre.rightSize(8));
        assertEquals(256, ORE15.encryptLeft(new byte[15]).length);
        assertEquals(977, ORE15.encrypt(new byte[15]).right().length);
    }

    @Example
    void refusesMalformedInput() {
        assertThrows(IllegalArgumentException.class, () -> ORE8.encrypt(new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> ORE8.encryptLeft(new byte[9]));
        byte[] left8 = ORE8.encryptLeft(new byte[8]);
        byte[] right15 = ORE15.encrypt(new byte[15]).right();
        assertThrows(IllegalArgumentException.class, () -> LewiWuBlockOre.compare(left8, right15));
        assertThrows(IllegalArgumentException.class, () -> LewiWuBlockOre.compare(new byte[0], right15));
        assertThrows(IllegalArgumentException.class, () -> ore(16, 1));
        assertThrows(IllegalArgumentException.class, () -> new LewiWuBlockOre(new byte[32], new byte[32], 8));
    }
}
