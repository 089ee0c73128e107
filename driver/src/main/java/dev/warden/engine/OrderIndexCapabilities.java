package dev.warden.engine;

import dev.warden.crypto.OrderIndexSql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a database allows of order indexes that it sorts and indexes itself (docs/order-index.md, options B and C),
 * read from the catalog for the connected user: for {@code warden schema} to apply what it may and to say which
 * option it applied. The SQL functions ({@link OrderIndexSql#functions()}) need pgcrypto (installed, or available
 * and creatable: a superuser, or {@code CREATE} on the database for a trusted extension, PostgreSQL 13+) and the
 * right to create in the {@code warden} schema (or to create it); the btree operator class
 * ({@link OrderIndexSql#operatorClass()}) needs a superuser, unless one has installed it already.
 *
 * @param superuser              the connected user is a superuser ({@code rolsuper}); false on managed services
 * @param pgcryptoInstalled      pgcrypto is installed in this database
 * @param pgcryptoCreatable      pgcrypto is available on the server and this user may create it
 * @param schemaWritable         this user may create objects in schema {@code warden} (or create that schema)
 * @param functionsInstalled     the {@code warden.ore_block} type and its comparison function exist already, and
 *                               this user may use schema {@code warden}
 * @param operatorClassInstalled the btree operator class exists already (installed by a superuser)
 */
public record OrderIndexCapabilities(boolean superuser, boolean pgcryptoInstalled, boolean pgcryptoCreatable,
        boolean schemaWritable, boolean functionsInstalled, boolean operatorClassInstalled) {

    /** What the database gives an order-indexed column that stores left and right ciphertexts. */
    public enum Option {
        /** Option C: a btree index; ranges, ORDER BY ... LIMIT and MIN/MAX in O(log n) in the database. */
        INDEX,
        /** Option B: the functions only; ranges and MIN/MAX by sequential scan, no ORDER BY in the database. */
        FUNCTIONS,
        /** Neither: the functions cannot be created (no pgcrypto, or no right to create in schema warden). */
        NONE
    }

    // to_jsonb(..)->>'trusted': the column exists from PostgreSQL 13 on; before, no extension is trusted
    private static final String QUERY = """
            SELECT r.rolsuper,
                   EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgcrypto'),
                   EXISTS (SELECT 1 FROM pg_available_extension_versions v
                           WHERE v.name = 'pgcrypto'
                             AND (r.rolsuper OR (coalesce((to_jsonb(v) ->> 'trusted')::boolean, false)
                                  AND has_database_privilege(current_database(), 'CREATE')))),
                   CASE WHEN n.oid IS NULL THEN has_database_privilege(current_database(), 'CREATE')
                        ELSE has_schema_privilege(n.oid, 'CREATE') END,
                   coalesce(has_schema_privilege(n.oid, 'USAGE'), false)
                     AND EXISTS (SELECT 1 FROM pg_type t WHERE t.typname = 'ore_block' AND t.typnamespace = n.oid)
                     AND EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname = 'ore_block_cmp' AND p.pronamespace = n.oid),
                   EXISTS (SELECT 1 FROM pg_opclass c JOIN pg_am m ON m.oid = c.opcmethod
                           WHERE c.opcname = 'ore_block_ops' AND c.opcnamespace = n.oid AND m.amname = 'btree')
            FROM pg_roles r LEFT JOIN pg_namespace n ON n.nspname = 'warden'
            WHERE r.rolname = current_user""";

    /** Reads the capabilities of {@code connection}'s user in its database (catalog reads only). */
    public static OrderIndexCapabilities detect(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            if (!rs.next()) throw new SQLException("the connected user is not in pg_roles", "42704");
            return new OrderIndexCapabilities(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4),
                    rs.getBoolean(5), rs.getBoolean(6));
        }
    }

    /** The SQL functions exist or this user can create them. */
    public boolean functionsAvailable() {
        return functionsInstalled || (schemaWritable && (pgcryptoInstalled || pgcryptoCreatable));
    }

    /** The best option this database allows this user. */
    public Option option() {
        if (!functionsAvailable()) return Option.NONE;
        return operatorClassInstalled || superuser ? Option.INDEX : Option.FUNCTIONS;
    }

    private List<String> missing() {
        List<String> reasons = new ArrayList<>();
        if (!schemaWritable) reasons.add("no right to create in schema warden (GRANT CREATE ON SCHEMA warden, or on the database)");
        if (!pgcryptoInstalled && !pgcryptoCreatable) reasons.add("pgcrypto is not installed and this user cannot create it");
        return reasons;
    }

    /** One line for {@code warden schema}: the option and, when it is not the index, what would allow it. */
    public String describe() {
        return switch (option()) {
            case INDEX -> "order indexes: btree operator class " + (operatorClassInstalled ? "installed" : "can be installed (superuser)")
                    + ": ranges, ORDER BY ... LIMIT and MIN/MAX use an index";
            case FUNCTIONS -> "order indexes: SQL functions only (option B): ranges and MIN/MAX scan every row, ORDER BY is"
                    + " not done in the database; a superuser can install the btree operator class once (ore-index-opclass.sql)";
            case NONE -> "order indexes: not available: " + String.join("; ", missing());
        };
    }
}
