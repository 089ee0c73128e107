package dev.warden.cli.assess;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditLineCodec;
import dev.warden.audit.AuditReport;
import dev.warden.audit.ChainedEvent;
import dev.warden.audit.ReportSeries;
import dev.warden.audit.ReportTable;
import dev.warden.audit.TrailVerification;
import dev.warden.cli.check.CheckFinding;
import dev.warden.cli.check.PolicyCheck;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.CiphertextCensus;
import dev.warden.policy.Access;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import dev.warden.policy.RoleRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A security assessment of one deployment ({@code warden assess}), as a reviewer files it: encryption coverage
 * (from {@link PolicyCheck}'s counts), keys, the role × column matrix of the policy, an access review from the
 * audit trail (grants not used in the review window, the busiest readers, denials over time), the trail's
 * verification and the policy check's findings, under a dated summary. Every section is a {@link ReportTable}
 * (or a {@link ReportSeries}), so the page ({@link AssessmentPage}) and JSON render the same content. Holds
 * counts, names and key ids, never a value. Immutable once built.
 */
public final class Assessment {

    /** What the assessment is built from; {@code verification} is null when the trail could not be verified. */
    public record Inputs(String policyFile, Policy policy, String database, PolicyCheck.Result check,
                         PolicyCheck.Scope scope, WardenKeyset keyset, Instant keysetWritten,
                         Map<String, List<ChainedEvent>> trail, TrailVerification verification,
                         String verificationProblem, int reviewDays, Instant now) {}

    private final Inputs in;
    private final AuditReport report;
    private final List<AuditEvent> statements = new ArrayList<>();
    private final List<AuditEvent> engineEvents = new ArrayList<>();

    public Assessment(Inputs in) {
        this.in = in;
        this.report = AuditReport.ofChains(in.trail(), null, null);
        for (List<ChainedEvent> chain : in.trail().values()) {
            for (ChainedEvent c : chain) {
                if (c.event().time() == null) continue;
                (AuditEvent.STATEMENT.equals(c.event().type()) ? statements : engineEvents).add(c.event());
            }
        }
        engineEvents.sort((a, b) -> a.time().compareTo(b.time()));
    }

    public String heading() {
        return "Warden security assessment, " + day(in.now());
    }

    /** Clean: the policy check found no error and the trail verified. */
    public boolean clean() {
        return in.check().clean() && in.verification() != null && in.verification().ok();
    }

    public List<ReportTable> tables() {
        return List.of(summary(), coverage(), keys(), matrix(), unusedGrants(), readers(),
                verification(), findings());
    }

    /** The users (with their role) reading most protected values. */
    public ReportTable readers() {
        return report.busiestReaders(10);
    }

    public ReportSeries denials() {
        return report.deniedOverTime();
    }

    public ReportTable summary() {
        List<List<Object>> rows = new ArrayList<>();
        rows.add(row("assessed at", AuditLineCodec.formatTime(in.now())));
        rows.add(row("policy", in.policyFile() + " (version " + in.policy().version() + ")"));
        rows.add(row("database", in.database()));
        long encrypted = in.policy().columns().stream().filter(r -> r.encryption() != Encryption.NONE).count();
        rows.add(row("protected columns", in.policy().columns().size() + " (" + encrypted + " encrypted, "
                + (in.policy().columns().size() - encrypted) + " rules only)"));
        long values = 0;
        long ciphertext = 0;
        boolean complete = true;
        for (CiphertextCensus.Count c : in.check().counts()) {
            values += c.scanned() - c.nulls();
            ciphertext += c.ciphertext();
            complete &= c.complete();
        }
        rows.add(row("values encrypted", values == 0 ? "no values read" : percent(ciphertext, values) + " of " + values
                + " values read (" + (complete ? "all rows" : in.scope().describe()) + " of each column)"));
        rows.add(row("audit trail", verdict()));
        long errors = in.check().findings().stream().filter(f -> f.severity() == CheckFinding.Severity.ERROR).count();
        rows.add(row("policy check", errors + " error(s), " + (in.check().findings().size() - errors) + " warning(s)"));
        rows.add(row("trail period", period()));
        rows.add(row("statements in the trail", (long) statements.size()));
        rows.add(row("grants not used in " + in.reviewDays() + " days", (long) unusedGrants().rows().size()));
        rows.add(row("denied attempts", denials().total()));
        return new ReportTable("Summary", List.of("item", "value"), rows);
    }

    public ReportTable coverage() {
        Map<ColumnRule, CiphertextCensus.Count> counts = new HashMap<>();
        in.check().counts().forEach(c -> counts.put(c.rule(), c));
        List<List<Object>> rows = new ArrayList<>();
        for (ColumnRule rule : in.policy().columns()) {
            CiphertextCensus.Count c = counts.get(rule);
            String how = rule.encryption() == Encryption.NONE ? "rules only (not encrypted)"
                    : rule.encryption().name().toLowerCase(Locale.ROOT) + (rule.match() ? ", match index" : "");
            if (c == null) {
                rows.add(Arrays.asList(rule.qualifiedName(), how, type(rule), null, null, "", null, null,
                        rule.encryption() == Encryption.NONE ? "" : "not read (see the policy check)"));
            } else {
                rows.add(Arrays.asList(rule.qualifiedName(), how, type(rule), c.scanned(), c.scanned() - c.nulls(),
                        percent(c.ciphertext(), c.scanned() - c.nulls()), c.plaintext(), c.unreadable(),
                        c.complete() ? "all rows" : "first " + c.scanned() + " rows"));
            }
        }
        return new ReportTable("Encryption coverage", List.of("column", "encryption", "type", "rows read",
                "values", "encrypted", "plaintext left", "not opening", "read"), rows);
    }

    public ReportTable keys() {
        List<List<Object>> rows = new ArrayList<>();
        if (in.keyset() == null) {
            rows.add(row("keyset", in.policy().keysetPath() == null ? "none (the policy encrypts nothing)"
                    : in.policy().keysetPath() + ": not opened"));
            return new ReportTable("Keys", List.of("item", "value"), rows);
        }
        String primary = in.keyset().primaryKeyIds();
        rows.add(row("keyset", String.valueOf(in.policy().keysetPath())));
        rows.add(row("keys (* primary)", in.keyset().describeKeys()));
        rows.add(row("primary keys", primary));
        Instant since = null;
        Instant rotated = null;
        for (AuditEvent e : engineEvents) {
            boolean keyset = "keyset-opened".equals(e.type()) || "keyset-reloaded".equals(e.type());
            if (since == null && keyset && e.reason() != null && e.reason().endsWith("primary keys " + primary)) {
                since = e.time();
            }
            if ("key-rotated".equals(e.type()) || "keyset-reloaded".equals(e.type())) rotated = e.time();
        }
        rows.add(row("primary keys in use since (trail)", since == null ? "not in the trail"
                : AuditLineCodec.formatTime(since) + " (" + Duration.between(since, in.now()).toDays() + " days)"));
        rows.add(row("last rotation (trail)", rotated == null ? "none in the trail" : AuditLineCodec.formatTime(rotated)));
        rows.add(row("keyset file last written", in.keysetWritten() == null ? "unknown"
                : AuditLineCodec.formatTime(in.keysetWritten()) + " (" + Duration.between(in.keysetWritten(), in.now())
                        .toDays() + " days ago)"));
        return new ReportTable("Keys", List.of("item", "value"), rows);
    }

    /** Roles down, protected columns across ({@link GrantMatrix}). */
    public ReportTable matrix() {
        return GrantMatrix.of(in.policy());
    }

    /** Plaintext and masked grants that no statement of the trail used within the review window. */
    public ReportTable unusedGrants() {
        Instant from = in.now().minus(Duration.ofDays(in.reviewDays()));
        Map<String, Instant> lastRead = new HashMap<>();
        for (AuditEvent e : statements) {
            if (e.role() == null || e.columnsRead() == null) continue;
            e.columnsRead().forEach((column, shown) -> {
                if (!"denied".equals(shown)) lastRead.merge(e.role() + "\u0000" + column, e.time(),
                        (a, b) -> a.isAfter(b) ? a : b);
            });
        }
        List<List<Object>> rows = new ArrayList<>();
        for (ColumnRule rule : in.policy().columns()) {
            for (RoleRule role : roles()) {
                Access granted = rule.read().get(role.name());
                if (granted == null || granted == Access.DENIED) continue;
                Instant last = lastRead.get(role.name() + "\u0000" + rule.qualifiedName());
                if (last != null && !last.isBefore(from)) continue;
                rows.add(Arrays.asList(role.name(), rule.qualifiedName(), granted.name().toLowerCase(Locale.ROOT),
                        last == null ? "never in the trail" : AuditLineCodec.formatTime(last)));
            }
        }
        return new ReportTable("Grants not used in the last " + in.reviewDays() + " days (review them)",
                List.of("role", "column", "grant", "last read"), rows);
    }

    public ReportTable verification() {
        return TrailVerdict.table(in.verification());
    }

    public ReportTable findings() {
        List<List<Object>> rows = new ArrayList<>();
        for (CheckFinding f : in.check().findings()) {
            rows.add(Arrays.asList(f.severity().name().toLowerCase(Locale.ROOT),
                    in.policyFile() + (f.line() > 0 ? ":" + f.line() : ""), f.message()));
        }
        return new ReportTable("Policy check findings", List.of("severity", "where", "finding"), rows);
    }

    /** The trail's verdict in one line ({@link TrailVerdict}). */
    public String verdict() {
        return TrailVerdict.of(in.verification(), in.verificationProblem());
    }

    private List<RoleRule> roles() {
        return GrantMatrix.roles(in.policy());
    }

    private String period() {
        Instant first = null;
        Instant last = null;
        for (List<ChainedEvent> chain : in.trail().values()) {
            for (ChainedEvent c : chain) {
                Instant t = c.event().time();
                if (t == null) continue;
                if (first == null || t.isBefore(first)) first = t;
                if (last == null || t.isAfter(last)) last = t;
            }
        }
        return first == null ? "no events" : AuditLineCodec.formatTime(first) + " to " + AuditLineCodec.formatTime(last);
    }

    private static String type(ColumnRule rule) {
        return rule.type().name().toLowerCase(Locale.ROOT);
    }

    private static String percent(long part, long whole) {
        if (whole == 0) return "";
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    private static String day(Instant t) {
        return AuditLineCodec.formatTime(t).substring(0, 10);
    }

    private static List<Object> row(String item, Object value) {
        return Arrays.asList(item, value);
    }
}
