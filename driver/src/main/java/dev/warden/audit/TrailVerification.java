package dev.warden.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of verifying a trail chain by chain ({@link AuditVerifier#verifyChains}): one
 * {@link AuditVerification} per chain, by chain name. Immutable.
 */
public record TrailVerification(SortedMap<String, AuditVerification> chains) {

    public TrailVerification {
        chains = Collections.unmodifiableSortedMap(new TreeMap<>(chains));
    }

    /** No chain has an ERROR finding. */
    public boolean ok() {
        return chains.values().stream().allMatch(AuditVerification::ok);
    }

    /**
     * Adds an error to chain {@code chain} when it ends before {@code seq} (see
     * {@link AuditVerification#expectAtLeast}); a chain not found at all is an error too.
     */
    public TrailVerification expectAtLeast(String chain, long seq) {
        SortedMap<String, AuditVerification> next = new TreeMap<>(chains);
        AuditVerification v = chains.get(chain);
        next.put(chain, (v != null ? v : new AuditVerification(List.of(), 0, 0, 0, "", false)).expectAtLeast(seq));
        return new TrailVerification(next);
    }

    /**
     * All chains as one verification: one chain's own; for several, every finding prefixed with its chain's name,
     * the events summed, the lowest first and highest last seq, sealed when every chain is.
     */
    public AuditVerification combined() {
        if (chains.size() == 1) {
            return chains.values().iterator().next();
        }
        List<AuditVerification.Finding> findings = new ArrayList<>();
        long events = 0;
        long first = Long.MAX_VALUE;
        long last = 0;
        boolean sealed = !chains.isEmpty();
        for (var c : chains.entrySet()) {
            AuditVerification v = c.getValue();
            v.findings().forEach(f -> findings.add(new AuditVerification.Finding(f.severity(), f.kind(),
                    c.getKey() + ": " + f.message())));
            events += v.events();
            if (v.events() > 0) {
                first = Math.min(first, v.firstSeq());
            }
            last = Math.max(last, v.lastSeq());
            sealed &= v.sealed();
        }
        findings.sort((x, y) -> x.severity().compareTo(y.severity()));
        return new AuditVerification(findings, events, first == Long.MAX_VALUE ? 0 : first, last, "", sealed);
    }

    /**
     * One block per chain ({@code CHAIN: summary}, its head and its findings, indented), then the total:
     * {@code TOTAL: OK: 3 chains verified, 1234 events} or how many chains failed.
     */
    public String render() {
        StringBuilder out = new StringBuilder();
        long events = 0;
        int failed = 0;
        for (var c : chains.entrySet()) {
            AuditVerification v = c.getValue();
            out.append(c.getKey()).append(": ").append(v.summary()).append('\n');
            if (v.events() > 0) {
                out.append("  head: seq ").append(v.lastSeq()).append(" hash ").append(v.lastHash()).append('\n');
            }
            v.findings().forEach(f -> out.append("  ").append(f).append('\n'));
            events += v.events();
            failed += v.ok() ? 0 : 1;
        }
        String count = chains.size() + (chains.size() == 1 ? " chain" : " chains");
        out.append("TOTAL: ").append(failed == 0 ? "OK: " + count + " verified, " : "FAILED: " + failed + " of " + count
                + " with tampering or loss, ").append(events).append(" events\n");
        return out.toString();
    }
}
