package dev.warden.engine;

import dev.warden.sql.LexedSql;
import dev.warden.sql.Slot;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * One statement text made safe for one role and purpose: the SQL to send (inline literals of protected
 * columns already encrypted), which JDBC parameters must be encrypted when bound, and how to decode results.
 * Created by {@link WardenEngine#guard}. Immutable and thread-safe: a prepared text's guard is cached and
 * shared by every statement that prepares it.
 */
public final class GuardedStatement {

    /** What the statement is, beyond an ordinary one sent to the database. */
    public enum Local { NONE, SET_PURPOSE }

    private final LexedSql lexed;
    private final CompiledStatement compiled;
    private final String sql;
    private final ProtectedColumn[] parameterColumns;  // by 1-based JDBC index; null entries are not protected
    private final Local local;
    private final String localValue;

    GuardedStatement(LexedSql lexed, CompiledStatement compiled, String sql, ProtectedColumn[] parameterColumns,
                     Local local, String localValue) {
        this.lexed = lexed;
        this.compiled = compiled;
        this.sql = sql;
        this.parameterColumns = parameterColumns;
        this.local = local;
        this.localValue = localValue;
    }

    /** The text to hand to the real driver. */
    public String sql() {
        return sql;
    }

    /** The normalised text (every literal a {@code ?}): the audit fingerprint. */
    public String fingerprint() {
        return lexed.normalized();
    }

    public Local local() {
        return local;
    }

    String localValue() {
        return localValue;
    }

    CompiledStatement compiled() {
        return compiled;
    }

    /** True when the value bound to JDBC parameter {@code index} must go through {@link #bind}. */
    public boolean protectsParameter(int index) {
        return parameterColumns != null && index < parameterColumns.length && parameterColumns[index] != null;
    }

    /** Encrypts {@code plaintext} for parameter {@code index} and binds the ciphertext (or NULL). */
    public void bind(PreparedStatement target, int index, Object plaintext) throws SQLException {
        ProtectedColumn column = parameterColumns[index];
        Object stored = column.protect(plaintext);
        if (stored == null) {
            target.setNull(index, column.bindSqlType());
        } else if (stored instanceof byte[] bytes) {
            target.setBytes(index, bytes);
        } else if (stored instanceof String text) {
            target.setString(index, text);
        } else {
            target.setObject(index, stored);  // rules-only column: the plaintext as given
        }
    }

    /** The protected column behind parameter {@code index}, for messages. */
    public String parameterColumnName(int index) {
        return parameterColumns[index].name();
    }

    /** How to decode results, or null when no result column is protected. */
    public ResultDecoder decoder() {
        return compiled.decoder();
    }

    public boolean touchesProtected() {
        return compiled.touchesProtected();
    }

    /** Maps each JDBC parameter index to the protected column its slot carries; null when none. */
    static ProtectedColumn[] parameterColumns(LexedSql lexed, CompiledStatement compiled) {
        if (!compiled.hasProtectedSlots()) return null;
        ProtectedColumn[] byIndex = null;
        for (int i = 0; i < lexed.slots().size(); i++) {
            ProtectedColumn column = compiled.slotColumns()[i];
            if (column != null && lexed.slots().get(i) instanceof Slot.Parameter p) {
                if (byIndex == null) byIndex = new ProtectedColumn[countParameters(lexed) + 1];
                byIndex[p.jdbcIndex()] = column;
            }
        }
        return byIndex;
    }

    private static int countParameters(LexedSql lexed) {
        int max = 0;
        for (Slot s : lexed.slots()) if (s instanceof Slot.Parameter p) max = Math.max(max, p.jdbcIndex());
        return max;
    }
}
