package dev.warden.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * What {@code unwrap(org.postgresql.PGConnection.class)} returns on a Warden connection: pgjdbc's extension
 * interface limited to what neither runs SQL nor moves data past the engine. Applications (and the gateway)
 * use it for LISTEN/NOTIFY: {@code getNotifications()} hands out what the database sent, channel and payload
 * as the application's NOTIFY wrote them; Warden decrypts nothing there, and a protected column can only
 * reach a payload as the ciphertext the database holds.
 *
 * <p>Allowed: the notification reads, the backend's process id, cancelling the running query, identifier and
 * literal escaping, the server's reported parameters and the driver settings' getters. Refused (SQLState
 * 0A000, or {@link UnsupportedOperationException} where pgjdbc's method declares no {@link SQLException}):
 * the COPY, large object, fast-path and replication APIs, {@code alterUserPassword}, custom data types, array
 * creation, every setter, and any method a later pgjdbc adds, until it has been looked at here.
 *
 * <p>Warden does not depend on pgjdbc, so this is a {@link Proxy} of the interface as the real driver's class
 * loader defines it (off the hot path: notification reads, not statements); it is not a {@link Connection},
 * and the real connection is never handed out. Not thread-safe, like the connection it reads.
 */
final class PgConnectionView implements InvocationHandler {

    static final String PG_CONNECTION = "org.postgresql.PGConnection";

    /**
     * Methods that neither send SQL nor return rows, forwarded to the real connection as they are; by full
     * signature, so that an overload a later pgjdbc adds under one of these names is refused until looked at.
     */
    private static final Set<String> FORWARDED = Set.of("getNotifications()", "getNotifications(int)",
            "getBackendPID()", "cancelQuery()", "escapeIdentifier(java.lang.String)",
            "escapeLiteral(java.lang.String)", "getParameterStatuses()", "getParameterStatus(java.lang.String)",
            "getPreferQueryMode()", "getAutosave()", "getPrepareThreshold()", "getDefaultFetchSize()",
            "getAdaptiveFetch()");

    private final Object real;

    private PgConnectionView(Object real) {
        this.real = real;
    }

    /** True when {@code iface} is pgjdbc's {@code PGConnection}, which this view can stand for. */
    static boolean serves(Class<?> iface) {
        return iface.isInterface() && iface.getName().equals(PG_CONNECTION);
    }

    /** The view over {@code delegate}'s {@code iface}, or null when the real driver is not pgjdbc. */
    static Object over(Connection delegate, Class<?> iface) throws SQLException {
        if (!serves(iface) || !delegate.isWrapperFor(iface)) {
            return null;
        }
        Object real = delegate.unwrap(iface);
        return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, new PgConnectionView(real));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "Warden view of " + PG_CONNECTION;
            };
        }
        if (!FORWARDED.contains(signature(method))) {
            String message = "Warden does not expose " + PG_CONNECTION + "." + method.getName()
                    + ": it would bypass the policy";
            for (Class<?> declared : method.getExceptionTypes()) {
                if (declared.isAssignableFrom(SQLException.class)) {
                    throw new SQLException(message, "0A000");
                }
            }
            throw new UnsupportedOperationException(message);
        }
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** {@code name(type, type)} with the parameter types' binary names, e.g. {@code getNotifications(int)}. */
    static String signature(Method method) {
        StringBuilder b = new StringBuilder(method.getName()).append('(');
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            b.append(i > 0 ? ", " : "").append(types[i].getName());
        }
        return b.append(')').toString();
    }
}
