package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A security proxy must not let a JDBC method fall through to a default or inherited implementation nobody
 * looked at: every method of each wrapped interface, including default methods a new JDK adds, must be
 * declared by the Warden class itself (or, for statement subtypes, by a Warden superclass).
 */
class DriverSurfaceTest {

    private static final Map<Class<?>, Class<?>> WRAPPERS = Map.of(
            Connection.class, WardenConnection.class,
            Statement.class, WardenStatement.class,
            PreparedStatement.class, WardenPreparedStatement.class,
            CallableStatement.class, WardenCallableStatement.class,
            ResultSet.class, WardenResultSet.class,
            ResultSetMetaData.class, WardenResultSetMetaData.class,
            DatabaseMetaData.class, WardenDatabaseMetaData.class,
            DataSource.class, WardenDataSource.class);

    @Test
    void everyJdbcMethodIsDeclaredByAWardenClass() {
        List<String> missing = new ArrayList<>();
        WRAPPERS.forEach((iface, wrapper) -> {
            for (Method m : iface.getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) continue;
                if (!declaredByWarden(wrapper, m)) missing.add(iface.getSimpleName() + "." + m.getName());
            }
        });
        assertEquals(List.of(), missing, "JDBC methods not handled explicitly by Warden");
    }

    /**
     * The other way round: a wrapper's public methods are the JDBC interface's and nothing more, so that no
     * escape hatch (the real connection, the engine's session) is part of the driver's API; a front door gets
     * what it may use through {@code unwrap(EngineSession.class)}. (The DataSource is a configuration bean: its
     * setters are its API.)
     */
    @Test
    void wrappersAddNoPublicMethodsToTheirJdbcInterface() {
        List<String> extra = new ArrayList<>();
        WRAPPERS.forEach((iface, wrapper) -> {
            if (iface == DataSource.class) return;
            for (Method m : wrapper.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) continue;
                if (!declaredBy(iface, m) && !declaredBy(Object.class, m)) extra.add(wrapper.getSimpleName() + "." + m.getName());
            }
        });
        assertEquals(List.of(), extra, "public methods of Warden's wrappers beyond JDBC's");
    }

    private static boolean declaredBy(Class<?> type, Method m) {
        try {
            type.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean declaredByWarden(Class<?> wrapper, Method m) {
        for (Class<?> c = wrapper; c != null && c.getName().startsWith("dev.warden."); c = c.getSuperclass()) {
            try {
                Method declared = c.getDeclaredMethod(m.getName(), m.getParameterTypes());
                return !declared.isSynthetic() || !declared.isBridge();
            } catch (NoSuchMethodException e) {
                // look in the Warden superclass
            }
        }
        return false;
    }
}
