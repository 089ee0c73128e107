package dev.warden.gateway.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Field;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.PgParameterMetaData;
import org.postgresql.jdbc.PgResultSetMetaData;

/**
 * Pins what the gateway reads from pgjdbc's private state ({@link PgjdbcInternals}). When this fails after a
 * pgjdbc upgrade, the gateway would silently describe every result column as a built-in type or text: find
 * where the new pgjdbc keeps the RowDescription, the ParameterDescription and the transaction status and adapt
 * the one adapter.
 */
class PgjdbcInternalsTest {

    @Test
    void pgjdbcStillKeepsTheRowAndParameterDescriptionsWhereTheAdapterReadsThem() {
        assertNotNull(PgjdbcInternals.RESULT_FIELDS,
                "pgjdbc's PgResultSetMetaData no longer has a Field[] named 'fields': adapt PgjdbcInternals");
        assertNotNull(PgjdbcInternals.PARAMETER_OIDS,
                "pgjdbc's PgParameterMetaData no longer has an int[] named 'oids': adapt PgjdbcInternals");
    }

    @Test
    void readsEachColumnsTypeOidLengthModifierAndOriginAsTheBackendSentThem() {
        // (label, type OID, type length, type modifier, table OID, attribute number)
        Field mood = new Field("m", 91234, 4, -1, 16390, 2);
        Field price = new Field("p", 1700, -1, (10 << 16 | 2) + 4, 16390, 3);
        PgjdbcInternals.WireField[] read = PgjdbcInternals.fields(new PgResultSetMetaData(null, new Field[] {mood, price}));
        assertNotNull(read);
        assertEquals(new PgjdbcInternals.WireField(91234, (short) 4, -1, 16390, (short) 2), read[0]);
        assertEquals(new PgjdbcInternals.WireField(1700, (short) -1, (10 << 16 | 2) + 4, 16390, (short) 3), read[1]);
    }

    @Test
    void readsTheParameterTypeOidsAsTheBackendDescribedThem() {
        int[] oids = {23, 91234, 25};
        assertArrayEquals(oids, PgjdbcInternals.parameterOids(new PgParameterMetaData(null, oids)));
    }

    @Test
    void readsAPlainBackendsTransactionStatusAsPostgresqlsReadyForQuerySentIt() {
        assertEquals(List.of("IDLE", "OPEN", "FAILED"),
                Arrays.stream(TransactionState.values()).map(Enum::name).toList(),
                "pgjdbc's TransactionState changed: adapt PgjdbcInternals.transactionStatus");
        assertEquals('I', PgjdbcInternals.transactionStatus(pgjdbcIn(TransactionState.IDLE)).get());
        assertEquals('T', PgjdbcInternals.transactionStatus(pgjdbcIn(TransactionState.OPEN)).get());
        assertEquals('E', PgjdbcInternals.transactionStatus(pgjdbcIn(TransactionState.FAILED)).get());
    }

    /** A pgjdbc connection (as its pool's proxy would unwrap to it) whose last ReadyForQuery said {@code state}. */
    private static Connection pgjdbcIn(TransactionState state) {
        return (Connection) Proxy.newProxyInstance(BaseConnection.class.getClassLoader(),
                new Class<?>[] {BaseConnection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(proxy);
                    case "unwrap" -> proxy;
                    case "getTransactionState" -> state;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void anotherDriversMetadataIsNotRead() {
        assertNull(PgjdbcInternals.fields(null));
        assertNull(PgjdbcInternals.parameterOids(null));
    }
}
