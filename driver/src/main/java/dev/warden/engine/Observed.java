package dev.warden.engine;

import dev.warden.audit.AuditEvent;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What enforcing the policy would have done to one statement that observe mode runs as the application wrote it:
 * the {@code would-*} decision its audit record carries instead of {@code allowed}. One per guard, immutable.
 *
 * <p>Precedence, one decision per statement (each statement leaves exactly one event): {@code would-refuse} (the
 * statement would not have run), then {@code would-mask} (a result column would have been masked or withheld), then
 * {@code would-encrypt} (values it sends would have been encrypted, or its text rewritten to compare ciphertext).
 * A read that enforcement would only have decrypted, for a role that sees the column in plaintext, gives the
 * application the same answer: it stays {@code allowed}.
 *
 * @param decision one of {@link AuditEvent#WOULD_REFUSE}, {@link AuditEvent#WOULD_MASK},
 *                 {@link AuditEvent#WOULD_ENCRYPT}, or null when enforcement would have run it unchanged
 * @param sqlState the SQLState of the refusal enforcement would have raised; null unless {@code would-refuse}
 * @param reason   the refusal's message, or which columns would have been masked or encrypted; never a value
 * @param verdict  the enforce verdict, whose tables and columns the record names; null when the statement was
 *                 refused before there was one
 */
record Observed(String decision, String sqlState, String reason, CompiledStatement verdict) {

    /** The message enforcement gives COPY on a protected table (the front doors refuse it before it runs). */
    static final String COPY_REFUSAL = "COPY on a protected table is not supported";

    /** Enforcement would have refused the statement with {@code refusal}. */
    static Observed refused(SQLException refusal) {
        return new Observed(AuditEvent.WOULD_REFUSE, refusal.getSQLState(), refusal.getMessage(), null);
    }

    /**
     * What {@code enforced}, the guard enforcement compiled for {@code written} (an analysed statement it
     * allowed), would have changed.
     */
    static Observed of(GuardedStatement enforced, String written, boolean copy) {
        CompiledStatement verdict = enforced.compiled();
        if (copy && enforced.touchesProtected()) {
            SQLException refusal = SqlStates.unsupported(COPY_REFUSAL);
            return new Observed(AuditEvent.WOULD_REFUSE, refusal.getSQLState(), refusal.getMessage(), verdict);
        }
        List<String> shownOtherwise = new ArrayList<>();
        for (Map.Entry<String, String> read : new java.util.TreeMap<>(verdict.columnsRead()).entrySet()) {
            if (!"plaintext".equals(read.getValue())) shownOtherwise.add(read.getKey() + " " + read.getValue());
        }
        boolean encrypts = enforced.encryptsAnyParameter() || !enforced.sql().equals(written);
        if (!shownOtherwise.isEmpty()) {
            return new Observed(AuditEvent.WOULD_MASK, null, "enforcement would show " + String.join(", ", shownOtherwise)
                    + (encrypts ? ", and encrypt the protected values the statement sends" : ""), verdict);
        }
        if (encrypts) {
            List<String> sent = new ArrayList<>(verdict.columnsWritten());
            for (String filtered : verdict.columnsFiltered()) if (!sent.contains(filtered)) sent.add(filtered);
            return new Observed(AuditEvent.WOULD_ENCRYPT, null, "enforcement would encrypt the protected values the"
                    + " statement sends" + (sent.isEmpty() ? "" : " (" + String.join(", ", sent) + ")"), verdict);
        }
        return new Observed(null, null, null, verdict);
    }
}
