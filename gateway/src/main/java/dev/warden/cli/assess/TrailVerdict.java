package dev.warden.cli.assess;

import dev.warden.audit.AuditVerification;
import dev.warden.audit.ReportTable;
import dev.warden.audit.TrailVerification;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The audit trail's verification ({@link TrailVerification}, as {@code warden audit verify} computes it) for a page:
 * a one-line verdict with the chains' heads, and a table per chain. Stateless.
 */
public final class TrailVerdict {

    private TrailVerdict() {}

    /** "verified: 1 chain(s), 9 events; CHAIN head seq 9", "FAILED ...", or "not verified: {@code problem}". */
    public static String of(TrailVerification v, String problem) {
        if (v == null) return "not verified: " + problem;
        long events = v.chains().values().stream().mapToLong(AuditVerification::events).sum();
        String heads = String.join(", ", v.chains().entrySet().stream()
                .map(c -> c.getKey() + " head seq " + c.getValue().lastSeq()).toList());
        return (v.ok() ? "verified: " : "FAILED (tampering or loss): ") + v.chains().size() + " chain(s), " + events
                + " events; " + heads;
    }

    /** One row per chain: result, events, seqs, head hash, seal and findings (empty when {@code v} is null). */
    public static ReportTable table(TrailVerification v) {
        List<List<Object>> rows = new ArrayList<>();
        if (v != null) {
            v.chains().forEach((chain, c) -> rows.add(Arrays.asList(chain, c.ok() ? "OK" : "FAILED", c.events(),
                    c.firstSeq(), c.lastSeq(), c.lastHash(), c.sealed() ? "yes" : "no",
                    String.join("; ", c.findings().stream().map(AuditVerification.Finding::toString).toList()))));
        }
        return new ReportTable("Audit trail verification", List.of("chain", "result", "events", "first seq",
                "head seq", "head hash", "sealed", "findings"), rows);
    }
}
