package dev.warden.jdbc;

import java.lang.reflect.Method;

/**
 * A string an application binds as pgjdbc's {@code PGobject} of type {@code text} (or {@code varchar}), to send it
 * typed as that type, as the gateway binds a client's parameter typed text: its type as PostgreSQL names it in
 * messages, and its value. Read by reflection: the driver does not depend on pgjdbc. Stateless, thread-safe.
 */
final class PgTypedText {

    private static final String PG_OBJECT = "org.postgresql.util.PGobject";

    private PgTypedText() {}

    /** "text" or "character varying" when {@code x} is such a PGobject; else null. */
    static String typeOf(Object x) {
        if (!isPgObject(x)) return null;
        Object type = call(x, "getType");
        if (!(type instanceof String t)) return null;
        return switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "text" -> "text";
            case "varchar", "character varying" -> "character varying";
            default -> null;
        };
    }

    /** The string {@code x} (a PGobject {@link #typeOf} names) holds; null for NULL. */
    static String valueOf(Object x) {
        return (String) call(x, "getValue");
    }

    private static boolean isPgObject(Object x) {
        for (Class<?> c = x == null ? null : x.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(PG_OBJECT)) return true;
        }
        return false;
    }

    private static Object call(Object x, String getter) {
        try {
            Method m = x.getClass().getMethod(getter);
            return m.invoke(x);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;  // not the PGobject this reads: left as the application gave it
        }
    }
}
