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
        // two dimensions: the server's to read (Warden refuses them on a protected column)
        assertEquals(new ParameterBinder.Untyped("{{a},{b}}"), decode(PgTypeCatalog.TEXT_ARRAY, 0, utf8("{{a},{b}}")));
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

    /**
     * Red team session 8: a binary array whose header claims more elements than the message holds (2^31 x 2^31 ...)
     * is refused at once (22P03) instead of building billions of empty arrays; a dimension of 0 is an empty array;
     * more than one dimension is left to the server (0A000), as before arrays were decoded.
     */
    @Test
    void binaryArrayHeadersClaimingMoreThanTheMessageHoldsAreRefusedAtOnce() throws Exception {
        for (int[] sizes : new int[][] {{Integer.MAX_VALUE}, {Integer.MAX_VALUE, 1}, {1, Integer.MAX_VALUE},
                {65536, 65536, 65536, 65536, 65536, 65536}, {3}}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(sizes.length);
            out.writeInt(0);
            out.writeInt(PgTypeCatalog.TEXT);
            for (int size : sizes) {
                out.writeInt(size);
                out.writeInt(1);
            }
            out.writeInt(-1);  // one NULL element, 4 bytes: less than any claimed count needs
            long started = System.nanoTime();
            SQLException e = assertThrows(SQLException.class,
                    () -> decode(PgTypeCatalog.TEXT_ARRAY, 1, bytes.toByteArray()), java.util.Arrays.toString(sizes));
            assertEquals("22P03", e.getSQLState());
            assertTrue(System.nanoTime() - started < 5_000_000_000L, "refused at once");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2);
        out.writeInt(0);
        out.writeInt(PgTypeCatalog.TEXT);
        out.writeInt(Integer.MAX_VALUE);
        out.writeInt(1);
        out.writeInt(0);
        out.writeInt(1);
        long started = System.nanoTime();
        assertArrayEquals(new String[0], (Object[]) decode(PgTypeCatalog.TEXT_ARRAY, 1, bytes.toByteArray()));
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "an empty array at once");
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        DataOutputStream o2 = new DataOutputStream(two);
        for (int v : new int[] {2, 0, PgTypeCatalog.INT4, 1, 1, 1, 1, 4, 7}) o2.writeInt(v);
        assertEquals("0A000", assertThrows(SQLException.class,
                () -> decode(PgTypeCatalog.INT4_ARRAY, 1, two.toByteArray())).getSQLState());
    }

    /**
     * Red team session 8: only array_in's six ASCII blanks separate an array's parts; U+3000 or U+2003 around an
     * unquoted element belong to it (the gateway stripped them, so {@code email = ANY ($1)} matched a value the
     * server would not have). An array the Java types cannot hold (two dimensions, NaN) goes to the server as text.
     */
    @Test
    void textArraysKeepUnicodeBlanksAndLeaveOtherShapesToTheServer() throws SQLException {
        assertArrayEquals(new String[] {"\u3000a\u2003", "b"},
                (Object[]) decode(PgTypeCatalog.TEXT_ARRAY, 0, utf8("{\u3000a\u2003, b\t}")));
        assertArrayEquals(new String[] {"\u00a0x"}, (Object[]) decode(PgTypeCatalog.TEXT_ARRAY, 0, utf8(" {\u00a0x}\n")));
        assertEquals(new ParameterBinder.Untyped("{{1,2},{3,4}}"),
                decode(PgTypeCatalog.INT4_ARRAY, 0, utf8("{{1,2},{3,4}}")));
        assertArrayEquals(new Double[] {1.5, Double.NaN}, (Object[]) decode(PgTypeCatalog.FLOAT8_ARRAY, 0, utf8("{1.5,NaN}")));
        assertEquals(new ParameterBinder.Untyped("{NaN}"), decode(PgTypeCatalog.NUMERIC_ARRAY, 0, utf8("{NaN}")));
    }
}
