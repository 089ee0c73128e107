package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.KEY;
import static dev.warden.audit.AuditFixtures.config;
import static dev.warden.audit.AuditFixtures.statement;
import static dev.warden.audit.AuditFixtures.trailFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team, session 9: an insider who can write the trail files but has no key forges format 2 lines whose only
 * purpose is to change what the authentic lines after them refer to. Verification reports every such line; reports
 * (which read without the key) never show a forged value in an authentic line: a dictionary entry defined twice in
 * a file, a version mark past a file's first line, or an id that is not a plain positive number give no value.
 */
class RedTeamSession9TrailTest {

    @TempDir
    Path dir;

    /** 20 statements: the first ten as role analyst, the rest as support (defined by the 11th's line). */
    private Path trail() throws Exception {
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config(dir, Durability.ASYNC), KEY)) {
            for (int i = 1; i <= 20; i++) {
                sink.record(i <= 10 ? statement(i) : statement(i, Instant.parse("2026-11-29T11:00:00Z").plusMillis(i),
                        "support", null, Map.of("customers.email", "plaintext"), "allowed"));
            }
        }
        return trailFiles(dir).get(0);
    }

    /** The id the file gives {@code value} (in the def of the line that first uses it). */
    private static String idOf(List<String> lines, String value) {
        for (String l : lines) {
            int at = l.indexOf("\":\"" + value + "\"");
            int def = l.indexOf("\"def\":{");
            if (at > def && def >= 0) {
                int start = l.lastIndexOf('"', at - 1);
                return l.substring(start + 1, at);
            }
        }
        throw new AssertionError(value + " is defined nowhere");
    }

    /** A copy of {@code line} (its MAC now wrong) carrying {@code fields} right after its prev. */
    private static String forged(String line, String fields) {
        int prevEnd = line.indexOf("\",", line.indexOf("\"prev\":\"") + 8) + 2;
        return line.substring(0, prevEnd) + fields + line.substring(prevEnd);
    }

    private List<String> rolesReported() throws Exception {
        List<String> roles = new ArrayList<>();
        for (ChainedEvent e : AuditTrailReader.readFiles(List.of(dir))) {
            if (AuditEvent.STATEMENT.equals(e.event().type()) && e.event().eventId() != null
                    && e.event().eventId().startsWith("ev-")) {
                roles.add(e.event().role());
            }
        }
        return roles;
    }

    private void assertReportsNoForgedRoleAndVerifyFails() throws Exception {
        List<String> roles = rolesReported();
        assertFalse(roles.stream().anyMatch(r -> r != null && r.contains("forged")), roles.toString());
        AuditVerification v = new AuditVerifier(KEY).verify(List.of(dir));
        assertFalse(v.ok(), v.render());
    }

    @Test
    void aForgedLineDefiningAnEntryBeforeItsAuthenticDefinitionGivesItNoValue() throws Exception {
        Path file = trail();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String support = idOf(lines, "support");
        // inserted before the 11th statement's authentic definition of support: first definition would win
        lines.add(3, forged(lines.get(3), "\"def\":{\"" + support + "\":\"forged-auditor\"},"));
        Files.write(file, lines);
        assertReportsNoForgedRoleAndVerifyFails();
    }

    @Test
    void aForgedVersionMarkMidFileDoesNotRestartTheDictionary() throws Exception {
        Path file = trail();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String billing = idOf(lines, "analyst");
        String support = idOf(lines, "support");
        // after every authentic definition: a mark would empty the dictionary, then the forged line fills it
        lines.add(15, forged(lines.get(15), "\"format\":2,\"def\":{\"" + billing + "\":\"forged-a\",\"" + support
                + "\":\"forged-b\"},"));
        Files.write(file, lines);
        assertReportsNoForgedRoleAndVerifyFails();
    }

    @Test
    void aReferenceBeyondAnIntDoesNotWrapOntoAnotherEntry() throws Exception {
        Path file = trail();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String billing = idOf(lines, "analyst");
        long wrapped = (1L << 32) + Long.parseLong(billing);
        String line = lines.get(5).replaceFirst("\"role\":\\d+", "\"role\":" + wrapped);
        assertTrue(line.contains("\"role\":" + wrapped), line);
        AuditLineReader reader = new AuditLineReader();
        ChainedEvent read = null;
        for (int i = 0; i <= 5; i++) {
            read = reader.read((i == 5 ? line : lines.get(i)).getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("(unresolved #" + wrapped + ")", read.event().role());
    }

    @Test
    void aDefinitionIdThatIsNotAPlainPositiveNumberIsMalformed() {
        for (String id : List.of("-1", "+1", "01", "0", " 1", "99999999999")) {
            String line = "{\"seq\":1,\"prev\":\"\",\"format\":2,\"def\":{\"" + id + "\":\"x\"},\"type\":\"statement\","
                    + "\"role\":1,\"hash\":\"00\"}";
            AuditLineReader reader = new AuditLineReader();
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> reader.read(line.getBytes(StandardCharsets.UTF_8)), id);
        }
    }

    @Test
    void anAuthenticTrailStillReadsAndVerifies() throws Exception {
        trail();
        List<String> roles = rolesReported();
        assertEquals(20, roles.size());
        assertEquals("support", roles.get(19));
        assertTrue(new AuditVerifier(KEY).verify(List.of(dir)).ok());
    }

    private List<Path> rotatedTrail() throws Exception {
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config(dir, Durability.ASYNC).withRotation(4096, false),
                KEY)) {
            for (int i = 1; i <= 40; i++) sink.record(statement(i));
        }
        List<Path> files = trailFiles(dir);
        assertTrue(files.size() > 2);
        return files;
    }

    private void assertVerifyFails(String shape) throws Exception {
        AuditVerification v = new AuditVerifier(KEY).verify(List.of(dir));
        assertFalse(v.ok(), shape + ": " + v.render());
    }

    @Test
    void theRotationMarkOfAnOlderFileTornMidLineIsFound() throws Exception {
        Path first = rotatedTrail().get(0);
        byte[] b = Files.readAllBytes(first);
        Files.write(first, java.util.Arrays.copyOf(b, b.length - 30));
        assertVerifyFails("torn mark");
    }

    @Test
    void anotherFilesFirstLineSplicedMidFileIsFound() throws Exception {
        List<Path> files = rotatedTrail();
        List<String> one = new ArrayList<>(Files.readAllLines(files.get(0)));
        one.add(3, Files.readAllLines(files.get(1)).get(0));
        Files.write(files.get(0), one);
        assertVerifyFails("spliced head");
        assertEquals(40, rolesReported().size(), "the spliced line is not read as an event of this file");
    }

    @Test
    void aFilesFirstLineRepeatedAtItsEndIsFound() throws Exception {
        List<Path> files = rotatedTrail();
        List<String> one = new ArrayList<>(Files.readAllLines(files.get(1)));
        one.add(one.get(0));
        Files.write(files.get(1), one);
        assertVerifyFails("repeated head");
    }

    @Test
    void twoFilesJoinedOrAFileSplitIsFoundOrReadsTheSame() throws Exception {
        List<Path> files = rotatedTrail();
        List<String> one = new ArrayList<>(Files.readAllLines(files.get(0)));
        List<String> two = Files.readAllLines(files.get(1));
        // split: the second half of the first file moved to a file of its own
        List<String> head = one.subList(0, one.size() / 2);
        List<String> tail = one.subList(one.size() / 2, one.size());
        Files.write(files.get(0), head);
        Files.write(files.get(0).resolveSibling(files.get(0).getFileName().toString().replace(".jsonl", "a.jsonl")),
                tail);
        assertVerifyFails("split file");
        assertFalse(two.isEmpty());
    }
}
