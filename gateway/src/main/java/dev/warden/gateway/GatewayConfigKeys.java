package dev.warden.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * The keys {@code gateway.yaml} may hold, checked on the composed YAML so that a misspelt key fails at
 * start-up with its file and line ({@code gateway.yaml:7: unknown key 'pool_size' in backend (allowed: …)})
 * instead of being silently ignored, as the policy reader does for policies. Stateless and thread-safe.
 */
final class GatewayConfigKeys {

    /** Where a mapping's keys are free (user names, driver properties): their values are checked, not their names. */
    private static final String ANY = "*";

    /** Allowed keys by path; a path ending in {@link #ANY} stands for every key of that mapping. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "", Set.of("listen", "backend", "policy", "master-key", "tls", "allow-insecure-non-loopback", "auth-method",
                    "allow-cleartext-password", "allow-md5-without-tls", "max-message-bytes", "max-clients", "users"),
            "listen", Set.of("host", "port"),
            "backend", Set.of("url", "user", "password", "pool-size", "properties"),
            "backend.properties", Set.of(ANY),
            "tls", Set.of("cert", "key"),
            "users", Set.of(ANY),
            "users.*", Set.of("verifier", "auth", "role", "purpose", "purposes"));

    private GatewayConfigKeys() {
    }

    /** Throws {@link IllegalArgumentException} naming {@code label:line} for the first key not allowed. */
    static void check(Node root, String label) {
        if (root instanceof MappingNode mapping) check(mapping, "", label);
    }

    private static void check(MappingNode mapping, String path, String label) {
        Set<String> allowed = ALLOWED.get(path);
        if (allowed == null) return;  // a leaf mapping no rule describes: its values are read as they are
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(tuple.getKeyNode());
            boolean free = allowed.contains(ANY);
            if (!free && !allowed.contains(key)) {
                throw new IllegalArgumentException(label + ":" + line(tuple.getKeyNode()) + ": unknown key '" + key + "'"
                        + (path.isEmpty() ? "" : " in " + path) + " (allowed: " + String.join(", ", new TreeSet<>(allowed))
                        + ")");
            }
            if (tuple.getValueNode() instanceof MappingNode child) {
                check(child, path.isEmpty() ? key : path + "." + (free ? ANY : key), label);
            }
        }
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    /** The paths this class knows (for tests). */
    static List<String> paths() {
        return new ArrayList<>(new TreeSet<>(ALLOWED.keySet()));
    }
}
