package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.policy.MaskKind;
import dev.warden.policy.Policy;
import dev.warden.policy.PolicyLoader;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code warden discover} on a seeded schema: every planted kind of personal data is found in its column, with
 * deterministic encryption proposed where rows are looked up by the column, and no seeded value appears in
 * anything the command writes (stdout, stderr, the proposed policy).
 */
class DiscoverCommandIT {

    static final String[] NAMES = {"Chan Tai Man", "Wong Siu Ming", "Lee Ka Yan", "Cheung Mei Ling"};
    static final String[] EMAILS = {"tai.man@example.com.hk", "siuming@example.org", "kayan.lee@example.net",
            "meiling@example.com"};
    static final String[] HK_PHONES = {"+852 9123 4567", "+852 6234 5678", "5345 6789", "+85221234567"};
    static final String[] HKIDS = {"A123456(3)", "AB987654(3)", "Z683365(A)", "R1111115"};
    static final String[] PASSPORTS = {"K12345678", "H87654321", "E11223344", "K99887766"};
    static final String[] ADDRESSES = {"Flat 12A, 88 Nathan Road, Tsim Sha Tsui", "3/F, 1 Queen's Road Central",
            "Room 501, 23 Shing Yip Street, Kwun Tong", "House 7, Sai Kung Road"};
    static final String[] CARDS = {"4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "6011111111111117"};
    static final String[] IBANS = {"GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
            "FR14 2004 1010 0505 0001 3M02 606", "GB82WEST12345698765432"};
    static final String[] WORLD_PHONES = {"+44 20 7946 0958", "+1 (415) 555-2671", "+61412345678", "+33 1 23 45 67 89"};
    static final String[] DATES = {"1980-02-29", "1975-07-01", "1990-12-31", "2001-06-15"};
    static final String[] NOTES = {"prefers e-mail", "VIP since 2019", "call after 6pm", "no marketing"};

    static String url;

    @BeforeAll
    static void seed() throws Exception {
        url = EmbeddedPostgres.freshDatabase();
        try (Connection c = EmbeddedPostgres.rawConnection(url); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE people (
                        id serial PRIMARY KEY, full_name text, email text UNIQUE, mobile varchar(32), hkid text,
                        passport_no text, dob date, home_address text, notes text, score integer);
                    CREATE INDEX people_hkid ON people (hkid);
                    CREATE TABLE payments (
                        id serial PRIMARY KEY, person_id integer REFERENCES people (id), card text, iban text,
                        contact_phone text)""");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO people (full_name, email, mobile, hkid,"
                    + " passport_no, dob, home_address, notes, score) VALUES (?, ?, ?, ?, ?, ?::date, ?, ?, ?)");
                 PreparedStatement q = c.prepareStatement("INSERT INTO payments (person_id, card, iban, contact_phone)"
                         + " VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < NAMES.length; i++) {
                    p.setString(1, NAMES[i]);
                    p.setString(2, EMAILS[i]);
                    p.setString(3, HK_PHONES[i]);
                    p.setString(4, HKIDS[i]);
                    p.setString(5, PASSPORTS[i]);
                    p.setString(6, DATES[i]);
                    p.setString(7, ADDRESSES[i]);
                    p.setString(8, NOTES[i]);
                    p.setInt(9, i);
                    p.executeUpdate();
                    q.setInt(1, i + 1);
                    q.setString(2, CARDS[i]);
                    q.setString(3, IBANS[i]);
                    q.setString(4, WORLD_PHONES[i]);
                    q.executeUpdate();
                }
            }
        }
    }

    private record Run(int code, String out, String err) {}

    static Run warden(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new WardenCommand());
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    /** Every seeded value, as written and (for numbers) as its digits alone. */
    static List<String> seededValues() {
        List<String> all = new ArrayList<>();
        for (String[] kind : new String[][] {NAMES, EMAILS, HK_PHONES, HKIDS, PASSPORTS, ADDRESSES, CARDS, IBANS,
                WORLD_PHONES, DATES, NOTES}) {
            for (String v : kind) {
                all.add(v);
                String digits = v.replaceAll("[^0-9]", "");
                if (digits.length() >= 6) all.add(digits);
                String compact = v.replace(" ", "");
                if (!compact.equals(v)) all.add(compact);
            }
        }
        return all;
    }

    static void assertNoSeededValue(String where, String text) {
        for (String v : seededValues()) assertFalse(text.contains(v), where + " holds a seeded value");
    }

    @Test
    void findsEachPlantedKindAndPrintsNoValue() throws Exception {
        Path dir = Files.createTempDirectory("warden-discover");
        Path out = dir.resolve("policy.yaml");
        Run run = warden("discover", "--url", url, "--user", EmbeddedPostgres.USER, "--schema", "public",
                "--sample", "100", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        String yaml = Files.readString(out);
        assertNoSeededValue("stdout", run.out());
        assertNoSeededValue("stderr", run.err());
        assertNoSeededValue("the proposed policy", yaml);

        String[][] expected = {{"people.full_name", "name"}, {"people.email", "email"}, {"people.mobile", "phone"},
                {"people.hkid", "hkid"}, {"people.passport_no", "passport"}, {"people.dob", "date-of-birth"},
                {"people.home_address", "address"}, {"payments.card", "card-number"}, {"payments.iban", "iban"},
                {"payments.contact_phone", "phone"}};
        for (String[] e : expected) {
            assertTrue(run.out().matches("(?s).*\\n  " + e[0].replace(".", "\\.") + " +" + e[1] + " .*"),
                    e[0] + " as " + e[1] + " in:\n" + run.out());
        }
        assertTrue(run.out().matches("(?s).*people\\.email +email +100% of 4 sampled values; unique index.*"),
                run.out());
        assertTrue(run.out().matches("(?s).*people\\.dob +date-of-birth +by column name.*"), run.out());
        assertFalse(run.out().contains("people.notes") || run.out().contains("people.score")
                || run.out().contains("payments.person_id"), run.out());
        assertTrue(run.out().startsWith("scanned 2 table(s), 15 column(s): 10 column(s) with personal data"), run.out());

        // the proposal is a policy Warden loads, with a rule per finding
        Policy policy = PolicyLoader.load(out.toString());
        assertEquals(10, policy.columns().size());
        assertEquals(Encryption.DETERMINISTIC, rule(policy, "people", "email").encryption(), "unique: looked up");
        assertEquals(Encryption.DETERMINISTIC, rule(policy, "people", "hkid").encryption(), "indexed: looked up");
        assertEquals(Encryption.RANDOMIZED, rule(policy, "payments", "card").encryption());
        assertEquals(MaskKind.EMAIL, rule(policy, "people", "email").mask());
        assertEquals(MaskKind.LAST4, rule(policy, "payments", "card").mask());
        assertEquals(MaskKind.REDACT, rule(policy, "people", "hkid").mask());
        assertEquals(dev.warden.policy.ColumnType.DATE, rule(policy, "people", "dob").type());
        assertTrue(yaml.contains("# stored as date today: change it to text or bytea"), yaml);

        // policy check takes the proposal as it is and says what is left to do, with lines: exit 1, not a usage error
        Run checked = warden("policy", "check", "--policy", out.toString(), "--url", url, "--user", EmbeddedPostgres.USER);
        assertEquals(1, checked.code(), checked.out() + checked.err());
        assertTrue(checked.out().contains(out + ": error: keyset " + dir.resolve("warden-keyset.json")
                + ": does not exist (create it: warden keys create"), checked.out());
        assertTrue(checked.out().matches("(?s).*" + java.util.regex.Pattern.quote(out.toString())
                + ":\\d+: error: people\\.dob is of type date in the database.*"), checked.out());
        assertNoSeededValue("policy check", checked.out() + checked.err());

        // without --out the proposal goes to stdout (valid YAML on its own) and the findings to stderr
        Run piped = warden("discover", "--url", url, "--user", EmbeddedPostgres.USER);
        assertEquals(0, piped.code(), piped.err());
        assertNoSeededValue("stdout", piped.out());
        assertNoSeededValue("stderr", piped.err());
        assertTrue(piped.err().contains("payments.iban"), piped.err());
        assertEquals(10, PolicyLoader.parse(piped.out(), "stdout", dir).columns().size());
    }

    @Test
    void usageAndConnectionErrorsExitWithTwo() {
        assertEquals(2, warden("discover", "--url", url, "--password", "secret").code());
        assertEquals(2, warden("discover", "--url", "jdbc:warden:" + url.substring(5)).code());
        Run refused = warden("discover", "--url", "jdbc:postgresql://127.0.0.1:1/none", "--user", "x");
        assertEquals(2, refused.code());
        assertTrue(refused.err().startsWith("warden discover: cannot read the database"), refused.err());
    }

    private static ColumnRule rule(Policy policy, String table, String column) {
        return policy.column(null, table, column).orElseThrow(() -> new AssertionError(table + "." + column));
    }
}
