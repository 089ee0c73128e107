package dev.warden.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The SQL of order indexes that the database can sort and index (docs/order-index.md, options B and C): the
 * composite type {@value #TYPE} holding both halves of a value's {@link LewiWuBlockOre} ciphertext, its comparison
 * function, operators {@code < <= = >= >}, {@code warden.ore_min}/{@code warden.ore_max} aggregates
 * ({@code ore-index.sql}: a user with {@code CREATE} on the database, pgcrypto), and the btree operator class
 * ({@code ore-index-opclass.sql}: a superuser). Which of the two a database allows is
 * {@code dev.warden.engine.OrderIndexCapabilities}'s to find out.
 *
 * <h2>What is stored and bound</h2>
 * A stored value is {@code warden.ore_block(left, right)} of {@link OrderIndex#encrypt} (the constructor checks the
 * lengths, so a malformed value fails its write rather than every later comparison); a query's bound is
 * {@code warden.ore_bound(left)} of {@link OrderIndex#encryptLeft}, compared through {@link #operator}. Both halves are compared as
 * {@link LewiWuBlockOre#compare} does, except that two stored values first compare their left ciphertexts'
 * block values to find the first differing block and then unmask that one block only.
 *
 * <h2>Warning</h2>
 * Storing left ciphertexts reveals at rest the equality and order of all stored values and the first differing
 * byte of any two: only for columns whose policy opts in (see {@link LewiWuBlockOre}'s warning).
 *
 * <p>Stateless and thread-safe.
 */
public final class OrderIndexSql {
    /** The stored form's type. */
    public static final String TYPE = "warden.ore_block";
    /** The SQL expression of a stored value: bind its left, then its right ciphertext (bytea). */
    public static final String STORED_VALUE = "warden.ore_block(?, ?)";
    /** The SQL expression of a query's bound: bind its left ciphertext (bytea). */
    public static final String BOUND = "warden.ore_bound(?)";
    /** The comparison operators, each as {@link #operator} spells it. */
    public static final java.util.List<String> OPERATORS = java.util.List.of("<", "<=", "=", ">=", ">");
    /** The btree operator class, in the {@code warden} schema. */
    public static final String OPERATOR_CLASS = "ore_block_ops";

    private OrderIndexSql() {}

    /**
     * The schema-qualified operator, e.g. {@code OPERATOR(warden.<)}: always to be written so. A bare {@code <}
     * between two {@code warden.ore_block} values resolves, unless {@code warden} is on the search path, to
     * PostgreSQL's comparison of composite values ({@code record < record}), which compares the ciphertexts' bytes:
     * a wrong answer, not an error. ({@code ORDER BY col} needs no operator: it takes the type's default operator
     * class, which is Warden's once installed.)
     *
     * @throws IllegalArgumentException for anything but {@code < <= = >= >}
     */
    public static String operator(String comparison) {
        if (!OPERATORS.contains(comparison)) throw new IllegalArgumentException("no order operator " + comparison);
        return "OPERATOR(warden." + comparison + ")";
    }

    /** The type, functions, operators and aggregates: idempotent, no superuser needed. */
    public static String functions() {
        return resource("ore-index.sql");
    }

    /** The btree operator class (after {@link #functions()}): idempotent, superuser only. */
    public static String operatorClass() {
        return resource("ore-index-opclass.sql");
    }

    private static String resource(String name) {
        try (InputStream in = OrderIndexSql.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the driver jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
