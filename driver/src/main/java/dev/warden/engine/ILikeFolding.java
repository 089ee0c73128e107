package dev.warden.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.function.IntUnaryOperator;

/**
 * How PostgreSQL folds case for ILIKE in the connected database, so that Warden's re-check of ILIKE on decrypted
 * values gives PostgreSQL's answer. The plaintext of a match column has no column collation of its own (the
 * column stores ciphertext), so the database's ctype decides: {@code C} and {@code POSIX} fold ASCII letters
 * only; other libc locales fold with the C library's {@code towlower}, which Unicode simple lower-casing
 * ({@link Character#toLowerCase(int)}) follows; Turkish and Azeri locales (dotted and dotless i) and an ICU
 * default locale provider (full case mapping, which may change a string's length) are refused. Stateless.
 */
final class ILikeFolding {

    private ILikeFolding() {}

    /** Null when ILIKE can be re-checked exactly on this database, else why not. */
    static String refusal(Connection connection) throws SQLException {
        String[] locale = locale(connection);
        String ctype = locale[0].toLowerCase(Locale.ROOT);
        if (locale[1] != null && !"c".equals(locale[1]) && !"b".equals(locale[1])) {
            return "ILIKE on a match column is refused on this database: its default locale provider is ICU, whose"
                    + " case mapping Warden does not reproduce exactly; use LIKE, or lower(...) in the application";
        }
        if (ctype.startsWith("tr") || ctype.startsWith("az")) {
            return "ILIKE on a match column is refused on this database: its ctype " + locale[0] + " folds i and I"
                    + " differently from other locales, which Warden does not reproduce; use LIKE";
        }
        return null;
    }

    /** The folding of this database's ctype (call {@link #refusal} first). */
    static IntUnaryOperator of(Connection connection) throws SQLException {
        String ctype = locale(connection)[0];
        return LikePattern.caseFolding("C".equals(ctype) || "POSIX".equals(ctype));
    }

    /** {ctype, locale provider or null on servers before 15}. */
    private static String[] locale(Connection connection) throws SQLException {
        boolean provider = connection.getMetaData().getDatabaseMajorVersion() >= 15;  // datlocprovider is new in 15
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT datctype, " + (provider ? "datlocprovider::text" : "NULL")
                     + " FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }
}
