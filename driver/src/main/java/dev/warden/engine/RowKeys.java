package dev.warden.engine;

import dev.warden.crypto.WardenKeyset;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Keyed hashes of the primary keys of protected rows a result returns (the policy's
 * {@code audit.hash-row-keys}), so that an auditor can later ask "who has seen this customer's record"
 * without the trail holding customer identifiers in clear. Immutable; shared by a plan's executions.
 */
public final class RowKeys {

    private static final HexFormat HEX = HexFormat.of();
    private final int[] positions;   // 1-based result columns holding a protected table's primary key
    private final String[] tables;   // the table of each position
    private final WardenKeyset keyset;

    RowKeys(int[] positions, String[] tables, WardenKeyset keyset) {
        this.positions = positions;
        this.tables = tables;
        this.keyset = keyset;
    }

    /** The hash an auditor computes for a row: HMAC of "warden-row/1:table:key" under the audit key. */
    public static String hash(WardenKeyset keyset, String table, String key) {
        return HEX.formatHex(keyset.auditMac(rowKeyData(table, key)));
    }

    private static byte[] rowKeyData(String table, String key) {
        return ("warden-row/1:" + table + ":" + key).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The hash of a row under every audit key of the keyset, the current (primary) key's first: the trail holds
     * the row's hash under whichever key was primary when the row was read, so "who has seen this row" across
     * audit-key rotations needs them all.
     */
    public static java.util.List<String> hashesUnderEveryKey(WardenKeyset keyset, String table, String key) {
        return keyset.auditMacUnderEveryKey(rowKeyData(table, key)).stream().map(HEX::formatHex).toList();
    }

    /** Adds the hashes of the current row of {@code raw} to {@code audit}. */
    void hashRow(ResultSet raw, StatementAudit audit) throws SQLException {
        for (int i = 0; i < positions.length; i++) {
            String key = raw.getString(positions[i]);
            if (key != null) audit.rowKey(hash(keyset, tables[i], key));
        }
    }
}
