package dev.warden.gateway;

import dev.warden.gateway.auth.AuthMethod;
import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.Md5Verifier;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.wire.PgFrameDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The gateway's configuration, loaded from YAML (see {@link #load}). Secrets (backend password, verifiers)
 * may be written as {@code env:NAME} or {@code file:PATH} references and are resolved at load; the master
 * key stays a reference that the Warden driver resolves.
 * Immutable and thread-safe; {@link #toString()} shows no secret.
 *
 * <pre>
 * listen: {host: 127.0.0.1, port: 6432}
 * backend: {url: jdbc:postgresql://db/app, user: app, password: env:APP_PASSWORD, pool-size: 16,
 *           properties: {ApplicationName: warden}}
 * policy: policy.yaml            # passed to the connector as warden.policy
 * master-key: env:WARDEN_MASTER_KEY          # a reference (env:NAME, file:PATH, pkcs11:URI), as warden.masterKey
 * tls: {cert: server.crt, key: server.key}     # PEM, key in PKCS#8
 * allow-insecure-non-loopback: false
 * auth-method: scram-sha-256                   # default for users without auth: (also password or md5)
 * allow-cleartext-password: false              # cleartext password auth without TLS
 * allow-md5-without-tls: false                 # md5 auth without TLS
 * max-message-bytes: 67108864
 * max-clients: 500                             # further clients get 53300 too_many_connections
 * isolate-users: false                         # true: users of different roles or purposes may not share
 *                                              # a database user (start-up error instead of a warning)
 * admin: {listen: 127.0.0.1:9187}             # GET /metrics (Prometheus) and GET /health; off unless
 *                                              # set; another host than loopback needs allow-non-loopback: true
 * users:
 *   alice: {verifier: "SCRAM-SHA-256$4096:...", role: analyst, purpose: support, purposes: [support, billing],
 *           backend-user: alice_db, backend-password: env:ALICE_DB_PW}   # her own database user
 *   carol: {verifier: "SCRAM-SHA-256$4096:...", auth: password, role: support}   # cleartext, checked
 *   dave:  {verifier: "md5...", auth: md5, role: billing}   # md5 needs an md5 verifier (warden passwd --md5)
 * </pre>
 */
public record GatewayConfig(String host, int port, Backend backend, String policy, String masterKey, Tls tls,
                            boolean allowInsecureNonLoopback, boolean allowCleartextPassword, int maxMessageBytes,
                            Map<String, GatewayUser> users, String authMethod, int maxClients,
                            boolean allowMd5WithoutTls, boolean isolateUsers, Admin admin) {

    /**
     * The admin listener's address ({@code admin: {listen: HOST:PORT}}, or just a port on 127.0.0.1), and whether
     * it may listen on another address than loopback: metrics name tables and roles, so they stay on the machine
     * unless the operator says otherwise.
     */
    public record Admin(String host, int port, boolean allowNonLoopback) {}

    /** A configuration without an admin listener. */
    public GatewayConfig(String host, int port, Backend backend, String policy, String masterKey, Tls tls,
                         boolean allowInsecureNonLoopback, boolean allowCleartextPassword, int maxMessageBytes,
                         Map<String, GatewayUser> users, String authMethod, int maxClients,
                         boolean allowMd5WithoutTls, boolean isolateUsers) {
        this(host, port, backend, policy, masterKey, tls, allowInsecureNonLoopback, allowCleartextPassword,
                maxMessageBytes, users, authMethod, maxClients, allowMd5WithoutTls, isolateUsers, null);
    }

    /** This configuration with the admin listener {@code admin} (null: none). */
    public GatewayConfig withAdmin(Admin admin) {
        return new GatewayConfig(host, port, backend, policy, masterKey, tls, allowInsecureNonLoopback,
                allowCleartextPassword, maxMessageBytes, users, authMethod, maxClients, allowMd5WithoutTls, isolateUsers,
                admin);
    }

    /** Where the statements go. */
    public record Backend(String url, String user, String password, int poolSize, Map<String, String> properties) {
        @Override
        public String toString() {
            return "Backend[" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
        }
    }

    /** PEM certificate chain and PKCS#8 private key. */
    public record Tls(Path certificate, Path privateKey) {}

    public GatewayConfig {
        users = Map.copyOf(users);
        AuthMethod.parse(authMethod);
    }

    /** A configuration that only warns when users of different roles or purposes share a database user. */
    public GatewayConfig(String host, int port, Backend backend, String policy, String masterKey, Tls tls,
                         boolean allowInsecureNonLoopback, boolean allowCleartextPassword, int maxMessageBytes,
                         Map<String, GatewayUser> users, String authMethod, int maxClients, boolean allowMd5WithoutTls) {
        this(host, port, backend, policy, masterKey, tls, allowInsecureNonLoopback, allowCleartextPassword,
                maxMessageBytes, users, authMethod, maxClients, allowMd5WithoutTls, false);
    }

    /** A configuration that allows md5 only over TLS. */
    public GatewayConfig(String host, int port, Backend backend, String policy, String masterKey, Tls tls,
                         boolean allowInsecureNonLoopback, boolean allowCleartextPassword, int maxMessageBytes,
                         Map<String, GatewayUser> users, String authMethod, int maxClients) {
        this(host, port, backend, policy, masterKey, tls, allowInsecureNonLoopback, allowCleartextPassword,
                maxMessageBytes, users, authMethod, maxClients, false, false);
    }

    /**
     * A value the configuration cannot use, at {@code path} (keys from the root): {@link #load} names its file and
     * line. The message starts with the dotted path, so {@link #fromMap} callers without a file still see where.
     */
    static final class ValueError extends IllegalArgumentException {
        private final List<String> path;

        ValueError(List<String> path, String message) {
            super(String.join(".", path) + ": " + message);
            this.path = List.copyOf(path);
        }
    }

    /** The method for users without their own {@code auth:}, and for unknown user names. */
    public AuthMethod defaultAuth() {
        return AuthMethod.parse(authMethod);
    }

    @Override
    public String toString() {
        return "GatewayConfig[" + host + ":" + port + ", " + backend + ", users=" + users.keySet() + ", tls="
                + (tls != null) + "]";
    }

    /** Loads a YAML file; relative paths in it are resolved against the file's directory. */
    public static GatewayConfig load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
        java.util.Optional<org.snakeyaml.engine.v2.nodes.Node> composed;
        try {
            // keys first, with their lines: a misspelt key must not be silently ignored
            composed = new Compose(settings).composeString(text);
            composed.ifPresent(node -> GatewayConfigKeys.check(node, file.toString()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);  // YAML syntax: the message has its line
        }
        try {
            Object root = new Load(settings).loadFromString(text);
            Path base = file.toAbsolutePath().getParent();
            return fromMap(asMap(root, "root"), base);
        } catch (ValueError e) {
            throw new IOException(file + ":" + GatewayConfigKeys.lineOf(composed.orElseThrow(), e.path) + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds a configuration from parsed YAML. */
    public static GatewayConfig fromMap(Map<String, Object> root, Path base) {
        Map<String, Object> listen = optMap(root.get("listen"), "listen");
        String host = str(listen.getOrDefault("host", "127.0.0.1"));
        int port = integer(listen.getOrDefault("port", 6432), "listen.port");

        Map<String, Object> b = asMap(required(root, "backend"), "backend");
        Map<String, String> props = new LinkedHashMap<>();
        optMap(b.get("properties"), "backend.properties").forEach((k, v) -> props.put(k, str(v)));
        Backend backend = new Backend(str(required(b, "url")), b.get("user") == null ? null : str(b.get("user")),
                b.get("password") == null ? null : resolveSecret(str(b.get("password")), base),
                integer(b.getOrDefault("pool-size", 16), "backend.pool-size"), Map.copyOf(props));

        String policy = root.get("policy") == null ? null : base.resolve(str(root.get("policy"))).toString();
        // a reference, passed on as warden.masterKey for the driver to resolve; file: paths made absolute
        String masterKey = root.get("master-key") == null ? null : str(root.get("master-key"));
        if (masterKey != null && masterKey.startsWith("file:")) {
            masterKey = "file:" + base.resolve(masterKey.substring(5));
        }
        Tls tls = null;
        if (root.get("tls") != null) {
            Map<String, Object> t = asMap(root.get("tls"), "tls");
            tls = new Tls(base.resolve(str(required(t, "cert"))), base.resolve(str(required(t, "key"))));
        }
        String defaultAuth = str(root.getOrDefault("auth-method", "scram-sha-256")).toLowerCase(java.util.Locale.ROOT);
        AuthMethod.parse(defaultAuth);
        Map<String, GatewayUser> users = new LinkedHashMap<>();
        for (var e : optMap(root.get("users"), "users").entrySet()) {
            users.put(e.getKey(), user(e.getKey(), asMap(e.getValue(), "users." + e.getKey()), defaultAuth, base));
        }
        return new GatewayConfig(host, port, backend, policy, masterKey, tls,
                Boolean.parseBoolean(str(root.getOrDefault("allow-insecure-non-loopback", false))),
                Boolean.parseBoolean(str(root.getOrDefault("allow-cleartext-password", false))),
                integer(root.getOrDefault("max-message-bytes", PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH), "max-message-bytes"),
                users, defaultAuth, integer(root.getOrDefault("max-clients", 500), "max-clients"),
                Boolean.parseBoolean(str(root.getOrDefault("allow-md5-without-tls", false))),
                Boolean.parseBoolean(str(root.getOrDefault("isolate-users", false))),
                admin(root.get("admin")));
    }

    /** {@code admin: {listen: HOST:PORT | PORT, allow-non-loopback: BOOL}}, or null when not configured. */
    private static Admin admin(Object value) {
        if (value == null) return null;
        Map<String, Object> admin = asMap(value, "admin");
        Object listen = admin.get("listen");
        if (listen == null) {
            throw new ValueError(List.of("admin"), "needs listen: HOST:PORT (e.g. 127.0.0.1:9187)");
        }
        String text = str(listen).strip();
        String host = "127.0.0.1";
        String port = text;
        int colon = text.lastIndexOf(':');
        if (colon >= 0) {
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);  // [::1]:9187
            if (host.isEmpty()) {
                throw new ValueError(List.of("admin", "listen"), "'" + text + "' has no host before the ':' (e.g."
                        + " 127.0.0.1:9187)");
            }
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new ValueError(List.of("admin", "listen"), "'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:9187)");
        }
        if (number < 0 || number > 65535) {
            throw new ValueError(List.of("admin", "listen"), "port " + number + " is not between 0 and 65535");
        }
        Object allow = admin.getOrDefault("allow-non-loopback", false);
        if (!(allow instanceof Boolean)) {
            throw new ValueError(List.of("admin", "allow-non-loopback"), "must be true or false, not '" + allow + "'");
        }
        return new Admin(host, number, (Boolean) allow);
    }

    /** One {@code users:} entry; the verifier's format (SCRAM or md5) must suit the user's {@code auth}. */
    private static GatewayUser user(String name, Map<String, Object> u, String defaultAuth, Path base) {
        String where = "users." + name;
        AuthMethod auth;
        try {
            auth = AuthMethod.parse(str(u.getOrDefault("auth", defaultAuth)));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ".auth: " + ex.getMessage());
        }
        ScramVerifier scram = null;
        Md5Verifier md5 = null;
        try {
            String text = resolveSecret(str(required(u, "verifier")), base);
            if (Md5Verifier.isMd5(text)) {
                md5 = Md5Verifier.parse(text);
            } else {
                scram = ScramVerifier.parse(text);
            }
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(where + ".verifier: " + ex.getMessage());
        }
        if (auth == AuthMethod.MD5 && md5 == null) {
            throw new IllegalArgumentException(where + ".auth: md5 needs an md5 verifier"
                    + " (warden passwd --md5 --user " + name + ")");
        }
        if (auth == AuthMethod.SCRAM_SHA_256 && scram == null) {
            throw new IllegalArgumentException(where + ".verifier: an md5 verifier serves only auth: md5 or password;"
                    + " scram-sha-256 needs a SCRAM-SHA-256 verifier (warden passwd)");
        }
        Set<String> purposes = new LinkedHashSet<>();
        if (u.get("purposes") instanceof List<?> list) {
            list.forEach(p -> purposes.add(str(p)));
        }
        return new GatewayUser(name, scram, str(required(u, "role")),
                u.get("purpose") == null ? null : str(u.get("purpose")), purposes, auth, md5, backendLogin(name, u, base));
    }

    /** The user's own database user, or null (the backend's shared one); both keys or neither (checked with lines). */
    private static BackendLogin backendLogin(String name, Map<String, Object> u, Path base) {
        if (!u.containsKey("backend-user") && !u.containsKey("backend-password")) return null;
        Object user = u.get("backend-user");
        if (user == null || str(user).isBlank()) {
            throw new ValueError(List.of("users", name, "backend-user"), "must name a database user");
        }
        Object password = u.get("backend-password");
        if (password == null) {
            throw new ValueError(List.of("users", name, "backend-password"), "must be a password or a reference"
                    + " (env:NAME or file:PATH)");
        }
        try {
            return new BackendLogin(str(user), resolveSecret(str(password), base));
        } catch (IllegalArgumentException e) {
            throw new ValueError(List.of("users", name, "backend-password"), e.getMessage());
        }
    }

    /** Resolves {@code env:NAME} and {@code file:PATH} references; anything else is the value itself. */
    public static String resolveSecret(String ref, Path base) {
        if (ref.startsWith("env:")) {
            String v = System.getenv(ref.substring(4));
            if (v == null) {
                throw new IllegalArgumentException("environment variable " + ref.substring(4) + " is not set");
            }
            return v;
        }
        if (ref.startsWith("file:")) {
            Path p = base == null ? Path.of(ref.substring(5)) : base.resolve(ref.substring(5));
            try {
                return Files.readString(p, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read secret file " + p + ": " + e.getMessage());
            }
        }
        return ref;
    }

    private static Object required(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing required key '" + key + "'");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o, String where) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(where + " must be a mapping");
        }
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> optMap(Object o, String where) {
        return o == null ? Map.of() : asMap(o, where);
    }

    private static int integer(Object o, String where) {
        try {
            return Integer.parseInt(str(o));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + o + "' is not a whole number");
        }
    }

    private static String str(Object o) {
        return String.valueOf(o);
    }
}
