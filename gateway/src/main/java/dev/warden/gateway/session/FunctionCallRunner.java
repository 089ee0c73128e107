package dev.warden.gateway.session;

import dev.warden.engine.EngineSession;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.PgFrame;
import dev.warden.gateway.wire.PgTypeCatalog;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers the fast-path FunctionCall message ('F') for what clients use it for: libpq's large-object interface
 * ({@code lo_open}, {@code loread}, {@code lowrite}, {@code lo_lseek[64]}, {@code lo_tell[64]},
 * {@code lo_truncate[64]}, {@code lo_creat}, {@code lo_create}, {@code lo_close}, {@code lo_unlink}). The message
 * names the function by OID: it is resolved in {@code pg_catalog.pg_proc} (once per OID and session) and must be
 * one of these {@code pg_catalog} functions with its exact argument types; any other (a server-file
 * {@code lo_import}/{@code lo_export}, a user function) is refused with 0A000 naming it, and audited as refused.
 * An allowed call runs through the engine as the equivalent {@code SELECT pg_catalog.fn(?, ...)}, so it is
 * audited and judged like that statement. Arguments and the result are decoded and encoded in the text or binary
 * format the message asks for, as PostgreSQL's {@code fastpath.c} does.
 *
 * <p>One instance per session, used on the session's thread only: not thread-safe.
 */
final class FunctionCallRunner {

    /** How a refusal made here is audited (the session's front-door refusal), returning what to send. */
    interface Refusals {
        SQLException refused(String what, SQLException refusal);
    }

    /** An argument or result type of the allowed functions: its OID and its binary width (-1: variable). */
    private enum Type {
        INT4(PgTypeCatalog.INT4, 4), INT8(PgTypeCatalog.INT8, 8), OID(PgTypeCatalog.OID, 4), BYTEA(PgTypeCatalog.BYTEA, -1);

        final int oid;
        final int width;

        Type(int oid, int width) {
            this.oid = oid;
            this.width = width;
        }
    }

    /** An allowed function: name, argument types and result type, as in {@code pg_catalog.pg_proc}. */
    private record Function(String name, List<Type> arguments, Type result) {
        /** The equivalent statement: {@code SELECT pg_catalog.name(CAST(? AS type), ...)}, as text if asked. */
        String sql(boolean textResult) {
            StringBuilder call = new StringBuilder("pg_catalog.").append(name).append('(');
            for (int i = 0; i < arguments.size(); i++) {
                call.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(arguments.get(i).name().toLowerCase())
                        .append(')');
            }
            call.append(')');
            return "SELECT " + (textResult ? "CAST(" + call + " AS text)" : call.toString());
        }
    }

    private static final Map<String, Function> ALLOWED = new HashMap<>();

    private static void allow(String name, Type result, Type... arguments) {
        Function f = new Function(name, List.of(arguments), result);
        ALLOWED.put(signature(name, f.arguments()), f);
    }

    static {
        allow("lo_open", Type.INT4, Type.OID, Type.INT4);
        allow("lo_close", Type.INT4, Type.INT4);
        allow("loread", Type.BYTEA, Type.INT4, Type.INT4);
        allow("lowrite", Type.INT4, Type.INT4, Type.BYTEA);
        allow("lo_lseek", Type.INT4, Type.INT4, Type.INT4, Type.INT4);
        allow("lo_lseek64", Type.INT8, Type.INT4, Type.INT8, Type.INT4);
        allow("lo_tell", Type.INT4, Type.INT4);
        allow("lo_tell64", Type.INT8, Type.INT4);
        allow("lo_truncate", Type.INT4, Type.INT4, Type.INT4);
        allow("lo_truncate64", Type.INT4, Type.INT4, Type.INT8);
        allow("lo_creat", Type.OID, Type.INT4);
        allow("lo_create", Type.OID, Type.OID);
        allow("lo_unlink", Type.INT4, Type.OID);
    }

    private static String signature(String name, List<Type> arguments) {
        StringBuilder s = new StringBuilder(name).append('(');
        for (int i = 0; i < arguments.size(); i++) s.append(i == 0 ? "" : " ").append(arguments.get(i).oid);
        return s.append(')').toString();
    }

    /** What an OID resolved to: an allowed function, or the refusal naming it ({@code what}: for the audit). */
    private record Resolved(Function function, String what, SQLException refusal) {}

    private final Map<Integer, Resolved> resolved = new HashMap<>();
    private final Refusals refusals;

    FunctionCallRunner(Refusals refusals) {
        this.refusals = refusals;
    }

    /**
     * Runs the FunctionCall in {@code f} on {@code conn} (whose engine session is {@code engine}) and writes its FunctionCallResponse to {@code out}; the
     * caller sends ReadyForQuery. Nothing is written when it fails.
     *
     * @throws SQLException the refusal or the error to send (the call failed)
     */
    void run(PgFrame f, Connection conn, EngineSession engine, ByteBuf out) throws SQLException {
        int oid = f.readInt();
        short[] formats = new short[Math.max(f.readShort(), 0)];
        for (int i = 0; i < formats.length; i++) formats[i] = f.readShort();
        int n = f.readShort();
        if (formats.length > 1 && formats.length != n) {
            throw new SQLException("function call message contains " + formats.length + " argument formats but " + n
                    + " arguments", "08P01");
        }
        byte[][] values = new byte[Math.max(n, 0)][];
        for (int i = 0; i < n; i++) {
            int length = f.readInt();
            values[i] = length < 0 ? null : f.readBytes(length);
        }
        short resultFormat = f.readShort();
        checkFormat(resultFormat);
        Function function = resolve(oid, engine);
        if (n != function.arguments().size()) {
            throw new SQLException("function call message contains " + n + " arguments but function requires "
                    + function.arguments().size(), "08P01");
        }
        try (PreparedStatement ps = conn.prepareStatement(function.sql(resultFormat == 0))) {
            for (int i = 0; i < n; i++) {
                short format = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
                checkFormat(format);
                bind(ps, i + 1, function.arguments().get(i), values[i], format);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                respond(out, rs, function.result(), resultFormat);
            }
        }
    }

    private static void checkFormat(short format) throws SQLException {
        if (format != 0 && format != 1) throw new SQLException("unsupported format code: " + format, "22023");
    }

    private Function resolve(int oid, EngineSession engine) throws SQLException {
        Resolved r = resolved.get(oid);
        if (r == null) {
            r = lookUp(oid, engine);
            resolved.put(oid, r);
        }
        if (r.refusal() != null) {
            SQLException again = new SQLException(r.refusal().getMessage(), r.refusal().getSQLState());
            throw refusals.refused(r.what(), again);
        }
        return r.function();
    }

    /**
     * Which function {@code oid} is, read by the gateway itself (an internal read: the client's FunctionCall is
     * audited as the call it makes, not as this lookup). Qualified with pg_catalog, as every catalog read of
     * Warden's: a user's same-named operator must not answer.
     */
    private static Resolved lookUp(int oid, EngineSession engine) throws SQLException {
        return engine.readInternally("SELECT proname, pronamespace OPERATOR(pg_catalog.=) 11,"
                + " proargtypes::pg_catalog.text, prorettype, oid::pg_catalog.regprocedure::pg_catalog.text"
                + " FROM pg_catalog.pg_proc WHERE oid OPERATOR(pg_catalog.=) CAST(? AS pg_catalog.oid)",
                List.of(Integer.toUnsignedLong(oid)), rs -> {
                if (!rs.next()) {
                    return new Resolved(null, "FunctionCall " + Integer.toUnsignedString(oid),
                            new SQLException("function with OID " + Integer.toUnsignedString(oid)
                            + " does not exist", "42883"));
                }
                String name = rs.getString(1);
                String arguments = rs.getString(3).trim();
                String signature = name + "(" + arguments + ")";
                Function f = rs.getBoolean(2) ? ALLOWED.get(signature) : null;
                if (f != null && f.result().oid == rs.getInt(4)) return new Resolved(f, null, null);
                return new Resolved(null, "FunctionCall " + rs.getString(5), new SQLException("function call of " + rs.getString(5) + " (OID "
                        + Integer.toUnsignedString(oid) + ") is not supported through Warden: the FunctionCall message"
                        + " is answered for the large-object functions of pg_catalog only (lo_open, loread, lowrite,"
                        + " lo_lseek, lo_tell, lo_truncate, lo_creat, lo_create, lo_close, lo_unlink); use a query",
                        "0A000"));
        });
    }

    // ---------------------------------------------------------------- arguments

    private static void bind(PreparedStatement ps, int index, Type type, byte[] value, short format)
            throws SQLException {
        if (value == null) {
            ps.setNull(index, type == Type.BYTEA ? java.sql.Types.BINARY : java.sql.Types.BIGINT);
            return;
        }
        if (format == 1) {
            if (type.width >= 0 && value.length != type.width) {
                throw new SQLException("incorrect binary data format in function argument " + index, "22P03");
            }
            switch (type) {
                case INT4 -> ps.setInt(index, ByteBuffer.wrap(value).getInt());
                case INT8 -> ps.setLong(index, ByteBuffer.wrap(value).getLong());
                case OID -> ps.setLong(index, Integer.toUnsignedLong(ByteBuffer.wrap(value).getInt()));
                case BYTEA -> ps.setBytes(index, value);
            }
            return;
        }
        // Text is read by the server's own input function of the argument's type (the statement casts each
        // argument), as PostgreSQL reads a FunctionCall's text arguments: the same values, errors and SQLStates.
        ps.setObject(index, new String(value, StandardCharsets.UTF_8), java.sql.Types.OTHER);
    }

    // ---------------------------------------------------------------- result

    /** FunctionCallResponse: the result's length (-1: NULL) and its bytes in the format asked for. */
    private static void respond(ByteBuf out, ResultSet rs, Type type, short format) throws SQLException {
        byte[] value;
        if (format == 0) {
            String text = rs.getString(1);
            value = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        } else {
            value = switch (type) {
                case INT4 -> ByteBuffer.allocate(4).putInt(rs.getInt(1)).array();
                case INT8 -> ByteBuffer.allocate(8).putLong(rs.getLong(1)).array();
                case OID -> ByteBuffer.allocate(4).putInt((int) rs.getLong(1)).array();
                case BYTEA -> rs.getBytes(1);
            };
            if (rs.wasNull()) value = null;
        }
        int at = BackendMessages.begin(out, 'V');
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.writeBytes(value);
        }
        BackendMessages.end(out, at);
    }
}
