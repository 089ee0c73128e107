package dev.warden.gateway.backend;

import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.postgresql.util.PGobject;

/**
 * Binds a client's text-typed parameter so that pgjdbc sends it typed text, as the client did: a String would go as
 * character varying ({@code stringtype=varchar}), which PostgreSQL names in its messages (e.g. refusing it as a LIMIT
 * count, 42804). pgjdbc's public {@link PGobject}; the engine reads it back as its string where the parameter is
 * protected. Stateless.
 */
public final class TypedText {

    private TypedText() {}

    /** Binds {@code value} (null: NULL of type text) to parameter {@code index} of {@code ps}, typed text. */
    public static void bind(PreparedStatement ps, int index, String value) throws SQLException {
        PGobject text = new PGobject();
        text.setType("text");
        text.setValue(value);
        ps.setObject(index, text);
    }
}
