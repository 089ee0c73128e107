package dev.warden.crypto;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Order-preserving encodings of column values into fixed-length byte strings compared as unsigned big-endian
 * strings: what {@link LewiWuBlockOre} encrypts. Values are first brought to {@link ValueCodec}'s canonical
 * form (the same conversions as encryption), then:
 * <ul>
 * <li>INTEGER, BIGINT: 8 bytes, the value as a 64-bit two's complement with the sign bit flipped
 *     ({@code Long.MIN_VALUE} encodes as all zeros, {@code Long.MAX_VALUE} as all ones). INTEGER shares
 *     BIGINT's encoding, so a bound of either type compares with a column of either.</li>
 * <li>DATE: 8 bytes, the epoch day (proleptic Gregorian, year 0 = 1 BC, as PostgreSQL) sign-flipped.</li>
 * <li>TIMESTAMP: 8 bytes, microseconds since 1970-01-01T00:00 sign-flipped.</li>
 * <li>NUMERIC: {@value #NUMERIC_BYTES} bytes: a class byte (1 negative, 2 zero, 3 positive), then for non-zero
 *     values the decimal exponent {@code e} of {@code 0.d_1d_2... × 10^e} ({@code d_1 ≠ 0}) biased by 128 in one
 *     byte, then up to {@value #NUMERIC_DIGITS} significant digits, two per byte (packed BCD), zero-padded;
 *     for negatives every byte after the class byte is complemented, so a larger magnitude sorts lower.
 *     Trailing zeros are stripped first, so 1.5 and 1.50 encode equal (PostgreSQL compares them equal). Exact
 *     and injective inside its limits: at most {@value #NUMERIC_DIGITS} significant digits and
 *     {@code -128 <= e <= 127}; anything else is refused ({@link IllegalArgumentException}, naming no value),
 *     because a rounded encoding would order wrongly under LIMIT.</li>
 * <li>TEXT: the first {@value #TEXT_BYTES} bytes of the UTF-8 form, zero-padded. Byte order of UTF-8 is code
 *     point order, which is PostgreSQL's order only under the "C" (or "POSIX") collation, not
 *     under a linguistic (libc or ICU) one; and values sharing their first {@value #TEXT_BYTES} bytes encode equal, so the order is a
 *     prefix order: {@code x < y} implies {@code enc(x) <= enc(y)}. Exact answers need Warden to re-check and
 *     sort ties on decrypted values (see docs/order-index.md for the options). Zero padding is sound because
 *     PostgreSQL text cannot contain U+0000: a shorter value sorts first exactly as in "C".</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class OrderEncoding {
    /** Encoded length of INTEGER, BIGINT, DATE and TIMESTAMP values. */
    public static final int FIXED_BYTES = 8;
    /** Encoded length of NUMERIC values. */
    public static final int NUMERIC_BYTES = LewiWuBlockOre.MAX_BLOCKS;
    /** Significant decimal digits a NUMERIC may have (two per byte after the class and exponent bytes). */
    public static final int NUMERIC_DIGITS = 2 * (NUMERIC_BYTES - 2);
    /** Encoded length of TEXT values: the prefix that orders. */
    public static final int TEXT_BYTES = LewiWuBlockOre.MAX_BLOCKS;

    private OrderEncoding() {}

    /** The encoded length of values of {@code type}. @throws IllegalArgumentException for BYTES */
    public static int width(LogicalType type) {
        return switch (type) {
            case INTEGER, BIGINT, DATE, TIMESTAMP -> FIXED_BYTES;
            case NUMERIC -> NUMERIC_BYTES;
            case TEXT -> TEXT_BYTES;
            case BYTES -> throw new IllegalArgumentException("bytea has no order index");
        };
    }

    /** True when equal encodings mean equal values (every type but TEXT, whose encoding is a prefix). */
    public static boolean isExact(LogicalType type) {
        return type != LogicalType.TEXT;
    }

    /**
     * The encoding of {@code value} (non-null) as a value of {@code type}.
     *
     * @throws IllegalArgumentException when the value is not of the type, or a NUMERIC outside the limits
     */
    public static byte[] encode(LogicalType type, Object value) {
        byte[] canonical = ValueCodec.encode(type, value);
        return switch (type) {
            case BIGINT, DATE, TIMESTAMP -> signFlipped(AesBlocks.longAt(canonical, 0));
            case INTEGER -> signFlipped(((canonical[0] << 24) | ((canonical[1] & 0xff) << 16)
                    | ((canonical[2] & 0xff) << 8) | (canonical[3] & 0xff)));
            case NUMERIC -> numeric(new BigDecimal(new String(canonical, StandardCharsets.US_ASCII)));
            case TEXT -> Arrays.copyOf(canonical, TEXT_BYTES);
            case BYTES -> throw new IllegalArgumentException("bytea has no order index");
        };
    }

    private static byte[] signFlipped(long value) {
        long flipped = value ^ Long.MIN_VALUE;
        byte[] out = new byte[FIXED_BYTES];
        for (int i = 0; i < FIXED_BYTES; i++) out[i] = (byte) (flipped >>> (56 - 8 * i));
        return out;
    }

    private static byte[] numeric(BigDecimal value) {
        byte[] out = new byte[NUMERIC_BYTES];
        int sign = value.signum();
        if (sign == 0) {
            out[0] = 2;
            return out;
        }
        BigDecimal magnitude = value.abs().stripTrailingZeros();
        String digits = magnitude.unscaledValue().toString();
        // magnitude = digits × 10^-scale = 0.digits × 10^(length - scale)
        long exponent = (long) digits.length() - magnitude.scale();
        if (digits.length() > NUMERIC_DIGITS || exponent < -128 || exponent > 127) {
            throw new IllegalArgumentException("numeric value outside the order index's range (at most "
                    + NUMERIC_DIGITS + " significant digits, magnitude below 1e127 and at least 1e-129)");
        }
        out[0] = (byte) (sign < 0 ? 1 : 3);
        out[1] = (byte) (exponent + 128);
        for (int d = 0; d < digits.length(); d++) {
            int digit = digits.charAt(d) - '0';
            out[2 + d / 2] |= (byte) (d % 2 == 0 ? digit << 4 : digit);
        }
        if (sign < 0) for (int i = 1; i < NUMERIC_BYTES; i++) out[i] = (byte) ~out[i];
        return out;
    }

    /** Unsigned lexicographic order of two encodings, as the ORE compares them; for tests and re-checks. */
    public static int compare(byte[] a, byte[] b) {
        return Integer.signum(Arrays.compareUnsigned(a, b));
    }
}
