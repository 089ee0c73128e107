package dev.warden.audit;

import java.util.List;

/**
 * The outcome of verifying a trail: every finding, most serious first in file order, and what was verified.
 *
 * @param events   authenticated events in the chain (MAC valid)
 * @param firstSeq lowest sequence number seen, 0 when none
 * @param lastSeq  highest sequence number seen, 0 when none
 * @param lastHash hash (hex) of the authenticated event holding {@code lastSeq}, {@code ""} when none: record it
 *                 elsewhere (with {@code lastSeq}) to detect later removal of whole runs, see
 *                 {@link #expectAtLeast}
 * @param sealed   the trail ends with a seal event
 */
public record AuditVerification(List<Finding> findings, long events, long firstSeq, long lastSeq, String lastHash,
                                boolean sealed) {

    public AuditVerification {
        findings = List.copyOf(findings);
    }

    /** ERROR: evidence of tampering or loss. WARNING: explained by normal operation (crash, live file). */
    public enum Severity { ERROR, WARNING }

    public enum Kind {
        /** An event whose content no longer matches its hash. */
        EDITED,
        /** A line that is not part of the chain (forged, or a copy of another event). */
        INSERTED,
        /** Sequence numbers missing inside a file or across files that are not a rotation boundary. */
        DELETED,
        /** An event that appears after a later one. */
        REORDERED,
        /** The chain does not continue across a file boundary or from one event to the next. */
        CHAIN_BREAK,
        /** Two authenticated events with the same sequence number (two writers on one trail). */
        FORKED,
        /** A complete line that is not an audit event. */
        MALFORMED,
        /** The chain's last event ends a file by rotation: the file(s) after it are missing. */
        MISSING_NEWEST_FILE,
        /** The trail does not end with a seal and no sink is writing it: the tail may have been cut. */
        UNSEALED,
        /** A file ends with part of a line: a crash while writing. */
        TORN_LINE,
        /**
         * The trail ends before a sequence number known to have been written ({@link #expectAtLeast}, an anchor),
         * or an anchored chain is missing altogether.
         */
        TRUNCATED,
        /** The last file is unsealed because a running sink holds the trail's lock. */
        LIVE,
        /** The first event given is not seq 1: earlier files were not given (archived or removed). */
        STARTS_LATE,
        /** An alarm event written by the sink (outage, crash recovery). */
        ALARM,
        /**
         * A format 2 line refers to a dictionary entry that no authenticated earlier line of its file defines (the
         * defining line was deleted or edited).
         */
        UNRESOLVED
    }

    public record Finding(Severity severity, Kind kind, String message) {
        @Override
        public String toString() {
            return severity + " " + message;
        }
    }

    /**
     * Adds an error when the trail ends before {@code seq}, a sequence number recorded from an earlier
     * verification or from monitoring. A seal proves only that the trail once ended there: removing every file
     * of the runs after a clean close is caught only against such an outside record.
     */
    public AuditVerification expectAtLeast(long seq) {
        if (lastSeq >= seq) {
            return this;
        }
        List<Finding> more = new java.util.ArrayList<>(findings);
        more.add(0, new Finding(Severity.ERROR, Kind.TRUNCATED, "trail ends at seq " + lastSeq + " but seq " + seq
                + " was written: events " + (lastSeq + 1) + ".." + seq + " are missing"));
        return new AuditVerification(more, events, firstSeq, lastSeq, lastHash, sealed);
    }

    /** No ERROR finding: the trail is complete and untouched as far as the files given show. */
    public boolean ok() {
        return findings.stream().noneMatch(f -> f.severity() == Severity.ERROR);
    }

    public List<Finding> errors() {
        return findings.stream().filter(f -> f.severity() == Severity.ERROR).toList();
    }

    public boolean has(Kind kind) {
        return findings.stream().anyMatch(f -> f.kind() == kind);
    }

    /** One line: {@code OK: 1234 events verified (seq 1..1234), trail sealed} or the number of problems. */
    public String summary() {
        String range = events == 0 ? "no events" : events + " events verified (seq " + firstSeq + ".." + lastSeq + ")";
        if (ok()) {
            return "OK: " + range + (sealed ? ", trail sealed" : ", trail not sealed (live)")
                    + (findings.isEmpty() ? "" : ", " + findings.size() + " warning(s)");
        }
        return "FAILED: " + errors().size() + " problem(s) showing tampering or loss; " + range;
    }

    /** The summary, the head (to record elsewhere) and each finding, one per line. */
    public String render() {
        StringBuilder out = new StringBuilder(summary()).append('\n');
        if (events > 0) {
            out.append("head: seq ").append(lastSeq).append(" hash ").append(lastHash).append('\n');
        }
        findings.forEach(f -> out.append(f).append('\n'));
        return out.toString();
    }
}
