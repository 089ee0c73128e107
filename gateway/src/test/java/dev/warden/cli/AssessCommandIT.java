package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code warden assess} on the customers example after an application has written, read and been refused through
 * Warden: the page holds the coverage, the role × column matrix, the access review with its denial chart and the
 * trail's verification, no value, and renders in headless Chromium (screenshot under target/assess/).
 */
class AssessCommandIT {

    private static final Path OUTPUT = Path.of("target", "assess");

    @Test
    void writesAPageThatRendersInABrowser() throws Exception {
        CustomersExample db = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectory();
        PolicyCheckCommandIT.customersWrittenThroughWarden(db, dir);
        try (Connection billing = db.as(dir, "billing", "order-processing"); Statement s = billing.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, phone FROM customers")) {
            while (rs.next()) rs.getString(1);
        }
        try (Connection analyst = db.as(dir, "analyst", null); Statement s = analyst.createStatement()) {
            for (int i = 0; i < 2; i++) {
                SQLException refused = assertThrows(SQLException.class, () -> s.executeQuery("SELECT phone FROM customers"));
                assertEquals("42501", refused.getSQLState());
            }
        }
        awaitRefusalsInTrail(dir, 2);

        Files.createDirectories(OUTPUT);
        Path html = OUTPUT.resolve("assessment.html").toAbsolutePath();
        PolicyCheckCommandIT.Run run = PolicyCheckCommandIT.warden("assess", "--policy",
                dir.resolve("policy.yaml").toString(), "--url", db.rawUrl(), "--user", EmbeddedPostgres.USER,
                "--master-key", "file:" + dir.resolve("demo-master-key.txt"), "--audit", dir.toString(),
                "--out", html.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("audit trail verified: 1 chain(s)"), run.out());
        String page = Files.readString(html);
        for (int i = 0; i < 3; i++) {
            assertFalse(page.contains("c" + i + "@example.com") || page.contains("9123 456" + i), "a value in the page");
        }
        assertFalse(page.contains("<script") || page.contains("http://") && !page.contains("http://www.w3.org/2000/svg")
                || page.contains("https://"), "self-contained: nothing fetched");

        PolicyCheckCommandIT.Run json = PolicyCheckCommandIT.warden("assess", "--policy",
                dir.resolve("policy.yaml").toString(), "--url", db.rawUrl(), "--user", EmbeddedPostgres.USER,
                "--master-key", "file:" + dir.resolve("demo-master-key.txt"), "--audit", dir.toString(),
                "--out", OUTPUT.resolve("assessment.json").toString(), "--format", "json");
        assertEquals(0, json.code(), json.err());
        JsonNode tree = new ObjectMapper().readTree(OUTPUT.resolve("assessment.json").toFile());
        List<String> titles = new ArrayList<>();
        tree.get("sections").forEach(sec -> titles.add(sec.get("title").asText()));
        assertEquals(List.of("Summary", "Encryption coverage", "Keys", "Role × column matrix",
                "Grants not used in the last 90 days (review them)", "Busiest readers of protected columns (top 10)",
                "Audit trail verification", "Policy check findings"), titles);
        assertEquals(2, tree.get("series").get("points").findValues("count").stream().mapToLong(JsonNode::asLong).sum(),
                "the two refusals in the denial series");

        renderInChromium(html);

        // warden audit report --format html: verification, period, matrix and denial chart on the shared page
        Path report = OUTPUT.resolve("audit-report.html").toAbsolutePath();
        PolicyCheckCommandIT.Run reported = PolicyCheckCommandIT.warden("audit", "report", dir.toString(), "--format",
                "html", "--keyset", dir.resolve("demo-keyset.json").toString(), "--master-key",
                "file:" + dir.resolve("demo-master-key.txt"), "--policy", dir.resolve("policy.yaml").toString(),
                "--out", report.toString());
        assertEquals(0, reported.code(), reported.err());
        String chromium = chromiumOrSkip();
        screenshot(chromium, report, OUTPUT.resolve("audit-report.png").toAbsolutePath());
        String dom = dumpDom(chromium, report, "audit-report");
        assertTrue(dom.contains("class=\"status ok\">Audit trail verified: 1 chain(s)"), dom);
        assertTrue(dom.matches("(?s).*<p>Events from 20\\d\\d-.* to 20\\d\\d-.*\\.</p>.*"), dom);
        assertTrue(dom.contains("<td>analyst</td><td class=\"masked\">masked</td>"), dom);
        int denials = dom.indexOf("<h2 id=\"denials\">Denied attempts per");
        assertTrue(denials > 0 && dom.indexOf("<rect", denials) > denials, "the denial chart with bars");
        // the client addresses (in-process driver: no address) and the key and policy events, as their own sections
        int clients = dom.indexOf("<h2 id=\"clients\">Client addresses</h2>");
        assertTrue(clients > 0, dom);
        assertTrue(dom.substring(clients).matches("(?s)<h2 id=\"clients\">Client addresses</h2>\\s*<table>.*"
                + "<td>\\(in process, no address\\)</td><td class=\"n\">\\d+</td><td class=\"n\">2</td>.*"), dom);
        int keyEvents = dom.indexOf("<h2 id=\"key-events\">Key, reencryption and policy events</h2>");
        assertTrue(keyEvents > clients, dom);
        assertTrue(dom.indexOf("<td>policy-loaded</td><td>allowed</td>", keyEvents) > keyEvents, dom);
        assertTrue(dom.indexOf("<td>keyset-opened</td><td>allowed</td>", keyEvents) > keyEvents, dom);
        for (int i = 0; i < 3; i++) assertFalse(dom.contains("c" + i + "@example.com"), "a value in the report");
    }

    private static void renderInChromium(Path html) throws Exception {
        String chromium = chromiumOrSkip();
        screenshot(chromium, html, OUTPUT.resolve("assessment.png").toAbsolutePath());
        String dom = dumpDom(chromium, html, "assessment");
        assertTrue(dom.contains("<h2 id=\"matrix\">Role × column matrix</h2>"), dom);
        assertTrue(dom.contains("<td>analyst</td><td class=\"masked\">masked</td><td class=\"denied\">denied</td>"), dom);
        assertTrue(dom.contains("<td>billing (purposes: customer-service, order-processing)</td><td class=\"plaintext\">"
                + "plaintext for customer-service, order-processing (else masked); filter; write</td>"), dom);
        int chart = dom.indexOf("<h2 id=\"denials\">");
        assertTrue(chart > 0 && dom.indexOf("<svg", chart) > chart && dom.indexOf("<rect", chart) > chart,
                "the denial chart is an inline SVG with bars");
        assertTrue(dom.contains("class=\"status ok\">verified: 1 chain(s)"), dom);
    }

    private static String chromiumOrSkip() {
        String chromium = findChromium();
        if (chromium == null) {
            System.out.println("AssessCommandIT: chromium not installed (apt-get install chromium); the pages were not"
                    + " rendered in a browser");
            Assumptions.abort("chromium is not installed");
        }
        return chromium;
    }

    private static List<String> browser(String chromium) throws Exception {
        Path profile = Files.createTempDirectory("warden-chromium");
        return List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=1400,2400");
    }

    /** Renders {@code html} to {@code png} and checks it drew a page, not a blank screen. */
    private static void screenshot(String chromium, Path html, Path png) throws Exception {
        Files.deleteIfExists(png);
        List<String> shot = new ArrayList<>(browser(chromium));
        shot.add("--screenshot=" + png);
        shot.add(html.toUri().toString());
        run(shot, OUTPUT.resolve(png.getFileName() + ".log"));
        assertTrue(Files.size(png) > 0, "screenshot written");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1400, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) colours.add(image.getRGB(x, y));
        }
        assertTrue(colours.size() > 5, "the page rendered something, not a blank screen: " + colours.size() + " colours");
    }

    /** The DOM Chromium built from {@code html}, saved beside it as NAME.dom.html. */
    private static String dumpDom(String chromium, Path html, String name) throws Exception {
        List<String> dump = new ArrayList<>(browser(chromium));
        dump.add("--dump-dom");
        dump.add(html.toUri().toString());
        String dom = run(dump, OUTPUT.resolve(name + ".dom.log"));
        Files.writeString(OUTPUT.resolve(name + ".dom.html"), dom);
        return dom;
    }

    /** Runs a browser command; its stdout. Fails on a non-zero exit or after two minutes. */
    private static String run(List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(log));
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String findChromium() {
        for (String name : new String[] {"chromium", "chromium-browser"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    /** The trail is written asynchronously: waits until it holds {@code n} refused statements. */
    private static void awaitRefusalsInTrail(Path dir, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long refused = 0;
            for (List<ChainedEvent> chain : AuditTrailReader.readChains(List.of(dir)).values()) {
                refused += chain.stream().filter(c -> "refused".equals(c.event().decision())).count();
            }
            if (refused >= n) return;
            assertTrue(System.nanoTime() < deadline, "the refusals reached the trail");
            Thread.sleep(100);
        }
    }
}
