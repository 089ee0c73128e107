package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.KEY;
import static dev.warden.audit.AuditFixtures.config;
import static dev.warden.audit.AuditFixtures.statement;
import static dev.warden.audit.AuditFixtures.trailFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditVerification.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trail format 2: repeated values written once per file (in a line's {@code def}) and referred to by id. Every
 * event still reads back as recorded and verifies line by line; any edit, deletion or move of a line, a defining
 * line included, is found and named.
 */
class AuditTrailFormat2Test {

    @TempDir
    Path dir;

    /** Statements 1..n; from {@code n/2 + 1} on, role {@code support}: a value first defined mid-file. */
    private List<AuditEvent> recorded(int n) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            events.add(i <= n / 2 ? statement(i) : statement(i, Instant.parse("2026-11-29T11:00:00Z").plusMillis(i),
                    "support", null, Map.of("customers.email", "plaintext"), i % 4 == 0 ? "refused" : "allowed"));
        }
        return events;
    }

    private List<AuditEvent> write(AuditSinkConfig config, List<AuditEvent> events) throws Exception {
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config, KEY)) {
            for (AuditEvent e : events) {
                sink.record(e);
            }
        }
        return events;
    }

    private static List<AuditEvent> statements(Path dir) throws Exception {
        return AuditTrailReader.readFiles(List.of(dir)).stream().map(ChainedEvent::event)
                .filter(e -> AuditEvent.STATEMENT.equals(e.type())).toList();
    }

    private AuditVerification verify() throws Exception {
        return new AuditVerifier(KEY).verify(List.of(dir));
    }

    @Test
    void eventsReadBackAsRecordedAcrossRotatedFilesAndVerify() throws Exception {
        List<AuditEvent> events = write(config(dir, Durability.ASYNC).withRotation(4096, false), recorded(40));
        assertTrue(trailFiles(dir).size() > 2, "rotated: each file has a dictionary of its own");
        assertEquals(events, statements(dir));
        for (Path f : trailFiles(dir)) {
            String first = Files.readAllLines(f).get(0);
            assertTrue(first.contains(",\"format\":2,\"def\":{"), first); // the version mark heads every file
        }
        AuditVerification v = verify();
        assertTrue(v.ok(), v.render());
        assertTrue(v.sealed());
    }

    @Test
    void repeatedValuesAreWrittenOncePerFile() throws Exception {
        write(config(dir, Durability.ASYNC), recorded(20));
        List<String> lines = Files.readAllLines(trailFiles(dir).get(0));
        String fingerprint = "SELECT email, ssn FROM customers WHERE id = ?";
        assertEquals(1, lines.stream().filter(l -> l.contains(fingerprint)).count());
        assertTrue(lines.get(1).contains("\"fingerprint\":"), lines.get(1));
        assertFalse(lines.get(1).contains("\"def\""), "the second line defines nothing new: " + lines.get(1));
        Path v1 = Files.createDirectory(dir.resolve("v1"));
        write(config(v1, Durability.ASYNC).withFormat(AuditSinkConfig.FORMAT_1), recorded(20));
        long v2Bytes = Files.size(trailFiles(dir).get(0));
        long v1Bytes = Files.size(trailFiles(v1).get(0));
        assertTrue(v2Bytes * 10 < v1Bytes * 8, v2Bytes + " bytes in format 2, " + v1Bytes + " in format 1");
    }

    private List<String> lines;
    private Path file;

    private void trailOf(int n) throws Exception {
        write(config(dir, Durability.ASYNC), recorded(n));
        file = trailFiles(dir).get(0);
        lines = new ArrayList<>(Files.readAllLines(file));
        assertEquals(n + 1, lines.size());
        assertTrue(verify().ok());
    }

    private AuditVerification rewritten() throws Exception {
        Files.write(file, lines);
        return verify();
    }

    private static List<Kind> errorKinds(AuditVerification v) {
        return v.errors().stream().map(AuditVerification.Finding::kind).distinct().sorted().toList();
    }

    @Test
    void anEditedLineIsFoundAtItsSeq() throws Exception {
        trailOf(10);
        lines.set(6, lines.get(6).replace("\"eventId\":\"ev-7\"", "\"eventId\":\"ev-9\""));
        AuditVerification v = rewritten();
        assertEquals(List.of("edited event: seq 7 in " + file + " line 7 (hash mismatch)"),
                v.errors().stream().map(AuditVerification.Finding::message).toList());
    }

    @Test
    void aReferenceChangedToAnotherEntryIsAnEdit() throws Exception {
        trailOf(10);
        // line 8 (role support) made to point at the id line 1 gave role analyst: same length, other meaning
        String line = lines.get(7);
        int at = line.indexOf("\"role\":") + "\"role\":".length();
        String id = line.substring(at, line.indexOf(',', at));
        String other = lines.get(0).substring(lines.get(0).indexOf("\"role\":") + 7);
        other = other.substring(0, other.indexOf(','));
        assertFalse(id.equals(other));
        lines.set(7, line.replace("\"role\":" + id + ",", "\"role\":" + other + ","));
        AuditVerification v = rewritten();
        assertEquals(List.of(Kind.EDITED), errorKinds(v), v.render());
        assertTrue(v.errors().get(0).message().startsWith("edited event: seq 8 "), v.render());
    }

    @Test
    void aDeletedLineIsFound() throws Exception {
        trailOf(10);
        lines.remove(2);
        AuditVerification v = rewritten();
        assertEquals(List.of(Kind.DELETED), errorKinds(v), v.render());
        assertTrue(v.errors().get(0).message().contains("3"), v.render());
    }

    @Test
    void reorderedLinesAreFound() throws Exception {
        trailOf(10);
        String third = lines.remove(2);
        lines.add(5, third);
        assertTrue(errorKinds(rewritten()).contains(Kind.REORDERED));
    }

    @Test
    void anEditedDefinitionIsAnEditAndWhatReliesOnItIsUnresolved() throws Exception {
        trailOf(10);
        assertTrue(lines.get(0).contains("\"analyst\""), lines.get(0));
        lines.set(0, lines.get(0).replace("\"analyst\"", "\"auditor\""));
        AuditVerification v = rewritten();
        assertEquals(List.of(Kind.EDITED, Kind.UNRESOLVED), errorKinds(v), v.render());
        assertTrue(v.errors().stream().anyMatch(f -> f.message().startsWith("edited event: seq 1 ")), v.render());
        // every later line that relies on the edited definition is named
        assertTrue(v.errors().stream().anyMatch(f -> f.message().startsWith("unresolved reference: seq 2 ")),
                v.render());
    }

    @Test
    void aDeletedDefiningLineIsADeletionAndWhatReliesOnItIsUnresolved() throws Exception {
        trailOf(10);
        int firstSupport = 5; // statement 6: the first with role support, whose line defines it
        assertTrue(lines.get(firstSupport).contains("\"support\""), lines.get(firstSupport));
        lines.remove(firstSupport);
        AuditVerification v = rewritten();
        assertEquals(List.of(Kind.DELETED, Kind.UNRESOLVED), errorKinds(v), v.render());
        List<AuditEvent> read = statements(dir);
        assertTrue(read.get(5).role().startsWith("(unresolved #"), read.get(5).toString());
    }

    @Test
    void theFileHeadCutOffIsAnErrorNotALateStart() throws Exception {
        trailOf(10);
        AuditVerification v = rewritten(); // untouched
        assertTrue(v.ok());
        lines = new ArrayList<>(lines.subList(1, lines.size()));
        v = rewritten();
        assertFalse(v.ok(), "the first line held the file's definitions: " + v.render());
        assertTrue(v.has(Kind.UNRESOLVED), v.render());
    }

    @Test
    void aLineMovedIntoAnotherFileDoesNotTakeThatFilesMeaning() throws Exception {
        write(config(dir, Durability.ASYNC).withRotation(4096, false), recorded(40));
        List<Path> files = trailFiles(dir);
        List<String> first = new ArrayList<>(Files.readAllLines(files.get(0)));
        List<String> second = new ArrayList<>(Files.readAllLines(files.get(1)));
        // the second file's first statement line after its header, appended to the first file before its mark
        String moved = second.remove(1);
        first.add(first.size() - 1, moved);
        Files.write(files.get(0), first);
        Files.write(files.get(1), second);
        AuditVerification v = verify();
        assertFalse(v.ok(), v.render());
        assertTrue(v.has(Kind.REORDERED) || v.has(Kind.DELETED), v.render());
    }

    @Test
    void aTrailInFormat1ThenFormat2VerifiesAndReportsAsOneChain() throws Exception {
        List<AuditEvent> all = recorded(20);
        write(config(dir, Durability.ASYNC).withFormat(AuditSinkConfig.FORMAT_1), all.subList(0, 10));
        write(config(dir, Durability.ASYNC), all.subList(10, 20));
        write(config(dir, Durability.ASYNC).withFormat(AuditSinkConfig.FORMAT_1), List.of(statement(21)));
        List<Path> files = trailFiles(dir);
        assertEquals(3, files.size());
        assertFalse(Files.readString(files.get(0)).contains("\"format\""));
        assertTrue(Files.readString(files.get(1)).contains("\"format\":2"));
        AuditVerification v = verify();
        assertTrue(v.ok(), v.render());
        assertEquals(24, v.events()); // 21 statements and 3 seals
        List<AuditEvent> expected = new ArrayList<>(all);
        expected.add(statement(21));
        assertEquals(expected, statements(dir));
        AuditReport report = AuditReport.ofChains(AuditTrailReader.readChains(List.of(dir)), null, null);
        assertEquals(21, report.statementCount());
        assertEquals(List.of("rk1"), AuditTrailReader.readFiles(List.of(dir)).stream().map(ChainedEvent::event)
                .filter(e -> "ev-13".equals(e.eventId())).map(AuditEvent::rowKeyHashes).findFirst().orElseThrow());
        assertEquals(4, report.rowKeyViewers("rk2").rows().stream()
                .filter(r -> "support".equals(r.get(2))).count()); // statements 11, 14, 17 and 20, from format 2
    }

    @Test
    void anUnknownFormatIsNotReadAsAnEvent() {
        String line = "{\"seq\":1,\"prev\":\"\",\"format\":3,\"type\":\"statement\",\"hash\":\"00\"}";
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new AuditLineReader().read(line.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("trail format 3"), e.getMessage());
    }
}
