package dev.warden.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.daead.PredefinedDeterministicAeadParameters;
import com.google.crypto.tink.Parameters;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The column ciphers encrypt under the right key: the randomized one under the keyset's primary (not the
 * first, not the newest, never a disabled key), the deterministic ones under the key they were built for,
 * byte for byte as Tink would with that key primary; and when Warden cannot route a keyset, Tink encrypts.
 */
class ColumnCipherKeysTest {
    private static final byte[] VALUE = "4111111111111111".getBytes(StandardCharsets.UTF_8);
    private static final String COLUMN = "public.customers.card_number";
    private static final byte[] AD = TinkAeadColumnCipher.associatedData(COLUMN);

    static {
        TinkRegistration.ensure();
    }

    /** Three keys of {@code parameters}: the middle one primary, the first disabled. */
    private static KeysetHandle middlePrimaryFirstDisabled(Parameters parameters) throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder();
        for (int i = 0; i < 3; i++) {
            KeysetHandle.Builder.Entry entry = KeysetHandle.generateEntryFromParameters(parameters).withRandomId();
            if (i == 1) entry.makePrimary();
            builder.addEntry(entry);
        }
        builder.getAt(0).setStatus(KeyStatus.DISABLED);
        return builder.build();
    }

    private static int keyIdOf(byte[] ciphertext) {
        assertEquals(1, ciphertext[0], "Tink prefix");
        return ByteBuffer.wrap(ciphertext, 1, 4).getInt();
    }

    /** The keyset with only the key at {@code index}, as primary. */
    private static KeysetHandle only(KeysetHandle handle, int index) throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
        builder.getAt(index).setStatus(KeyStatus.ENABLED).makePrimary();
        for (int i = builder.size() - 1; i >= 0; i--) {
            if (i != index) builder.deleteAt(i);
        }
        return builder.build();
    }

    @Test
    void randomizedEncryptsUnderThePrimaryOnly() throws Exception {
        KeysetHandle handle = middlePrimaryFirstDisabled(PredefinedAeadParameters.AES256_GCM);
        KeyRouter<Aead> keys = KeyRouter.of(handle, handle.getPrimitive(RegistryConfiguration.get(), Aead.class),
                key -> key instanceof AesGcmKey k ? AesGcmCipher.createOrNull(k) : null);
        assertEquals(2, keys.routedKeys());
        TinkAeadColumnCipher cipher = new TinkAeadColumnCipher(keys, handle.getPrimary().getId(), COLUMN);
        byte[] ciphertext = cipher.encrypt(VALUE);
        assertEquals(handle.getPrimary().getId(), keyIdOf(ciphertext));
        assertArrayEquals(VALUE, only(handle, 1).getPrimitive(RegistryConfiguration.get(), Aead.class)
                .decrypt(ciphertext, AD));
        for (int other : new int[] {0, 2}) {
            Aead otherKey = only(handle, other).getPrimitive(RegistryConfiguration.get(), Aead.class);
            assertThrows(GeneralSecurityException.class, () -> otherKey.decrypt(ciphertext, AD));
        }
        assertThrows(IllegalStateException.class,
                () -> new TinkAeadColumnCipher(keys, handle.getAt(0).getId(), COLUMN), "a disabled key as primary");
    }

    @Test
    void eachDeterministicCipherEncryptsUnderItsKeyAsTinkWould() throws Exception {
        KeysetHandle handle = middlePrimaryFirstDisabled(PredefinedDeterministicAeadParameters.AES256_SIV);
        DeterministicAead keyset = handle.getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);
        KeyRouter<DeterministicAead> keys = KeyRouter.of(handle, keyset,
                key -> key instanceof AesSivKey k ? AesSivCipher.createOrNull(k) : null);
        for (int index : new int[] {1, 2}) {
            int id = handle.getAt(index).getId();
            DeterministicAead tinkWithThatKeyPrimary = only(handle, index)
                    .getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);
            TinkDeterministicColumnCipher cipher = new TinkDeterministicColumnCipher(tinkWithThatKeyPrimary, id, keys,
                    COLUMN);
            byte[] ciphertext = cipher.encrypt(VALUE);
            assertEquals(id, keyIdOf(ciphertext));
            assertArrayEquals(tinkWithThatKeyPrimary.encryptDeterministically(VALUE, AD), ciphertext);
            assertArrayEquals(VALUE, keyset.decryptDeterministically(ciphertext, AD));
        }
        assertThrows(IllegalStateException.class,
                () -> new TinkDeterministicColumnCipher(keyset, handle.getAt(0).getId(), keys, COLUMN));
    }

    @Test
    void aKeysetWardenCannotRouteIsEncryptedByTinkUnderItsPrimary() throws Exception {
        AesGcmParameters raw = AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12)
                .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build();
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(KeysetHandle.generateNew(raw));
        builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                .withRandomId().makePrimary());
        KeysetHandle handle = builder.build();
        Aead tink = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        KeyRouter<Aead> keys = KeyRouter.of(handle, tink,
                key -> key instanceof AesGcmKey k ? AesGcmCipher.createOrNull(k) : null);
        assertEquals(0, keys.routedKeys());
        byte[] ciphertext = new TinkAeadColumnCipher(keys, handle.getPrimary().getId(), COLUMN).encrypt(VALUE);
        assertEquals(handle.getPrimary().getId(), keyIdOf(ciphertext));
        assertArrayEquals(VALUE, tink.decrypt(ciphertext, AD));
    }
}
