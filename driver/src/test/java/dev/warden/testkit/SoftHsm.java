package dev.warden.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh SoftHSM2 tokens for the tests of {@code pkcs11:} master keys, in a directory of their own.
 *
 * <p>SoftHSM2 reads its configuration ({@code SOFTHSM2_CONF}, an environment variable) and lists its tokens once,
 * when a process first initialises the module; a token created afterwards is invisible to that process. So the
 * build sets {@code SOFTHSM2_CONF} for the test JVMs to {@code target/softhsm/softhsm2.conf} (root pom), and the
 * first call of {@link #tokens()} in a JVM empties that directory, writes the configuration and creates every
 * token the tests use, before anything loads the module. Each test names its own key object (a fresh label),
 * so tests sharing a token do not see each other's keys.
 *
 * <p>Tests are skipped, with the reason printed, only when SoftHSM2 is not installed (or the JVM was started
 * without {@code SOFTHSM2_CONF}, e.g. from an IDE without the build's settings).
 */
public final class SoftHsm {
    public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    public static final Path UTIL = Path.of("/usr/bin/softhsm2-util");
    public static final String PIN = "4711-warden";
    private static final String SO_PIN = "8080-warden-so";

    /** The token most tests use. */
    public static final String TOKEN = "warden-test";
    /** A second token, for "the same label on another token is another key". */
    public static final String OTHER_TOKEN = "warden-other";
    /** Never opened with the right PIN: its login state is untouched when a test gives it a wrong one. */
    public static final String PIN_TOKEN = "warden-pin";

    private static SoftHsm instance;
    private static String unavailable;

    private final Path directory;
    private final Map<String, Long> slots;

    private SoftHsm(Path directory, Map<String, Long> slots) {
        this.directory = directory;
        this.slots = slots;
    }

    /** The tokens, created on first use in this JVM; skips the calling test when SoftHSM2 cannot be used. */
    public static synchronized SoftHsm tokens() {
        if (instance == null && unavailable == null) {
            unavailable = whyUnavailable();
            if (unavailable == null) instance = create(Path.of(System.getenv("SOFTHSM2_CONF")));
        }
        if (unavailable != null) {
            System.out.println("[SoftHsm] skipping: " + unavailable);
            Assumptions.abort(unavailable);
        }
        return instance;
    }

    /** {@code pkcs11:token=TOKEN;object=OBJECT?module-path=…&pin-value=PIN}. */
    public String uri(String token, String object) {
        return uri(token, object, PIN);
    }

    /** As {@link #uri(String, String)}, with another PIN. */
    public String uri(String token, String object, String pin) {
        return "pkcs11:token=" + token + ";object=" + object + "?module-path=" + MODULE + "&pin-value=" + pin;
    }

    /** The reference by token label, with the PIN read from a file: {@code …&pin-source=file:…}. */
    public String uriWithPinFile(String token, String object) {
        return "pkcs11:token=" + token + ";object=" + object + "?module-path=" + MODULE
                + "&pin-source=file:" + directory.resolve("user-pin");
    }

    /** The reference by slot id, with the PIN read from a file: {@code pkcs11:slot-id=N;object=…&pin-source=file:…}. */
    public String uriBySlot(String token, String object) {
        return "pkcs11:slot-id=" + slotId(token) + ";object=" + object + "?module-path=" + MODULE
                + "&pin-source=file:" + directory.resolve("user-pin");
    }

    /** The slot SoftHSM2 gave {@code token}. */
    public long slotId(String token) {
        Long slot = slots.get(token);
        if (slot == null) throw new IllegalArgumentException("no test token " + token);
        return slot;
    }

    /** The directory holding the configuration, the tokens and the PIN file. */
    public Path directory() {
        return directory;
    }

    private static String whyUnavailable() {
        if (!Files.isExecutable(UTIL) || !Files.isRegularFile(MODULE)) {
            return "SoftHSM2 is not installed (" + UTIL + ", " + MODULE + "; Debian package softhsm2)";
        }
        if (System.getenv("SOFTHSM2_CONF") == null) {
            return "SOFTHSM2_CONF is not set for this JVM (the Maven build sets it; SoftHSM2 reads it once per process)";
        }
        return null;
    }

    private static SoftHsm create(Path conf) {
        try {
            Path directory = conf.toAbsolutePath().getParent();
            if (Files.exists(directory)) {
                try (Stream<Path> old = Files.walk(directory)) {
                    for (Path p : old.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
                }
            }
            Path tokens = Files.createDirectories(directory.resolve("tokens"));
            Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
            Files.writeString(directory.resolve("user-pin"), PIN + "\n");
            Map<String, Long> slots = new LinkedHashMap<>();
            for (String label : new String[] {TOKEN, OTHER_TOKEN, PIN_TOKEN}) {
                slots.put(label, initToken(conf, label));
            }
            return new SoftHsm(directory, slots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long initToken(Path conf, String label) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(UTIL.toString(), "--init-token", "--free", "--label", label,
                "--pin", PIN, "--so-pin", SO_PIN).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("softhsm2-util --init-token " + label + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Matcher slot = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
        if (!slot.find()) throw new IllegalStateException("softhsm2-util did not name the slot: " + out);
        return Long.parseLong(slot.group(1));
    }
}
