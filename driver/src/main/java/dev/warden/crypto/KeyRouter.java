package dev.warden.crypto;

import com.google.crypto.tink.Key;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.util.Bytes;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Picks, for a ciphertext, the Tink primitive of the one key its 5-byte output prefix names, so that a
 * decryption goes straight to that key's primitive; and, for an encryption, the primitive of the key that
 * must encrypt (by Tink key id). Tink's keyset wrapper does the same selection, but on
 * every call it copies the prefix into a new map key, looks it up in two hash maps and iterates over the
 * candidates; per row of a large result that is a measurable share of the decryption. The per-key
 * primitives are built by the caller from each key (see WardenKeyset); nothing here touches AES.
 *
 * <h2>Security guarantees</h2>
 * Same answers as the keyset primitive. Routing is enabled only when every enabled key has its own 5-byte
 * prefix (no RAW keys, which the wrapper would also try after the matching one), so for a prefix that
 * names an enabled key the wrapper would try exactly that key, as the router does. Every other ciphertext
 * (an unknown or disabled key's prefix, too short to carry one) goes to the keyset primitive, which
 * decides as Tink always does. Immutable and thread-safe.
 *
 * @param <P> Tink primitive type, e.g. {@code Aead}
 */
final class KeyRouter<P> {

    /** Tink's per-key primitive for a key of the supported type, or null for any other key. */
    @FunctionalInterface
    interface PerKey<P> {
        P create(Key key) throws GeneralSecurityException;
    }

    private static final int PREFIX_LENGTH = 5;

    private final P keysetPrimitive;
    private final long[] prefixes;  // each key's 5-byte output prefix in the low 40 bits
    private final int[] keyIds;     // the Tink key id of the key with prefixes[i]
    private final P[] primitives;   // the primitive of the key with prefixes[i]

    private KeyRouter(P keysetPrimitive, long[] prefixes, int[] keyIds, P[] primitives) {
        this.keysetPrimitive = keysetPrimitive;
        this.prefixes = prefixes;
        this.keyIds = keyIds;
        this.primitives = primitives;
    }

    /**
     * A router over the enabled keys of {@code handle}; when any of them cannot be routed (a RAW key, a key
     * type {@code perKey} does not know, two keys with one prefix), one that always answers
     * {@code keysetPrimitive}.
     */
    @SuppressWarnings("unchecked")
    static <P> KeyRouter<P> of(KeysetHandle handle, P keysetPrimitive, PerKey<P> perKey)
            throws GeneralSecurityException {
        Objects.requireNonNull(keysetPrimitive, "keysetPrimitive");
        long[] prefixes = new long[handle.size()];
        int[] keyIds = new int[handle.size()];
        Object[] primitives = new Object[handle.size()];
        int n = 0;
        for (int i = 0; i < handle.size(); i++) {
            KeysetHandle.Entry entry = handle.getAt(i);
            if (entry.getStatus() != KeyStatus.ENABLED) continue;
            Bytes prefix = outputPrefix(entry.getKey());
            P primitive = perKey.create(entry.getKey());
            if (prefix == null || prefix.size() != PREFIX_LENGTH || primitive == null) {
                return unrouted(keysetPrimitive);
            }
            long packed = pack(prefix.toByteArray());
            for (int j = 0; j < n; j++) {
                // one prefix or one id for two keys: neither a ciphertext nor an encryption names one key
                if (prefixes[j] == packed || keyIds[j] == entry.getId()) return unrouted(keysetPrimitive);
            }
            prefixes[n] = packed;
            keyIds[n] = entry.getId();
            primitives[n] = primitive;
            n++;
        }
        return new KeyRouter<>(keysetPrimitive, Arrays.copyOf(prefixes, n), Arrays.copyOf(keyIds, n),
                (P[]) Arrays.copyOf(primitives, n));
    }

    @SuppressWarnings("unchecked")
    private static <P> KeyRouter<P> unrouted(P keysetPrimitive) {
        return new KeyRouter<>(keysetPrimitive, new long[0], new int[0], (P[]) new Object[0]);
    }

    /** Turns one key's primitive into something else of that key, e.g. a decryptor bound to a column. */
    @FunctionalInterface
    interface Mapper<P, Q> {
        Q apply(P primitive) throws GeneralSecurityException;
    }

    /**
     * The same routing over {@code perKey} of each routed key's primitive, answering {@code keysetFallback}
     * where this router answers its keyset primitive. Lets a column bind its associated data to every key
     * once, instead of per row.
     */
    @SuppressWarnings("unchecked")
    <Q> KeyRouter<Q> map(Mapper<? super P, ? extends Q> perKey, Q keysetFallback) throws GeneralSecurityException {
        Object[] mapped = new Object[primitives.length];
        for (int i = 0; i < primitives.length; i++) {
            mapped[i] = Objects.requireNonNull(perKey.apply(primitives[i]), "perKey result");
        }
        return new KeyRouter<>(Objects.requireNonNull(keysetFallback, "keysetFallback"), prefixes, keyIds,
                (Q[]) mapped);
    }

    /** The primitive to decrypt {@code ciphertext} with: its key's own, else the keyset's. */
    P forCiphertext(byte[] ciphertext) {
        if (ciphertext.length >= PREFIX_LENGTH) {
            long prefix = pack(ciphertext);
            // a handful of keys: a linear scan beats any map
            for (int i = 0; i < prefixes.length; i++) {
                if (prefixes[i] == prefix) return primitives[i];
            }
        }
        return keysetPrimitive;
    }

    /**
     * The primitive of the enabled key with Tink id {@code keyId}, or null when that key is not routed (routing
     * off, or no such enabled key): the caller then uses the keyset's primitive, which decides as Tink does.
     */
    P forKeyId(int keyId) {
        for (int i = 0; i < keyIds.length; i++) {
            if (keyIds[i] == keyId) return primitives[i];
        }
        return null;
    }

    /**
     * The primitive that must encrypt for the key with Tink id {@code keyId}: that key's own, or null when
     * routing is off (the caller then encrypts with a Tink primitive). Routing covers every enabled key, so a
     * routed keyset without that id means a disabled key or another keyset's id: an error, never a fallback.
     *
     * @param column named in the error
     */
    P forEncryption(int keyId, String column) {
        P primitive = forKeyId(keyId);
        if (primitive == null && prefixes.length > 0) {
            throw new IllegalStateException("key " + Integer.toUnsignedString(keyId)
                    + " is not an enabled key of this keyset (column " + column + ")");
        }
        return primitive;
    }

    /** The keyset's own primitive: encrypts under the primary key, decrypts under any. */
    P keysetPrimitive() {
        return keysetPrimitive;
    }

    /** Number of keys routed directly: every enabled key, or 0 when routing is off; for tests. */
    int routedKeys() {
        return prefixes.length;
    }

    private static Bytes outputPrefix(Key key) {
        if (key instanceof com.google.crypto.tink.aead.AeadKey k) return k.getOutputPrefix();
        if (key instanceof com.google.crypto.tink.daead.DeterministicAeadKey k) return k.getOutputPrefix();
        return null;
    }

    private static long pack(byte[] b) {
        return (b[0] & 0xffL) << 32 | (b[1] & 0xffL) << 24 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 8
                | (b[4] & 0xffL);
    }
}
