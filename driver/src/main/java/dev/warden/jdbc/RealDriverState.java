package dev.warden.jdbc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Reads session state that only the real driver knows, without handing its connection out of this package:
 * the backend's transaction status, which pgjdbc keeps from PostgreSQL's ReadyForQuery
 * ({@code org.postgresql.core.BaseConnection#getTransactionState}), and whether pgjdbc quotes the column
 * names it appends for generated keys (its {@code quoteReturningIdentifiers} setting). Warden does not depend on pgjdbc, so
 * the method is found once per connection by name in the real driver's class loader; with any other
 * driver the status is unknown (0). Not thread-safe, like the connection it reads.
 */
final class RealDriverState {

    private static final String PGJDBC_CONNECTION = "org.postgresql.core.BaseConnection";
    private static final RealDriverState UNKNOWN = new RealDriverState(null, null, null, null);

    private final Object target;
    /** pgjdbc's {@code BaseConnection}, which {@code target} implements. */
    private final Class<?> connectionInterface;
    /** {@code (Object) -> Object}: the driver's transaction state enum constant. */
    private final MethodHandle getTransactionState;
    /** Status character per enum ordinal. */
    private final char[] byOrdinal;
    private Boolean quotesReturningIdentifiers;  // read on first use

    private RealDriverState(Object target, Class<?> connectionInterface, MethodHandle getTransactionState,
                            char[] byOrdinal) {
        this.target = target;
        this.connectionInterface = connectionInterface;
        this.getTransactionState = getTransactionState;
        this.byOrdinal = byOrdinal;
    }

    /** The state source of {@code real} (the real driver's connection, possibly inside a pool's proxy). */
    static RealDriverState of(Connection real) {
        try {
            ClassLoader loader = real.getClass().getClassLoader();
            Class<?> iface = Class.forName(PGJDBC_CONNECTION, false, loader);
            if (!real.isWrapperFor(iface)) {
                return UNKNOWN;
            }
            Object target = real.unwrap(iface);
            Accessor m = Accessor.of(iface);
            return new RealDriverState(target, iface, m.handle, m.byOrdinal);
        } catch (SQLException | ReflectiveOperationException | LinkageError | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** 'I' idle, 'T' in a transaction block, 'E' in a failed block, 0 when the real driver does not say. */
    char transactionStatus() {
        if (target == null) {
            return 0;
        }
        try {
            Object state = getTransactionState.invokeExact(target);
            return state instanceof Enum<?> e && e.ordinal() < byOrdinal.length ? byOrdinal[e.ordinal()] : 0;
        } catch (Throwable t) {
            return 0;
        }
    }

    /**
     * Whether the real driver quotes the column names of {@code prepareStatement(sql, String[])} in the
     * RETURNING clause it appends: pgjdbc's {@code quoteReturningIdentifiers}, true unless the connection turns
     * it off. True when unknown (pgjdbc's default). A connection property, so read once.
     */
    boolean quotesReturningIdentifiers() {
        if (quotesReturningIdentifiers == null) {
            quotesReturningIdentifiers = readQuotesReturningIdentifiers();
        }
        return quotesReturningIdentifiers;
    }

    private boolean readQuotesReturningIdentifiers() {
        if (target == null) {
            return true;
        }
        try {
            // through the public interfaces (BaseConnection, QueryExecutor), not the implementation classes
            java.lang.reflect.Method getExecutor = connectionInterface.getMethod("getQueryExecutor");
            Object executor = getExecutor.invoke(target);
            Object quote = getExecutor.getReturnType().getMethod("getQuoteReturningIdentifiers").invoke(executor);
            return !(quote instanceof Boolean b) || b;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return true;
        }
    }

    /** The looked-up accessor and the meaning of each of its enum's constants. */
    private record Accessor(MethodHandle handle, char[] byOrdinal) {
        static Accessor of(Class<?> iface) throws ReflectiveOperationException {
            Class<?> stateType = iface.getMethod("getTransactionState").getReturnType();
            MethodHandle h = MethodHandles.publicLookup()
                    .findVirtual(iface, "getTransactionState", MethodType.methodType(stateType))
                    .asType(MethodType.methodType(Object.class, Object.class));
            Object[] constants = stateType.getEnumConstants();
            char[] chars = new char[constants == null ? 0 : constants.length];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = switch (((Enum<?>) constants[i]).name()) {
                    case "IDLE" -> 'I';
                    case "OPEN" -> 'T';
                    case "FAILED" -> 'E';
                    default -> 0;
                };
            }
            return new Accessor(h, chars);
        }
    }
}
