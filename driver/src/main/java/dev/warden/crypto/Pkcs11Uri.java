package dev.warden.crypto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A master key reference in the {@code pkcs11:} URI form of RFC 7512, parsed strictly:
 * {@code pkcs11:token=warden;object=warden-master?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin}.
 *
 * <p>Path attributes ({@code ;}-separated) Warden reads: {@code token} (the token label) and/or {@code slot-id}
 * (the PKCS#11 slot id) to choose the token, {@code object} (the key's label, CKA_LABEL; required) and
 * {@code type} (optional, must be {@code secret-key}). Query attributes ({@code &}-separated):
 * {@code module-path} (the PKCS#11 library; required), and exactly one of {@code pin-value} (the PIN itself)
 * or {@code pin-source} ({@code file:PATH}, whose content less a trailing newline is the PIN, or
 * {@code env:NAME}). Values are percent-decoded (UTF-8). Any other attribute, a repeated one or an empty value
 * is an error naming the attribute: a reference Warden does not fully understand is refused, never half-used.
 *
 * <p>Immutable. {@link #toString()} and every error message leave out {@code pin-value}.
 */
record Pkcs11Uri(String token, Long slotId, String object, String modulePath, String pinValue,
                        String pinSource) {

    static final String SCHEME = "pkcs11:";

    private static final int MAX_PIN_BYTES = 256;
    private static final Set<String> PATH_ATTRIBUTES = Set.of("token", "slot-id", "object", "type");
    private static final Set<String> QUERY_ATTRIBUTES = Set.of("module-path", "pin-value", "pin-source");
    // attributes RFC 7512 defines that Warden does not use to find a key: named in the error as unsupported
    private static final Set<String> RFC_UNSUPPORTED = Set.of("manufacturer", "serial", "model",
            "library-manufacturer", "library-description", "library-version", "slot-description",
            "slot-manufacturer", "id", "module-name");

    /**
     * Parses {@code text}, which starts with {@code pkcs11:}.
     *
     * @throws KeyException naming the attribute at fault, never the PIN
     */
    static Pkcs11Uri parse(String text) throws KeyException {
        if (text == null || !text.startsWith(SCHEME)) {
            throw new KeyException("master key: a PKCS#11 reference starts with " + SCHEME);
        }
        String rest = text.substring(SCHEME.length());
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q + 1);
        Map<String, String> attrs = new LinkedHashMap<>();
        read(path, ";", PATH_ATTRIBUTES, "path", attrs);
        read(query, "&", QUERY_ATTRIBUTES, "query", attrs);

        String object = attrs.get("object");
        if (object == null) {
            throw error("needs object= (the label of the AES key on the token)");
        }
        String type = attrs.get("type");
        if (type != null && !type.equals("secret-key")) {
            throw error("type=" + type + " is not a key Warden can use (the master key is type=secret-key)");
        }
        Long slotId = null;
        String slot = attrs.get("slot-id");
        if (slot != null) {
            try {
                slotId = Long.parseUnsignedLong(slot);
            } catch (NumberFormatException e) {
                throw error("slot-id=" + slot + " is not a decimal number");
            }
        }
        String token = attrs.get("token");
        if (token == null && slotId == null) {
            throw error("needs token= (the token label) or slot-id= to choose the token");
        }
        String module = attrs.get("module-path");
        if (module == null) {
            throw error("needs module-path= (the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)");
        }
        if (!module.startsWith("/") && !module.matches("[A-Za-z]:[\\\\/].*")) {
            throw error("module-path must be an absolute path (SunPKCS11 loads the library only by absolute path)");
        }
        if (module.indexOf('"') >= 0 || module.indexOf('\n') >= 0 || module.indexOf('\r') >= 0) {
            throw error("module-path holds a quote or a line break");
        }
        String pinValue = attrs.get("pin-value");
        String pinSource = attrs.get("pin-source");
        if (pinValue == null && pinSource == null) {
            throw error("needs pin-source= (file:PATH or env:NAME) or pin-value= for the token's user PIN");
        }
        if (pinValue != null && pinSource != null) {
            throw error("has both pin-value and pin-source; give one");
        }
        if (pinSource != null && !(pinSource.startsWith("file:") && pinSource.length() > 5)
                && !(pinSource.startsWith("env:") && pinSource.length() > 4)) {
            throw error("pin-source must be file:PATH or env:NAME");
        }
        return new Pkcs11Uri(token, slotId, object, module, pinValue, pinSource);
    }

    /**
     * The user PIN: {@code pin-value}, the content of {@code pin-source=file:PATH} less one trailing line
     * break, or the environment variable of {@code pin-source=env:NAME}. The caller wipes the array.
     */
    char[] pin(Map<String, String> env) throws KeyException {
        if (pinValue != null) return pinValue.toCharArray();
        if (pinSource.startsWith("env:")) {
            String value = env.get(pinSource.substring(4));
            if (value == null || value.isEmpty()) {
                throw new KeyException("master key " + this + ": environment variable " + pinSource.substring(4)
                        + " (pin-source) is not set or empty");
            }
            return value.toCharArray();
        }
        Path file = Path.of(pinSource.substring(5));
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_PIN_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new KeyException("master key " + this + ": PIN file " + file + " (pin-source) not found");
        } catch (IOException | RuntimeException e) {
            throw new KeyException("master key " + this + ": cannot read PIN file " + file + " (pin-source, "
                    + e.getClass().getSimpleName() + ")");
        }
        try {
            if (content.length > MAX_PIN_BYTES) {
                throw new KeyException("master key " + this + ": PIN file " + file + " (pin-source) is larger than "
                        + MAX_PIN_BYTES + " bytes");
            }
            int end = content.length;
            if (end > 0 && content[end - 1] == '\n') end--;
            if (end > 0 && content[end - 1] == '\r') end--;
            if (end == 0) {
                throw new KeyException("master key " + this + ": PIN file " + file + " (pin-source) is empty");
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(content, 0, end));
            char[] pin = new char[chars.remaining()];
            chars.get(pin);
            Arrays.fill(chars.array(), '\0');
            return pin;
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /** The canonical URI without {@code pin-value}: safe for messages, logs and {@code MasterKey.source()}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(SCHEME);
        List<String> path = new ArrayList<>();
        if (token != null) path.add("token=" + encode(token));
        if (slotId != null) path.add("slot-id=" + Long.toUnsignedString(slotId));
        path.add("object=" + encode(object));
        b.append(String.join(";", path)).append("?module-path=").append(encode(modulePath));
        if (pinSource != null) b.append("&pin-source=").append(encode(pinSource));
        return b.toString();
    }

    private static void read(String part, String separator, Set<String> known, String where,
                             Map<String, String> into) throws KeyException {
        if (part.isEmpty()) return;
        boolean afterPin = false;
        for (String attribute : part.split(separator, -1)) {
            int eq = attribute.indexOf('=');
            String name = eq < 0 ? attribute : attribute.substring(0, eq);
            if (afterPin && !known.contains(name)) {
                // a PIN holding the separator (unencoded '&') leaves its tail as the next "attribute": never echoed
                throw error("has an attribute Warden does not read after pin-value in its " + where + " (not echoed:"
                        + " it may be the end of a PIN holding '" + separator + "', which must be percent-encoded as "
                        + (separator.equals("&") ? "%26" : "%3B") + ")");
            }
            afterPin |= name.equals("pin-value");
            if (name.isEmpty()) {
                throw error("has an empty attribute in its " + where + " (a stray '" + separator + "'?)");
            }
            if (!name.matches("[a-z][a-z0-9-]{0,40}")) {
                // could be a pasted secret: not echoed
                throw error("has a malformed attribute name in its " + where + " (not echoed)");
            }
            if (!known.contains(name)) {
                if (known != PATH_ATTRIBUTES && PATH_ATTRIBUTES.contains(name)
                        || known != QUERY_ATTRIBUTES && QUERY_ATTRIBUTES.contains(name)) {
                    throw error("attribute " + name + " belongs in the " + (where.equals("path") ? "query" : "path")
                            + " (RFC 7512: path attributes before '?' separated by ';', query attributes"
                            + " after it separated by '&')");
                }
                if (RFC_UNSUPPORTED.contains(name)) {
                    throw error("attribute " + name + " is not supported (Warden reads token, slot-id, object,"
                            + " type, module-path, pin-source, pin-value)");
                }
                throw error("unknown attribute " + name + " (RFC 7512; Warden reads token, slot-id, object,"
                        + " type, module-path, pin-source, pin-value)");
            }
            if (eq < 0 || eq == attribute.length() - 1) {
                throw error("attribute " + name + " has no value");
            }
            if (into.containsKey(name)) {
                throw error("attribute " + name + " is given twice");
            }
            into.put(name, decode(name, attribute.substring(eq + 1)));
        }
    }

    private static String decode(String name, String value) throws KeyException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length() || Character.digit(value.charAt(i + 1), 16) < 0
                        || Character.digit(value.charAt(i + 2), 16) < 0) {
                    throw error("attribute " + name + " has a malformed percent-encoding (%XX expected)");
                }
                bytes.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw error("attribute " + name + " is not UTF-8 once percent-decoded");
        }
    }

    private static String encode(String value) {
        StringBuilder b = new StringBuilder();
        for (byte x : value.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/:".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    private static KeyException error(String what) {
        return new KeyException("master key: pkcs11: URI " + what);
    }
}
