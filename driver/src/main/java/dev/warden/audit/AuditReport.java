package dev.warden.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Answers "who read or changed which protected columns, for what purpose, and was it allowed?" over the
 * {@code statement} events of a trail in a period: accesses to one column by role and purpose, denied attempts,
 * the busiest readers, who has seen a row (by its keyed hash) and accesses over time. Each answer is a
 * {@link ReportTable} (or {@link ReportSeries}) rendered by {@link ReportFormat}.
 *
 * <p>Reports trust the events they are given: run {@link AuditVerifier} first to know the trail is complete
 * and untouched. Immutable and thread-safe.
 */
public final class AuditReport {

    private static final List<Duration> BUCKETS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1), Duration.ofDays(7),
            Duration.ofDays(30));
    private static final int MAX_BUCKETS = 60;

    private final List<AuditEvent> statements;
    private final Instant since;
    private final Instant until;
    /** Events about the trail, keys and policy (not statements), with their chain, in time order. */
    private final List<Map.Entry<String, AuditEvent>> trailEvents;
    /** Per chain: statements in the period, first and last event time (any type). */
    private final Map<String, Object[]> chainSummaries;

    private AuditReport(List<AuditEvent> statements, Instant since, Instant until,
                        List<Map.Entry<String, AuditEvent>> trailEvents, Map<String, Object[]> chainSummaries) {
        this.statements = statements;
        this.since = since;
        this.until = until;
        this.trailEvents = trailEvents;
        this.chainSummaries = chainSummaries;
    }

    /**
     * The events of every chain (by chain name, as {@link AuditTrailReader#readChains} gives them) merged in time
     * order, with {@code since <= time < until}: the statements, and the trail's own events with their chain.
     */
    public static AuditReport ofChains(Map<String, List<ChainedEvent>> chains, Instant since, Instant until) {
        List<AuditEvent> all = new ArrayList<>();
        List<Map.Entry<String, AuditEvent>> trail = new ArrayList<>();
        Map<String, Object[]> summaries = new java.util.TreeMap<>();
        for (Map.Entry<String, List<ChainedEvent>> chain : chains.entrySet()) {
            Object[] summary = {0L, null, null};
            for (ChainedEvent c : chain.getValue()) {
                AuditEvent e = c.event();
                if (e.time() == null || (since != null && e.time().isBefore(since))
                        || (until != null && !e.time().isBefore(until))) {
                    continue;
                }
                if (AuditEvent.STATEMENT.equals(e.type())) {
                    all.add(e);
                    summary[0] = (Long) summary[0] + 1;
                } else if (!AuditEvent.FILE_ROTATED.equals(e.type())) {
                    trail.add(Map.entry(chain.getKey(), e));
                }
                if (summary[1] == null || e.time().isBefore((Instant) summary[1])) {
                    summary[1] = e.time();
                }
                if (summary[2] == null || e.time().isAfter((Instant) summary[2])) {
                    summary[2] = e.time();
                }
            }
            summaries.put(chain.getKey(), summary);
        }
        trail.sort(Comparator.comparing((Map.Entry<String, AuditEvent> t) -> t.getValue().time())
                .thenComparing(Map.Entry::getKey));
        AuditReport statementsOnly = of(all, since, until);
        return new AuditReport(statementsOnly.statements, since, until, trail, summaries);
    }

    /**
     * The trail's own events in time order: policy loads, keyset openings and reloads, key rotations,
     * reencryption runs, chain starts (naming the instance), seals and alarms, each with its chain.
     */
    public ReportTable trailEvents() {
        List<List<Object>> rows = new ArrayList<>();
        for (Map.Entry<String, AuditEvent> t : trailEvents) {
            AuditEvent e = t.getValue();
            rows.add(java.util.Arrays.asList(AuditLineCodec.formatTime(e.time()), t.getKey(), e.type(),
                    nz(e.policyVersion()), nz(e.reason())));
        }
        return new ReportTable("Trail, key and policy events", List.of("time", "chain", "event", "policy version",
                "detail"), rows);
    }

    /** The trail events about keys, the keyset, reencryption and the policy (what {@link #keyEvents} lists). */
    private static final java.util.Set<String> KEY_EVENT_TYPES = java.util.Set.of("policy-loaded", "policy-reloaded",
            "policy-rejected", "keyset-opened", "keyset-reloaded", "key-rotated", AuditEvent.REENCRYPTION);

    /**
     * Key, keyset, reencryption and policy events in time order: when, what, its outcome, who (the database user
     * of a reencryption run, else the instance writing the chain), the tables and the detail. The detail names
     * key ids, counts and files, never a value.
     */
    public ReportTable keyEvents() {
        List<List<Object>> rows = new ArrayList<>();
        for (Map.Entry<String, AuditEvent> t : trailEvents) {
            AuditEvent e = t.getValue();
            if (!KEY_EVENT_TYPES.contains(e.type())) {
                continue;
            }
            String instance = AuditTrailFiles.instanceOf(t.getKey());
            String who = e.databaseUser() != null ? e.databaseUser()
                    : instance != null ? "instance " + instance : "chain " + t.getKey();
            rows.add(java.util.Arrays.asList(AuditLineCodec.formatTime(e.time()), e.type(), nz(e.decision()), who,
                    e.tables() == null ? "" : String.join(", ", e.tables()), nz(e.policyVersion()), nz(e.reason())));
        }
        return new ReportTable("Key, reencryption and policy events", List.of("time", "event", "outcome", "who",
                "tables", "policy version", "detail"), rows);
    }

    /**
     * Where clients came from: per client address (statements and refused logins; an in-process driver's
     * statements have none and are grouped as such), the number of events, how many
     * were refused, first and last seen, and the application names, roles and users seen from it. Addresses and
     * application names are not protected values; they are client-supplied text, escaped by every format.
     */
    public ReportTable clientAddresses() {
        Map<String, ClientSeen> seen = new java.util.TreeMap<>();
        List<AuditEvent> all = new ArrayList<>(statements);
        trailEvents.forEach(t -> all.add(t.getValue()));
        for (AuditEvent e : all) {
            // only what clients did: system events (alarms, reencryption runs) name no client address
            if (AuditEvent.STATEMENT.equals(e.type()) || AuditEvent.AUTHENTICATION.equals(e.type())) {
                String address = e.clientAddress() == null ? "(in process, no address)" : e.clientAddress();
                seen.computeIfAbsent(address, k -> new ClientSeen(e.time())).add(e);
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        seen.forEach((address, c) -> rows.add(java.util.Arrays.asList(address, c.events, c.refused,
                AuditLineCodec.formatTime(c.first), AuditLineCodec.formatTime(c.last),
                String.join(", ", c.applications), String.join(", ", c.roles), String.join(", ", c.users))));
        return new ReportTable("Client addresses", List.of("address", "events", "refused", "first seen",
                "last seen", "applications", "roles", "users"), rows);
    }

    /** What one client address was seen doing. */
    private static final class ClientSeen {
        long events;
        long refused;
        Instant first;
        Instant last;
        final java.util.Set<String> applications = new java.util.TreeSet<>();
        final java.util.Set<String> roles = new java.util.TreeSet<>();
        final java.util.Set<String> users = new java.util.TreeSet<>();

        ClientSeen(Instant t) {
            first = t;
            last = t;
        }

        void add(AuditEvent e) {
            events++;
            if ("refused".equals(e.decision()) || AuditEvent.AUTHENTICATION.equals(e.type())) refused++;
            if (e.time().isBefore(first)) first = e.time();
            if (e.time().isAfter(last)) last = e.time();
            if (e.client() != null) applications.add(e.client());
            if (e.role() != null) roles.add(e.role());
            if (e.databaseUser() != null) users.add(e.databaseUser());
        }
    }

    /** Each chain (one per writing instance): its statements in the period and the span of its events. */
    public ReportTable chains() {
        List<List<Object>> rows = new ArrayList<>();
        chainSummaries.forEach((chain, s) -> rows.add(java.util.Arrays.asList(chain,
                nz(AuditTrailFiles.instanceOf(chain)), s[0], s[1] == null ? "" : AuditLineCodec.formatTime((Instant) s[1]),
                s[2] == null ? "" : AuditLineCodec.formatTime((Instant) s[2]))));
        return new ReportTable("Chains (one per writing instance)", List.of("chain", "instance", "statements",
                "first event", "last event"), rows);
    }

    /**
     * The statement events of {@code events} with {@code since <= time < until} (either bound may be null for
     * open).
     */
    public static AuditReport of(Collection<AuditEvent> events, Instant since, Instant until) {
        List<AuditEvent> kept = events.stream()
                .filter(e -> AuditEvent.STATEMENT.equals(e.type()) && e.time() != null)
                .filter(e -> since == null || !e.time().isBefore(since))
                .filter(e -> until == null || e.time().isBefore(until))
                .sorted(Comparator.comparing(AuditEvent::time))
                .toList();
        return new AuditReport(kept, since, until, List.of(), Map.of());
    }

    /** The same over chained events as read from a trail. */
    public static AuditReport ofChained(Collection<ChainedEvent> events, Instant since, Instant until) {
        return of(events.stream().map(ChainedEvent::event).toList(), since, until);
    }

    public int statementCount() {
        return statements.size();
    }

    public Instant since() {
        return since;
    }

    public Instant until() {
        return until;
    }

    /**
     * Statements that read, wrote or filtered on {@code column} ({@code table.column}), grouped by role and
     * purpose: how each read was shown, writes, filters, refusals.
     */
    public ReportTable columnAccess(String column) {
        Map<List<String>, long[]> groups = new LinkedHashMap<>();
        for (AuditEvent e : statements) {
            String shown = e.columnsRead() == null ? null : e.columnsRead().get(column);
            boolean written = contains(e.columnsWritten(), column);
            boolean filtered = contains(e.columnsFiltered(), column);
            if (shown == null && !written && !filtered) {
                continue;
            }
            long[] g = groups.computeIfAbsent(List.of(nz(e.role()), nz(e.purpose())), k -> new long[7]);
            g[0]++;
            if ("plaintext".equals(shown)) {
                g[1]++;
            } else if ("masked".equals(shown)) {
                g[2]++;
            } else if ("denied".equals(shown)) {
                g[3]++;
            }
            if (written) {
                g[4]++;
            }
            if (filtered) {
                g[5]++;
            }
            if ("refused".equals(e.decision())) {
                g[6]++;
            }
        }
        List<List<Object>> rows = groups.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<List<String>, long[]> x) -> -x.getValue()[0])
                        .thenComparing(x -> x.getKey().toString()))
                .map(x -> List.<Object>of(x.getKey().get(0), x.getKey().get(1), x.getValue()[0], x.getValue()[1],
                        x.getValue()[2], x.getValue()[3], x.getValue()[4], x.getValue()[5], x.getValue()[6]))
                .toList();
        return new ReportTable("Accesses to " + column + " by role and purpose",
                List.of("role", "purpose", "statements", "plaintext", "masked", "denied", "written", "filtered",
                        "refused"), rows);
    }

    /** Statements refused, or that had a column denied, newest last. */
    public ReportTable denied() {
        List<List<Object>> rows = new ArrayList<>();
        for (AuditEvent e : statements) {
            String deniedColumns = e.columnsRead() == null ? "" : e.columnsRead().entrySet().stream()
                    .filter(c -> "denied".equals(c.getValue())).map(Map.Entry::getKey).sorted()
                    .collect(Collectors.joining(" "));
            if (!"refused".equals(e.decision()) && deniedColumns.isEmpty()) {
                continue;
            }
            rows.add(java.util.Arrays.asList(AuditLineCodec.formatTime(e.time()), nz(e.databaseUser()), nz(e.role()),
                    nz(e.purpose()), nz(e.client()), nz(e.decision()), deniedColumns, nz(e.sqlState()), nz(e.reason()),
                    nz(e.fingerprint())));
        }
        return new ReportTable("Denied attempts", List.of("time", "user", "role", "purpose", "client", "decision",
                "denied columns", "sqlstate", "reason", "statement"), rows);
    }

    /** At most this many call sites are listed per statement; the rest are counted. */
    static final int MAX_CALL_SITES = 10;

    /**
     * Observe mode's {@code would-refuse} events, one row per distinct statement fingerprint and refusal (the
     * refusal names the role and rule, so one statement refused for two reasons has two rows), most frequent first:
     * how often, first and last seen, the application's call sites, the refusal enforcement would raise and the
     * policy change or rewrite that would allow it (the hint the refusal carries after its first {@code "; "}).
     */
    public ReportTable wouldRefuse() {
        Map<List<String>, WouldRefuse> groups = new LinkedHashMap<>();
        for (AuditEvent e : statements) {
            if (AuditEvent.WOULD_REFUSE.equals(e.decision())) {
                groups.computeIfAbsent(List.of(nz(e.fingerprint()), nz(e.sqlState()), nz(e.reason())),
                        k -> new WouldRefuse(e.time())).add(e);
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        groups.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<List<String>, WouldRefuse> x) -> -x.getValue().count)
                        .thenComparing(x -> x.getKey().toString()))
                .forEach(x -> {
                    WouldRefuse g = x.getValue();
                    String reason = x.getKey().get(2);
                    int hint = reason.indexOf("; ");
                    rows.add(java.util.Arrays.asList(x.getKey().get(0), g.count, AuditLineCodec.formatTime(g.first),
                            AuditLineCodec.formatTime(g.last), String.join(" ", g.roles), g.callSites(),
                            x.getKey().get(1), hint < 0 ? reason : reason.substring(0, hint),
                            hint < 0 ? "no policy change allows it: rewrite the statement (see docs/supported-sql.md)"
                                    : reason.substring(hint + 2)));
                });
        return new ReportTable("Statements enforcement would refuse (observe mode)", List.of("statement", "count",
                "first seen", "last seen", "roles", "call sites", "sqlstate", "refusal", "to allow it"), rows);
    }

    /** One row of {@link #wouldRefuse}, gathered over the statements in time order. */
    private static final class WouldRefuse {
        long count;
        final Instant first;
        Instant last;
        final java.util.SortedSet<String> callSites = new java.util.TreeSet<>();
        final java.util.SortedSet<String> roles = new java.util.TreeSet<>();

        WouldRefuse(Instant first) {
            this.first = first;
        }

        void add(AuditEvent e) {
            count++;
            last = e.time();
            if (e.callSite() != null) callSites.add(e.callSite());
            if (e.role() != null) roles.add(e.role());
        }

        String callSites() {
            String listed = callSites.stream().limit(MAX_CALL_SITES).collect(Collectors.joining("; "));
            return callSites.size() > MAX_CALL_SITES ? listed + "; and " + (callSites.size() - MAX_CALL_SITES) + " more"
                    : listed;
        }
    }

    /** True when some statement of the period is an observe mode event ({@code would-*}). */
    public boolean observed() {
        return statements.stream().anyMatch(e -> e.decision() != null && e.decision().startsWith("would-"));
    }

    /**
     * Users (with their role) by number of protected column reads shown to them (plaintext or masked, one per
     * column per statement), most first.
     */
    public ReportTable busiestReaders(int top) {
        Map<List<String>, long[]> groups = new LinkedHashMap<>();
        for (AuditEvent e : statements) {
            if (e.columnsRead() == null || e.columnsRead().isEmpty()) {
                continue;
            }
            long plain = e.columnsRead().values().stream().filter("plaintext"::equals).count();
            long masked = e.columnsRead().values().stream().filter("masked"::equals).count();
            if (plain + masked == 0) {
                continue;
            }
            long[] g = groups.computeIfAbsent(List.of(nz(e.databaseUser()), nz(e.role())), k -> new long[4]);
            g[0] += plain + masked;
            g[1] += plain;
            g[2]++;
            g[3] += Math.max(0, e.rows());
        }
        List<List<Object>> rows = groups.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<List<String>, long[]> x) -> -x.getValue()[0])
                        .thenComparing(x -> x.getKey().toString()))
                .limit(Math.max(0, top))
                .map(x -> List.<Object>of(x.getKey().get(0), x.getKey().get(1), x.getValue()[0], x.getValue()[1],
                        x.getValue()[2], x.getValue()[3]))
                .toList();
        return new ReportTable("Busiest readers of protected columns (top " + top + ")",
                List.of("user", "role", "protected reads", "plaintext reads", "statements", "rows"), rows);
    }

    /** Every statement that returned the row whose keyed hash is {@code rowKeyHash}. */
    public ReportTable rowKeyViewers(String rowKeyHash) {
        return rowKeyViewers(List.of(rowKeyHash));
    }

    /**
     * Every statement that returned the row whose keyed hash is any of {@code rowKeyHashes} (the same row under
     * each audit key, as {@code warden audit row-key} prints them), with the audit-key era that matched: the key
     * id a Tink tag carries in its first five bytes, or "key N" (its place in the list) for a raw tag.
     */
    public ReportTable rowKeyViewers(List<String> rowKeyHashes) {
        List<List<Object>> rows = new ArrayList<>();
        for (AuditEvent e : statements) {
            String matched = null;
            for (String h : rowKeyHashes) {
                if (contains(e.rowKeyHashes(), h)) {
                    matched = h;
                    break;
                }
            }
            if (matched == null) {
                continue;
            }
            String shown = e.columnsRead() == null ? "" : e.columnsRead().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).map(c -> c.getKey() + "=" + c.getValue())
                    .collect(Collectors.joining(" "));
            rows.add(java.util.Arrays.asList(AuditLineCodec.formatTime(e.time()), nz(e.databaseUser()), nz(e.role()),
                    nz(e.purpose()), nz(e.client()), shown, nz(e.fingerprint()), keyEra(matched, rowKeyHashes)));
        }
        String title = rowKeyHashes.size() == 1 ? "Who has seen row " + rowKeyHashes.get(0)
                : "Who has seen row " + rowKeyHashes.get(0) + " (under " + rowKeyHashes.size() + " audit keys)";
        return new ReportTable(title, List.of("time", "user", "role", "purpose", "client", "columns shown",
                "statement", "audit key"), rows);
    }

    /** The audit key a row-key hash was made with: Tink's prefix (0x01 and a 4-byte key id) when it has one. */
    private static String keyEra(String hash, List<String> all) {
        if (hash.length() == 74 && hash.startsWith("01")) {
            return "id " + Long.parseLong(hash.substring(2, 10), 16) + (hash.equals(all.get(0)) ? " (current)" : "");
        }
        return "key " + (all.indexOf(hash) + 1) + (hash.equals(all.get(0)) ? " (current)" : "");
    }

    /**
     * Statements touching {@code column} (or any protected column when null) per time bucket, the bucket chosen
     * so that the period (or the events' span) fits in at most {@value #MAX_BUCKETS} buckets.
     */
    public ReportSeries accessesOverTime(String column) {
        return overTime("Statements " + (column == null ? "touching protected columns" : "touching " + column),
                e -> touches(e, column));
    }

    /** Statements refused, or that had a column denied ({@link #denied()}), per time bucket as {@link #accessesOverTime}. */
    public ReportSeries deniedOverTime() {
        return overTime("Denied attempts", e -> "refused".equals(e.decision())
                || (e.columnsRead() != null && e.columnsRead().containsValue("denied")));
    }

    private ReportSeries overTime(String what, java.util.function.Predicate<AuditEvent> counted) {
        List<Instant> times = statements.stream().filter(counted).map(AuditEvent::time).toList();
        Instant from = since != null ? since : times.isEmpty() ? Instant.EPOCH : times.get(0);
        Instant to = until != null ? until : times.isEmpty() ? from : times.get(times.size() - 1).plusNanos(1000);
        Duration span = Duration.between(from, to);
        Duration bucket = BUCKETS.get(BUCKETS.size() - 1);
        for (Duration b : BUCKETS) {
            if (span.toNanos() / b.toNanos() < MAX_BUCKETS) {
                bucket = b;
                break;
            }
        }
        Instant start = Instant.ofEpochSecond(from.getEpochSecond() - Math.floorMod(from.getEpochSecond(),
                bucket.getSeconds()));
        int n = (int) Math.max(1, Duration.between(start, to).toNanos() / bucket.toNanos() + 1);
        long[] counts = new long[n];
        for (Instant t : times) {
            int i = (int) (Duration.between(start, t).toNanos() / bucket.toNanos());
            if (i >= 0 && i < n) {
                counts[i]++;
            }
        }
        List<Long> list = new ArrayList<>(n);
        for (long c : counts) {
            list.add(c);
        }
        return new ReportSeries(what + " per " + human(bucket), start, bucket, list);
    }

    private static boolean touches(AuditEvent e, String column) {
        if (column == null) {
            return (e.columnsRead() != null && !e.columnsRead().isEmpty())
                    || (e.columnsWritten() != null && !e.columnsWritten().isEmpty());
        }
        return (e.columnsRead() != null && e.columnsRead().containsKey(column))
                || contains(e.columnsWritten(), column) || contains(e.columnsFiltered(), column);
    }

    private static String human(Duration d) {
        if (d.toDays() >= 1) {
            return d.toDays() == 1 ? "day" : d.toDays() + " days";
        }
        if (d.toHours() >= 1) {
            return d.toHours() == 1 ? "hour" : d.toHours() + " hours";
        }
        return d.toMinutes() == 1 ? "minute" : d.toMinutes() + " minutes";
    }

    private static boolean contains(List<String> list, String value) {
        return list != null && list.contains(value);
    }

    private static String nz(String s) {
        return Objects.requireNonNullElse(s, "");
    }
}
