package dev.warden.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Lewi–Wu block order-revealing encryption of fixed-length byte strings, compared block by block (8-bit blocks):
 * K. Lewi and D. J. Wu, "Order-Revealing Encryption: New Constructions, Applications, and Lower Bounds", CCS 2016,
 * IACR eprint 2016/612 (extended version) — the paper's small-message-space ORE with left and right ciphertexts,
 * composed over blocks by its domain-extension technique, as CipherStash's {@code ore.rs} uses it for 64-bit
 * values. (Section numbers are not cited: they differ between the CCS and the eprint versions.)
 *
 * <h2>Construction</h2>
 * A plaintext is {@code n} bytes {@code x_0..x_{n-1}} ({@code 1 <= n <= }{@value #MAX_BLOCKS}), compared as an
 * unsigned big-endian string. Two AES-256 keys: {@code kp} (the per-prefix permutations) and {@code kf} (the PRF
 * F). For block {@code i}, {@code prefix(i, v)} is the 16-byte AES input {@code [i, x_0, .., x_{i-1}, v, 0...]}
 * (the block number first, so inputs of different blocks never coincide).
 * <ul>
 * <li>Permutation {@code π_i} of the 256 block values: {@code π_i(v)} is the rank of {@code AES(kp, prefix(i, v))}
 *     among the 256 tags of the block (a permutation derived from a PRF by sorting its outputs; AES tags of
 *     distinct inputs are distinct, ties of the 56 bits compared are broken by {@code v}).</li>
 * <li>Left ciphertext of {@code x}: per block, {@code h_i = π_i(x_i)} and {@code k_i = F(kf, prefix(i, h_i))}, with
 *     {@code F = AES(kf, ·)}. Layout {@code [n][h_0..h_{n-1}][k_0..k_{n-1}]}: {@code 1 + 17n} bytes.</li>
 * <li>Right ciphertext of {@code y}: a fresh 16-byte nonce {@code r}; per block and per {@code j} in 0..255,
 *     the 2-bit indicator {@code cmp(π_i^{-1}(j), y_i)} (0 equal, 1 less, 2 greater) XOR the 2 low bits of
 *     {@code H(F(kf, prefix(i, j)), r)}. Layout {@code [n][r][n × 64 bytes]} (entry j of block i at bits
 *     {@code 2j..2j+1} of block i's 64 bytes, least significant first): {@code 17 + 64n} bytes.</li>
 * <li>{@link #compare}: for the first block whose unmasked indicator at position {@code h_i} is not 0, the
 *     indicator is the order of {@code x} and {@code y}; equal when every block says equal. No key is needed, so
 *     the database can run it (see docs/order-index.md).</li>
 * </ul>
 * The random oracle {@code H(k, r)} is AES-128 with the nonce as the key, {@code AES(r, k)}, as the authors'
 * reference implementation (fastore) and {@code ore.rs} instantiate it: one key schedule per ciphertext, and
 * what PostgreSQL's pgcrypto can compute ({@code encrypt(k, r, 'aes-ecb/pad:none')}). The paper adds the
 * indicator in Z_3; here it is a 2-bit value masked by XOR with 2 pseudorandom bits (a one-time pad on {0,1}^2,
 * equally hiding and free of modular bias).
 *
 * <h2>Security guarantees</h2>
 * Right ciphertexts alone are semantically secure (the paper's security analysis of the small-domain scheme and
 * of its domain extension): stored alone they reveal
 * nothing but their length. A left ciphertext together with right ciphertexts reveals, for each, the order and
 * the index of the first differing block, and nothing else. Left ciphertexts are deterministic (equal plaintexts
 * under one key give equal left ciphertexts); right ciphertexts are randomized. Only JDK AES is used; the keys
 * are never an encryption key of the keyset ({@link WardenKeyset#orderIndex}).
 *
 * <h2>Warning</h2>
 * Storing left ciphertexts (so that the database can sort stored values or index them) reveals the order of all
 * stored values and, for any two, their first differing byte: the leakage of the CLWW scheme at byte granularity.
 * Lengths are fixed per column, so ciphertext sizes reveal nothing of the value.
 *
 * <p>Immutable and thread-safe.
 */
public final class LewiWuBlockOre {
    /** The most blocks: the block number, the prefix and the block value must fit one AES block. */
    public static final int MAX_BLOCKS = 15;
    static final int NONCE = 16;
    private static final int BLOCK = AesBlocks.BLOCK;
    private static final int VALUES = 256;
    /** Right-ciphertext bytes per block: 256 entries of 2 bits. */
    static final int RIGHT_BLOCK = VALUES * 2 / 8;

    private static final PerThread<Cipher> NONCE_CIPHERS = new PerThread<>(LewiWuBlockOre::newEcb);

    private final AesBlocks permutationKey;
    private final AesBlocks prfKey;
    private final int blocks;

    /** {@code kp} and {@code kf}: 32-byte AES keys; {@code blocks}: the fixed plaintext length in bytes. */
    LewiWuBlockOre(byte[] kp, byte[] kf, int blocks) {
        if (blocks < 1 || blocks > MAX_BLOCKS) throw new IllegalArgumentException("blocks must be 1.." + MAX_BLOCKS);
        if (kp.length != 32 || kf.length != 32 || Arrays.equals(kp, kf)) {
            throw new IllegalArgumentException("two distinct 32-byte AES keys are needed");
        }
        this.permutationKey = new AesBlocks(kp.clone());
        this.prfKey = new AesBlocks(kf.clone());
        this.blocks = blocks;
    }

    /** A left and a right ciphertext of one plaintext: what a write stores. */
    public record Ciphertexts(byte[] left, byte[] right) {}

    /** The plaintext length in bytes (blocks). */
    public int blocks() {
        return blocks;
    }

    /** Bytes of a left ciphertext of {@code blocks} blocks: {@code 1 + 17 blocks}. */
    public static int leftSize(int blocks) {
        return 1 + blocks * (1 + BLOCK);
    }

    /** Bytes of a right ciphertext of {@code blocks} blocks: {@code 17 + 64 blocks}. */
    public static int rightSize(int blocks) {
        return 1 + NONCE + blocks * RIGHT_BLOCK;
    }

    /** The deterministic left ciphertext of {@code plaintext} (what a query's bound is sent as). */
    public byte[] encryptLeft(byte[] plaintext) {
        check(plaintext);
        byte[] left = new byte[leftSize(blocks)];
        left[0] = (byte) blocks;
        byte[] in = new byte[VALUES * BLOCK];
        byte[] tags = new byte[VALUES * BLOCK];
        long[] order = new long[VALUES];
        byte[] one = new byte[BLOCK];
        try {
            for (int i = 0; i < blocks; i++) {
                int h = rank(plaintext, i, in, tags, order);
                prefix(plaintext, i, h, one, 0);
                prfKey.encryptBlock(one);
                left[1 + i] = (byte) h;
                System.arraycopy(one, 0, left, 1 + blocks + i * BLOCK, BLOCK);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed", e);
        }
        return left;
    }

    /** The left and a fresh (randomized) right ciphertext of {@code plaintext}. */
    public Ciphertexts encrypt(byte[] plaintext) {
        check(plaintext);
        byte[] left = new byte[leftSize(blocks)];
        byte[] right = new byte[rightSize(blocks)];
        left[0] = (byte) blocks;
        right[0] = (byte) blocks;
        byte[] drawn = new byte[2 * GcmNonces.LENGTH];
        GcmNonces.next(drawn, 0);
        GcmNonces.next(drawn, GcmNonces.LENGTH);
        System.arraycopy(drawn, 0, right, 1, NONCE);
        byte[] in = new byte[VALUES * BLOCK];
        byte[] tags = new byte[VALUES * BLOCK];
        long[] order = new long[VALUES];
        byte[] roKeys = new byte[VALUES * BLOCK];
        byte[] masks = new byte[VALUES * BLOCK];
        Cipher hash = NONCE_CIPHERS.acquire();
        try {
            hash.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(drawn, 0, NONCE, "AES"));
            for (int i = 0; i < blocks; i++) {
                int[][] pi = permutation(plaintext, i, in, tags, order);
                int[] inverse = pi[0];
                int y = plaintext[i] & 0xff;
                for (int j = 0; j < VALUES; j++) prefix(plaintext, i, j, in, j * BLOCK);
                prfKey.encryptBlocks(in, 0, in.length, roKeys, 0);
                hash.doFinal(roKeys, 0, roKeys.length, masks, 0);
                int base = 1 + NONCE + i * RIGHT_BLOCK;
                for (int j = 0; j < VALUES; j++) {
                    int value = inverse[j];
                    int indicator = value == y ? 0 : value < y ? 1 : 2;
                    int masked = (indicator ^ masks[j * BLOCK]) & 3;
                    right[base + (j >>> 2)] |= (byte) (masked << ((j & 3) * 2));
                }
                int h = pi[1][y];
                left[1 + i] = (byte) h;
                System.arraycopy(roKeys, h * BLOCK, left, 1 + blocks + i * BLOCK, BLOCK);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed", e);
        } finally {
            NONCE_CIPHERS.release(hash);
            Arrays.fill(drawn, (byte) 0);
        }
        return new Ciphertexts(left, right);
    }

    /**
     * The order of the plaintext of {@code left} relative to the plaintext of {@code right}: negative, zero or
     * positive. Needs no key: this is the comparison the database runs. Both must be of the same key and length.
     *
     * @throws IllegalArgumentException when the two are malformed or of different lengths
     */
    public static int compare(byte[] left, byte[] right) {
        int n = left.length == 0 ? 0 : left[0];
        if (n < 1 || n > MAX_BLOCKS || left.length != leftSize(n) || right.length != rightSize(n) || right[0] != n) {
            throw new IllegalArgumentException("not a left and a right ORE ciphertext of the same length");
        }
        byte[] masks = new byte[n * BLOCK];
        Cipher hash = NONCE_CIPHERS.acquire();
        try {
            hash.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(right, 1, NONCE, "AES"));
            hash.doFinal(left, 1 + n, n * BLOCK, masks, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed", e);
        } finally {
            NONCE_CIPHERS.release(hash);
        }
        for (int i = 0; i < n; i++) {
            int h = left[1 + i] & 0xff;
            int stored = right[1 + NONCE + i * RIGHT_BLOCK + (h >>> 2)] >>> ((h & 3) * 2);
            int indicator = (stored ^ masks[i * BLOCK]) & 3;
            if (indicator == 1) return -1;
            if (indicator == 2) return 1;
            // 3 cannot come from a well-formed pair; treated as "equal here", so a forgery only reorders itself
        }
        return 0;
    }

    /**
     * The permutation of block {@code i} under the plaintext's prefix: {@code [0]} its inverse (rank to value),
     * {@code [1]} the permutation (value to rank).
     */
    private int[][] permutation(byte[] plaintext, int i, byte[] in, byte[] tags, long[] order)
            throws GeneralSecurityException {
        sortKeys(plaintext, i, in, tags, order);
        Arrays.sort(order);
        int[] inverse = new int[VALUES];
        int[] forward = new int[VALUES];
        for (int rank = 0; rank < VALUES; rank++) {
            int v = (int) (order[rank] & 0xff);
            inverse[rank] = v;
            forward[v] = rank;
        }
        return new int[][] {inverse, forward};
    }

    /** {@code π_i(x_i)} alone: the rank of x_i's tag, counted rather than sorted (a left ciphertext needs no more). */
    private int rank(byte[] plaintext, int i, byte[] in, byte[] tags, long[] order) throws GeneralSecurityException {
        sortKeys(plaintext, i, in, tags, order);
        long mine = order[plaintext[i] & 0xff];
        int rank = 0;
        for (int v = 0; v < VALUES; v++) if (order[v] < mine) rank++;
        return rank;
    }

    /** The sort keys of the 256 values of block {@code i}: 56 bits of their tag, then the value. */
    private void sortKeys(byte[] plaintext, int i, byte[] in, byte[] tags, long[] order) throws GeneralSecurityException {
        for (int v = 0; v < VALUES; v++) prefix(plaintext, i, v, in, v * BLOCK);
        permutationKey.encryptBlocks(in, 0, in.length, tags, 0);
        for (int v = 0; v < VALUES; v++) {
            // distinct keys ordered by tag (signed order is as good as unsigned for a permutation)
            order[v] = (AesBlocks.longAt(tags, v * BLOCK) & ~0xffL) | v;
        }
    }

    /** Writes {@code [i, x_0..x_{i-1}, v, 0...]} to {@code out[offset..offset+16)}. */
    private static void prefix(byte[] plaintext, int i, int v, byte[] out, int offset) {
        Arrays.fill(out, offset, offset + BLOCK, (byte) 0);
        out[offset] = (byte) i;
        System.arraycopy(plaintext, 0, out, offset + 1, i);
        out[offset + 1 + i] = (byte) v;
    }

    private void check(byte[] plaintext) {
        if (plaintext.length != blocks) {
            throw new IllegalArgumentException("ORE plaintext must be " + blocks + " bytes, got " + plaintext.length);
        }
    }

    private static Cipher newEcb() {
        try {
            return Cipher.getInstance("AES/ECB/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES cipher is unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "LewiWuBlockOre[" + blocks + " blocks of 8 bits, AES]";
    }
}
