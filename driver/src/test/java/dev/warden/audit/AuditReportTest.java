package dev.warden.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditReportTest {

    static final Instant T0 = Instant.parse("2026-11-29T09:00:00.000000Z");

    /** A known mix: 3 masked reads by analyst/billing, 2 plaintext by admin/support, 1 refusal, 1 write. */
    static List<AuditEvent> events() {
        List<AuditEvent> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(event("alice", "analyst", "billing", T0.plus(i, ChronoUnit.HOURS),
                    Map.of("customers.email", "masked"), List.of(), "allowed", List.of("rkA")));
        }
        for (int i = 0; i < 2; i++) {
            out.add(event("bob", "admin", "support", T0.plus(4 + i, ChronoUnit.HOURS),
                    Map.of("customers.email", "plaintext", "customers.ssn", "plaintext"), List.of(), "allowed",
                    List.of("rkA", "rkB")));
        }
        out.add(event("mallory", "intern", "=HYPERLINK(\"x\")", T0.plus(7, ChronoUnit.HOURS),
                Map.of("customers.ssn", "denied"), List.of(), "refused", List.of()));
        out.add(event("carol", "app", "signup", T0.plus(8, ChronoUnit.HOURS), Map.of(),
                List.of("customers.email"), "allowed", List.of()));
        out.add(AuditEvent.alarm(T0, "not a statement"));
        return out;
    }

    static AuditEvent event(String user, String role, String purpose, Instant t, Map<String, String> read,
                            List<String> written, String decision, List<String> rowKeys) {
        return new AuditEvent(AuditEvent.STATEMENT, t, "e", "s", user, role, purpose, "app", "10.0.0.1", "SELECT",
                "SELECT email FROM customers WHERE id = ?", "v1", List.of("customers"), read, written, List.of(), 1,
                decision, "refused".equals(decision) ? "rule customers.ssn denies role intern" : null,
                "refused".equals(decision) ? "42501" : null, 10, rowKeys);
    }

    @Test
    void columnAccessGroupsByRoleAndPurpose() {
        ReportTable t = AuditReport.of(events(), null, null).columnAccess("customers.email");
        assertEquals(3, t.rows().size());
        assertEquals(List.of("analyst", "billing", 3L, 0L, 3L, 0L, 0L, 0L, 0L), t.rows().get(0));
        assertEquals(List.of("admin", "support", 2L, 2L, 0L, 0L, 0L, 0L, 0L), t.rows().get(1));
        assertEquals(List.of("app", "signup", 1L, 0L, 0L, 0L, 1L, 0L, 0L), t.rows().get(2));
    }

    @Test
    void periodBoundsAreSinceInclusiveUntilExclusive() {
        AuditReport r = AuditReport.of(events(), T0.plus(1, ChronoUnit.HOURS), T0.plus(5, ChronoUnit.HOURS));
        ReportTable t = r.columnAccess("customers.email");
        assertEquals(2L, t.cell(0, "statements"));
        assertEquals("analyst", t.cell(0, "role"));
        assertEquals(1L, t.cell(1, "statements"));
        assertEquals(3, r.statementCount());
    }

    @Test
    void deniedListsRefusalsAndDeniedColumns() {
        ReportTable t = AuditReport.of(events(), null, null).denied();
        assertEquals(1, t.rows().size());
        assertEquals("mallory", t.cell(0, "user"));
        assertEquals("customers.ssn", t.cell(0, "denied columns"));
        assertEquals("42501", t.cell(0, "sqlstate"));
    }

    @Test
    void busiestReadersCountProtectedColumnReads() {
        ReportTable t = AuditReport.of(events(), null, null).busiestReaders(10);
        assertEquals(List.of("bob", "admin", 4L, 4L, 2L, 2L), t.rows().get(0));
        assertEquals(List.of("alice", "analyst", 3L, 0L, 3L, 3L), t.rows().get(1));
        assertEquals(2, t.rows().size(), "denied and write-only statements are not reads");
        assertEquals(1, AuditReport.of(events(), null, null).busiestReaders(1).rows().size());
    }

    @Test
    void rowKeyViewersNameEveryoneWhoSawTheRow() {
        AuditReport r = AuditReport.of(events(), null, null);
        assertEquals(5, r.rowKeyViewers("rkA").rows().size());
        ReportTable b = r.rowKeyViewers("rkB");
        assertEquals(2, b.rows().size());
        assertEquals("bob", b.cell(0, "user"));
        assertEquals("customers.email=plaintext customers.ssn=plaintext", b.cell(0, "columns shown"));
    }

    @Test
    void seriesBucketsAccessesOverTime() {
        ReportSeries s = AuditReport.of(events(), null, null).accessesOverTime("customers.email");
        assertEquals(java.time.Duration.ofMinutes(15), s.bucket());
        assertEquals(6, s.total());
        assertEquals(T0, s.start());
        ReportSeries day = AuditReport.of(events(), T0, T0.plus(1, ChronoUnit.DAYS)).accessesOverTime(null);
        assertEquals(java.time.Duration.ofHours(1), day.bucket());
        assertEquals(7, day.total());
        assertEquals(1L, day.counts().get(8));
    }

    private static String render(ReportFormat f) {
        AuditReport r = AuditReport.of(events(), null, null);
        return f.render("Audit report", List.of(r.columnAccess("customers.email"), r.denied(), r.busiestReaders(5)),
                r.accessesOverTime("customers.email"));
    }

    @Test
    void textIsAnAlignedTable() {
        String text = render(ReportFormat.TEXT);
        assertTrue(text.contains("role     purpose  statements  plaintext  masked  denied  written  filtered  refused"),
                text);
        assertTrue(text.contains("\nanalyst  billing           3          0       3       0        0         0        0\n"),
                text);
        assertTrue(text.contains("\nbob    admin                  4                4           2     2\n"), text);
    }

    @Test
    void csvQuotesAndDefusesFormulas() {
        String csv = render(ReportFormat.CSV);
        assertTrue(csv.contains("# Accesses to customers.email by role and purpose\r\nrole,purpose,statements,"), csv);
        assertTrue(csv.contains("\r\nanalyst,billing,3,0,3,0,0,0,0\r\n"), csv);
        assertTrue(csv.contains(",intern,\"'=HYPERLINK(\"\"x\"\")\","), csv);
    }

    @Test
    void jsonKeepsNumbersAsNumbers() throws Exception {
        JsonNode n = new ObjectMapper().readTree(render(ReportFormat.JSON));
        JsonNode first = n.get("sections").get(0).get("rows").get(0);
        assertEquals("analyst", first.get("role").asText());
        assertTrue(first.get("masked").isNumber());
        assertEquals(3, first.get("masked").asInt());
        assertEquals(6, n.get("series").get("points").findValues("count").stream().mapToInt(JsonNode::asInt).sum());
    }

    @Test
    void htmlIsSelfContainedWithAnEscapedSvgChart() {
        String html = render(ReportFormat.HTML);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assertEquals(6, html.split("<rect ", -1).length - 1, "one bar per non-empty bucket");
        assertTrue(html.contains("<td class=\"n\">3</td>"));
        assertTrue(html.contains("=HYPERLINK(&quot;x&quot;)"));
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "nothing fetched");
    }

    /** A trail with two client addresses (one hostile), a refused login, a key rotation and a reencryption run. */
    static Map<String, List<ChainedEvent>> clientAndKeyTrail() {
        String hostile = "<img src=x onerror=alert(1)>";
        List<AuditEvent> events = new ArrayList<>(events());
        events.add(new AuditEvent(AuditEvent.STATEMENT, T0.plus(9, ChronoUnit.HOURS), "e", "s", "eve", "intern",
                "x", hostile, hostile, "SELECT", "SELECT 1", "v1", List.of(), Map.of(), List.of(), List.of(), 0,
                "refused", "r", "42501", 1, List.of()));
        events.add(new AuditEvent(AuditEvent.AUTHENTICATION, T0.plus(10, ChronoUnit.HOURS), "a", null, "eve", null,
                null, null, hostile, null, null, null, List.of(), Map.of(), List.of(), List.of(), -1, "refused",
                "wrong password", "28P01", 0, List.of()));
        events.add(new AuditEvent("key-rotated", T0.plus(2, ChronoUnit.HOURS), "k", null, null, null, null, null,
                null, null, null, "v2", List.of(), Map.of(), List.of(), List.of(), -1, "allowed",
                "primary keys were [k1], now [k2]", null, 0, List.of()));
        events.add(new AuditEvent(AuditEvent.REENCRYPTION, T0.plus(3, ChronoUnit.HOURS), "r", null, "ops", null,
                null, "warden keys reencrypt", null, "REENCRYPT", null, "v2", List.of("customers"), Map.of(),
                List.of("customers.email"), List.of(), 5, "allowed", "done: 5 rows k1 -> k2", null, 0, List.of()));
        List<ChainedEvent> chain = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            chain.add(new ChainedEvent(i + 1, "p", "h", events.get(i)));
        }
        return Map.of("warden-audit@gw1", chain);
    }

    @Test
    void clientAddressesCountEventsFirstLastSeenAndRoles() {
        ReportTable t = AuditReport.ofChains(clientAndKeyTrail(), null, null).clientAddresses();
        assertEquals(List.of("address", "events", "refused", "first seen", "last seen", "applications", "roles",
                "users"), t.columns());
        assertEquals(List.of(
                java.util.Arrays.asList("10.0.0.1", 7L, 1L, "2026-11-29T09:00:00.000000Z", "2026-11-29T17:00:00.000000Z", "app",
                        "admin, analyst, app, intern", "alice, bob, carol, mallory"),
                java.util.Arrays.asList("<img src=x onerror=alert(1)>", 2L, 2L, "2026-11-29T18:00:00.000000Z",
                        "2026-11-29T19:00:00.000000Z", "<img src=x onerror=alert(1)>", "intern", "eve")), t.rows());
    }

    @Test
    void keyEventsListRotationsAndReencryptionWithWho() {
        ReportTable t = AuditReport.ofChains(clientAndKeyTrail(), null, null).keyEvents();
        assertEquals(2, t.rows().size(), t.rows().toString());
        assertEquals(java.util.Arrays.asList("2026-11-29T11:00:00.000000Z", "key-rotated", "allowed", "instance gw1", "",
                "v2", "primary keys were [k1], now [k2]"), t.rows().get(0));
        assertEquals(java.util.Arrays.asList("2026-11-29T12:00:00.000000Z", "reencryption", "allowed", "ops", "customers",
                "v2", "done: 5 rows k1 -> k2"), t.rows().get(1));
    }

    @Test
    void htmlEscapesHostileClientAddresses() {
        AuditReport r = AuditReport.ofChains(clientAndKeyTrail(), null, null);
        String html = ReportFormat.HTML.render("report", List.of(r.clientAddresses(), r.keyEvents()), null);
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"), html);
        assertTrue(html.contains("<td>key-rotated</td>"), html);
        assertTrue(html.contains("<td>done: 5 rows k1 -&gt; k2</td>"), html);
    }
}
