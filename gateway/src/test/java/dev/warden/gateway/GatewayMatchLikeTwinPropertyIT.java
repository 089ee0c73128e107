package dev.warden.gateway;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.LikeTwinProperty;
import dev.warden.testkit.LikeTwins;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * LIKE and ILIKE on a match column through the gateway give the plaintext twin's rows for jqwik-generated rows and
 * patterns ({@link LikeTwins}): the pattern as a parameter in the extended protocol, and written inline in the
 * simple protocol (pgjdbc's preferQueryMode=simple), so that both of the gateway's paths are held to the oracle.
 */
class GatewayMatchLikeTwinPropertyIT extends LikeTwinProperty {

    private static CustomersExample example;
    private static PolicyGateway gateway;
    private static Connection extended;
    private static Connection simple;
    private static Connection raw;

    private static synchronized void open() throws Exception {
        if (example != null) return;
        example = CustomersExample.create();
        MatchColumnsExample.addNicknameAndCompanions(example);
        Path policy = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        gateway = PolicyGateway.start(example.wardenUrl(), policy, 4,
                PolicyGateway.user("sam", "support", "customer-service"));
        extended = gateway.connect("sam", false);
        simple = gateway.connect("sam", true);
        raw = example.raw();
        LikeTwins.createTwin(raw);
    }

    @AfterContainer
    static void close() throws Exception {
        for (Connection c : new Connection[] {extended, simple, raw}) if (c != null) c.close();
        if (gateway != null) gateway.close();
    }

    @Property(tries = 80)
    void answersAreThePlaintextTwins(@ForAll("rows") List<String> rows, @ForAll("operators") String op,
                                     @ForAll("patterns") String pattern, @ForAll("escapes") String escape)
            throws Exception {
        open();
        LikeTwins.write(extended, raw, rows);
        assertAnswersAsTwin(extended, raw, rows, op, pattern, escape, false, "bound");
        assertAnswersAsTwin(simple, raw, rows, op, pattern, escape, true, "inline (simple protocol)");
    }
}
