package dev.warden.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A protected table whose constraints make PostgreSQL echo row values in its errors: {@code members} with a
 * CHECK, NOT NULL, UNIQUE on a rules-only column ({@code ssn}, {@code encrypt: none}) and on an encrypted one
 * ({@code email}), an exclusion constraint on a rules-only column ({@code badge}), a foreign key from the
 * unprotected {@code visits}, and a trigger that raises a notice with the row's ssn (and an error with it
 * in every field when a row's tier is set to 42). One member is seeded through Warden; {@link #secrets()}
 * are its protected values as plaintext and as stored at rest, none of which may appear in any error.
 * One instance per test class (a fresh database and policy directory).
 */
public final class MembersExample {

    public static final String SSN = "731-55-8202";
    public static final String BADGE = "B-7731-XQ";
    public static final String EMAIL = "mia.wong@example.com";
    public static final String CARD = "5500111122223333";

    public static final String POLICY_RULES = """
            tables:
              members:
                ssn:
                  encrypt: none
                  read: { support: plaintext, analyst: masked }
                  mask: last4
                  write: [support]
                badge:
                  encrypt: none
                  read: { support: plaintext }
                  mask: redact
                  write: [support]
                email:
                  encrypt: deterministic
                  read: { support: plaintext }
                  mask: email
                  write: [support]
                card:
                  encrypt: randomized
                  type: text
                  read: { support: plaintext }
                  mask: last4
                  write: [support]
            """;

    public static final String SCHEMA = """
            CREATE TABLE clubs (id integer PRIMARY KEY);
            CREATE TABLE members (
                id    integer PRIMARY KEY,
                club_id integer REFERENCES clubs (id) ON UPDATE CASCADE,
                name  text NOT NULL,
                ssn   text NOT NULL UNIQUE,
                email bytea UNIQUE,
                card  text,
                tier  integer NOT NULL CONSTRAINT members_tier_check CHECK (tier < 100),
                badge text,
                CONSTRAINT members_badge_excl EXCLUDE USING btree (badge WITH =)
            );
            CREATE TABLE visits (
                id         serial PRIMARY KEY,
                member_ssn text NOT NULL CONSTRAINT visits_member_fk REFERENCES members (ssn),
                note       text
            );
            CREATE TABLE plain_scores (id integer PRIMARY KEY, score integer CHECK (score < 10));
            CREATE FUNCTION members_announce() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.tier = 42 THEN
                    RAISE EXCEPTION 'tier 42 refused for %', NEW.ssn
                        USING ERRCODE = '23514', DETAIL = 'ssn ' || NEW.ssn, HINT = 'badge ' || NEW.badge;
                END IF;
                RAISE NOTICE 'member % (%)', NEW.ssn, NEW.badge;
                RETURN NEW;
            END $$;
            CREATE TRIGGER members_announce BEFORE INSERT OR UPDATE ON members
                FOR EACH ROW EXECUTE FUNCTION members_announce();
            """;

    private final CustomersExample db;
    private final Path policyDirectory;
    private final List<String> secrets = new ArrayList<>();

    private MembersExample(CustomersExample db, Path policyDirectory) {
        this.db = db;
        this.policyDirectory = policyDirectory;
    }

    /** A fresh database with the customers example and {@code members}, and one member seeded through Warden. */
    public static MembersExample create() throws SQLException {
        CustomersExample db = CustomersExample.create();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute(SCHEMA);
        }
        Path dir = CustomersExample.newPolicyDirectoryWith("tables:\n", POLICY_RULES);
        MembersExample example = new MembersExample(db, dir);
        try (Connection c = example.as("support"); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO members (id, name, ssn, email, card, tier, badge) VALUES (1, 'Mia Wong', ?, ?, ?, 5, ?)")) {
            ps.setString(1, SSN);
            ps.setString(2, EMAIL);
            ps.setString(3, CARD);
            ps.setString(4, BADGE);
            ps.executeUpdate();
        }
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("INSERT INTO visits (member_ssn, note) VALUES ('" + SSN + "', 'first visit')");
            try (ResultSet rs = s.executeQuery("SELECT email, card FROM members WHERE id = 1")) {
                rs.next();
                byte[] email = rs.getBytes(1);
                String card = rs.getString(2);
                assertFalse(new String(email, java.nio.charset.StandardCharsets.ISO_8859_1).contains(EMAIL));
                assertFalse(card.contains(CARD));
                example.secrets.addAll(List.of(SSN, BADGE, EMAIL, CARD, card,
                        HexFormat.of().formatHex(email), HexFormat.of().formatHex(email).substring(0, 16)));
            }
        }
        example.secrets.addAll(List.of("731-55", "7731"));
        return example;
    }

    /** A Warden connection as {@code role} (support acts for customer-service). */
    public Connection as(String role) throws SQLException {
        return db.as(policyDirectory, role, role.equals("support") ? "customer-service" : null);
    }

    public Connection raw() throws SQLException {
        return db.raw();
    }

    /** The properties of a Warden connection as {@code role}, e.g. for the gateway's backend. */
    public Path policyDirectory() {
        return policyDirectory;
    }

    public CustomersExample database() {
        return db;
    }

    /**
     * The seeded member's protected values: ssn and badge (rules-only, plaintext at rest), email and card as
     * plaintext and as the ciphertext stored (hex of the bytea, the base64 text), and fragments of them.
     */
    public List<String> secrets() {
        return List.copyOf(secrets);
    }

    /** Fails when {@code text} holds any of the {@link #secrets()}. */
    public void assertNoSecret(String where, String text) {
        if (text == null) return;
        for (String secret : secrets) {
            assertFalse(text.contains(secret), () -> where + " reveals " + secret + ": " + text);
        }
    }

    /**
     * The audit trail of the policy directory as text, once it holds at least {@code statements} statement
     * events (the trail is written asynchronously).
     */
    public String awaitAuditTrail(int statements) throws Exception {
        String all = "";
        for (int attempt = 0; attempt < 100; attempt++) {
            List<Path> files = dev.warden.audit.AuditTrailFiles.expand(List.of(policyDirectory));
            long events = dev.warden.audit.AuditTrailReader.readFiles(files).stream()
                    .filter(e -> "statement".equals(e.event().type())).count();
            StringBuilder text = new StringBuilder();
            for (Path f : files) text.append(Files.readString(f));
            all = text.toString();
            if (events >= statements) return all;
            Thread.sleep(50);
        }
        throw new AssertionError("the audit trail holds fewer than " + statements + " statement events: " + all);
    }
}
