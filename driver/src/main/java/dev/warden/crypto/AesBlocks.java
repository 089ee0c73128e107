package dev.warden.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * The JDK's AES block cipher under one fixed key, initialised once per thread: {@link #encryptBlocks} (ECB,
 * each block on its own) and {@link #cbcMac} (CBC with a zero IV, the chaining value of the last block).
 * The decryptors build AES-SIV and AES-GCM decryption on these two calls.
 *
 * <p>Why: Tink calls {@code Cipher.init} for every operation (AES-SIV: four times per value, once per CMAC
 * and once for CTR), and on JDK 17 a GCM or CMAC set-up costs more than the AES work for a short column
 * value. Here the key schedule is made once per thread and reused; ECB and CBC are stateless between
 * {@code doFinal} calls (JCE resets a cipher to its initialised state after each), so there is nothing to
 * re-initialise. AES itself stays the JDK's (AES-NI intrinsics where the CPU has them).
 *
 * <h2>Security guarantees</h2>
 * The key never leaves the JCE objects; nothing here branches on data. Thread-safe: a thread uses its own
 * two {@code Cipher} objects, or (a virtual thread) a pair borrowed for the call ({@link PerThread}).
 */
final class AesBlocks {
    static final int BLOCK = 16;

    private final SecretKeySpec key;
    private final PerThread<Cipher[]> ciphers = new PerThread<>(this::newCiphers);

    AesBlocks(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes, "AES");
    }

    /** Encrypts {@code length} bytes (a multiple of 16) of {@code in} block by block into {@code out}. */
    void encryptBlocks(byte[] in, int inOffset, int length, byte[] out, int outOffset) throws GeneralSecurityException {
        Cipher[] mine = ciphers.acquire();
        try {
            mine[0].doFinal(in, inOffset, length, out, outOffset);
        } finally {
            ciphers.release(mine);
        }
    }

    /** Encrypts one 16-byte block in place. */
    void encryptBlock(byte[] block) throws GeneralSecurityException {
        encryptBlocks(block, 0, BLOCK, block, 0);
    }

    /**
     * The CBC-MAC of {@code message} (length a positive multiple of 16) with a zero IV, i.e. the last block
     * of its CBC encryption, written to {@code mac}. {@code scratch} must hold {@code message.length} bytes.
     */
    void cbcMac(byte[] message, byte[] scratch, byte[] mac) throws GeneralSecurityException {
        Cipher[] mine = ciphers.acquire();
        try {
            mine[1].doFinal(message, 0, message.length, scratch, 0);
        } finally {
            ciphers.release(mine);
        }
        System.arraycopy(scratch, message.length - BLOCK, mac, 0, BLOCK);
    }

    /**
     * Whether block {@code a} xor block {@code mask} (both at offset 0) equals the block of {@code b} at
     * {@code bOffset}: a tag check, in constant time (no early exit, no branch on the bytes).
     */
    static boolean sameBlockMasked(byte[] a, byte[] mask, byte[] b, int bOffset) {
        long difference = (longAt(a, 0) ^ longAt(mask, 0) ^ longAt(b, bOffset))
                | (longAt(a, 8) ^ longAt(mask, 8) ^ longAt(b, bOffset + 8));
        return difference == 0;
    }

    /** {@code target[offset..offset+16) ^= block[0..16)}. */
    static void xorBlockInto(byte[] target, int offset, byte[] block) {
        LONGS.set(target, offset, longAt(target, offset) ^ longAt(block, 0));
        LONGS.set(target, offset + 8, longAt(target, offset + 8) ^ longAt(block, 8));
    }

    /** The 8 bytes at {@code offset} as a big-endian long (one load, not eight). */
    static long longAt(byte[] bytes, int offset) {
        return (long) LONGS.get(bytes, offset);
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private Cipher[] newCiphers() {
        try {
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, key);
            Cipher cbc = Cipher.getInstance("AES/CBC/NoPadding");
            cbc.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(new byte[BLOCK]));
            return new Cipher[] {ecb, cbc};
        } catch (GeneralSecurityException e) {
            // every Java SE runtime must provide AES/ECB and AES/CBC without padding
            throw new IllegalStateException("the JDK's AES cipher is unavailable", e);
        }
    }
}
