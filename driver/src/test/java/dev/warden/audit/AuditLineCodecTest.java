package dev.warden.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
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
    void splitRefusesLinesWithoutATrailingHashField() {
        assertNull(AuditLineCodec.split("{\"seq\":1}".getBytes(StandardCharsets.UTF_8)));
        assertNull(AuditLineCodec.split("{\"seq\":1,\"hash\":\"zz\"}".getBytes(StandardCharsets.UTF_8)));
    }
}
