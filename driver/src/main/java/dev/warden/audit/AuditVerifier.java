package dev.warden.audit;

import dev.warden.audit.AuditVerification.Finding;
import dev.warden.audit.AuditVerification.Kind;
import dev.warden.audit.AuditVerification.Severity;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a hash-chained trail (JSON Lines files, or the lines of the audit table) and says precisely what is
 * wrong: which event was edited, inserted, deleted or moved, where the chain breaks between files, whether the
 * tail may have been cut (no seal) and which torn line a crash left.
 *
 * <p>How each is told apart: a line whose MAC fails is an <em>edit</em> when it holds a sequence number no
 * authenticated line holds, else an <em>insertion</em>; a valid line repeating a sequence number is an insertion
 * (same hash) or a fork (different hash); sequence numbers missing from the authenticated set are
 * <em>deleted</em>, or a <em>chain break between files</em> when the gap falls exactly between the last event
 * of one file and the first of the next; an event after a higher sequence number is <em>reordered</em>. The
 * trail must end with a {@code seal}; when it does not, it is <em>live</em> (a warning) if a sink holds the
 * trail's lock, else <em>unsealed</em> (an error: the tail may have been cut).
 *
 * <p>Thread-safe (stateless apart from the key).
 */
public final class AuditVerifier {

    private final ChainKey key;
    private final boolean fromGenesis;

    /** A verifier for which a trail starting after seq 1 (older files archived) is a warning. */
    public AuditVerifier(ChainKey key) {
        this(key, false);
    }

    /** @param fromGenesis the files given must start at seq 1: a later start is an error, not a warning */
    public AuditVerifier(ChainKey key, boolean fromGenesis) {
        this.key = key;
        this.fromGenesis = fromGenesis;
    }

    /** The authenticated event with the highest seq met so far while reading (its full hash for the report). */
    private static final class Head {
        long seq;
        String hash = "";
    }

    /**
     * What verification keeps of a line: about 100 bytes with its map entry, so a trail of ten million events
     * verifies in about a gigabyte. Hashes are kept as their first 64 bits: they are only compared with other
     * authenticated hashes (the MAC covers {@code prev}), where a chance collision is 2^-64.
     */
    private static final class Entry {
        final int source;
        final int number;
        final long seq;
        final long prev;
        final long hash;
        final boolean valid;
        final boolean seal;
        final boolean rotated;
        final String alarmReason; // only for alarms
        boolean ignored;

        Entry(int source, int number, long seq, long prev, long hash, boolean valid, boolean seal, boolean rotated,
              String alarmReason) {
            this.source = source;
            this.number = number;
            this.seq = seq;
            this.prev = prev;
            this.hash = hash;
            this.valid = valid;
            this.seal = seal;
            this.rotated = rotated;
            this.alarmReason = alarmReason;
        }
    }

    /** Verifies one trail file or directory. */
    public AuditVerification verify(Path fileOrDirectory) throws IOException {
        return verify(List.of(fileOrDirectory));
    }

    /**
     * Verifies files and directories (each directory: its {@code *.jsonl} files), each chain on its own (see
     * {@link #verifyChains}), as one outcome: with one chain, exactly that chain's; with several, every chain's
     * findings prefixed by its name.
     */
    public AuditVerification verify(List<Path> paths) throws IOException {
        return verifyChains(paths, Map.of()).combined();
    }

    /**
     * Verifies each chain found in the files and directories given on its own (the chains of a multi-writer trail,
     * {@code BASE@INSTANCE-...}, and a single-writer trail's {@code BASE-...}), and checks each against the newest
     * head {@code anchors} holds for it: an anchored chain that is missing, ends before its anchored head or holds
     * another event there is an error.
     */
    public TrailVerification verifyChains(List<Path> paths, Map<String, AnchorFile.Head> anchors) throws IOException {
        java.util.SortedMap<String, AuditVerification> chains = new java.util.TreeMap<>();
        for (Map.Entry<String, List<Path>> chain : AuditTrailFiles.byChain(paths).entrySet()) {
            chains.put(chain.getKey(), verifyChain(chain.getValue(), anchors.get(chain.getKey())));
        }
        for (AnchorFile.Head anchor : anchors.values()) {
            if (!chains.containsKey(anchor.chain())) {
                chains.put(anchor.chain(), new AuditVerification(List.of(error(Kind.TRUNCATED, "chain "
                        + anchor.chain() + " is missing: the anchor says it held seq " + anchor.seq() + " at "
                        + AuditLineCodec.formatTime(anchor.time()))), 0, 0, 0, "", false));
            }
        }
        return new TrailVerification(chains);
    }

    /** Verifies the files of one chain, in write order. */
    private AuditVerification verifyChain(List<Path> files, AnchorFile.Head anchor) throws IOException {
        List<String> names = files.stream().map(Path::toString).toList();
        List<Finding> findings = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        Head head = new Head();
        AuditLineReader reader = new AuditLineReader();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            byte[] bytes = Files.readAllBytes(file); // one file at a time; only the parsed entries are kept
            reader.startFile(); // format 2: a file's references resolve within the file
            int start = 0;
            int number = 1;
            for (int j = 0; j < bytes.length; j++) {
                if (bytes[j] == '\n') {
                    add(reader, entries, findings, head, names, i, number++, Arrays.copyOfRange(bytes, start, j));
                    start = j + 1;
                }
            }
            if (start < bytes.length) {
                findings.add(new Finding(Severity.WARNING, Kind.TORN_LINE, "torn last line in " + file + " at byte "
                        + start + " (crash while writing)"));
            }
        }
        Path last = files.isEmpty() ? null : files.get(files.size() - 1);
        return check(entries, names, findings, head, last != null && isLive(last), anchor);
    }

    /**
     * Verifies the lines of one source (e.g. the {@code event_json} column of the audit table in {@code seq}
     * order), which cannot be known to be live: a missing seal is reported as a warning when {@code live}.
     */
    public AuditVerification verifyLines(String source, List<String> lines, boolean live) {
        List<String> names = List.of(source);
        List<Finding> findings = new ArrayList<>();
        List<Entry> entries = new ArrayList<>(lines.size());
        Head head = new Head();
        AuditLineReader reader = new AuditLineReader();
        for (int i = 0; i < lines.size(); i++) {
            add(reader, entries, findings, head, names, 0, i + 1, lines.get(i).getBytes(StandardCharsets.UTF_8));
        }
        return check(entries, names, findings, head, live, null);
    }

    private void add(AuditLineReader reader, List<Entry> entries, List<Finding> findings, Head head,
                     List<String> names, int source, int number, byte[] bytes) {
        TreeSet<Integer> unresolved = new TreeSet<>();
        Entry e = parse(reader, source, number, bytes, head, unresolved);
        if (e == null) {
            findings.add(error(Kind.MALFORMED, "malformed line in " + names.get(source) + " line " + number
                    + " (not an audit event)"));
            return;
        }
        entries.add(e);
        if (e.valid && !unresolved.isEmpty()) {
            // the line is authentic, but what it refers to is not in its file: a defining line was removed or edited
            findings.add(error(Kind.UNRESOLVED, "unresolved reference: seq " + e.seq + " in " + names.get(source)
                    + " line " + number + " refers to dictionary entr" + (unresolved.size() == 1 ? "y " : "ies ")
                    + unresolved + ", which no authenticated earlier line of its file defines"));
        }
    }

    private AuditVerification check(List<Entry> entries, List<String> names, List<Finding> findings, Head head,
                                    boolean live, AnchorFile.Head anchor) {
        java.util.function.Function<Entry, String> where = e -> names.get(e.source) + " line " + e.number;

        // authenticated events by seq; repeats are insertions (copies) or forks
        Map<Long, Entry> bySeq = new HashMap<>();
        for (Entry e : entries) {
            if (!e.valid) {
                continue;
            }
            Entry first = bySeq.putIfAbsent(e.seq, e);
            if (first != null) {
                e.ignored = true;
                if (first.hash == e.hash) {
                    findings.add(error(Kind.INSERTED, "inserted event: " + where.apply(e) + " repeats seq " + e.seq
                            + " (a copy of " + where.apply(first) + ")"));
                } else {
                    findings.add(error(Kind.FORKED, "forked chain: " + where.apply(e) + " and " + where.apply(first)
                            + " both hold an authenticated seq " + e.seq + " (two writers on one trail?)"));
                }
            }
        }
        // lines whose MAC fails: edits where they stand in the chain (fill a gap, or link to a neighbour),
        // insertions where the slot is taken or the line is outside the chain
        long minValid = bySeq.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
        long maxValid = bySeq.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        Map<Long, Entry> edited = new HashMap<>();
        for (Entry e : entries) {
            if (e.valid) {
                continue;
            }
            Entry before = bySeq.get(e.seq - 1);
            Entry after = bySeq.get(e.seq + 1);
            boolean standsInChain = bySeq.isEmpty() || (e.seq > minValid && e.seq < maxValid)
                    || (before != null && before.hash == e.prev) || (after != null && after.prev == e.hash);
            if (bySeq.containsKey(e.seq) || edited.containsKey(e.seq) || !standsInChain) {
                e.ignored = true;
                findings.add(error(Kind.INSERTED, "inserted event in " + where.apply(e) + " (claims seq " + e.seq
                        + ", hash mismatch: not part of the chain)"));
            } else {
                edited.put(e.seq, e);
                findings.add(error(Kind.EDITED, "edited event: seq " + e.seq + " in " + where.apply(e)
                        + " (hash mismatch)"));
            }
        }

        // order, in the order the lines stand
        long maxSeen = Long.MIN_VALUE;
        for (Entry e : entries) {
            if (e.ignored) {
                continue;
            }
            if (e.seq < maxSeen) {
                findings.add(error(Kind.REORDERED, "reordered: seq " + e.seq + " in " + where.apply(e)
                        + " appears after seq " + maxSeen));
            }
            maxSeen = Math.max(maxSeen, e.seq);
        }

        // gaps: between files when the gap is exactly a file boundary, else deletions
        TreeSet<Long> present = new TreeSet<>(bySeq.keySet());
        present.addAll(edited.keySet());
        Map<Integer, Entry> firstOfSource = new HashMap<>();
        Map<Integer, Entry> lastOfSource = new HashMap<>();
        for (Entry e : entries) {
            if (!e.ignored) {
                firstOfSource.putIfAbsent(e.source, e);
                lastOfSource.put(e.source, e);
            }
        }
        Long previous = null;
        for (long s : present) {
            if (previous != null && s > previous + 1) {
                Entry a = slot(bySeq, edited, previous);
                Entry b = slot(bySeq, edited, s);
                String range = "seq " + (previous + 1) + (s - 1 > previous + 1 ? ".." + (s - 1) : "");
                if (a.source != b.source && lastOfSource.get(a.source) == a && firstOfSource.get(b.source) == b) {
                    findings.add(error(Kind.CHAIN_BREAK, "chain break between " + names.get(a.source) + " and "
                            + names.get(b.source) + ": " + range + " missing (a file missing at rotation, or the end of "
                            + names.get(a.source) + " cut)"));
                } else {
                    findings.add(error(Kind.DELETED, "deleted events: " + range + " missing (between "
                            + where.apply(a) + " and " + where.apply(b) + ")"));
                }
            }
            previous = s;
        }

        // links: each authenticated event names the hash of the one before it
        for (Entry e : bySeq.values()) {
            Entry before = bySeq.get(e.seq - 1);
            if (before != null && before.hash != e.prev) {
                findings.add(error(Kind.CHAIN_BREAK, "chain break at seq " + e.seq + " in " + where.apply(e)
                        + ": prev is not the hash of seq " + (e.seq - 1) + " (" + where.apply(before) + ")"));
            }
        }

        if (bySeq.isEmpty() && !entries.isEmpty()) {
            findings.add(error(Kind.EDITED, "no event verifies under this key: wrong key, or every event edited"));
        }
        long events = bySeq.size();
        long firstSeq = present.isEmpty() ? 0 : present.first();
        long lastSeq = present.isEmpty() ? 0 : present.last();
        if (firstSeq > 1) {
            findings.add(new Finding(fromGenesis ? Severity.ERROR : Severity.WARNING, Kind.STARTS_LATE,
                    "trail starts at seq " + firstSeq
                    + ": events 1.." + (firstSeq - 1) + " are not in the files given (archived or removed)"));
        }
        for (Entry e : entries) {
            if (e.valid && !e.ignored && e.alarmReason != null) {
                findings.add(new Finding(Severity.WARNING, Kind.ALARM, "alarm at seq " + e.seq + " ("
                        + where.apply(e) + "): " + e.alarmReason));
            }
        }

        // the end: the last line standing must be an authenticated seal holding the highest seq, in the last file
        Entry end = null;
        for (Entry e : entries) {
            if (!e.ignored) {
                end = e;
            }
        }
        boolean sealed = end != null && end.valid && end.seal && end.seq == lastSeq
                && end.source == names.size() - 1;
        boolean cutAtRotation = end != null && end.valid && end.rotated && end.seq == lastSeq;
        if (cutAtRotation) {
            // a running writer starts the next file in the same write as the mark: even live, this is a loss
            findings.add(error(Kind.MISSING_NEWEST_FILE, where.apply(end) + " ends its file with a rotation mark "
                    + "(seq " + end.seq + "), but the file that continues the chain is not here: newest file(s) "
                    + "deleted or not given"));
        } else if (!sealed) {
            String lastSource = names.isEmpty() ? "the trail" : names.get(names.size() - 1);
            if (live) {
                findings.add(new Finding(Severity.WARNING, Kind.LIVE, lastSource + " is still being written (a sink "
                        + "holds the trail's lock): not sealed yet; verified up to seq " + lastSeq));
            } else {
                findings.add(error(Kind.UNSEALED, "trail ends without a seal: events after seq " + lastSeq
                        + " may have been cut"));
            }
        }
        if (anchor != null) {
            Entry anchored = bySeq.get(anchor.seq());
            String at = "anchored head seq " + anchor.seq() + " (" + AuditLineCodec.formatTime(anchor.time()) + ")";
            if (lastSeq < anchor.seq()) {
                findings.add(error(Kind.TRUNCATED, "chain ends at seq " + lastSeq + " but the " + at
                        + " was written: events " + (lastSeq + 1) + ".." + anchor.seq() + " are missing"));
            } else if (anchored == null || anchored.hash != prefix(anchor.hash())) {
                findings.add(error(Kind.CHAIN_BREAK, "the event at the " + at + " is not the one anchored"
                        + (anchored == null ? " (missing or edited)" : " (another chain under the same name)")));
            }
        }
        findings.sort((x, y) -> x.severity().compareTo(y.severity()));
        String lastHash = head.seq == lastSeq && bySeq.containsKey(lastSeq) ? head.hash : "";
        return new AuditVerification(findings, events, firstSeq, lastSeq, lastHash, sealed);
    }

    private static Entry slot(Map<Long, Entry> bySeq, Map<Long, Entry> edited, long seq) {
        Entry e = bySeq.get(seq);
        return e != null ? e : edited.get(seq);
    }

    private Entry parse(AuditLineReader reader, int source, int number, byte[] bytes, Head head,
                        java.util.Set<Integer> unresolved) {
        AuditLineCodec.Signed signed = AuditLineCodec.split(bytes);
        boolean valid = signed != null && verifies(signed);
        ChainedEvent parsed;
        try {
            // only an authenticated line's definitions are taken: an edited one must not give values to others
            parsed = reader.read(bytes, valid, unresolved::add);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String type = parsed.event().type();
        if (valid && parsed.seq() > head.seq) {
            head.seq = parsed.seq();
            head.hash = parsed.hash();
        }
        return new Entry(source, number, parsed.seq(), prefix(parsed.prev()), prefix(parsed.hash()), valid,
                AuditEvent.SEAL.equals(type), AuditEvent.FILE_ROTATED.equals(type), AuditEvent.ALARM.equals(type) ? parsed.event().reason() : null);
    }

    /** The first 64 bits of a hex hash; 0 for the empty genesis {@code prev}, -1 for what is not hex. */
    private static long prefix(String hex) {
        if (hex.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(hex.substring(0, Math.min(16, hex.length())), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private boolean verifies(AuditLineCodec.Signed signed) {
        try {
            return key.verify(signed.tag(), signed.content());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Finding error(Kind kind, String message) {
        return new Finding(Severity.ERROR, kind, message);
    }

    /** True when a sink holds the lock of the trail {@code file} belongs to (the file may be mid-write). */
    static boolean isLive(Path file) {
        String base = AuditTrailFiles.baseOf(file);
        Path dir = file.toAbsolutePath().getParent();
        if (base == null || dir == null) {
            return false;
        }
        Path lockFile = AuditTrailFiles.lockFile(dir, base);
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ)) {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, true);
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by a sink in this JVM
        } catch (IOException e) {
            return false;
        }
    }
}
