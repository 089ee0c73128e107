package dev.warden.engine;

import dev.warden.crypto.ColumnCipher;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * Counts what an encrypted column of the live database holds ({@code warden policy check}, {@code warden assess}):
 * values that open under the keyset (ciphertext of this column), values that carry the prefix of one of the
 * keyset's keys but do not open (a retired key, another column's ciphertext, or a modified value), and values
 * that are neither: plaintext left behind. Counts only: a value is decrypted into a buffer that is dropped at
 * once, and nothing of it is kept, logged or put in a message. Stateless.
 */
public final class CiphertextCensus {

    /**
     * One column's counts over {@code scanned} rows; {@code complete} is false when the rows were a sample (the
     * first {@code limit} rows the database returned).
     */
    public record Count(ColumnRule rule, long scanned, long nulls, long ciphertext, long unreadable, long plaintext,
                        boolean complete) {

        /** The share of non-null values that are ciphertext of this column (1 when there is none). */
        public double encryptedShare() {
            long values = scanned - nulls;
            return values == 0 ? 1.0 : (double) ciphertext / values;
        }
    }

    private CiphertextCensus() {}

    /** Whether Warden can store ciphertext in a column of this database type (bytea, or a text type as base64). */
    public static boolean storable(String typeName) {
        return Storage.forColumnType(typeName) != null;
    }

    /**
     * Reads {@code rule}'s column (of database type {@code typeName}, which must be {@link #storable}) over a plain
     * JDBC connection: every row, or the first {@code limit} ({@code limit <= 0}: every row).
     */
    public static Count count(Connection connection, ColumnRule rule, String typeName, WardenKeyset keyset, long limit)
            throws SQLException {
        if (rule.encryption() == Encryption.NONE) throw new IllegalArgumentException(rule.qualifiedName() + " is not encrypted");
        Storage storage = Storage.forColumnType(typeName);
        if (storage == null) throw new IllegalArgumentException(rule.qualifiedName() + " is of type " + typeName);
        boolean deterministic = rule.encryption() == Encryption.DETERMINISTIC;
        ColumnCipher cipher = deterministic ? keyset.deterministic(rule.cipherBinding()) : keyset.randomized(rule.cipherBinding());
        // a join group's column may still hold values under its own binding, from before it joined
        ColumnCipher former = rule.cipherBinding().equals(rule.qualifiedName()) ? null : keyset.deterministic(rule.qualifiedName());
        String table = (rule.schema() == null ? "" : MatchWrites.identifier(rule.schema()) + ".")
                + MatchWrites.identifier(rule.table());
        String sql = "SELECT " + MatchWrites.identifier(rule.column()) + " FROM " + table + (limit > 0 ? " LIMIT " + limit : "");
        long scanned = 0;
        long nulls = 0;
        long ciphertext = 0;
        long unreadable = 0;
        long plaintext = 0;
        boolean autoCommit = connection.getAutoCommit();
        // pgjdbc reads a result in batches (fetch size) only inside a transaction: without one a column of
        // millions of rows would be held in memory at once
        if (autoCommit) connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.setFetchSize(1000);
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    scanned++;
                    byte[] stored = storage == Storage.BYTEA ? rs.getBytes(1) : base64OrNull(rs.getString(1));
                    if (storage == Storage.BYTEA ? stored == null : rs.wasNull()) {
                        nulls++;
                    } else if (opens(cipher, stored) || opens(former, stored)) {
                        ciphertext++;
                    } else if (keyset.hasPrefixOfAnyKey(stored, deterministic)) {
                        unreadable++;
                    } else {
                        plaintext++;
                    }
                }
            }
        } finally {
            connection.rollback();
            if (autoCommit) connection.setAutoCommit(true);
        }
        return new Count(rule, scanned, nulls, ciphertext, unreadable, plaintext, limit <= 0 || scanned < limit);
    }

    private static boolean opens(ColumnCipher cipher, byte[] stored) {
        if (cipher == null || stored == null) return false;
        try {
            cipher.decrypt(stored);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] base64OrNull(String text) {
        if (text == null) return null;
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
