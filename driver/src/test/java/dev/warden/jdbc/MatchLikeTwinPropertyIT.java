package dev.warden.jdbc;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.LikeTwinProperty;
import dev.warden.testkit.LikeTwins;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * LIKE, NOT LIKE, ILIKE and NOT ILIKE on a match column through the driver give exactly the rows of the same
 * statement on a plaintext twin table, for jqwik-generated rows and patterns ({@link LikeTwins}): wildcards,
 * escapes (default, another character, none), empty strings, NULL values and patterns, Unicode with and without
 * case; pattern bound as a parameter and written inline. The only other outcome allowed is the refusal of a pattern
 * too short for the index.
 */
class MatchLikeTwinPropertyIT extends LikeTwinProperty {

    private static CustomersExample db;
    private static Path policy;
    private static Connection warden;
    private static Connection raw;

    private static synchronized void open() throws Exception {
        if (db != null) return;
        db = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(db);
        policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        warden = db.as(policy, "support", null);
        raw = db.raw();
        LikeTwins.createTwin(raw);
    }

    @Property(tries = 150)
    void answersAreThePlaintextTwins(@ForAll("rows") List<String> rows, @ForAll("operators") String op,
                                     @ForAll("patterns") String pattern, @ForAll("escapes") String escape)
            throws Exception {
        open();
        LikeTwins.write(warden, raw, rows);
        for (boolean inline : new boolean[] {false, true}) {
            assertAnswersAsTwin(warden, raw, rows, op, pattern, escape, inline, inline ? "inline" : "bound");
        }
    }
}
