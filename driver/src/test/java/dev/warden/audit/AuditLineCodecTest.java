package dev.warden.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AuditLineCodecTest {

    @Test
    void lineRoundTripsEveryComponentAndTheMacCoversTheContent() {
        AuditEvent e = AuditFixtures.statement(7);
        AuditChain chain = new AuditChain(AuditFixtures.KEY, 41, "ab12");
        byte[] line = chain.append(e);
        assertEquals('\n', line[line.length - 1]);
        byte[] body = Arrays.copyOf(line, line.length - 1);
        ChainedEvent parsed = AuditLineCodec.parse(body);
        assertEquals(42, parsed.seq());
        assertEquals("ab12", parsed.prev());
        assertEquals(chain.hash(), parsed.hash());
        assertEquals(e, parsed.event());
        AuditLineCodec.Signed signed = AuditLineCodec.split(body);
        assertNotNull(signed);
        assertArrayEquals(AuditLineCodec.content(42, "ab12", e), signed.content());
        assertTrue(AuditFixtures.KEY.verify(signed.tag(), signed.content()));
    }

    @Test
    void aCallSiteIsWrittenLastAndOnlyWhenThereIsOne() {
        AuditEvent plain = AuditFixtures.statement(3);
        String without = new String(AuditLineCodec.content(1, "", plain), StandardCharsets.UTF_8);
        assertFalse(without.contains("callSite"), "every event but observe mode's would-* lines stays as it was");
        AuditEvent observed = new AuditEvent(plain.type(), plain.time(), plain.eventId(), plain.sessionId(),
                plain.databaseUser(), plain.role(), plain.purpose(), plain.client(), plain.clientAddress(),
                plain.statementKind(), plain.fingerprint(), plain.policyVersion(), plain.tables(), plain.columnsRead(),
                plain.columnsWritten(), plain.columnsFiltered(), plain.rows(), AuditEvent.WOULD_REFUSE, "why", "0A000",
                plain.durationMicros(), plain.rowKeyHashes(), "com.acme.Orders.find(Orders.java:42)");
        String with = new String(AuditLineCodec.content(1, "", observed), StandardCharsets.UTF_8);
        assertTrue(with.endsWith(",\"callSite\":\"com.acme.Orders.find(Orders.java:42)\"}"), with);
        byte[] line = new AuditChain(AuditFixtures.KEY, 0, "").append(observed);
        assertEquals(observed, AuditLineCodec.parse(Arrays.copyOf(line, line.length - 1)).event());
    }

    @Test
    void fieldOrderIsFixedAndTimeHasMicroseconds() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("t.b", "masked");
        a.put("t.a", "plaintext");
        Map<String, String> b = new LinkedHashMap<>();
        b.put("t.a", "plaintext");
        b.put("t.b", "masked");
        Instant t = Instant.parse("2026-11-29T13:00:14.1Z");
        String one = new String(AuditLineCodec.content(1, "", AuditFixtures.statement(1, t, "r", "p", a, "allowed")),
                StandardCharsets.UTF_8);
        String two = new String(AuditLineCodec.content(1, "", AuditFixtures.statement(1, t, "r", "p", b, "allowed")),
                StandardCharsets.UTF_8);
        assertEquals(one, two);
        assertTrue(one.startsWith("{\"seq\":1,\"prev\":\"\",\"type\":\"statement\",\"time\":\"2026-11-29T13:00:14.100000Z\","), one);
        assertTrue(one.contains("\"columnsRead\":{\"t.a\":\"plaintext\",\"t.b\":\"masked\"}"), one);
    }

    @Test
    void oneEncoderReusedForManyEventsWritesWhatJacksonWrote() {
        // the writer keeps one encoder and buffer across events and writes the JSON itself: neither may change a
        // byte of what Jackson's generator wrote before (the MAC covers the bytes; trails stay one format)
        SplittableRandom random = new SplittableRandom(11);
        AuditLineCodec.ContentEncoder reused = new AuditLineCodec.ContentEncoder();
        for (int i = 0; i < 2_000; i++) {
            Map<String, String> read = new LinkedHashMap<>();
            for (int c = random.nextInt(4); c > 0; c--) {
                read.put("t." + text(random, 6), random.nextBoolean() ? "plaintext" : "masked");
            }
            Instant time = random.nextInt(50) == 0 ? null : Instant.ofEpochSecond(
                    random.nextLong(-62_000_000_000L, 250_000_000_000L), random.nextInt(1_000_000_000));
            AuditEvent e = new AuditEvent(random.nextBoolean() ? "statement" : "refusal", time, text(random, 20),
                    text(random, 8), null, text(random, 5), random.nextBoolean() ? null : text(random, 7), "driver",
                    null, "SELECT", text(random, 200), "v1", List.of(text(random, 6)), read.isEmpty() ? null : read,
                    List.of(), random.nextInt(10) == 0 ? null : List.of(text(random, 9), text(random, 3)),
                    random.nextInt(20) == 0 ? Long.MIN_VALUE : random.nextLong(-1, 1000), "allowed",
                    random.nextBoolean() ? null : text(random, 30), null,
                    random.nextInt(20) == 0 ? Long.MAX_VALUE : random.nextLong(100_000), List.of());
            String prev = text(random, 64);
            long seq = random.nextInt(20) == 0 ? random.nextLong() : i;
            assertArrayEquals(jacksonContent(seq, prev, e), reused.content(seq, prev, e),
                    () -> "event " + new String(jacksonContent(seq, prev, e), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aLoneSurrogateIsEscapedAndReadBack() {
        AuditEvent e = AuditFixtures.statement(1, Instant.parse("2026-11-29T13:00:14Z"), "r\ud800x", "p", Map.of(),
                "allowed");
        String json = new String(AuditLineCodec.content(1, "", e), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"role\":\"r\\uD800x\""), json);
        assertEquals("r\ud800x", AuditLineCodec.parse(AuditLineCodec.line(AuditLineCodec.content(1, "", e),
                new byte[32])).event().role());
    }

    @Test
    void timeIsFormattedWithExactlySixFractionalDigitsInUtc() {
        DateTimeFormatter reference =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
        SplittableRandom random = new SplittableRandom(3);
        long second = 1_780_000_000L;
        for (int i = 0; i < 5_000; i++) {
            // mostly the same or the next second (the cached prefix), now and then anywhere from year 1 to 9999
            second = random.nextInt(10) == 0 ? random.nextLong(-62_135_596_800L, 253_402_300_799L)
                    : second + random.nextInt(2);
            Instant t = Instant.ofEpochSecond(second, random.nextInt(1_000_000_000));
            assertEquals(reference.format(t), AuditLineCodec.formatTime(t));
        }
        assertEquals("2026-11-29T13:00:14.000001Z", AuditLineCodec.formatTime(Instant.parse("2026-11-29T13:00:14.000001999Z")));
    }

    /** Random text with the characters JSON must escape: quotes, backslashes, controls, non-ASCII, astral. */
    private static String text(SplittableRandom random, int maxLength) {
        String alphabet = "abcXYZ019 .,:_-\"\\/\n\t\u0001\u001f\u007fé€中";
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(maxLength + 1); n > 0; n--) {
            if (random.nextInt(40) == 0) {
                b.appendCodePoint(0x1F600 + random.nextInt(50));
            } else {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return b.toString();
    }

    /** The content as Jackson's generator wrote it until the writer wrote its own bytes: the reference. */
    private static byte[] jacksonContent(long seq, String prev, AuditEvent e) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeNumberField("seq", seq);
                g.writeStringField("prev", prev);
                g.writeStringField("type", e.type());
                g.writeStringField("time", e.time() == null ? null : AuditLineCodec.formatTime(e.time()));
                g.writeStringField("eventId", e.eventId());
                g.writeStringField("sessionId", e.sessionId());
                g.writeStringField("databaseUser", e.databaseUser());
                g.writeStringField("role", e.role());
                g.writeStringField("purpose", e.purpose());
                g.writeStringField("client", e.client());
                g.writeStringField("clientAddress", e.clientAddress());
                g.writeStringField("statementKind", e.statementKind());
                g.writeStringField("fingerprint", e.fingerprint());
                g.writeStringField("policyVersion", e.policyVersion());
                jacksonList(g, "tables", e.tables());
                g.writeFieldName("columnsRead");
                if (e.columnsRead() == null) {
                    g.writeNull();
                } else {
                    g.writeStartObject();
                    for (Map.Entry<String, String> c : new TreeMap<>(e.columnsRead()).entrySet()) {
                        g.writeStringField(c.getKey(), c.getValue());
                    }
                    g.writeEndObject();
                }
                jacksonList(g, "columnsWritten", e.columnsWritten());
                jacksonList(g, "columnsFiltered", e.columnsFiltered());
                g.writeNumberField("rows", e.rows());
                g.writeStringField("decision", e.decision());
                g.writeStringField("reason", e.reason());
                g.writeStringField("sqlState", e.sqlState());
                g.writeNumberField("durationMicros", e.durationMicros());
                jacksonList(g, "rowKeyHashes", e.rowKeyHashes());
                g.writeEndObject();
            }
            return out.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void jacksonList(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeFieldName(name);
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    @Test
    void splitRefusesLinesWithoutATrailingHashField() {
        assertNull(AuditLineCodec.split("{\"seq\":1}".getBytes(StandardCharsets.UTF_8)));
        assertNull(AuditLineCodec.split("{\"seq\":1,\"hash\":\"zz\"}".getBytes(StandardCharsets.UTF_8)));
    }
}
