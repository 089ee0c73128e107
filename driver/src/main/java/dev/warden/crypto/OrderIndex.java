package dev.warden.crypto;

/**
 * The order index of one column ({@code order: true}): the order-revealing ciphertexts stored in its companion
 * column {@code <column>_order} for a value, and the left ciphertext a query's bound is sent as. Values are
 * encoded by {@link OrderEncoding} for the column's type and encrypted by {@link LewiWuBlockOre} under the
 * column's own keys ({@link WardenKeyset#orderIndex}).
 *
 * <h2>Security guarantees</h2>
 * See {@link LewiWuBlockOre}: a stored right ciphertext alone reveals nothing but its (fixed) length; each query
 * bound (a left ciphertext) reveals its order relative to every row it is compared with, and the first
 * differing byte of the encodings. Storing the left ciphertext too (needed for ORDER BY or an index in the
 * database) reveals the order of all stored values: see docs/order-index.md for the options.
 *
 * <h2>Warning</h2>
 * TEXT orders by a prefix ({@link OrderEncoding#TEXT_BYTES} bytes of UTF-8, "C" collation): ties of the index
 * are not ties of the values, and Warden must re-check on decrypted values ({@link #isExact}).
 *
 * <p>Immutable and thread-safe.
 */
public final class OrderIndex {
    /** What the column's keys are derived from, with the key's role and the column's name appended. */
    static final String KEY_LABEL = "warden-order/1:";

    private final LogicalType type;
    private final LewiWuBlockOre ore;

    OrderIndex(LogicalType type, LewiWuBlockOre ore) {
        this.type = type;
        this.ore = ore;
    }

    /** The column's type. */
    public LogicalType type() {
        return type;
    }

    /** False for TEXT: equal index values may be different values (a shared prefix). */
    public boolean isExact() {
        return OrderEncoding.isExact(type);
    }

    /** The left and (randomized) right ciphertexts of {@code value}, what a write stores. */
    public LewiWuBlockOre.Ciphertexts encrypt(Object value) {
        return ore.encrypt(OrderEncoding.encode(type, value));
    }

    /** The (deterministic) left ciphertext of {@code value}, what a query's bound is sent as. */
    public byte[] encryptLeft(Object value) {
        return ore.encryptLeft(OrderEncoding.encode(type, value));
    }

    /**
     * The left ciphertext of {@code value} read as a value of {@code as}, a type of the same encoded width as the
     * column's (an INTEGER column's bound may be any BIGINT: both share one encoding).
     *
     * @throws IllegalArgumentException when {@code as} has another width
     */
    public byte[] encryptLeftAs(LogicalType as, Object value) {
        if (OrderEncoding.width(as) != OrderEncoding.width(type)) {
            throw new IllegalArgumentException(as + " bounds do not compare with a " + type + " order index");
        }
        return ore.encryptLeft(OrderEncoding.encode(as, value));
    }

    /** Bytes of a left ciphertext of this column. */
    public int leftSize() {
        return LewiWuBlockOre.leftSize(ore.blocks());
    }

    /** Bytes of a right ciphertext of this column. */
    public int rightSize() {
        return LewiWuBlockOre.rightSize(ore.blocks());
    }

    @Override
    public String toString() {
        return "OrderIndex[" + type + ", " + ore + "]";
    }
}
