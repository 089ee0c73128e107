package dev.warden.testkit;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Provide;

/**
 * The base of a property test holding LIKE and ILIKE on a match column to the plaintext twin ({@link LikeTwins}):
 * the generators, by the names a {@code @ForAll} asks for ({@code rows}, {@code operators}, {@code patterns},
 * {@code escapes}), and the check of one generated case. The driver's and the gateway's property tests extend it,
 * each with its own connections and its own {@code @Property}.
 */
public abstract class LikeTwinProperty {

    @Provide
    public Arbitrary<List<String>> rows() {
        return LikeTwins.rows();
    }

    @Provide
    public Arbitrary<String> patterns() {
        return LikeTwins.patterns();
    }

    @Provide
    public Arbitrary<String> escapes() {
        return LikeTwins.escapes();
    }

    @Provide
    public Arbitrary<String> operators() {
        return LikeTwins.operators();
    }

    /**
     * Asserts that {@code op pattern ESCAPE escape} through {@code warden} answers as on the twin, or is refused as
     * too short for the index; {@code how} says which path (e.g. "bound", "inline (simple protocol)").
     */
    protected static void assertAnswersAsTwin(Connection warden, Connection raw, List<String> rows, String op,
                                              String pattern, String escape, boolean inline, String how) {
        assertNull(LikeTwins.compare(warden, raw, op, pattern, escape, inline),
                op + " " + pattern + " ESCAPE " + escape + " " + how + ", on " + rows);
    }
}
