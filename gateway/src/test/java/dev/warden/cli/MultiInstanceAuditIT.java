package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditTrailFiles;
import dev.warden.testkit.CustomersExample;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Two JVMs writing through one policy at once (this one and a child started on the test class path): each keeps
 * a chain of its own in the policy's directory, {@code warden audit verify} of the directory exits 0 with one line
 * per chain, and {@code warden audit report} shows both.
 */
class MultiInstanceAuditIT {

    @Test
    void twoJvmsShareOnePolicyAndTheirTrailVerifies() throws Exception {
        CustomersExample db = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectory();
        Path anchor = dir.resolve("anchors").resolve("trail.anchor");
        Files.writeString(dir.resolve("policy.yaml"), "  anchor: anchors/trail.anchor\n",
                java.nio.file.StandardOpenOption.APPEND);
        int parentRows = 30;
        try (Connection c = db.as(dir, "support", "customer-service");
             PreparedStatement insert = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
            insert.setString(1, "parent 0");
            insert.setString(2, "parent0@example.com");
            insert.executeUpdate(); // this JVM's chain is open (its lock held) before the child starts

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    AuditWriterChild.class.getName(), db.wardenUrl(), dir.resolve("policy.yaml").toString(),
                    dir.resolve("demo-master-key.txt").toString(), "40")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            for (int i = 1; i < parentRows; i++) { // while the child writes
                insert.setString(1, "parent " + i);
                insert.setString(2, "parent" + i + "@example.com");
                insert.executeUpdate();
            }
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), out);
        }

        var chains = AuditTrailFiles.byChain(List.of(dir));
        assertEquals(2, chains.size(), chains.toString());
        assertTrue(chains.containsKey("warden-audit@" + AuditTrailFiles.defaultInstance()), chains.toString());

        String[] key = {"--keyset", dir.resolve("demo-keyset.json").toString(), "--master-key",
                "file:" + dir.resolve("demo-master-key.txt")};
        StringWriter verifyOut = new StringWriter();
        int code = run(verifyOut, concat(new String[] {"audit", "verify", "--anchor", anchor.toString()}, key,
                new String[] {dir.toString()}));
        String verified = verifyOut.toString();
        assertEquals(0, code, verified);
        assertFalse(verified.contains("forked"), verified);
        assertEquals(3, verified.lines().filter(l -> !l.startsWith("  ")).count(), verified); // 2 chains + total
        assertTrue(verified.contains("TOTAL: OK: 2 chains verified"), verified);
        // the child exited: its chain is sealed; this JVM's engine is still open: live (a warning)
        assertTrue(verified.contains("trail sealed") && verified.contains("still being written"), verified);

        StringWriter reportOut = new StringWriter();
        assertEquals(0, run(reportOut, "audit", "report", "--format", "csv", dir.toString()));
        String report = reportOut.toString();
        String parentChain = "warden-audit@" + AuditTrailFiles.defaultInstance();
        for (String chain : chains.keySet()) {
            // the chains table: chain, instance, statements, first event, last event
            String row = report.lines().filter(l -> l.startsWith(chain + ",")).findFirst().orElseThrow(
                    () -> new AssertionError("no row for " + chain + " in\n" + report));
            int statements = chain.equals(parentChain) ? parentRows : 80; // the child: 40 inserts, 40 selects
            assertTrue(row.startsWith(chain + "," + AuditTrailFiles.instanceOf(chain) + "," + statements + ","), row);
        }
        assertTrue(report.contains("policy-loaded") && report.contains("keyset-opened")
                && report.contains("chain-started"), report);
        assertFalse(report.contains("@example.com"), "no protected value in a report");
    }

    private static int run(StringWriter out, String... args) {
        CommandLine cli = new CommandLine(new WardenCommand());
        cli.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        out.append(err.toString());
        return code;
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
