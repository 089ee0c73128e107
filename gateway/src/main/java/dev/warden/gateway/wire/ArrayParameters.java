package dev.warden.gateway.wire;

import static dev.warden.gateway.wire.PgTypeCatalog.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a one-dimensional array parameter of a built-in element type, in text ({@code {a,"b c",NULL}}, as
 * PostgreSQL's {@code array_in} reads it) or binary format ({@code array_recv}), into a Java array of the element's
 * Java type ({@code String[]}, {@code Integer[]}, ...) that the real driver binds as the same array type, and that
 * Warden can encrypt element by element for {@code col = ANY ($1)}. A multi-dimensional array decodes to an array of
 * arrays (which Warden refuses on a protected column). Stateless.
 */
final class ArrayParameters {

    private ArrayParameters() {}

    /** The element type of a supported array type, or 0. */
    static int elementOf(int arrayOid) {
        return switch (arrayOid) {
            case INT2_ARRAY -> INT2;
            case INT4_ARRAY -> INT4;
            case INT8_ARRAY -> INT8;
            case TEXT_ARRAY -> TEXT;
            case VARCHAR_ARRAY -> VARCHAR;
            case FLOAT4_ARRAY -> FLOAT4;
            case FLOAT8_ARRAY -> FLOAT8;
            case NUMERIC_ARRAY -> NUMERIC;
            default -> 0;
        };
    }

    /**
     * {@code array_in}'s text form as a one-dimensional Java array; throws NumberFormatException on a malformed array
     * (22P02 for the caller). An array the Java types cannot hold as the server would read it (more than one
     * dimension, an element such as NaN or infinity) is left to the server: an {@link ParameterBinder.Untyped} of the
     * text, as before arrays were decoded (Warden refuses it where an array parameter is compared with a protected
     * column).
     */
    static Object text(int elementOid, String s) {
        int[] at = {0};
        String t = strip(s);
        if (t.startsWith("[")) {  // dimension decoration [1:2]={...}
            int eq = t.indexOf('=');
            if (eq < 0) throw new NumberFormatException("array");
            t = strip(t.substring(eq + 1));
        }
        Object[] out;
        try {
            out = textArray(elementOid, t, at);
        } catch (UnsupportedOperationException notRepresentable) {
            return new ParameterBinder.Untyped(s);
        }
        skipSpace(t, at);
        if (at[0] != t.length()) throw new NumberFormatException("array");
        for (Object item : out) if (item instanceof Object[]) return new ParameterBinder.Untyped(s);
        return out;
    }

    /**
     * PostgreSQL's {@code array_isspace}: only these six ASCII characters separate an array's parts; any other
     * (U+3000, U+2003, ...) belongs to the element, as the server reads it.
     */
    private static boolean isArraySpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    private static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isArraySpace(s.charAt(from))) from++;
        while (to > from && isArraySpace(s.charAt(to - 1))) to--;
        return s.substring(from, to);
    }

    private static Object[] textArray(int elementOid, String t, int[] at) {
        skipSpace(t, at);
        if (at[0] >= t.length() || t.charAt(at[0]) != '{') throw new NumberFormatException("array");
        at[0]++;
        List<Object> items = new ArrayList<>();
        skipSpace(t, at);
        if (at[0] < t.length() && t.charAt(at[0]) == '}') {
            at[0]++;
            return typed(elementOid, items);
        }
        while (true) {
            skipSpace(t, at);
            if (at[0] >= t.length()) throw new NumberFormatException("array");
            char c = t.charAt(at[0]);
            if (c == '{') {
                items.add(textArray(elementOid, t, at));
            } else if (c == '"') {
                StringBuilder b = new StringBuilder();
                at[0]++;
                while (true) {
                    if (at[0] >= t.length()) throw new NumberFormatException("array");
                    char q = t.charAt(at[0]++);
                    if (q == '"') break;
                    if (q == '\\') {
                        if (at[0] >= t.length()) throw new NumberFormatException("array");
                        q = t.charAt(at[0]++);
                    }
                    b.append(q);
                }
                items.add(element(elementOid, b.toString()));
            } else {
                StringBuilder b = new StringBuilder();
                boolean escaped = false;
                int lastKept = 0;  // trailing unescaped whitespace is not part of the element
                while (at[0] < t.length() && t.charAt(at[0]) != ',' && t.charAt(at[0]) != '}') {
                    char q = t.charAt(at[0]++);
                    if (q == '"' || q == '{') throw new NumberFormatException("array");
                    if (q == '\\') {
                        if (at[0] >= t.length()) throw new NumberFormatException("array");
                        b.append(t.charAt(at[0]++));
                        escaped = true;
                        lastKept = b.length();
                    } else {
                        b.append(q);
                        if (!isArraySpace(q)) lastKept = b.length();
                    }
                }
                String item = b.substring(0, lastKept);
                if (item.isEmpty()) throw new NumberFormatException("array");
                items.add(!escaped && item.equalsIgnoreCase("NULL") ? null : element(elementOid, item));
            }
            skipSpace(t, at);
            if (at[0] >= t.length()) throw new NumberFormatException("array");
            char sep = t.charAt(at[0]++);
            if (sep == '}') return typed(elementOid, items);
            if (sep != ',') throw new NumberFormatException("array");
        }
    }

    private static void skipSpace(String t, int[] at) {
        while (at[0] < t.length() && isArraySpace(t.charAt(at[0]))) at[0]++;
    }

    private static Object element(int elementOid, String text) {
        Object v = ParameterBinder.decode(elementOid, text);
        if (v instanceof ParameterBinder.Untyped) throw new UnsupportedOperationException();  // NaN and the like
        return v;
    }

    /** {@code array_recv}'s binary form. */
    static Object[] binary(int elementOid, byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int dimensions = buf.getInt();
        buf.getInt();  // has-nulls flag
        int declared = buf.getInt();
        if (dimensions < 0 || dimensions > 6 || dimensions > 0 && declared != elementOid) {
            throw new IndexOutOfBoundsException();
        }
        if (dimensions == 0) return typed(elementOid, List.of());
        int[] sizes = new int[dimensions];
        boolean empty = false;
        for (int d = 0; d < dimensions; d++) {
            sizes[d] = buf.getInt();
            buf.getInt();  // lower bound
            if (sizes[d] < 0) throw new IndexOutOfBoundsException();
            empty |= sizes[d] == 0;
        }
        if (empty) return typed(elementOid, List.of());  // array_recv: a dimension of 0 is an empty array
        long elements = 1;
        for (int size : sizes) {
            elements *= size;  // at most 6 factors below 2^31, each step checked below: no overflow
            // each element takes at least its 4-byte length: a count the message cannot hold is malformed (as
            // array_recv's "array size exceeds the maximum"), refused before any work is done for it
            if (elements > buf.remaining() / 4) throw new IndexOutOfBoundsException();
        }
        // more than one dimension: the server's to read, not the gateway's (refused, as before arrays were decoded)
        if (dimensions > 1) throw new UnsupportedOperationException();
        Object[] out = binaryLevel(elementOid, buf, sizes, 0);
        if (buf.hasRemaining()) throw new IndexOutOfBoundsException();
        return out;
    }

    private static Object[] binaryLevel(int elementOid, ByteBuffer buf, int[] sizes, int d) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < sizes[d]; i++) {
            if (d + 1 < sizes.length) {
                items.add(binaryLevel(elementOid, buf, sizes, d + 1));
                continue;
            }
            int length = buf.getInt();
            if (length == -1) {
                items.add(null);
                continue;
            }
            if (length < 0 || length > buf.remaining()) throw new IndexOutOfBoundsException();
            byte[] element = new byte[length];
            buf.get(element);
            Object v = ParameterBinder.decodeBinaryElement(elementOid, element);
            if (v instanceof ParameterBinder.Untyped) throw new UnsupportedOperationException();
            items.add(v);
        }
        return d + 1 < sizes.length ? items.toArray(new Object[0][]) : typed(elementOid, items);
    }

    /** The items as an array of the element's Java type, so the real driver sends the same array type. */
    private static Object[] typed(int elementOid, List<Object> items) {
        boolean nested = false;
        for (Object item : items) nested |= item instanceof Object[];
        if (nested) return items.toArray(new Object[0][]);
        Object[] out = switch (elementOid) {
            case INT2 -> new Short[items.size()];
            case INT4 -> new Integer[items.size()];
            case INT8 -> new Long[items.size()];
            case FLOAT4 -> new Float[items.size()];
            case FLOAT8 -> new Double[items.size()];
            case NUMERIC -> new java.math.BigDecimal[items.size()];
            default -> new String[items.size()];
        };
        return items.toArray(out);
    }
}
