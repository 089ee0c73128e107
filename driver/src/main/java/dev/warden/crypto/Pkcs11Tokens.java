package dev.warden.crypto;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

/**
 * The PKCS#11 tokens this process uses, each reached through one SunPKCS11 provider configured once per
 * (module, slot) and logged in once with the user PIN; the keys on them are found by label.
 *
 * <p>Thread-safe: every method holds this class's lock, so two engines starting at once configure a token
 * once. That costs nothing on the hot path: tokens are opened when an engine starts or a CLI command runs,
 * and the keys they return are used by {@link Pkcs11AesGcmAead} without this lock. Providers are not added to
 * {@link Security}'s list: Warden's use of a token changes nothing for the rest of the application.
 *
 * <p>A PKCS#11 login holds for the whole process, so once a token is open a second reference with another PIN
 * would succeed without the token checking it: a reference whose PIN differs from the one the token was opened
 * with is refused instead (compared by SHA-256; the PIN itself is not kept).
 */
final class Pkcs11Tokens {
    private record Slot(String modulePath, long id) {}

    /** One configured provider for one slot; pinDigest is null until a login succeeded. */
    private static final class Token {
        final Provider provider;
        final KeyStore keyStore;
        byte[] pinDigest;

        Token(Provider provider, KeyStore keyStore) {
            this.provider = provider;
            this.keyStore = keyStore;
        }
    }

    private static final Map<Slot, Token> OPEN = new HashMap<>(); // guarded by Pkcs11Tokens.class

    private Pkcs11Tokens() {}

    /** An AEAD under the AES key {@code uri} names, after logging in to its token with {@code pin}. */
    static synchronized Pkcs11AesGcmAead open(Pkcs11Uri uri, char[] pin) throws KeyException {
        Token token = loggedIn(uri, pin);
        Key key;
        try {
            key = token.keyStore.getKey(uri.object(), null);
        } catch (Exception e) {
            throw new KeyException("master key " + uri + ": cannot read object " + uri.object() + " on the token ("
                    + reason(e) + ")");
        }
        if (key == null) {
            throw new KeyException("master key " + uri + ": the token holds no key labelled " + uri.object()
                    + " (create one with warden keys hsm-create-key)");
        }
        if (!(key instanceof SecretKey secret) || !"AES".equals(key.getAlgorithm())) {
            throw new KeyException("master key " + uri + ": object " + uri.object() + " is a " + key.getAlgorithm()
                    + " key, not an AES secret key");
        }
        return new Pkcs11AesGcmAead(token.provider, secret);
    }

    /**
     * Generates an AES-256 key on the token, labelled {@code uri.object()}, that never leaves it (sensitive,
     * not extractable, a token object).
     *
     * @throws KeyException when the token already holds an object with that label (it is never replaced)
     */
    static synchronized void createKey(Pkcs11Uri uri, char[] pin) throws KeyException {
        Token token = loggedIn(uri, pin);
        try {
            if (token.keyStore.containsAlias(uri.object())) {
                throw new KeyException("master key " + uri + ": the token already holds an object labelled "
                        + uri.object() + " (not replaced: keysets encrypted under it would no longer open)");
            }
            KeyGenerator generator = KeyGenerator.getInstance("AES", token.provider);
            generator.init(256);
            // generated as a session object, then stored on the token under its label: C_CopyObject keeps
            // CKA_SENSITIVE and CKA_EXTRACTABLE as the provider's generation template set them (below)
            SecretKey key = generator.generateKey();
            token.keyStore.setEntry(uri.object(), new KeyStore.SecretKeyEntry(key), null);
        } catch (KeyException e) {
            throw e;
        } catch (Exception e) {
            throw new KeyException("master key " + uri + ": cannot create the key on the token (" + reason(e) + ")");
        }
    }

    private static Token loggedIn(Pkcs11Uri uri, char[] pin) throws KeyException {
        Token token = configured(uri);
        byte[] digest = sha256(pin);
        if (token.pinDigest != null && !MessageDigest.isEqual(token.pinDigest, digest)) {
            throw new KeyException("master key " + uri + ": the token is already open in this process with"
                    + " another PIN (the PIN given here is wrong, or two references disagree)");
        }
        try {
            // loads the token's object labels afresh (a key may have been created since) and logs in the first time
            token.keyStore.load(null, pin);
        } catch (Exception e) {
            String reason = reason(e);
            if (reason.contains("CKR_PIN_INCORRECT") || reason.contains("CKR_PIN_LEN_RANGE")) {
                throw new KeyException("master key " + uri + ": the token refused the PIN (" + reason + ")");
            }
            throw new KeyException("master key " + uri + ": cannot log in to the token (" + reason + ")");
        }
        token.pinDigest = digest;
        return token;
    }

    private static Token configured(Pkcs11Uri uri) throws KeyException {
        Path module = Path.of(uri.modulePath());
        if (!Files.isRegularFile(module)) {
            throw new KeyException("master key " + uri + ": PKCS#11 module " + module + " (module-path) not found");
        }
        long slotId = slotOf(uri);
        Slot slot = new Slot(uri.modulePath(), slotId);
        Token token = OPEN.get(slot);
        if (token != null) return token;
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new KeyException("master key " + uri + ": this JVM has no SunPKCS11 provider");
        }
        String config = "--name = Warden-" + Long.toUnsignedString(slotId) + "\n"
                + "library = \"" + uri.modulePath() + "\"\n"
                + "slot = " + Long.toUnsignedString(slotId) + "\n"
                // keys Warden generates never leave the token in clear (hsm-create-key)
                + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
                + "  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n"
                + "}\n";
        try {
            Provider provider = base.configure(config);
            token = new Token(provider, KeyStore.getInstance("PKCS11", provider));
        } catch (Exception e) {
            throw new KeyException("master key " + uri + ": cannot use slot " + Long.toUnsignedString(slotId)
                    + " of module " + module + " (" + reason(e) + ")");
        }
        OPEN.put(slot, token);
        return token;
    }

    private static long slotOf(Pkcs11Uri uri) throws KeyException {
        if (uri.token() == null) return uri.slotId();
        Map<Long, String> labels = Pkcs11TokenLabels.of(uri);
        if (uri.slotId() != null) {
            String label = labels.get(uri.slotId());
            if (!uri.token().equals(label)) {
                throw new KeyException("master key " + uri + ": slot " + Long.toUnsignedString(uri.slotId())
                        + (label == null ? " holds no token" : " holds token " + label + ", not " + uri.token()));
            }
            return uri.slotId();
        }
        List<Long> matching = labels.entrySet().stream()
                .filter(e -> e.getValue().equals(uri.token())).map(Map.Entry::getKey).toList();
        if (matching.isEmpty()) {
            throw new KeyException("master key " + uri + ": no token labelled " + uri.token() + " in module "
                    + uri.modulePath() + " (tokens present: " + labels.values().stream()
                    .filter(l -> !l.isEmpty()).toList() + ")");
        }
        if (matching.size() > 1) {
            throw new KeyException("master key " + uri + ": " + matching.size() + " tokens are labelled "
                    + uri.token() + " (slots " + matching + "); add slot-id=");
        }
        return matching.get(0);
    }

    /** What went wrong, from a PKCS#11 or provider exception chain: the CKR_ code when there is one. */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null) {
                int at = message.indexOf("CKR_");
                if (at >= 0) return message.substring(at).split("[^A-Z0-9_]", 2)[0];
            }
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static byte[] sha256(char[] pin) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            var bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pin));
            byte[] raw = new byte[bytes.remaining()];
            bytes.get(raw);
            try {
                return sha.digest(raw);
            } finally {
                java.util.Arrays.fill(raw, (byte) 0);
                java.util.Arrays.fill(bytes.array(), (byte) 0);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
