package dev.warden.engine;

import dev.warden.audit.AuditEvent;
import dev.warden.policy.Policy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The audit record of one {@link Reencryption} run over one table ({@link AuditEvent#REENCRYPTION}): which
 * table and columns, how many rows and values, from which keys to which, and the outcome. Built only from
 * counts, key ids, names and an SQLState, so it cannot carry a value; a failure's message is left out because
 * it names the failing row's key. Not thread-safe; one per run.
 */
final class ReencryptionEvent {

    /** The {@code client} of the record: the tool, as the gateway's events name their client. */
    static final String CLIENT = "warden keys reencrypt";

    private final Policy policy;
    private final String table;
    private final String databaseUser;
    private final boolean dryRun;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();

    ReencryptionEvent(Policy policy, String table, String databaseUser, boolean dryRun) {
        this.policy = policy;
        this.table = table;
        this.databaseUser = databaseUser;
        this.dryRun = dryRun;
    }

    AuditEvent completed(Reencryption.Result result) {
        return event(result, (dryRun ? "dry run, nothing written: " : "completed: ") + summary(result), null);
    }

    /**
     * @param committed what the batches committed before the failure did, or null when none was
     * @param sqlState  the failure's SQLState, or null when it was not an SQLException
     */
    AuditEvent failed(Reencryption.Result committed, String sqlState) {
        String state = sqlState == null ? "an unexpected error" : "SQLState " + sqlState;
        String reason = committed == null
                ? "failed with " + state + " before any batch was committed"
                : "failed with " + state + "; the batches committed before it stay committed: " + summary(committed);
        return event(committed, reason, sqlState == null ? "XX000" : sqlState);
    }

    private AuditEvent event(Reencryption.Result result, String reason, String sqlState) {
        List<String> written = new ArrayList<>();
        if (result != null && !dryRun) {
            for (Reencryption.ColumnCounts c : result.columns()) written.add(result.table() + "." + c.column());
        }
        long rows = result == null || dryRun ? 0 : result.rowsUpdated();
        long micros = (System.nanoTime() - startNanos) / 1000;
        return new AuditEvent(AuditEvent.REENCRYPTION, start.truncatedTo(ChronoUnit.MICROS),
                AuditEvent.REENCRYPTION + "-" + UUID.randomUUID(), null, databaseUser, null, null, CLIENT, null,
                "REENCRYPT", null, policy.version(), List.of(result == null ? table : result.table()), Map.of(),
                List.copyOf(written), List.of(), rows, "allowed", reason, sqlState, micros, List.of());
    }

    /**
     * E.g. {@code 5 rows scanned, 3 rows updated in 3 batch(es); customers.email: 2 re-encrypted (from daead
     * 123: 2), 1 encrypted from plaintext, 2 already current, 0 NULL, now under daead 456; ...}.
     */
    private static String summary(Reencryption.Result r) {
        StringBuilder b = new StringBuilder();
        b.append(r.rowsScanned()).append(" rows scanned, ").append(r.rowsUpdated())
                .append(r.dryRun() ? " rows to update in " : " rows updated in ").append(r.batches()).append(" batch(es)");
        for (Reencryption.ColumnCounts c : r.columns()) {
            b.append("; ").append(r.table()).append('.').append(c.column()).append(": ").append(c.reencrypted())
                    .append(" re-encrypted");
            if (!c.reencryptedFromKeys().isEmpty()) {
                StringBuilder from = new StringBuilder();
                c.reencryptedFromKeys().forEach((key, n) -> from.append(from.isEmpty() ? "" : ", ").append(key)
                        .append(": ").append(n));
                b.append(" (from ").append(from).append(')');
            }
            b.append(", ").append(c.encryptedFromPlaintext()).append(" encrypted from plaintext, ")
                    .append(c.alreadyCurrent()).append(" already current, ").append(c.nulls()).append(" NULL, now under ")
                    .append(c.primaryKey());
        }
        return b.toString();
    }
}
