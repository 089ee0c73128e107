package dev.warden.gateway.wire;

import dev.warden.gateway.GatewayConfig;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.transport.AuthenticationHandler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Binary numeric both ways, parameter decoding, error field parsing, configuration loading. */
class WireFormatTest {

    static BigDecimal roundTrip(String text) {
        ByteBuf b = Unpooled.buffer();
        try {
            ColumnWriter.writeNumeric(b, text);
            int len = b.readInt();
            byte[] body = new byte[len];
            b.readBytes(body);
            return (BigDecimal) ParameterBinder.decodeNumeric(ByteBuffer.wrap(body));
        } finally {
            b.release();
        }
    }

    @Test
    void binaryNumericRoundTripsKeepingScale() {
        for (String s : new String[] {"0", "1", "-1", "12345.678", "0.0001", "0.00012", "-98765432109876543210.5",
                "10000", "100000000", "1.10", "0.000", "99999999.99999999"}) {
            assertEquals(new BigDecimal(s), roundTrip(s), s);
        }
    }

    @Test
    void binaryNumericMatchesPostgresLayout() {
        ByteBuf b = Unpooled.buffer();
        ColumnWriter.writeNumeric(b, "12345.678");
        // ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
        assertEquals(14, b.readInt());
        assertEquals(3, b.readShort());
        assertEquals(1, b.readShort());
        assertEquals(0, b.readShort());
        assertEquals(3, b.readShort());
        assertEquals(1, b.readShort());
        assertEquals(2345, b.readShort());
        assertEquals(6780, b.readShort());
        b.release();
    }

    @Test
    void parametersDecodeFromTextAndBinary() throws SQLException {
        assertEquals(42, ParameterBinder.decode(1, PgTypeCatalog.INT4, 0, " 42 ".getBytes()));
        assertEquals(42, ParameterBinder.decode(1, PgTypeCatalog.INT4, 1, new byte[] {0, 0, 0, 42}));
        assertEquals(true, ParameterBinder.decode(1, PgTypeCatalog.BOOL, 0, "on".getBytes()));
        assertEquals(LocalDate.of(2000, 1, 2), ParameterBinder.decode(1, PgTypeCatalog.DATE, 1, new byte[] {0, 0, 0, 1}));
        assertEquals(LocalDateTime.of(2000, 1, 1, 0, 0, 1),
                ParameterBinder.decode(1, PgTypeCatalog.TIMESTAMP, 1, new byte[] {0, 0, 0, 0, 0, 0x0f, 0x42, 0x40}));
        assertEquals(new ParameterBinder.Untyped("abc"), ParameterBinder.decode(1, 0, 0, "abc".getBytes()));
        assertNull(ParameterBinder.decode(1, PgTypeCatalog.INT4, 0, null));
        SQLException bad = assertThrows(SQLException.class,
                () -> ParameterBinder.decode(3, PgTypeCatalog.INT4, 0, "secret-value".getBytes()));
        assertEquals("22P02", bad.getSQLState());
        assertTrue(!bad.getMessage().contains("secret-value") && bad.getMessage().contains("$3"));
        assertEquals("0A000", assertThrows(SQLException.class,
                () -> ParameterBinder.decode(1, 600, 1, new byte[16])).getSQLState());
    }

    @Test
    void pgjdbcErrorTextSplitsIntoFields() {
        ErrorFields f = ErrorFields.parse("ERROR", "23505", "ERROR: duplicate key value violates unique constraint \"t_pkey\"\n"
                + "  Detail: Key (id)=(1) already exists.\n  Hint: none\n  Position: 15");
        assertEquals("ERROR", f.severity());
        assertEquals("duplicate key value violates unique constraint \"t_pkey\"", f.message());
        assertEquals("Key (id)=(1) already exists.", f.detail());
        assertEquals("none", f.hint());
        assertEquals("15", f.position());
        ErrorFields plain = ErrorFields.parse("ERROR", "42501", "access to customers.ssn denied for role analyst");
        assertEquals("access to customers.ssn denied for role analyst", plain.message());
        assertEquals("XX000", ErrorFields.parse("ERROR", null, "x").sqlState());
    }

    @Test
    void configurationResolvesSecretsAndUsers() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("gwcfg");
        java.nio.file.Files.writeString(dir.resolve("pw.txt"), "backend-pw\n");
        String verifier = ScramVerifier.generate("x".toCharArray(), 4096).format();
        java.nio.file.Files.writeString(dir.resolve("gateway.yaml"), "listen: {host: 127.0.0.1, port: 7000}\n"
                + "backend: {url: 'jdbc:postgresql://db/app', user: app, password: 'file:pw.txt', pool-size: 4}\n"
                + "policy: policy.yaml\n"
                + "users:\n  alice: {verifier: '" + verifier + "', role: analyst, purposes: [a, b]}\n");
        GatewayConfig c = GatewayConfig.load(dir.resolve("gateway.yaml"));
        assertEquals(7000, c.port());
        assertEquals("backend-pw", c.backend().password());
        assertEquals(4, c.backend().poolSize());
        assertEquals(dir.resolve("policy.yaml").toString(), c.policy());
        assertEquals("analyst", c.users().get("alice").role());
        assertTrue(c.users().get("alice").mayDeclare("b"));
        assertTrue(!c.users().get("alice").mayDeclare("c"));
        assertTrue(!c.toString().contains("backend-pw"));
        assertEquals(Map.of("search_path", "s", "statement_timeout", "5s"),
                AuthenticationHandler.parseOptions("-c search_path=s --statement-timeout=5s"));
    }
}
