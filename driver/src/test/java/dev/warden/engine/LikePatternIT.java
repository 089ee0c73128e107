package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.testkit.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.IntUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Warden's re-check of LIKE and ILIKE ({@link LikePattern}) gives PostgreSQL's answer for generated values and
 * patterns: wildcards, escapes (the default backslash, another character, none with {@code ESCAPE ''}), a pattern
 * ending with the escape, an escape of two characters (22025 on both sides), empty strings, and non-ASCII
 * characters with and without case; ILIKE with the folding of the test database's ctype.
 */
class LikePatternIT {

    private static Connection connection;
    private static IntUnaryOperator folding;

    private static synchronized Connection connection() throws SQLException {
        if (connection == null) {
            connection = EmbeddedPostgres.rawConnection(EmbeddedPostgres.freshDatabase());
            folding = ILikeFolding.of(connection);
        }
        return connection;
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.strings().withChars("aAbB _%\\!éÉßẞΣσςİı1").ofMaxLength(7);
    }

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.strings().withChars("aAb_%\\!éÉßΣσİı").ofMaxLength(6);
    }

    @Provide
    Arbitrary<String> escapes() {
        return Arbitraries.of("DEFAULT", "", "!", "a", "%", "!!");
    }

    @Property(tries = 400)
    void likeAndILikeAgreeWithPostgres(@ForAll("values") String value, @ForAll("patterns") String pattern,
                                       @ForAll("escapes") String escape) throws SQLException {
        boolean byDefault = escape.equals("DEFAULT");
        String sql = "SELECT ? LIKE ?" + (byDefault ? "" : " ESCAPE ?") + ", ? ILIKE ?" + (byDefault ? "" : " ESCAPE ?");
        String expected;
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            int i = 1;
            for (int k = 0; k < 2; k++) {
                ps.setString(i++, value);
                ps.setString(i++, pattern);
                if (!byDefault) ps.setString(i++, escape);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                expected = rs.getBoolean(1) + " " + rs.getBoolean(2);
            }
        } catch (SQLException e) {
            expected = "error " + e.getSQLState();
        }
        String actual;
        try {
            String esc = byDefault ? null : escape;
            actual = LikePattern.compile(pattern, esc, null).matches(value) + " "
                    + LikePattern.compile(pattern, esc, folding).matches(value);
        } catch (SQLException e) {
            actual = "error " + e.getSQLState();
        }
        assertEquals(expected, actual, "value " + value + " pattern " + pattern + " escape " + escape);
    }
}
