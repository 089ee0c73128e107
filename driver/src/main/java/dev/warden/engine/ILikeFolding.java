package dev.warden.engine;

import dev.warden.crypto.MatchIndex;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntUnaryOperator;

/**
 * How PostgreSQL folds case for ILIKE in the connected database, read from the database itself, so that Warden's
 * re-check of ILIKE on decrypted values gives PostgreSQL's answer and the index tokens of a query never miss a row.
 *
 * <p>In a UTF8 database PostgreSQL evaluates {@code a ILIKE p} as {@code lower(a) LIKE lower(p)}, and {@code lower}
 * with the C library (libc locale provider) maps one code point to one ({@code towlower}; ASCII only for the C and
 * POSIX ctypes). That map depends on the database's ctype and on the server's C library (its Unicode version), not
 * on the JVM's: JDK 17 knows Unicode 13, glibc 2.36 Unicode 14 (U+A7C0 folds to U+A7C1 in the database, not in the
 * JVM); a Turkish ctype folds I to dotless ı. So the map is read from the database once per server and ctype
 * ({@code lower(chr(c)) <> chr(c)} for every code point: about 1,400 rows, 0.8 s on the server, once), and
 * {@link #applyAsInt} folds with it.
 *
 * <p>Index tokens. The match index was written with the JVM's fold ({@link MatchIndex#fold}). A pattern code point
 * {@code p} matches every value code point {@code x} with {@code lower(x) = lower(p)} in the database; the index
 * holds {@code MatchIndex.fold(x)} for it. A query token may use {@code p} only when all those {@code x} have the
 * same index fold ({@link #usableInIndex}); a trigram with any other code point is left out of the query (fewer
 * tokens, more candidates, all re-checked), or the pattern is refused when no trigram is left.
 *
 * <p>ICU default locales (full case mapping, which may change a string's length and depends on context) and
 * encodings other than UTF8 are refused. Immutable and thread-safe; the cache is shared by all engines.
 */
final class ILikeFolding implements IntUnaryOperator {

    /** The database's lower-case map where it changes a code point (cast as PostgreSQL's chr accepts them). */
    static final String LOWER_MAP_QUERY = "SELECT c, pg_catalog.lower(pg_catalog.chr(c)) FROM"
            + " pg_catalog.generate_series(1, 1114111) c WHERE (c < 55296 OR c > 57343)"
            + " AND pg_catalog.lower(pg_catalog.chr(c)) <> pg_catalog.chr(c)";

    /** By server (URL) and ctype: the map is the same for every database of one ctype on one server. */
    private static final Map<String, ILikeFolding> BY_SERVER = new ConcurrentHashMap<>();
    /** By connection, so that a statement costs no query (a connection's database never changes). */
    private static final Map<Connection, Object> BY_CONNECTION = Collections.synchronizedMap(new WeakHashMap<>());

    private final int[] from;        // sorted code points that lower() changes
    private final int[] to;          // lower() of each
    private final int[] unusable;    // sorted code points a query token must not use

    private ILikeFolding(int[] from, int[] to) {
        this.from = from;
        this.to = to;
        this.unusable = unusable(from, to);
    }

    /**
     * The folding of this connection's database, or a refusal (0A000) saying why ILIKE cannot be answered exactly
     * on it. Reads the database's map on first use per server and ctype.
     */
    static ILikeFolding of(Connection connection) throws SQLException {
        Object known = BY_CONNECTION.get(connection);
        if (known == null) {
            known = read(connection);
            BY_CONNECTION.put(connection, known);
        }
        if (known instanceof String refusal) throw SqlStates.unsupported(refusal);
        return (ILikeFolding) known;
    }

    /** An ILikeFolding, or a refusal message. */
    private static Object read(Connection connection) throws SQLException {
        boolean provider = connection.getMetaData().getDatabaseMajorVersion() >= 15;  // datlocprovider is new in 15
        String ctype;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT datctype, " + (provider ? "datlocprovider::text" : "NULL")
                     + ", pg_catalog.pg_encoding_to_char(encoding) FROM pg_catalog.pg_database"
                     + " WHERE datname = pg_catalog.current_database()")) {
            rs.next();
            ctype = rs.getString(1);
            String localeProvider = rs.getString(2);
            if (localeProvider != null && !"c".equals(localeProvider)) {
                return "ILIKE on a match column is refused on this database: its default locale provider is ICU,"
                        + " whose case mapping (full, context-dependent) Warden does not reproduce exactly; use LIKE,"
                        + " or lower(...) in the application";
            }
            if (!"UTF8".equals(rs.getString(3))) {
                return "ILIKE on a match column is refused on this database: its encoding is " + rs.getString(3)
                        + ", and Warden reproduces ILIKE's case folding only for UTF8 databases; use LIKE";
            }
        }
        String key = connection.getMetaData().getURL() + '\u0000' + ctype;
        ILikeFolding cached = BY_SERVER.get(key);
        if (cached != null) return cached;
        TreeMap<Integer, Integer> map = new TreeMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(LOWER_MAP_QUERY)) {
            while (rs.next()) {
                String lower = rs.getString(2);
                if (lower.codePointCount(0, lower.length()) != 1) {
                    return "ILIKE on a match column is refused on this database: its lower() maps a character to"
                            + " several, which Warden does not reproduce exactly; use LIKE";
                }
                map.put(rs.getInt(1), lower.codePointAt(0));
            }
        }
        int[] from = new int[map.size()];
        int[] to = new int[map.size()];
        int i = 0;
        for (Map.Entry<Integer, Integer> e : map.entrySet()) {
            from[i] = e.getKey();
            to[i++] = e.getValue();
        }
        ILikeFolding folding = new ILikeFolding(from, to);
        BY_SERVER.putIfAbsent(key, folding);
        return folding;
    }

    /** A folding from a known map (tests). */
    static ILikeFolding ofMap(int[] from, int[] to) {
        return new ILikeFolding(from.clone(), to.clone());
    }

    /** The database's {@code lower()} of one code point. */
    @Override
    public int applyAsInt(int c) {
        int i = Arrays.binarySearch(from, c);
        return i < 0 ? c : to[i];
    }

    /**
     * Whether a query token may hold {@code c} (as {@link MatchIndex#fold}{@code (c)}): every code point the database
     * folds as it folds {@code c} has that same index fold, so a row whose value matches {@code c} holds the token.
     */
    boolean usableInIndex(int c) {
        return Arrays.binarySearch(unusable, c) < 0;
    }

    /**
     * The code points whose class under the database's fold (the code points with the same lower()) has more than
     * one index fold. Only classes of more than one member can: those of the map's targets.
     */
    private static int[] unusable(int[] from, int[] to) {
        Map<Integer, List<Integer>> classes = new TreeMap<>();
        for (int i = 0; i < from.length; i++) classes.computeIfAbsent(to[i], k -> new ArrayList<>()).add(from[i]);
        List<Integer> out = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : classes.entrySet()) {
            int target = e.getKey();
            List<Integer> members = new ArrayList<>(e.getValue());
            // the target is its own lower() unless the map changes it too (then it is in another class)
            if (Arrays.binarySearch(from, target) < 0) members.add(target);
            int fold = MatchIndex.fold(members.get(0));
            boolean same = true;
            for (int m : members) same &= MatchIndex.fold(m) == fold;
            if (!same) out.addAll(members);
        }
        return out.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    }
}
