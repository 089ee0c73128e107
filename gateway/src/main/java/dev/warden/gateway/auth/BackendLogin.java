package dev.warden.gateway.auth;

import java.util.Objects;

/**
 * The database user (and its password, already resolved from its {@code env:}/{@code file:} reference) that a
 * gateway user's statements run as, when it has one of its own ({@code backend-user}/{@code backend-password} in
 * {@code gateway.yaml}). A database user of its own is what isolates gateway users from each other inside
 * PostgreSQL: {@code pg_cancel_backend}/{@code pg_terminate_backend}, large objects and object ownership are
 * checked by the server against this user, where no SQL-text filter could. Immutable and thread-safe;
 * {@link #toString()} shows no password.
 */
public record BackendLogin(String user, String password) {

    public BackendLogin {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "BackendLogin[" + user + "]";
    }
}
