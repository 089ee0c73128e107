package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.KEY;
import static dev.warden.audit.AuditFixtures.config;
import static dev.warden.audit.AuditFixtures.statement;
import static dev.warden.audit.AuditFixtures.trailFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditVerification.Finding;
import dev.warden.audit.AuditVerification.Kind;
import dev.warden.audit.AuditVerification.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of tampering is reported as exactly that, with the seq and file that show it: in format 1, whose lines
 * each stand alone and are edited here as text (format 2's own cases are in {@link AuditTrailFormat2Test}).
 */
class AuditVerifierTest {

    @TempDir
    Path dir;
    Path file;
    List<String> lines;

    @BeforeEach
    void tenEventsAndASeal() throws Exception {
        AuditFixtures.writeTrail(dir, 10, AuditSinkConfig.FORMAT_1);
        file = trailFiles(dir).get(0);
        lines = new ArrayList<>(Files.readAllLines(file));
        assertEquals(11, lines.size());
    }

    private AuditVerification verify() throws Exception {
        return new AuditVerifier(KEY).verify(List.of(dir));
    }

    private void rewrite() throws Exception {
        Files.write(file, lines);
    }

    private static List<Finding> errors(AuditVerification v) {
        return v.errors();
    }

    @Test
    void untouchedTrailIsOk() throws Exception {
        AuditVerification v = verify();
        assertTrue(v.ok(), v.render());
        assertEquals(11, v.events());
    }

    @Test
    void editedFieldIsReportedAtItsSeq() throws Exception {
        lines.set(4, lines.get(4).replace("\"role\":\"analyst\"", "\"role\":\"admin\""));
        rewrite();
        AuditVerification v = verify();
        assertFalse(v.ok());
        assertEquals(1, errors(v).size(), v.render());
        assertEquals(Kind.EDITED, errors(v).get(0).kind());
        assertEquals("edited event: seq 5 in " + file + " line 5 (hash mismatch)", errors(v).get(0).message());
    }

    @Test
    void editedWhitespaceIsDetectedToo() throws Exception {
        lines.set(2, lines.get(2).replace("{\"seq\":3,", "{\"seq\": 3,"));
        rewrite();
        assertEquals(Kind.EDITED, errors(verify()).get(0).kind());
    }

    @Test
    void insertedForgedLineIsReportedAsInserted() throws Exception {
        String forged = lines.get(3).replace("\"eventId\":\"ev-4\"", "\"eventId\":\"forged\"");
        lines.add(4, forged);
        rewrite();
        AuditVerification v = verify();
        assertEquals(1, errors(v).size(), v.render());
        assertEquals(Kind.INSERTED, errors(v).get(0).kind());
        assertTrue(errors(v).get(0).message().startsWith("inserted event in " + file + " line 5 (claims seq 4"),
                v.render());
    }

    @Test
    void insertedCopyOfAValidLineIsReportedAsInserted() throws Exception {
        lines.add(7, lines.get(2));
        rewrite();
        AuditVerification v = verify();
        assertEquals(1, errors(v).size(), v.render());
        assertEquals("inserted event: " + file + " line 8 repeats seq 3 (a copy of " + file + " line 3)",
                errors(v).get(0).message());
    }

    @Test
    void deletedLineIsReportedAsASeqGap() throws Exception {
        lines.remove(5);
        rewrite();
        AuditVerification v = verify();
        assertEquals(1, errors(v).size(), v.render());
        assertEquals(Kind.DELETED, errors(v).get(0).kind());
        assertEquals("deleted events: seq 6 missing (between " + file + " line 5 and " + file + " line 6)",
                errors(v).get(0).message());
    }

    @Test
    void deletedRangeNamesTheWholeRange() throws Exception {
        lines.subList(2, 6).clear();
        rewrite();
        assertTrue(errors(verify()).get(0).message().startsWith("deleted events: seq 3..6 missing"));
    }

    @Test
    void swappedLinesAreReportedAsReordered() throws Exception {
        Collections.swap(lines, 4, 5);
        rewrite();
        AuditVerification v = verify();
        assertEquals(1, errors(v).size(), v.render());
        assertEquals(Kind.REORDERED, errors(v).get(0).kind());
        assertEquals("reordered: seq 5 in " + file + " line 6 appears after seq 6", errors(v).get(0).message());
    }

    @Test
    void cutTailIsReportedAsUnsealed() throws Exception {
        lines = lines.subList(0, 7);
        rewrite();
        AuditVerification v = verify();
        assertEquals(1, errors(v).size(), v.render());
        assertEquals(Kind.UNSEALED, errors(v).get(0).kind());
        assertEquals("trail ends without a seal: events after seq 7 may have been cut", errors(v).get(0).message());
    }

    @Test
    void removedRotatedFileIsAChainBreakBetweenFiles() throws Exception {
        Path rotated = dir.resolve("rotated");
        AuditSinkConfig c = config(rotated, Durability.ASYNC).withRotation(2048, false);
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(c, KEY)) {
            for (int i = 1; i <= 40; i++) {
                sink.record(statement(i));
            }
        }
        List<Path> files = AuditTrailFiles.list(rotated, "audit");
        assertTrue(files.size() >= 4);
        Path before = files.get(1);
        Path removed = files.get(2);
        Path after = files.get(3);
        long lastBefore = AuditLineCodec.parse(Files.readAllLines(before).get(Files.readAllLines(before).size() - 1)).seq();
        long firstAfter = AuditLineCodec.parse(Files.readAllLines(after).get(0)).seq();
        Files.delete(removed);
        AuditVerification v = new AuditVerifier(KEY).verify(List.of(rotated));
        assertEquals(1, errors(v).size(), v.render());
        assertEquals(Kind.CHAIN_BREAK, errors(v).get(0).kind());
        assertEquals("chain break between " + before + " and " + after + ": seq " + (lastBefore + 1) + ".."
                + (firstAfter - 1) + " missing (a file missing at rotation, or the end of " + before + " cut)",
                errors(v).get(0).message());
    }

    @Test
    void tornLastLineIsACrashNotTampering() throws Exception {
        lines = lines.subList(0, 6);
        rewrite();
        long size = Files.size(file);
        Files.write(file, "{\"seq\":7,\"prev\":\"ab".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        AuditVerification v = verify();
        Finding torn = v.findings().stream().filter(f -> f.kind() == Kind.TORN_LINE).findFirst().orElseThrow();
        assertEquals(Severity.WARNING, torn.severity());
        assertEquals("torn last line in " + file + " at byte " + size + " (crash while writing)", torn.message());
        // the events before the torn line verify; only the missing seal is an error
        assertEquals(6, v.events());
        assertEquals(List.of(Kind.UNSEALED), errors(v).stream().map(Finding::kind).toList());
    }

    @Test
    void restartAfterTornTailContinuesAndVerifies() throws Exception {
        lines = lines.subList(0, 6);
        rewrite();
        Files.write(file, "{\"seq\":7,\"prev\":\"ab".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        byte[] old = Files.readAllBytes(file);
        AuditFixtures.writeTrail(dir, 2);
        ChainedEvent alarm = AuditLineCodec.parse(Files.readAllLines(trailFiles(dir).get(1)).get(0));
        assertEquals(AuditEvent.ALARM, alarm.event().type());
        assertEquals(7, alarm.seq());
        assertTrue(alarm.event().reason().startsWith("torn last line in " + file), alarm.event().reason());
        AuditVerification v = verify();
        assertTrue(v.ok(), v.render());
        assertTrue(v.has(Kind.TORN_LINE) && v.has(Kind.ALARM));
        assertTrue(java.util.Arrays.equals(old, Files.readAllBytes(file)), "the old file is not rewritten");
    }

    @Test
    void liveTrailIsAWarningNotTampering() throws Exception {
        Path live = dir.resolve("live");
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config(live, Durability.SYNC), KEY)) {
            sink.record(statement(1));
            sink.record(statement(2));
            AuditVerification v = new AuditVerifier(KEY).verify(List.of(live));
            assertTrue(v.ok(), v.render());
            assertTrue(v.has(Kind.LIVE), v.render());
            assertFalse(v.sealed());
        }
        assertTrue(new AuditVerifier(KEY).verify(List.of(live)).sealed());
    }

    @Test
    void wrongKeyFailsEveryEvent() throws Exception {
        AuditVerification v = new AuditVerifier(ChainKey.hmacSha256("another-key-another-key".getBytes(StandardCharsets.UTF_8)))
                .verify(List.of(dir));
        assertFalse(v.ok());
        assertEquals(11, v.errors().stream().filter(f -> f.message().startsWith("edited event: seq")).count());
        assertTrue(v.errors().stream().anyMatch(f -> f.message().startsWith("no event verifies under this key")));
    }

    @Test
    void forgedLineWithAFarSeqIsAnInsertionNotAGap() throws Exception {
        lines.add(5, lines.get(3).replace("{\"seq\":4,", "{\"seq\":999,"));
        rewrite();
        AuditVerification v = verify();
        assertEquals(List.of("inserted event in " + file + " line 6 (claims seq 999, hash mismatch: not part of the "
                + "chain)"), errors(v).stream().map(Finding::message).toList());
    }

    @Test
    void editedSealAtTheEndIsAnEdit() throws Exception {
        lines.set(10, lines.get(10).replace("trail closed cleanly", "trail closed cleanlx"));
        rewrite();
        AuditVerification v = verify();
        assertEquals(Kind.EDITED, errors(v).get(0).kind(), v.render());
        assertEquals("edited event: seq 11 in " + file + " line 11 (hash mismatch)", errors(v).get(0).message());
    }

    @Test
    void headIsTheLastAuthenticatedEventAndAnOutsideRecordCatchesRemovedRuns() throws Exception {
        AuditVerification v = verify();
        assertEquals(11, v.lastSeq());
        assertEquals(AuditLineCodec.parse(lines.get(10)).hash(), v.lastHash());
        assertTrue(v.expectAtLeast(11).ok());
        AuditVerification behind = v.expectAtLeast(40);
        assertFalse(behind.ok());
        assertEquals("trail ends at seq 11 but seq 40 was written: events 12..40 are missing",
                errors(behind).get(0).message());
    }

    @Test
    void trailStartingLateIsAWarningUnlessHistoryMustBeComplete() throws Exception {
        lines = lines.subList(3, 11);
        rewrite();
        assertTrue(verify().ok());
        assertTrue(verify().has(Kind.STARTS_LATE));
        AuditVerification strict = new AuditVerifier(KEY, true).verify(dir);
        assertEquals(List.of("trail starts at seq 4: events 1..3 are not in the files given (archived or removed)"),
                errors(strict).stream().map(Finding::message).toList());
    }

    @Test
    void malformedLineIsReported() throws Exception {
        lines.add(3, "this is not json");
        rewrite();
        AuditVerification v = verify();
        assertEquals(List.of("malformed line in " + file + " line 4 (not an audit event)"),
                errors(v).stream().map(Finding::message).toList());
    }
}
