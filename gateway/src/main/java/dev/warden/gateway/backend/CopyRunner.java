package dev.warden.gateway.backend;

import dev.warden.engine.EngineSession;
import java.sql.SQLException;

/**
 * Runs {@code COPY ... FROM STDIN} and {@code COPY ... TO STDOUT} on a backend connection, the one thing
 * plain JDBC cannot express, started through the connection's {@link EngineSession#copy}. Call order: start, then any number of {@code write}/{@code read}, then exactly
 * one of {@code end}/{@code cancel} (copy-in) or read until null (copy-out). Implementations are
 * thread-safe; the {@link CopyIn}/{@link CopyOut} handles are used by one thread.
 */
public interface CopyRunner {

    CopyIn copyIn(EngineSession session, String sql) throws SQLException;

    CopyOut copyOut(EngineSession session, String sql) throws SQLException;

    /** A running COPY FROM STDIN. */
    interface CopyIn {
        /** 0 text, 1 binary. */
        int format();

        int[] columnFormats();

        void write(byte[] data) throws SQLException;

        /** Finishes the copy; returns the number of rows copied. */
        long end() throws SQLException;

        /** Aborts the copy (the backend reports an error and rolls back). */
        void cancel() throws SQLException;
    }

    /** A running COPY TO STDOUT. */
    interface CopyOut {
        int format();

        int[] columnFormats();

        /** The next row's bytes, or null when the copy is done. */
        byte[] read() throws SQLException;

        long rowCount();

        void cancel() throws SQLException;
    }
}
