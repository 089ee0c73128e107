package dev.warden.jdbc;

import dev.warden.engine.GuardedStatement;
import java.sql.ParameterMetaData;
import java.sql.SQLException;

/**
 * The real driver's parameter metadata seen through the application's parameter indexes, for a statement
 * whose equality values are sent once per key after a key rotation (see {@link GuardedStatement#targetIndex}):
 * the application sees its own parameter count, and each of its parameters described as the first of the
 * copies sent for it. Thread-safe as the delegate is.
 */
final class ExpandedParameterMetaData implements ParameterMetaData {

    private final ParameterMetaData delegate;
    private final GuardedStatement guarded;

    ExpandedParameterMetaData(ParameterMetaData delegate, GuardedStatement guarded) {
        this.delegate = delegate;
        this.guarded = guarded;
    }

    private int at(int param) {
        return guarded.targetIndex(param);
    }

    @Override
    public int getParameterCount() {
        return guarded.parameterCount();
    }

    @Override
    public int isNullable(int param) throws SQLException {
        return delegate.isNullable(at(param));
    }

    @Override
    public boolean isSigned(int param) throws SQLException {
        return delegate.isSigned(at(param));
    }

    @Override
    public int getPrecision(int param) throws SQLException {
        return delegate.getPrecision(at(param));
    }

    @Override
    public int getScale(int param) throws SQLException {
        return delegate.getScale(at(param));
    }

    @Override
    public int getParameterType(int param) throws SQLException {
        return delegate.getParameterType(at(param));
    }

    @Override
    public String getParameterTypeName(int param) throws SQLException {
        return delegate.getParameterTypeName(at(param));
    }

    @Override
    public String getParameterClassName(int param) throws SQLException {
        return delegate.getParameterClassName(at(param));
    }

    @Override
    public int getParameterMode(int param) throws SQLException {
        return delegate.getParameterMode(at(param));
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) return iface.cast(this);
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
