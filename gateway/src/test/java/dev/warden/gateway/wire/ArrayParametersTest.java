package dev.warden.gateway.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Array parameters decode as PostgreSQL's array_in and array_recv read them. */
class ArrayParametersTest {

    private static Object decode(int oid, int format, byte[] bytes) throws SQLException {
        return ParameterBinder.decode(1, oid, format, bytes);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void textArraysReadQuotesEscapesNullsAndSpacesAsArrayIn() throws SQLException {
        assertArrayEquals(new String[] {"a", "b c", null, "NULL", "x\"y", "p\\q", "", "z"},
                (Object[]) decode(PgTypeCatalog.TEXT_ARRAY, 0,
                        utf8(" { a , \"b c\" ,NULL,\"NULL\",\"x\\\"y\",\"p\\\\q\",\"\", z } ")));
        assertArrayEquals(new String[0], (Object[]) decode(PgTypeCatalog.VARCHAR_ARRAY, 0, utf8("{}")));
        assertArrayEquals(new Integer[] {1, null, -3}, (Object[]) decode(PgTypeCatalog.INT4_ARRAY, 0, utf8("{1,null,-3}")));
        assertArrayEquals(new String[] {"a"}, (Object[]) decode(PgTypeCatalog.TEXT_ARRAY, 0, utf8("[1:1]={a}")));
        Object nested = decode(PgTypeCatalog.TEXT_ARRAY, 0, utf8("{{a},{b}}"));
        assertTrue(((Object[]) nested)[0] instanceof Object[]);
        for (String bad : new String[] {"{a", "a,b", "{a,}", "{,a}", "{a}x", "{\"a}"}) {
            SQLException e = assertThrows(SQLException.class, () -> decode(PgTypeCatalog.TEXT_ARRAY, 0, utf8(bad)), bad);
            assertEquals("22P02", e.getSQLState(), bad);
        }
    }

    @Test
    void binaryArraysReadAsArrayRecv() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(1);
        out.writeInt(1);
        out.writeInt(PgTypeCatalog.TEXT);
        out.writeInt(3);
        out.writeInt(1);
        out.writeInt(2);
        out.write(utf8("ab"));
        out.writeInt(-1);
        out.writeInt(0);
        assertArrayEquals(new String[] {"ab", null, ""}, (Object[]) decode(PgTypeCatalog.TEXT_ARRAY, 1, bytes.toByteArray()));
        byte[] empty = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25};
        assertArrayEquals(new String[0], (Object[]) decode(PgTypeCatalog.TEXT_ARRAY, 1, empty));
        byte[] truncated = java.util.Arrays.copyOf(bytes.toByteArray(), 22);
        assertEquals("22P03", assertThrows(SQLException.class,
                () -> decode(PgTypeCatalog.TEXT_ARRAY, 1, truncated)).getSQLState());
    }
}
