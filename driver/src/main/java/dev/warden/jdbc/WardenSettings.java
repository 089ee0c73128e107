package dev.warden.jdbc;

import dev.warden.engine.EngineConfig;
import dev.warden.engine.SqlStates;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The Warden connection properties ({@code warden.policy}, {@code warden.role}, {@code warden.purpose},
 * {@code warden.masterKey}) and the URL they came from, split from what the real driver should see.
 * URL query parameters named {@code warden.*} are removed from the URL; properties given in
 * {@link Properties} take precedence over them. Immutable.
 */
record WardenSettings(String realUrl, Properties realProperties, String policy, String role, String purpose,
                      String masterKey) {

    static final String PREFIX = "jdbc:warden:";
    static final String POLICY = "warden.policy";
    static final String ROLE = "warden.role";
    static final String PURPOSE = "warden.purpose";
    static final String MASTER_KEY = "warden.masterKey";

    static WardenSettings parse(String url, Properties given) {
        String real = "jdbc:" + url.substring(PREFIX.length());
        Properties fromUrl = new Properties();
        int query = real.indexOf('?');
        if (query >= 0) {
            StringBuilder kept = new StringBuilder();
            for (String pair : real.substring(query + 1).split("&")) {
                if (pair.startsWith("warden.")) {
                    int eq = pair.indexOf('=');
                    String key = eq < 0 ? pair : pair.substring(0, eq);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    fromUrl.setProperty(key, value);
                } else if (!pair.isEmpty()) {
                    kept.append(kept.length() == 0 ? '?' : '&').append(pair);
                }
            }
            real = real.substring(0, query) + kept;
        }
        Properties realProperties = new Properties();
        String policy = fromUrl.getProperty(POLICY), role = fromUrl.getProperty(ROLE),
                purpose = fromUrl.getProperty(PURPOSE), masterKey = fromUrl.getProperty(MASTER_KEY);
        if (given != null) {
            for (String name : given.stringPropertyNames()) {
                String value = given.getProperty(name);
                switch (name) {
                    case POLICY -> policy = value;
                    case ROLE -> role = value;
                    case PURPOSE -> purpose = value;
                    case MASTER_KEY -> masterKey = value;
                    default -> realProperties.setProperty(name, value);
                }
            }
        }
        return new WardenSettings(real, realProperties, blankToNull(policy), blankToNull(role),
                blankToNull(purpose), blankToNull(masterKey));
    }

    EngineConfig engineConfig() throws SQLException {
        if (policy == null) {
            throw SqlStates.of(SqlStates.BAD_SESSION, "no policy given: set the connection property or URL"
                    + " parameter warden.policy to a policy file (or classpath:resource)");
        }
        return new EngineConfig(policy, masterKey);
    }

    /** The real URL without its query string, which may hold credentials: safe to put in messages. */
    String realUrlForMessages() {
        int query = realUrl.indexOf('?');
        return query < 0 ? realUrl : realUrl.substring(0, query);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
