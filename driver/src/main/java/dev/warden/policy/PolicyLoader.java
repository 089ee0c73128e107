package dev.warden.policy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads and validates a YAML policy; every error names the file, line and rule. Stateless and thread-safe.
 *
 * <p>The YAML is composed into nodes (not constructed into maps) so that the validator knows each node's line
 * and sees duplicate keys. {@link Policy#version()} is the first 16 hex digits of the SHA-256 of the file's
 * bytes, so any edit, even to a comment, makes a new version.
 */
public final class PolicyLoader {
    private static final String CLASSPATH = "classpath:";
    private static final int VERSION_HEX_DIGITS = 16;

    private PolicyLoader() {}

    /** {@code location} is a file path or {@code classpath:resource}. */
    public static Policy load(String location) throws PolicyException {
        if (location == null || location.isBlank()) {
            throw new PolicyException("no policy location given");
        }
        if (location.startsWith(CLASSPATH)) {
            return loadResource(location);
        }
        Path file;
        try {
            file = Path.of(location);
        } catch (InvalidPathException e) {
            throw new PolicyException("policy file '" + location + "' is not a valid path: " + e.getReason());
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PolicyException("policy file '" + location + "' not found", e);
        } catch (IOException e) {
            throw new PolicyException("policy file '" + location + "' cannot be read: " + e, e);
        }
        return parse(bytes, location, file.toAbsolutePath().getParent());
    }

    private static Policy loadResource(String location) throws PolicyException {
        String resource = location.substring(CLASSPATH.length());
        while (resource.startsWith("/")) {
            resource = resource.substring(1);
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL url = loader == null ? null : loader.getResource(resource);
        if (url == null) {
            url = PolicyLoader.class.getClassLoader().getResource(resource);
        }
        if (url == null) {
            throw new PolicyException("policy resource '" + location + "' not found on the classpath");
        }
        byte[] bytes;
        try (InputStream in = url.openStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new PolicyException("policy resource '" + location + "' cannot be read: " + e, e);
        }
        // a resource inside a jar has no directory of its own: the keyset path is then taken as written
        Path baseDir = null;
        if ("file".equals(url.getProtocol())) {
            try {
                baseDir = Path.of(url.toURI()).getParent();
            } catch (URISyntaxException | IllegalArgumentException e) {
                baseDir = null;
            }
        }
        return parse(bytes, location, baseDir);
    }

    /** Parses YAML text; {@code sourceName} is used in messages, {@code baseDir} resolves the keyset path. */
    public static Policy parse(String yaml, String sourceName, Path baseDir) throws PolicyException {
        return parse(yaml, sourceName, baseDir, fingerprint(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Parses a policy file's bytes, as {@link #load} does, with {@code sourceName} in messages and
     * {@code baseDir} resolving the keyset path; the version is that of {@code bytes} ({@link #version}).
     */
    public static Policy parse(byte[] bytes, String sourceName, Path baseDir) throws PolicyException {
        String yaml;
        try {
            yaml = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(sourceName + ": not UTF-8 text", e);
        }
        return parse(yaml, sourceName, baseDir, fingerprint(bytes));
    }

    private static Policy parse(String yaml, String sourceName, Path baseDir, String version) throws PolicyException {
        if (!yaml.isEmpty() && yaml.charAt(0) == '\uFEFF') {
            yaml = yaml.substring(1);
        }
        LoadSettings settings = LoadSettings.builder().setLabel(sourceName).setUseMarks(true).build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
            String where = mark.map(m -> ":" + (m.getLine() + 1)).orElse("");
            String context = e.getContext() == null ? "" : e.getContext() + ": ";
            throw new PolicyException(sourceName + where + ": malformed YAML: " + context + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new PolicyException(sourceName + ": malformed YAML: " + e.getMessage(), e);
        }
        if (root.isEmpty()) {
            throw new PolicyException(sourceName + ":1: policy: the policy is empty (expected keys: keyset, roles, "
                    + "tables, audit)");
        }
        return new YamlPolicyReader(sourceName, baseDir, version).read(root.get());
    }

    /** The {@link Policy#version()} a policy read from {@code bytes} has: whether a file changed is told by it. */
    public static String version(byte[] bytes) {
        return fingerprint(bytes);
    }

    private static String fingerprint(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest).substring(0, VERSION_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
