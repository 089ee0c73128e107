package dev.warden.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.util.PGobject;
import org.postgresql.util.PSQLException;

/**
 * A LIMIT count typed as a character type, which PostgreSQL refuses whatever it holds (42804), naming the type:
 * what the server itself says, for the driver's and the gateway's tests to hold Warden's refusal to.
 */
public final class CountTypes {

    private CountTypes() {}

    /**
     * PostgreSQL's own message for {@code SELECT 1 LIMIT '5'::<type>} on {@code raw}, checked to be the 42804 that
     * names {@code named} ("text", "character varying").
     */
    public static String postgresRefusal(Connection raw, String type, String named) throws SQLException {
        try (Statement s = raw.createStatement()) {
            PSQLException pg = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT 1 LIMIT '5'::" + type));
            assertEquals("42804", pg.getSQLState());
            String message = pg.getServerErrorMessage().getMessage();
            assertEquals("argument of LIMIT must be type bigint, not type " + named, message);
            return message;
        }
    }

    /** pgjdbc's way to send {@code value} typed {@code type} (e.g. text, which a String is not sent as). */
    public static PGobject typed(String type, String value) throws SQLException {
        PGobject typed = new PGobject();
        typed.setType(type);
        typed.setValue(value);
        return typed;
    }
}
