package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSinkConfig;
import dev.warden.audit.ChainKey;
import dev.warden.audit.DatabaseAuditSink;
import dev.warden.audit.JsonLinesAuditSink;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code warden audit verify|report} end to end over a real trail, with a raw HMAC key file. */
class AuditCommandTest {

    static final byte[] KEY = "cli-test-audit-hmac-key-0123456789".getBytes(StandardCharsets.US_ASCII);
    static final Instant T0 = Instant.parse("2026-11-29T09:00:00Z");

    @TempDir
    Path dir;
    Path trail;
    Path keyFile;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    static AuditEvent event(int i, String user, String role, String purpose, Map<String, String> read,
                            String decision, Instant t) {
        return new AuditEvent(AuditEvent.STATEMENT, t, "ev-" + i, "s", user, role, purpose, "psql", "10.0.0.1",
                "SELECT", "SELECT email FROM customers WHERE id = ?", "v1", List.of("customers"), read, List.of(),
                List.of("customers.id"), 1, decision, "refused".equals(decision) ? "rule customers.ssn" : null,
                "refused".equals(decision) ? "42501" : null, 5, List.of("rk-" + (i % 2)));
    }

    static void record(AuditEventSink sink) throws Exception {
        for (int i = 0; i < 6; i++) {
            sink.record(event(i, "alice", "analyst", "billing", Map.of("customers.email", "masked"), "allowed",
                    T0.plus(i, ChronoUnit.MINUTES)));
        }
        for (int i = 6; i < 8; i++) {
            sink.record(event(i, "bob", "admin", "support", Map.of("customers.email", "plaintext"), "allowed",
                    T0.plus(1, ChronoUnit.DAYS).plus(i, ChronoUnit.MINUTES)));
        }
        sink.record(event(8, "eve", "intern", "curious", Map.of("customers.ssn", "denied"), "refused",
                T0.plus(2, ChronoUnit.DAYS)));
    }

    interface AuditEventSink {
        void record(AuditEvent e) throws Exception;
    }

    @BeforeEach
    void trail() throws Exception {
        trail = dir.resolve("trail");
        keyFile = dir.resolve("audit.key");
        Files.write(keyFile, KEY);
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(AuditSinkConfig.defaults(trail.resolve("audit.jsonl")),
                ChainKey.hmacSha256(KEY))) {
            record(sink::record);
        }
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new AuditCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void verifyOfAnUntouchedTrailExitsZero() {
        assertEquals(0, run("verify", "--hmac-key-file", keyFile.toString(), trail.toString()), err.toString());
        assertTrue(out.toString().matches("audit: OK: 10 events verified \\(seq 1..10\\), trail sealed\n  head: seq 10 "
                + "hash [0-9a-f]{64}\nTOTAL: OK: 1 chain verified, 10 events\n"), out.toString());
    }

    @Test
    void verifyAgainstAnExpectedSeqCatchesRemovedRuns() {
        assertEquals(0, run("verify", "--hmac-key-file", keyFile.toString(), "--expect-seq", "10", "--from-start",
                trail.toString()));
        assertEquals(1, run("verify", "--hmac-key-file", keyFile.toString(), "--expect-seq", "25", trail.toString()));
        assertTrue(out.toString().contains("ERROR trail ends at seq 10 but seq 25 was written: events 11..25 are "
                + "missing"), out.toString());
        assertEquals(0, run("verify", "--hmac-key-file", keyFile.toString(), "--expect-seq", "audit=10",
                trail.toString()));
        assertEquals(1, run("verify", "--hmac-key-file", keyFile.toString(), "--expect-seq", "audit@gw2=1",
                trail.toString()), "a chain expected and not found");
        assertEquals(2, run("verify", "--hmac-key-file", keyFile.toString(), "--expect-seq", "audit=x",
                trail.toString()));
    }

    @Test
    void verifyOfATamperedTrailExitsOneAndNamesTheEvent() throws Exception {
        Path file = Files.list(trail).filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        List<String> lines = Files.readAllLines(file);
        lines.set(2, lines.get(2).replace("\"eventId\":\"ev-", "\"eventId\":\"ex-")); // any format
        Files.write(file, lines);
        assertEquals(1, run("verify", "--hmac-key-file", keyFile.toString(), trail.toString()));
        assertTrue(out.toString().contains("ERROR edited event: seq 3 in " + file + " line 3 (hash mismatch)"),
                out.toString());
    }

    @Test
    void verifyWithAWrongKeyExitsOne() throws Exception {
        Files.write(keyFile, "another-key-another-key-another".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, run("verify", "--hmac-key-file", keyFile.toString(), trail.toString()));
    }

    @Test
    void verifyUsageErrorsExitTwo() {
        assertEquals(2, run("verify", trail.toString()));
        assertTrue(err.toString().contains("Missing key"), err.toString());
        assertEquals(2, run("verify", "--hmac-key-file", keyFile.toString()));
        assertEquals(2, run("verify", "--no-such-option"));
        assertEquals(2, run());
    }

    @Test
    void reportByColumnAsCsv() {
        assertEquals(0, run("report", "--column", "customers.email", "--format", "csv", trail.toString()),
                err.toString());
        String csv = out.toString();
        assertTrue(csv.contains("role,purpose,statements,plaintext,masked,denied,written,filtered,refused\r\n"
                + "analyst,billing,6,0,6,0,0,0,0\r\nadmin,support,2,2,0,0,0,0,0\r\n"), csv);
    }

    @Test
    void reportPeriodDeniedAndTopAsText() {
        assertEquals(0, run("report", "--since", "2026-11-30", "--until", "2026-12-01", "--denied", "--top", "1",
                trail.toString()), err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("Warden audit report, 2026-11-30T00:00:00.000000Z to 2026-12-02T00:00:00.000000Z:"
                + " 3 statements"), text);
        assertTrue(text.contains("\nbob   admin                2                2           2     2\n"), text);
        assertTrue(text.contains("eve   intern  curious"), text);
    }

    @Test
    void reportRowKeyHashAsJson() throws Exception {
        assertEquals(0, run("report", "--row-key-hash", "rk-1", "--format", "json", trail.toString()));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertEquals(4, json.get("sections").get(0).get("rows").size());
        out.getBuffer().setLength(0);
        // several hashes (one per audit key, as audit row-key prints them): every era, each row naming its key
        assertEquals(0, run("report", "--row-key-hash", "rk-0,rk-1", "--format", "csv", trail.toString()));
        assertEquals(9, out.toString().lines().filter(l -> l.contains("SELECT email")).count(), out.toString());
        assertTrue(out.toString().contains("key 1 (current)") && out.toString().contains(",key 2"), out.toString());
    }

    @Test
    void reportAsHtmlFile() throws Exception {
        Path html = dir.resolve("report.html");
        assertEquals(0, run("report", "--column", "customers.email", "--format", "html", "--out", html.toString(),
                trail.toString()));
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<svg") && page.contains("<rect"), page);
        assertEquals("", out.toString());
    }

    @Test
    void reportBadOptionsExitTwo() {
        assertEquals(2, run("report", "--format", "pdf", trail.toString()));
        assertEquals(2, run("report", "--since", "yesterday", trail.toString()));
        assertEquals(2, run("report"));
    }

    @Test
    void verifyAndReportFromTheAuditTable() throws Exception {
        String url = "jdbc:h2:mem:cli_audit_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (DatabaseAuditSink sink = new DatabaseAuditSink(DatabaseAuditSink.Config.defaults(url, null),
                ChainKey.hmacSha256(KEY))) {
            record(sink::record);
        }
        assertEquals(0, run("verify", "--hmac-key-file", keyFile.toString(), "--jdbc-url", url), out.toString());
        assertTrue(out.toString().startsWith("table warden_audit: OK: 10 events verified"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("report", "--jdbc-url", url, "--column", "customers.email", "--format", "csv"));
        assertTrue(out.toString().contains("analyst,billing,6,0,6,0,0,0,0"), out.toString());
    }
}
