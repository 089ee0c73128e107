package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.KEY;
import static dev.warden.audit.AuditFixtures.config;
import static dev.warden.audit.AuditFixtures.statement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several writers on one trail (a chain per instance), the rotation mark that tells a cut at rotation from a
 * finished chain, and the anchor that catches what the files alone cannot (a deleted newest run, a whole chain).
 */
class MultiInstanceTrailTest {

    @TempDir
    Path dir;

    private AuditSinkConfig instance(String name) {
        return config(dir, Durability.ASYNC).withInstance(name);
    }

    private static void write(JsonLinesAuditSink sink, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            sink.record(statement(i));
        }
    }

    private TrailVerification verify(Map<String, AnchorFile.Head> anchors) throws Exception {
        return new AuditVerifier(KEY).verifyChains(List.of(dir), anchors);
    }

    @Test
    void twoInstancesWriteOneTrailAtOnceEachInItsOwnChain() throws Exception {
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(instance("gw1"), KEY);
             JsonLinesAuditSink b = new JsonLinesAuditSink(instance("gw2"), KEY)) {
            for (int i = 1; i <= 20; i++) {
                (i % 2 == 0 ? a : b).record(statement(i)); // interleaved, both open at once
            }
            assertTrue(Files.exists(dir.resolve("audit@gw1.lock")) && Files.exists(dir.resolve("audit@gw2.lock")));
        }
        assertTrue(AuditTrailFiles.list(dir, "audit@gw1").get(0).getFileName().toString()
                .matches("audit@gw1-\\d{8}-\\d{6}-000001\\.jsonl"));
        TrailVerification v = verify(Map.of());
        assertEquals(List.of("audit@gw1", "audit@gw2"), List.copyOf(v.chains().keySet()));
        assertTrue(v.ok(), v.render());
        for (AuditVerification chain : v.chains().values()) {
            assertTrue(chain.findings().isEmpty() && chain.sealed(), v.render()); // no "forked chain"
            assertEquals(12, chain.events()); // chain-started, 10 statements, seal
        }
        assertTrue(v.render().endsWith("TOTAL: OK: 2 chains verified, 24 events\n"), v.render());
        SortedMap<String, List<ChainedEvent>> chains = AuditTrailReader.readChains(List.of(dir));
        ChainedEvent first = chains.get("audit@gw2").get(0);
        assertEquals(1, first.seq());
        assertEquals(AuditEvent.CHAIN_STARTED, first.event().type());
        assertEquals("chain audit@gw2 of instance gw2", first.event().reason());
        // the combined form (what one-trail callers get) is clean too
        assertTrue(new AuditVerifier(KEY).verify(dir).findings().isEmpty());
        // a second writer of the same instance is still refused: that would fork the chain
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(instance("gw1"), KEY)) {
            JsonLinesAuditSink again = new JsonLinesAuditSink(instance("gw1"), KEY);
            assertThrows(AuditUnavailableException.class, () -> again.record(statement(99)));
            again.close();
        } catch (java.io.UncheckedIOException expected) {
            // closing the refused sink reports its unwritten events
        }
    }

    @Test
    void aTrailWrittenBeforeInstancesStillVerifiesBesideNewChains() throws Exception {
        AuditFixtures.writeTrail(dir, 5); // single-writer names: audit-YYYYMMDD-...
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(instance("host-7"), KEY)) {
            write(a, 6, 8);
        }
        TrailVerification v = verify(Map.of());
        assertEquals(List.of("audit", "audit@host-7"), List.copyOf(v.chains().keySet()));
        assertTrue(v.ok(), v.render());
        assertEquals(6, v.chains().get("audit").events()); // 5 and the seal, no chain-started
        assertTrue(v.chains().get("audit").findings().isEmpty(), v.render());
    }

    @Test
    void anInstanceNameMustBeSafeInAFileName() {
        for (String bad : List.of("../up", "a/b", "a\\b", "gw@1", "", ".hidden", "x".repeat(101), "tab\t")) {
            assertThrows(IllegalArgumentException.class, () -> instance(bad), bad);
        }
        assertEquals("gw-1.example_com", instance("gw-1.example_com").instance());
        String dflt = AuditTrailFiles.defaultInstance();
        assertEquals(dflt, AuditTrailFiles.checkInstance(dflt));
        assertTrue(dflt.endsWith("-" + ProcessHandle.current().pid()), dflt);
    }

    @Test
    void aChainWhoseNewestFileWasDeletedAfterARotationFailsToVerify() throws Exception {
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(instance("gw1").withRotation(4096, false), KEY)) {
            write(a, 1, 60);
        }
        List<Path> files = AuditTrailFiles.list(dir, "audit@gw1");
        assertTrue(files.size() > 2);
        assertTrue(verify(Map.of()).ok());
        Files.delete(files.get(files.size() - 1)); // the one holding the seal
        TrailVerification v = verify(Map.of());
        assertFalse(v.ok(), v.render());
        assertTrue(v.chains().get("audit@gw1").has(AuditVerification.Kind.MISSING_NEWEST_FILE), v.render());
        assertTrue(v.render().contains("TOTAL: FAILED: 1 of 1 chain with tampering or loss"), v.render());
    }

    @Test
    void theAnchorCatchesADeletedNewestRunAndAMissingChain() throws Exception {
        Path anchor = dir.resolve("anchors").resolve("warden.anchor");
        AuditSinkConfig gw1 = instance("gw1").withAnchor(anchor, Duration.ofMillis(1));
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(gw1, KEY);
             JsonLinesAuditSink b = new JsonLinesAuditSink(instance("gw2").withAnchor(anchor, Duration.ofMillis(1)),
                     KEY)) {
            write(a, 1, 5);
            write(b, 6, 9);
        }
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(gw1, KEY)) { // gw1 restarts: a second run, sealed
            write(a, 10, 12);
        }
        Map<String, AnchorFile.Head> heads = AnchorFile.read(anchor);
        assertEquals(List.of("audit@gw1", "audit@gw2"), List.copyOf(heads.keySet()));
        assertTrue(heads.get("audit@gw1").sealed());
        TrailVerification clean = verify(heads);
        assertTrue(clean.ok() && clean.chains().values().stream().allMatch(c -> c.findings().isEmpty()),
                clean.render());
        assertEquals(heads.get("audit@gw1").seq(), clean.chains().get("audit@gw1").lastSeq());

        // the second run's file deleted: the first run ends with a seal, so the files alone look complete
        List<Path> gw1Files = AuditTrailFiles.list(dir, "audit@gw1");
        assertEquals(2, gw1Files.size());
        Files.delete(gw1Files.get(1));
        assertTrue(verify(Map.of()).ok(), "without the anchor a removed sealed run is invisible");
        TrailVerification cut = verify(heads);
        assertFalse(cut.ok(), cut.render());
        assertTrue(cut.chains().get("audit@gw1").has(AuditVerification.Kind.TRUNCATED), cut.render());

        // a whole chain removed
        for (Path f : AuditTrailFiles.list(dir, "audit@gw2")) {
            Files.delete(f);
        }
        TrailVerification gone = verify(heads);
        assertTrue(gone.chains().get("audit@gw2").has(AuditVerification.Kind.TRUNCATED), gone.render());
        assertTrue(gone.render().contains("chain audit@gw2 is missing"), gone.render());
    }

    @Test
    void aRunningWriterAnchorsItsHeadOnlyOnceForced() throws Exception {
        Path anchor = dir.resolve("a.anchor");
        // interval ZERO: every forced write is anchored (with 1 ms, three quick writes could share one anchor)
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(
                config(dir, Durability.SYNC).withInstance("gw1").withAnchor(anchor, Duration.ZERO), KEY)) {
            write(a, 1, 3);
            AnchorFile.Head head = AnchorFile.read(anchor).get("audit@gw1");
            assertFalse(head.sealed());
            assertEquals(4, head.seq()); // chain-started and three statements, each forced (sync) before anchored
            TrailVerification live = verify(AnchorFile.read(anchor));
            assertTrue(live.ok(), live.render());
            assertTrue(live.chains().get("audit@gw1").has(AuditVerification.Kind.LIVE), live.render());
        }
        assertTrue(AnchorFile.read(anchor).get("audit@gw1").sealed());
    }

    @Test
    void aChainWhoseWriterDiedUnsealedIsSealedByTheNextInstanceWithAnAlarm() throws Exception {
        try (JsonLinesAuditSink a = new JsonLinesAuditSink(instance("gw1"), KEY)) {
            write(a, 1, 5);
        }
        Path file = AuditTrailFiles.list(dir, "audit@gw1").get(0);
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() - 1)); // as a kill -9 leaves it: no seal
        TrailVerification crashed = verify(Map.of());
        assertTrue(crashed.chains().get("audit@gw1").has(AuditVerification.Kind.UNSEALED), crashed.render());

        try (JsonLinesAuditSink running = new JsonLinesAuditSink(instance("gw1"), KEY)) {
            running.record(statement(6)); // its writer is back: nobody else may touch the chain
            assertFalse(JsonLinesAuditSink.sealIfAbandoned(instance("gw1"), KEY, "gw2"));
        }
        Files.write(file, lines.subList(0, lines.size() - 1));
        for (Path later : AuditTrailFiles.list(dir, "audit@gw1").subList(1, 2)) {
            Files.delete(later); // back to the crashed state
        }
        assertTrue(JsonLinesAuditSink.sealIfAbandoned(instance("gw1"), KEY, "gw2"));
        assertFalse(JsonLinesAuditSink.sealIfAbandoned(instance("gw1"), KEY, "gw2"), "sealed once only");
        assertFalse(JsonLinesAuditSink.sealIfAbandoned(instance("gw9"), KEY, "gw2"), "no files, no chain");
        TrailVerification v = verify(Map.of());
        AuditVerification gw1 = v.chains().get("audit@gw1");
        assertTrue(v.ok() && gw1.sealed(), v.render());
        assertTrue(v.render().contains("previous run ended without a seal after seq 6")
                && v.render().contains("closed by instance gw2"), v.render());
        assertEquals(List.of("audit@gw1"), List.copyOf(v.chains().keySet()));
    }

    @Test
    void anAnchorLineThatIsNotOneIsReadAsAnError() throws Exception {
        Path anchor = dir.resolve("bad.anchor");
        Files.writeString(anchor, "{\"chain\":\"audit@gw1\",\"seq\":3}\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> AnchorFile.read(anchor));
        assertTrue(e.getMessage().contains("bad.anchor line 1"), e.getMessage());
    }
}
