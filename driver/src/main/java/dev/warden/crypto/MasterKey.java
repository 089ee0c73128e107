package dev.warden.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * The 32-byte key that opens keysets (it never encrypts data). Resolved from a reference:
 * {@code env:NAME}, {@code file:PATH}, or null for the environment variable {@code WARDEN_MASTER_KEY}.
 * The value is 32 random bytes, base64-encoded ({@code openssl rand -base64 32}). Or the key stays in a
 * PKCS#11 token (an HSM), named by an RFC 7512 URI, {@code pkcs11:token=…;object=…?module-path=…&pin-source=…}
 * ({@link Pkcs11Uri}): the token then does the AES-GCM that opens and seals keysets, in the same format.
 *
 * <p>Internally the key is held only as an AES-256-GCM {@link Aead} (Tink's, or the token's); decoded bytes are
 * wiped once the primitive exists. Immutable and thread-safe.
 *
 * <h2>Warning</h2>
 * Error messages name where the key was looked for, never the key or any part of it; {@link #toString()}
 * shows only the reference it came from.
 */
public final class MasterKey {
    /** The environment variable read when no reference is given. */
    public static final String DEFAULT_ENV = "WARDEN_MASTER_KEY";

    private static final int KEY_BYTES = 32;
    private static final int MAX_FILE_BYTES = 4096;

    static {
        TinkRegistration.ensure();
    }

    private final Aead aead;
    private final String source;

    private MasterKey(Aead aead, String source) {
        this.aead = aead;
        this.source = source;
    }

    /**
     * Resolves {@code env:NAME}, {@code file:PATH} (contents trimmed), {@code pkcs11:URI} (logs in to the token
     * and finds the key; fails now if the module, token, PIN or key is wrong) or, for a null or blank reference,
     * the environment variable {@value #DEFAULT_ENV}.
     */
    public static MasterKey resolve(String reference) throws KeyException {
        return resolve(reference, System.getenv());
    }

    /** Test seam: as {@link #resolve(String)}, reading environment variables from {@code env}. */
    static MasterKey resolve(String reference, Map<String, String> env) throws KeyException {
        String ref = reference == null ? "" : reference.strip();
        if (ref.isEmpty()) {
            ref = "env:" + DEFAULT_ENV;
        }
        if (ref.startsWith("env:")) {
            String name = ref.substring(4);
            if (name.isEmpty()) {
                throw new KeyException("master key: reference env: needs a variable name (env:NAME)");
            }
            String value = env.get(name);
            if (value == null) {
                throw new KeyException("master key: environment variable " + name + " is not set");
            }
            if (value.isBlank()) {
                throw new KeyException("master key: environment variable " + name + " is empty");
            }
            return decode(value, ref);
        }
        if (ref.startsWith("file:")) {
            String path = ref.substring(5);
            if (path.isEmpty()) {
                throw new KeyException("master key: reference file: needs a path (file:PATH)");
            }
            String value;
            try (InputStream in = Files.newInputStream(Path.of(path))) {
                // bounded: a reference to a device or a large file must not hang or exhaust memory
                byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
                if (content.length > MAX_FILE_BYTES) {
                    throw new KeyException("master key from " + ref + ": file is larger than " + MAX_FILE_BYTES
                            + " bytes (expected one base64 line)");
                }
                value = new String(content, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                throw new KeyException("master key from " + ref + ": file not found");
            } catch (IOException | RuntimeException e) {
                throw new KeyException("master key from " + ref + ": cannot read the file ("
                        + e.getClass().getSimpleName() + ")");
            }
            return decode(value, ref);
        }
        if (ref.startsWith(Pkcs11Uri.SCHEME)) {
            Pkcs11Uri uri = Pkcs11Uri.parse(ref);
            char[] pin = uri.pin(env);
            try {
                return new MasterKey(Pkcs11Tokens.open(uri, pin), uri.toString());
            } finally {
                Arrays.fill(pin, '\0');
            }
        }
        throw unsupported(ref);
    }

    /**
     * A reference as it may be shown: {@code env:} and {@code file:} references as they are, a {@code pkcs11:}
     * one without its PIN, anything else only by its scheme (it may be a key pasted in the wrong place).
     */
    public static String describeReference(String reference) {
        if (reference == null) return "env:" + DEFAULT_ENV;
        String ref = reference.strip();
        if (ref.startsWith("env:") || ref.startsWith("file:")) return ref;
        if (ref.startsWith(Pkcs11Uri.SCHEME)) {
            try {
                return Pkcs11Uri.parse(ref).toString();
            } catch (KeyException e) {
                return "pkcs11:(malformed, not shown)";
            }
        }
        return "(not shown)";
    }

    /**
     * Generates the AES-256 key a {@code pkcs11:} reference names on its token (sensitive, not extractable: it
     * never leaves the token), for {@code warden keys hsm-create-key}.
     *
     * @return the reference without its PIN, to print
     * @throws KeyException when the reference is not {@code pkcs11:}, the token cannot be used, or already holds
     *         an object with that label
     */
    public static String createOnToken(String reference) throws KeyException {
        String ref = reference == null ? "" : reference.strip();
        if (!ref.startsWith(Pkcs11Uri.SCHEME)) {
            throw new KeyException("master key: a key is created on a token only for a pkcs11: reference");
        }
        Pkcs11Uri uri = Pkcs11Uri.parse(ref);
        char[] pin = uri.pin(System.getenv());
        try {
            Pkcs11Tokens.createKey(uri, pin);
        } finally {
            Arrays.fill(pin, '\0');
        }
        return uri.toString();
    }

    /** A master key from its base64 form (surrounding whitespace ignored). */
    public static MasterKey fromBase64(String base64) throws KeyException {
        if (base64 == null) {
            throw new KeyException("master key: no value given");
        }
        return decode(base64, "base64");
    }

    /** A fresh random master key, base64-encoded. */
    public static String generateBase64() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        try {
            return Base64.getEncoder().encodeToString(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The AEAD that encrypts and decrypts keysets; package-private so only this package can use the key. */
    Aead aead() {
        return aead;
    }

    /**
     * Where the key came from ({@code env:NAME}, {@code file:PATH}, {@code base64} or the {@code pkcs11:} URI
     * without its PIN); never key material.
     */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "MasterKey[" + source + "]";
    }

    private static KeyException unsupported(String ref) {
        int colon = ref.indexOf(':');
        String scheme = colon > 0 ? ref.substring(0, colon + 1) : "";
        // echo only something that looks like a scheme: a user may have pasted the key itself here
        if (!scheme.matches("[A-Za-z][A-Za-z0-9+.-]{0,15}:")) {
            return new KeyException("master key: reference is not env:NAME, file:PATH or pkcs11:URI (not echoed)");
        }
        return new KeyException("master key: unsupported reference '" + scheme
                + "' (use env:NAME, file:PATH or pkcs11:URI)");
    }

    private static MasterKey decode(String base64, String source) throws KeyException {
        String where = "base64".equals(source) ? "master key" : "master key from " + source;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new KeyException(where + ": not valid base64");
        }
        try {
            if (key.length != KEY_BYTES) {
                throw new KeyException(where + ": must be " + KEY_BYTES + " bytes, got " + key.length);
            }
            return new MasterKey(aesGcm(key), source);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static Aead aesGcm(byte[] key) throws KeyException {
        try {
            AesGcmParameters parameters = AesGcmParameters.builder()
                    .setKeySizeBytes(KEY_BYTES)
                    .setIvSizeBytes(12)
                    .setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                    .build();
            AesGcmKey aesKey = AesGcmKey.builder()
                    .setParameters(parameters)
                    .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
                    .build();
            KeysetHandle handle = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(aesKey).withRandomId().makePrimary())
                    .build();
            return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new KeyException("master key: cannot create AES-256-GCM primitive", e);
        }
    }
}
