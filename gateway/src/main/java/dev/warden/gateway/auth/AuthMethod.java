package dev.warden.gateway.auth;

import java.util.Locale;

/**
 * How the gateway authenticates one user, named as in PostgreSQL's {@code pg_hba.conf}. SCRAM-SHA-256 is
 * the default and the only method that never shows the password (or a password equivalent) to the gateway;
 * {@code password} (cleartext) and {@code md5} exist for old clients and are accepted only over TLS unless
 * the configuration explicitly allows them without.
 */
public enum AuthMethod {
    /** SASL SCRAM-SHA-256 (and -PLUS over TLS), against a SCRAM verifier. */
    SCRAM_SHA_256("scram-sha-256"),
    /** AuthenticationCleartextPassword, checked against the user's SCRAM (or md5) verifier. */
    PASSWORD("password"),
    /** AuthenticationMD5Password, against an md5 verifier ({@code md5} + md5(password + user name)). */
    MD5("md5");

    private final String configName;

    AuthMethod(String configName) {
        this.configName = configName;
    }

    /** The name used in gateway.yaml. */
    public String configName() {
        return configName;
    }

    /** Parses a configuration name; IllegalArgumentException naming the accepted ones otherwise. */
    public static AuthMethod parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (AuthMethod m : values()) {
            if (m.configName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown authentication method '" + name
                + "' (scram-sha-256, password or md5)");
    }
}
