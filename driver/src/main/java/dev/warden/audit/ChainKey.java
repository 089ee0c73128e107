package dev.warden.audit;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed MAC that links the audit hash chain: each event's {@code hash} is {@code mac(content)}, so nobody
 * without the key can edit, insert or re-chain events undetected. In production the engine adapts the
 * keyset's Tink HMAC (whose tags may carry a key-id prefix, and whose {@link #verify} accepts any key of the
 * audit keyset, so rotated keys still verify old events).
 *
 * <p>Implementations must be thread-safe: the writer thread and verifiers may call them concurrently.
 *
 * <h2>Warning</h2> The key must not be the key of any column cipher; the audit trail is readable by auditors
 * who must not be able to decrypt data.
 */
public interface ChainKey {

    /** The tag of {@code data}. */
    byte[] mac(byte[] data);

    /**
     * The tag of the {@code length} bytes of {@code data} from {@code offset}: the writer MACs its reused encoding
     * buffer without copying it out first. The default copies; the JCE and keyset keys do not.
     */
    default byte[] mac(byte[] data, int offset, int length) {
        return mac(Arrays.copyOfRange(data, offset, offset + length));
    }

    /** True when {@code tag} is a valid tag of {@code data}; compares in constant time. */
    boolean verify(byte[] tag, byte[] data);

    /**
     * A plain JCE HmacSHA256 chain key over raw key bytes, for tests, tools and deployments without a Tink
     * keyset. The key is copied.
     */
    static ChainKey hmacSha256(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("an audit HMAC key needs at least 16 bytes");
        }
        SecretKeySpec spec = new SecretKeySpec(Arrays.copyOf(key, key.length), "HmacSHA256");
        // Mac is not thread-safe and Mac.getInstance costs a provider lookup: one initialised Mac per thread.
        ThreadLocal<Mac> macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        });
        return new ChainKey() {
            @Override
            public byte[] mac(byte[] data) {
                return macs.get().doFinal(data);
            }

            @Override
            public byte[] mac(byte[] data, int offset, int length) {
                Mac mac = macs.get();
                mac.update(data, offset, length);
                return mac.doFinal();
            }

            @Override
            public boolean verify(byte[] tag, byte[] data) {
                return tag != null && MessageDigest.isEqual(tag, mac(data));
            }

            @Override
            public String toString() {
                return "ChainKey[HmacSHA256]";
            }
        };
    }
}
