package dev.warden.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * A database function the policy's {@code functions:} section vouches for: Warden cannot see what it does (its
 * body runs dynamic SQL, is written in C or another language, or reaches a protected table), and the DBA says
 * it computes nothing a role may not see. Warden then lets statements call it, and notes each use in the audit
 * trail. Names are lower-case, schema-qualified. Immutable, thread-safe.
 *
 * @param line the policy line that lists it, for audit notes and messages
 */
public record TrustedFunction(String schema, String name, int line) {

    public TrustedFunction {
        schema = Objects.requireNonNull(schema, "schema").toLowerCase(Locale.ROOT);
        name = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    }

    /** {@code schema.name}. */
    public String qualifiedName() {
        return schema + "." + name;
    }
}
