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
                    "allow-cleartext-password", "allow-md5-without-tls", "max-message-bytes", "max-clients", "users",
                    "isolate-users", "admin"),
            "admin", Set.of("listen", "allow-non-loopback"),
            "listen", Set.of("host", "port"),
            "backend", Set.of("url", "user", "password", "pool-size", "properties"),
            "backend.properties", Set.of(ANY),
            "tls", Set.of("cert", "key"),
            "users", Set.of(ANY),
            "users.*", Set.of("verifier", "auth", "role", "purpose", "purposes", "backend-user", "backend-password"));

    /** Keys that mean nothing alone, by path: each pair is written both or neither. */
    private static final Map<String, List<List<String>>> TOGETHER = Map.of(
            "users.*", List.of(List.of("backend-user", "backend-password")));

    private GatewayConfigKeys() {
    }

    /** Throws {@link IllegalArgumentException} naming {@code label:line} for the first key not allowed. */
    static void check(Node root, String label) {
        if (root instanceof MappingNode mapping) check(mapping, "", label);
    }

    private static void check(MappingNode mapping, String path, String label) {
        Set<String> allowed = ALLOWED.get(path);
        if (allowed == null) return;  // a leaf mapping no rule describes: its values are read as they are
        checkTogether(mapping, path, label);
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

    private static void checkTogether(MappingNode mapping, String path, String label) {
        for (List<String> pair : TOGETHER.getOrDefault(path, List.of())) {
            Node first = keyNode(mapping, pair.get(0));
            Node second = keyNode(mapping, pair.get(1));
            if ((first == null) != (second == null)) {
                String present = first != null ? pair.get(0) : pair.get(1);
                String missing = first != null ? pair.get(1) : pair.get(0);
                throw new IllegalArgumentException(label + ":" + line(first != null ? first : second) + ": '" + present
                        + "' needs '" + missing + "' beside it" + (missing.endsWith("password")
                        ? " (a reference such as env:NAME or file:PATH)" : ""));
            }
        }
    }

    private static Node keyNode(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) return tuple.getKeyNode();
        }
        return null;
    }

    /**
     * The line of the key at {@code path} (keys from the root, e.g. {@code users, alice, backend-password}), or of
     * its nearest ancestor that is there; 0 when none is.
     */
    static int lineOf(Node root, List<String> path) {
        int line = 0;
        Node node = root;
        for (String key : path) {
            if (!(node instanceof MappingNode mapping)) break;
            Node keyNode = keyNode(mapping, key);
            if (keyNode == null) break;
            line = line(keyNode);
            node = mapping.getValue().stream().filter(t -> t.getKeyNode() == keyNode).findFirst().orElseThrow()
                    .getValueNode();
        }
        return line;
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    /** The paths this class knows (for tests). */
    static List<String> paths() {
        return new ArrayList<>(new TreeSet<>(ALLOWED.keySet()));
    }
}
