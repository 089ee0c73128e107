package dev.warden.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditVerification.Finding;
import dev.warden.audit.AuditVerification.Kind;
import dev.warden.audit.AuditVerification.Severity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a JVM recording in sync durability: every acknowledged event is on disk and the trail verifies. */
class JsonLinesAuditSinkCrashTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEventSurvivesSigkillAndTheTrailVerifiesUpToTheLastCompleteEvent() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AuditCrashChild.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                acknowledged.add(Long.parseLong(line.trim()));
                if (acknowledged.size() == 300) {
                    child.toHandle().destroyForcibly(); // SIGKILL on Unix; the handle keeps our pipe open
                }
            }
        }
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertTrue(acknowledged.size() >= 300);

        Set<Long> onDisk = new HashSet<>();
        for (ChainedEvent e : AuditTrailReader.readFiles(List.of(dir))) {
            onDisk.add(e.seq());
        }
        for (long seq : acknowledged) {
            assertTrue(onDisk.contains(seq), "acknowledged seq " + seq + " is on disk");
        }

        AuditVerification v = new AuditVerifier(AuditFixtures.KEY).verify(List.of(dir));
        // not tampering: at most a torn last line (a warning) and the missing seal of a crashed run
        for (Finding f : v.findings()) {
            assertTrue(f.kind() == Kind.UNSEALED || f.severity() == Severity.WARNING, v.render());
        }
        assertTrue(v.has(Kind.UNSEALED), v.render());
        assertTrue(v.lastSeq() >= acknowledged.get(acknowledged.size() - 1));
        System.out.println("after SIGKILL: " + v.render().strip());

        // a restart continues the chain and the whole trail verifies
        AuditFixtures.writeTrail(dir, 3);
        AuditVerification after = new AuditVerifier(AuditFixtures.KEY).verify(List.of(dir));
        assertTrue(after.ok() && after.sealed(), after.render());
    }
}
