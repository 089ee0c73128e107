package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerification;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainedEvent;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a JVM writing through the Warden driver with {@code audit.durability: sync}: every INSERT that
 * returned has its audit event on disk, and the trail verifies up to its last complete event (a crashed
 * run is unsealed, which verify reports as such, not as tampering).
 */
class DriverCrashIT {

    @Test
    void everyStatementThatReturnedHasItsEventOnDiskAfterSigkill() throws Exception {
        Path dir = Files.createTempDirectory("warden-crash");
        for (String f : new String[] {"policy.yaml", "demo-keyset.json", "demo-master-key.txt"}) {
            Files.copy(CustomersExample.DIRECTORY.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("policy.yaml"), "  durability: sync\n", StandardOpenOption.APPEND);
        String rawUrl = EmbeddedPostgres.freshDatabase();
        try (Connection raw = EmbeddedPostgres.rawConnection(rawUrl)) {
            raw.createStatement().execute(Files.readString(CustomersExample.SOURCE.resolve("schema.sql")));
        }

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DriverCrashChild.class.getName(), "jdbc:warden:" + rawUrl.substring(5),
                dir.resolve("policy.yaml").toString(), dir.resolve("demo-master-key.txt").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                acknowledged = Long.parseLong(line.trim());
                if (acknowledged == 200) child.toHandle().destroyForcibly();  // SIGKILL mid-workload
            }
        }
        assertTrue(child.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertTrue(acknowledged >= 200);

        long insertsOnDisk = AuditTrailReader.readFiles(List.of(dir)).stream().map(ChainedEvent::event)
                .filter(e -> "statement".equals(e.type()) && "INSERT".equals(e.statementKind())
                        && "allowed".equals(e.decision()) && e.rows() == 1)
                .count();
        assertTrue(insertsOnDisk >= acknowledged,
                insertsOnDisk + " INSERT events on disk for " + acknowledged + " acknowledged INSERTs");

        WardenKeyset keyset = WardenKeyset.read(dir.resolve("demo-keyset.json"),
                MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt")));
        AuditVerification verification = new AuditVerifier(AuditTrails.chainKey(keyset)).verify(List.of(dir));
        for (AuditVerification.Finding f : verification.errors()) {
            assertTrue(f.kind() == AuditVerification.Kind.UNSEALED, verification.render());
        }
        StringBuilder trail = new StringBuilder();
        for (Path f : Files.list(dir).filter(f -> f.toString().endsWith(".jsonl")).toList()) {
            trail.append(Files.readString(f));
        }
        assertFalse(trail.toString().contains("@example.com"), "no protected value in the trail");
    }
}
