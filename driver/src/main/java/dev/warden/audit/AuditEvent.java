package dev.warden.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One audit record. Never holds a protected value: statements appear only as their normalised fingerprint
 * (every literal replaced by {@code ?}), row keys only as keyed hashes.
 *
 * @param type           "statement", or a key/policy event: "policy-loaded", "keyset-opened", "key-rotated",
 *                       "alarm"
 * @param time           UTC, microsecond precision
 * @param columnsRead    table.column to how it was shown: "plaintext", "masked" or "denied"
 * @param rows           rows returned or affected, -1 when unknown
 * @param decision       "allowed" or "refused"
 * @param reason         why it was refused (names rule and column, never a value), else null
 * @param sqlState       the refusal's SQLState, or the database's error SQLState, else null
 * @param rowKeyHashes   keyed hashes of the primary keys of protected rows returned (policy switch), or empty
 */
public record AuditEvent(String type, Instant time, String eventId, String sessionId, String databaseUser,
                         String role, String purpose, String client, String clientAddress, String statementKind,
                         String fingerprint, String policyVersion, List<String> tables,
                         Map<String, String> columnsRead, List<String> columnsWritten,
                         List<String> columnsFiltered, long rows, String decision, String reason,
                         String sqlState, long durationMicros, List<String> rowKeyHashes) {}
