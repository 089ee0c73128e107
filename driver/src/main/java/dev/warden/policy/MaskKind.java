package dev.warden.policy;

/** How a masked value is shown. Stateless, thread-safe. */
public enum MaskKind {
    /** {@code j***@example.com}: first character of the local part and the domain kept. */
    EMAIL,
    /** Every character but the last four replaced by {@code *}. */
    LAST4,
    /** The whole value replaced by {@code ****}. */
    REDACT,
    /** Shown as SQL NULL. */
    NULL;

    /** REDACT's fixed output: the same for every value so that it does not reveal the length. */
    private static final String REDACTED = "****";

    /** The masked form of {@code plaintext} (never null unless this is NULL or plaintext is null). */
    public String apply(String plaintext) {
        if (plaintext == null) {
            return null;
        }
        switch (this) {
            case EMAIL:
                return maskEmail(plaintext);
            case LAST4:
                return maskAllButLast4(plaintext);
            case REDACT:
                return REDACTED;
            case NULL:
                return null;
            default:
                throw new AssertionError(this);
        }
    }

    private static String maskEmail(String value) {
        // lastIndexOf: a quoted local part may itself contain '@', the domain never does
        int at = value.lastIndexOf('@');
        if (at < 0) {
            return stars(value.codePointCount(0, value.length()));
        }
        int localChars = value.codePointCount(0, at);
        StringBuilder out = new StringBuilder(value.length());
        if (localChars > 0) {
            // counted in code points so that a surrogate pair is never split into half a character
            out.appendCodePoint(value.codePointAt(0));
            out.append("*".repeat(localChars - 1));
        }
        return out.append(value, at, value.length()).toString();
    }

    private static String maskAllButLast4(String value) {
        int chars = value.codePointCount(0, value.length());
        if (chars <= 4) {
            return stars(chars);
        }
        int keepFrom = value.offsetByCodePoints(0, chars - 4);
        return stars(chars - 4) + value.substring(keepFrom);
    }

    private static String stars(int count) {
        return "*".repeat(count);
    }
}
