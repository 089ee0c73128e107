package dev.warden.gateway.backend;

import dev.warden.engine.ServerErrorFields;
import dev.warden.gateway.wire.ErrorFields;
import java.sql.SQLException;
import java.sql.SQLWarning;

/**
 * The ErrorResponse and NoticeResponse fields of what the backend connection reported: the database's own fields
 * where the driver kept them ({@link ServerErrorFields}, as the engine left them: redacted when they concern a
 * protected table), else what the exception's SQLState and text tell. Stateless and thread-safe.
 */
public final class BackendErrors {

    private BackendErrors() {}

    public static ErrorFields of(SQLException e) {
        ServerErrorFields f = ServerErrorFields.of(e);
        return ErrorFields.fromException(e, f == null ? null : f.asMap());
    }

    public static ErrorFields of(SQLWarning w) {
        ServerErrorFields f = ServerErrorFields.of(w);
        return ErrorFields.fromWarning(w, f == null ? null : f.asMap());
    }
}
