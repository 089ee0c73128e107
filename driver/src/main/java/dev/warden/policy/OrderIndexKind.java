package dev.warden.policy;

/**
 * What a column's {@code order:} key asks for: whether Warden keeps an order-revealing index of the column in its
 * companion column {@code <column>_order}, and what the database may do with it. Kept as an enum rather than a
 * boolean because further kinds (an index the database can sort with) choose a different leakage per column.
 */
public enum OrderIndexKind {
    /** No order index: ranges, ORDER BY, MIN and MAX on the column are refused (encrypted) as before. */
    NONE,
    /**
     * {@code order: true} (or {@code order: filter}): the companion holds right ciphertexts of Lewi–Wu block ORE only
     * (option A of docs/order-index.md), which the database compares with a query's left ciphertext in
     * {@code warden.ore_compare}: ranges ({@code <, <=, >, >=, BETWEEN}), re-checked by Warden on decrypted values.
     */
    FILTER;

    /** True when the column keeps an order index of any kind. */
    public boolean any() {
        return this != NONE;
    }
}
