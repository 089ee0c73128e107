package dev.warden.engine;

import dev.warden.crypto.ColumnCipher;
import dev.warden.crypto.LogicalType;
import dev.warden.crypto.MatchIndex;
import dev.warden.crypto.ValueCodec;
import dev.warden.policy.Access;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.metrics.EngineMeters;
import java.security.GeneralSecurityException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One protected column as the engine uses it: its rule, its cipher (obtained once) and how its ciphertext is
 * stored. Immutable and thread-safe; this is the per-value hot path, so it allocates only what the codec and
 * Tink must.
 */
public final class ProtectedColumn {

    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Decoder BASE64 = Base64.getDecoder();

    private final ColumnRule rule;
    private final ColumnCipher cipher;  // null when the column is rules-only (encrypt: none)
    // deterministic columns: one cipher per enabled key, primary first (see equalityKeys)
    private final ColumnCipher[] equalityCiphers;
    private final LogicalType type;
    private final Storage storage;
    private final String name;
    private final MatchIndex matchIndex;  // null unless the column keeps a match index
    private final dev.warden.crypto.OrderIndex orderIndex;  // null unless the column keeps an order index
    private final EngineMeters meters;

    /**
     * @param equalityCiphers for a deterministic column, one cipher per enabled key of the keyset, the
     *                        primary's first: a value compared for equality is encrypted under each
     * @param matchIndex      the column's match index ({@code match: true}), or null
     * @param orderIndex      the column's order index ({@code order: true}), or null
     * @param meters          counts the values encrypted and decrypted, and decryption failures
     */
    ProtectedColumn(ColumnRule rule, ColumnCipher cipher, ColumnCipher[] equalityCiphers, Storage storage,
                    MatchIndex matchIndex, dev.warden.crypto.OrderIndex orderIndex, EngineMeters meters) {
        this.meters = meters;
        this.orderIndex = orderIndex;
        this.matchIndex = matchIndex;
        this.rule = rule;
        this.cipher = cipher;
        this.equalityCiphers = equalityCiphers.clone();
        this.type = LogicalType.valueOf(rule.type().name());
        this.storage = storage;
        this.name = rule.qualifiedName();
    }

    public ColumnRule rule() {
        return rule;
    }

    public String name() {
        return name;
    }

    Storage storage() {
        return storage;
    }

    public LogicalType type() {
        return type;
    }

    boolean encrypted() {
        return cipher != null;
    }

    boolean deterministic() {
        return rule.encryption() == Encryption.DETERMINISTIC;
    }

    /**
     * The value to bind in place of {@code plaintext}: ciphertext as byte[] (bytea) or base64 String (text),
     * or for a rules-only column the plaintext itself.
     */
    Object protect(Object plaintext) throws SQLException {
        if (plaintext == null) return null;
        if (cipher == null) return plaintext;
        byte[] ciphertext = seal(cipher, plaintext);
        return storage == Storage.BYTEA ? ciphertext : Base64.getEncoder().encodeToString(ciphertext);
    }

    /**
     * The plaintext an inline literal stands for in this column, exactly as the server would store it, or a
     * refusal (0A000) where Warden cannot tell that exactly. A number written into a text column is stored as the
     * server prints the constant ({@code 007} as {@code 7}, {@code 1e3} as {@code 1000}): only numbers already in
     * that form are taken as written.
     */
    String literalValue(dev.warden.sql.LexedSql lexed, int slot) throws SQLException {
        dev.warden.sql.Slot.Literal literal = (dev.warden.sql.Slot.Literal) lexed.slots().get(slot);
        if (literal.value() == null) throw KeyExpansion.unencryptableLiteral(this);
        if (cipher == null) return literal.value();
        dev.warden.sql.LiteralCast cast = dev.warden.sql.LiteralCast.of(lexed, slot);
        if (cast != null || lexed.isTypedLiteral(slot)) {
            // a cast to another type than the column's would change the value ('1.5'::int is 2): only the column's own
            String typeName = type.name().toLowerCase(java.util.Locale.ROOT);
            if (cast == null || !SAME_TYPE.getOrDefault(cast.type(), "").equals(typeName)) {
                throw SqlStates.unsupported("a literal with a type (a cast) written into or compared with " + name
                        + " (logical type " + typeName + ") is taken as a value only when that type is the column's"
                        + " logical type (" + typeName + ", without modifiers); write the value without the cast or"
                        + " pass it as a parameter");
            }
            // a number cast to text is the number the server prints ('1e3'::text is '1000'): the form check below
        }
        if (!literal.numeric()) return literal.value();
        boolean printedAsWritten = CANONICAL_NUMBER.matcher(literal.value()).matches()
                && !ZERO.matcher(literal.value()).matches();
        if (type == LogicalType.BYTES || type == LogicalType.TEXT && !printedAsWritten) {
            throw SqlStates.unsupported("a number written as " + (type == LogicalType.BYTES ? "a number" : "this"
                    + " literal") + " into or compared with " + name + " (logical type "
                    + type.name().toLowerCase(java.util.Locale.ROOT) + ") is stored by the server in another form"
                    + " than written; write it as a quoted string or pass it as a parameter");
        }
        return literal.value();
    }

    /** Type names, as written in a cast, that are exactly a logical type (no modifier changes the value). */
    private static final java.util.Map<String, String> SAME_TYPE = java.util.Map.ofEntries(
            java.util.Map.entry("text", "text"), java.util.Map.entry("varchar", "text"),
            java.util.Map.entry("int", "integer"), java.util.Map.entry("int4", "integer"),
            java.util.Map.entry("integer", "integer"), java.util.Map.entry("bigint", "bigint"),
            java.util.Map.entry("int8", "bigint"), java.util.Map.entry("numeric", "numeric"),
            java.util.Map.entry("decimal", "numeric"), java.util.Map.entry("date", "date"),
            java.util.Map.entry("timestamp", "timestamp"), java.util.Map.entry("bytea", "bytes"));

    /** A number the server prints as written: no leading zeros, no exponent, no underscores; a sign is allowed. */
    private static final java.util.regex.Pattern CANONICAL_NUMBER =
            java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?");
    /** Minus zero is printed without its sign. */
    private static final java.util.regex.Pattern ZERO = java.util.regex.Pattern.compile("-0(\\.0+)?");

    /** An SQL literal standing for the protected form of a literal written inline. */
    String protectLiteral(String literalValue, String sourceText) throws SQLException {
        if (cipher == null) return sourceText;
        byte[] ciphertext = seal(cipher, literalValue);
        return storage == Storage.BYTEA
                ? "'\\x" + HEX.formatHex(ciphertext) + "'::bytea"
                : "'" + Base64.getEncoder().encodeToString(ciphertext) + "'";
    }

    /**
     * How many ciphertexts one plaintext has in this column: 1, except for a deterministic column after a key
     * rotation, where rows written before it hold the value under an older key until re-encrypted.
     */
    int equalityKeys() {
        return Math.max(1, equalityCiphers.length);
    }

    /** {@link #protect} under the {@code key}-th enabled key (0 is the primary), for equality filters. */
    Object protectUnder(int key, Object plaintext) throws SQLException {
        if (key == 0 || plaintext == null || cipher == null) return protect(plaintext);
        byte[] ciphertext = seal(equalityCiphers[key], plaintext);
        return storage == Storage.BYTEA ? ciphertext : Base64.getEncoder().encodeToString(ciphertext);
    }

    /** {@link #protectLiteral} under the {@code key}-th enabled key (0 is the primary). */
    String protectLiteralUnder(int key, String literalValue, String sourceText) throws SQLException {
        if (key == 0 || cipher == null) return protectLiteral(literalValue, sourceText);
        byte[] ciphertext = seal(equalityCiphers[key], literalValue);
        return storage == Storage.BYTEA
                ? "'\\x" + HEX.formatHex(ciphertext) + "'::bytea"
                : "'" + Base64.getEncoder().encodeToString(ciphertext) + "'";
    }

    /** The column's match index, or null when it keeps none. */
    MatchIndex matchIndex() {
        return matchIndex;
    }

    /**
     * The companion value to store beside {@code plaintext}: its match tokens (bigint[] as a {@code long[]}),
     * or null for NULL.
     */
    Object matchTokens(Object plaintext) throws SQLException {
        if (plaintext == null) return null;
        return matchIndex.valueTokens(ValueText.of(plaintext));
    }

    /** An SQL literal of the companion value of an inline literal: {@code '{...}'::bigint[]}. */
    String matchTokensLiteral(String literalValue) {
        return "'" + MatchIndex.arrayText(matchIndex.valueTokens(literalValue)) + "'::bigint[]";
    }

    /** The column's order index, or null when it keeps none. */
    dev.warden.crypto.OrderIndex orderIndex() {
        return orderIndex;
    }

    /** True when a write of the column also writes a companion column (a match or an order index). */
    boolean hasCompanions() {
        return matchIndex != null || orderIndex != null;
    }

    /**
     * The companion value of the order index to store beside {@code plaintext}: a fresh right ciphertext (randomized:
     * two equal values store different bytes), or null for NULL. Refuses (22023) a value the index cannot order
     * exactly (a numeric of more than 26 significant digits), naming no value.
     */
    byte[] orderRight(Object plaintext) throws SQLException {
        if (plaintext == null) return null;
        try {
            return orderIndex.encrypt(plaintext).right();
        } catch (IllegalArgumentException e) {
            throw SqlStates.of(SqlStates.INVALID_VALUE, "value for " + name + " (order: true): " + e.getMessage());
        }
    }

    /** An SQL literal of the order companion of an inline literal: {@code '\\x...'::bytea}. */
    String orderRightLiteral(String literalValue) throws SQLException {
        return "'\\x" + HEX.formatHex(orderRight(literalValue)) + "'::bytea";
    }

    int bindSqlType() {
        if (cipher == null) return java.sql.Types.OTHER;
        return storage == Storage.BYTEA ? java.sql.Types.BINARY : java.sql.Types.VARCHAR;
    }

    /** Encrypts one value (and counts it). */
    private byte[] seal(ColumnCipher with, Object plaintext) throws SQLException {
        byte[] ciphertext = with.encrypt(encode(plaintext));
        meters.encrypted(1);
        return ciphertext;
    }

    private byte[] encode(Object plaintext) throws SQLException {
        try {
            // a deterministic column compares ciphertexts: one encoding per value (numeric: canonical, 1.50 is 1.5);
            // a randomized one keeps a numeric's scale, as PostgreSQL does
            return deterministic() ? ValueCodec.encode(type, plaintext) : ValueCodec.encodeAsWritten(type, plaintext);
        } catch (IllegalArgumentException e) {
            // the codec's message names the type and Java class, never the value
            throw SqlStates.of(SqlStates.INVALID_VALUE, "value for " + name + ": " + e.getMessage());
        }
    }

    /**
     * Reads column {@code index} of the current row of {@code raw} and returns its plaintext as the logical
     * type's Java value (String, Integer, Long, BigDecimal, LocalDate, LocalDateTime, byte[]), or null.
     * {@code textAsBytes}: {@code raw.getBytes} returns a text column's bytes as sent (see
     * {@link ResultDecoder#readsTextAsBytes}), so base64 is decoded from them without building a String.
     * {@code rowNames} and {@code rowNumber} only name the row in an error ({@link RowNames#describe}).
     */
    Object readPlaintext(ResultSet raw, int index, RowNames rowNames, long rowNumber, boolean textAsBytes)
            throws SQLException {
        if (cipher == null) {
            Object value = raw.getObject(index);
            return value instanceof java.sql.Date d ? d.toLocalDate()
                    : value instanceof java.sql.Timestamp t ? t.toLocalDateTime() : value;
        }
        byte[] ciphertext;
        if (storage == Storage.BYTEA) {
            ciphertext = raw.getBytes(index);
            if (ciphertext == null) return null;
        } else {
            try {
                if (textAsBytes) {
                    byte[] text = raw.getBytes(index);
                    if (text == null) return null;
                    ciphertext = BASE64.decode(text);  // reads, never writes, the driver's buffer
                } else {
                    String text = raw.getString(index);
                    if (text == null) return null;
                    ciphertext = BASE64.decode(text);
                }
            } catch (IllegalArgumentException e) {
                throw corrupted(RowNames.describe(rowNames, raw, index, rowNumber), "it is not base64 ciphertext", null);
            }
        }
        byte[] plaintext;
        try {
            plaintext = cipher.decrypt(ciphertext);
        } catch (GeneralSecurityException e) {
            throw corrupted(RowNames.describe(rowNames, raw, index, rowNumber), "the ciphertext was tampered with or belongs to another column", e);
        }
        meters.decrypted();
        try {
            return ValueCodec.decode(type, plaintext);
        } catch (IllegalArgumentException e) {
            throw corrupted(RowNames.describe(rowNames, raw, index, rowNumber), e.getMessage(), null);
        }
    }

    /** The value {@code access} lets the reader see: the plaintext, its mask, or (never reached) nothing. */
    Object shown(Object plaintext, Access access) {
        if (access == Access.PLAINTEXT || plaintext == null) return plaintext;
        return rule.mask() == null ? null : rule.mask().apply(ValueText.of(plaintext));
    }

    private SQLException corrupted(String row, String why, Throwable cause) {
        meters.decryptFailed();
        // the cause is Tink's, which never carries plaintext; keep it for operators. The message names the row
        // by its (unprotected) key or position, never by the value that failed
        return SqlStates.of(SqlStates.DATA_CORRUPTED, "cannot decrypt " + name + " " + row + ": " + why, cause);
    }
}
