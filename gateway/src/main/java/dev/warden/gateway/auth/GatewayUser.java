package dev.warden.gateway.auth;

import java.util.Set;

/**
 * A client identity the gateway accepts: its login name, how it authenticates ({@link AuthMethod}) and
 * against what (a SCRAM verifier, or for {@code md5} an md5 verifier; cleartext passwords are checked
 * against whichever the user has), the Warden role it is mapped to, its default purpose (may be null) and
 * the purposes it may declare with {@code -c warden.purpose=...} (empty: only the default; a user without a
 * default purpose may declare any), and the database user its statements run as when it has one of its own
 * ({@link BackendLogin}; null: the backend's shared user). Immutable and thread-safe.
 */
public record GatewayUser(String name, ScramVerifier verifier, String role, String purpose, Set<String> purposes,
                          AuthMethod auth, Md5Verifier md5, BackendLogin backendLogin) {

    public GatewayUser {
        purposes = purposes == null ? Set.of() : Set.copyOf(purposes);
        auth = auth == null ? AuthMethod.SCRAM_SHA_256 : auth;
        switch (auth) {
            case SCRAM_SHA_256 -> require(verifier != null, "scram-sha-256 needs a SCRAM-SHA-256 verifier");
            case MD5 -> require(md5 != null, "md5 needs an md5 verifier (warden passwd --md5 --user " + name + ")");
            case PASSWORD -> require(verifier != null || md5 != null, "password needs a verifier");
        }
    }

    /** A user on the backend's shared database user. */
    public GatewayUser(String name, ScramVerifier verifier, String role, String purpose, Set<String> purposes,
                       AuthMethod auth, Md5Verifier md5) {
        this(name, verifier, role, purpose, purposes, auth, md5, null);
    }

    /** A SCRAM-SHA-256 user. */
    public GatewayUser(String name, ScramVerifier verifier, String role, String purpose, Set<String> purposes) {
        this(name, verifier, role, purpose, purposes, AuthMethod.SCRAM_SHA_256, null);
    }

    private void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("user " + name + ": auth " + what);
        }
    }

    /** This user with another authentication method (same verifiers). */
    public GatewayUser withAuth(AuthMethod method) {
        return new GatewayUser(name, verifier, role, purpose, purposes, method, md5, backendLogin);
    }

    /** This user with a database user of its own (same identity otherwise). */
    public GatewayUser withBackendLogin(BackendLogin login) {
        return new GatewayUser(name, verifier, role, purpose, purposes, auth, md5, login);
    }

    /** True when {@code password} is this user's (cleartext password authentication). Costs a PBKDF2 run. */
    public boolean matchesPassword(char[] password) {
        return verifier != null ? verifier.matches(password) : md5.matches(password, name);
    }

    /** True when this user may run under {@code requested} (a null request means the default). */
    public boolean mayDeclare(String requested) {
        if (requested == null || requested.equals(purpose)) {
            return true;
        }
        if (!purposes.isEmpty()) {
            return purposes.contains(requested);
        }
        return purpose == null;
    }

    @Override
    public String toString() {
        return "GatewayUser[" + name + ", role=" + role + ", purpose=" + purpose + ", auth=" + auth.configName()
                + (backendLogin == null ? "" : ", backend-user=" + backendLogin.user()) + "]";
    }
}
