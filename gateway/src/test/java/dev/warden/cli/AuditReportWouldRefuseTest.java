package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSinkConfig;
import dev.warden.audit.ChainKey;
import dev.warden.audit.JsonLinesAuditSink;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code warden audit report --would-refuse} over a real trail of observe mode events: one row per statement
 * fingerprint and refusal, with counts, first and last seen, call sites and the change that would allow it.
 */
class AuditReportWouldRefuseTest {

    static final byte[] KEY = "cli-test-audit-hmac-key-0123456789".getBytes(StandardCharsets.US_ASCII);
    static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    static final String PHONES = "SELECT phone FROM customers";
    static final String LIKE = "SELECT name FROM customers WHERE email LIKE ?";
    static final String DENIED = "Warden: role 'analyst' may not read customers.phone (policy line 12); to allow it,"
            + " grant 'analyst' plaintext or masked in read: of customers.phone";
    static final String UNSUPPORTED = "Warden: LIKE on customers.email needs a match index";

    @TempDir
    Path dir;
    Path trail;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    static AuditEvent event(int i, String fingerprint, String decision, String sqlState, String reason,
                            String callSite) {
        return new AuditEvent(AuditEvent.STATEMENT, T0.plus(i, ChronoUnit.MINUTES), "ev-" + i, "s", "app", "analyst",
                null, "orders-service", null, "SELECT", fingerprint, "v1", List.of("customers"), Map.of(), List.of(),
                List.of(), 1, decision, reason, sqlState, 5, List.of(), callSite);
    }

    @BeforeEach
    void trail() throws Exception {
        trail = dir.resolve("trail");
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(AuditSinkConfig.defaults(trail.resolve("audit.jsonl")),
                ChainKey.hmacSha256(KEY))) {
            sink.record(event(0, PHONES, AuditEvent.WOULD_REFUSE, "42501", DENIED, "com.acme.Reports.phones(Reports.java:40)"));
            sink.record(event(1, LIKE, AuditEvent.WOULD_REFUSE, "0A000", UNSUPPORTED, "com.acme.Search.byDomain(Search.java:17)"));
            sink.record(event(2, PHONES, AuditEvent.WOULD_REFUSE, "42501", DENIED, "com.acme.Export.run(Export.java:88)"));
            sink.record(event(3, PHONES, AuditEvent.WOULD_REFUSE, "42501", DENIED, "com.acme.Reports.phones(Reports.java:40)"));
            sink.record(event(4, "SELECT email FROM customers", AuditEvent.WOULD_MASK, null, "masked", "com.acme.X.y(X.java:1)"));
            sink.record(event(5, "SELECT 1", "allowed", null, null, null));
        }
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new AuditCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void listsEachStatementEnforcementWouldRefuseWithCountsCallSitesAndTheChangeThatAllowsIt() throws Exception {
        assertEquals(0, run("report", "--would-refuse", "--format", "json", trail.toString()), err.toString());
        JsonNode section = new ObjectMapper().readTree(out.toString()).get("sections").get(0);
        assertEquals("Statements enforcement would refuse (observe mode)", section.get("title").asText());
        JsonNode rows = section.get("rows");
        assertEquals(2, rows.size(), rows.toString());
        JsonNode phones = rows.get(0);  // most frequent first
        assertEquals(PHONES, phones.get("statement").asText());
        assertEquals(3, phones.get("count").asLong());
        assertEquals("2026-12-01T09:00:00.000000Z", phones.get("first seen").asText());
        assertEquals("2026-12-01T09:03:00.000000Z", phones.get("last seen").asText());
        assertEquals("analyst", phones.get("roles").asText());
        assertEquals("com.acme.Export.run(Export.java:88); com.acme.Reports.phones(Reports.java:40)",
                phones.get("call sites").asText());
        assertEquals("42501", phones.get("sqlstate").asText());
        assertEquals("Warden: role 'analyst' may not read customers.phone (policy line 12)", phones.get("refusal").asText());
        assertEquals("to allow it, grant 'analyst' plaintext or masked in read: of customers.phone",
                phones.get("to allow it").asText());
        JsonNode like = rows.get(1);
        assertEquals(LIKE, like.get("statement").asText());
        assertEquals(1, like.get("count").asLong());
        assertEquals("0A000", like.get("sqlstate").asText());
        assertTrue(like.get("to allow it").asText().startsWith("no policy change allows it: rewrite the statement"), like.toString());
    }

    @Test
    void theDefaultReportShowsTheSectionOnlyForATrailWithObserveModeEvents() throws Exception {
        assertEquals(0, run("report", trail.toString()), err.toString());
        assertTrue(out.toString().contains("Statements enforcement would refuse (observe mode)"), out.toString());
        assertFalse(out.toString().contains("Denied attempts\nlevel"), out.toString());
        assertFalse(out.toString().contains("refused  "), "would-refuse is not a refusal: " + out);
    }
}
