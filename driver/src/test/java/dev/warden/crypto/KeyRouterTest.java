package dev.warden.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Routing by key prefix gives the keyset primitive's answers, and steps aside where it could not. */
class KeyRouterTest {
    private static final byte[] VALUE = "4111111111111111".getBytes(StandardCharsets.UTF_8);
    private static final byte[] AD = "warden/1:t.c".getBytes(StandardCharsets.UTF_8);

    static {
        TinkRegistration.ensure();
    }

    private static KeyRouter<Aead> router(KeysetHandle handle) throws GeneralSecurityException {
        return KeyRouter.of(handle, handle.getPrimitive(RegistryConfiguration.get(), Aead.class),
                key -> key instanceof AesGcmKey k ? AesGcmJce.create(k) : null);
    }

    private static KeysetHandle withNewPrimary(KeysetHandle handle) throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
        builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                .withRandomId().makePrimary());
        return builder.build();
    }

    @Test
    void eachKeysCiphertextGoesToThatKeyAndUnknownPrefixesToTheKeyset() throws Exception {
        KeysetHandle first = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        KeysetHandle both = withNewPrimary(first);
        KeyRouter<Aead> router = router(both);
        assertEquals(2, router.routedKeys());
        byte[] old = first.getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(VALUE, AD);
        byte[] current = router.keysetPrimitive().encrypt(VALUE, AD);
        Aead forOld = router.forCiphertext(old);
        Aead forCurrent = router.forCiphertext(current);
        assertNotSame(forOld, forCurrent);
        assertNotSame(router.keysetPrimitive(), forOld);
        assertArrayEquals(VALUE, forOld.decrypt(old, AD));
        assertArrayEquals(VALUE, forCurrent.decrypt(current, AD));
        // the per-key primitive refuses another key's ciphertext, as the keyset would
        assertThrows(GeneralSecurityException.class, () -> forOld.decrypt(current, AD));

        byte[] foreign = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                .getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(VALUE, AD);
        assertSame(router.keysetPrimitive(), router.forCiphertext(foreign));
        assertSame(router.keysetPrimitive(), router.forCiphertext(new byte[4]));
        assertThrows(GeneralSecurityException.class, () -> router.forCiphertext(foreign).decrypt(foreign, AD));
    }

    @Test
    void aDisabledKeyIsNotRoutedAndItsCiphertextFailsAsWithTheKeyset() throws Exception {
        KeysetHandle first = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        byte[] old = first.getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(VALUE, AD);
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(withNewPrimary(first));
        builder.getAt(0).setStatus(KeyStatus.DISABLED);
        KeyRouter<Aead> router = router(builder.build());
        assertEquals(1, router.routedKeys());
        assertSame(router.keysetPrimitive(), router.forCiphertext(old));
        assertThrows(GeneralSecurityException.class, () -> router.forCiphertext(old).decrypt(old, AD));
    }

    @Test
    void aRawKeyTurnsRoutingOffSoTheKeysetTriesEveryKeyAsTinkDoes() throws Exception {
        AesGcmParameters raw = AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12)
                .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build();
        KeysetHandle rawOnly = KeysetHandle.generateNew(raw);
        byte[] unprefixed = rawOnly.getPrimitive(RegistryConfiguration.get(), Aead.class).encrypt(VALUE, AD);
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(rawOnly);
        builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                .withRandomId().makePrimary());
        KeyRouter<Aead> router = router(builder.build());
        assertEquals(0, router.routedKeys());
        byte[] prefixed = router.keysetPrimitive().encrypt(VALUE, AD);
        assertSame(router.keysetPrimitive(), router.forCiphertext(prefixed));
        assertArrayEquals(VALUE, router.forCiphertext(unprefixed).decrypt(unprefixed, AD));
        assertArrayEquals(VALUE, router.forCiphertext(prefixed).decrypt(prefixed, AD));
    }

    @Test
    void keysOfAnUnknownTypeTurnRoutingOff() throws Exception {
        KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        KeyRouter<Aead> router = KeyRouter.of(handle, handle.getPrimitive(RegistryConfiguration.get(), Aead.class),
                key -> null);
        assertEquals(0, router.routedKeys());
    }

    @Test
    void forKeyIdGivesEachEnabledKeysPrimitiveAndNothingElse() throws Exception {
        KeysetHandle first = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(withNewPrimary(withNewPrimary(first)));
        builder.getAt(0).setStatus(KeyStatus.DISABLED);
        KeysetHandle handle = builder.build();
        KeyRouter<Aead> router = router(handle);
        for (int i = 0; i < handle.size(); i++) {
            KeysetHandle.Entry entry = handle.getAt(i);
            Aead forId = router.forKeyId(entry.getId());
            if (entry.getStatus() != KeyStatus.ENABLED) {
                assertNull(forId, "a disabled key never encrypts");
                continue;
            }
            // what it encrypts names that key, and only that key's primitive opens it
            byte[] ciphertext = forId.encrypt(VALUE, AD);
            assertEquals(1, ciphertext[0]);
            assertEquals(entry.getId(), java.nio.ByteBuffer.wrap(ciphertext, 1, 4).getInt());
            assertSame(forId, router.forCiphertext(ciphertext));
        }
        assertNull(router.forKeyId(handle.getAt(0).getId() ^ 1));
        KeyRouter<Aead> off = KeyRouter.of(handle, handle.getPrimitive(RegistryConfiguration.get(), Aead.class),
                key -> null);
        assertNull(off.forKeyId(handle.getPrimary().getId()), "an unrouted keyset leaves encryption to Tink");
    }
}
