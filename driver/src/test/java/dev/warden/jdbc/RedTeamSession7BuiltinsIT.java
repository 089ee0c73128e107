package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.SecretColumnsExample;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red-team finding of session 7 against the driver: logical decoding through SQL. A replication slot's changes
 * ({@code pg_logical_slot_peek_changes('slot', NULL, NULL)}, with {@code test_decoding} or any output plugin) are
 * every row written since the slot was made, with their stored values: the plaintext of rules-only columns, named
 * by the slot rather than by a table, so the statement named no protected table and passed through. Usable by a
 * database user with {@code REPLICATION} on a database with {@code wal_level = logical} (change-data capture).
 * Fixed by construction: the family is one of {@code RefusedBuiltins}', refused in any statement and server code.
 */
class RedTeamSession7BuiltinsIT {

    @Test
    void logicalDecodingThroughSqlIsRefusedInAnySpelling() throws Exception {
        SecretColumnsExample example = SecretColumnsExample.create();
        try (Connection analyst = example.db().as(example.policyDirectory(), "analyst", null)) {
            for (String sql : List.of(
                    "SELECT data FROM pg_logical_slot_peek_changes('warden_cdc', NULL, NULL)",
                    "SELECT * FROM pg_catalog.\"pg_logical_slot_get_changes\"('warden_cdc', NULL, NULL)",
                    "SELECT encode(data, 'escape') FROM PG_LOGICAL_SLOT_PEEK_BINARY_CHANGES('warden_cdc', NULL, NULL)",
                    "SELECT count(*) FROM pg_logical_slot_get_binary_changes('warden_cdc', NULL, 10)")) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    try (Statement s = analyst.createStatement()) {
                        s.execute(sql);
                    }
                }, sql);
                assertEquals("0A000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("pg_logical_slot_"), e.getMessage());
            }
        }
    }
}
