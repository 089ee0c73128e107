package dev.warden.crypto;

/**
 * GHASH (NIST SP 800-38D, section 6.4) under one hash subkey H, in constant time: no table lookups, no
 * branches on data. GCM's tag is GHASH over the associated data, the ciphertext and their lengths.
 *
 * <p>How: GCM numbers the bits of a block from the most significant bit of its first byte, bit i being the
 * coefficient of x^i. Reversing the bits of each 64-bit half turns a block into an ordinary polynomial
 * (coefficient of x^i at bit i of {@code lo, hi}), where a product is a carry-less multiplication followed
 * by reduction modulo x^128 + x^7 + x^2 + x + 1. The state is kept in that form between blocks; a block is
 * reversed on the way in and the result on the way out.
 *
 * <p>The carry-less 64 x 64-bit multiplication uses integer multiplication on operands masked to every
 * fourth bit: in each partial product a result bit then sums at most 16 one-bit terms, spaced four bits
 * apart, so the sums never carry into a bit of the same class below bit 64 and the low bit of each sum is
 * the XOR the carry-less product needs. The high half of a product is the low half of the product of the
 * bit-reversed operands, reversed and shifted by one. 128 x 128 bits is Karatsuba over three of those.
 *
 * <p>Immutable; {@link State} is per computation and not thread-safe.
 */
final class Ghash {
    private static final long M0 = 0x1111111111111111L;
    private static final long M1 = 0x2222222222222222L;
    private static final long M2 = 0x4444444444444444L;
    private static final long M3 = 0x8888888888888888L;

    // H as a polynomial (bit-reversed halves), its halves reversed back, and their Karatsuba sum
    private final long h0;
    private final long h1;
    private final long h0r;
    private final long h1r;
    private final long h2;
    private final long h2r;

    /** @param h the hash subkey: the encryption of the zero block */
    Ghash(byte[] h) {
        this.h0 = Long.reverse(readLong(h, 0));
        this.h1 = Long.reverse(readLong(h, 8));
        this.h0r = Long.reverse(h0);
        this.h1r = Long.reverse(h1);
        this.h2 = h0 ^ h1;
        this.h2r = h0r ^ h1r;
    }

    /** A running GHASH: fold blocks in with {@link #update}, read the result with {@link #digest}. */
    final class State {
        private long y0;
        private long y1;

        private State(long y0, long y1) {
            this.y0 = y0;
            this.y1 = y1;
        }

        State copy() {
            return new State(y0, y1);
        }

        /** Folds in {@code length} bytes (a full block, or the zero-padded last one) from {@code offset}. */
        void update(byte[] data, int offset, int length) {
            long a;
            long b;
            if (length >= 16) {
                a = readLong(data, offset);
                b = readLong(data, offset + 8);
            } else {
                a = readPartial(data, offset, Math.min(length, 8));
                b = length > 8 ? readPartial(data, offset + 8, length - 8) : 0;
            }
            multiplyByH(y0 ^ Long.reverse(a), y1 ^ Long.reverse(b));
        }

        /** Folds in every block of {@code length} bytes, the last one zero-padded. */
        void updatePadded(byte[] data, int offset, int length) {
            for (int at = 0; at < length; at += 16) {
                update(data, offset + at, Math.min(16, length - at));
            }
        }

        /** Folds in the final length block: both lengths in bits, 64-bit big-endian each. */
        void updateLengths(long associatedDataBytes, long ciphertextBytes) {
            multiplyByH(y0 ^ Long.reverse(associatedDataBytes * 8), y1 ^ Long.reverse(ciphertextBytes * 8));
        }

        /** Writes the 16-byte GHASH value into {@code out}. */
        void digest(byte[] out) {
            writeLong(out, 0, Long.reverse(y0));
            writeLong(out, 8, Long.reverse(y1));
        }

        private void multiplyByH(long x0, long x1) {
            // Karatsuba: (x1 t + x0)(h1 t + h0) with t = x^64
            long x0r = Long.reverse(x0);
            long x1r = Long.reverse(x1);
            long x2 = x0 ^ x1;
            long x2r = x0r ^ x1r;
            long z0 = clmulLow(x0, h0);
            long z1 = clmulLow(x1, h1);
            long z2 = clmulLow(x2, h2);
            long z0h = Long.reverse(clmulLow(x0r, h0r)) >>> 1;
            long z1h = Long.reverse(clmulLow(x1r, h1r)) >>> 1;
            long z2h = Long.reverse(clmulLow(x2r, h2r)) >>> 1;
            z2 ^= z0 ^ z1;
            z2h ^= z0h ^ z1h;
            // the 256-bit product c3:c2:c1:c0
            long c0 = z0;
            long c1 = z0h ^ z2;
            long c2 = z1 ^ z2h;
            long c3 = z1h;
            // c3:c2 times x^128 = c3:c2 times (x^7 + x^2 + x + 1); the bits that pass x^127 wrap once more
            long over = (c3 >>> 63) ^ (c3 >>> 62) ^ (c3 >>> 57);
            long r0 = c0 ^ c2 ^ (c2 << 1) ^ (c2 << 2) ^ (c2 << 7)
                    ^ over ^ (over << 1) ^ (over << 2) ^ (over << 7);
            long r1 = c1 ^ c3 ^ (c3 << 1 | c2 >>> 63) ^ (c3 << 2 | c2 >>> 62) ^ (c3 << 7 | c2 >>> 57);
            y0 = r0;
            y1 = r1;
        }
    }

    /** A fresh GHASH, starting from the zero block. */
    State start() {
        return new State(0, 0);
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

    static long readLong(byte[] b, int offset) {
        return (b[offset] & 0xffL) << 56 | (b[offset + 1] & 0xffL) << 48 | (b[offset + 2] & 0xffL) << 40
                | (b[offset + 3] & 0xffL) << 32 | (b[offset + 4] & 0xffL) << 24 | (b[offset + 5] & 0xffL) << 16
                | (b[offset + 6] & 0xffL) << 8 | (b[offset + 7] & 0xffL);
    }

    /** {@code length} (1..8) bytes as the high bytes of a big-endian long, the rest zero (GCM's padding). */
    private static long readPartial(byte[] b, int offset, int length) {
        long v = 0;
        for (int i = 0; i < length; i++) {
            v |= (b[offset + i] & 0xffL) << (56 - 8 * i);
        }
        return v;
    }

    private static void writeLong(byte[] b, int offset, long v) {
        for (int i = 0; i < 8; i++) {
            b[offset + i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
