package dev.warden.cli;

import dev.warden.audit.AuditLineCodec;
import dev.warden.audit.AuditReport;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.audit.ReportFormat;
import dev.warden.audit.ReportSeries;
import dev.warden.audit.ReportTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code warden audit report}: who read or changed which protected columns, for what purpose, and whether it was
 * allowed, over a period; as a text table, CSV, JSON or a self-contained HTML page with a chart. Reads the trail
 * as it is: run {@code warden audit verify} to know it is complete and untouched.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Report on protected column accesses recorded in the audit trail.")
public final class AuditReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AuditSourceOptions source = new AuditSourceOptions();

    @Option(names = "--column", paramLabel = "TABLE.COLUMN",
            description = "Accesses to this column, grouped by role and purpose.")
    String column;

    @Option(names = "--since", paramLabel = "TIME",
            description = "From this time (inclusive): 2026-11-29, 2026-11-29T10:00 (UTC) or an ISO instant.")
    String since;

    @Option(names = "--until", paramLabel = "TIME",
            description = "Up to this time (exclusive); a date alone includes that whole day.")
    String until;

    @Option(names = "--denied", description = "List refused statements and denied columns.")
    boolean denied;

    @Option(names = "--would-refuse", description = "Observe mode: the statements enforcement would refuse, by "
            + "fingerprint, with counts, first and last seen, call sites and the change that would allow each.")
    boolean wouldRefuse;

    @Option(names = "--top", paramLabel = "N", description = "The N users reading most protected columns.")
    Integer top;

    @Option(names = "--row-key-hash", paramLabel = "HASH", split = ",", description = "Everyone who has seen the row "
            + "with this keyed row-key hash; several (comma-separated, as audit row-key prints them, one per audit "
            + "key) cover every audit-key era.")
    List<String> rowKeyHash;

    @Option(names = "--trail", description = "The trail's own events: policy loads, keyset openings and reloads, "
            + "key rotations, reencryption runs, chain starts, seals and alarms (in the default report too).")
    boolean trail;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, csv, json or html (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report here instead of to stdout.")
    Path out;

    @Mixin
    AuditKeyOptions key = new AuditKeyOptions();

    @Option(names = "--policy", paramLabel = "FILE", description = "With --format html: show this policy's role x"
            + " column matrix.")
    Path policy;

    @Override
    public Integer call() {
        String problem = source.problem();
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        ReportFormat fmt;
        try {
            fmt = ReportFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be text, csv, json or html");
        }
        if (top != null && top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1");
        }
        Instant from = time("--since", since, false);
        Instant to = time("--until", until, true);
        Map<String, List<ChainedEvent>> chains;
        try {
            chains = source.fromDatabase()
                    ? Map.of("table " + source.table,
                            AuditTrailReader.readTable(source.jdbcUrl, source.connectionProperties(), source.table))
                    : AuditTrailReader.readChains(source.paths);
        } catch (IOException | SQLException e) {
            spec.commandLine().getErr().println("warden audit report: cannot read the trail: " + e.getMessage());
            return 2;
        }
        AuditReport report = AuditReport.ofChains(chains, from, to);
        List<ReportTable> tables = new ArrayList<>();
        if (column != null) {
            tables.add(report.columnAccess(column));
        }
        if (denied) {
            tables.add(report.denied());
        }
        if (wouldRefuse) {
            tables.add(report.wouldRefuse());
        }
        if (top != null) {
            tables.add(report.busiestReaders(top));
        }
        if (rowKeyHash != null) {
            tables.add(report.rowKeyViewers(rowKeyHash));
        }
        if (trail) {
            tables.add(report.trailEvents());
        }
        if (tables.isEmpty()) {
            tables.add(report.chains());
            tables.add(report.busiestReaders(10));
            tables.add(report.denied());
            if (report.observed()) {
                tables.add(report.wouldRefuse());
            }
            tables.add(report.trailEvents());
        }
        ReportSeries series = report.accessesOverTime(column);
        String heading = "Warden audit report, " + period(from, to) + ": " + report.statementCount() + " statements";
        String rendered = fmt == ReportFormat.HTML ? htmlPage(heading, chains, report, tables, series)
                : fmt.render(heading, tables, series);
        if (rendered == null) {
            return 2;
        }
        if (out != null) {
            try {
                Files.writeString(out, rendered, StandardCharsets.UTF_8);
            } catch (IOException e) {
                spec.commandLine().getErr().println("warden audit report: cannot write " + out + ": " + e.getMessage());
                return 2;
            }
        } else {
            PrintWriter w = spec.commandLine().getOut();
            w.print(rendered);
            w.flush();
        }
        return 0;
    }

    /**
     * The HTML page: the report's tables and chart, headed by the trail's verification (given --keyset) and its
     * period, with the denied attempts over time and (given --policy) the role x column matrix. Null, with the
     * reason printed, when the key or the policy cannot be read.
     */
    private String htmlPage(String heading, Map<String, List<ChainedEvent>> chains, AuditReport report,
                            List<ReportTable> tables, ReportSeries series) {
        PrintWriter err = spec.commandLine().getErr();
        dev.warden.audit.TrailVerification verification = null;
        String problem = "give --keyset (and --master-key) to verify it";
        try {
            dev.warden.audit.ChainKey chainKey = key.resolve();
            if (chainKey != null) {
                dev.warden.audit.AuditVerifier verifier = new dev.warden.audit.AuditVerifier(chainKey);
                verification = source.fromDatabase()
                        ? new dev.warden.audit.TrailVerification(new java.util.TreeMap<>(Map.of("table " + source.table,
                                verifier.verifyLines(source.table, AuditTrailReader.readTableLines(source.jdbcUrl,
                                        source.connectionProperties(), source.table), true))))
                        : verifier.verifyChains(source.paths, Map.of());
            }
        } catch (dev.warden.crypto.KeyException | IOException | SQLException | RuntimeException e) {
            err.println("warden audit report: cannot verify the trail: " + e.getMessage());
            return null;
        }
        dev.warden.policy.Policy loaded = null;
        if (policy != null) {
            try {
                loaded = dev.warden.policy.PolicyLoader.load(policy.toString());
            } catch (dev.warden.policy.PolicyException e) {
                err.println("warden audit report: " + e.getMessage());
                return null;
            }
        }
        return dev.warden.cli.assess.AuditReportPage.html(heading, eventPeriod(chains), tables, series,
                report.deniedOverTime(), report.clientAddresses(), report.keyEvents(), verification, problem, loaded);
    }

    /** The first and last event of the trail read, whatever the --since/--until filter. */
    private static String eventPeriod(Map<String, List<ChainedEvent>> chains) {
        Instant first = null;
        Instant last = null;
        for (List<ChainedEvent> chain : chains.values()) {
            for (ChainedEvent c : chain) {
                Instant t = c.event().time();
                if (t == null) continue;
                if (first == null || t.isBefore(first)) first = t;
                if (last == null || t.isAfter(last)) last = t;
            }
        }
        return first == null ? "(no events)" : AuditLineCodec.formatTime(first) + " to " + AuditLineCodec.formatTime(last);
    }

    private static String period(Instant from, Instant to) {
        if (from == null && to == null) {
            return "whole trail";
        }
        return (from == null ? "start" : AuditLineCodec.formatTime(from)) + " to "
                + (to == null ? "end" : AuditLineCodec.formatTime(to));
    }

    private Instant time(String option, String value, boolean endOfDay) {
        if (value == null) {
            return null;
        }
        try {
            if (value.length() == 10) {
                LocalDate d = LocalDate.parse(value);
                return (endOfDay ? d.plusDays(1) : d).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            if (value.endsWith("Z") || value.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return java.time.OffsetDateTime.parse(value).toInstant();
            }
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), option + " must be a date (2026-11-29), a UTC date-time "
                    + "(2026-11-29T10:00) or an ISO instant (2026-11-29T10:00:00Z): " + value);
        }
    }
}
