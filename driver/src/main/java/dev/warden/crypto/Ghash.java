package dev.warden.crypto;

/**
 * GHASH (NIST SP 800-38D, section 6.4) under one hash subkey H, in constant time: no table lookups, no
 * branches on data. GCM's tag is GHASH over the associated data, the ciphertext and their lengths.
 *
 * <p>Representation: GCM numbers the bits of a block from the most significant bit of its first byte, bit i
 * being the coefficient of x^i. Reversing the bits of each 64-bit half turns a block into an ordinary
 * polynomial (coefficient of x^i at bit i of the pair {@code lo, hi}), where a product is a carry-less
 * multiplication followed by reduction modulo x^128 + x^7 + x^2 + x + 1.
 *
 * <p>Carry-less 64 x 64-bit multiplication uses integer multiplication on operands masked to every fourth
 * bit: in each partial product a result bit then sums at most 16 one-bit terms spaced four bits apart, so
 * below bit 64 no sum carries into a bit of its own class and the low bit of each sum is the XOR the
 * carry-less product needs. The high half of a product is the low half of the product of the bit-reversed
 * operands, reversed and shifted by one. 128 x 128 bits is Karatsuba over three such products.
 *
 * <p>Short values: Horner's rule gives, for ciphertext blocks C1..Cn after the associated data's state Y
 * and the length block L, {@code Y·H^(n+1) + C1·H^(n+1) + ... + Cn·H^2 + L·H}. Everything but the C terms
 * depends only on the column and the value's length, so {@link Prepared} computes it once per length up to
 * {@value #SHORT_BLOCKS} blocks, and a value of n blocks then costs n multiplications by precomputed powers
 * of H instead of n + 1 sequential ones.
 *
 * <p>Immutable and thread-safe.
 */
final class Ghash {
    /** Values of up to this many blocks take the precomputed path; longer ones Horner's rule. */
    static final int SHORT_BLOCKS = 4;
    private static final int BLOCK = 16;

    private static final long M0 = 0x1111111111111111L;
    private static final long M1 = 0x2222222222222222L;
    private static final long M2 = 0x4444444444444444L;
    private static final long M3 = 0x8888888888888888L;

    /** H^(k+1) for k = 0..SHORT_BLOCKS, each as {lo, hi, reversed lo, reversed hi, lo^hi, reversed lo^hi}. */
    private final long[][] powers = new long[SHORT_BLOCKS + 1][];

    /** @param h the hash subkey: the encryption of the zero block */
    Ghash(byte[] h) {
        long lo = Long.reverse(readLong(h, 0));
        long hi = Long.reverse(readLong(h, 8));
        powers[0] = operand(lo, hi);
        long[] product = new long[2];
        for (int k = 1; k <= SHORT_BLOCKS; k++) {
            multiply(powers[k - 1][0], powers[k - 1][1], powers[0], product);
            powers[k] = operand(product[0], product[1]);
        }
    }

    /** GHASH state after {@code associatedData}, ready to hash the ciphertexts of one column. */
    Prepared prepare(byte[] associatedData) {
        long[] y = new long[2];
        long[] product = new long[2];
        for (int at = 0; at < associatedData.length; at += BLOCK) {
            int length = Math.min(BLOCK, associatedData.length - at);
            multiply(y[0] ^ Long.reverse(readBlockHalf(associatedData, at, length, 0)),
                    y[1] ^ Long.reverse(readBlockHalf(associatedData, at, length, 8)), powers[0], y);
        }
        long[] constants = new long[2 * (SHORT_BLOCKS * BLOCK + 1)];
        for (int length = 0; length <= SHORT_BLOCKS * BLOCK; length++) {
            int blocks = (length + BLOCK - 1) / BLOCK;
            // Y·H^(n+1) + L·H
            multiply(y[0], y[1], powers[blocks], product);
            long c0 = product[0];
            long c1 = product[1];
            multiply(Long.reverse(associatedData.length * 8L), Long.reverse(length * 8L), powers[0], product);
            constants[2 * length] = c0 ^ product[0];
            constants[2 * length + 1] = c1 ^ product[1];
        }
        return new Prepared(y[0], y[1], associatedData.length, constants);
    }

    /** GHASH of one column's associated data followed by any ciphertext. */
    final class Prepared {
        private final long y0;
        private final long y1;
        private final long associatedDataLength;
        private final long[] constants;   // per short length: Y·H^(n+1) + L·H, as (lo, hi)

        private Prepared(long y0, long y1, long associatedDataLength, long[] constants) {
            this.y0 = y0;
            this.y1 = y1;
            this.associatedDataLength = associatedDataLength;
            this.constants = constants;
        }

        /** Writes GHASH(associated data, {@code length} bytes of {@code data} from {@code offset}) to {@code out}. */
        void hash(byte[] data, int offset, int length, byte[] out) {
            long[] acc = new long[2];
            long[] product = new long[2];
            if (length <= SHORT_BLOCKS * BLOCK) {
                int blocks = (length + BLOCK - 1) / BLOCK;
                acc[0] = constants[2 * length];
                acc[1] = constants[2 * length + 1];
                for (int b = 0; b < blocks; b++) {
                    int at = b * BLOCK;
                    int blockLength = Math.min(BLOCK, length - at);
                    multiply(Long.reverse(readBlockHalf(data, offset + at, blockLength, 0)),
                            Long.reverse(readBlockHalf(data, offset + at, blockLength, 8)),
                            powers[blocks - b], product);
                    acc[0] ^= product[0];
                    acc[1] ^= product[1];
                }
            } else {
                acc[0] = y0;
                acc[1] = y1;
                for (int at = 0; at < length; at += BLOCK) {
                    int blockLength = Math.min(BLOCK, length - at);
                    multiply(acc[0] ^ Long.reverse(readBlockHalf(data, offset + at, blockLength, 0)),
                            acc[1] ^ Long.reverse(readBlockHalf(data, offset + at, blockLength, 8)),
                            powers[0], acc);
                }
                multiply(acc[0] ^ Long.reverse(associatedDataLength * 8), acc[1] ^ Long.reverse(length * 8L),
                        powers[0], acc);
            }
            writeLong(out, 0, Long.reverse(acc[0]));
            writeLong(out, 8, Long.reverse(acc[1]));
        }
    }

    private static long[] operand(long lo, long hi) {
        long loReversed = Long.reverse(lo);
        long hiReversed = Long.reverse(hi);
        return new long[] {lo, hi, loReversed, hiReversed, lo ^ hi, loReversed ^ hiReversed};
    }

    /** {@code result} = (x1 t + x0) times {@code h} modulo the GCM polynomial, t = x^64. */
    private static void multiply(long x0, long x1, long[] h, long[] result) {
        long x0r = Long.reverse(x0);
        long x1r = Long.reverse(x1);
        // Karatsuba: low, high and middle 64 x 64 products, each as a low and a high half
        long z0 = clmulLow(x0, h[0]);
        long z1 = clmulLow(x1, h[1]);
        long z2 = clmulLow(x0 ^ x1, h[4]);
        long z0h = Long.reverse(clmulLow(x0r, h[2])) >>> 1;
        long z1h = Long.reverse(clmulLow(x1r, h[3])) >>> 1;
        long z2h = Long.reverse(clmulLow(x0r ^ x1r, h[5])) >>> 1;
        z2 ^= z0 ^ z1;
        z2h ^= z0h ^ z1h;
        // the 256-bit product c3:c2:c1:c0
        long c0 = z0;
        long c1 = z0h ^ z2;
        long c2 = z1 ^ z2h;
        long c3 = z1h;
        // c3:c2 times x^128 = c3:c2 times (x^7 + x^2 + x + 1); the bits shifted past x^127 wrap once more
        long over = (c3 >>> 63) ^ (c3 >>> 62) ^ (c3 >>> 57);
        result[0] = c0 ^ c2 ^ (c2 << 1) ^ (c2 << 2) ^ (c2 << 7) ^ over ^ (over << 1) ^ (over << 2) ^ (over << 7);
        result[1] = c1 ^ c3 ^ (c3 << 1 | c2 >>> 63) ^ (c3 << 2 | c2 >>> 62) ^ (c3 << 7 | c2 >>> 57);
    }

    /** The low 64 bits of the carry-less product of {@code x} and {@code y}. */
    private static long clmulLow(long x, long y) {
        long x0 = x & M0;
        long x1 = x & M1;
        long x2 = x & M2;
        long x3 = x & M3;
        long y0 = y & M0;
        long y1 = y & M1;
        long y2 = y & M2;
        long y3 = y & M3;
        long z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
        long z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
        long z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
        long z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
        return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
    }

    /**
     * Bytes {@code half}..{@code half + 7} (half = 0 or 8) of the block of {@code length} (1..16) bytes at
     * {@code offset}, zero-padded past its end as GHASH pads a last partial block, as a big-endian long.
     */
    private static long readBlockHalf(byte[] b, int offset, int length, int half) {
        if (length == BLOCK) return readLong(b, offset + half);
        long v = 0;
        for (int i = half; i < Math.min(length, half + 8); i++) {
            v |= (b[offset + i] & 0xffL) << (56 - 8 * (i - half));
        }
        return v;
    }

    static long readLong(byte[] b, int offset) {
        return AesBlocks.longAt(b, offset);
    }

    private static void writeLong(byte[] b, int offset, long v) {
        for (int i = 0; i < 8; i++) {
            b[offset + i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
