package dev.warden.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM computed by a PKCS#11 token (CKM_AES_GCM through SunPKCS11) under a key that stays on it. The output
 * is Tink's AES-GCM without prefix — a 12-byte random nonce, the ciphertext, a 16-byte tag — the format the
 * file master key's Tink AEAD writes, so one keyset file format serves both and a keyset moves from one master
 * key to the other by being opened and written again ({@code warden keys rewrap}).
 *
 * <h2>Security guarantees</h2>
 * The key is a handle: its bytes are never in this process. Used only to open and seal keysets (a few calls
 * per start-up, reload or CLI command), so nonces drawn at random stay far below GCM's 2^32 bound.
 *
 * <p>Thread-safe: a {@link Cipher} is created per call (the provider's sessions are its own concern).
 */
final class Pkcs11AesGcmAead implements Aead {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Provider provider;
    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    Pkcs11AesGcmAead(Provider provider, SecretKey key) {
        this.provider = provider;
        this.key = key;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
        if (associatedData != null && associatedData.length > 0) cipher.updateAAD(associatedData);
        byte[] sealed = cipher.doFinal(plaintext);
        byte[] out = new byte[NONCE_BYTES + sealed.length];
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
        return out;
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        if (ciphertext.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new GeneralSecurityException("ciphertext too short");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE_BYTES));
        if (associatedData != null && associatedData.length > 0) cipher.updateAAD(associatedData);
        try {
            return cipher.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw e;
        } catch (RuntimeException e) {
            // SunPKCS11 reports a failed tag check as a PKCS#11 error wrapped in a ProviderException on some JDKs
            throw new GeneralSecurityException("decryption failed", e);
        }
    }
}
