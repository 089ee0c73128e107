package dev.warden.engine;

import java.sql.SQLException;

/**
 * The elements of an array bound to {@code col = ANY (?)} on a protected column, read as the real driver would send
 * them: a {@link java.sql.Array} (setArray, createArrayOf), or a Java array of objects or primitives (pgjdbc's
 * setObject). Only one-dimensional arrays: PostgreSQL's ANY over a multi-dimensional array compares every element,
 * which Warden does not rebuild. Messages name the column and the Java class, never a value. Stateless.
 */
final class ArrayValues {

    private ArrayValues() {}

    /** The elements, or null for a NULL array. */
    static Object[] elements(Object bound, ProtectedColumn column) throws SQLException {
        if (bound == null) return null;
        Object array = bound instanceof java.sql.Array sqlArray ? sqlArray.getArray() : bound;
        if (array == null) return null;
        if (!array.getClass().isArray()) {
            throw SqlStates.of(SqlStates.INVALID_VALUE, "the parameter of `" + column.name() + " = ANY (?)` must be"
                    + " an array (setArray, createArrayOf, or a Java array with setObject), not "
                    + bound.getClass().getName());
        }
        int length = java.lang.reflect.Array.getLength(array);
        Object[] out = new Object[length];
        for (int i = 0; i < length; i++) {
            Object element = java.lang.reflect.Array.get(array, i);
            if (element != null && element.getClass().isArray() && !(element instanceof byte[])) {
                throw SqlStates.unsupported("the parameter of `" + column.name() + " = ANY (?)` is a"
                        + " multi-dimensional array; Warden compares one-dimensional arrays only: flatten it");
            }
            out[i] = element;
        }
        return out;
    }
}
