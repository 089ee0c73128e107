package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.MembersExample;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Issue 10, class 2: errors and notices of the database carry row values ({@code Failing row contains (...)},
 * {@code Key (ssn)=(...)}, a trigger's {@code RAISE}), and pgjdbc's batch exceptions the failed entry's values.
 * Through Warden, for statements on a protected table (and errors naming one), no seeded value (rules-only
 * ssn and badge, encrypted email and card, as plaintext or as stored) reaches the message, {@code toString()},
 * the fields of {@code getServerErrorMessage()}, the next-exception chain, the warnings or the audit trail;
 * SQLState, constraint, table and column names survive. Errors of statements on unprotected tables are the
 * server's, unchanged.
 */
class ServerErrorRedactionIT {

    private MembersExample db;

    @BeforeEach
    void membersWithConstraints() throws SQLException {
        db = MembersExample.create();
    }

    /** Runs {@code statement}, expects the database to fail it, and checks nothing of the error reveals a value. */
    private PSQLException fails(String sqlState, Executable statement) {
        SQLException e = assertThrows(SQLException.class, statement);
        assertEquals(sqlState, e.getSQLState(), e::getMessage);
        assertNoSecretInChain(e);
        return assertInstanceOf(PSQLException.class, e, "applications casting to PSQLException still can");
    }

    /** Every exception reachable from {@code e} (next exceptions, causes, suppressed) and all its fields. */
    private void assertNoSecretInChain(SQLException e) {
        for (Throwable t : e) {
            db.assertNoSecret("getMessage", t.getMessage());
            db.assertNoSecret("toString", t.toString());
            for (Throwable s : t.getSuppressed()) db.assertNoSecret("suppressed", s.toString());
            if (t instanceof PSQLException p && p.getServerErrorMessage() != null) assertNoSecret(p.getServerErrorMessage());
        }
        for (SQLException n = e.getNextException(); n != null; n = n.getNextException()) {
            db.assertNoSecret("getNextException", n.toString());
            if (n instanceof PSQLException p && p.getServerErrorMessage() != null) assertNoSecret(p.getServerErrorMessage());
        }
    }

    private void assertNoSecret(ServerErrorMessage m) {
        for (String field : new String[] {m.getMessage(), m.getDetail(), m.getHint(), m.getWhere(),
                m.getInternalQuery(), m.toString(), m.getSchema(), m.getTable(), m.getColumn(), m.getConstraint()}) {
            db.assertNoSecret("ServerErrorMessage", field);
        }
    }

    @Test
    void aCheckViolationShowsItsConstraintAndTableButNoRowValues() throws SQLException {
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            PSQLException e = fails("23514", () -> s.executeUpdate("UPDATE members SET tier = 1000 WHERE id = 1"));
            ServerErrorMessage m = e.getServerErrorMessage();
            assertEquals("members_tier_check", m.getConstraint());
            assertEquals("members", m.getTable());
            assertEquals("public", m.getSchema());
            assertEquals("new row for relation \"members\" violates check constraint \"members_tier_check\"", m.getMessage());
            assertEquals("Failing row contains (values redacted by Warden).", m.getDetail());
            assertTrue(e.getMessage().contains("Failing row contains (values redacted by Warden)."), e.getMessage());
        }
        try (Connection analyst = db.as("analyst");
             PreparedStatement ps = analyst.prepareStatement("UPDATE members SET tier = ? WHERE id = ?")) {
            ps.setInt(1, 1000);
            ps.setInt(2, 1);
            assertEquals("members_tier_check", fails("23514", ps::executeUpdate).getServerErrorMessage().getConstraint());
        }
    }

    @Test
    void aNotNullViolationNamesItsColumn() throws SQLException {
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            ServerErrorMessage m = fails("23502", () -> s.execute("UPDATE members SET name = NULL WHERE id = 1"))
                    .getServerErrorMessage();
            assertEquals("name", m.getColumn());
            assertEquals("members", m.getTable());
            assertTrue(m.getMessage().contains("\"name\""), m.getMessage());
        }
    }

    @Test
    void uniqueViolationsOnRulesOnlyAndEncryptedColumnsKeepTheKeyColumnsOnly() throws SQLException {
        try (Connection support = db.as("support"); PreparedStatement ps = support.prepareStatement(
                "INSERT INTO members (id, name, ssn, email, tier) VALUES (?, 'Copy', ?, ?, 1)")) {
            ps.setInt(1, 2);
            ps.setString(2, MembersExample.SSN);
            ps.setString(3, "other@example.com");
            ServerErrorMessage m = fails("23505", ps::executeUpdate).getServerErrorMessage();
            assertEquals("members_ssn_key", m.getConstraint());
            assertEquals("Key (ssn)=(redacted) already exists.", m.getDetail());

            ps.setInt(1, 3);
            ps.setString(2, "000-00-0000");
            ps.setString(3, MembersExample.EMAIL);  // equal ciphertext (deterministic): the stored bytes collide
            m = fails("23505", ps::executeUpdate).getServerErrorMessage();
            assertEquals("members_email_key", m.getConstraint());
            assertEquals("Key (email)=(redacted) already exists.", m.getDetail());
        }
    }

    @Test
    void anExclusionViolationHidesBothKeys() throws SQLException {
        try (Connection support = db.as("support"); Statement s = support.createStatement()) {
            ServerErrorMessage m = fails("23P01", () -> s.execute("INSERT INTO members (id, name, ssn, tier, badge)"
                    + " VALUES (4, 'Dup', '999-99-9999', 1, '" + MembersExample.BADGE + "')")).getServerErrorMessage();
            assertEquals("members_badge_excl", m.getConstraint());
            assertEquals("Key (badge)=(redacted) conflicts with existing key (badge)=(redacted).", m.getDetail());
        }
    }

    @Test
    void foreignKeyViolationsHideTheKeyAlsoWhenRaisedByAStatementOnAnUnprotectedTable() throws SQLException {
        try (Connection support = db.as("support"); Statement s = support.createStatement()) {
            ServerErrorMessage m = fails("23503", () -> s.execute("UPDATE members SET ssn = '111-11-1111' WHERE id = 1"))
                    .getServerErrorMessage();
            assertEquals("visits_member_fk", m.getConstraint());
            assertEquals("Key (ssn)=(redacted) is still referenced from table \"visits\".", m.getDetail());

            // visits is not protected, but the error quotes the protected table its key must be present in
            m = fails("23503", () -> s.execute("INSERT INTO visits (member_ssn) VALUES ('" + MembersExample.SSN
                    + "-9')")).getServerErrorMessage();
            assertEquals("Key (member_ssn)=(redacted) is not present in table \"members\".", m.getDetail());
        }
    }

    @Test
    void whatATriggerRaisesIsUserTextAndRedactedWholeButItsSqlStateStays() throws SQLException {
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            ServerErrorMessage m = fails("23514", () -> s.execute("UPDATE members SET tier = 42 WHERE id = 1"))
                    .getServerErrorMessage();
            assertTrue(m.getMessage().startsWith("message redacted by Warden"), m.getMessage());
            assertEquals("detail redacted by Warden", m.getDetail());
            assertEquals("hint redacted by Warden", m.getHint());
            assertTrue(m.getWhere().startsWith("PL/pgSQL function members_announce() line"), m.getWhere());
        }
    }

    @Test
    void noticesRaisedByATriggerAreRedactedOnTheStatementAndTheConnection() throws SQLException {
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE members SET tier = 6 WHERE id = 1"));
            SQLWarning w = s.getWarnings();
            assertNotNull(w, "the trigger's notice still reaches the application");
            int count = 0;
            for (; w != null; w = w.getNextWarning()) {
                count++;
                db.assertNoSecret("warning", w.toString());
                assertEquals("00000", w.getSQLState());
                if (w instanceof org.postgresql.util.PSQLWarning p) assertNoSecret(p.getServerErrorMessage());
            }
            assertEquals(1, count);
            db.assertNoSecret("connection warnings", String.valueOf(analyst.getWarnings()));
        }
        try (Connection support = db.as("support");
             PreparedStatement ps = support.prepareStatement("UPDATE members SET tier = ? WHERE id = 1")) {
            ps.setInt(1, 7);
            ps.executeUpdate();
            assertNotNull(ps.getWarnings());
            db.assertNoSecret("prepared statement warning", ps.getWarnings().getMessage());
        }
    }

    @Test
    void aNoticeRaisedOnAProtectedTableByACascadeFromAnUnprotectedOneIsRedacted() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("INSERT INTO clubs VALUES (1)");
            s.execute("UPDATE members SET club_id = 1 WHERE id = 1");
        }
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            // names only clubs: not analysed, but the cascade updates members, whose trigger raises a notice
            assertEquals(1, s.executeUpdate("UPDATE clubs SET id = 2 WHERE id = 1"));
            SQLWarning w = s.getWarnings();
            assertNotNull(w, "the notice still reaches the application");
            for (; w != null; w = w.getNextWarning()) db.assertNoSecret("cascade notice", w.toString());
        }
    }

    @Test
    void batchExceptionsShowNeitherTheEntryNorItsValuesNorTheServerDetail() throws SQLException {
        try (Connection support = db.as("support"); PreparedStatement ps = support.prepareStatement(
                "INSERT INTO members (id, name, ssn, card, tier) VALUES (?, 'Batch', ?, ?, 1)")) {
            ps.setInt(1, 10);
            ps.setString(2, "222-22-2222");
            ps.setString(3, MembersExample.CARD);
            ps.addBatch();
            ps.setInt(1, 11);
            ps.setString(2, MembersExample.SSN);  // duplicate: the batch fails here
            ps.setString(3, MembersExample.CARD);
            ps.addBatch();
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            assertEquals("23505", e.getSQLState());
            assertNoSecretInChain(e);
            assertTrue(e.getMessage().contains("Batch entry 1"), e.getMessage());
            PSQLException next = assertInstanceOf(PSQLException.class, e.getNextException());
            assertEquals("members_ssn_key", next.getServerErrorMessage().getConstraint());
        }
        try (Connection support = db.as("support"); Statement s = support.createStatement()) {
            s.addBatch("UPDATE members SET tier = 8 WHERE id = 1");
            s.addBatch("INSERT INTO members (id, name, ssn, badge, tier) VALUES (12, 'Inline', '"
                    + MembersExample.SSN + "', '" + MembersExample.BADGE + "', 1)");
            BatchUpdateException e = assertThrows(BatchUpdateException.class, s::executeBatch);
            assertNoSecretInChain(e);
        }
    }

    @Test
    void aDeferredViolationAtCommitIsRedacted() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE visits ALTER CONSTRAINT visits_member_fk DEFERRABLE INITIALLY DEFERRED");
        }
        try (Connection support = db.as("support"); Statement s = support.createStatement()) {
            support.setAutoCommit(false);
            s.execute("UPDATE members SET ssn = '333-33-3333' WHERE id = 1");
            SQLException e = assertThrows(SQLException.class, support::commit);
            assertEquals("23503", e.getSQLState());
            assertNoSecretInChain(e);
        }
    }

    @Test
    void anErrorRaisedWhileFetchingThroughACursorIsRedacted() throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("INSERT INTO members (id, name, ssn, tier) VALUES (0, 'First', '123', 1)");
        }
        try (Connection support = db.as("support"); Statement s = support.createStatement()) {
            support.setAutoCommit(false);
            s.execute("SET enable_sort = off");  // an index scan: each row is computed when it is fetched
            s.setFetchSize(1);  // the second row is computed by the server at the second fetch
            java.sql.ResultSet rs = s.executeQuery("SELECT id, ssn::integer FROM members ORDER BY id");
            assertTrue(rs.next());
            PSQLException e = fails("22P02", rs::next);
            assertEquals("invalid input syntax for type integer: \"(redacted)\"", e.getServerErrorMessage().getMessage());
            support.rollback();
        }
    }

    @Test
    void theAuditTrailOfFailedStatementsHoldsNoValue() throws Exception {
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            assertThrows(SQLException.class, () -> s.execute("UPDATE members SET tier = 1000 WHERE id = 1"));
            assertThrows(SQLException.class, () -> s.execute("UPDATE members SET tier = 42 WHERE id = 1"));
        }
        String trail = db.awaitAuditTrail(3);  // the seeding insert and the two failures
        db.assertNoSecret("audit trail", trail);
        assertTrue(trail.contains("23514"), "the failures are recorded with their SQLState");
    }

    @Test
    void errorsOfStatementsOnUnprotectedTablesAreTheServersUnchanged() throws SQLException {
        SQLException direct;
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            direct = assertThrows(SQLException.class, () -> s.execute("INSERT INTO plain_scores VALUES (1, 77)"));
        }
        try (Connection analyst = db.as("analyst"); Statement s = analyst.createStatement()) {
            PSQLException through = assertInstanceOf(PSQLException.class,
                    assertThrows(SQLException.class, () -> s.execute("INSERT INTO plain_scores VALUES (1, 77)")));
            assertEquals(direct.getMessage(), through.getMessage());
            assertEquals("Failing row contains (1, 77).", through.getServerErrorMessage().getDetail());
            assertSame(through.getClass(), direct.getClass());
        }
    }
}
