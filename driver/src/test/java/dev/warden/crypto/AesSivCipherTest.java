package dev.warden.crypto;

import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.daead.AesSivParameters;
import com.google.crypto.tink.daead.PredefinedDeterministicAeadParameters;
import com.google.crypto.tink.util.SecretBytes;
import dev.warden.crypto.WycheproofVectors.Vector;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Warden's AES-SIV answers exactly as Tink's: byte for byte the same ciphertext for every plaintext, the same
 * plaintext for every Tink ciphertext, a failure for every ciphertext Tink would refuse.
 */
class AesSivCipherTest {
    private static final HexFormat HEX = HexFormat.of();

    static {
        TinkRegistration.ensure();
    }

    /** RFC 5297 appendix A.1 (deterministic authenticated encryption, AES-128-SIV). */
    @Test
    void encryptsAndDecryptsTheRfc5297Vector() throws Exception {
        byte[] key = HEX.parseHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        byte[] ad = HEX.parseHex("101112131415161718191a1b1c1d1e1f2021222324252627");
        byte[] plaintext = HEX.parseHex("112233445566778899aabbccddee");
        byte[] output = HEX.parseHex("85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c");
        ColumnKey decryptor = AesSivCipher.forTestVector(key).forAssociatedData(ad);
        assertArrayEquals(output, decryptor.encrypt(plaintext));
        assertArrayEquals(plaintext, decryptor.decrypt(output));
        output[output.length - 1] ^= 1;
        assertThrows(GeneralSecurityException.class, () -> decryptor.decrypt(output));
    }

    /**
     * Every Wycheproof AES-SIV-CMAC vector (one associated data string, keys of 256, 384 and 512 bits): a valid
     * one encrypts to its ciphertext (V || C) byte for byte and decrypts to its message, an invalid one (a
     * modified V) is refused, as a raw key; the 512-bit ones (AES-256-SIV, the only size this class serves in
     * production) through a Tink key of the vector's key bytes too, with Tink's 5-byte prefix in front. Keys of
     * the other sizes {@link AesSivCipher#createOrNull} leaves to Tink.
     */
    @Test
    void answersEveryWycheproofVector() throws Exception {
        int checked = 0;
        int checkedWithTinkKeys = 0;
        for (Vector vector : WycheproofVectors.load("aes_siv_cmac_test.json")) {
            assertAnswersAsWycheproof(vector, AesSivCipher.forTestVector(vector.key()), new byte[0]);
            checked++;
            AesSivKey key = tinkKey(vector);
            AesSivCipher tinkKeyed = AesSivCipher.createOrNull(key);
            if (vector.keyBits() == 512) {
                assertNotNull(tinkKeyed, vector.label());
                assertAnswersAsWycheproof(vector, tinkKeyed, key.getOutputPrefix().toByteArray());
                checkedWithTinkKeys++;
            } else {
                assertNull(tinkKeyed, vector.label());
            }
        }
        // the file's counts, so that a filter slip cannot silently skip vectors
        assertEquals(442, checked);
        assertEquals(147, checkedWithTinkKeys);
    }

    private static void assertAnswersAsWycheproof(Vector vector, AesSivCipher cipher, byte[] prefix)
            throws GeneralSecurityException {
        byte[] sealed = new byte[prefix.length + vector.ct().length];
        System.arraycopy(prefix, 0, sealed, 0, prefix.length);
        System.arraycopy(vector.ct(), 0, sealed, prefix.length, vector.ct().length);
        String label = vector.label() + (prefix.length == 0 ? ", raw key" : ", Tink key");
        ColumnKey column = cipher.forAssociatedData(vector.aad());
        switch (vector.result()) {
            case "valid" -> {
                assertArrayEquals(sealed, column.encrypt(vector.msg()), label);
                assertArrayEquals(sealed, cipher.encryptDeterministically(vector.msg(), vector.aad()), label);
                assertArrayEquals(vector.msg(), column.decrypt(sealed), label);
                assertArrayEquals(vector.msg(), cipher.decryptDeterministically(sealed, vector.aad()), label);
            }
            case "invalid" -> {
                assertThrows(GeneralSecurityException.class, () -> column.decrypt(sealed), label);
                assertThrows(GeneralSecurityException.class,
                        () -> cipher.decryptDeterministically(sealed, vector.aad()), label);
            }
            default -> throw new AssertionError(label + ": result " + vector.result() + " has no rule here");
        }
    }

    /** A Tink AES-SIV key (Tink variant, so with an output prefix) of the vector's key bytes. */
    private static AesSivKey tinkKey(Vector vector) throws GeneralSecurityException {
        AesSivParameters parameters = AesSivParameters.builder()
                .setKeySizeBytes(vector.key().length)
                .setVariant(AesSivParameters.Variant.TINK)
                .build();
        return AesSivKey.builder()
                .setParameters(parameters)
                .setKeyBytes(SecretBytes.copyFrom(vector.key(), InsecureSecretKeyAccess.get()))
                .setIdRequirement(0x2a5a11ce)
                .build();
    }

    @Test
    void encryptsAsTinkAndDecryptsWhatTinkEncryptsForEveryLengthAndRefusesEveryBitFlip() throws Exception {
        Random random = new Random(5297);
        for (int round = 0; round < 8; round++) {
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedDeterministicAeadParameters.AES256_SIV);
            DeterministicAead tink = handle.getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);
            AesSivCipher ours = AesSivCipher.createOrNull((AesSivKey) handle.getAt(0).getKey());
            assertNotNull(ours);
            byte[] ad = ("warden/1:public.t" + round + ".c").getBytes(StandardCharsets.UTF_8);
            ColumnKey column = ours.forAssociatedData(ad);
            for (int length = 0; length <= 150; length++) {
                byte[] plaintext = new byte[length];
                random.nextBytes(plaintext);
                byte[] ciphertext = tink.encryptDeterministically(plaintext, ad);
                assertArrayEquals(plaintext, column.decrypt(ciphertext), "length " + length);
                assertArrayEquals(plaintext, ours.decryptDeterministically(ciphertext, ad));
                // our encryption is Tink's, byte for byte, and Tink reads it
                byte[] ours1 = column.encrypt(plaintext);
                assertArrayEquals(ciphertext, ours1, "length " + length);
                assertArrayEquals(plaintext, tink.decryptDeterministically(ours1, ad));
                assertArrayEquals(ciphertext, ours.encryptDeterministically(plaintext, ad));
                if (length % 7 == 0) {
                    CipherAssertions.everyBitFlipIsRefused(column, ciphertext);
                }
            }
        }
    }

    @Test
    void refusesAnotherColumnAnotherKeyAndShortInput() throws Exception {
        KeysetHandle handle = KeysetHandle.generateNew(PredefinedDeterministicAeadParameters.AES256_SIV);
        DeterministicAead tink = handle.getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);
        AesSivCipher ours = AesSivCipher.createOrNull((AesSivKey) handle.getAt(0).getKey());
        byte[] email = "warden/1:public.customers.email".getBytes(StandardCharsets.UTF_8);
        byte[] phone = "warden/1:public.customers.phone".getBytes(StandardCharsets.UTF_8);
        byte[] ciphertext = tink.encryptDeterministically("alice@example.com".getBytes(StandardCharsets.UTF_8), email);
        assertThrows(GeneralSecurityException.class, () -> ours.forAssociatedData(phone).decrypt(ciphertext));

        KeysetHandle other = KeysetHandle.generateNew(PredefinedDeterministicAeadParameters.AES256_SIV);
        byte[] foreign = other.getPrimitive(RegistryConfiguration.get(), DeterministicAead.class)
                .encryptDeterministically("alice@example.com".getBytes(StandardCharsets.UTF_8), email);
        assertThrows(GeneralSecurityException.class, () -> ours.forAssociatedData(email).decrypt(foreign));
        // same key bytes, prefix swapped to this key's: still refused (the SIV check fails)
        byte[] relabelled = foreign.clone();
        System.arraycopy(ciphertext, 0, relabelled, 0, 5);
        assertThrows(GeneralSecurityException.class, () -> ours.forAssociatedData(email).decrypt(relabelled));
        CipherAssertions.everyTruncationIsRefused(ours.forAssociatedData(email), ciphertext, 21);
    }

    @Test
    void theCounterCarriesAcrossTheClearedBitsAsTheJdksCtrDoes() throws Exception {
        // V all ones: Q ends in 7fffffff, so the second block's increment carries from byte 15 into byte 11
        byte[] key = new byte[64];
        new Random(31).nextBytes(key);
        byte[] v = new byte[16];
        java.util.Arrays.fill(v, (byte) 0xff);
        byte[] q = v.clone();
        q[8] &= 0x7f;
        q[12] &= 0x7f;
        javax.crypto.Cipher ctr = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding");
        ctr.init(javax.crypto.Cipher.ENCRYPT_MODE,
                new javax.crypto.spec.SecretKeySpec(java.util.Arrays.copyOfRange(key, 32, 64), "AES"),
                new javax.crypto.spec.IvParameterSpec(q));
        byte[] expected = ctr.doFinal(new byte[48]);
        assertArrayEquals(expected, AesSivCipher.forTestVector(key).keystream(v, 48));
    }
}
