package dev.warden.gateway.session;

import dev.warden.engine.EngineSession;
import dev.warden.gateway.backend.ReportedParameter;
import dev.warden.gateway.wire.BackendMessages;
import io.netty.buffer.ByteBuf;

/**
 * Follows the session's {@code application_name} the way PostgreSQL reports it: from the backend's ParameterStatus
 * messages, so that a SET (pgjdbc sends its {@code ApplicationName} as one after the startup unless told the server's
 * version), a RESET and a SET or SET LOCAL undone by ROLLBACK all count. After a statement that sets it and before
 * each ReadyForQuery a change is sent to the client as ParameterStatus, as PostgreSQL does, and the engine audits the client under its new name (the
 * audit event's client, observe mode's call site {@code client <application_name>@<address>}). Costs a map lookup
 * per ReadyForQuery. Not thread-safe: the session's thread only.
 */
final class ApplicationNameReport {

    private final ReportedParameter backend;
    private String reported;

    /** Starts from what the backend reports now (the startup's ParameterStatus said the same). */
    ApplicationNameReport(ReportedParameter backend) {
        this.backend = backend;
        this.reported = backend.value();
    }

    /** A changed application_name goes to {@code out} and to {@code engine}; nothing else happens. */
    void sync(EngineSession engine, ByteBuf out) {
        sync(engine, out, false);
    }

    /**
     * After a statement that set application_name: the engine takes the backend's value even when it did not change
     * (the client may set the name the pool's connection already had, while the engine knew the client by none).
     */
    void setByStatement(EngineSession engine, ByteBuf out) {
        sync(engine, out, true);
    }

    private void sync(EngineSession engine, ByteBuf out, boolean set) {
        String now = backend.value();
        if (now == null) return;
        if (!now.equals(reported)) {
            reported = now;
            BackendMessages.parameterStatus(out, "application_name", now);
        } else if (!set) {
            return;
        }
        engine.clientRenamed(now.isEmpty() ? null : now);
    }
}
