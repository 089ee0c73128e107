package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.MatchColumnsExample;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * {@code warden policy check} against a real PostgreSQL: exit 0 on the example's clean setup (the superuser
 * warned about, not failed), exit 1 naming the policy line for a missing column, plaintext left in an encrypted
 * column (counted, never shown) and a missing companion, exit 2 for usage and connection errors.
 */
class PolicyCheckCommandIT {

    private static final String LEFT_BEHIND = "left.behind@example.com";

    record Run(int code, String out, String err) {}

    static Run warden(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new WardenCommand());
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    static Run check(Path dir, CustomersExample db, String... extra) {
        String[] base = {"policy", "check", "--policy", dir.resolve("policy.yaml").toString(), "--url", db.rawUrl(),
                "--user", EmbeddedPostgres.USER, "--master-key", "file:" + dir.resolve("demo-master-key.txt")};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return warden(all);
    }

    /** Rows written through Warden: every protected value is ciphertext. */
    static void customersWrittenThroughWarden(CustomersExample db, Path dir) throws Exception {
        try (Connection c = db.as(dir, "support", "customer-service");
             PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)")) {
            for (int i = 0; i < 3; i++) {
                ps.setString(1, "c" + i);
                ps.setString(2, "c" + i + "@example.com");
                ps.setString(3, "+852 9123 456" + i);
                ps.executeUpdate();
            }
        }
    }

    @Test
    void cleanSetupExitsZeroWithTheSuperuserWarned() throws Exception {
        CustomersExample db = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectory();
        customersWrittenThroughWarden(db, dir);
        Run run = check(dir, db, "--full");
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("policy.yaml: warning: the database user 'postgres' is a superuser"), run.out());
        assertTrue(run.out().contains("OK: 0 error(s), 1 warning(s); encrypted columns' values checked in all rows"
                + " of each (5 column(s))"), run.out());
    }

    @Test
    void brokenSetupExitsOneNamingThePolicyLines() throws Exception {
        CustomersExample db = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectory();
        customersWrittenThroughWarden(db, dir);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers DROP COLUMN phone");
            // what a migration that forgot Warden leaves behind: a plaintext value in an encrypted column
            s.execute("INSERT INTO customers (name, email) VALUES ('x', convert_to('" + LEFT_BEHIND + "', 'UTF8'))");
            s.execute("ALTER TABLE customers ALTER COLUMN credit_limit TYPE numeric USING NULL");
        }
        Run run = check(dir, db);
        assertEquals(1, run.code(), run.out() + run.err());
        String policy = dir.resolve("policy.yaml").toString();
        assertTrue(run.out().contains(policy + ":18: error: customers.phone: no such column in table customers"),
                run.out());
        assertTrue(run.out().contains(policy + ":12: error: customers.email: 1 value(s) in all 4 rows are not"
                + " ciphertext under the keyset (plaintext left behind?)"), run.out());
        assertTrue(run.out().matches("(?s).*" + java.util.regex.Pattern.quote(policy) + ":\\d+: error:"
                + " customers.credit_limit is of type numeric in the database.*"), run.out());
        assertTrue(run.out().contains("FAILED: 3 error(s), 1 warning(s)"), run.out());
        assertFalse(run.out().contains(LEFT_BEHIND) || run.err().contains(LEFT_BEHIND), "a value printed");
    }

    @Test
    void aMissingCompanionIsAFinding() throws Exception {
        CustomersExample db = CustomersExample.create();
        MatchColumnsExample.addNickname(db);
        Path dir = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        Run run = check(dir, db);
        assertEquals(1, run.code(), run.out() + run.err());
        assertTrue(run.out().contains(":7: error: customers.email has match: true but its companion"
                + " customers.email_match is missing: run warden schema --apply"), run.out());
        assertTrue(run.out().contains("customers.nickname_match is missing"), run.out());

        MatchColumnsExample.addNicknameCompanionsOnly(db);
        Run fixed = check(dir, db);
        assertEquals(0, fixed.code(), fixed.out() + fixed.err());
    }

    @Test
    void usageAndConnectionErrorsExitWithTwo() throws Exception {
        CustomersExample db = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectory();
        assertEquals(2, warden("policy", "check", "--policy", dir.resolve("nothing.yaml").toString(), "--url",
                db.rawUrl()).code());
        assertEquals(2, check(dir, db, "--password", "plain-secret").code());
        Run wrongKey = warden("policy", "check", "--policy", dir.resolve("policy.yaml").toString(), "--url",
                db.rawUrl(), "--master-key", "env:WARDEN_TEST_NO_SUCH_VARIABLE");
        assertEquals(2, wrongKey.code(), wrongKey.err());
        Run unreachable = warden("policy", "check", "--policy", dir.resolve("policy.yaml").toString(), "--url",
                "jdbc:postgresql://127.0.0.1:1/none", "--master-key", "file:" + dir.resolve("demo-master-key.txt"));
        assertEquals(2, unreachable.code());
        assertTrue(unreachable.err().startsWith("warden policy check: cannot read the database"), unreachable.err());
    }
}
