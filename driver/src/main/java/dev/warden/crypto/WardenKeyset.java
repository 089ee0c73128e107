package dev.warden.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.daead.PredefinedDeterministicAeadParameters;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.PrfSet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The keys of one deployment: randomized (AEAD, AES-256-GCM), deterministic (DAEAD, AES-256-SIV) and audit
 * MAC (HMAC-SHA256) Tink keysets, stored together in one JSON file, each encrypted under the master key.
 * Immutable and thread-safe; ciphers are created once per column and cached by the caller.
 *
 * <h2>File format ({@value #FORMAT})</h2>
 * <pre>{@code
 * {
 *   "format": "warden-keyset/1",
 *   "aead":  { "encryptedKeyset": "...", "keysetInfo": {...} },
 *   "daead": { ... },
 *   "mac":   { ... },
 *   "match": { ... },
 *   "order": { ... }
 * }
 * }</pre>
 * {@code "match"} (an HMAC-SHA256 PRF keyset of one key, associated data {@code ":match"}) is optional: keysets
 * written before match indexes existed have none, still open, and get one from {@code warden keys add-match-key}
 * or {@code warden keys rotate}. {@code "order"} (the same kind, associated data {@code ":order"}) is optional in
 * the same way and derives the per-column keys of order indexes ({@link #orderIndex}), with the same rules;
 * {@code warden keys add-order-key} adds it. The match key derives the per-column keys of match indexes ({@link #matchIndex}); it is never
 * an encryption key and is never rotated, since a new key would make every stored index unsearchable.
 * Each inner object is Tink's {@code TinkJsonProtoKeysetFormat} encrypted keyset, encrypted under the master
 * key with associated data {@code "warden-keyset/1:aead"}, {@code ":daead"} or {@code ":mac"}, so the three
 * cannot be swapped for one another. {@code keysetInfo} (key ids, types, status) is Tink's unauthenticated
 * plaintext metadata and holds no key material.
 *
 * <h2>Security guarantees</h2>
 * A file written by {@link #write} can be opened only with the same master key, and any change to an
 * encrypted keyset makes {@link #read} fail. Tink primitives are obtained once, when the keyset is built;
 * the column ciphers share them. Keys are generated, stored and rotated by Tink. Values are encrypted and
 * decrypted in Tink's formats by {@link AesGcmCipher} and {@link AesSivCipher} on the JDK's AES, with the
 * per-column work done once (encryption under the primary key, decryption under the key a ciphertext names,
 * see {@link KeyRouter}); keys of other parameters are left to Tink's keyset primitive.
 */
public final class WardenKeyset {
    /** The value of the file's {@code "format"} field. */
    public static final String FORMAT = "warden-keyset/1";

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        TinkRegistration.ensure();
    }

    private final KeysetHandle aeadHandle;
    private final KeysetHandle daeadHandle;
    private final KeysetHandle macHandle;
    private final KeyRouter<Aead> aeadKeys;
    private final KeyRouter<DeterministicAead> daeadKeys;
    private final Mac mac;
    private final KeysetHandle matchHandle;  // null: a keyset written before match indexes existed
    private final PrfSet matchPrf;
    private final KeysetHandle orderHandle;  // null: a keyset written before order indexes existed
    private final PrfSet orderPrf;

    private WardenKeyset(KeysetHandle aeadHandle, KeysetHandle daeadHandle, KeysetHandle macHandle)
            throws GeneralSecurityException {
        this(aeadHandle, daeadHandle, macHandle, null, null);
    }

    private WardenKeyset(KeysetHandle aeadHandle, KeysetHandle daeadHandle, KeysetHandle macHandle,
                         KeysetHandle matchHandle, KeysetHandle orderHandle) throws GeneralSecurityException {
        this.orderHandle = orderHandle;
        this.orderPrf = orderHandle == null ? null : orderHandle.getPrimitive(RegistryConfiguration.get(), PrfSet.class);
        this.matchHandle = matchHandle;
        this.matchPrf = matchHandle == null ? null : matchHandle.getPrimitive(RegistryConfiguration.get(), PrfSet.class);
        this.aeadHandle = aeadHandle;
        this.daeadHandle = daeadHandle;
        this.macHandle = macHandle;
        this.aeadKeys = KeyRouter.of(aeadHandle, aeadHandle.getPrimitive(RegistryConfiguration.get(), Aead.class),
                key -> key instanceof AesGcmKey k ? AesGcmCipher.createOrNull(k) : null);
        this.daeadKeys = KeyRouter.of(daeadHandle,
                daeadHandle.getPrimitive(RegistryConfiguration.get(), DeterministicAead.class),
                key -> key instanceof AesSivKey k ? AesSivCipher.createOrNull(k) : null);
        this.mac = macHandle.getPrimitive(RegistryConfiguration.get(), Mac.class);
    }

    /**
     * Fresh AES256_GCM, AES256_SIV, HMAC_SHA256 (256-bit tag), match and order (HMAC-SHA256 PRF) keysets of one key
     * each.
     */
    public static WardenKeyset generate() {
        try {
            return new WardenKeyset(
                    KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
                    KeysetHandle.generateNew(PredefinedDeterministicAeadParameters.AES256_SIV),
                    KeysetHandle.generateNew(PredefinedMacParameters.HMAC_SHA256_256BITTAG),
                    KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF),
                    KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate keysets", e);
        }
    }

    /** @throws KeyException when the file is missing or malformed, or the master key does not open it */
    public static WardenKeyset read(Path file, MasterKey masterKey) throws KeyException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(masterKey, "masterKey");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KeyException("keyset " + file + " does not exist");
        } catch (IOException e) {
            throw new KeyException("keyset " + file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        return read(file, text, masterKey);
    }

    /**
     * Opens the keyset whose file content is {@code text}, already read from {@code file} (named in errors
     * only): a caller that also hashes what it read checks exactly the bytes it opens.
     *
     * @throws KeyException when the content is malformed or the master key does not open it
     */
    public static WardenKeyset read(Path file, String text, MasterKey masterKey) throws KeyException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(masterKey, "masterKey");
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Jackson's location is useful, its excerpt of the document is not needed
            throw new KeyException("keyset " + file + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new KeyException("keyset " + file + " is not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual()) {
            throw new KeyException("keyset " + file + " has no \"format\" field (expected \"" + FORMAT + "\")");
        }
        if (!FORMAT.equals(format.asText())) {
            throw new KeyException("keyset " + file + " has format \"" + format.asText()
                    + "\", this version reads only \"" + FORMAT + "\"");
        }
        String[] names = {"aead", "daead", "mac"};
        KeysetHandle[] handles = new KeysetHandle[3];
        int opened = 0;
        for (int i = 0; i < names.length; i++) {
            JsonNode node = root.get(names[i]);
            if (node == null || !node.isObject()) {
                throw new KeyException("keyset " + file + " has no \"" + names[i] + "\" keyset object");
            }
            if (!node.path("encryptedKeyset").isTextual()) {
                throw new KeyException("keyset " + file + ": \"" + names[i] + "\" has no \"encryptedKeyset\" string");
            }
            try {
                handles[i] = TinkJsonProtoKeysetFormat.parseEncryptedKeyset(
                        JSON.writeValueAsString(node), masterKey.aead(), associatedData(names[i]));
                opened++;
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                // Tink reports bad base64 or a failed decryption alike; both mean "does not open"
                handles[i] = null;
            }
        }
        if (opened == 0) {
            // all three are sealed under the same master key: if none opens, the key is the likely cause
            throw new KeyException("keyset " + file + " could not be opened with this master key (wrong "
                    + (masterKey.source().startsWith("env:") ? masterKey.source().substring(4) : "master key")
                    + "?)");
        }
        for (int i = 0; i < names.length; i++) {
            if (handles[i] == null) {
                throw new KeyException("keyset " + file + ": the \"" + names[i]
                        + "\" keyset fails authentication although the others open with this master key"
                        + " (file modified or damaged)");
            }
        }
        KeysetHandle match = optionalKeyset(root, "match", file, masterKey);
        KeysetHandle order = optionalKeyset(root, "order", file, masterKey);
        try {
            return new WardenKeyset(handles[0], handles[1], handles[2], match, order);
        } catch (GeneralSecurityException e) {
            throw new KeyException("keyset " + file + " holds keys of the wrong type for their role", e);
        }
    }

    /** The optional keyset {@code role} ("match", "order"), or null when the file has none. */
    private static KeysetHandle optionalKeyset(JsonNode root, String role, Path file, MasterKey masterKey)
            throws KeyException {
        JsonNode node = root.get(role);
        if (node == null) return null;
        if (!node.isObject() || !node.path("encryptedKeyset").isTextual()) {
            throw new KeyException("keyset " + file + ": \"" + role + "\" has no \"encryptedKeyset\" string");
        }
        try {
            return TinkJsonProtoKeysetFormat.parseEncryptedKeyset(
                    JSON.writeValueAsString(node), masterKey.aead(), associatedData(role));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new KeyException("keyset " + file + ": the \"" + role + "\" keyset fails authentication although"
                    + " the others open with this master key (file modified or damaged)");
        }
    }

    /**
     * Writes the keyset encrypted under {@code masterKey}: parent directories are created, the file is
     * replaced atomically (temporary file in the same directory, then a move) and, on POSIX file systems,
     * readable and writable by its owner only.
     */
    public void write(Path file, MasterKey masterKey) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(masterKey, "masterKey");
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        try {
            root.set("aead", encrypted(aeadHandle, masterKey, "aead"));
            root.set("daead", encrypted(daeadHandle, masterKey, "daead"));
            root.set("mac", encrypted(macHandle, masterKey, "mac"));
            if (matchHandle != null) root.set("match", encrypted(matchHandle, masterKey, "match"));
            if (orderHandle != null) root.set("order", encrypted(orderHandle, masterKey, "order"));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt keyset for " + file, e);
        }
        byte[] bytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);

        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path temp = posix
                ? Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC)) {
                out.write(bytes);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * A new keyset with a fresh primary key in each of its data and audit keysets; old keys still decrypt. The
     * match key is kept as it is (a new one would make every stored match index unsearchable), or added when
     * the keyset has none; so is the order key, for the same reason.
     */
    public WardenKeyset rotate() {
        try {
            return new WardenKeyset(
                    withNewPrimary(aeadHandle, PredefinedAeadParameters.AES256_GCM),
                    withNewPrimary(daeadHandle, PredefinedDeterministicAeadParameters.AES256_SIV),
                    withNewPrimary(macHandle, PredefinedMacParameters.HMAC_SHA256_256BITTAG),
                    matchHandle != null ? matchHandle : KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF),
                    orderHandle != null ? orderHandle : KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot rotate keysets", e);
        }
    }

    /**
     * A new keyset in which every data key but the primary (randomized and deterministic) is disabled: the
     * last step of a rotation, once every protected column has been re-encrypted under the primary keys.
     * From then on equality filters are sent once again, and a value still under a retired key no longer
     * opens (a read fails loudly instead). Audit MAC keys all stay enabled, so trails written before the
     * rotation still verify. Disabled keys stay in the file: this is not a way to destroy them.
     */
    public WardenKeyset retireOldDataKeys() {
        try {
            return new WardenKeyset(withOnlyPrimaryEnabled(aeadHandle), withOnlyPrimaryEnabled(daeadHandle), macHandle,
                    matchHandle, orderHandle);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot retire old keys", e);
        }
    }

    /**
     * Why {@code next} may not replace this keyset in a running engine, or null when it may. Every key that
     * opens data here (an enabled randomized or deterministic key) must still be in {@code next}, as the same
     * key, enabled or disabled: a disabled one was retired ({@code warden keys retire}), which is the
     * operator's decision, while a missing one is more likely a wrong or regenerated file that would leave
     * stored values unreadable. Every enabled audit key must stay enabled, or trails written under it would
     * no longer verify. Names Tink key ids (which every ciphertext carries), never key material.
     */
    public String whyNotSuccessor(WardenKeyset next) {
        Objects.requireNonNull(next, "next");
        List<String> problems = new ArrayList<>();
        missing(aeadHandle, next.aeadHandle, "randomized", false, problems);
        missing(daeadHandle, next.daeadHandle, "deterministic", false, problems);
        missing(macHandle, next.macHandle, "audit", true, problems);
        if (matchHandle != null) {
            if (next.matchHandle == null) problems.add("the match key is missing");
            else missing(matchHandle, next.matchHandle, "match", true, problems);
        }
        if (orderHandle != null) {
            if (next.orderHandle == null) problems.add("the order key is missing");
            else missing(orderHandle, next.orderHandle, "order", true, problems);
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static void missing(KeysetHandle current, KeysetHandle next, String role, boolean mustStayEnabled,
                                List<String> problems) {
        for (int i = 0; i < current.size(); i++) {
            KeysetHandle.Entry entry = current.getAt(i);
            if (entry.getStatus() != KeyStatus.ENABLED) continue;
            KeysetHandle.Entry successor = entryWithId(next, entry.getId());
            String id = Integer.toUnsignedString(entry.getId());
            if (successor == null) {
                problems.add(role + " key " + id + " is missing");
            } else if (!successor.getKey().equalsKey(entry.getKey())) {
                problems.add(role + " key " + id + " is a different key under the same id");
            } else if (mustStayEnabled && successor.getStatus() != KeyStatus.ENABLED) {
                problems.add(role + " key " + id + " is no longer enabled");
            }
        }
    }

    private static KeysetHandle.Entry entryWithId(KeysetHandle handle, int id) {
        for (int i = 0; i < handle.size(); i++) if (handle.getAt(i).getId() == id) return handle.getAt(i);
        return null;
    }

    /**
     * True when {@code other} holds the same keys (same material) with the same statuses and primaries: a
     * file written again without a change of keys (each write encrypts anew, so its bytes differ).
     */
    public boolean sameKeysAs(WardenKeyset other) {
        return other != null && sameKeys(aeadHandle, other.aeadHandle) && sameKeys(daeadHandle, other.daeadHandle)
                && sameKeys(macHandle, other.macHandle)
                && (matchHandle == null ? other.matchHandle == null
                        : other.matchHandle != null && sameKeys(matchHandle, other.matchHandle))
                && (orderHandle == null ? other.orderHandle == null
                        : other.orderHandle != null && sameKeys(orderHandle, other.orderHandle));
    }

    private static boolean sameKeys(KeysetHandle a, KeysetHandle b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            KeysetHandle.Entry x = a.getAt(i);
            KeysetHandle.Entry y = entryWithId(b, x.getId());
            if (y == null || x.getStatus() != y.getStatus() || x.isPrimary() != y.isPrimary()
                    || !x.getKey().equalsKey(y.getKey())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The key ids of the three keysets with their status, for logs and the audit trail, e.g.
     * {@code "randomized 12* 34, deterministic 56* 78 (disabled), audit 90* 11"}: {@code *} marks the
     * primary. Tink ids only, never key material.
     */
    public String describeKeys() {
        return "randomized " + describe(aeadHandle) + ", deterministic " + describe(daeadHandle)
                + ", audit " + describe(macHandle) + (matchHandle == null ? "" : ", match " + describe(matchHandle))
                + (orderHandle == null ? "" : ", order " + describe(orderHandle));
    }

    private static String describe(KeysetHandle handle) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < handle.size(); i++) {
            KeysetHandle.Entry entry = handle.getAt(i);
            if (i > 0) b.append(' ');
            b.append(Integer.toUnsignedString(entry.getId()));
            if (entry.isPrimary()) b.append('*');
            if (entry.getStatus() != KeyStatus.ENABLED) {
                b.append(" (").append(entry.getStatus().toString().toLowerCase(java.util.Locale.ROOT)).append(')');
            }
        }
        return b.toString();
    }

    /** Enabled deterministic keys: how many ciphertexts one value may have in a deterministic column. */
    public int enabledDeterministicKeys() {
        return enabled(daeadHandle);
    }

    /** Enabled data keys (randomized and deterministic keysets together, primaries included). */
    public int enabledDataKeys() {
        return enabled(aeadHandle) + enabled(daeadHandle);
    }

    private static int enabled(KeysetHandle handle) {
        int n = 0;
        for (int i = 0; i < handle.size(); i++) if (handle.getAt(i).getStatus() == KeyStatus.ENABLED) n++;
        return n;
    }

    private static KeysetHandle withOnlyPrimaryEnabled(KeysetHandle handle) throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
        for (int i = 0; i < builder.size(); i++) {
            if (!builder.getAt(i).isPrimary()) builder.getAt(i).setStatus(KeyStatus.DISABLED);
        }
        return builder.build();
    }

    /**
     * True when {@code ciphertext} (of a column, as stored) was made under the current primary key of its
     * keyset: randomized when {@code deterministic} is false. Reads only Tink's 5-byte key-id prefix; says
     * nothing of whether the ciphertext opens.
     */
    public boolean isUnderPrimaryKey(byte[] ciphertext, boolean deterministic) {
        int primary = (deterministic ? daeadHandle : aeadHandle).getPrimary().getId();
        return ciphertext != null && ciphertext.length >= 5 && ciphertext[0] == 1
                && java.nio.ByteBuffer.wrap(ciphertext, 1, 4).getInt() == primary;
    }

    /**
     * True when {@code ciphertext} starts with the Tink prefix of any key of its keyset, enabled or not: it
     * was made by this keyset (and is not plaintext), even when it no longer opens.
     */
    public boolean hasPrefixOfAnyKey(byte[] ciphertext, boolean deterministic) {
        if (ciphertext == null || ciphertext.length < 5 || ciphertext[0] != 1) return false;
        int id = java.nio.ByteBuffer.wrap(ciphertext, 1, 4).getInt();
        KeysetHandle handle = deterministic ? daeadHandle : aeadHandle;
        for (int i = 0; i < handle.size(); i++) if (handle.getAt(i).getId() == id) return true;
        return false;
    }

    /**
     * The id of the key of this keyset (enabled or not) that {@code ciphertext} names in its Tink prefix, as an
     * unsigned decimal (as {@link #primaryKeyIds} prints ids), or null when it names none. Reads only the
     * 5-byte prefix: key metadata for counts and audit records, never anything of the value.
     */
    public String keyIdOf(byte[] ciphertext, boolean deterministic) {
        if (!hasPrefixOfAnyKey(ciphertext, deterministic)) return null;
        return Integer.toUnsignedString(java.nio.ByteBuffer.wrap(ciphertext, 1, 4).getInt());
    }

    /** The id of the primary key that encrypts randomized ({@code deterministic} false) or deterministic columns. */
    public String primaryKeyId(boolean deterministic) {
        return Integer.toUnsignedString((deterministic ? daeadHandle : aeadHandle).getPrimary().getId());
    }

    /** Randomized (AES-256-GCM) cipher bound to {@code columnName}, e.g. {@code "customers.email"}. */
    public ColumnCipher randomized(String columnName) {
        return new TinkAeadColumnCipher(aeadKeys, aeadHandle.getPrimary().getId(), columnName);
    }

    /** Deterministic (AES-256-SIV) cipher bound to {@code columnName}; equal plaintexts encrypt equal. */
    public ColumnCipher deterministic(String columnName) {
        return new TinkDeterministicColumnCipher(daeadKeys.keysetPrimitive(), daeadHandle.getPrimary().getId(),
                daeadKeys, columnName);
    }

    /**
     * One deterministic cipher per enabled key of the DAEAD keyset, primary first, each encrypting under
     * that key only (all still decrypt under any key). After {@link #rotate}, rows written before the
     * rotation hold ciphertext under an older key, so an equality lookup must compare against the value
     * encrypted under every key ({@code col IN (?, ?)}) until the column has been re-encrypted. Build
     * these once per column, like {@link #deterministic}.
     */
    public List<ColumnCipher> deterministicForEveryKey(String columnName) {
        List<ColumnCipher> ciphers = new ArrayList<>(daeadHandle.size());
        try {
            ciphers.add(deterministic(columnName));
            for (int i = 0; i < daeadHandle.size(); i++) {
                KeysetHandle.Entry entry = daeadHandle.getAt(i);
                if (entry.isPrimary() || entry.getStatus() != KeyStatus.ENABLED) {
                    continue;
                }
                KeysetHandle.Builder builder = KeysetHandle.newBuilder(daeadHandle);
                // same keyset, this key made primary: encrypts under it, still decrypts under all
                builder.getAt(i).makePrimary();
                DeterministicAead daeadForKey = builder.build()
                        .getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);
                ciphers.add(new TinkDeterministicColumnCipher(daeadForKey, entry.getId(), daeadKeys, columnName));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build deterministic ciphers for column " + columnName, e);
        }
        return List.copyOf(ciphers);
    }

    /** True when the keyset holds a match key (keysets written before match indexes existed have none). */
    public boolean hasMatchKey() {
        return matchHandle != null;
    }

    /**
     * This keyset with a match key added, or this keyset when it has one already ({@code warden keys
     * add-match-key}); every other key stays as it is.
     */
    public WardenKeyset withMatchKey() {
        if (matchHandle != null) return this;
        try {
            return new WardenKeyset(aeadHandle, daeadHandle, macHandle,
                    KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF), orderHandle);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a match key", e);
        }
    }

    /**
     * The keyed n-gram index of {@code columnName} (e.g. {@code "customers.name"}): its key is
     * PRF(match key, {@code "warden-match/1:" + columnName}), so no two columns share tokens and the index key
     * is never the column's encryption key.
     *
     * @throws KeyException when the keyset has no match key
     */
    public MatchIndex matchIndex(String columnName) throws KeyException {
        if (matchPrf == null) {
            throw new KeyException("the keyset has no match key, which the match index of " + columnName
                    + " needs: run warden keys add-match-key (or warden keys rotate)");
        }
        try {
            byte[] subkey = matchPrf.computePrimary(
                    (MatchIndex.KEY_LABEL + columnName).getBytes(StandardCharsets.UTF_8), 32);
            return new MatchIndex(subkey);
        } catch (GeneralSecurityException e) {
            throw new KeyException("cannot derive the match key of " + columnName, e);
        }
    }

    /** True when the keyset holds an order key (keysets written before order indexes existed have none). */
    public boolean hasOrderKey() {
        return orderHandle != null;
    }

    /**
     * This keyset with an order key added, or this keyset when it has one already; every other key stays as it is.
     */
    public WardenKeyset withOrderKey() {
        if (orderHandle != null) return this;
        try {
            return new WardenKeyset(aeadHandle, daeadHandle, macHandle, matchHandle,
                    KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an order key", e);
        }
    }

    /**
     * The order index of {@code columnName} (e.g. {@code "customers.birth_date"}) holding values of {@code type}:
     * its two AES-256 keys are PRF(order key, {@code "warden-order/1:permutation:" + columnName}) and
     * PRF(order key, {@code "warden-order/1:prf:" + columnName}), so no two columns' ciphertexts compare and the
     * index keys are never the column's encryption key.
     *
     * @throws KeyException when the keyset has no order key
     * @throws IllegalArgumentException when {@code type} has no order ({@link LogicalType#BYTES})
     */
    public OrderIndex orderIndex(String columnName, LogicalType type) throws KeyException {
        int blocks = OrderEncoding.width(type);
        if (orderPrf == null) {
            throw new KeyException("the keyset has no order key, which the order index of " + columnName
                    + " needs: run warden keys add-order-key (or warden keys rotate)");
        }
        try {
            byte[] kp = orderPrf.computePrimary(
                    (OrderIndex.KEY_LABEL + "permutation:" + columnName).getBytes(StandardCharsets.UTF_8), 32);
            byte[] kf = orderPrf.computePrimary(
                    (OrderIndex.KEY_LABEL + "prf:" + columnName).getBytes(StandardCharsets.UTF_8), 32);
            return new OrderIndex(type, new LewiWuBlockOre(kp, kf, blocks));
        } catch (GeneralSecurityException e) {
            throw new KeyException("cannot derive the order key of " + columnName, e);
        }
    }

    /** How many randomized and deterministic keys decrypt without the keyset wrapper; for tests. */
    int[] routedKeyCounts() {
        return new int[] {aeadKeys.routedKeys(), daeadKeys.routedKeys()};
    }

    /** HMAC-SHA256 (Tink) tag of {@code data} under the audit key, for the audit hash chain. */
    public byte[] auditMac(byte[] data) {
        try {
            return mac.computeMac(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("audit MAC computation failed", e);
        }
    }

    /**
     * The audit MAC of {@code data} under each enabled key of the audit keyset, the primary's first: what the trail
     * recorded for {@code data} in each audit-key era (a row-key hash written before a rotation is under an older
     * key). Each tag carries its key id (Tink prefix), so the era can be read back from the tag.
     */
    public List<byte[]> auditMacUnderEveryKey(byte[] data) {
        List<byte[]> tags = new java.util.ArrayList<>();
        tags.add(auditMac(data));
        try {
            int primary = macHandle.getPrimary().getId();
            for (int i = 0; i < macHandle.size(); i++) {
                KeysetHandle.Entry entry = macHandle.getAt(i);
                if (entry.getId() == primary || entry.getStatus() != com.google.crypto.tink.KeyStatus.ENABLED) {
                    continue;
                }
                KeysetHandle one = KeysetHandle.newBuilder()
                        .addEntry(KeysetHandle.importKey(entry.getKey()).withFixedId(entry.getId()).makePrimary())
                        .build();
                tags.add(one.getPrimitive(RegistryConfiguration.get(), Mac.class).computeMac(data));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("audit MAC computation failed", e);
        }
        return tags;
    }

    /** True when {@code tag} is a valid audit MAC of {@code data} under any key of the audit keyset. */
    public boolean verifyAuditMac(byte[] tag, byte[] data) {
        try {
            mac.verifyMac(tag, data);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Number of key generations: the keys in the data (AEAD) keyset. {@link #generate} gives 1 and each
     * {@link #rotate} adds 1 to all three keysets.
     */
    public int keyCount() {
        return aeadHandle.size();
    }

    /** Primary key ids, e.g. {@code "aead=123 daead=456 mac=789"}: Tink ids, not key material. */
    public String primaryKeyIds() {
        return "aead=" + Integer.toUnsignedString(aeadHandle.getPrimary().getId())
                + " daead=" + Integer.toUnsignedString(daeadHandle.getPrimary().getId())
                + " mac=" + Integer.toUnsignedString(macHandle.getPrimary().getId());
    }

    @Override
    public String toString() {
        return "WardenKeyset[keys=" + keyCount() + ", primary " + primaryKeyIds() + "]";
    }

    private static KeysetHandle withNewPrimary(KeysetHandle handle, Parameters parameters)
            throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
        // makePrimary() on the new entry demotes the previous primary; the old keys stay ENABLED
        builder.addEntry(KeysetHandle.generateEntryFromParameters(parameters).withRandomId().makePrimary());
        return builder.build();
    }

    private static JsonNode encrypted(KeysetHandle handle, MasterKey masterKey, String role)
            throws GeneralSecurityException, IOException {
        String json = TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, masterKey.aead(),
                associatedData(role));
        return JSON.readTree(json);
    }

    private static byte[] associatedData(String role) {
        return (FORMAT + ":" + role).getBytes(StandardCharsets.UTF_8);
    }
}
